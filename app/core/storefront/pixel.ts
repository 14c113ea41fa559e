// What the web pixel (extensions/web-pixel/src/index.ts) sends for each of the four standard events it follows, and
// what each becomes. Shopify's pixel runtime hands the pixel the event (ids, checkout, cart line, money as decimal
// amounts); the pixel reduces it to this compact form and posts it to /storefront/v1/pixel. Nothing here is signed:
// anyone holding the store's public key can post it, so every field is bounded and the only identity taken from it is
// what the shopper typed (the checkout's email) or what the storefront said about its logged-in customer, exactly the
// trust given to the theme embed's typed email. Isomorphic (no Node APIs).
import { z } from "zod";
import { normalizeCartToken, normalizeEmail, toIsoUtc, type CanonicalEvent, type CustomerRef, type LineItem } from "~/core/events";
import { canonicalEvent, minorUnits } from "~/core/adapters/mapping";
import { absoluteImageUrl, CaptureCartToken } from "./capture";

/** The standard events the pixel follows (https://shopify.dev/docs/api/web-pixels-api/standard-events). */
export const PIXEL_EVENT_NAMES = ["product_added_to_cart", "checkout_started", "checkout_contact_info_submitted", "checkout_completed"] as const;
export type PixelEventName = (typeof PIXEL_EVENT_NAMES)[number];

/** One event is a few KB at most (a checkout of 100 lines); anything bigger is not from our pixel. */
export const PIXEL_EVENT_MAX_BYTES = 32 * 1024;

const Text = (max: number) => z.string().max(max);
/** Shopify ids reach pixels as numbers in strings or as gids (`gid://shopify/ProductVariant/1`): kept as the number. */
const ShopifyId = z
  .union([z.string().trim().min(1).max(255), z.number().int().nonnegative()])
  .transform((value) => {
    const text = String(value);
    return text.startsWith("gid://") ? text.slice(text.lastIndexOf("/") + 1) : text;
  })
  .pipe(z.string().regex(/^[\x21-\x7e]+$/, "must be an id without spaces"));
/** MoneyV2.amount: a decimal number in the currency's major unit. */
const Amount = z.number().nonnegative().max(1e10);
const Currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code");
const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const PixelLine = z.object({
  variantId: ShopifyId.nullish(),
  productId: ShopifyId.nullish(),
  sku: Text(255).nullish(),
  title: Text(500),
  variantTitle: Text(500).nullish(),
  quantity: z.number().int().positive().max(100_000),
  /** Unit price (ProductVariant.price.amount). */
  price: Amount,
  image: Text(2048).nullish(),
});
export type PixelLine = z.infer<typeof PixelLine>;

export const PixelCheckout = z.object({
  token: Text(255).pipe(z.string().min(1, "must be a checkout token")),
  email: Email.nullish(),
  phone: Text(64).nullish(),
  currency: Currency,
  total: Amount.nullish(),
  subtotal: Amount.nullish(),
  /** checkout.order.customer.id: the buyer's customer record (checkout_completed). */
  customerId: ShopifyId.nullish(),
  /** checkout.order.id: only on checkout_completed. */
  orderId: ShopifyId.nullish(),
  lines: z.array(PixelLine).max(250),
});

export const PixelEventBody = z.object({
  /** Shopify's id of the event: the same event delivered twice is stored once. */
  id: Text(128).pipe(z.string().min(1, "must be the event's id")),
  name: z.enum(PIXEL_EVENT_NAMES, { error: `must be one of ${PIXEL_EVENT_NAMES.join(", ")}` }),
  /** The event's timestamp as the runtime gave it. */
  at: z.iso.datetime({ offset: true }),
  /** init.data.customer: the logged-in customer, when the storefront has one. */
  customer: z.object({ id: ShopifyId.nullish(), email: Email.nullish(), phone: Text(64).nullish() }).nullish(),
  /** The shopper's cart token (the `cart` cookie, or init.data.cart.id). */
  cartToken: CaptureCartToken.nullish(),
  /** product_added_to_cart: the line added (event.data.cartLine). */
  line: PixelLine.extend({ currency: Currency }).nullish(),
  /** checkout_*: event.data.checkout. */
  checkout: PixelCheckout.nullish(),
  /** init.customerPrivacy at the time, for the record; the runtime only runs the pixel when it is allowed. */
  consent: z.object({ marketing: z.boolean().nullish(), analytics: z.boolean().nullish() }).nullish(),
});
export type PixelEventBody = z.infer<typeof PixelEventBody>;

/** The inbox row's payload of a pixel event. */
export const PixelDelivery = z.object({ event: PixelEventBody });
export type PixelDelivery = z.infer<typeof PixelDelivery>;

/** Shopify's cart ids (`gid://shopify/Cart/c1-…?key=…`) as the bare token the carts/* webhooks carry. */
function cartTokenOf(value: string): string {
  const bare = value.startsWith("gid://") ? value.slice(value.lastIndexOf("/") + 1) : value;
  return normalizeCartToken(bare);
}

/** Whom the event names: the checkout's buyer and email first, else the logged-in customer. */
function customerOf(event: PixelEventBody): CustomerRef | null {
  const email = normalizeEmail(event.checkout?.email) ?? normalizeEmail(event.customer?.email);
  const externalId = event.checkout?.customerId ?? event.customer?.id ?? null;
  if (!email && !externalId) return null;
  const phone = event.checkout?.phone || event.customer?.phone || null;
  // Marketing consent is never taken from the storefront (the checkout's box reaches us through Shopify's webhooks).
  return { externalId, email, firstName: null, lastName: null, phone, acceptsMarketing: null };
}

/**
 * Whether the event would tell us anything: a checkout event names a checkout and somebody (an email typed at checkout
 * or a logged-in customer); an add to cart names a cart. Anything else is answered 200 and not stored.
 */
export function pixelEventIsUseful(event: PixelEventBody): boolean {
  if (event.name === "product_added_to_cart") return Boolean(event.cartToken);
  return Boolean(event.checkout) && customerOf(event) !== null;
}

function lineItems(lines: PixelLine[], currency: string): LineItem[] {
  return lines.map((line, index) => ({
    productId: line.productId ?? null,
    variantId: line.variantId ?? null,
    sku: line.sku || null,
    title: line.title,
    variantTitle: line.variantTitle || null,
    quantity: line.quantity,
    price: minorUnits(line.price, currency, `checkout.lines.${index}.price`),
    imageUrl: absoluteImageUrl(line.image),
  }));
}

/**
 * A pixel event → canonical events:
 * - checkout_started / checkout_contact_info_submitted → `checkout.update` naming the buyer (checkout token ↔ email ↔
 *   customer, and the cart it came from), with the checkout's lines and totals: what a checkouts/* webhook says, so
 *   the abandoned-cart flow knows whom to write to even where the webhook comes late or without the email;
 * - checkout_completed → the same, completed: the checkout joins its order (by token) and leaves the flow;
 * - product_added_to_cart → `cart.update` naming the cart and, when logged in, its customer (contents keep coming
 *   from carts/* webhooks: the event holds the added line, not the cart).
 * Recovery links are not in pixel events: `recoveryUrl` is null and profiles keep the one a webhook gave.
 */
export function pixelToCanonical(delivery: PixelDelivery, storeCurrency: string): CanonicalEvent[] {
  const { event } = delivery;
  const at = toIsoUtc(event.at) ?? event.at;
  const customer = customerOf(event);
  const cartToken = event.cartToken ? cartTokenOf(event.cartToken) : null;
  if (event.name === "product_added_to_cart") {
    if (!cartToken) return [];
    const currency = event.line?.currency ?? storeCurrency;
    return [
      canonicalEvent("cart.update", at, {
        cart: { token: cartToken, currency, totalPrice: 0, lineItems: [], createdAt: at, updatedAt: at, customer, contentsKnown: false },
      }),
    ];
  }
  const { checkout } = event;
  if (!checkout || !customer) return [];
  const currency = checkout.currency;
  const items = lineItems(checkout.lines, currency);
  const subtotal = checkout.subtotal != null ? minorUnits(checkout.subtotal, currency, "checkout.subtotal") : items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  return [
    canonicalEvent("checkout.update", at, {
      checkout: {
        token: checkout.token,
        cartToken,
        email: customer.email,
        customer,
        currency,
        totalPrice: checkout.total != null ? minorUnits(checkout.total, currency, "checkout.total") : subtotal,
        subtotalPrice: subtotal,
        lineItems: items,
        recoveryUrl: null,
        createdAt: at,
        updatedAt: at,
        completedAt: event.name === "checkout_completed" ? at : null,
      },
    }),
  ];
}
