import { verifyShopifyWebhook } from "./verify.server";

describe("verifyShopifyWebhook", () => {
  // Vector computed independently (Python hmac) in ../shared/reference/shopify-platform.md §3.2.
  it("accepts the signature of the raw body with the app secret", () => {
    expect(verifyShopifyWebhook('{"id":1}', "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=", "hush")).toBe(true);
  });

  it("refuses a wrong, missing or truncated signature, or a changed body", () => {
    expect(verifyShopifyWebhook('{"id":2}', "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=", "hush")).toBe(false);
    expect(verifyShopifyWebhook('{"id":1}', "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=", "other")).toBe(false);
    expect(verifyShopifyWebhook('{"id":1}', null, "hush")).toBe(false);
    expect(verifyShopifyWebhook('{"id":1}', "VnKU", "hush")).toBe(false);
  });
});
