// The Shopify catalogue and shop address, over real HTTP: install (token exchange) reads the shop's address; the
// worker's sync phase reads the products through the Admin GraphQL API emulator (a cursor page at a time, then only
// what changed), signed products/* webhooks keep them current, and each becomes a Product row through the inbox.
// Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { productWebhookBody, type EmulatedProduct } from "../emulators/shopify/server";
import { databaseTargets, dropAll } from "../support/databases";
import { BROWSER_UA, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const AT = "2026-02-01T10:00:00Z";
const product = (id: number, extra: Partial<EmulatedProduct> = {}): EmulatedProduct => ({
  id,
  title: `Product ${id}`,
  handle: `product-${id}`,
  productType: id % 2 ? "Tea" : "Teaware",
  updatedAt: AT,
  price: "12.50",
  imageUrl: `https://cdn.shopify.example/p${id}.png`,
  ...extra,
});
// 60 active products (two pages of 50), and four that are not on sale: a draft, an unpublished one, a sold-out one,
// an archived one.
const CATALOGUE = [
  ...Array.from({ length: 60 }, (_, index) => product(1000 + index)),
  product(2001, { status: "DRAFT" }),
  product(2002, { publishedAt: null }),
  product(2003, { variantsForSale: [false, false] }),
  product(2004, { status: "ARCHIVED" }),
];

describe.each(databaseTargets())("Shopify catalogue and address on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let storeId: string;
  const row = (externalId: string) => harness.db.product.findUniqueOrThrow({ where: { storeId_externalId: { storeId, externalId } } });

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-02-01T12:00:00Z",
      shopify: { sync: true, seed: { currencyCode: "EUR", products: CATALOGUE, billingAddress: ["Nudge Tea GmbH", "Teestraße 5", "10115 Berlin", "Germany"] } },
      sendgrid: false,
    });
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const response = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, { headers: { "User-Agent": BROWSER_UA } });
    expect(response.status, harness.app.output()).toBe(200);
    storeId = (await harness.db.store.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } })).id;
  });

  afterAll(() => harness?.stop());

  it("reads the shop's address at install", async () => {
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).address).toBe("Nudge Tea GmbH, Teestraße 5, 10115 Berlin, Germany");
  });

  it("backfills the catalogue through GraphQL, page by page, with what is on sale", async () => {
    await harness.worker.tick();

    const pages = harness.shopify.graphqlRequests.filter((request) => request.operationName === "NudgeflowProducts");
    expect(pages.map((request) => [request.variables.after ?? null, request.variables.query ?? null])).toEqual([
      [null, null],
      [expect.any(String), null],
    ]);
    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    expect(await harness.db.product.count({ where: { storeId } })).toBe(64);
    expect(await row("1001")).toMatchObject({
      title: "Product 1001",
      url: `https://${SHOP}/products/product-1001`,
      imageUrl: "https://cdn.shopify.example/p1001.png",
      price: 1250,
      currency: "EUR",
      category: "Tea",
      available: true,
    });
    for (const id of ["2001", "2002", "2003", "2004"]) expect((await row(id)).available, id).toBe(false);
    expect(await harness.db.syncState.findUniqueOrThrow({ where: { storeId_resource: { storeId, resource: "products" } } })).toMatchObject({ status: "idle", cursor: "2026-02-01T10:00:00.000Z" });
  });

  it("follows products/* webhooks: an update, an unpublish, a creation, a deletion; a late older update changes nothing", async () => {
    const later = "2026-02-01T12:30:00Z";
    expect((await harness.deliver("products/update", productWebhookBody(product(1001, { title: "Sencha, renamed", price: "9.90", updatedAt: later })))).status).toBe(200);
    expect((await harness.deliver("products/update", productWebhookBody(product(1002, { publishedAt: null, updatedAt: later })))).status).toBe(200);
    expect((await harness.deliver("products/create", productWebhookBody(product(3001, { updatedAt: later, productType: "Gifts" })))).status).toBe(200);
    expect((await harness.deliver("products/delete", { id: 1003 })).status).toBe(200);
    await harness.worker.tick();
    // A delivery of an older version arrives late.
    expect((await harness.deliver("products/update", productWebhookBody(product(1001, { title: "Old title", updatedAt: "2026-02-01T11:00:00Z" })))).status).toBe(200);
    await harness.worker.tick();

    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    expect(await row("1001")).toMatchObject({ title: "Sencha, renamed", price: 990, available: true });
    expect(await row("1002")).toMatchObject({ available: false });
    expect(await row("3001")).toMatchObject({ category: "Gifts", available: true, url: `https://${SHOP}/products/product-3001` });
    expect(await row("1003")).toMatchObject({ available: false, url: null });
  });

  it("reconciles only what changed since the last sync, and follows a new address", async () => {
    harness.shopify.seedShop(SHOP, { products: [product(2001, { status: "ACTIVE", updatedAt: "2026-02-01T12:40:00Z" })], billingAddress: ["Teestraße 7", "10115 Berlin", "Germany"] });
    harness.shopify.graphqlRequests.length = 0;
    const before = await harness.db.inboxEvent.count();
    harness.clock.advance({ minutes: 16 });
    await harness.worker.tick();

    // Asked from the cursor (less a minute of overlap); what was already stored at its version is not stored again.
    const pages = harness.shopify.graphqlRequests.filter((request) => request.operationName === "NudgeflowProducts");
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const page of pages) expect(page.variables.query).toBe("updated_at:>'2026-02-01T09:59:00.000Z'");
    expect((await harness.db.inboxEvent.count()) - before).toBe(1);
    expect(await row("2001")).toMatchObject({ available: true });
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).address).toBe("Teestraße 7, 10115 Berlin, Germany");
  });
});
