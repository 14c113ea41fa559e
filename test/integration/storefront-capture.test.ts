// Storefront capture through the App Proxy, over real HTTP against the real app server: signed proxy requests →
// inbox → the worker (in this process) → a cart linked to its customer; forged, stale, malformed, oversized and
// flooding requests refused with nothing stored; a later checkout and order with the same cart token join the
// same customer. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { forwardAppProxy, type ProxyForwardArgs } from "../emulators/shopify/app-proxy";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { API_SECRET, SCOPES, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const SHOP = "capture-test.myshopify.com";

// One line as the storefront script sends it (/cart.js fields, minor units).
const LINE = {
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

afterAll(dropAll);

describe.each(databaseTargets())("storefront capture through the App Proxy on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;

  const capture = (args: Partial<ProxyForwardArgs> & { body: unknown }) =>
    forwardAppProxy({ appUrl: harness.app.url, secret: API_SECRET, shop: SHOP, path: "/capture", ...args });
  const inboxCount = () => harness.db.inboxEvent.count({ where: { topic: "app_proxy/cart_capture" } });

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      shopify: { shop: SHOP, scopes: `${SCOPES},write_app_proxy`, storeApi: false },
      sendgrid: false,
    });
  }, 120_000); // migrating a fresh PostgreSQL database and starting the server take a while

  afterAll(() => harness?.stop());

  it("stores a signed capture, answers 200 at once, and the worker links the cart to the customer by email", async () => {
    // GIVEN a shopper's browser reports its cart and the email typed into the newsletter form
    const body = { token: "c1-storefront-1?key=secret-key", email: "Shopper@Example.com", currency: "USD", items: [LINE], consent: { marketing: true, analytics: true } };
    const timestamp = Math.floor(Date.now() / 1000);

    // WHEN Shopify forwards it (and, as it may, forwards the same request twice)
    const response = await capture({ body, timestamp });
    const again = await capture({ body, timestamp });

    // THEN the app answers 200 with JSON, sets no cookie, and holds one pending inbox row, nothing processed yet
    expect(response.status, harness.app.output()).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(again.status).toBe(200);
    const rows = await harness.db.inboxEvent.findMany({ where: { topic: "app_proxy/cart_capture" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "shopify", status: "pending" });
    expect(await harness.db.cart.count()).toBe(0);

    // WHEN the worker runs
    await harness.worker.tick();

    // THEN the cart (bare token) holds its lines and belongs to the customer with that email
    expect(await harness.db.inboxEvent.findUniqueOrThrow({ where: { id: rows[0].id } })).toMatchObject({ status: "processed", error: null });
    const customer = await harness.db.customer.findUniqueOrThrow({ where: { workspaceId_email: { workspaceId: rows[0].workspaceId!, email: "shopper@example.com" } } });
    const cart = await harness.db.cart.findFirstOrThrow({ where: { token: "c1-storefront-1" } });
    expect(cart).toMatchObject({ customerId: customer.id, currency: "USD", totalPrice: 39800 });
    expect(cart.lineItems).toEqual([
      expect.objectContaining({ variantId: "808950810", title: "IPod Nano - 8GB", quantity: 2, price: 19900, imageUrl: "https://cdn.shopify.com/s/files/ipod-nano-pink.png" }),
    ]);
    expect(customer.acceptsMarketing).toBe(false); // a storefront capture never grants email-marketing consent
    const event = await harness.db.event.findFirstOrThrow({ where: { inboxEventId: rows[0].id } });
    expect(event).toMatchObject({ type: "cart.update", customerId: customer.id });
  });

  it("joins a later checkout and order with the same cart token to the same customer", async () => {
    // GIVEN the captured cart above; WHEN Shopify reports a checkout from it that names nobody yet
    const now = new Date().toISOString();
    const checkout = { ...fixture("shopify", "checkouts_create"), token: "chk-storefront-1", cart_token: "c1-storefront-1", email: null, customer: null, created_at: now, updated_at: now };
    expect((await harness.shopify.deliverWebhook({ appUrl: harness.app.url, topic: "checkouts/create", shop: SHOP, body: checkout })).status).toBe(200);
    await harness.worker.tick();

    // THEN the checkout belongs to the cart's customer
    const cart = await harness.db.cart.findFirstOrThrow({ where: { token: "c1-storefront-1" } });
    expect(cart.customerId).not.toBeNull();
    expect(await harness.db.checkout.findFirstOrThrow({ where: { token: "chk-storefront-1" } })).toMatchObject({ customerId: cart.customerId, cartToken: "c1-storefront-1" });

    // AND so does the order placed from it
    const order = { ...fixture("shopify", "orders_create"), cart_token: "c1-storefront-1", checkout_token: "chk-storefront-1", email: null, contact_email: null, customer: null, cancelled_at: null, created_at: now, processed_at: now };
    expect((await harness.shopify.deliverWebhook({ appUrl: harness.app.url, topic: "orders/create", shop: SHOP, body: order })).status).toBe(200);
    await harness.worker.tick();
    const saved = await harness.db.order.findFirstOrThrow({ where: { cartToken: "c1-storefront-1" } });
    expect(saved.customerId).toBe(cart.customerId);
    expect(await harness.db.customer.findUniqueOrThrow({ where: { id: cart.customerId! } })).toMatchObject({ ordersCount: 1 });
  });

  it("takes the logged-in customer from the signed query string", async () => {
    const response = await capture({ body: { token: "c1-storefront-2", items: [LINE] }, loggedInCustomerId: "7020211" });
    expect(response.status).toBe(200);
    await harness.worker.tick();
    const identity = await harness.db.customerIdentity.findFirstOrThrow({ where: { externalId: "7020211" } });
    expect(await harness.db.cart.findFirstOrThrow({ where: { token: "c1-storefront-2" } })).toMatchObject({ customerId: identity.customerId });
  });

  it("refuses a forged or missing signature with 401 and stores nothing", async () => {
    const before = await inboxCount();
    const forged = await capture({ body: { token: "c1-forged", email: "victim@example.com" }, signature: "0".repeat(64) });
    const unsigned = await capture({ body: { token: "c1-forged", email: "victim@example.com" }, signature: null });
    const wrongSecret = await forwardAppProxy({ appUrl: harness.app.url, secret: "not-our-secret", shop: SHOP, path: "/capture", body: { token: "c1-forged" } });
    expect([forged.status, unsigned.status, wrongSecret.status]).toEqual([401, 401, 401]);
    expect(await forged.json()).toEqual({ ok: false, error: "Invalid proxy signature" });
    expect(await inboxCount()).toBe(before);
  });

  it("refuses a correctly signed request whose timestamp is stale, with 401", async () => {
    const before = await inboxCount();
    const stale = await capture({ body: { token: "c1-stale" }, timestamp: Math.floor(Date.now() / 1000) - 300 });
    expect(stale.status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });

  it("answers 400 naming each wrong field, 400 to a body that is not JSON, 413 to an oversized one; stores nothing", async () => {
    const before = await inboxCount();
    const invalid = await capture({ body: { token: "", email: "nope", items: [{ ...LINE, price: "199.00" }] }, clientIp: "198.51.100.20" });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      ok: false,
      errors: {
        token: expect.any(Array),
        email: expect.any(Array),
        "items.0.price": expect.any(Array),
      },
    });
    const notJson = await capture({ body: "{token:", clientIp: "198.51.100.20" });
    expect(notJson.status).toBe(400);
    const huge = await capture({ body: { token: "c1-huge", items: [{ ...LINE, title: "x".repeat(70_000) }] }, clientIp: "198.51.100.20" });
    expect(huge.status).toBe(413);
    expect(await inboxCount()).toBe(before);
  });

  it("stores nothing when the visitor declined marketing tracking", async () => {
    const before = await inboxCount();
    const response = await capture({ body: { token: "c1-declined", email: "declined@example.com", consent: { marketing: false } } });
    expect(response.status).toBe(200);
    expect(await inboxCount()).toBe(before);
  });

  it("answers 429 with Retry-After once one shopper goes over the rate, and still serves the others", async () => {
    // WHEN one address sends 40 requests in a row (bodies invalid, so none would be stored anyway)
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i += 1) {
      const response = await capture({ body: {}, clientIp: "198.51.100.77" });
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
    }

    // THEN its first 30 are heard (400) and the rest refused; another shopper of the same shop is still heard
    expect(statuses.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await capture({ body: {}, clientIp: "198.51.100.78" })).status).toBe(400);
  });
});
