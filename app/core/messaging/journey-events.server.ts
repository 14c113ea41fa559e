// The canonical `message.*` events: what happened to one of our emails, as an Event row about the customer it was
// for, routed to flows like any other event. Written by whoever records the MessageEvent (SendGrid's webhook,
// our click redirect), in the same transaction, so the two never disagree. Only events that matter to journeys
// become Events (delivered, opened, clicked, bounced, unsubscribed, marked as spam); a message without a customer
// (a test send) makes none.
import type { DbTx } from "~/db.server";
import { assertUnreachable } from "~/core/assert";
import type { CanonicalMessageEvent } from "~/core/events";
import { routeEventToFlows } from "~/core/flows/enroll.server";
import type { VersionCache } from "~/core/flows/versions.server";
import { derivedId } from "~/core/ids";
import type { MessageEventType } from "./sendgrid-events";

/** The message as the Event names it. */
export interface JourneyMessage {
  id: string;
  workspaceId: string;
  storeId: string | null;
  customerId: string | null;
  flowId: string | null;
  nodeId: string | null;
  enrollmentId: string | null;
}

/** The columns of a message to select for `recordJourneyEvent`. */
export const JOURNEY_MESSAGE_SELECT = {
  id: true,
  workspaceId: true,
  storeId: true,
  customerId: true,
  flowId: true,
  nodeId: true,
  enrollmentId: true,
} as const;

/** One recorded MessageEvent, as its recorder has it. */
export interface RecordedMessageEvent {
  type: MessageEventType;
  occurredAt: Date;
  provider: string;
  providerEventId: string;
  url: string | null;
  reason: string | null;
  machineOpen: boolean;
  /** A bounce the provider suppresses the address for (false for a block, which is temporary). */
  permanentBounce: boolean;
}

/** The canonical event a message event is, or null for those journeys do not hear (processed, deferred, dropped). */
export function canonicalMessageEvent(
  event: RecordedMessageEvent,
  message: JourneyMessage
): CanonicalMessageEvent | null {
  const ref = {
    messageId: message.id,
    flowId: message.flowId,
    nodeId: message.nodeId,
    enrollmentId: message.enrollmentId,
    provider: event.provider,
  };
  const occurredAt = event.occurredAt.toISOString();
  switch (event.type) {
    case "delivered":
      return { type: "message.delivered", version: 1, occurredAt, data: ref };
    case "open":
      return {
        type: "message.opened",
        version: 1,
        occurredAt,
        data: { ...ref, machineOpen: event.machineOpen },
      };
    case "click":
      return {
        type: "message.clicked",
        version: 1,
        occurredAt,
        data: { ...ref, url: event.url },
      };
    case "bounce":
      return {
        type: "message.bounced",
        version: 1,
        occurredAt,
        data: {
          ...ref,
          permanent: event.permanentBounce,
          reason: event.reason,
        },
      };
    case "unsubscribe":
    case "group_unsubscribe":
      return {
        type: "message.unsubscribed",
        version: 1,
        occurredAt,
        data: { ...ref, scope: event.type === "unsubscribe" ? "all" : "group" },
      };
    case "spamreport":
      return { type: "message.marked_spam", version: 1, occurredAt, data: ref };
    case "processed":
    case "deferred":
    case "dropped":
      return null;
    default:
      return assertUnreachable(event.type);
  }
}

/**
 * Writes the canonical event of a message event just recorded (once: its id derives from the provider's event id)
 * and routes it to flows. Returns the enrollments it started, for the caller to announce after commit. A caller
 * recording a batch passes one `versions` cache for all of it (flow versions read once per batch, not per event).
 */
export async function recordJourneyEvent(
  tx: DbTx,
  input: { message: JourneyMessage; event: RecordedMessageEvent; now: Date; versions?: VersionCache }
): Promise<{ eventId: string | null; enrolled: string[] }> {
  const { message } = input;
  const event = canonicalMessageEvent(input.event, message);
  if (!event || !message.customerId) return { eventId: null, enrolled: [] };
  const id = derivedId(
    "evt",
    "message",
    input.event.provider,
    input.event.providerEventId
  );
  if (await tx.event.findUnique({ where: { id }, select: { id: true } }))
    return { eventId: id, enrolled: [] };
  await tx.event.create({
    data: {
      id,
      workspaceId: message.workspaceId,
      storeId: message.storeId,
      customerId: message.customerId,
      type: event.type,
      version: event.version,
      occurredAt: new Date(event.occurredAt),
      data: event.data,
    },
  });
  const routed = await routeEventToFlows(tx, {
    workspaceId: message.workspaceId,
    event,
    customerId: message.customerId,
    checkoutId: null,
    now: input.now,
  }, input.versions);
  return { eventId: id, enrolled: routed.enrolled };
}
