// Sends queued messages. A message is claimed (queued → sending) before the provider is called, so two
// workers never send it twice; a crash mid-send leaves it in `sending` rather than sending it again, until
// reconcileInterruptedSends settles it from the provider's events once its lease has run out.
import type { Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Logger } from "~/core/logger.server";
import type { EmailSender } from "./sender";
import { suppressionOf } from "./suppression.server";
import type { UnsubscribeLinks } from "./unsubscribe.server";

const MAX_ATTEMPTS = 5;
/** How long a claimed message may stay `sending` before it counts as interrupted (a worker died mid-send). */
export const SEND_LEASE_MS = 10 * 60_000;
/** Provider events that prove the provider accepted a message. */
export const PROVIDER_ACCEPTED_EVENTS: readonly string[] = ["processed", "delivered", "deferred", "open", "click", "bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"];
export const INTERRUPTED_SEND =
  "the send was interrupted (the worker stopped while calling the provider) and the provider never reported it; it was not sent again, so it cannot arrive twice";

export interface DispatchDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Null when no provider is configured: messages stay in the outbox, shown in the admin. */
  sender: EmailSender | null;
  /** Signed unsubscribe links for the List-Unsubscribe headers; none → the headers are left out. */
  unsubscribe?: UnsubscribeLinks;
  /** Told when a failed send is queued again for later (BullMQ scale-out); none → polling. */
  scheduler?: Scheduler;
}

function backoffMs(attempt: number): number {
  return Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);
}

export async function dispatchDueMessages(deps: DispatchDeps, limit = 50): Promise<number> {
  const due = await deps.db.message.findMany({
    where: { status: "queued", nextAttemptAt: { lte: deps.clock.now() } },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let handled = 0;
  for (const message of due) if (await sendClaimed(deps, message)) handled += 1;
  return handled;
}

/** Sends one message if it is queued and due (a BullMQ wake-up); false when there was nothing to send. */
export async function dispatchMessage(deps: DispatchDeps, messageId: string): Promise<boolean> {
  const message = await deps.db.message.findFirst({ where: { id: messageId, status: "queued", nextAttemptAt: { lte: deps.clock.now() } } });
  return message ? sendClaimed(deps, message) : false;
}

type MessageRow = NonNullable<Awaited<ReturnType<DispatchDeps["db"]["message"]["findFirst"]>>>;

/** Claims the message (queued → sending) and sends it; false when another worker claimed it first. */
async function sendClaimed(deps: DispatchDeps, message: MessageRow): Promise<boolean> {
  const { db, clock, logger, sender } = deps;
  // While it is `sending`, nextAttemptAt is the lease's end: past it, reconcileInterruptedSends settles it.
  const claimed = await db.message.updateMany({
    where: { id: message.id, status: "queued" },
    data: { status: "sending", attempts: { increment: 1 }, nextAttemptAt: new Date(clock.now().getTime() + SEND_LEASE_MS) },
  });
  if (claimed.count !== 1) return false;
  // Checked at send time, not when the step ran: an unsubscribe between the two still counts. Transactional
  // messages ignore marketing unsubscribes; bounces and spam reports stop them too.
  const kind = message.kind === "transactional" ? "transactional" : "marketing";
  const suppressed = await suppressionOf(db, { workspaceId: message.workspaceId, email: message.toEmail, kind });
  if (suppressed) {
    await db.message.update({ where: { id: message.id }, data: { status: "suppressed", error: suppressed } });
    logger.info({ workspaceId: message.workspaceId, messageId: message.id }, "message not sent: recipient suppressed");
    return true;
  }
  if (!sender) {
    await db.message.update({ where: { id: message.id }, data: { status: "outbox", provider: "outbox" } });
    return true;
  }
  const result = await sender.send({
    messageId: message.id,
    to: message.toEmail,
    from: { email: message.fromEmail, name: message.fromName },
    subject: message.subject,
    html: message.html,
    text: message.text,
    // A test email (the builder's "Send test") offers no one-click unsubscribe: it would suppress the merchant.
    unsubscribeUrl: message.kind === "test" ? null : ((await deps.unsubscribe?.urlFor(message.id)) ?? null),
  });
  if (result.ok) {
    await db.message.update({
      where: { id: message.id },
      data: { status: "sent", provider: sender.provider, providerMessageId: result.providerMessageId, sentAt: clock.now(), error: null },
    });
    return true;
  }
  const attempt = message.attempts + 1;
  const giveUp = !result.retryable || attempt >= MAX_ATTEMPTS;
  logger.warn({ workspaceId: message.workspaceId, messageId: message.id, attempt, giveUp }, result.error);
  const nextAttemptAt = new Date(clock.now().getTime() + (result.retryAfterMs ?? backoffMs(attempt)));
  await db.message.update({
    where: { id: message.id },
    data: { status: giveUp ? "failed" : "queued", provider: sender.provider, error: result.error, nextAttemptAt },
  });
  if (!giveUp) deps.scheduler?.notify("dispatch", message.id, nextAttemptAt);
  return true;
}

/**
 * Settles messages left `sending` past their lease by a worker that died mid-send. Whether the provider took one
 * is unknowable from here, except through its events: one that the provider reported on was sent; one it never
 * mentioned is marked failed with the reason, never sent again (an email twice is worse than one shown as failed).
 * A late provider event still turns a failed one into sent (message-events.server.ts).
 */
export async function reconcileInterruptedSends(deps: Pick<DispatchDeps, "db" | "clock" | "logger">, limit = 100): Promise<number> {
  const { db, clock, logger } = deps;
  const stuck = await db.message.findMany({
    where: { status: "sending", nextAttemptAt: { lte: clock.now() } },
    select: { id: true, workspaceId: true },
    take: limit,
  });
  for (const message of stuck) {
    const accepted = await db.messageEvent.findFirst({
      where: { workspaceId: message.workspaceId, messageId: message.id, type: { in: [...PROVIDER_ACCEPTED_EVENTS] } },
      orderBy: { occurredAt: "asc" },
      select: { occurredAt: true, provider: true },
    });
    const data = accepted
      ? { status: "sent", provider: accepted.provider, sentAt: accepted.occurredAt, error: null }
      : { status: "failed", error: INTERRUPTED_SEND };
    const settled = await db.message.updateMany({ where: { id: message.id, status: "sending" }, data });
    if (settled.count === 1) logger.warn({ workspaceId: message.workspaceId, messageId: message.id, status: data.status }, "interrupted send settled");
  }
  return stuck.length;
}
