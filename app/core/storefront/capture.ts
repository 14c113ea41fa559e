// A storefront's cart capture, whoever sends it: the Shopify theme embed through the App Proxy
// (adapters/shopify/cart-capture.ts) and the generic snippet through /storefront/v1/capture. Both post the same
// compact cart (lines in minor units) and both become `cart.update` carrying who holds the cart. The body is untrusted
// shopper input: every field is bounded, and nothing in it is taken as proof of identity but the email the shopper
// typed. Isomorphic (no Node APIs).
import { z } from "zod";
import { normalizeCartToken, normalizeEmail, type CanonicalEvent, type Cart, type CustomerRef, type LineItem } from "~/core/events";
import { canonicalEvent } from "~/core/adapters/mapping";

/** Largest capture body read; a cart of 250 lines in the compact form fits comfortably. */
export const CAPTURE_MAX_BYTES = 64 * 1024;

/** Integer minor units, as /cart.js reports money (cents for USD). */
export const MinorUnits = z.number().int().nonnegative().max(1e12);
const Text = (max: number) => z.string().max(max);

/**
 * The cart's token; Shopify's `?key=…` suffix is stripped so it joins the webhooks' tokens. Any printable id a cart
 * platform (or the snippet itself) uses is accepted.
 */
export const CaptureCartToken = z
  .string()
  .trim()
  .max(512)
  .transform(normalizeCartToken)
  .pipe(z.string().min(1, "must be a cart token").regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"));

/** Carts outside Shopify name products by number, by string (WooCommerce keys, Magento SKUs) or not at all. */
export const AnyCartId = z
  .union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().trim().min(1).max(255).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")], {
    error: "must be a number or a string id",
  })
  .transform(String);

/** One cart line as the storefront scripts send it; `id` says how the platform names products and variants. */
export function captureItemSchema<Id extends z.ZodType<string, unknown>>(id: Id) {
  return z.object({
    variant_id: id.nullish(),
    product_id: id.nullish(),
    sku: Text(255).nullish(),
    title: Text(500),
    product_title: Text(500).nullish(),
    variant_title: Text(500).nullish(),
    quantity: z.number().int().positive().max(100_000),
    /** Unit price in minor units. */
    price: MinorUnits,
    image: Text(2048).nullish(),
    url: Text(2048).nullish(),
  });
}

export function captureBodySchema<Id extends z.ZodType<string, unknown>>(id: Id) {
  return z.object({
    token: CaptureCartToken,
    /** An address the shopper typed into a form on the storefront. */
    email: z.string().trim().toLowerCase().max(254).pipe(z.email()).nullish(),
    /** ISO 4217 code of the cart's presentment currency. */
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").nullish(),
    /** The cart's lines; absent when the script names the cart without reading it (contents then stay as stored). */
    items: z.array(captureItemSchema(id)).max(250).nullish(),
    /** Tracking consent as the storefront's consent tool reported it when the script posted. */
    consent: z.object({ marketing: z.boolean().nullish(), analytics: z.boolean().nullish() }).nullish(),
  });
}

/** The generic snippet's body: ids may be numbers or strings (non-Shopify carts). */
export const StorefrontCaptureBody = captureBodySchema(AnyCartId);
export type StorefrontCaptureBody = z.infer<typeof StorefrontCaptureBody>;
export type CaptureItem = z.infer<ReturnType<typeof captureItemSchema>>;

/** The visitor declined the tracking that capture needs: nothing of theirs is stored. */
export function captureIsRefused(body: { consent?: { marketing?: boolean | null } | null }): boolean {
  return body.consent?.marketing === false;
}

/** Protocol-relative image URLs (`//cdn.shopify.com/…`) made absolute; anything that is not http(s) is dropped. */
export function absoluteImageUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  const absolute = value.startsWith("//") ? `https:${value}` : value;
  return /^https?:\/\//.test(absolute) && URL.canParse(absolute) ? absolute : null;
}

function captureLineItems(items: CaptureItem[]): LineItem[] {
  return items.map((item) => ({
    productId: item.product_id ?? null,
    variantId: item.variant_id ?? null,
    sku: item.sku || null,
    title: item.product_title || item.title,
    variantTitle: item.variant_title || null,
    quantity: item.quantity,
    price: item.price,
    imageUrl: absoluteImageUrl(item.image),
  }));
}

/**
 * A capture → `cart.update` carrying who holds the cart: the email the shopper typed and, where the platform vouches
 * for one (Shopify's signed proxy query), the logged-in customer. Email-marketing consent is never taken from the
 * storefront: `acceptsMarketing` stays unknown.
 */
export function cartUpdateFromCapture(input: {
  capture: { token: string; email?: string | null; currency?: string | null; items?: CaptureItem[] | null };
  customerExternalId: string | null;
  capturedAt: string;
  storeCurrency: string;
}): CanonicalEvent {
  const { capture, customerExternalId, capturedAt } = input;
  const email = normalizeEmail(capture.email);
  const customer: CustomerRef | null =
    email || customerExternalId ? { externalId: customerExternalId, email, firstName: null, lastName: null, phone: null, acceptsMarketing: null } : null;
  const items = capture.items ? captureLineItems(capture.items) : [];
  const cart: Cart = {
    token: capture.token,
    currency: capture.currency ?? input.storeCurrency,
    totalPrice: items.reduce((sum, item) => sum + item.price * item.quantity, 0),
    lineItems: items,
    createdAt: capturedAt,
    updatedAt: capturedAt,
    customer,
    contentsKnown: Boolean(capture.items),
  };
  return canonicalEvent("cart.update", capturedAt, { cart });
}
