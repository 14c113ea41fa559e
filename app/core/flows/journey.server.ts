// What a journey is about: its entity (a checkout, a cart, a customer) with the rows around it. A cart journey
// follows the cart and every checkout made from it (matched by the normalized cart token); a checkout journey
// follows its checkout and the cart it came from. Used to enroll once per cart, to check entity-scoped goals, to
// anchor delays on the latest activity, and to fill the email (checkout first, else the cart).
import type { DbTx } from "~/db.server";

type CheckoutRow = NonNullable<Awaited<ReturnType<DbTx["checkout"]["findFirst"]>>>;
type CartRow = NonNullable<Awaited<ReturnType<DbTx["cart"]["findFirst"]>>>;

export interface EntityKey {
  type: string;
  id: string;
}

export interface JourneyEntity {
  storeId: string | null;
  /** The checkout the emails are about: a checkout journey's own, or the newest made from the cart. */
  checkout: CheckoutRow | null;
  cart: CartRow | null;
  /** The entity's checkout tokens (a cart's: every checkout made from it) and its cart token. */
  checkoutTokens: string[];
  cartToken: string | null;
  /** The latest activity on the cart or its checkouts: delays anchored on the trigger's activity count from it. */
  activityAt: Date | null;
}

const EMPTY: JourneyEntity = { storeId: null, checkout: null, cart: null, checkoutTokens: [], cartToken: null, activityAt: null };

function latest(...dates: (Date | null | undefined)[]): Date | null {
  return dates.reduce<Date | null>((best, date) => (date && (!best || date > best) ? date : best), null);
}

/** The checkouts made from a cart, newest activity first. */
async function checkoutsOfCart(tx: DbTx, cart: CartRow): Promise<CheckoutRow[]> {
  return tx.checkout.findMany({ where: { workspaceId: cart.workspaceId, storeId: cart.storeId, cartToken: cart.token }, orderBy: { lastActivityAt: "desc" } });
}

/** The cart a checkout was made from, when it names one we hold. */
async function cartOfCheckout(tx: DbTx, checkout: CheckoutRow): Promise<CartRow | null> {
  if (!checkout.cartToken) return null;
  return tx.cart.findUnique({ where: { storeId_token: { storeId: checkout.storeId, token: checkout.cartToken } } });
}

export async function loadEntity(tx: DbTx, input: { workspaceId: string; entityType: string; entityId: string }): Promise<JourneyEntity> {
  if (input.entityType === "checkout") {
    const checkout = await tx.checkout.findFirst({ where: { id: input.entityId, workspaceId: input.workspaceId } });
    if (!checkout) return EMPTY;
    const cart = await cartOfCheckout(tx, checkout);
    return {
      storeId: checkout.storeId,
      checkout,
      cart,
      checkoutTokens: [checkout.token],
      cartToken: checkout.cartToken,
      activityAt: latest(checkout.lastActivityAt, cart?.lastActivityAt),
    };
  }
  if (input.entityType === "cart") {
    const cart = await tx.cart.findFirst({ where: { id: input.entityId, workspaceId: input.workspaceId } });
    if (!cart) return EMPTY;
    const checkouts = await checkoutsOfCart(tx, cart);
    return {
      storeId: cart.storeId,
      checkout: checkouts[0] ?? null,
      cart,
      checkoutTokens: checkouts.map((checkout) => checkout.token),
      cartToken: cart.token,
      activityAt: latest(cart.lastActivityAt, ...checkouts.map((checkout) => checkout.lastActivityAt)),
    };
  }
  return EMPTY;
}

/** Whether the entity converted: an order (placed at or after `since`) of its checkout or its cart. */
export async function entityConverted(tx: DbTx, input: { workspaceId: string; entity: JourneyEntity; since: Date }): Promise<boolean> {
  const { entity } = input;
  const by = [
    ...(entity.checkoutTokens.length > 0 ? [{ checkoutToken: { in: entity.checkoutTokens } }] : []),
    ...(entity.cartToken ? [{ cartToken: entity.cartToken }] : []),
  ];
  if (by.length === 0 || !entity.storeId) return false;
  const order = await tx.order.findFirst({
    where: { workspaceId: input.workspaceId, storeId: entity.storeId, placedAt: { gte: input.since }, OR: by },
    select: { id: true },
  });
  return Boolean(order);
}

/**
 * The journey key of a cart-keyed flow for an event about a cart or a checkout, and the other keys the same cart
 * may already be enrolled under: a cart event is keyed by the cart and meets the checkouts made from it; a
 * checkout event is keyed by its checkout and meets its cart and the cart's other checkouts.
 */
export async function cartJourneyKeys(tx: DbTx, input: { checkout: CheckoutRow | null; cart: CartRow | null }): Promise<{ key: EntityKey; siblings: EntityKey[] } | null> {
  const { checkout, cart } = input;
  if (checkout) {
    const own = { type: "checkout", id: checkout.id };
    if (!checkout.cartToken) return { key: own, siblings: [] };
    const others = await tx.checkout.findMany({
      where: { workspaceId: checkout.workspaceId, storeId: checkout.storeId, cartToken: checkout.cartToken, id: { not: checkout.id } },
      select: { id: true },
    });
    return {
      key: own,
      siblings: [...(cart ? [{ type: "cart", id: cart.id }] : []), ...others.map((other) => ({ type: "checkout", id: other.id }))],
    };
  }
  if (!cart) return null;
  const checkouts = await checkoutsOfCart(tx, cart);
  return { key: { type: "cart", id: cart.id }, siblings: checkouts.map((other) => ({ type: "checkout", id: other.id })) };
}

/**
 * What trigger conditions and nodes read as `cart`: the cart and its checkouts seen as one thing, so one set of
 * conditions covers a journey that starts as a cart or as a checkout.
 */
export async function cartView(tx: DbTx, input: { workspaceId: string; checkout: CheckoutRow | null; cart: CartRow | null; customerEmail: string | null }) {
  const { cart } = input;
  const checkouts = cart ? await checkoutsOfCart(tx, cart) : input.checkout ? [input.checkout] : [];
  const checkout = input.checkout ?? checkouts[0] ?? null;
  const entity: JourneyEntity = {
    storeId: checkout?.storeId ?? cart?.storeId ?? null,
    checkout,
    cart,
    checkoutTokens: checkouts.map((row) => row.token),
    cartToken: cart?.token ?? checkout?.cartToken ?? null,
    activityAt: null,
  };
  const lines = checkout ? checkout.lineItems : cart?.lineItems;
  // A checkout event asks about that checkout; a cart event about the cart and every checkout made from it.
  const converted = input.checkout
    ? Boolean(input.checkout.completedAt || input.checkout.orderId)
    : checkouts.some((row) => row.completedAt || row.orderId) || (await entityConverted(tx, { workspaceId: input.workspaceId, entity, since: new Date(0) }));
  return {
    token: entity.cartToken,
    email: checkout?.email ?? input.customerEmail,
    currency: checkout?.currency ?? cart?.currency ?? null,
    totalPrice: checkout?.totalPrice ?? cart?.totalPrice ?? null,
    itemCount: Array.isArray(lines) ? lines.length : 0,
    reachedCheckout: Boolean(checkout),
    converted,
    lastActivityAt: latest(cart?.lastActivityAt, ...checkouts.map((row) => row.lastActivityAt)),
  };
}
