import { PixelEventBody, pixelEventIsUseful, pixelToCanonical } from "./pixel";

const AT = "2026-11-26T01:00:00.000Z";
const line = { variantId: "gid://shopify/ProductVariant/808950810", productId: "632910392", sku: "SKU", title: "Tea", variantTitle: "Green", quantity: 2, price: 12.5, image: "//cdn.shopify.com/tea.png" };
const checkout = (extra: Record<string, unknown> = {}) => ({ token: "chk-1", email: "Buyer@Example.com", currency: "USD", total: 27.3, subtotal: 25, lines: [line], ...extra });
const parse = (body: Record<string, unknown>) => PixelEventBody.parse({ id: "e1", at: AT, ...body });

describe("web pixel events → canonical events", () => {
  it("maps a checkout event naming the buyer to checkout.update in minor units, joined to the cart", () => {
    const event = parse({ name: "checkout_contact_info_submitted", checkout: checkout(), cartToken: "gid://shopify/Cart/c1-abc?key=k" });
    expect(pixelEventIsUseful(event)).toBe(true);
    const [mapped] = pixelToCanonical({ event }, "EUR");
    expect(mapped.type).toBe("checkout.update");
    if (mapped.type !== "checkout.update") return;
    expect(mapped.data.checkout).toMatchObject({
      token: "chk-1",
      cartToken: "c1-abc",
      email: "buyer@example.com",
      customer: { externalId: null, email: "buyer@example.com", acceptsMarketing: null },
      currency: "USD",
      totalPrice: 2730,
      subtotalPrice: 2500,
      recoveryUrl: null,
      completedAt: null,
    });
    expect(mapped.data.checkout.lineItems).toEqual([
      { productId: "632910392", variantId: "808950810", sku: "SKU", title: "Tea", variantTitle: "Green", quantity: 2, price: 1250, imageUrl: "https://cdn.shopify.com/tea.png" },
    ]);
  });

  it("converts by the currency's own digits (JPY has none) and completes on checkout_completed", () => {
    const event = parse({ name: "checkout_completed", checkout: checkout({ currency: "JPY", total: 3300, subtotal: 3000, lines: [{ ...line, price: 1500 }], customerId: "gid://shopify/Customer/207119551", orderId: "450789469" }) });
    const [mapped] = pixelToCanonical({ event }, "USD");
    if (mapped.type !== "checkout.update") throw new Error("expected checkout.update");
    expect(mapped.data.checkout).toMatchObject({ totalPrice: 3300, subtotalPrice: 3000, completedAt: AT, customer: { externalId: "207119551" } });
    expect(mapped.data.checkout.lineItems[0].price).toBe(1500);
  });

  it("keeps nothing from a checkout that names nobody, or an add to cart without a cart", () => {
    const anonymous = parse({ name: "checkout_started", checkout: checkout({ email: null }) });
    expect(pixelEventIsUseful(anonymous)).toBe(false);
    expect(pixelToCanonical({ event: anonymous }, "USD")).toEqual([]);
    const cartless = parse({ name: "product_added_to_cart", line: { ...line, currency: "USD" } });
    expect(pixelEventIsUseful(cartless)).toBe(false);
  });

  it("maps an add to cart to cart.update naming the cart and the logged-in customer, contents left to webhooks", () => {
    const event = parse({ name: "product_added_to_cart", cartToken: "c1-abc", customer: { id: "7020211", email: "ann@example.com" }, line: { ...line, currency: "USD" } });
    const [mapped] = pixelToCanonical({ event }, "USD");
    if (mapped.type !== "cart.update") throw new Error("expected cart.update");
    expect(mapped.data.cart).toMatchObject({ token: "c1-abc", contentsKnown: false, lineItems: [], customer: { externalId: "7020211", email: "ann@example.com" } });
  });

  it("names each wrong field of an untrusted event", () => {
    const result = PixelEventBody.safeParse({ id: "x".repeat(200), name: "page_viewed", at: "now", checkout: { token: "", currency: "usd", lines: Array.from({ length: 251 }, () => line) } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join(".")).sort()).toEqual(["at", "checkout.currency", "checkout.lines", "checkout.token", "id", "name"]);
  });
});
