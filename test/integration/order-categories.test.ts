// Line-item categories from the store's product API: Shopify's order webhooks carry no product_type, so the
// worker asks the Admin API (the emulator here) for each variant's product type and image, stores the type as
// OrderLine.category, and a "bought in category" segment then finds the buyer. Over real signed webhooks against
// the real app server. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { createSegment, previewSegment } from "~/core/segments/segments.server";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { BROWSER_UA, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const VARIANT_ID = 808_950_810;
const TYPED_IMAGE = "https://cdn.shopify.example/ipod-nano-pink.png";
const UNTYPED_VARIANT_ID = 49_148_385;
const EMAIL = "ann@example.com";

/** A segment rule (its root is a group) of one "bought in category" condition. */
function boughtIn(category: string) {
  return { kind: "group", match: "all", conditions: [{ kind: "bought", op: "has", category }] };
}

function orderWithVariants() {
  const base = fixture("shopify", "orders_create") as { line_items: Record<string, unknown>[] };
  const [first, second] = base.line_items;
  return {
    ...base,
    id: 7_101,
    admin_graphql_api_id: "gid://shopify/Order/7101",
    name: "#7101",
    email: EMAIL,
    contact_email: EMAIL,
    customer: { id: 5_101, admin_graphql_api_id: "gid://shopify/Customer/5101", email: EMAIL, first_name: "Ann", last_name: "Buyer", phone: null },
    financial_status: "paid",
    cancelled_at: null, // the fixture's order is cancelled, which no "bought" rule counts
    cancel_reason: null,
    created_at: "2026-01-10T10:00:00Z",
    processed_at: "2026-01-10T10:00:00Z",
    updated_at: "2026-01-10T10:00:00Z",
    line_items: [
      { ...first, title: "iPod Nano", name: "iPod Nano", variant_id: VARIANT_ID },
      { ...second, variant_id: UNTYPED_VARIANT_ID },
    ],
  };
}

describe.each(databaseTargets())("line-item categories from the Shopify product API on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-01-10T12:00:00Z",
      shopify: {
        seed: {
          variants: {
            [String(VARIANT_ID)]: { imageUrl: TYPED_IMAGE, productImageUrl: null, productType: "Music Players" },
            // Shopify answers "" for a product without a type: no category.
            [String(UNTYPED_VARIANT_ID)]: { imageUrl: null, productImageUrl: null, productType: "" },
          },
        },
      },
      sendgrid: false,
    });
    // The shop installs (token exchange), so the worker has an offline token for the Admin API.
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const response = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, {
      headers: { "User-Agent": BROWSER_UA },
    });
    expect(response.status, harness.app.output()).toBe(200);
  });

  afterAll(() => harness?.stop());

  it("stores the product type as the order line's category, and a bought-in-category segment counts the buyer", async () => {
    // GIVEN an orders/create webhook whose line items name variants but carry no product_type
    const delivery = await harness.deliver("orders/create", orderWithVariants());
    expect(delivery.status, harness.app.output()).toBe(200);

    // WHEN the worker processes it
    await harness.worker.tick();

    // THEN the worker asked the Admin API for the variants' details once
    expect(await harness.db.inboxEvent.findMany({ where: { status: { not: "processed" } } })).toEqual([]);
    const lookups = harness.shopify.graphqlRequests.filter((request) => request.operationName === "NudgeflowVariantDetails");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ status: 200, variables: { ids: expect.arrayContaining([`gid://shopify/ProductVariant/${VARIANT_ID}`]) } });

    // AND the typed line has its category (an empty product type is no category)
    const lines = await harness.db.orderLine.findMany({ orderBy: { position: "asc" } });
    expect(lines.map((line) => ({ variantId: line.variantId, category: line.category }))).toEqual([
      { variantId: String(VARIANT_ID), category: "Music Players" },
      { variantId: String(UNTYPED_VARIANT_ID), category: null },
    ]);
    // (the stored event carries the hydrated image too)
    const event = await harness.db.event.findFirstOrThrow({ where: { type: "order.add" } });
    expect(JSON.stringify(event.data)).toContain(TYPED_IMAGE);

    // AND a segment "bought something in Music Players" counts the buyer, and another category does not
    const buyer = await harness.db.customer.findFirstOrThrow({ where: { email: EMAIL } });
    const now = harness.clock.now();
    const created = await createSegment(harness.db, {
      workspaceId: buyer.workspaceId,
      name: "Music lovers",
      rule: boughtIn("Music Players"),
      now,
    });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const preview = await previewSegment(harness.db, { workspaceId: buyer.workspaceId, rule: boughtIn("Music Players"), now });
    expect(preview).toMatchObject({ ok: true, count: 1, sample: [expect.objectContaining({ customerId: buyer.id })] });
    const other = await previewSegment(harness.db, { workspaceId: buyer.workspaceId, rule: boughtIn("Sunglasses"), now });
    expect(other).toMatchObject({ ok: true, count: 0 });
  });
});
