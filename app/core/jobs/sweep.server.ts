// The sweeper's question to the database: what is due now, or before `horizon`? Every item it returns becomes a
// wake-up with the same deterministic job id its producer used, so an item that already has a job is not doubled,
// and an item whose job was lost (a Redis flush, a crash between commit and enqueue) is woken again.
import type { Db } from "~/db.server";
import type { Wake } from "./queues.server";

export async function dueWakes(db: Db, input: { now: Date; horizon: Date; limit: number }): Promise<Wake[]> {
  const { now, horizon, limit } = input;
  const [inbox, enrollments, messages] = await Promise.all([
    db.inboxEvent.findMany({
      // As the inbox processor: a new delivery is due at once, a retry at its nextAttemptAt.
      where: { status: "pending", OR: [{ attempts: 0 }, { nextAttemptAt: { lte: horizon } }] },
      orderBy: { receivedAt: "asc" },
      take: limit,
      select: { id: true, nextAttemptAt: true },
    }),
    db.enrollment.findMany({
      where: { status: "active", wakeAt: { lte: horizon }, flow: { status: "live" } },
      orderBy: { wakeAt: "asc" },
      take: limit,
      select: { id: true, wakeAt: true },
    }),
    db.message.findMany({
      where: { status: "queued", nextAttemptAt: { lte: horizon } },
      orderBy: { nextAttemptAt: "asc" },
      take: limit,
      select: { id: true, nextAttemptAt: true },
    }),
  ]);
  return [
    ...inbox.map((row) => ({ kind: "inbox" as const, id: row.id, at: row.nextAttemptAt })),
    ...enrollments.map((row) => ({ kind: "step" as const, id: row.id, at: row.wakeAt ?? now })),
    ...messages.map((row) => ({ kind: "dispatch" as const, id: row.id, at: row.nextAttemptAt })),
  ];
}
