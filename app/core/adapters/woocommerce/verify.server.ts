import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * WooCommerce signs each delivery with `X-WC-Webhook-Signature` = base64(HMAC-SHA256(the webhook's secret, raw
 * body)), the secret being the one we gave when registering the webhook (one per store). Checked on the raw bytes
 * (WordPress escapes `/` as `\/`: re-serialised JSON would not match), in constant time.
 */
export function verifyWooCommerceSignature(rawBody: string | Buffer, signature: string | null | undefined, secret: string): boolean {
  if (!signature || !secret) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(signature.trim(), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signWooCommerceBody(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}
