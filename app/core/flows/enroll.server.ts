// Flows hear canonical events from ingest: a goal event exits the enrollments it completes, a trigger event
// enrolls the entity (at most once per flow). Runs inside ingest's transaction.
import type { DbTx } from "~/db.server";
import type { CanonicalEvent } from "~/core/events";
import { allConditionsHold } from "./conditions";
import { loadVersion } from "./versions.server";

export interface FlowEventInput {
  workspaceId: string;
  event: CanonicalEvent;
  customerId: string | null;
  checkoutId: string | null;
  now: Date;
}

/** Exits every active enrollment of the customer whose flow's goal this event meets. */
async function exitOnGoal(tx: DbTx, input: FlowEventInput): Promise<string[]> {
  const { event, customerId, workspaceId } = input;
  if (event.type !== "order.add" || !customerId) return [];
  const placedAt = new Date(event.data.order.placedAt);
  const active = await tx.enrollment.findMany({ where: { workspaceId, customerId, status: "active" } });
  const exited: string[] = [];
  for (const enrollment of active) {
    const definition = await loadVersion(tx, { workspaceId, versionId: enrollment.flowVersionId });
    if (!definition?.goal || definition.goal.event !== event.type || placedAt < enrollment.enteredAt) continue;
    const result = await tx.enrollment.updateMany({
      where: { id: enrollment.id, status: "active" },
      data: { status: "exited", exitReason: `goal: ${definition.goal.label}`, exitedAt: input.now, wakeAt: null },
    });
    if (result.count === 1) exited.push(enrollment.id);
  }
  return exited;
}

/** Enrolls the event's entity in every live flow it triggers; an entity already enrolled stays as it is. */
async function enrollOnTrigger(tx: DbTx, input: FlowEventInput): Promise<string[]> {
  const { event, customerId, checkoutId, workspaceId } = input;
  if (!customerId) return [];
  const flows = await tx.flow.findMany({ where: { workspaceId, status: "live", liveVersionId: { not: null } } });
  if (flows.length === 0) return [];
  const checkout = checkoutId ? await tx.checkout.findFirst({ where: { id: checkoutId, workspaceId } }) : null;
  const customer = await tx.customer.findFirst({ where: { id: customerId, workspaceId } });
  const context = { event, checkout, customer };
  const enrolled: string[] = [];
  for (const flow of flows) {
    if (!flow.liveVersionId) continue;
    const definition = await loadVersion(tx, { workspaceId, versionId: flow.liveVersionId });
    if (!definition || !definition.trigger.events.includes(event.type)) continue;
    const entity = definition.trigger.entity === "checkout" ? (checkout ? { type: "checkout", id: checkout.id } : null) : { type: "customer", id: customerId };
    if (!entity || !allConditionsHold(definition.trigger.conditions, context)) continue;
    // Native upsert (INSERT … ON CONFLICT): one enrollment per entity per flow, also under concurrent workers.
    // (Re-entry, when a flow allows it, will create entries 2, 3, …; today every flow is "never".)
    const enrollment = await tx.enrollment.upsert({
      where: { flowId_entityType_entityId_entryNumber: { flowId: flow.id, entityType: entity.type, entityId: entity.id, entryNumber: 1 } },
      create: {
        workspaceId,
        flowId: flow.id,
        flowVersionId: flow.liveVersionId,
        customerId,
        entityType: entity.type,
        entityId: entity.id,
        currentNodeId: definition.entry,
        wakeAt: input.now,
        enteredAt: new Date(event.occurredAt),
      },
      update: {},
    });
    enrolled.push(enrollment.id);
  }
  return enrolled;
}

export async function routeEventToFlows(tx: DbTx, input: FlowEventInput) {
  const exited = await exitOnGoal(tx, input);
  const enrolled = await enrollOnTrigger(tx, input);
  return { exited, enrolled };
}

/** The store is gone: every running journey of the workspace stops, and nothing queued goes out. */
export async function stopAllSending(tx: DbTx, input: { workspaceId: string; reason: string; now: Date }) {
  await tx.enrollment.updateMany({
    where: { workspaceId: input.workspaceId, status: "active" },
    data: { status: "exited", exitReason: input.reason, exitedAt: input.now, wakeAt: null },
  });
  await tx.message.updateMany({
    where: { workspaceId: input.workspaceId, status: "queued" },
    data: { status: "cancelled", error: input.reason },
  });
}
