// Flows triggered by segments: checking that a definition's segment exists in the workspace, the flow that
// `/app/flows/new?segmentId=…` starts from, and the backfill of customers already in the segment when a
// segment-entered flow is published (previewed first, default off). docs/decisions/0019.
import type { Db, DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import { segmentEvent } from "~/core/events";
import { DEFAULT_RULES, type DefinitionProblem, type FlowDefinition } from "./definition";
import { enrollInFlows } from "./enroll.server";
import { loadVersion } from "./versions.server";

/** The segment a raw (possibly invalid) definition's trigger names, if it is a segment trigger with an id. */
function segmentTriggerOf(definition: unknown): { segmentId: string; on: unknown } | null {
  if (typeof definition !== "object" || definition === null) return null;
  const trigger = (definition as { trigger?: unknown }).trigger;
  if (typeof trigger !== "object" || trigger === null) return null;
  const { type, segmentId, on } = trigger as { type?: unknown; segmentId?: unknown; on?: unknown };
  return type === "segment" && typeof segmentId === "string" && segmentId !== "" ? { segmentId, on } : null;
}

/**
 * What the document alone cannot know: the segment a segment trigger names exists in this workspace and is
 * active. Each problem at `trigger.segmentId`. Works on raw drafts.
 */
export async function segmentReferenceProblems(db: Db | DbTx, input: { workspaceId: string; definition: unknown }): Promise<DefinitionProblem[]> {
  const trigger = segmentTriggerOf(input.definition);
  if (!trigger) return [];
  const segment = await db.segment.findFirst({ where: { id: trigger.segmentId, workspaceId: input.workspaceId }, select: { name: true, status: true } });
  if (!segment) return [{ path: "trigger.segmentId", message: `segment "${trigger.segmentId}" does not exist in this workspace` }];
  if (segment.status !== "active") return [{ path: "trigger.segmentId", message: `segment "${segment.name}" is archived: choose an active segment` }];
  return [];
}

/** The workspace's active segments, for the trigger panel's choice. */
export async function segmentChoices(db: Db, input: { workspaceId: string }): Promise<{ id: string; name: string; memberCount: number }[]> {
  return db.segment.findMany({
    where: { workspaceId: input.workspaceId, status: "active" },
    orderBy: { name: "asc" },
    select: { id: true, name: true, memberCount: true },
  });
}

export function segmentFlowName(segmentName: string): string {
  return `When a customer enters ${segmentName}`;
}

/** A flow that greets customers a day after they enter a segment: one delay, one email (the merchant edits it). */
export function segmentFlowDefinition(segment: { id: string; name: string }): FlowDefinition {
  return {
    schemaVersion: 1,
    trigger: { type: "segment", segmentId: segment.id, on: "entered", conditions: [] },
    goal: null,
    entry: "wait-1d",
    nodes: [
      { id: "wait-1d", type: "delay", duration: { days: 1 }, anchor: "previous_step", next: "email-1" },
      {
        id: "email-1",
        type: "email",
        name: `Welcome to ${segment.name}`,
        subject: "{% if customer.first_name %}{{ customer.first_name }}, a{% else %}A{% endif %} little something from {{ shop.name }}",
        preheader: "Because you are one of our favourite customers.",
        html: [
          "<p>{% if customer.first_name %}Hi {{ customer.first_name }},{% else %}Hi,{% endif %}</p>",
          "<p>Thank you for shopping with {{ shop.name }}. We wanted to say so, and to let you know we have new things you might like.</p>",
          "<p>Just reply to this email if there is anything we can help with.</p>",
          '<p style="font-size:12px;color:#6b7280">{% if unsubscribe_url %}<a href="{{ unsubscribe_url }}">Unsubscribe</a>{% endif %}</p>',
        ].join("\n"),
        text: [
          "{% if customer.first_name %}Hi {{ customer.first_name }},{% else %}Hi,{% endif %}",
          "",
          "Thank you for shopping with {{ shop.name }}. We wanted to say so, and to let you know we have new things you might like.",
          "",
          "Just reply to this email if there is anything we can help with.",
          "{% if unsubscribe_url %}",
          "Unsubscribe: {{ unsubscribe_url }}{% endif %}",
        ].join("\n"),
        next: null,
      },
    ],
    rules: DEFAULT_RULES,
  };
}

export interface SegmentBackfillPreview {
  segmentId: string;
  segmentName: string;
  /** Customers in the segment now (SegmentMembership rows). */
  members: number;
}

/**
 * What a backfill would enroll when this definition is published: the members of the segment its
 * segment-entered trigger names. Null for any other trigger (a segment-exited trigger has nobody "leaving now").
 */
export async function previewSegmentBackfill(db: Db | DbTx, input: { workspaceId: string; definition: unknown }): Promise<SegmentBackfillPreview | null> {
  const trigger = segmentTriggerOf(input.definition);
  if (!trigger || trigger.on !== "entered") return null;
  const segment = await db.segment.findFirst({ where: { id: trigger.segmentId, workspaceId: input.workspaceId, status: "active" }, select: { id: true, name: true } });
  if (!segment) return null;
  const members = await db.segmentMembership.count({ where: { workspaceId: input.workspaceId, segmentId: segment.id } });
  return { segmentId: segment.id, segmentName: segment.name, members };
}

export class SegmentBackfillError extends Error {}

const BACKFILL_BATCH = 100;

/**
 * Enrolls the customers in the segment now into a live segment-entered flow, once, through the same path as a
 * segment.entered event (conditions, re-entry: somebody already in the flow is not entered twice; consent applies
 * at each email). Each enrollment is traced as `trigger.backfill`; the made-up event (cause `backfill`, at `now`)
 * is not stored as an Event: it is not a segment change. Batches of members, one transaction each.
 */
export async function backfillSegmentTrigger(deps: { db: Db; clock: Clock }, input: { workspaceId: string; flowId: string }): Promise<{ members: number; enrolled: number }> {
  const { db } = deps;
  const { workspaceId } = input;
  const flow = await db.flow.findFirst({ where: { id: input.flowId, workspaceId } });
  if (!flow?.liveVersionId || flow.status !== "live") throw new SegmentBackfillError("only a live flow can enroll a segment's members");
  const definition = await loadVersion(db, { workspaceId, versionId: flow.liveVersionId });
  if (definition?.trigger.type !== "segment" || definition.trigger.on !== "entered") throw new SegmentBackfillError("only a flow triggered by entering a segment can enroll its members");
  const segment = await db.segment.findFirst({ where: { id: definition.trigger.segmentId, workspaceId }, select: { id: true, name: true } });
  if (!segment) throw new SegmentBackfillError("the flow's segment no longer exists");
  const live = [{ flow: { id: flow.id }, versionId: flow.liveVersionId, definition }];
  let members = 0;
  let enrolled = 0;
  let cursor: string | null = null;
  for (;;) {
    const batch: { customerId: string }[] = await db.segmentMembership.findMany({
      where: { workspaceId, segmentId: segment.id, ...(cursor ? { customerId: { gt: cursor } } : {}) },
      orderBy: { customerId: "asc" },
      take: BACKFILL_BATCH,
      select: { customerId: true },
    });
    if (batch.length === 0) break;
    cursor = batch[batch.length - 1].customerId;
    members += batch.length;
    enrolled += await db.$transaction(async (tx) => {
      const now = deps.clock.now();
      const event = segmentEvent({ change: "entered", data: { segment, why: null, cause: "backfill" }, occurredAt: now });
      let count = 0;
      for (const { customerId } of batch) {
        count += (await enrollInFlows(tx, { workspaceId, event, customerId, checkoutId: null, now }, live, "trigger.backfill")).length;
      }
      return count;
    });
    if (batch.length < BACKFILL_BATCH) break;
  }
  return { members, enrolled };
}
