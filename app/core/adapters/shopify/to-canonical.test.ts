import { readFileSync } from "node:fs";
import path from "node:path";
import { fixture } from "../../../../test/fixtures";
import { SHOPIFY_TOPICS, shipmentStatus, shopifyToCanonical } from "./to-canonical";

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

  it("maps customers/create's default address (ISO country, province code, city); tags unsaid when the payload has none", () => {
    // GIVEN the recorded 2026-07 customers/create sample: default address in Ottawa, ON, CA; no tags field
    const result = shopifyToCanonical({ topic: "customers/create", payload: fixture("shopify", "customers_create"), receivedAt }, store);
    if (!result.ok) throw new Error(result.error);
    const [event] = result.events;
    if (event.type !== "customer.add") throw new Error("expected customer.add");
    // THEN the address is stated and tags are null ("not said"), not [] ("no tags")
    expect(event.data.customer.address).toEqual({ country: "CA", region: "ON", city: "Ottawa" });
    expect(event.data.customer.tags).toBeNull();
  });

  it("splits Shopify's comma-separated tags, trimmed, without empties; an empty string means no tags", () => {
    const tagged = shopifyToCanonical({ topic: "customers/update", payload: { ...fixture("shopify", "customers_update"), tags: "VIP, wholesale ,,newsletter" }, receivedAt }, store);
    const untagged = shopifyToCanonical({ topic: "customers/update", payload: { ...fixture("shopify", "customers_update"), tags: "" }, receivedAt }, store);
    if (!tagged.ok || !untagged.ok) throw new Error("mapping failed");
    const [a] = tagged.events;
    const [b] = untagged.events;
    if (a.type !== "customer.update" || b.type !== "customer.update") throw new Error("expected customer.update");
    expect(a.data.customer.tags).toEqual(["VIP", "wholesale", "newsletter"]);
    expect(b.data.customer.tags).toEqual([]);
  });

  it("takes an order's customer address from the customer's default address, else billing, else shipping", () => {
    // GIVEN the recorded orders/create sample: customer default address Ottawa, ON, CA; billing and shipping in KY, US
    const payload = fixture("shopify", "orders_create");
    const mapOrder = (body: Record<string, unknown>) => {
      const result = shopifyToCanonical({ topic: "orders/create", payload: body, receivedAt }, store);
      if (!result.ok) throw new Error(result.error);
      const [event] = result.events;
      if (event.type !== "order.add") throw new Error("expected order.add");
      return event.data.order;
    };
    expect(mapOrder(payload).customer?.address).toEqual({ country: "CA", region: "ON", city: "Ottawa" });
    // WHEN the customer carries no default address, the billing address stands in; without billing, shipping
    const customer = { ...(payload.customer as Record<string, unknown>), default_address: null };
    expect(mapOrder({ ...payload, customer }).customer?.address).toEqual({ country: "US", region: "KY", city: "Shippington" });
    const shipping = { ...(payload.shipping_address as Record<string, unknown>), city: "Lexington" };
    expect(mapOrder({ ...payload, customer, billing_address: null, shipping_address: shipping }).customer?.address).toEqual({ country: "US", region: "KY", city: "Lexington" });
    // AND line items have no category: product_type is not in order webhooks
    expect(mapOrder(payload).lineItems.every((item) => item.category === null)).toBe(true);
  });

  it("maps a checkout's guest to the billing address (the checkouts/create sample's customer has a default address)", () => {
    const payload = fixture("shopify", "checkouts_create");
    const result = shopifyToCanonical({ topic: "checkouts/create", payload: { ...payload, customer: null }, receivedAt }, store);
    if (!result.ok) throw new Error(result.error);
    const [event] = result.events;
    if (event.type !== "checkout.create") throw new Error("expected checkout.create");
    expect(event.data.checkout.customer?.address).toEqual({ country: "US", region: "KY", city: "Billtown" });
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
    expect(shopifyToCanonical({ topic: "inventory_levels/update", payload: {}, receivedAt }, store)).toEqual({ ok: false, error: 'unsupported Shopify topic "inventory_levels/update"' });
  });

  it("stamps lifecycle topics with the time they were received", () => {
    const result = shopifyToCanonical({ topic: "app/uninstalled", payload: fixture("shopify", "app_uninstalled"), receivedAt }, store);
    expect(result).toEqual({ ok: true, events: [{ type: "store.uninstall", version: 1, occurredAt: receivedAt, data: {} }] });
  });

  it("maps orders/paid to order.paid with the financial status, at the order's last change", () => {
    const payload = { ...fixture("shopify", "orders_paid"), financial_status: "paid", cancelled_at: null, updated_at: "2022-01-02T10:00:00-05:00" };
    const result = shopifyToCanonical({ topic: "orders/paid", payload, receivedAt }, store);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      type: "order.paid",
      version: 1,
      occurredAt: "2022-01-02T15:00:00.000Z",
      data: { order: { externalId: "820982911946154508", financialStatus: "paid", totalPrice: 40495, currency: "USD", cancelledAt: null } },
    });
  });

  it("maps the recorded orders/paid sample as it is", () => {
    const result = shopifyToCanonical({ topic: "orders/paid", payload: fixture("shopify", "orders_paid"), receivedAt }, store);
    expect(result.ok && result.events[0]).toMatchObject({ type: "order.paid", data: { order: { externalId: "820982911946154508", financialStatus: "voided" } } });
  });

  it("maps orders/cancelled to order.cancel with the cancellation time", () => {
    const result = shopifyToCanonical({ topic: "orders/cancelled", payload: fixture("shopify", "orders_cancelled"), receivedAt }, store);
    expect(result.ok && result.events[0]).toMatchObject({
      type: "order.cancel",
      occurredAt: "2022-01-01T00:00:00.000Z",
      data: { order: { externalId: "820982911946154508", cancelledAt: "2022-01-01T00:00:00.000Z", email: "jon@example.com" } },
    });
  });

  it("treats orders/cancelled as cancelled even without cancelled_at", () => {
    const payload = { ...fixture("shopify", "orders_cancelled"), cancelled_at: null, updated_at: "2022-01-03T00:00:00Z" };
    const result = shopifyToCanonical({ topic: "orders/cancelled", payload, receivedAt }, store);
    expect(result.ok && result.events[0].type === "order.cancel" && result.events[0].data.order.cancelledAt).toBe("2022-01-03T00:00:00.000Z");
  });

  it("maps fulfillments/update to order.shipment.update", () => {
    const result = shopifyToCanonical({ topic: "fulfillments/update", payload: fixture("shopify", "fulfillments_update"), receivedAt }, store);
    expect(result.ok && result.events[0]).toEqual({
      type: "order.shipment.update",
      version: 1,
      occurredAt: "2022-01-01T00:00:00.000Z",
      data: {
        shipment: {
          externalId: "123456",
          // The sample's order id (820982911946154508) is above 2^53 and has no gid: JSON.parse has already rounded it.
          orderExternalId: "820982911946154500",
          status: "pending",
          trackingUrl: "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630",
          email: "jon@example.com",
          createdAt: "2022-01-01T00:00:00.000Z",
        },
      },
    });
  });

  it("takes the carrier's shipment status once the fulfillment stands", () => {
    const payload = { ...fixture("shopify", "fulfillments_update"), status: "success", shipment_status: "delivered" };
    const result = shopifyToCanonical({ topic: "fulfillments/update", payload, receivedAt }, store);
    expect(result.ok && result.events[0].type === "order.shipment.update" && result.events[0].data.shipment.status).toBe("delivered");
    expect(shipmentStatus("cancelled", "in_transit")).toBe("cancelled");
    expect(shipmentStatus("success", null)).toBe("success");
    expect(shipmentStatus(null, "out_for_delivery")).toBe("out_for_delivery");
  });

  it("maps customers/delete to customer.delete with the id from admin_graphql_api_id", () => {
    const result = shopifyToCanonical({ topic: "customers/delete", payload: fixture("shopify", "customers_delete"), receivedAt }, store);
    expect(result).toEqual({
      ok: true,
      events: [{ type: "customer.delete", version: 1, occurredAt: receivedAt, data: { customer: { externalId: "706405506930370084" } } }],
    });
  });

  it("maps customers_email_marketing_consent/update from customer_id and email_address", () => {
    const result = shopifyToCanonical(
      { topic: "customers_email_marketing_consent/update", payload: fixture("shopify", "customers_email_marketing_consent_update"), receivedAt },
      store,
    );
    // The sample's customer id is above 2^53 without a gid: rounded by JSON.parse, so it is left out.
    expect(result).toEqual({
      ok: true,
      events: [
        {
          type: "customer.consent.update",
          version: 1,
          occurredAt: receivedAt,
          data: { customer: { externalId: null, email: "bob@biller.com" }, acceptsMarketing: false, state: "not_subscribed", consentUpdatedAt: null },
        },
      ],
    });

    const subscribed = {
      customer_id: 7064055069,
      email_address: " Bob@Biller.com ",
      email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-09T08:00:00-05:00" },
    };
    const again = shopifyToCanonical({ topic: "customers_email_marketing_consent/update", payload: subscribed, receivedAt }, store);
    expect(again.ok && again.events[0]).toMatchObject({
      occurredAt: "2026-01-09T13:00:00.000Z",
      data: { customer: { externalId: "7064055069", email: "bob@biller.com" }, acceptsMarketing: true, state: "subscribed", consentUpdatedAt: "2026-01-09T13:00:00.000Z" },
    });
  });

  it("names the field when a consent payload lacks customer_id", () => {
    const payload = { ...fixture("shopify", "customers_email_marketing_consent_update"), customer_id: undefined };
    const result = shopifyToCanonical({ topic: "customers_email_marketing_consent/update", payload, receivedAt }, store);
    expect(result.ok ? "" : result.error).toMatch(/^customer_id: /);
  });

  it("knows every topic shopify.app.toml subscribes to", () => {
    const toml = readFileSync(path.resolve(import.meta.dirname, "../../../../shopify.app.toml"), "utf8");
    const subscribed = [...toml.matchAll(/^\s*(?:compliance_)?topics\s*=\s*\[([^\]]*)\]/gm)].flatMap((match) => [...match[1].matchAll(/"([^"]+)"/g)].map((topic) => topic[1]));
    expect(subscribed).toEqual(expect.arrayContaining(["orders/paid", "orders/cancelled", "fulfillments/update", "customers/delete", "customers_email_marketing_consent/update"]));
    for (const topic of subscribed) expect(SHOPIFY_TOPICS).toContain(topic);
  });

  it("maps products/update to the catalogue: lowest price, page, picture, type; on sale only when some variant can be sold", () => {
    const product = {
      id: 632910392,
      admin_graphql_api_id: "gid://shopify/Product/632910392",
      title: "IPod Nano - 8GB",
      handle: "ipod-nano",
      product_type: " Cult Products ",
      status: "active",
      published_at: "2026-01-01T10:00:00-05:00",
      updated_at: "2026-01-09T10:00:00-05:00",
      image: { src: "https://cdn.shopify.com/ipod.png" },
      variants: [
        { price: "199.00", inventory_quantity: 0, inventory_policy: "deny", inventory_management: "shopify" },
        { price: "149.50", inventory_quantity: 0, inventory_policy: "continue", inventory_management: "shopify" },
      ],
    };
    const result = shopifyToCanonical({ topic: "products/update", payload: product, receivedAt }, store);
    expect(result).toEqual({
      ok: true,
      events: [
        {
          type: "product.update",
          version: 1,
          occurredAt: "2026-01-09T15:00:00.000Z",
          data: {
            product: {
              externalId: "632910392",
              title: "IPod Nano - 8GB",
              url: "https://test-shop.myshopify.com/products/ipod-nano",
              imageUrl: "https://cdn.shopify.com/ipod.png",
              price: 14950,
              currency: "USD",
              category: "Cult Products",
              available: true, // sells on when out of stock
              updatedAt: "2026-01-09T15:00:00.000Z",
            },
          },
        },
      ],
    });
    const soldOut = { ...product, variants: [product.variants[0]] };
    const unpublished = { ...product, published_at: null };
    const draft = { ...product, status: "draft" };
    for (const payload of [soldOut, unpublished, draft]) {
      const mapped = shopifyToCanonical({ topic: "products/update", payload, receivedAt }, store);
      expect(mapped.ok && mapped.events[0].type === "product.update" && mapped.events[0].data.product.available).toBe(false);
    }
    expect(shopifyToCanonical({ topic: "products/delete", payload: { id: 632910392 }, receivedAt }, store)).toMatchObject({
      ok: true,
      events: [{ type: "product.delete", occurredAt: receivedAt, data: { product: { externalId: "632910392" } } }],
    });
  });
});
