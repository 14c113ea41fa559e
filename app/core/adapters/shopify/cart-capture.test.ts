import { CART_CAPTURE_TOPIC, CartCaptureBody, captureIsRefused } from "./cart-capture";
import { shopifyToCanonical } from "./to-canonical";

const store = { id: "store_1", domain: "test-shop.myshopify.com", currency: "USD", timezone: "UTC" };
const receivedAt = "2026-01-10T10:00:05.000Z";

// A line as the storefront script sends it: /cart.js fields, prices in minor units.
const line = {
  variant_id: 808950810,
  product_id: 632910392,
  sku: "IPOD2008PINK",
  title: "IPod Nano - 8GB - Pink",
  product_title: "IPod Nano - 8GB",
  variant_title: "Pink",
  quantity: 2,
  price: 19900,
  image: "//cdn.shopify.com/s/files/ipod-nano-pink.png",
};

function fieldErrors(input: unknown): string[] {
  const result = CartCaptureBody.safeParse(input);
  return result.success ? [] : [...new Set(result.error.issues.map((issue) => issue.path.join(".")))];
}

describe("the storefront capture body", () => {
  it("normalises the cart token and the email", () => {
    const body = CartCaptureBody.parse({ token: " c1-7a2ac3c1?key=824bdj ", email: "  Ann@Example.COM " });
    expect(body).toMatchObject({ token: "c1-7a2ac3c1", email: "ann@example.com" });
  });

  it("accepts /cart.js lines with ids as numbers or strings and drops fields it does not know", () => {
    const body = CartCaptureBody.parse({ token: "c1-x", currency: "EUR", items: [{ ...line, variant_id: "808950810", properties: { gift: "yes" } }], extra: 1 });
    expect(body.items?.[0]).toEqual({ ...line, variant_id: "808950810", product_id: "632910392" });
    expect(body).not.toHaveProperty("extra");
  });

  it("names each field that is wrong", () => {
    expect(fieldErrors({})).toEqual(["token"]);
    expect(fieldErrors({ token: "?key=only-a-key" })).toEqual(["token"]);
    expect(fieldErrors({ token: "c1 with spaces" })).toEqual(["token"]);
    expect(fieldErrors({ token: "c1-x", email: "not an email" })).toEqual(["email"]);
    expect(fieldErrors({ token: "c1-x", currency: "usd" })).toEqual(["currency"]);
    expect(fieldErrors({ token: "c1-x", items: [{ ...line, price: 199.0001 }] })).toEqual(["items.0.price"]);
    expect(fieldErrors({ token: "c1-x", items: [{ ...line, price: "199.00" }] })).toEqual(["items.0.price"]);
    expect(fieldErrors({ token: "c1-x", items: [{ ...line, quantity: 0 }] })).toEqual(["items.0.quantity"]);
    expect(fieldErrors({ token: "c1-x", items: [{ ...line, variant_id: "gid://x" }] })).toEqual(["items.0.variant_id"]);
    expect(fieldErrors({ token: "c1-x", consent: { marketing: "yes" } })).toEqual(["consent.marketing"]);
  });

  it("bounds sizes: a long token, title or too many lines are refused", () => {
    expect(fieldErrors({ token: "c".repeat(513) })).toEqual(["token"]);
    expect(fieldErrors({ token: "c1-x", items: [{ ...line, title: "t".repeat(501) }] })).toEqual(["items.0.title"]);
    expect(fieldErrors({ token: "c1-x", items: Array.from({ length: 251 }, () => line) })).toEqual(["items"]);
  });

  it("is refused when the visitor declined marketing tracking", () => {
    expect(captureIsRefused(CartCaptureBody.parse({ token: "c1-x", consent: { marketing: false } }))).toBe(true);
    expect(captureIsRefused(CartCaptureBody.parse({ token: "c1-x", consent: { marketing: true } }))).toBe(false);
    expect(captureIsRefused(CartCaptureBody.parse({ token: "c1-x" }))).toBe(false);
  });
});

describe("a storefront capture to canonical events", () => {
  const delivery = (capture: unknown, loggedInCustomerId: string | null = null) => ({
    topic: CART_CAPTURE_TOPIC,
    payload: { shop: store.domain, loggedInCustomerId, capturedAt: "2026-01-10T10:00:00.000Z", capture },
    receivedAt,
  });

  it("maps a cart with an email to cart.update carrying who holds it", () => {
    const result = shopifyToCanonical(delivery({ token: "c1-abc?key=k", email: "Ann@Example.com", currency: "EUR", items: [line] }), store);
    expect(result).toEqual({
      ok: true,
      events: [
        {
          type: "cart.update",
          version: 1,
          occurredAt: "2026-01-10T10:00:00.000Z",
          data: {
            cart: {
              token: "c1-abc",
              currency: "EUR",
              totalPrice: 39800,
              lineItems: [
                {
                  productId: "632910392",
                  variantId: "808950810",
                  sku: "IPOD2008PINK",
                  title: "IPod Nano - 8GB",
                  variantTitle: "Pink",
                  quantity: 2,
                  price: 19900,
                  imageUrl: "https://cdn.shopify.com/s/files/ipod-nano-pink.png",
                },
              ],
              createdAt: "2026-01-10T10:00:00.000Z",
              updatedAt: "2026-01-10T10:00:00.000Z",
              customer: { externalId: null, email: "ann@example.com", firstName: null, lastName: null, phone: null, acceptsMarketing: null },
              contentsKnown: true,
            },
          },
        },
      ],
    });
  });

  it("takes the logged-in customer from the signed query string, and the store's currency when none is given", () => {
    const result = shopifyToCanonical(delivery({ token: "c1-abc", items: [] }, "7020211"), store);
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart).toMatchObject({
      currency: "USD",
      totalPrice: 0,
      customer: { externalId: "7020211", email: null },
      contentsKnown: true,
    });
  });

  it("says the contents are unknown when the capture names the cart without its lines", () => {
    const result = shopifyToCanonical(delivery({ token: "c1-abc", email: "ann@example.com" }), store);
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart).toMatchObject({ lineItems: [], contentsKnown: false });
  });

  it("names nobody for an anonymous capture, and drops an image that is not a web address", () => {
    const result = shopifyToCanonical(delivery({ token: "c1-abc", items: [{ ...line, image: "javascript:alert(1)" }] }), store);
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart.customer).toBeNull();
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart.lineItems[0].imageUrl).toBeNull();
  });

  it("fails with the field's path when the stored envelope is wrong", () => {
    const result = shopifyToCanonical({ topic: CART_CAPTURE_TOPIC, payload: { shop: store.domain, loggedInCustomerId: null, capturedAt: "soon", capture: { token: "c1-x" } }, receivedAt }, store);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? "" : result.error).toMatch(/^capturedAt: /);
  });

  it("leaves carts/* webhooks anonymous with known contents", () => {
    const payload = { token: "c1-abc", line_items: [], created_at: "2026-01-10T10:00:00Z", updated_at: "2026-01-10T10:00:00Z" };
    const result = shopifyToCanonical({ topic: "carts/update", payload, receivedAt }, store);
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart).toMatchObject({ customer: null, contentsKnown: true });
  });
});
