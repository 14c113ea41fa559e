// The generic snippet's endpoint, POST /storefront/v1/capture?key=pk_…, over real HTTP against the real app server:
// a capture from an allowed origin → inbox → the worker (in this process) → a cart.update with identity, the cart
// linked to its customer; unknown keys, foreign origins, malformed, oversized, flooding and declined requests refused
// with nothing stored; the CORS preflight answered. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { ensureStorefrontKey, setStorefrontOrigins } from "~/core/storefront/keys.server";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const SHOP_ORIGIN = "https://shop.example.com";
const BRAND_ORIGIN = "https://www.brand.example";

// A WooCommerce cart's line: string ids and numbers both occur outside Shopify.
const LINE = { product_id: 4021, variant_id: "woo-4021-blue", sku: "MUG-BLUE", title: "Blue mug", variant_title: "Blue", quantity: 2, price: 1250, image: "https://shop.example.com/mug.png", url: "https://shop.example.com/p/mug" };

afterAll(dropAll);

describe.each(databaseTargets())("the storefront capture endpoint on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;
  let storeId: string;
  let key: string;
  let brandKey: string;
  let brandStoreId: string;
  let uninstalledKey: string;

  interface Post {
    key?: string | null;
    origin?: string | null;
    body: unknown;
    contentType?: string;
    ip?: string;
    method?: string;
  }
  const post = (path: string, args: Post) => {
    const url = new URL(path, harness.app.url);
    if (args.key !== null) url.searchParams.set("key", args.key ?? key);
    const headers: Record<string, string> = { "Content-Type": args.contentType ?? "text/plain;charset=UTF-8", "X-Forwarded-For": args.ip ?? "203.0.113.10" };
    if (args.origin !== null) headers.Origin = args.origin ?? SHOP_ORIGIN;
    return fetch(url, { method: args.method ?? "POST", headers, body: typeof args.body === "string" ? args.body : JSON.stringify(args.body) });
  };
  const capture = (args: Post) => post("/storefront/v1/capture", args);
  const inboxCount = () => harness.db.inboxEvent.count({ where: { source: "storefront" } });

  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), shopify: false, sendgrid: false });
    const workspace = await harness.db.workspace.create({
      data: {
        name: "Mugs & Co",
        stores: {
          create: [
            { platform: "woocommerce", domain: "shop.example.com", name: "Mugs", currency: "EUR" },
            { platform: "woocommerce", domain: "brand.example/shop", name: "Brand", currency: "EUR" },
            { platform: "woocommerce", domain: "gone.example", name: "Gone", status: "uninstalled" },
          ],
        },
      },
      include: { stores: true },
    });
    workspaceId = workspace.id;
    const named = (name: string) => workspace.stores.find((store) => store.name === name)!;
    const [shop, brand, gone] = [named("Mugs"), named("Brand"), named("Gone")];
    storeId = shop.id;
    key = await ensureStorefrontKey(harness.db, shop.id);
    brandKey = await ensureStorefrontKey(harness.db, brand.id);
    brandStoreId = brand.id;
    uninstalledKey = await ensureStorefrontKey(harness.db, gone.id);
    await setStorefrontOrigins(harness.db, brand.id, [BRAND_ORIGIN, "https://brand.example"]);
  }, 120_000);

  afterAll(() => harness?.stop());

  it("stores an allowed capture, answers 200 with CORS headers, and the worker links the cart to the customer by email", async () => {
    // GIVEN a shopper's browser on the store's site reports an anonymous cart, then the email typed into a form
    const anonymous = await capture({ body: { token: "wc-cart-1", currency: "EUR", items: [LINE], consent: { marketing: true, analytics: true } } });
    const named = await capture({ body: { token: "wc-cart-1", email: " Buyer@Example.COM ", currency: "EUR", items: [LINE] }, contentType: "application/json" });
    // (and the same capture again, as a retried beacon may: harmless, it is the same cart state)
    const repeated = await capture({ body: { token: "wc-cart-1", email: " Buyer@Example.COM ", currency: "EUR", items: [LINE] }, contentType: "application/json" });

    // THEN each is answered 200 for that origin, and three inbox rows wait, nothing processed yet
    for (const response of [anonymous, named, repeated]) {
      expect(response.status, harness.app.output()).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(SHOP_ORIGIN);
      expect(response.headers.get("vary")).toContain("Origin");
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    expect(await named.json()).toEqual({ ok: true });
    const rows = await harness.db.inboxEvent.findMany({ where: { source: "storefront" }, orderBy: { receivedAt: "asc" } });
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ workspaceId, storeId, topic: "storefront/capture", status: "pending" });
    expect(await harness.db.cart.count()).toBe(0);

    // WHEN the worker runs
    await harness.worker.tick();

    // THEN the cart holds its lines (string and number ids kept as strings) and belongs to the customer with that email
    for (const row of rows) expect(await harness.db.inboxEvent.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "processed", error: null });
    const customer = await harness.db.customer.findUniqueOrThrow({ where: { workspaceId_email: { workspaceId, email: "buyer@example.com" } } });
    const cart = await harness.db.cart.findUniqueOrThrow({ where: { storeId_token: { storeId, token: "wc-cart-1" } } });
    expect(cart).toMatchObject({ customerId: customer.id, currency: "EUR", totalPrice: 2500 });
    expect(cart.lineItems).toEqual([
      expect.objectContaining({ productId: "4021", variantId: "woo-4021-blue", sku: "MUG-BLUE", title: "Blue mug", variantTitle: "Blue", quantity: 2, price: 1250, imageUrl: "https://shop.example.com/mug.png" }),
    ]);
    expect(customer).toMatchObject({ acceptsMarketing: false, originStoreId: storeId }); // capture never grants consent
    const events = await harness.db.event.findMany({ where: { inboxEventId: { in: rows.map((row) => row.id) } }, orderBy: { occurredAt: "asc" } });
    expect(events.map((event) => [event.type, event.customerId])).toEqual([
      ["cart.update", null],
      ["cart.update", customer.id],
      ["cart.update", customer.id],
    ]);
  });

  it("accepts the origins the merchant listed for a store, and only those", async () => {
    const before = await inboxCount();
    const listed = await capture({ key: brandKey, origin: BRAND_ORIGIN, body: { token: "brand-cart", email: "fan@example.com" } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get("access-control-allow-origin")).toBe(BRAND_ORIGIN);
    // The store's own domain is no longer implied once a list is set; another store's origin never is.
    expect((await capture({ key: brandKey, origin: SHOP_ORIGIN, body: { token: "brand-cart" } })).status).toBe(403);
    expect(await inboxCount()).toBe(before + 1);

    // WHEN the merchant empties the list, THEN the store's own site (the host of its domain) is the one origin again
    await setStorefrontOrigins(harness.db, brandStoreId, []);
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: brandStoreId } })).storefrontOrigins).toBeNull();
    expect((await capture({ key: brandKey, origin: BRAND_ORIGIN, body: { token: "brand-cart-2" } })).status).toBe(403);
    expect((await capture({ key: brandKey, origin: "https://brand.example", body: { token: "brand-cart-2" } })).status).toBe(200);
  });

  it("answers the CORS preflight for an allowed origin and refuses it for others", async () => {
    const preflight = await capture({ method: "OPTIONS", body: undefined as never, contentType: "application/json" });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers", "access-control-max-age"].map((name) => [name, preflight.headers.get(name)]))).toEqual({
      "access-control-allow-origin": SHOP_ORIGIN,
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "Content-Type",
      "access-control-max-age": "600",
    });
    expect(preflight.headers.get("vary")).toContain("Origin");
    const foreign = await capture({ method: "OPTIONS", origin: "https://evil.example", body: undefined as never });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses unknown, malformed and uninstalled stores' keys with 401 and stores nothing", async () => {
    const before = await inboxCount();
    const body = { token: "wc-cart-x", email: "victim@example.com" };
    const responses = await Promise.all([
      capture({ key: "pk_000000000000000000000000", body }),
      capture({ key: "pk_not-a-key", body }),
      capture({ key: null, body }),
      capture({ key: uninstalledKey, origin: "https://gone.example", body }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect(await responses[0].json()).toEqual({ ok: false, error: "Unknown or inactive storefront key" });
    expect(responses[0].headers.get("access-control-allow-origin")).toBeNull();
    expect(await inboxCount()).toBe(before);
  });

  it("refuses a foreign or missing Origin with 403 and stores nothing", async () => {
    const before = await inboxCount();
    const body = { token: "wc-cart-y", email: "victim@example.com", items: [LINE] };
    const foreign = await capture({ origin: "https://evil.example", body });
    const lookalike = await capture({ origin: "https://shop.example.com.evil.example", body });
    const plainHttp = await capture({ origin: "http://shop.example.com", body });
    const none = await capture({ origin: null, body });
    expect([foreign.status, lookalike.status, plainHttp.status, none.status]).toEqual([403, 403, 403, 403]);
    expect(await foreign.json()).toEqual({ ok: false, error: "Origin https://evil.example is not one of this store's storefront origins" });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(await inboxCount()).toBe(before);
  });

  it("answers 400 naming each wrong field, 400 to a body that is not JSON, 413 to an oversized one; stores nothing", async () => {
    const before = await inboxCount();
    const ip = "203.0.113.20";
    const invalid = await capture({ ip, body: { token: "", email: "nope", currency: "euro", items: [{ ...LINE, variant_id: { id: 1 }, quantity: 0, price: 12.5 }], consent: { marketing: "yes" } } });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("access-control-allow-origin")).toBe(SHOP_ORIGIN); // the page can read why
    const { errors } = (await invalid.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(errors).sort()).toEqual(["consent.marketing", "currency", "email", "items.0.price", "items.0.quantity", "items.0.variant_id", "token"]);
    expect(errors["items.0.variant_id"]).toEqual(["must be a number or a string id"]);
    expect(errors.currency).toEqual(["must be an ISO 4217 code"]);

    const notJson = await capture({ ip, body: "{token:" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ ok: false, errors: { "(body)": ["must be JSON"] } });
    const huge = await capture({ ip, body: { token: "wc-huge", items: [{ ...LINE, title: "x".repeat(70_000) }] } });
    expect(huge.status).toBe(413);
    expect(await inboxCount()).toBe(before);
  });

  it("stores nothing when the visitor declined marketing tracking", async () => {
    const before = await inboxCount();
    const response = await capture({ body: { token: "wc-declined", email: "declined@example.com", items: [LINE], consent: { marketing: false, analytics: true } } });
    expect(response.status).toBe(200);
    expect(await inboxCount()).toBe(before);
    expect(await harness.db.customer.count({ where: { email: "declined@example.com" } })).toBe(0);
  });

  it("answers 429 with Retry-After once one shopper goes over the rate, and still serves the others", async () => {
    // WHEN one address sends 40 captures in a row (bodies invalid, so none would be stored anyway)
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i += 1) {
      const response = await capture({ body: {}, ip: "198.51.100.77" });
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
    }
    // THEN its first 30 are heard (400) and the rest refused; another shopper of the same store is still heard
    expect(statuses.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await capture({ body: {}, ip: "198.51.100.78" })).status).toBe(400);
  });
});
