import { fixture } from "../../../../test/fixtures";
import { signWooCommerceBody, verifyWooCommerceSignature } from "./verify.server";

const vector = fixture("woocommerce", "webhook-order-updated-signed") as { secret: string; raw_body: string; expected_signature: string };

describe("X-WC-Webhook-Signature", () => {
  it("accepts the derived test vector: base64 HMAC-SHA256 of the raw body with the webhook secret", () => {
    expect(verifyWooCommerceSignature(vector.raw_body, vector.expected_signature, vector.secret)).toBe(true);
    expect(signWooCommerceBody(vector.raw_body, vector.secret)).toBe(vector.expected_signature);
  });

  it("refuses a re-serialised body (WordPress escapes / as \\/), another secret, a missing or malformed signature", () => {
    expect(verifyWooCommerceSignature(JSON.stringify(JSON.parse(vector.raw_body)), vector.expected_signature, vector.secret)).toBe(false);
    expect(verifyWooCommerceSignature(vector.raw_body, vector.expected_signature, "another-secret")).toBe(false);
    expect(verifyWooCommerceSignature(vector.raw_body, null, vector.secret)).toBe(false);
    expect(verifyWooCommerceSignature(vector.raw_body, "not base64!", vector.secret)).toBe(false);
    expect(verifyWooCommerceSignature(vector.raw_body, vector.expected_signature, "")).toBe(false);
  });
});
