// The WooCommerce catalogue and store address, over real HTTP: connecting reads the address from the general
// settings, the worker's sync phase reads GET /products (modified_after on a reconcile), signed product.* webhooks
// keep them current, and each becomes a Product row through the inbox. SQLite, and PostgreSQL when DATABASE_URL is set.
import { connectWooCommerceStore } from "~/core/adapters/woocommerce/connect.server";
import { createSecretBox } from "~/core/crypto.server";
import { startWooCommerceEmulator, wooProduct, type WooCommerceEmulator } from "../emulators/woocommerce/server";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const ENCRYPTION_KEY = "b".repeat(64);
const KEY = "ck_0123456789abcdef0123456789abcdef01234567";
const SECRET = "cs_fedcba9876543210fedcba9876543210fedcba98";
const box = createSecretBox(Buffer.from(ENCRYPTION_KEY, "hex"));

afterAll(dropAll);

describe.each(databaseTargets())("WooCommerce catalogue and address on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let woo: WooCommerceEmulator;
  let storeId: string;
  const row = (externalId: string) => harness.db.product.findUniqueOrThrow({ where: { storeId_externalId: { storeId, externalId } } });

  beforeAll(async () => {
    woo = await startWooCommerceEmulator({ consumerKey: KEY, consumerSecret: SECRET });
    woo.settings.set("woocommerce_currency", "EUR");
    woo.seed({
      products: [
        wooProduct(11, { name: "Sencha &amp; Rice", price: "14.50", category: "Tea", modifiedAt: "2026-02-01T10:00:00Z" }),
        wooProduct(12, { name: "Teapot", price: "59", category: "Teaware", modifiedAt: "2026-02-01T10:00:00Z" }),
        wooProduct(13, { name: "Sold out", price: "5.00", stockStatus: "outofstock", modifiedAt: "2026-02-01T10:00:00Z" }),
        wooProduct(14, { name: "Draft", price: "5.00", status: "draft", modifiedAt: "2026-02-01T10:00:00Z" }),
      ],
    });
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-02-01T12:00:00Z",
      shopify: false,
      sendgrid: false,
      extraEnv: () => ({ ENCRYPTION_KEY, SESSION_SECRET: "integration-test-session-secret" }),
      workerDeps: () => ({ secretBox: () => box }),
    });
    const workspaceId = (await harness.db.workspace.create({ data: { name: "Woo catalogue" } })).id;
    const connected = await connectWooCommerceStore(
      { db: harness.db, clock: harness.clock, secretBox: box },
      { workspaceId, siteUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET, appUrl: harness.app.url },
    );
    if (!connected.ok) throw new Error(connected.error);
    storeId = connected.storeId;
  });

  afterAll(async () => {
    await harness?.stop();
    await woo?.close();
  });

  it("reads the store's address and currency at connect, and registers the product webhooks", async () => {
    expect(await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).toMatchObject({ address: "1 Emulated Way, Springfield, IL 62701, US", currency: "EUR" });
    expect(woo.webhooks.map((hook) => hook.topic)).toEqual(expect.arrayContaining(["product.created", "product.updated", "product.deleted"]));
  });

  it("backfills the catalogue: permalink, first image, price, first category; drafts and sold-out ones not on sale", async () => {
    await harness.worker.tick();
    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    expect(await row("11")).toMatchObject({
      title: "Sencha & Rice",
      url: "https://shop.example/product/sencha-amp-rice/",
      imageUrl: "https://shop.example/wp-content/uploads/sencha-amp-rice.jpg",
      price: 1450,
      currency: "EUR",
      category: "Tea",
      available: true,
    });
    expect(await row("12")).toMatchObject({ price: 5900, category: "Teaware", available: true });
    expect(await row("13")).toMatchObject({ available: false });
    expect(await row("14")).toMatchObject({ available: false });
  });

  it("follows product.* webhooks: out of stock, deleted", async () => {
    expect((await woo.deliver("product.updated", wooProduct(12, { name: "Teapot", price: "59", stockStatus: "outofstock", modifiedAt: "2026-02-01T12:10:00Z" }))).status).toBe(200);
    expect((await woo.deliver("product.deleted", { id: 11 })).status).toBe(200);
    await harness.worker.tick();
    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    expect(await row("12")).toMatchObject({ available: false });
    expect(await row("11")).toMatchObject({ available: false, url: null });
  });

  it("reconciles products modified since the cursor, and follows a new address", async () => {
    woo.seed({ products: [wooProduct(14, { name: "Draft, now out", price: "6.00", modifiedAt: "2026-02-01T12:20:00Z" })] });
    woo.settings.set("woocommerce_store_address", "2 Emulated Way");
    woo.requests.length = 0;
    harness.clock.advance({ minutes: 16 });
    await harness.worker.tick();

    const reads = woo.requests.filter((request) => request.path.endsWith("/products"));
    expect(reads).toHaveLength(1);
    expect(reads[0].query.modified_after).toBe("2026-02-01T09:59:00.000Z");
    expect(await row("14")).toMatchObject({ title: "Draft, now out", available: true, price: 600 });
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).address).toBe("2 Emulated Way, Springfield, IL 62701, US");
  });
});
