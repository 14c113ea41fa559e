// WooCommerce end to end, over real HTTP: connect against the WooCommerce emulator (keys checked, webhooks
// registered with our URL and a per-store secret, credentials sealed), signed deliveries into the real app server,
// the worker (in this process, on a manual clock) turning them into profiles, backfill across pages and reconcile.
// Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { connectWooCommerceStore } from "~/core/adapters/woocommerce/connect.server";
import { createSecretBox } from "~/core/crypto.server";
import { fixture } from "../fixtures";
import { startWooCommerceEmulator, wooCustomer, wooOrder, type WooCommerceEmulator } from "../emulators/woocommerce/server";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const ENCRYPTION_KEY = "a".repeat(64);
const KEY = "ck_0123456789abcdef0123456789abcdef01234567";
const SECRET = "cs_fedcba9876543210fedcba9876543210fedcba98";
const box = createSecretBox(Buffer.from(ENCRYPTION_KEY, "hex"));

afterAll(dropAll);

describe.each(databaseTargets())("WooCommerce on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let woo: WooCommerceEmulator;
  let workspaceId: string;
  let storeId: string;
  const clock = () => harness.clock;
  const connect = (overrides: { consumerKey?: string; consumerSecret?: string; siteUrl?: string } = {}) =>
    connectWooCommerceStore(
      { db: harness.db, clock: clock(), secretBox: box },
      { workspaceId, siteUrl: woo.url, consumerKey: KEY, consumerSecret: SECRET, appUrl: harness.app.url, ...overrides },
    );

  beforeAll(async () => {
    woo = await startWooCommerceEmulator({ consumerKey: KEY, consumerSecret: SECRET });
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2024-03-01T12:00:00Z",
      shopify: false,
      sendgrid: false,
      extraEnv: () => ({ ENCRYPTION_KEY, SESSION_SECRET: "integration-test-session-secret" }),
      workerDeps: () => ({ secretBox: () => box }),
    });
    workspaceId = (await harness.db.workspace.create({ data: { name: "Woo merchant" } })).id;
  });

  afterAll(async () => {
    await harness?.stop();
    await woo?.close();
  });

  it("refuses wrong keys with a clear error and stores nothing", async () => {
    const result = await connect({ consumerSecret: "cs_wrong0000000000000000000000000000000000" });
    expect(result).toMatchObject({ ok: false, field: "consumerKey" });
    if (!result.ok) expect(result.error).toContain("WooCommerce rejected the consumer key/secret");
    expect(await harness.db.store.count({ where: { platform: "woocommerce" } })).toBe(0);
    expect(woo.webhooks).toHaveLength(0);

    const noApi = await connect({ siteUrl: harness.app.url });
    expect(noApi).toMatchObject({ ok: false, field: "siteUrl" });
    if (!noApi.ok) expect(noApi.error).toContain("no WooCommerce REST API at");
  });

  it("connects with good keys: webhooks registered with our URL and a secret, credentials sealed", async () => {
    const result = await connect();
    if (!result.ok) throw new Error(result.error);
    storeId = result.storeId;
    expect(result.webhooks.map((hook) => hook.topic)).toEqual(["order.created", "order.updated", "customer.created", "customer.updated", "product.created", "product.updated", "product.deleted"]);

    const store = await harness.db.store.findUniqueOrThrow({ where: { id: storeId } });
    expect(store).toMatchObject({ platform: "woocommerce", status: "active", apiUrl: woo.url });
    expect(store.credentials).not.toContain(SECRET);
    expect(store.credentials).not.toContain(KEY);
    expect(JSON.parse(box.open(store.credentials ?? ""))).toEqual({ consumerKey: KEY, consumerSecret: SECRET });
    const secret = box.open(store.webhookSecret ?? "");
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(woo.webhooks).toHaveLength(7);
    for (const hook of woo.webhooks) {
      expect(hook).toMatchObject({ delivery_url: `${harness.app.url}/webhooks/woocommerce/${storeId}`, secret, status: "active" });
      expect(hook.pingStatus).toBe(200); // WooCommerce pings on creation; the app answered 200
    }
    // http site: the keys go in the query string, as WooCommerce requires without TLS
    expect(woo.requests.every((request) => request.auth === "query")).toBe(true);
    expect(await harness.db.inboxEvent.count()).toBe(0); // pings are not stored

    // Connecting again reuses our webhooks (no duplicates) and keeps the secret
    const again = await connect();
    expect(again).toMatchObject({ ok: true, reconnected: true });
    expect(woo.webhooks).toHaveLength(7);
    expect(box.open((await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).webhookSecret ?? "")).toBe(secret);
  });

  it("answers the ping 200 without storing it; a forged delivery 401; an unknown store 404", async () => {
    expect(await woo.ping("order.created")).toBe(200);
    const forged = await woo.deliver("order.created", fixture("woocommerce", "order"), { signature: "Zm9yZ2VkIHNpZ25hdHVyZQ==" });
    expect(forged.status).toBe(401);
    const unknown = await fetch(`${harness.app.url}/webhooks/woocommerce/no-such-store`, { method: "POST", body: "webhook_id=1" });
    expect(unknown.status).toBe(404);
    expect(await harness.db.inboxEvent.count()).toBe(0);
  });

  it("turns a signed order.created into an order and a customer profile; a redelivery into nothing more", async () => {
    // Backfill is due at the first tick: empty store, nothing to read yet
    const order = wooOrder(5001, { email: "Ada@Example.com", customerId: 77, total: "120.50", createdAt: "2024-03-01T11:59:00Z" });
    const delivery = await woo.deliver("order.created", order, { deliveryId: "delivery-5001" });
    expect(delivery.status, harness.app.output()).toBe(200);
    expect((await woo.deliver("order.created", order, { deliveryId: "delivery-5001" })).status).toBe(200);
    await harness.worker.tick();

    expect(await harness.db.inboxEvent.count({ where: { source: "woocommerce", dedupeKey: `${storeId}:delivery-5001` } })).toBe(1);
    const saved = await harness.db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId, externalId: "5001" } } });
    expect(saved).toMatchObject({ totalPrice: 12050, currency: "USD", email: "ada@example.com", financialStatus: "paid" });
    const customer = await harness.db.customer.findUniqueOrThrow({ where: { workspaceId_email: { workspaceId, email: "ada@example.com" } } });
    expect(customer).toMatchObject({ ordersCount: 1, totalSpent: 12050, firstName: "John" });
    expect(await harness.db.customerIdentity.count({ where: { storeId, externalId: "77", customerId: customer.id } })).toBe(1);
    expect(await harness.db.event.count({ where: { storeId, type: "order.add" } })).toBe(1);
  });

  it("backfills three pages of orders, then a reconcile picks only what changed", async () => {
    // GIVEN 250 orders (3 pages of 100) and 3 customers in the store
    const orders = Array.from({ length: 250 }, (_, index) =>
      wooOrder(6000 + index, { email: `buyer${index % 20}@example.com`, total: "10.00", createdAt: "2024-02-01T10:00:00Z", modifiedAt: `2024-02-${String(1 + (index % 20)).padStart(2, "0")}T10:00:00Z` }),
    );
    woo.seed({ orders, customers: [1, 2, 3].map((id) => wooCustomer(id, { email: `buyer${id}@example.com`, createdAt: "2024-01-01T00:00:00Z" })) });
    await harness.db.syncState.updateMany({ where: { storeId }, data: { cursor: null, lastRunAt: null, status: "idle" } });
    woo.requests.length = 0;

    // WHEN the worker's sync phase runs
    await harness.worker.tick();

    // THEN every order came in over 3 pages of 100, and the cursor is the latest modification
    const pages = woo.requests.filter((request) => request.path.endsWith("/orders") && request.query.per_page === "100");
    expect(pages.map((request) => request.query.page)).toEqual(["1", "2", "3"]);
    expect(pages[0].query.modified_after).toBeUndefined();
    expect(await harness.db.order.count({ where: { storeId } })).toBe(251);
    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    const ordersState = await harness.db.syncState.findUniqueOrThrow({ where: { storeId_resource: { storeId, resource: "orders" } } });
    expect(ordersState).toMatchObject({ status: "idle", error: null, cursor: "2024-02-20T10:00:00.000Z" });
    // a backfill converges state without firing order.add triggers for history
    expect(await harness.db.event.count({ where: { storeId, type: "order.add" } })).toBe(1);

    // WHEN one order changes (cancelled) and one is created whose webhook was lost, and 15 minutes pass
    woo.orders.set(6003, { ...woo.orders.get(6003)!, status: "cancelled", date_modified_gmt: "2024-03-01T12:05:00" });
    woo.seed({ orders: [wooOrder(7000, { email: "late@example.com", createdAt: "2024-03-01T12:06:00Z" })] });
    const before = await harness.db.inboxEvent.count();
    woo.requests.length = 0;
    clock().advance({ minutes: 16 });
    await harness.worker.tick();

    // THEN only those two were read and stored
    const reconcile = woo.requests.filter((request) => request.path.endsWith("/orders"));
    expect(reconcile).toHaveLength(1);
    expect(reconcile[0].query.modified_after).toBe("2024-02-20T09:59:00.000Z");
    expect((await harness.db.inboxEvent.count()) - before).toBe(2);
    expect(await harness.db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId, externalId: "6003" } } })).toMatchObject({ financialStatus: "cancelled" });
    expect(await harness.db.event.count({ where: { storeId, type: "order.add" } })).toBe(2); // the lost creation
    expect(await harness.db.inboxEvent.count({ where: { status: { not: "processed" } } })).toBe(0);

    // AND a reconcile with nothing new stores nothing
    clock().advance({ minutes: 16 });
    const settled = await harness.db.inboxEvent.count();
    await harness.worker.tick();
    expect(await harness.db.inboxEvent.count()).toBe(settled);
  });

  it("records a failed sync when the keys are revoked, and marks the store disconnected", async () => {
    await harness.db.store.update({ where: { id: storeId }, data: { credentials: box.seal(JSON.stringify({ consumerKey: KEY, consumerSecret: "cs_revoked" })) } });
    clock().advance({ minutes: 16 });
    await harness.worker.tick();
    const state = await harness.db.syncState.findUniqueOrThrow({ where: { storeId_resource: { storeId, resource: "customers" } } });
    expect(state.status).toBe("failed");
    expect(state.error).toContain("WooCommerce rejected the consumer key/secret");
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })).status).toBe("disconnected");
    expect(await harness.db.order.count({ where: { storeId } })).toBe(252);
  });

  it("creates a coupon for a discount code; tags and consent are not supported", async () => {
    const { wooActions } = await import("~/core/adapters/woocommerce/connector.server");
    const actions = wooActions({ id: storeId, domain: "shop", currency: "USD", timezone: "UTC", apiUrl: woo.url, credentials: JSON.stringify({ consumerKey: KEY, consumerSecret: SECRET }) });
    const created = await actions.createDiscountCode({ code: "NUDGE-10", kind: "fixed", value: 1000, email: "ada@example.com" });
    expect(created).toMatchObject({ ok: true, value: { code: "nudge-10" } });
    expect(woo.coupons[0]).toMatchObject({ discount_type: "fixed_cart", amount: "10.00", email_restrictions: ["ada@example.com"], individual_use: true });
    expect(await actions.tagCustomer({ customerExternalId: "77", tags: ["vip"] })).toMatchObject({ ok: false, unsupported: true });
    expect(await actions.updateMarketingConsent({ customerExternalId: "77", email: "ada@example.com", subscribed: true, changedAt: "2026-01-01T00:00:00.000Z" })).toMatchObject({ ok: false, unsupported: true });
  });
});
