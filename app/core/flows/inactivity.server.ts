// The inactivity trigger ("N days since the last order") as a per-customer timer, not a daily scan (ADR 0023).
// The timer is the customer's enrollment itself, parked on the pseudo-node TIMER_NODE (an id no real node can
// have) with wakeAt = last order + N days. Each order moves wakeAt (in ingest's transaction); when the runner
// wakes it, it re-reads the customer's latest order: a newer one postpones it again, otherwise the trigger's
// conditions are checked and the journey starts at the flow's entry, entered at the instant inactivity began.
import type { DbTx } from "~/db.server";
import { entryDecision, inHoldout, matchTrigger } from "./engine";
import type { FlowDefinition, InactivityTrigger } from "./definition";
import { writeTrace } from "./trace.server";
import { loadVersion } from "./versions.server";

/** Where a waiting inactivity timer sits: not a valid node id, so never a node of any flow. */
export const TIMER_NODE = "#inactivity";
const DAY_MS = 86_400_000;

/** The customer's latest order that still counts (not cancelled), or null. */
export async function lastOrderAt(tx: DbTx, input: { workspaceId: string; customerId: string }): Promise<Date | null> {
  const order = await tx.order.findFirst({
    where: { workspaceId: input.workspaceId, customerId: input.customerId, cancelledAt: null },
    orderBy: { placedAt: "desc" },
    select: { placedAt: true },
  });
  return order?.placedAt ?? null;
}

/**
 * An order arrived for the customer: in every live flow with an inactivity trigger, arm their timer (or push a
 * waiting one back) to fire N days after their latest order. A journey already running is left to its goal;
 * re-entry is decided for the instant the timer would fire. Runs in ingest's transaction.
 */
export async function resetInactivityTimers(tx: DbTx, input: { workspaceId: string; customerId: string | null; placedAt: Date; now: Date }): Promise<string[]> {
  const { workspaceId, customerId } = input;
  if (!customerId) return [];
  const flows = await tx.flow.findMany({ where: { workspaceId, status: "live", liveVersionId: { not: null } }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
  const armed: string[] = [];
  let latest: Date | null | undefined;
  for (const flow of flows) {
    const definition = flow.liveVersionId ? await loadVersion(tx, { workspaceId, versionId: flow.liveVersionId }) : null;
    if (definition?.trigger.type !== "inactivity") continue;
    latest ??= await lastOrderAt(tx, { workspaceId, customerId });
    const anchor = latest && latest > input.placedAt ? latest : input.placedAt;
    const fireAt = new Date(anchor.getTime() + definition.trigger.days * DAY_MS);
    const trace = (kind: "timer" | "trigger.skipped", detail: Record<string, string | number | null>, enrollmentId: string | null) =>
      writeTrace(tx, { workspaceId, flowId: flow.id, enrollmentId, customerId, at: input.now, kind, detail: { event: "order.add", ...detail } });
    const rows = await tx.enrollment.findMany({
      where: { flowId: flow.id, entityType: "customer", entityId: customerId },
      select: { id: true, entryNumber: true, status: true, exitedAt: true, currentNodeId: true, wakeAt: true },
      orderBy: { entryNumber: "desc" },
    });
    const active = rows.find((row) => row.status === "active");
    if (active?.currentNodeId === TIMER_NODE) {
      if (active.wakeAt?.getTime() !== fireAt.getTime()) {
        await tx.enrollment.updateMany({ where: { id: active.id, status: "active", currentNodeId: TIMER_NODE }, data: { wakeAt: fireAt, enteredAt: anchor } });
        await trace("timer", { reason: "postponed by an order", until: fireAt.toISOString() }, active.id);
      }
      continue;
    }
    const last = rows[0];
    const previous = active
      ? { entryNumber: active.entryNumber, status: "active", endedAt: null }
      : last
        ? { entryNumber: last.entryNumber, status: last.status, endedAt: last.exitedAt }
        : null;
    const decision = entryDecision(definition.rules.reentry, previous, fireAt);
    if (!decision.enter) {
      // A running journey is the usual case (its goal sees the order); say nothing about it.
      if (!active) await trace("trigger.skipped", { reason: `inactivity timer not armed: ${decision.reason}` }, null);
      continue;
    }
    const entryNumber = (last?.entryNumber ?? 0) + 1;
    const enrollment = await tx.enrollment.upsert({
      where: { flowId_entityType_entityId_entryNumber: { flowId: flow.id, entityType: "customer", entityId: customerId, entryNumber } },
      create: { workspaceId, flowId: flow.id, flowVersionId: flow.liveVersionId ?? "", customerId, entityType: "customer", entityId: customerId, entryNumber, currentNodeId: TIMER_NODE, wakeAt: fireAt, enteredAt: anchor, holdout: inHoldout(definition.rules.holdout, { customerId, flowId: flow.id }) },
      update: {},
    });
    await trace("timer", { reason: "armed", until: fireAt.toISOString(), entryNumber }, enrollment.id);
    armed.push(enrollment.id);
  }
  return armed;
}

export type TimerOutcome = { kind: "waiting"; until: Date } | { kind: "skipped"; reason: string } | { kind: "started"; enteredAt: Date };

/**
 * A timer woke up: fire it if the customer has not ordered for N days (then the journey starts, entered at
 * last order + N days), push it back if a newer order came in meanwhile, end it if the conditions fail.
 */
export async function wakeInactivityTimer(
  tx: DbTx,
  enrollment: { id: string; workspaceId: string; flowId: string; customerId: string; enteredAt: Date; wakeAt: Date | null; holdout?: boolean },
  definition: FlowDefinition & { trigger: InactivityTrigger },
  now: Date,
): Promise<TimerOutcome> {
  const { workspaceId, customerId } = enrollment;
  const latest = (await lastOrderAt(tx, { workspaceId, customerId })) ?? enrollment.enteredAt;
  const days = definition.trigger.days;
  const due = new Date(latest.getTime() + days * DAY_MS);
  const guard = { id: enrollment.id, status: "active", currentNodeId: TIMER_NODE };
  const trace = (kind: "timer" | "trigger.matched" | "trigger.skipped" | "entered", detail: Record<string, string | number | null>) =>
    writeTrace(tx, { workspaceId, flowId: enrollment.flowId, enrollmentId: enrollment.id, customerId, at: now, kind, detail: { event: "inactivity", ...detail } });
  if (due > now) {
    await tx.enrollment.updateMany({ where: guard, data: { wakeAt: due, enteredAt: latest } });
    return { kind: "waiting", until: due };
  }
  const customer = await tx.customer.findFirst({ where: { id: customerId, workspaceId } });
  const event = { type: "inactivity", occurredAt: due, data: { days, lastOrderAt: latest.toISOString() } };
  const match = matchTrigger(definition.trigger, { customer, event });
  if (!match.matched || customer?.redactedAt) {
    const reason = !match.matched ? `condition failed: ${match.failed}` : "the customer was erased";
    await tx.enrollment.updateMany({ where: guard, data: { status: "exited", exitReason: `inactivity trigger: ${reason}`, exitedAt: now, wakeAt: null } });
    await trace("trigger.skipped", { reason });
    return { kind: "skipped", reason };
  }
  await tx.enrollment.updateMany({ where: guard, data: { currentNodeId: definition.entry, enteredAt: due, lastStepAt: null, wakeAt: now } });
  await trace("trigger.matched", { entityType: "customer", entityId: customerId, days, lastOrderAt: latest.toISOString() });
  await trace("entered", { entityType: "customer", entityId: customerId, ...(enrollment.holdout ? { holdout: "control group: goes through the flow, is sent nothing" } : {}) });
  return { kind: "started", enteredAt: due };
}
