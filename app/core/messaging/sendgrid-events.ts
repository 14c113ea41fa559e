// SendGrid's Event Webhook vocabulary, mapped to our message events. Isomorphic (no Node APIs): the mapping and
// the machine-open rule are pure. https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
import { z } from "zod";
import { MESSAGE_ID_ARG } from "./message-id";

export const MESSAGE_EVENT_TYPES = [
  "processed",
  "delivered",
  "deferred",
  "bounce",
  "dropped",
  "open",
  "click",
  "spamreport",
  "unsubscribe",
  "group_unsubscribe",
] as const;
export const MessageEventType = z.enum(MESSAGE_EVENT_TYPES);
export type MessageEventType = z.infer<typeof MessageEventType>;

/** One event as SendGrid posts it; custom args (our message id) arrive as top-level fields. */
export const SendGridEvent = z.looseObject({
  event: z.string(),
  email: z.string().optional(),
  timestamp: z.number(),
  sg_event_id: z.string().optional(),
  sg_message_id: z.string().optional(),
  [MESSAGE_ID_ARG]: z.string().optional(),
  url: z.string().optional(),
  reason: z.string().optional(),
  response: z.string().optional(),
  status: z.string().optional(),
  /** bounce events: `bounce` (permanent) or `blocked` (temporary, e.g. reputation). */
  type: z.string().optional(),
  useragent: z.string().optional(),
  sg_machine_open: z.boolean().optional(),
});
export type SendGridEvent = z.infer<typeof SendGridEvent>;

export const SendGridEventBatch = z.array(z.unknown());

/** What one SendGrid event means for us. */
export interface MappedEvent {
  messageId: string | null;
  type: MessageEventType;
  occurredAt: Date;
  providerEventId: string | null;
  url: string | null;
  reason: string | null;
  machineOpen: boolean;
  /** The address should get no more marketing email, and why. */
  suppress: "bounce" | "spamreport" | "unsubscribe" | "group_unsubscribe" | null;
}

// Opens that no person made: Apple Mail Privacy Protection's prefetch (a bare "Mozilla/5.0"; SendGrid also marks
// these sg_machine_open) and mail-security scanners that fetch every image.
const MACHINE_USER_AGENTS = [/^Mozilla\/5\.0$/, /Barracuda/i, /Mimecast/i, /Proofpoint/i, /Symantec/i, /Forcepoint/i];

export function isMachineOpen(event: Pick<SendGridEvent, "sg_machine_open" | "useragent">): boolean {
  if (event.sg_machine_open === true) return true;
  const agent = event.useragent?.trim();
  return Boolean(agent) && MACHINE_USER_AGENTS.some((pattern) => pattern.test(agent ?? ""));
}

/** Null for event types we do not keep (e.g. group_resubscribe). */
export function mapSendGridEvent(event: SendGridEvent): MappedEvent | null {
  const type = MessageEventType.safeParse(event.event);
  if (!type.success) return null;
  const suppress =
    type.data === "bounce"
      ? event.type === "blocked" ? null : "bounce" // a block is temporary: SendGrid does not suppress it either
      : type.data === "spamreport" || type.data === "unsubscribe" || type.data === "group_unsubscribe"
        ? type.data
        : null;
  const reason = [event.status, event.reason ?? event.response].filter(Boolean).join(" ") || null;
  return {
    messageId: event[MESSAGE_ID_ARG] ?? null,
    type: type.data,
    occurredAt: new Date(event.timestamp * 1000),
    providerEventId: event.sg_event_id ?? null,
    url: type.data === "click" ? (event.url ?? null) : null,
    reason,
    machineOpen: type.data === "open" && isMachineOpen(event),
    suppress,
  };
}
