// A customer's journeys, for the customer page: every enrollment (newest first) with its flow, status, entry and
// exit, control-group membership, and its trace — each decision in the same words `nudgeflow trace` prints
// (describeTrace), an email's send linking to its outbox page. Workspace-scoped: another workspace's customer is
// not found.
import { GOAL_PREFIX } from "~/core/analytics/kpis";
import { isNotableTrace, listTrace, type TraceEntry } from "~/core/flows/trace.server";
import type { Db } from "~/db.server";
import { flowHref, outboxHref } from "./timeline";

/** The page lists the newest 50 enrollments… */
export const JOURNEY_LIMIT = 50;
/** …each with the newest 200 decisions of its trace. */
export const JOURNEY_TRACE_LIMIT = 200;

export interface JourneyTraceLine {
  at: Date;
  kind: string;
  /** The decision in words, as the CLI prints it. */
  text: string;
  /** A skip, deferral, failed attempt or exit: a decision that did not simply let the journey go on. */
  notable: boolean;
  /** The outbox page of the email a `send` queued. */
  href: string | null;
}

export interface CustomerJourney {
  enrollmentId: string;
  flow: { id: string; name: string; href: string };
  /** active | completed | exited */
  status: string;
  entryNumber: number;
  /** In the flow's control group: goes through the flow, is sent nothing. */
  holdout: boolean;
  enteredAt: Date;
  exitedAt: Date | null;
  exitReason: string | null;
  /** The status in words: "Completed", "Reached the goal: …", "Left: …", "In progress, held back: quiet hours …". */
  summary: string;
  /** When an active enrollment's next step is due. */
  nextStepAt: Date | null;
  /** Oldest first: the newest JOURNEY_TRACE_LIMIT decisions. */
  trace: JourneyTraceLine[];
  /** How many decisions the enrollment has in all; more than trace.length when the trace was cut. */
  traceCount: number;
}

export interface CustomerJourneys {
  journeys: CustomerJourney[];
  /** All the customer's enrollments; more than journeys.length when the list was cut. */
  enrollmentCount: number;
}

/** An enrollment's state in words. */
export function describeJourneyStatus(row: { status: string; exitReason: string | null; deferredReason: string | null }): string {
  if (row.status === "completed") return "Completed";
  if (row.status === "exited") {
    if (row.exitReason?.startsWith(GOAL_PREFIX)) return `Reached the goal: ${row.exitReason.slice(GOAL_PREFIX.length)}`;
    return row.exitReason ? `Left: ${row.exitReason}` : "Left";
  }
  if (row.status === "active") return row.deferredReason ? `In progress, held back: ${row.deferredReason}` : "In progress";
  return row.status;
}

function traceLine(entry: TraceEntry): JourneyTraceLine {
  const messageId = entry.kind === "send" && typeof entry.detail.messageId === "string" ? entry.detail.messageId : null;
  return { at: entry.at, kind: entry.kind, text: entry.text, notable: isNotableTrace(entry.kind), href: messageId ? outboxHref(messageId) : null };
}

/** The customer's journeys, or null when the workspace has no customer with this id. */
export async function customerJourneys(db: Db, input: { workspaceId: string; customerId: string }): Promise<CustomerJourneys | null> {
  const { workspaceId, customerId } = input;
  const customer = await db.customer.findFirst({ where: { id: customerId, workspaceId }, select: { id: true } });
  if (!customer) return null;

  const [enrollments, enrollmentCount] = await Promise.all([
    db.enrollment.findMany({
      where: { workspaceId, customerId },
      orderBy: [{ enteredAt: "desc" }, { id: "desc" }],
      take: JOURNEY_LIMIT,
      select: { id: true, flowId: true, status: true, entryNumber: true, holdout: true, enteredAt: true, exitedAt: true, exitReason: true, wakeAt: true, deferredReason: true },
    }),
    db.enrollment.count({ where: { workspaceId, customerId } }),
  ]);
  if (enrollments.length === 0) return { journeys: [], enrollmentCount };

  const enrollmentIds = enrollments.map((enrollment) => enrollment.id);
  const [flows, counts, traces] = await Promise.all([
    db.flow.findMany({ where: { workspaceId, id: { in: [...new Set(enrollments.map((enrollment) => enrollment.flowId))] } }, select: { id: true, name: true } }),
    db.enrollmentTrace.groupBy({ by: ["enrollmentId"], where: { workspaceId, enrollmentId: { in: enrollmentIds } }, _count: { _all: true } }),
    // One query per enrollment: each keeps its own newest JOURNEY_TRACE_LIMIT decisions.
    Promise.all(enrollmentIds.map((enrollmentId) => listTrace(db, { workspaceId, enrollmentId, last: JOURNEY_TRACE_LIMIT }))),
  ]);
  const flowName = new Map(flows.map((flow) => [flow.id, flow.name]));
  const traceCount = new Map(counts.map((row) => [row.enrollmentId, row._count._all]));

  return {
    enrollmentCount,
    journeys: enrollments.map((enrollment, index) => ({
      enrollmentId: enrollment.id,
      flow: { id: enrollment.flowId, name: flowName.get(enrollment.flowId) ?? "(deleted flow)", href: flowHref(enrollment.flowId) },
      status: enrollment.status,
      entryNumber: enrollment.entryNumber,
      holdout: enrollment.holdout,
      enteredAt: enrollment.enteredAt,
      exitedAt: enrollment.exitedAt,
      exitReason: enrollment.exitReason,
      summary: describeJourneyStatus(enrollment),
      nextStepAt: enrollment.status === "active" ? enrollment.wakeAt : null,
      trace: traces[index].map(traceLine),
      traceCount: traceCount.get(enrollment.id) ?? 0,
    })),
  };
}
