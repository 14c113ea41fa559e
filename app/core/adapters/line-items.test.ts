import { fixture } from "../../../test/fixtures";
import type { VariantDetails } from "./adapter";
import { lineItemsOf, needsDetails, withDetails } from "./line-items";
import { shopifyToCanonical } from "./shopify/to-canonical";

const store = { id: "store_1", domain: "test-shop.myshopify.com", currency: "USD", timezone: "UTC" };

function orderEvent() {
  const base = fixture("shopify", "orders_create") as { line_items: Record<string, unknown>[] };
  const [first, second, third] = base.line_items;
  const payload = {
    ...base,
    line_items: [
      { ...first, variant_id: 1 }, // nothing known: both filled in
      { ...second, variant_id: 2, product_type: "Warranties" }, // the payload's category wins
      { ...third, variant_id: null }, // no variant: nothing to look up
    ],
  };
  const result = shopifyToCanonical({ topic: "orders/create", payload, receivedAt: "2026-01-10T10:00:00.000Z" }, store);
  if (!result.ok) throw new Error(result.error);
  return result.events[0];
}

describe("line-item details from a variant lookup", () => {
  it("fills a missing image and a missing category, keeps what the payload said, and skips items without a variant", () => {
    // GIVEN an order whose line items lack images and (mostly) categories
    const event = orderEvent();
    expect(lineItemsOf(event).map(needsDetails)).toEqual([true, true, false]);
    const details = new Map<string, VariantDetails>([
      ["1", { imageUrl: "https://cdn.example.com/1.png", category: "Sunglasses" }],
      ["2", { imageUrl: "https://cdn.example.com/2.png", category: "Other" }],
    ]);

    // WHEN the details are applied
    const filled = withDetails(event, details);

    // THEN both gaps are filled from the lookup, the payload's category stays, and the input is untouched
    expect(lineItemsOf(filled).map((item) => ({ imageUrl: item.imageUrl, category: item.category }))).toEqual([
      { imageUrl: "https://cdn.example.com/1.png", category: "Sunglasses" },
      { imageUrl: "https://cdn.example.com/2.png", category: "Warranties" },
      { imageUrl: null, category: null },
    ]);
    expect(lineItemsOf(filled).map(needsDetails)).toEqual([false, false, false]);
    expect(lineItemsOf(event)[0].category).toBeNull();
  });
});
