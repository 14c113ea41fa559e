// Storefront capture through Shopify's App Proxy: a verified, parsed capture becomes an inbox row like a webhook
// (source "shopify", topic app_proxy/cart_capture) and the worker maps it with the Shopify adapter. Nothing else
// happens on the request path. The per-process rate limits for the proxy route live here too.
import { createHash } from "node:crypto";
import type { Clock } from "~/core/clock";
import { CART_CAPTURE_TOPIC, captureIsRefused, type CartCaptureBody, type CartCaptureDelivery } from "~/core/adapters/shopify/cart-capture";
import { allowedByAll, createRateLimiter, type RateLimitDecision, type RateLimitPolicy } from "~/core/rate-limit";
import { receiveShopifyWebhook, type Receipt, type ReceiveDeps } from "./receive.server";

/**
 * One shopper's browser: a burst of 30 captures, then one every 2 s (the script debounces and skips repeats, so a
 * real shopper posts a handful per page). One shop: a burst of 600, then 20 a second, whatever the clients.
 */
export const STOREFRONT_CAPTURE_LIMITS: { perClient: RateLimitPolicy; perShop: RateLimitPolicy } = {
  perClient: { capacity: 30, refillPerSecond: 0.5 },
  perShop: { capacity: 600, refillPerSecond: 20 },
};

export function createCaptureRateLimits(deps: { clock: Clock; limits?: typeof STOREFRONT_CAPTURE_LIMITS }) {
  const limits = deps.limits ?? STOREFRONT_CAPTURE_LIMITS;
  const perClient = createRateLimiter({ clock: deps.clock, policy: limits.perClient, maxKeys: 50_000 });
  const perShop = createRateLimiter({ clock: deps.clock, policy: limits.perShop, maxKeys: 10_000 });
  return {
    /** `client` is the shopper's address as Shopify forwarded it (X-Forwarded-For), or "" when unknown. */
    take(input: { shop: string; client: string }): RateLimitDecision {
      return allowedByAll([
        { limiter: perClient, key: `${input.shop}|${input.client}` },
        { limiter: perShop, key: input.shop },
      ]);
    },
  };
}

/** The first address of X-Forwarded-For: the shopper's, as Shopify saw it. */
export function clientAddress(forwardedFor: string | null): string {
  return forwardedFor?.split(",")[0]?.trim().slice(0, 64) ?? "";
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * Deterministic per request: Shopify's retry of the same request (same body, same signed query) stores nothing new.
 * The logged-in customer is part of it: the same cart posted in the same second before and after the shopper logs
 * in is two captures, and the second one is the one that says who holds the cart.
 */
export function cartCaptureDedupeKey(input: { shop: string; token: string; rawBody: string; timestamp: number; loggedInCustomerId?: string | null }): string {
  return `proxy:${sha256([input.shop, input.token, sha256(input.rawBody), String(input.timestamp), input.loggedInCustomerId ?? ""].join("\n"))}`;
}

export type CaptureReceipt = Receipt | { stored: false; refused: "no consent" };

export async function receiveShopifyCartCapture(
  deps: ReceiveDeps,
  input: { shop: string; loggedInCustomerId: string | null; timestamp: number; pathPrefix: string | null; capture: CartCaptureBody; rawBody: string },
): Promise<CaptureReceipt> {
  if (captureIsRefused(input.capture)) return { stored: false, refused: "no consent" };
  const delivery: CartCaptureDelivery = {
    shop: input.shop,
    loggedInCustomerId: input.loggedInCustomerId,
    capturedAt: new Date(input.timestamp * 1000).toISOString(),
    capture: input.capture,
  };
  return receiveShopifyWebhook(deps, {
    shop: input.shop,
    topic: CART_CAPTURE_TOPIC,
    dedupeKey: cartCaptureDedupeKey({ shop: input.shop, token: input.capture.token, rawBody: input.rawBody, timestamp: input.timestamp, loggedInCustomerId: input.loggedInCustomerId }),
    eventId: null,
    rawBody: JSON.stringify(delivery),
    headers: { "path-prefix": input.pathPrefix ?? "", timestamp: String(input.timestamp) },
  });
}
