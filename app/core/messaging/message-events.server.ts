// Turns a stored SendGrid Event Webhook delivery (one inbox row, a JSON array of events) into MessageEvent rows,
// and suppresses addresses that bounced, complained or unsubscribed. Runs inside the inbox processor's
// transaction; a redelivered event (same sg_event_id) is stored once. Events without our message id, for a
// message we do not know, or of a type we do not keep are counted and skipped, not failures. Those that matter to
// journeys also become canonical `message.*` events about the customer, routed to flows (journey-events.server.ts).
import type { DbTx } from "~/db.server";
import { createVersionCache } from "~/core/flows/versions.server";
import { derivedId } from "~/core/ids";
import { INTERRUPTED_SEND, PROVIDER_ACCEPTED_EVENTS } from "./dispatch.server";
import { SendGridEvent, SendGridEventBatch, mapSendGridEvent } from "./sendgrid-events";
import { JOURNEY_MESSAGE_SELECT, recordJourneyEvent } from "./journey-events.server";
import { SENDGRID_SOURCE } from "./sendgrid-webhook.server";
import { suppressAddress, withdrawMarketingConsent } from "./suppression.server";

export interface EventBatchResult {
  recorded: number;
  duplicates: number;
  suppressed: number;
  /** Not an object SendGrid would send. */
  malformed: number;
  /** No nudgeflow_message_id (mail not sent by us), or a message id we do not have. */
  unknownMessage: number;
  /** Event types we do not keep. */
  ignoredType: number;
}

/** `enrolled`: the journeys the batch's `message.*` events started, to announce once committed. */
export type EventBatchOutcome = { ok: true; result: EventBatchResult; enrolled: string[] } | { ok: false; error: string };

export async function recordSendGridEvents(
  tx: DbTx,
  input: {
    rawBody: string;
    inboxEventId: string;
    now: Date;
    /**
     * Set for a delivery from a workspace's own SendGrid account (/webhooks/sendgrid/<workspaceId>): only that
     * workspace's messages are touched, so one merchant's account cannot report on another's mail. Null: the
     * app's own account, which sends for every workspace.
     */
    workspaceId?: string | null;
  },
): Promise<EventBatchOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody);
  } catch (error) {
    return { ok: false, error: `the payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const batch = SendGridEventBatch.safeParse(json);
  if (!batch.success) return { ok: false, error: "the payload is not a JSON array of SendGrid events" };

  const result: EventBatchResult = { recorded: 0, duplicates: 0, suppressed: 0, malformed: 0, unknownMessage: 0, ignoredType: 0 };
  const mapped = batch.data.flatMap((item) => {
    const event = SendGridEvent.safeParse(item);
    if (!event.success) {
      result.malformed += 1;
      return [];
    }
    const meaning = mapSendGridEvent(event.data);
    if (!meaning) {
      result.ignoredType += 1;
      return [];
    }
    if (!meaning.messageId) {
      result.unknownMessage += 1;
      return [];
    }
    // sg_event_id is always sent; without one, the event's own content identifies it.
    return [{ ...meaning, messageId: meaning.messageId, providerEventId: meaning.providerEventId ?? derivedId("sgev", JSON.stringify(item)) }];
  });

  const messages = await tx.message.findMany({
    where: { id: { in: [...new Set(mapped.map((event) => event.messageId))] }, ...(input.workspaceId ? { workspaceId: input.workspaceId } : {}) },
    select: { ...JOURNEY_MESSAGE_SELECT, toEmail: true },
  });
  const byId = new Map(messages.map((message) => [message.id, message]));
  const enrolled: string[] = [];
  // Every event of the batch is routed to flows: each live flow version is read and parsed once for all of them.
  const versions = createVersionCache();

  for (const event of mapped) {
    const message = byId.get(event.messageId);
    if (!message) {
      result.unknownMessage += 1;
      continue;
    }
    const key = { provider: SENDGRID_SOURCE, providerEventId: event.providerEventId };
    if (await tx.messageEvent.findUnique({ where: { provider_providerEventId: key } })) {
      result.duplicates += 1;
      continue;
    }
    await tx.messageEvent.create({
      data: {
        workspaceId: message.workspaceId,
        messageId: message.id,
        type: event.type,
        occurredAt: event.occurredAt,
        ...key,
        url: event.url,
        reason: event.reason,
        machineOpen: event.machineOpen,
        inboxEventId: input.inboxEventId,
      },
    });
    result.recorded += 1;
    const journey = await recordJourneyEvent(tx, {
      message,
      event: { ...event, provider: SENDGRID_SOURCE, permanentBounce: event.suppress === "bounce" },
      now: input.now,
      versions,
    });
    enrolled.push(...journey.enrolled);
    // The provider's word settles a send a crash interrupted (still `sending`, or already marked failed for it).
    if (PROVIDER_ACCEPTED_EVENTS.includes(event.type)) {
      await tx.message.updateMany({
        where: { id: message.id, OR: [{ status: "sending" }, { status: "failed", error: INTERRUPTED_SEND }] },
        data: { status: "sent", provider: SENDGRID_SOURCE, sentAt: event.occurredAt, error: null },
      });
    }
    if (event.suppress) {
      await suppressAddress(tx, {
        workspaceId: message.workspaceId,
        email: message.toEmail,
        reason: event.suppress,
        source: SENDGRID_SOURCE,
        messageId: message.id,
        detail: event.reason,
        now: input.now,
      });
      if (event.suppress !== "bounce") await withdrawMarketingConsent(tx, { workspaceId: message.workspaceId, email: message.toEmail, source: "sendgrid", now: input.now });
      result.suppressed += 1;
    }
  }
  return { ok: true, result, enrolled };
}
