// Shopify's App Proxy signature (../shared/reference/shopify-platform.md §4). Shopify forwards a storefront
// request `https://{shop}/apps/nudgeflow/…` to `{app}/proxy/…` and adds `shop`, `logged_in_customer_id`,
// `path_prefix`, `timestamp` and `signature` to the query string. Only the query is signed; the body is not.
import { createHmac, timingSafeEqual } from "node:crypto";

/** How far the signed timestamp may be from our clock, either way (shopify-api uses the same 90 s). */
export const APP_PROXY_TIMESTAMP_TOLERANCE_SECONDS = 90;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;
/** Parameters that must appear once: a second copy would let a forger pick which one we read. */
const SINGLE = ["signature", "shop", "timestamp", "hmac"] as const;

/**
 * The string Shopify signs: every query parameter but `signature`, values URL-decoded, a repeated key's values
 * joined with ",", each as `key=value`, sorted, concatenated with no separator. Sorted as plain strings, like
 * Shopify's reference implementation (`query_hash.collect { "k=v" }.sort.join`).
 */
export function appProxyMessage(params: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return [...grouped]
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("");
}

/** hex(HMAC-SHA256(app secret, message)). */
export function appProxySignature(params: URLSearchParams, secret: string): string {
  return createHmac("sha256", secret).update(appProxyMessage(params), "utf8").digest("hex");
}

export type AppProxyVerification =
  | {
      ok: true;
      /** The shop's myshopify domain, lower-cased. */
      shop: string;
      /** The logged-in customer's Shopify id; null for a guest (Shopify sends an empty string). */
      loggedInCustomerId: string | null;
      /** The signed Unix time in seconds. */
      timestamp: number;
      pathPrefix: string | null;
    }
  | { ok: false; reason: string };

/** Checks a forwarded request's query string against the app secret and the clock. */
export function verifyAppProxyRequest(params: URLSearchParams, secret: string, now: Date): AppProxyVerification {
  if (!secret) return { ok: false, reason: "no app secret configured" };
  for (const name of SINGLE) {
    if (params.getAll(name).length > 1) return { ok: false, reason: `repeated ${name} parameter` };
  }
  const signature = params.get("signature");
  if (!signature) return { ok: false, reason: "missing signature" };
  if (!HEX_SHA256.test(signature)) return { ok: false, reason: "malformed signature" };
  const expected = Buffer.from(appProxySignature(params, secret), "hex");
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature does not match" };

  const timestamp = params.get("timestamp") ?? "";
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: "missing or malformed timestamp" };
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > APP_PROXY_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: "timestamp outside the permitted window" };

  const shop = params.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop)) return { ok: false, reason: "missing or malformed shop" };
  const customerId = params.get("logged_in_customer_id");
  return {
    ok: true,
    shop: shop.toLowerCase(),
    loggedInCustomerId: customerId ? customerId : null,
    timestamp: Number(timestamp),
    pathPrefix: params.get("path_prefix"),
  };
}
