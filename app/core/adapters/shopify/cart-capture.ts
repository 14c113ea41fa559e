// What the storefront script (extensions/cart-capture/assets/cart-capture.js) posts to the App Proxy, and the
// inbox envelope the proxy route stores. The body is untrusted shopper input: only Shopify's query string is
// signed, so every field is bounded here and nothing in it is taken as proof of identity but the email the
// shopper typed. Isomorphic (no Node APIs).
import { z } from "zod";
import { CAPTURE_MAX_BYTES, captureBodySchema, captureItemSchema } from "~/core/storefront/capture";

export { captureIsRefused } from "~/core/storefront/capture";

/** The inbox topic of a storefront capture (source "shopify"). */
export const CART_CAPTURE_TOPIC = "app_proxy/cart_capture";

/** Largest body the proxy route reads (the same bound as the generic snippet's endpoint). */
export const CART_CAPTURE_MAX_BYTES = CAPTURE_MAX_BYTES;

const IsoDateTime = z.iso.datetime({ offset: true });
/** A Shopify numeric id as /cart.js gives it (a number), or its string form. */
const NumericId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, "must be a numeric id")])
  .transform(String);

/** One line as /cart.js reports it, reduced to the fields Nudgeflow keeps (the shared capture line, Shopify ids). */
export const CartCaptureItem = captureItemSchema(NumericId);
export type CartCaptureItem = z.infer<typeof CartCaptureItem>;

/** The theme embed's body: the shared capture body (core/storefront/capture.ts) with Shopify's numeric ids. */
export const CartCaptureBody = captureBodySchema(NumericId);
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
