import type { Db } from "~/db.server";
import type { Clock } from "~/core/clock";

export interface FailedEventSummary {
  id: string;
  source: string;
  topic: string;
  error: string | null;
  attempts: number;
  receivedAt: string;
}

/** Deliveries that verified but could not be processed: kept with their reason, replayable. */
export async function listFailedEvents(db: Db, input: { workspaceId: string; limit?: number }): Promise<FailedEventSummary[]> {
  const rows = await db.inboxEvent.findMany({
    where: { workspaceId: input.workspaceId, status: "failed" },
    orderBy: { receivedAt: "desc" },
    take: input.limit ?? 100,
    select: { id: true, source: true, topic: true, error: true, attempts: true, receivedAt: true },
  });
  return rows.map((row) => ({ ...row, receivedAt: row.receivedAt.toISOString() }));
}

/** The raw delivery, for a merchant or developer to see what arrived. */
export async function getInboxEvent(db: Db, input: { workspaceId: string; id: string }) {
  return db.inboxEvent.findFirst({ where: { id: input.id, workspaceId: input.workspaceId } });
}

/** Puts a failed delivery back in line; the worker processes it again. Returns false if there is none. */
export async function replayInboxEvent(deps: { db: Db; clock: Clock }, input: { workspaceId: string; id: string }): Promise<boolean> {
  const result = await deps.db.inboxEvent.updateMany({
    where: { id: input.id, workspaceId: input.workspaceId, status: "failed" },
    data: { status: "pending", nextAttemptAt: deps.clock.now(), error: null },
  });
  return result.count === 1;
}
