// Titles for the customer timeline: each row of activity (a canonical event, an order, an email and what the
// provider said about it, a flow enrollment) in words a merchant understands. Pure; the rows come from
// customers.server.ts.
import { GOAL_PREFIX } from "~/core/analytics/kpis";
import { assertUnreachable } from "~/core/assert";
import { CanonicalEvent, CanonicalMessageEvent, SegmentChangeData, isMessageEventType } from "~/core/events/events";
import { formatMoney } from "~/core/money";

export type TimelineKind = "event" | "order" | "message" | "message_event" | "enrollment" | "segment";

export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  title: string;
  detail: string | null;
  /** The admin page about it, when there is one. */
  href: string | null;
  /** Orders only: the order's id, for "Why this attribution?". */
  orderId?: string;
}

export const outboxHref = (messageId: string) => `/app/outbox/${encodeURIComponent(messageId)}`;
export const flowHref = (flowId: string) => `/app/flows/${encodeURIComponent(flowId)}`;
export const segmentHref = (segmentId: string) => `/app/segments/${encodeURIComponent(segmentId)}`;

const money = (amount: number, currency: string) => formatMoney({ amount, currency });

function itemCount(lineItems: readonly { quantity: number }[]): string {
  const count = lineItems.reduce((sum, item) => sum + item.quantity, 0);
  return `${count} ${count === 1 ? "item" : "items"}`;
}

/** What started an enrollment, e.g. "checkout.update" → "a checkout update". */
export function describeEventType(type: string): string {
  const words: Record<string, string> = {
    "cart.create": "a new cart",
    "cart.update": "a cart update",
    "cart.abandoned": "an abandoned cart",
    "checkout.create": "a new checkout",
    "checkout.update": "a checkout update",
    "order.add": "an order",
    "order.update": "an order update",
    "order.paid": "a paid order",
    "order.cancel": "a cancelled order",
    "order.shipment.add": "a shipment",
    "order.shipment.update": "a shipment update",
    "customer.add": "a new customer",
    "customer.update": "a profile update",
    "customer.consent.update": "a consent change",
    "segment.entered": "entering a segment",
    "segment.exited": "leaving a segment",
    "message.delivered": "an email delivered",
    "message.opened": "an email opened",
    "message.clicked": "a click in an email",
    "message.bounced": "a bounced email",
    "message.unsubscribed": "an unsubscribe from an email",
    "message.marked_spam": "an email marked as spam",
  };
  return words[type] ?? type;
}

/** A stored Event row in words; segment changes become `segment` entries linking to the segment. */
export function eventEntry(row: { type: string; version: number; occurredAt: Date; data: unknown }): TimelineEntry {
  const at = row.occurredAt;
  if (row.type === "segment.entered" || row.type === "segment.exited") {
    const change = SegmentChangeData.safeParse(row.data);
    const entered = row.type === "segment.entered";
    if (!change.success) return { at, kind: "segment", title: entered ? "Entered a segment" : "Left a segment", detail: null, href: null };
    const { segment, why } = change.data;
    return {
      at,
      kind: "segment",
      title: `${entered ? "Entered" : "Left"} segment “${segment.name}”`,
      detail: why,
      href: segmentHref(segment.id),
    };
  }
  if (row.type === "cart.abandoned") return { at, kind: "event", title: "Abandoned a cart", detail: null, href: null };
  if (isMessageEventType(row.type)) return messageJourneyEntry(row);

  const parsed = CanonicalEvent.safeParse({ type: row.type, version: row.version, occurredAt: at.toISOString(), data: row.data });
  if (!parsed.success) return { at, kind: "event", title: `Event ${row.type}`, detail: null, href: null };
  const event = parsed.data;
  const entry = (title: string, detail: string | null = null): TimelineEntry => ({ at, kind: "event", title, detail, href: null });
  switch (event.type) {
    case "cart.create":
    case "cart.update": {
      const { cart } = event.data;
      const contents = cart.contentsKnown ? `${itemCount(cart.lineItems)} · ${money(cart.totalPrice, cart.currency)}` : null;
      return entry(event.type === "cart.create" ? "Started a cart" : "Changed their cart", contents);
    }
    case "checkout.create":
    case "checkout.update": {
      const { checkout } = event.data;
      return entry(
        event.type === "checkout.create" ? "Started a checkout" : "Updated a checkout",
        `${itemCount(checkout.lineItems)} · ${money(checkout.totalPrice, checkout.currency)}`,
      );
    }
    case "order.add":
    case "order.update":
    case "order.paid":
    case "order.cancel": {
      const { order } = event.data;
      const name = order.name ?? order.externalId;
      const verb = { "order.add": "Placed", "order.update": "Updated", "order.paid": "Paid for", "order.cancel": "Cancelled" }[event.type];
      return entry(`${verb} order ${name}`, money(order.totalPrice, order.currency));
    }
    case "order.shipment.add":
      return entry("An order was shipped", event.data.shipment.trackingUrl ?? null);
    case "order.shipment.update":
      return entry("A shipment changed", event.data.shipment.status ?? null);
    case "customer.add":
      return entry("Became a customer of the store");
    case "customer.update":
      return entry("Profile updated by the store");
    case "customer.delete":
      return entry("Removed by a store (the profile stays)");
    case "customer.consent.update":
      return entry(event.data.acceptsMarketing ? "Subscribed to email marketing" : "Unsubscribed from email marketing", event.data.state);
    case "product.update":
    case "product.delete":
    case "store.uninstall":
    case "customer.data_request":
    case "customer.redact":
    case "store.redact":
      return entry(`Event ${event.type}`);
  }
}

/** A canonical `message.*` event in words, linking to the email's page. */
function messageJourneyEntry(row: { type: string; version: number; occurredAt: Date; data: unknown }): TimelineEntry {
  const at = row.occurredAt;
  const parsed = CanonicalMessageEvent.safeParse({ type: row.type, version: row.version, occurredAt: at.toISOString(), data: row.data });
  if (!parsed.success) return { at, kind: "message_event", title: `Email event ${row.type}`, detail: null, href: null };
  const event = parsed.data;
  const entry = (title: string, detail: string | null = null): TimelineEntry => ({ at, kind: "message_event", title, detail, href: outboxHref(event.data.messageId) });
  switch (event.type) {
    case "message.delivered":
      return entry("An email was delivered");
    case "message.opened":
      return entry(event.data.machineOpen ? "An email was opened by a machine (privacy proxy or scanner)" : "Opened an email");
    case "message.clicked":
      return entry("Clicked a link in an email", event.data.url);
    case "message.bounced":
      return entry(event.data.permanent ? "An email bounced" : "An email was blocked (temporary)", event.data.reason);
    case "message.unsubscribed":
      return entry(event.data.scope === "all" ? "Unsubscribed through an email" : "Unsubscribed from this kind of email");
    case "message.marked_spam":
      return entry("Marked an email as spam");
    default:
      return assertUnreachable(event);
  }
}

export function orderEntry(row: {
  id: string;
  name: string | null;
  externalId: string;
  currency: string;
  totalPrice: number;
  itemCount: number | null;
  financialStatus: string | null;
  placedAt: Date;
  cancelledAt: Date | null;
}): TimelineEntry {
  const parts = [
    row.itemCount === null ? null : `${row.itemCount} ${row.itemCount === 1 ? "item" : "items"}`,
    row.financialStatus,
    row.cancelledAt ? "cancelled" : null,
  ].filter((part): part is string => Boolean(part));
  return {
    at: row.placedAt,
    kind: "order",
    title: `Order ${row.name ?? row.externalId} · ${money(row.totalPrice, row.currency)}`,
    detail: parts.length ? parts.join(" · ") : null,
    href: null,
    orderId: row.id,
  };
}

export function messageEntry(row: {
  id: string;
  subject: string;
  status: string;
  error: string | null;
  flowName: string | null;
  createdAt: Date;
  sentAt: Date | null;
}): TimelineEntry {
  const subject = `“${row.subject}”`;
  const titles: Record<string, string> = {
    sent: `Sent email ${subject}`,
    outbox: `Email ${subject} written to the outbox (no email provider configured)`,
    queued: `Email ${subject} queued`,
    sending: `Email ${subject} being sent`,
    failed: `Email ${subject} could not be sent`,
    suppressed: `Email ${subject} not sent`,
  };
  const detail = [row.flowName ? `flow “${row.flowName}”` : null, row.error].filter((part): part is string => Boolean(part)).join(" · ");
  return {
    at: row.sentAt ?? row.createdAt,
    kind: "message",
    title: titles[row.status] ?? `Email ${subject} (${row.status})`,
    detail: detail || null,
    href: outboxHref(row.id),
  };
}

export function messageEventEntry(row: {
  messageId: string;
  subject: string;
  type: string;
  occurredAt: Date;
  url: string | null;
  reason: string | null;
  machineOpen: boolean;
}): TimelineEntry {
  const subject = `“${row.subject}”`;
  const titles: Record<string, string> = {
    processed: `Email ${subject} accepted by the email provider`,
    delivered: `Email ${subject} delivered`,
    deferred: `Delivery of ${subject} delayed`,
    bounce: `Email ${subject} bounced`,
    dropped: `Email ${subject} dropped by the email provider`,
    open: row.machineOpen ? `Email ${subject} opened by a machine (privacy proxy or scanner)` : `Opened ${subject}`,
    click: `Clicked a link in ${subject}`,
    spamreport: `Marked ${subject} as spam`,
    unsubscribe: `Unsubscribed through ${subject}`,
    group_unsubscribe: `Unsubscribed from this kind of email through ${subject}`,
  };
  return {
    at: row.occurredAt,
    kind: "message_event",
    title: titles[row.type] ?? `Email ${subject}: ${row.type}`,
    detail: row.url ?? row.reason,
    href: outboxHref(row.messageId),
  };
}

/** An enrollment gives one entry when it starts and one when it ends (goal, exit or completion). */
export function enrollmentEntries(row: {
  flowId: string;
  flowName: string;
  status: string;
  entryNumber: number;
  enteredAt: Date;
  exitedAt: Date | null;
  exitReason: string | null;
  /** The event type that triggered it (from the trace), when known. */
  trigger: string | null;
}): TimelineEntry[] {
  const flow = `“${row.flowName}”`;
  const href = flowHref(row.flowId);
  const why = [row.trigger ? `triggered by ${describeEventType(row.trigger)}` : null, row.entryNumber > 1 ? `entry ${row.entryNumber}` : null]
    .filter((part): part is string => Boolean(part))
    .join(" · ");
  const entries: TimelineEntry[] = [{ at: row.enteredAt, kind: "enrollment", title: `Entered flow ${flow}`, detail: why || null, href }];
  if (row.exitedAt && row.status === "completed") {
    entries.push({ at: row.exitedAt, kind: "enrollment", title: `Finished flow ${flow}`, detail: null, href });
  } else if (row.exitedAt && row.status === "exited") {
    const goal = row.exitReason?.startsWith(GOAL_PREFIX) ?? false;
    entries.push({
      at: row.exitedAt,
      kind: "enrollment",
      title: goal ? `Reached the goal of flow ${flow}` : `Left flow ${flow}`,
      detail: goal && row.exitReason ? row.exitReason.slice(GOAL_PREFIX.length) : row.exitReason,
      href,
    });
  }
  return entries;
}

/** Newest first; ties keep the order given (stable sort). */
export function mergeTimeline(entries: TimelineEntry[], limit: number): TimelineEntry[] {
  return [...entries].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
