// Profiles: what canonical events say about customers, carts, checkouts, orders and shipments.
// Idempotent (replaying an event changes nothing) and tolerant of out-of-order delivery (older updates
// never overwrite newer ones).
import type { DbTx } from "~/db.server";
import type { Address, Cart, CanonicalEvent, Checkout, CustomerRef, EventOfType, Order, Shipment } from "~/core/events";
import { applyProductDelete, applyProductUpdate } from "~/core/catalogue/products.server";

export interface ProfileScope {
  workspaceId: string;
  storeId: string;
}

/** What an event touched: the unified customer and, for checkout events, the checkout row. */
export interface ProfileChange {
  customerId: string | null;
  checkoutId: string | null;
}

const NONE: ProfileChange = { customerId: null, checkoutId: null };

/**
 * The unified profile for what a platform says about a person: found by the platform's id first, then by
 * normalized email; created when neither is known. Missing names and phone are filled in, never overwritten.
 */
export async function resolveCustomer(
  tx: DbTx,
  scope: ProfileScope,
  ref: CustomerRef | null,
  email: string | null,
  /** When the source said it (the event's time): tags and address follow the latest statement. */
  statedAt: Date | null = null,
): Promise<string | null> {
  const address = email ?? ref?.email ?? null;
  const externalId = ref?.externalId ?? null;
  if (!address && !externalId) return null;

  const identity = externalId
    ? await tx.customerIdentity.findUnique({ where: { storeId_externalId: { storeId: scope.storeId, externalId } } })
    : null;
  let customer = identity ? await tx.customer.findFirst({ where: { id: identity.customerId, workspaceId: scope.workspaceId } }) : null;
  customer ??= address ? await tx.customer.findUnique({ where: { workspaceId_email: { workspaceId: scope.workspaceId, email: address } } }) : null;

  const details = {
    firstName: ref?.firstName ?? null,
    lastName: ref?.lastName ?? null,
    phone: ref?.phone ?? null,
  };
  if (!customer) {
    customer = await tx.customer.create({
      // The store a customer is first seen in is their store of origin, for good.
      data: { workspaceId: scope.workspaceId, email: address, ...details, acceptsMarketing: ref?.acceptsMarketing ?? false, originStoreId: scope.storeId },
    });
  } else {
    const emailIsFree = address && !customer.email
      ? !(await tx.customer.findUnique({ where: { workspaceId_email: { workspaceId: scope.workspaceId, email: address } } }))
      : false;
    const fill = {
      ...(emailIsFree ? { email: address } : {}),
      ...(!customer.firstName && details.firstName ? { firstName: details.firstName } : {}),
      ...(!customer.lastName && details.lastName ? { lastName: details.lastName } : {}),
      ...(!customer.phone && details.phone ? { phone: details.phone } : {}),
      ...(ref?.acceptsMarketing !== null && ref?.acceptsMarketing !== undefined && ref.acceptsMarketing !== customer.acceptsMarketing
        ? { acceptsMarketing: ref.acceptsMarketing }
        : {}),
      // Profiles made before the store of origin was recorded take the first store heard from since.
      ...(customer.originStoreId === null ? { originStoreId: scope.storeId } : {}),
    };
    if (Object.keys(fill).length > 0) customer = await tx.customer.update({ where: { id: customer.id }, data: fill });
  }
  if (externalId && !identity) {
    await tx.customerIdentity.create({
      data: { workspaceId: scope.workspaceId, storeId: scope.storeId, customerId: customer.id, externalId },
    });
  }
  if (ref && (ref.tags || ref.address)) await applyStatedFacts(tx, scope, customer.id, { tags: ref.tags ?? null, address: ref.address ?? null }, statedAt);
  return customer.id;
}

/** The customer reference a stored event's data carries, wherever its entity keeps it. */
function statedRefOf(data: unknown): { tags?: unknown; address?: unknown } | null {
  if (typeof data !== "object" || data === null) return null;
  for (const key of ["customer", "order", "checkout", "cart"] as const) {
    const entity = (data as Record<string, unknown>)[key];
    if (typeof entity !== "object" || entity === null) continue;
    const ref = key === "customer" ? entity : (entity as Record<string, unknown>).customer;
    if (typeof ref === "object" && ref !== null) return ref;
  }
  return null;
}

/** Event types whose data can state a customer's tags or address. */
const STATING_EVENT_TYPES = ["customer.add", "customer.update", "order.add", "order.update", "order.paid", "order.cancel", "checkout.create", "checkout.update", "cart.create", "cart.update"];
/** How many newer events are looked at; out-of-order deliveries are a handful apart, not hundreds. */
const NEWER_LOOKAHEAD = 50;

/**
 * Tags and address as the source states them. The latest statement wins, by when the source said it: an event
 * delivered late (an older order after a newer customer update) does not overwrite what a newer stored event of
 * the customer already stated. Tags replace the whole set (lower-cased, trimmed); an unstated part is left alone.
 */
async function applyStatedFacts(tx: DbTx, scope: ProfileScope, customerId: string, stated: { tags: string[] | null; address: Address | null }, statedAt: Date | null) {
  let { tags, address } = stated;
  if (statedAt) {
    const newer = await tx.event.findMany({
      where: { workspaceId: scope.workspaceId, customerId, type: { in: STATING_EVENT_TYPES }, occurredAt: { gt: statedAt } },
      orderBy: { occurredAt: "desc" },
      take: NEWER_LOOKAHEAD,
      select: { data: true },
    });
    for (const event of newer) {
      const ref = statedRefOf(event.data);
      if (Array.isArray(ref?.tags)) tags = null;
      if (ref?.address) address = null;
    }
  }
  if (address) await tx.customer.update({ where: { id: customerId }, data: { country: address.country, region: address.region, city: address.city } });
  if (tags) await replaceTags(tx, scope.workspaceId, customerId, tags);
}

/** Lower-cased and trimmed, so "VIP" and "vip " are one tag (segment rules ignore case). */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

async function replaceTags(tx: DbTx, workspaceId: string, customerId: string, tags: string[]) {
  const wanted = new Set(tags.map(normalizeTag).filter((tag) => tag !== ""));
  const existing = new Set((await tx.customerTag.findMany({ where: { customerId }, select: { tag: true } })).map((row) => row.tag));
  const removed = [...existing].filter((tag) => !wanted.has(tag));
  const added = [...wanted].filter((tag) => !existing.has(tag));
  if (removed.length) await tx.customerTag.deleteMany({ where: { customerId, tag: { in: removed } } });
  if (added.length) await tx.customerTag.createMany({ data: added.map((tag) => ({ workspaceId, customerId, tag })) });
}

/**
 * Joins a cart token and a customer, both ways: a checkout or order that names nobody belongs to whoever the cart
 * was captured for; one that names somebody claims a cart nobody had claimed yet. Returns the customer to use.
 */
async function joinCart(tx: DbTx, scope: ProfileScope, cartToken: string | null, customerId: string | null): Promise<string | null> {
  if (!cartToken) return customerId;
  const cart = await tx.cart.findUnique({ where: { storeId_token: { storeId: scope.storeId, token: cartToken } }, select: { id: true, customerId: true } });
  if (!cart) return customerId;
  if (!customerId) return cart.customerId;
  if (!cart.customerId) await tx.cart.update({ where: { id: cart.id }, data: { customerId } });
  return customerId;
}

/**
 * A cart from a webhook (contents, nobody) or a storefront capture (who holds it, and usually its contents).
 * Contents follow the newest activity; identity is taken whenever the event names somebody (the latest word on
 * who holds the cart wins, a stale event only fills a cart nobody claimed). Once the cart has a customer, the
 * checkouts already started from it that name nobody get that customer too.
 */
async function applyCart(tx: DbTx, scope: ProfileScope, cart: Cart, statedAt: Date): Promise<ProfileChange> {
  const identified = cart.customer ? await resolveCustomer(tx, scope, cart.customer, cart.customer.email, statedAt) : null;
  const activityAt = new Date(cart.updatedAt);
  const existing = await tx.cart.findUnique({ where: { storeId_token: { storeId: scope.storeId, token: cart.token } } });
  const contents = cart.contentsKnown ? { currency: cart.currency, totalPrice: cart.totalPrice, lineItems: cart.lineItems } : {};
  if (!existing) {
    await tx.cart.create({
      data: {
        workspaceId: scope.workspaceId,
        storeId: scope.storeId,
        token: cart.token,
        createdAt: new Date(cart.createdAt),
        currency: cart.currency,
        totalPrice: cart.totalPrice,
        lineItems: cart.lineItems, // empty placeholders when the contents are not known yet
        lastActivityAt: activityAt,
        customerId: identified,
      },
    });
  } else {
    const fresh = existing.lastActivityAt <= activityAt;
    const data = {
      ...(fresh ? { ...contents, lastActivityAt: activityAt } : {}),
      ...(identified && identified !== existing.customerId && (fresh || !existing.customerId) ? { customerId: identified } : {}),
    };
    if (Object.keys(data).length > 0) await tx.cart.update({ where: { id: existing.id }, data });
  }
  if (identified) {
    await tx.checkout.updateMany({
      where: { workspaceId: scope.workspaceId, storeId: scope.storeId, cartToken: cart.token, customerId: null },
      data: { customerId: identified },
    });
  }
  return { customerId: identified ?? existing?.customerId ?? null, checkoutId: null };
}

async function applyCheckout(tx: DbTx, scope: ProfileScope, checkout: Checkout, statedAt: Date): Promise<ProfileChange> {
  const customerId = await joinCart(tx, scope, checkout.cartToken, await resolveCustomer(tx, scope, checkout.customer, checkout.email, statedAt));
  const activityAt = new Date(checkout.updatedAt);
  const existing = await tx.checkout.findUnique({ where: { storeId_token: { storeId: scope.storeId, token: checkout.token } } });
  const order = await tx.order.findFirst({ where: { workspaceId: scope.workspaceId, storeId: scope.storeId, checkoutToken: checkout.token }, select: { id: true } });
  const fields = {
    cartToken: checkout.cartToken,
    customerId,
    email: checkout.email,
    currency: checkout.currency,
    totalPrice: checkout.totalPrice,
    subtotalPrice: checkout.subtotalPrice,
    lineItems: checkout.lineItems,
    recoveryUrl: checkout.recoveryUrl,
    lastActivityAt: activityAt,
    completedAt: checkout.completedAt ? new Date(checkout.completedAt) : null,
    orderId: order?.id ?? null,
  };
  if (!existing) {
    const created = await tx.checkout.create({
      data: { workspaceId: scope.workspaceId, storeId: scope.storeId, token: checkout.token, createdAt: new Date(checkout.createdAt), ...fields },
    });
    return { customerId, checkoutId: created.id };
  }
  if (existing.lastActivityAt > activityAt) return { customerId: existing.customerId, checkoutId: existing.id }; // stale
  // A source that does not say does not erase: the web pixel knows no recovery link and may not know the cart.
  await tx.checkout.update({
    where: { id: existing.id },
    data: {
      ...fields,
      cartToken: fields.cartToken ?? existing.cartToken,
      email: fields.email ?? existing.email,
      recoveryUrl: fields.recoveryUrl ?? existing.recoveryUrl,
      orderId: existing.orderId ?? fields.orderId,
      completedAt: fields.completedAt ?? existing.completedAt,
    },
  });
  return { customerId, checkoutId: existing.id };
}

/** Lifetime metrics recomputed from the orders themselves, so replays and updates cannot double-count. */
async function refreshCustomerMetrics(tx: DbTx, workspaceId: string, customerId: string) {
  const orders = await tx.order.findMany({
    where: { workspaceId, customerId, cancelledAt: null },
    select: { totalPrice: true, currency: true, placedAt: true },
    orderBy: { placedAt: "asc" },
  });
  await tx.customer.update({
    where: { id: customerId },
    data: {
      ordersCount: orders.length,
      totalSpent: orders.reduce((sum, order) => sum + order.totalPrice, 0),
      currency: orders.at(-1)?.currency ?? null,
      firstOrderAt: orders[0]?.placedAt ?? null,
      lastOrderAt: orders.at(-1)?.placedAt ?? null,
    },
  });
}

async function applyOrder(tx: DbTx, scope: ProfileScope, order: Order, statedAt: Date): Promise<ProfileChange> {
  const customerId = await joinCart(tx, scope, order.cartToken, await resolveCustomer(tx, scope, order.customer, order.email, statedAt));
  const fields = {
    name: order.name,
    customerId,
    email: order.email,
    checkoutToken: order.checkoutToken,
    cartToken: order.cartToken,
    currency: order.currency,
    totalPrice: order.totalPrice,
    lineItems: order.lineItems,
    financialStatus: order.financialStatus,
    // Kept as the store spells them; attribution compares them case-insensitively. Absent (older events): unchanged.
    ...(order.discountCodes ? { discountCodes: order.discountCodes } : {}),
    placedAt: new Date(order.placedAt),
    cancelledAt: order.cancelledAt ? new Date(order.cancelledAt) : null,
  };
  const where = { storeId_externalId: { storeId: scope.storeId, externalId: order.externalId } };
  const existing = await tx.order.findUnique({ where });
  // A cancellation is final on the platforms we know: a version of the order that does not know it was cancelled
  // predates the cancellation (a late or repeated delivery) and changes nothing.
  const saved =
    existing?.cancelledAt && !fields.cancelledAt
      ? existing
      : existing
        ? await tx.order.update({ where: { id: existing.id }, data: fields })
        : await tx.order.create({ data: { workspaceId: scope.workspaceId, storeId: scope.storeId, externalId: order.externalId, ...fields } });
  if (saved !== existing) await writeOrderLines(tx, scope.workspaceId, saved.id, order);
  let checkoutId: string | null = null;
  if (order.checkoutToken) {
    const checkout = await tx.checkout.findUnique({ where: { storeId_token: { storeId: scope.storeId, token: order.checkoutToken } } });
    if (checkout) {
      checkoutId = checkout.id;
      await tx.checkout.update({ where: { id: checkout.id }, data: { orderId: saved.id, completedAt: checkout.completedAt ?? fields.placedAt } });
    }
  }
  if (customerId) await refreshCustomerMetrics(tx, scope.workspaceId, customerId);
  return { customerId, checkoutId };
}

/** The order's lines as rows (what segments ask about products and categories), rewritten with the order. */
async function writeOrderLines(tx: DbTx, workspaceId: string, orderId: string, order: Order) {
  await tx.orderLine.deleteMany({ where: { orderId } });
  if (order.lineItems.length === 0) return;
  await tx.orderLine.createMany({
    data: order.lineItems.map((item, position) => ({
      workspaceId,
      orderId,
      position,
      productId: item.productId,
      variantId: item.variantId,
      sku: item.sku,
      title: item.title,
      category: item.category ?? null,
      quantity: item.quantity,
      price: item.price,
    })),
  });
}

/** Carrier statuses a parcel passes through before delivery: a late one never undoes "delivered". */
const BEFORE_DELIVERY = new Set([
  "pending", "open", "success", "label_printed", "label_purchased", "confirmed", "ready_for_pickup", "in_transit", "out_for_delivery", "attempted_delivery",
]);

async function applyShipment(tx: DbTx, scope: ProfileScope, shipment: Shipment): Promise<ProfileChange> {
  const order = await tx.order.findUnique({ where: { storeId_externalId: { storeId: scope.storeId, externalId: shipment.orderExternalId } } });
  const existing = await tx.shipment.findUnique({ where: { storeId_externalId: { storeId: scope.storeId, externalId: shipment.externalId } } });
  const keepDelivered = existing?.status === "delivered" && (shipment.status === null || BEFORE_DELIVERY.has(shipment.status));
  const fields = {
    orderId: order?.id ?? existing?.orderId ?? null,
    status: keepDelivered ? existing.status : shipment.status,
    trackingUrl: shipment.trackingUrl ?? existing?.trackingUrl ?? null,
    shippedAt: new Date(shipment.createdAt),
  };
  if (!existing) {
    await tx.shipment.create({
      data: { workspaceId: scope.workspaceId, storeId: scope.storeId, externalId: shipment.externalId, orderExternalId: shipment.orderExternalId, ...fields },
    });
  } else {
    await tx.shipment.update({ where: { id: existing.id }, data: fields });
  }
  return { customerId: order?.customerId ?? null, checkoutId: null };
}

/**
 * The store deleted its customer: that store's identity link goes, so a later record with the id starts afresh.
 * The profile, its orders and its events stay (erasure is customer.redact's job); the event row keeps the profile's
 * id so a privacy request naming the deleted id still finds it (privacy.server.ts).
 */
async function applyCustomerDelete(tx: DbTx, scope: ProfileScope, externalId: string): Promise<ProfileChange> {
  const identity = await tx.customerIdentity.findUnique({ where: { storeId_externalId: { storeId: scope.storeId, externalId } } });
  if (!identity) return NONE; // unknown to us, or already unlinked (a duplicate delivery)
  await tx.customerIdentity.delete({ where: { id: identity.id } });
  return { customerId: identity.customerId, checkoutId: null };
}

/**
 * Email-marketing consent from the store: `acceptsMarketing` follows it unless a newer consent change is already
 * recorded for the profile (deliveries arrive out of order). Finds or creates the profile like any other record.
 */
async function applyConsent(tx: DbTx, scope: ProfileScope, event: EventOfType<"customer.consent.update">): Promise<ProfileChange> {
  const { customer, acceptsMarketing } = event.data;
  const ref: CustomerRef = { externalId: customer.externalId, email: customer.email, firstName: null, lastName: null, phone: null, acceptsMarketing: null };
  const customerId = await resolveCustomer(tx, scope, ref, customer.email);
  if (!customerId) return NONE;
  const newer = await tx.event.findFirst({
    where: { workspaceId: scope.workspaceId, customerId, type: "customer.consent.update", occurredAt: { gt: new Date(event.occurredAt) } },
    select: { id: true },
  });
  if (!newer) await tx.customer.updateMany({ where: { id: customerId, acceptsMarketing: !acceptsMarketing }, data: { acceptsMarketing } });
  return { customerId, checkoutId: null };
}

export async function applyToProfiles(tx: DbTx, scope: ProfileScope, event: CanonicalEvent): Promise<ProfileChange> {
  const statedAt = new Date(event.occurredAt);
  switch (event.type) {
    case "checkout.create":
    case "checkout.update":
      return applyCheckout(tx, scope, event.data.checkout, statedAt);
    case "cart.create":
    case "cart.update":
      return applyCart(tx, scope, event.data.cart, statedAt);
    case "order.add":
    case "order.update":
    case "order.paid":
    case "order.cancel":
      return applyOrder(tx, scope, event.data.order, statedAt);
    case "order.shipment.add":
    case "order.shipment.update":
      return applyShipment(tx, scope, event.data.shipment);
    case "customer.add":
    case "customer.update":
      return { customerId: await resolveCustomer(tx, scope, event.data.customer, event.data.customer.email, statedAt), checkoutId: null };
    case "customer.delete":
      return applyCustomerDelete(tx, scope, event.data.customer.externalId);
    case "customer.consent.update":
      return applyConsent(tx, scope, event);
    // The catalogue (emails' recommendations and review links): no customer is touched.
    case "product.update":
      await applyProductUpdate(tx, scope, event.data.product);
      return NONE;
    case "product.delete":
      await applyProductDelete(tx, scope, { externalId: event.data.product.externalId, deletedAt: statedAt });
      return NONE;
    case "store.uninstall":
    case "store.redact":
    case "customer.redact":
    case "customer.data_request":
      return NONE;
  }
}
