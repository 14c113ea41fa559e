import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Shopify signs each webhook with base64(HMAC-SHA256(app secret, raw body)). Verified on the raw bytes, before
 * any parsing: a body that is not JSON is still stored (and marked failed) when its signature is good.
 */
export function verifyShopifyWebhook(rawBody: string, signature: string | null, secret: string): boolean {
  if (!signature || !secret) return false;
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
