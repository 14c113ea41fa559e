// What the storefront script (extensions/cart-capture/assets/cart-capture.js) posts to the App Proxy, and the
// inbox envelope the proxy route stores. The body is untrusted shopper input: only Shopify's query string is
// signed, so every field is bounded here and nothing in it is taken as proof of identity but the email the
// shopper typed. Isomorphic (no Node APIs).
import { z } from "zod";
import { normalizeCartToken } from "~/core/events";

/** The inbox topic of a storefront capture (source "shopify"). */
export const CART_CAPTURE_TOPIC = "app_proxy/cart_capture";

/** Largest body the proxy route reads; a cart of 250 lines in the script's compact form fits comfortably. */
export const CART_CAPTURE_MAX_BYTES = 64 * 1024;

const IsoDateTime = z.iso.datetime({ offset: true });
/** Integer minor units, as /cart.js reports money (cents for USD). */
const MinorUnits = z.number().int().nonnegative().max(1e12);
/** A Shopify numeric id as /cart.js gives it (a number), or its string form. */
const NumericId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, "must be a numeric id")])
  .transform(String);
const Text = (max: number) => z.string().max(max);

/** One line as /cart.js reports it, reduced to the fields Nudgeflow keeps. */
export const CartCaptureItem = z.object({
  variant_id: NumericId.nullish(),
  product_id: NumericId.nullish(),
  sku: Text(255).nullish(),
  title: Text(500),
  product_title: Text(500).nullish(),
  variant_title: Text(500).nullish(),
  quantity: z.number().int().positive().max(100_000),
  /** Unit price in minor units. */
  price: MinorUnits,
  image: Text(2048).nullish(),
});
export type CartCaptureItem = z.infer<typeof CartCaptureItem>;

export const CartCaptureBody = z.object({
  /** The cart token from /cart.js; Shopify's `?key=…` suffix is stripped so it joins the webhooks' tokens. */
  token: z
    .string()
    .trim()
    .max(512)
    .transform(normalizeCartToken)
    .pipe(z.string().min(1, "must be a cart token").regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")),
  /** An address the shopper typed into a form on the storefront. */
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()).nullish(),
  /** ISO 4217 code of the cart's presentment currency. */
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").nullish(),
  /** The cart's lines; absent when the script names the cart without reading it (contents then stay as stored). */
  items: z.array(CartCaptureItem).max(250).nullish(),
  /** Tracking consent as the Customer Privacy API reported it when the script posted. */
  consent: z
    .object({
      marketing: z.boolean().nullish(),
      analytics: z.boolean().nullish(),
    })
    .nullish(),
});
export type CartCaptureBody = z.infer<typeof CartCaptureBody>;

/** The inbox row's payload: the parsed body plus what Shopify's signed query string said. */
export const CartCaptureDelivery = z.object({
  shop: z.string().min(1),
  /** From the signed `logged_in_customer_id`; null for guests. */
  loggedInCustomerId: z.string().min(1).nullable(),
  /** The signed proxy timestamp: when the shopper's browser made the request. */
  capturedAt: IsoDateTime,
  capture: CartCaptureBody,
});
export type CartCaptureDelivery = z.infer<typeof CartCaptureDelivery>;

/** The visitor declined the tracking that capture needs: nothing of theirs is stored. */
export function captureIsRefused(body: CartCaptureBody): boolean {
  return body.consent?.marketing === false;
}
