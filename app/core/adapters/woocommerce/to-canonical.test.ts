import { fixture } from "../../../../test/fixtures";
import { wooCommerceToCanonical } from "./to-canonical";

const store = { id: "store-1", domain: "shop.example", currency: "USD", timezone: "UTC" };
const receivedAt = "2024-01-01T00:00:00.000Z";

describe("WooCommerce payloads → canonical events", () => {
  it("maps order.created (the docs' guest order 727) to order.add in minor units, billing email as the customer", () => {
    const result = wooCommerceToCanonical({ topic: "order.created", payload: fixture("woocommerce", "order"), receivedAt }, store);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event.type).toBe("order.add");
    expect(event.occurredAt).toBe("2017-03-22T19:28:02.000Z"); // date_created_gmt, read as UTC
    if (event.type !== "order.add") return;
    expect(event.data.order).toMatchObject({
      externalId: "727",
      name: "#727",
      email: "john.doe@example.com",
      currency: "USD",
      totalPrice: 2935,
      financialStatus: "paid",
      placedAt: "2017-03-22T19:28:02.000Z",
      cancelledAt: null,
      customer: { externalId: null, email: "john.doe@example.com", firstName: "John", lastName: "Doe", phone: "(555) 555-5555", acceptsMarketing: null },
    });
    expect(event.data.order.lineItems).toEqual([
      { productId: "93", variantId: null, sku: null, title: "Woo Single #1", variantTitle: null, quantity: 2, price: 300, imageUrl: null, category: null },
      { productId: "22", variantId: "23", sku: "Bar3", title: "Ship Your Idea – Color: Black, Size: M Test", variantTitle: null, quantity: 1, price: 1200, imageUrl: null, category: null },
    ]);
  });

  it("maps order.updated of a cancelled order to order.update with its cancellation time", () => {
    const payload = { ...fixture("woocommerce", "order"), status: "cancelled", customer_id: 25, date_modified_gmt: "2017-03-23T10:00:00" };
    const result = wooCommerceToCanonical({ topic: "order.updated", payload, receivedAt }, store);
    if (!result.ok) throw new Error(result.error);
    const [event] = result.events;
    expect(event.type).toBe("order.update");
    expect(event.occurredAt).toBe("2017-03-23T10:00:00.000Z");
    if (event.type !== "order.update") return;
    expect(event.data.order).toMatchObject({ financialStatus: "cancelled", cancelledAt: "2017-03-23T10:00:00.000Z", customer: { externalId: "25" } });
  });

  it("keeps the order's coupon codes as the store spelled them (none in the docs' order)", () => {
    const payload = { ...fixture("woocommerce", "order"), coupon_lines: [{ id: 1, code: "thanks-ab12cd34 ", discount: "5.00" }] };
    const result = wooCommerceToCanonical({ topic: "order.created", payload, receivedAt }, store);
    const plain = wooCommerceToCanonical({ topic: "order.created", payload: fixture("woocommerce", "order"), receivedAt }, store);
    if (!result.ok || !plain.ok) throw new Error("not mapped");
    const [event] = result.events;
    const [plainEvent] = plain.events;
    if (event.type !== "order.add" || plainEvent.type !== "order.add") throw new Error("not an order.add");
    expect(event.data.order.discountCodes).toEqual(["thanks-ab12cd34"]);
    expect(plainEvent.data.order.discountCodes).toEqual([]);
  });

  it("maps customer.created and customer.updated (customer 25)", () => {
    const created = wooCommerceToCanonical({ topic: "customer.created", payload: fixture("woocommerce", "customer"), receivedAt }, store);
    const updated = wooCommerceToCanonical({ topic: "customer.updated", payload: fixture("woocommerce", "customer"), receivedAt }, store);
    if (!created.ok || !updated.ok) throw new Error("mapping failed");
    expect(created.events[0]).toMatchObject({
      type: "customer.add",
      occurredAt: "2017-03-21T19:09:28.000Z",
      data: { customer: { externalId: "25", email: "john.doe@example.com", firstName: "John", lastName: "Doe", phone: "(555) 555-5555", acceptsMarketing: null, createdAt: "2017-03-21T19:09:28.000Z", updatedAt: "2017-03-21T19:09:30.000Z" } },
    });
    expect(updated.events[0]).toMatchObject({ type: "customer.update", occurredAt: "2017-03-21T19:09:30.000Z" });
  });

  it("takes the customer's place from the billing address, and says nothing about tags (WooCommerce has none)", () => {
    // GIVEN the docs' customer 25 and order 727, both billed in San Francisco, CA, US
    const customer = wooCommerceToCanonical({ topic: "customer.updated", payload: fixture("woocommerce", "customer"), receivedAt }, store);
    const order = wooCommerceToCanonical({ topic: "order.created", payload: fixture("woocommerce", "order"), receivedAt }, store);
    if (!customer.ok || !order.ok) throw new Error("mapping failed");
    const [customerEvent] = customer.events;
    const [orderEvent] = order.events;
    if (customerEvent.type !== "customer.update" || orderEvent.type !== "order.add") throw new Error("unexpected event types");
    // THEN both state the address as ISO country, state code and city; tags stay unsaid (null), not "no tags"
    const place = { country: "US", region: "CA", city: "San Francisco" };
    expect(customerEvent.data.customer).toMatchObject({ address: place, tags: null });
    expect(orderEvent.data.order.customer).toMatchObject({ address: place, tags: null });
  });

  it("states no address when the billing address is left blank", () => {
    const payload = { ...fixture("woocommerce", "customer"), billing: { first_name: "", last_name: "", email: "john.doe@example.com", country: "", state: "", city: "" } };
    const result = wooCommerceToCanonical({ topic: "customer.updated", payload, receivedAt }, store);
    if (!result.ok) throw new Error(result.error);
    const [event] = result.events;
    if (event.type !== "customer.update") throw new Error("expected customer.update");
    expect(event.data.customer.address).toBeNull();
  });

  it("says why a payload cannot be mapped, and refuses topics it does not know", () => {
    const bad = wooCommerceToCanonical({ topic: "order.created", payload: { ...fixture("woocommerce", "order"), total: "twelve" }, receivedAt }, store);
    expect(bad).toEqual({ ok: false, error: 'total: not a decimal amount: "twelve"' });
    const missing = wooCommerceToCanonical({ topic: "order.created", payload: { id: 1 }, receivedAt }, store);
    expect(missing.ok).toBe(false);
    expect(wooCommerceToCanonical({ topic: "coupon.created", payload: {}, receivedAt }, store)).toEqual({ ok: false, error: 'unsupported WooCommerce topic "coupon.created"' });
  });

  it("rounds money in the currency's minor units (JPY has none)", () => {
    const payload = { ...fixture("woocommerce", "order"), currency: "JPY", total: "2935" };
    const result = wooCommerceToCanonical({ topic: "order.created", payload, receivedAt }, store);
    if (!result.ok) throw new Error(result.error);
    const [event] = result.events;
    if (event.type !== "order.add") throw new Error("expected order.add");
    expect(event.data.order.totalPrice).toBe(2935);
    expect(event.data.order.lineItems[0].price).toBe(3);
  });
});
