// The trace: one EnrollmentTrace row per decision the engine takes about somebody (a trigger matched or not and
// why, an entry, a branch or variant, a deferral, a skip, an email queued, a goal exit, a completion). Written in
// the same transaction as the decision's effects, so a step that rolls back leaves no trace of itself.
import type { Db, DbTx } from "~/db.server";
import { normalizeEmail } from "~/core/events/normalize";

export const TRACE_KINDS = [
  "trigger.matched",
  "trigger.backfill",
  "trigger.skipped",
  "entered",
  "step",
  "branch",
  "deferred",
  "skipped",
  "send",
  "goal",
  "exit",
  "completed",
  "action",
  "attempt",
  "timer",
] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

type TraceValue = string | number | boolean | null;
export type TraceDetail = { [key: string]: TraceValue };

export interface TraceInput {
  workspaceId: string;
  flowId: string;
  enrollmentId: string | null;
  customerId: string | null;
  at: Date;
  kind: TraceKind;
  detail: TraceDetail;
}

export async function writeTrace(tx: DbTx, input: TraceInput): Promise<void> {
  await tx.enrollmentTrace.create({ data: input });
}

/** One line of a timeline, ready to show (the customer page, `nudgeflow trace`). */
export interface TraceEntry {
  at: Date;
  kind: string;
  flowId: string;
  flowName: string;
  enrollmentId: string | null;
  detail: Record<string, unknown>;
  /** The decision in words. */
  text: string;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The decision in words: `email "Reminder" queued (msg_…)`, `deferred until … : message budget 1 per 16 h`. */
export function describeTrace(kind: string, detail: Record<string, unknown>): string {
  const node = detail.nodeId ? `"${str(detail.nodeId)}"` : "";
  switch (kind) {
    case "trigger.matched":
      return `trigger matched on ${str(detail.event)}${detail.segment ? ` (${str(detail.segment)})` : ""}`;
    case "trigger.backfill":
      return `enrolled by the flow's backfill: already in ${detail.segment ? `segment ${str(detail.segment)}` : "the segment"} when it was published`;
    case "trigger.skipped":
      return `trigger ${str(detail.event)} did not enroll: ${str(detail.reason)}`;
    case "entered":
      return `entered (${detail.entryNumber !== undefined ? `entry ${str(detail.entryNumber)}, ` : ""}${str(detail.entityType)} ${str(detail.entityId)})${detail.holdout ? `; ${str(detail.holdout)}` : ""}`;
    case "step":
      return `${str(detail.nodeType)} ${node} passed`;
    case "branch":
      return detail.variant !== undefined
        ? `A/B split ${node}: variant ${str(detail.variant)} (bucket ${str(detail.bucket)})`
        : `${str(detail.nodeType)} ${node}: branch ${str(detail.branch)}`;
    case "deferred":
      return `email ${node} deferred until ${str(detail.until)}: ${str(detail.reason)}`;
    case "skipped":
      return `email ${node} skipped: ${str(detail.reason)}`;
    case "send":
      return `email ${node} queued as ${str(detail.messageId)} (${str(detail.kind)})${detail.deferred ? `, after waiting for ${str(detail.deferred)}` : ""}`;
    case "goal":
      return `goal reached, exited: ${str(detail.reason)}`;
    case "exit":
      return `exited: ${str(detail.reason)}`;
    case "completed":
      return "completed";
    case "action":
      return detail.failed !== undefined
        ? `${str(detail.nodeType)} ${node} failed after ${str(detail.attempts)} attempt(s): ${str(detail.failed)}`
        : detail.code !== undefined
          ? `discount code ${str(detail.code)} (${str(detail.display)}, until ${str(detail.expiresAt)}) created`
          : detail.deliveryId !== undefined
            ? `webhook ${node} delivered (${str(detail.status)})`
            : `tags ${str(detail.tags)} ${detail.action === "remove" ? "removed" : "added"}`;
    case "attempt":
      return `${str(detail.nodeType)} ${node} attempt ${str(detail.attempt)} of ${str(detail.maxAttempts)} failed: ${str(detail.error)}; next try ${str(detail.retryAt)}`;
    case "timer":
      return `inactivity timer ${str(detail.reason)}: fires ${str(detail.until)}`;
    default:
      return `${kind} ${JSON.stringify(detail)}`;
  }
}

const NOTABLE_KINDS: ReadonlySet<string> = new Set(["trigger.skipped", "deferred", "skipped", "attempt", "exit", "goal"]);

/** A skip, deferral, failed attempt or exit: a decision that did not simply let the journey go on. */
export function isNotableTrace(kind: string): boolean {
  return NOTABLE_KINDS.has(kind);
}

function detailOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/**
 * A timeline of decisions, oldest first: one enrollment's, or everything about one customer (by id or email)
 * across flows. Empty when the customer or enrollment is not in the workspace. `limit` keeps the oldest entries
 * (default 1000); `last` keeps the newest ones instead (still listed oldest first).
 */
export async function listTrace(
  db: Db | DbTx,
  input: { workspaceId: string; enrollmentId?: string; customerId?: string; email?: string; limit?: number; last?: number },
): Promise<TraceEntry[]> {
  let customerId = input.customerId;
  if (!customerId && input.email) {
    const email = normalizeEmail(input.email);
    const customer = email ? await db.customer.findUnique({ where: { workspaceId_email: { workspaceId: input.workspaceId, email } }, select: { id: true } }) : null;
    if (!customer) return [];
    customerId = customer.id;
  }
  if (!customerId && !input.enrollmentId) return [];
  const newest = input.last !== undefined;
  const found = await db.enrollmentTrace.findMany({
    where: { workspaceId: input.workspaceId, ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}), ...(customerId ? { customerId } : {}) },
    orderBy: newest ? [{ at: "desc" }, { id: "desc" }] : [{ at: "asc" }, { id: "asc" }],
    take: input.last ?? input.limit ?? 1000,
  });
  const rows = newest ? found.reverse() : found;
  const flows = await db.flow.findMany({ where: { workspaceId: input.workspaceId, id: { in: [...new Set(rows.map((row) => row.flowId))] } }, select: { id: true, name: true } });
  return rows.map((row) => {
    const detail = detailOf(row.detail);
    return {
      at: row.at,
      kind: row.kind,
      flowId: row.flowId,
      flowName: flows.find((flow) => flow.id === row.flowId)?.name ?? row.flowId,
      enrollmentId: row.enrollmentId,
      detail,
      text: describeTrace(row.kind, detail),
    };
  });
}
