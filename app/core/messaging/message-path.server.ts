// One email's whole path, for the outbox message page: what started the journey (the trigger event, with the
// customer), every decision the engine took about the enrollment up to this send (skips and deferrals with their
// reasons), the message itself (status, provider id, attempts, error), then everything the provider and our own
// redirect reported about it, in time order. Test sends and messages of no journey have the message and its
// events only.
import type { Db } from "~/db.server";
import { messageContentOf, type ContentSigners } from "./content.server";
import { assertUnreachable } from "~/core/assert";
import {
  describeEventType,
  eventEntry,
  flowHref,
} from "~/core/customers/timeline";
import { triggerEventTypes } from "~/core/flows/definition";
import { isNotableTrace, listTrace } from "~/core/flows/trace.server";
import { loadVersion } from "~/core/flows/versions.server";
import { MessageEventType } from "./sendgrid-events";

export const customerHref = (customerId: string) =>
  `/app/customers/${encodeURIComponent(customerId)}`;

export interface MessagePathTrigger {
  /** The event type that matched (`checkout.create`, `message.clicked`, …); null for an inactivity timer. */
  type: string | null;
  /** In words: "a new checkout", "the inactivity timer". */
  description: string;
  occurredAt: Date;
  /** The stored event in words, when it is still there (an Event row; not for timers or backfills). */
  title: string | null;
  detail: string | null;
  /** When the flow's backfill enrolled the customer rather than an event. */
  backfill: boolean;
}

export interface MessagePathStep {
  at: Date;
  kind: string;
  text: string;
  /** A skip, deferral, failed attempt or exit: a step that did not simply pass. */
  notable: boolean;
}

export interface MessagePathEvent {
  id: string;
  type: string;
  label: string;
  occurredAt: Date;
  /** sendgrid, or nudgeflow (our click redirect, unsubscribe page). */
  provider: string;
  url: string | null;
  reason: string | null;
  machineOpen: boolean;
}

export interface MessagePath {
  message: {
    id: string;
    kind: string;
    subject: string;
    status: string;
    toEmail: string;
    from: string;
    provider: string | null;
    providerMessageId: string | null;
    attempts: number;
    error: string | null;
    nodeId: string | null;
    createdAt: Date;
    sentAt: Date | null;
    nextAttemptAt: Date;
    /** As the recipient got it (content.server.ts); null when its content was erased. */
    html: string | null;
    text: string | null;
  };
  customer: {
    id: string;
    email: string | null;
    name: string | null;
    href: string;
  } | null;
  flow: { id: string; name: string; href: string } | null;
  enrollment: {
    id: string;
    entryNumber: number;
    status: string;
    enteredAt: Date;
    exitReason: string | null;
  } | null;
  trigger: MessagePathTrigger | null;
  /** The enrollment's decisions, oldest first, up to and including this email's send. */
  trace: MessagePathStep[];
  /** What the provider (and our redirect) reported, oldest first. */
  events: MessagePathEvent[];
}

/** A provider event in words. */
export function describeMessageEvent(
  type: string,
  machineOpen: boolean
): string {
  const known = MessageEventType.safeParse(type);
  if (!known.success) return type;
  const eventType = known.data;
  switch (eventType) {
    case "processed":
      return "Accepted by the email provider";
    case "delivered":
      return "Delivered";
    case "deferred":
      return "Delivery delayed";
    case "bounce":
      return "Bounced";
    case "dropped":
      return "Dropped by the email provider";
    case "open":
      return machineOpen
        ? "Opened by a machine (privacy proxy or scanner)"
        : "Opened";
    case "click":
      return "Clicked";
    case "spamreport":
      return "Reported as spam";
    case "unsubscribe":
      return "Unsubscribed";
    case "group_unsubscribe":
      return "Unsubscribed from this kind of email";
    default:
      return assertUnreachable(eventType);
  }
}

/** The path of one message of the workspace; null when there is no such message in it. */
export async function messagePath(
  db: Db,
  input: { workspaceId: string; messageId: string },
  /** The link signers that put the message's own tokens into its shared content (content.server.ts). */
  signers: ContentSigners = {}
): Promise<MessagePath | null> {
  const { workspaceId } = input;
  const message = await db.message.findFirst({
    where: { id: input.messageId, workspaceId },
  });
  if (!message) return null;

  const [customer, flow, enrollment, events, content] = await Promise.all([
    message.customerId
      ? db.customer.findFirst({
          where: { id: message.customerId, workspaceId },
          select: { id: true, email: true, firstName: true, lastName: true },
        })
      : null,
    message.flowId
      ? db.flow.findFirst({
          where: { id: message.flowId, workspaceId },
          select: { id: true, name: true },
        })
      : null,
    message.enrollmentId
      ? db.enrollment.findFirst({
          where: { id: message.enrollmentId, workspaceId },
        })
      : null,
    db.messageEvent.findMany({
      where: { workspaceId, messageId: message.id },
      orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }],
      take: 500,
    }),
    messageContentOf({ db, ...signers }, message),
  ]);

  let trigger: MessagePathTrigger | null = null;
  let trace: MessagePathStep[] = [];
  if (enrollment) {
    const entries = await listTrace(db, {
      workspaceId,
      enrollmentId: enrollment.id,
    });
    // Up to this email's own send decision; without one (an older trace), up to when the message was written.
    const sendIndex = entries.findIndex(
      (entry) => entry.kind === "send" && entry.detail.messageId === message.id
    );
    const upToSend =
      sendIndex >= 0
        ? entries.slice(0, sendIndex + 1)
        : entries.filter((entry) => entry.at <= message.createdAt);
    trace = upToSend.map((entry) => ({
      at: entry.at,
      kind: entry.kind,
      text: entry.text,
      notable: isNotableTrace(entry.kind),
    }));

    const matched = entries.find(
      (entry) =>
        entry.kind === "trigger.matched" || entry.kind === "trigger.backfill"
    );
    const matchedType =
      typeof matched?.detail.event === "string" ? matched.detail.event : null;
    const definition = matchedType
      ? null
      : await loadVersion(db, {
          workspaceId,
          versionId: enrollment.flowVersionId,
        });
    const types = matchedType
      ? [matchedType]
      : definition
      ? triggerEventTypes(definition.trigger)
      : [];
    // The trigger event is the customer's event of that type at the moment the journey was entered (enteredAt).
    const row = types.length
      ? await db.event.findFirst({
          where: {
            workspaceId,
            customerId: enrollment.customerId,
            type: { in: types },
            occurredAt: enrollment.enteredAt,
          },
          orderBy: { createdAt: "asc" },
          select: { type: true, version: true, occurredAt: true, data: true },
        })
      : null;
    const described = row ? eventEntry(row) : null;
    const type = row?.type ?? matchedType ?? types[0] ?? null;
    trigger = {
      type,
      description: type
        ? describeEventType(type)
        : "the inactivity timer (days since the last order)",
      occurredAt: enrollment.enteredAt,
      title: described?.title ?? null,
      detail: described?.detail ?? null,
      backfill: matched?.kind === "trigger.backfill",
    };
  }

  return {
    message: {
      id: message.id,
      kind: message.kind,
      subject: message.subject,
      status: message.status,
      toEmail: message.toEmail,
      from: message.fromName
        ? `${message.fromName} <${message.fromEmail}>`
        : message.fromEmail,
      provider: message.provider,
      providerMessageId: message.providerMessageId,
      attempts: message.attempts,
      error: message.error,
      nodeId: message.nodeId,
      createdAt: message.createdAt,
      sentAt: message.sentAt,
      nextAttemptAt: message.nextAttemptAt,
      html: content?.html ?? null,
      text: content?.text ?? null,
    },
    customer: customer
      ? {
          id: customer.id,
          email: customer.email,
          name:
            [customer.firstName, customer.lastName].filter(Boolean).join(" ") ||
            null,
          href: customerHref(customer.id),
        }
      : null,
    flow: flow ? { ...flow, href: flowHref(flow.id) } : null,
    enrollment: enrollment
      ? {
          id: enrollment.id,
          entryNumber: enrollment.entryNumber,
          status: enrollment.status,
          enteredAt: enrollment.enteredAt,
          exitReason: enrollment.exitReason,
        }
      : null,
    trigger,
    trace,
    events: events.map((event) => ({
      id: event.id,
      type: event.type,
      label: describeMessageEvent(event.type, event.machineOpen),
      occurredAt: event.occurredAt,
      provider: event.provider,
      url: event.url,
      reason: event.reason,
      machineOpen: event.machineOpen,
    })),
  };
}
