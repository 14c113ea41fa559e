// The canonical event vocabulary ({entity}.{action}, after API2Cart's unified API). Each event type is a
// versioned zod schema; adapters emit them, and nothing downstream reads a platform payload.
import { z } from "zod";
import { Cart, Checkout, Customer, Order, Product, Shipment } from "./entities";

const IsoDateTime = z.iso.datetime({ offset: true });

function eventSchema<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    type: z.literal(type),
    version: z.literal(1),
    /** When it happened at the source (not when we heard of it). */
    occurredAt: IsoDateTime,
    data,
  });
}

export const CartCreate = eventSchema("cart.create", z.object({ cart: Cart }));
export const CartUpdate = eventSchema("cart.update", z.object({ cart: Cart }));
export const CheckoutCreate = eventSchema("checkout.create", z.object({ checkout: Checkout }));
export const CheckoutUpdate = eventSchema("checkout.update", z.object({ checkout: Checkout }));
export const OrderAdd = eventSchema("order.add", z.object({ order: Order }));
export const OrderUpdate = eventSchema("order.update", z.object({ order: Order }));
/** The order is paid (the whole order as it stands; `financialStatus` says how far). */
export const OrderPaid = eventSchema("order.paid", z.object({ order: Order }));
/** The order was cancelled: `cancelledAt` is set, and it no longer counts towards the customer's metrics. */
export const OrderCancel = eventSchema("order.cancel", z.object({ order: Order }));
export const OrderShipmentAdd = eventSchema("order.shipment.add", z.object({ shipment: Shipment }));
/** A shipment changed: its status (e.g. in_transit, delivered) or tracking. */
export const OrderShipmentUpdate = eventSchema("order.shipment.update", z.object({ shipment: Shipment }));
export const CustomerAdd = eventSchema("customer.add", z.object({ customer: Customer }));
export const CustomerUpdate = eventSchema("customer.update", z.object({ customer: Customer }));
/**
 * The store deleted its customer record: that store's link to the profile goes; the profile and its history stay
 * (erasing personal data is a privacy request's job: customer.redact).
 */
export const CustomerDelete = eventSchema("customer.delete", z.object({ customer: z.object({ externalId: z.string().min(1) }) }));
/**
 * Email-marketing consent changed at the source. `state` is the platform's own word (Shopify: subscribed,
 * not_subscribed, unsubscribed, pending, redacted, invalid); `acceptsMarketing` is true only for a subscription.
 */
export const CustomerConsentUpdate = eventSchema(
  "customer.consent.update",
  z.object({
    customer: z.object({ externalId: z.string().nullable(), email: z.email().nullable() }),
    acceptsMarketing: z.boolean(),
    state: z.string().nullable(),
    consentUpdatedAt: IsoDateTime.nullable(),
  }),
);
/** The merchant removed the app from the store: stop all sending for it at once. */
export const StoreUninstall = eventSchema("store.uninstall", z.object({}));
/** Privacy requests (Shopify's compliance topics and their equivalents elsewhere). */
export const CustomerDataRequest = eventSchema(
  "customer.data_request",
  z.object({ customer: z.object({ externalId: z.string().nullable(), email: z.email().nullable() }), requestId: z.string().nullable() }),
);
export const CustomerRedact = eventSchema(
  "customer.redact",
  z.object({ customer: z.object({ externalId: z.string().nullable(), email: z.email().nullable() }) }),
);
export const StoreRedact = eventSchema("store.redact", z.object({}));
/** A product was created or changed at the store (or read by a sync): the catalogue row follows it. */
export const ProductUpdate = eventSchema("product.update", z.object({ product: Product }));
/** The store deleted a product: it is never recommended or linked again. */
export const ProductDelete = eventSchema("product.delete", z.object({ product: z.object({ externalId: z.string().min(1) }) }));

export const CanonicalEvent = z.discriminatedUnion("type", [
  CartCreate,
  CartUpdate,
  CheckoutCreate,
  CheckoutUpdate,
  OrderAdd,
  OrderUpdate,
  OrderPaid,
  OrderCancel,
  OrderShipmentAdd,
  OrderShipmentUpdate,
  CustomerAdd,
  CustomerUpdate,
  CustomerDelete,
  CustomerConsentUpdate,
  StoreUninstall,
  CustomerDataRequest,
  CustomerRedact,
  StoreRedact,
  ProductUpdate,
  ProductDelete,
]);
export type CanonicalEvent = z.infer<typeof CanonicalEvent>;
export type CanonicalEventType = CanonicalEvent["type"];
export type EventOfType<T extends CanonicalEventType> = Extract<CanonicalEvent, { type: T }>;

export const CANONICAL_EVENT_TYPES = CanonicalEvent.options.map((option) => option.shape.type.value);

/** Derived events the system emits itself (flows can trigger on them too). */
export const DERIVED_EVENT_TYPES = ["cart.abandoned", "segment.entered", "segment.exited"] as const;

/**
 * Data of the derived `segment.entered` / `segment.exited` events (Event rows written by core/segments, with the
 * customer's id): which segment, why the customer is (or was) in it in one line, and what moved them — an event
 * of theirs, time passing (a time-relative rule), a scheduled full recompute repairing drift.
 */
export const SegmentChangeData = z.object({
  segment: z.object({ id: z.string(), name: z.string() }),
  why: z.string().nullable(),
  cause: z.enum(["event", "time", "recompute"]),
});
export type SegmentChangeData = z.infer<typeof SegmentChangeData>;

/**
 * A segment change as flows hear it (`routeEventToFlows`): the derived event segments write as an Event row (type,
 * customer, occurredAt, SegmentChangeData), or one a flow's backfill makes up for a customer already in the
 * segment (cause `backfill`, never stored as an Event).
 */
export const SegmentChangeEvent = z.object({
  type: z.enum(["segment.entered", "segment.exited"]),
  version: z.literal(1),
  occurredAt: IsoDateTime,
  data: SegmentChangeData.extend({ cause: z.enum([...SegmentChangeData.shape.cause.options, "backfill"]) }),
});
export type SegmentChangeEvent = z.infer<typeof SegmentChangeEvent>;

/**
 * The flow event for a segment change, built from what the Event row holds: `routeEventToFlows(tx, { workspaceId,
 * event: segmentEvent({ change, data, occurredAt }), customerId, checkoutId: null, now })`. `occurredAt` must be
 * the Event row's, so a journey's trigger event can be found again for conditions.
 */
export function segmentEvent(input: { change: "entered" | "exited"; data: SegmentChangeData | SegmentChangeEvent["data"]; occurredAt: Date }): SegmentChangeEvent {
  return { type: input.change === "entered" ? "segment.entered" : "segment.exited", version: 1, occurredAt: input.occurredAt.toISOString(), data: input.data };
}

/**
 * What happened to one of our emails, as journeys hear it: derived events that core/messaging writes as Event rows
 * (with the customer the message was for) in the same transaction as the MessageEvent they mirror — SendGrid's
 * Event Webhook, and our own `/r/` click redirect. Never emitted by a store adapter. Each carries the message and,
 * for a journey's email, its flow, node and enrollment, so a flow can trigger on "clicked an email of flow X"
 * (`event.data.flowId`) and leave machine opens out (`event.data.machineOpen`). A flow never hears the events of
 * its own emails (core/flows/enroll.server.ts), so it cannot trigger itself.
 */
const MessageRef = z.object({
  messageId: z.string().min(1),
  flowId: z.string().nullable(),
  nodeId: z.string().nullable(),
  enrollmentId: z.string().nullable(),
  /** Who reported it: sendgrid, or nudgeflow (our click redirect, unsubscribe page). */
  provider: z.string().min(1),
});
export const MessageDelivered = eventSchema("message.delivered", MessageRef);
/** `machineOpen`: made by no person (Apple Mail Privacy Protection's prefetch, a proxy or a security scanner). */
export const MessageOpened = eventSchema("message.opened", MessageRef.extend({ machineOpen: z.boolean() }));
export const MessageClicked = eventSchema("message.clicked", MessageRef.extend({ url: z.string().nullable() }));
/** `permanent`: false for a block (temporary, e.g. the sender's reputation), which does not suppress the address. */
export const MessageBounced = eventSchema("message.bounced", MessageRef.extend({ permanent: z.boolean(), reason: z.string().nullable() }));
/** `scope`: from all marketing email, or from this kind of email only (SendGrid's group unsubscribe). */
export const MessageUnsubscribed = eventSchema("message.unsubscribed", MessageRef.extend({ scope: z.enum(["all", "group"]) }));
export const MessageMarkedSpam = eventSchema("message.marked_spam", MessageRef);

export const CanonicalMessageEvent = z.discriminatedUnion("type", [MessageDelivered, MessageOpened, MessageClicked, MessageBounced, MessageUnsubscribed, MessageMarkedSpam]);
export type CanonicalMessageEvent = z.infer<typeof CanonicalMessageEvent>;
export type CanonicalMessageEventType = CanonicalMessageEvent["type"];
export const CANONICAL_MESSAGE_EVENT_TYPES = CanonicalMessageEvent.options.map((option) => option.shape.type.value);

export function isMessageEventType(type: string): type is CanonicalMessageEventType {
  return (CANONICAL_MESSAGE_EVENT_TYPES as readonly string[]).includes(type);
}
