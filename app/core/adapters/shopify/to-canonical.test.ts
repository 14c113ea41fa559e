import { fixture } from "../../../../test/fixtures";
import { shopifyToCanonical } from "./to-canonical";

const store = { id: "store_1", domain: "test-shop.myshopify.com", currency: "USD", timezone: "UTC" };
const receivedAt = "2026-01-10T10:00:00.000Z";

describe("Shopify payloads to canonical events", () => {
  it("maps checkouts/create with money in minor units, the recovery link and the customer", () => {
    const result = shopifyToCanonical({ topic: "checkouts/create", payload: fixture("shopify", "checkouts_create"), receivedAt }, store);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [event] = result.events;
    expect(event.type).toBe("checkout.create");
    if (event.type !== "checkout.create") return;
    const { checkout } = event.data;
    expect(checkout).toMatchObject({
      token: "123123123",
      email: "example@email.com",
      currency: "USD",
      totalPrice: 42188,
      subtotalPrice: 39800,
      recoveryUrl: "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token",
      updatedAt: "2022-01-01T00:00:00.000Z",
      completedAt: null,
    });
    expect(checkout.customer).toMatchObject({ externalId: "603851970716743426", firstName: "John", email: "example@email.com" });
    expect(checkout.lineItems[0]).toMatchObject({ title: "IPod Nano - 8GB", variantTitle: "Pink", quantity: 1, price: 19900, variantId: "808950810" });
  });

  it("maps orders, keeping the 64-bit id from admin_graphql_api_id", () => {
    const result = shopifyToCanonical({ topic: "orders/create", payload: fixture("shopify", "orders_create"), receivedAt }, store);
    expect(result.ok && result.events[0].type === "order.add" && result.events[0].data.order.externalId).toBe("820982911946154508");
  });

  it("strips the ?key= suffix from cart tokens", () => {
    const payload = { ...fixture("shopify", "carts_update"), token: "c1-abc?key=secret" };
    const result = shopifyToCanonical({ topic: "carts/update", payload, receivedAt }, store);
    expect(result.ok && result.events[0].type === "cart.update" && result.events[0].data.cart.token).toBe("c1-abc");
  });

  it("says which field is wrong when a payload does not match", () => {
    const payload = { ...fixture("shopify", "checkouts_create"), total_price: "a lot" };
    expect(shopifyToCanonical({ topic: "checkouts/update", payload, receivedAt }, store)).toEqual({
      ok: false,
      error: 'total_price: not a decimal amount: "a lot"',
    });
    const missing = { ...fixture("shopify", "checkouts_create"), token: undefined };
    const result = shopifyToCanonical({ topic: "checkouts/update", payload: missing, receivedAt }, store);
    expect(result.ok ? "" : result.error).toMatch(/^token: /);
  });

  it("refuses topics it does not know", () => {
    expect(shopifyToCanonical({ topic: "products/create", payload: {}, receivedAt }, store)).toEqual({ ok: false, error: 'unsupported Shopify topic "products/create"' });
  });

  it("stamps lifecycle topics with the time they were received", () => {
    const result = shopifyToCanonical({ topic: "app/uninstalled", payload: fixture("shopify", "app_uninstalled"), receivedAt }, store);
    expect(result).toEqual({ ok: true, events: [{ type: "store.uninstall", version: 1, occurredAt: receivedAt, data: {} }] });
  });
});
