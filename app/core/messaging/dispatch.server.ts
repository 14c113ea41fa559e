// Sends queued messages. A message is claimed (queued → sending) before the provider is called, so two
// workers never send it twice; a crash mid-send leaves it in `sending` rather than sending it again.
import type { Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Logger } from "~/core/logger.server";
import type { EmailSender } from "./sender";
import { suppressionOf } from "./suppression.server";
import type { UnsubscribeLinks } from "./unsubscribe.server";

const MAX_ATTEMPTS = 5;

export interface DispatchDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Null when no provider is configured: messages stay in the outbox, shown in the admin. */
  sender: EmailSender | null;
  /** Signed unsubscribe links for the List-Unsubscribe headers; none → the headers are left out. */
  unsubscribe?: UnsubscribeLinks;
}

function backoffMs(attempt: number): number {
  return Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);
}

export async function dispatchDueMessages(deps: DispatchDeps, limit = 50): Promise<number> {
  const { db, clock, logger, sender } = deps;
  const now = clock.now();
  const due = await db.message.findMany({
    where: { status: "queued", nextAttemptAt: { lte: now } },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let handled = 0;
  for (const message of due) {
    const claimed = await db.message.updateMany({
      where: { id: message.id, status: "queued" },
      data: { status: "sending", attempts: { increment: 1 } },
    });
    if (claimed.count !== 1) continue;
    handled += 1;
    // Checked at send time, not when the step ran: an unsubscribe between the two still counts. Transactional
    // messages ignore marketing unsubscribes; bounces and spam reports stop them too.
    const kind = message.kind === "transactional" ? "transactional" : "marketing";
    const suppressed = await suppressionOf(db, { workspaceId: message.workspaceId, email: message.toEmail, kind });
    if (suppressed) {
      await db.message.update({ where: { id: message.id }, data: { status: "suppressed", error: suppressed } });
      logger.info({ workspaceId: message.workspaceId, messageId: message.id }, "message not sent: recipient suppressed");
      continue;
    }
    if (!sender) {
      await db.message.update({ where: { id: message.id }, data: { status: "outbox", provider: "outbox" } });
      continue;
    }
    const result = await sender.send({
      messageId: message.id,
      to: message.toEmail,
      from: { email: message.fromEmail, name: message.fromName },
      subject: message.subject,
      html: message.html,
      text: message.text,
      unsubscribeUrl: (await deps.unsubscribe?.urlFor(message.id)) ?? null,
    });
    if (result.ok) {
      await db.message.update({
        where: { id: message.id },
        data: { status: "sent", provider: sender.provider, providerMessageId: result.providerMessageId, sentAt: clock.now(), error: null },
      });
      continue;
    }
    const attempt = message.attempts + 1;
    const giveUp = !result.retryable || attempt >= MAX_ATTEMPTS;
    logger.warn({ workspaceId: message.workspaceId, messageId: message.id, attempt, giveUp }, result.error);
    await db.message.update({
      where: { id: message.id },
      data: {
        status: giveUp ? "failed" : "queued",
        provider: sender.provider,
        error: result.error,
        nextAttemptAt: new Date(clock.now().getTime() + (result.retryAfterMs ?? backoffMs(attempt))),
      },
    });
  }
  return handled;
}
