// The Shopify web pixel end to end, over real HTTP: installing the app turns the pixel on at the Shopify emulator
// (webPixelCreate with the store's key and the app URL, checked against the extension's toml like Shopify does) and
// stores its id; the real extension (extensions/web-pixel/src/index.ts) then runs inside an emulation of Shopify's
// pixel runtime (`shopify.extend`, `analytics.subscribe` driven with events shaped like the documented standard
// events, a `browser.sendBeacon` that really POSTs to the app server), and the checkout identity it reports reaches
// the customer through the inbox and the worker. Also: the pixel's bundle stays under Shopify's 128 KB.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createLogger } from "~/core/logger.server";
import { rotateStorefrontKey } from "~/core/storefront/keys.server";
import { activateWebPixel, type AdminGraphql } from "~/core/storefront/web-pixel.server";
import { SHOPIFY_API_VERSION } from "~/core/adapters/shopify/admin-client.server";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { APP_URL, BROWSER_UA, SCOPES, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const PIXEL_SOURCE = fileURLToPath(new URL("../../extensions/web-pixel/src/index.ts", import.meta.url));
const PIXEL_SCOPES = `${SCOPES},write_pixels,read_customer_events`;
const SHOPIFY_BUNDLE_LIMIT_BYTES = 128 * 1024;

afterAll(dropAll);

/** Installs the app on the shop the way the admin's first load does (token exchange → afterAuth). */
async function install(harness: ShopifyAppHarness) {
  const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
  const response = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, { headers: { "User-Agent": BROWSER_UA } });
  expect(response.status, harness.app.output()).toBe(200);
  return harness.db.store.findFirstOrThrow({ where: { platform: "shopify", domain: SHOP } });
}

/** The shop's Admin GraphQL API at the emulator with the offline token install stored: raw bodies, as Shopify answers. */
function emulatorGraphql(harness: ShopifyAppHarness): AdminGraphql {
  return async (query, variables) => {
    const session = await harness.db.session.findFirstOrThrow({ where: { shop: SHOP, isOnline: false } });
    const response = await fetch(`${harness.shopify.url}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": session.accessToken, "X-Shopify-Shop-Domain": SHOP },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
}

// ---- An emulation of Shopify's web pixel runtime (strict sandbox), enough for the extension's API surface ----------

type Subscriber = (event: unknown) => void;
interface Privacy {
  analyticsProcessingAllowed: boolean;
  marketingAllowed: boolean;
  preferencesProcessingAllowed: boolean;
  saleOfDataAllowed: boolean;
}
interface Beacon {
  url: string;
  body: string;
  status: number;
}

const ALLOWED: Privacy = { analyticsProcessingAllowed: true, marketingAllowed: true, preferencesProcessingAllowed: true, saleOfDataAllowed: true };

/**
 * Loads the extension's module, which calls `register` → `shopify.extend("WebPixel::Render", …)`, and runs that
 * callback with the runtime's API. Beacons are real POSTs; `nextBeacon()` resolves with the next one's answer.
 */
let registered: Promise<{ point: string; render: (api: unknown) => void }[]> | undefined;
/** Imports the extension once (a module runs once per process) and keeps what it registered. */
function loadPixel() {
  registered ??= (async () => {
    const extensions: { point: string; render: (api: unknown) => void }[] = [];
    (globalThis as { shopify?: unknown }).shopify = { extend: (point: string, render: (api: unknown) => void) => extensions.push({ point, render }) };
    await import(PIXEL_SOURCE);
    return extensions;
  })();
  return registered;
}

async function startPixelRuntime(input: { settings: Record<string, string>; cartCookie: string; customer?: Record<string, string | null> | null }) {
  const extensions = await loadPixel();
  expect(extensions.map((extension) => extension.point)).toEqual(["WebPixel::Render"]);

  const subscribers = new Map<string, Subscriber[]>();
  const privacySubscribers: Subscriber[] = [];
  const beacons: Beacon[] = [];
  const waiting: ((beacon: Beacon) => void)[] = [];
  let eventNumber = 0;

  extensions[0].render({
    settings: input.settings,
    analytics: {
      subscribe(name: string, callback: Subscriber) {
        subscribers.set(name, [...(subscribers.get(name) ?? []), callback]);
        return () => true;
      },
    },
    browser: {
      cookie: { get: async (name: string) => (name === "cart" ? input.cartCookie : ""), set: async () => "" },
      // Like navigator.sendBeacon: a POST with a text/plain body, queued (true) before it is answered.
      sendBeacon: async (url: string, body: string) => {
        void fetch(url, { method: "POST", body, headers: { "Content-Type": "text/plain;charset=UTF-8", Origin: `https://${SHOP}` } }).then(async (response) => {
          const beacon = { url, body, status: response.status };
          beacons.push(beacon);
          waiting.shift()?.(beacon);
        });
        return true;
      },
      localStorage: {},
      sessionStorage: {},
    },
    init: {
      context: { document: { location: { href: `https://${SHOP}/` } } },
      data: { customer: input.customer ?? null, cart: null, shop: { myshopifyDomain: SHOP, name: "Nudge Test", paymentSettings: { currencyCode: "USD" } }, purchasingCompany: null },
      customerPrivacy: ALLOWED,
    },
    customerPrivacy: { subscribe: (_name: string, callback: Subscriber) => privacySubscribers.push(callback) },
    _pixelInfo: {},
  });

  return {
    beacons,
    subscribedTo: () => [...subscribers.keys()].sort(),
    /** Publishes a standard event the way the runtime does: id, name, timestamp, context, data. */
    publish(name: string, data: unknown, options: { id?: string; at?: string } = {}) {
      eventNumber += 1;
      const event = { id: options.id ?? `sh-${name}-${eventNumber}`, clientId: "client-1", name, seq: eventNumber, type: "standard", timestamp: options.at ?? new Date().toISOString(), context: {}, data };
      for (const callback of subscribers.get(name) ?? []) callback(event);
      return event;
    },
    nextBeacon: () => new Promise<Beacon>((resolve) => waiting.push(resolve)),
    withdrawConsent: () => privacySubscribers.forEach((callback) => callback({ customerPrivacy: { ...ALLOWED, marketingAllowed: false } })),
  };
}

// Standard event payloads, shaped as https://shopify.dev/docs/api/web-pixels-api/standard-events documents them.
const money = (amount: number) => ({ amount, currencyCode: "USD" });
const variant = { id: "808950810", sku: "IPOD2008PINK", title: "Pink", price: money(199), image: { src: "//cdn.shopify.com/s/files/ipod-nano-pink.png" }, product: { id: "632910392", title: "IPod Nano - 8GB", vendor: "Apple", type: "Music", untranslatedTitle: "IPod Nano - 8GB", url: "/products/ipod-nano" }, untranslatedTitle: "Pink" };
function checkoutData(email: string | null, extra: Record<string, unknown> = {}) {
  return {
    checkout: {
      token: "chk-pixel-1",
      email,
      phone: null,
      currencyCode: "USD",
      totalPrice: money(403.3),
      subtotalPrice: money(398),
      totalTax: money(5.3),
      order: null,
      attributes: [],
      discountApplications: [],
      transactions: [],
      lineItems: [{ id: "li-1", title: "IPod Nano - 8GB", quantity: 2, variant, discountAllocations: [], finalLinePrice: money(398), properties: [], sellingPlanAllocation: null }],
      ...extra,
    },
  };
}

describe.each(databaseTargets())("the Shopify web pixel on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let store: Awaited<ReturnType<typeof install>>;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), shopify: { scopes: PIXEL_SCOPES, storeApi: false }, sendgrid: false });
    store = await install(harness);
  }, 120_000);

  afterAll(() => harness?.stop());

  it("turns the pixel on at install with the store's key and the app URL, and stores its id", async () => {
    const pixel = harness.shopify.shops.get(SHOP)?.webPixel;
    expect(pixel?.id).toMatch(/^gid:\/\/shopify\/WebPixel\/\d+$/);
    expect(store.webPixelId).toBe(pixel?.id);
    expect(store.storefrontKey).toMatch(/^pk_[0-9A-Za-z]{24}$/);
    expect(JSON.parse(pixel!.settings)).toEqual({ storefrontKey: store.storefrontKey, appUrl: APP_URL });
    expect(harness.shopify.graphqlRequests.filter((request) => request.operationName?.startsWith("NudgeflowWebPixel")).map((request) => request.operationName)).toEqual(["NudgeflowWebPixelCreate"]);
  });

  it("updates the same pixel when activated again (a rotated key), and finds it when its id was lost", async () => {
    const logger = createLogger({ level: "silent" });
    const deps = { db: harness.db, graphql: emulatorGraphql(harness), appUrl: APP_URL, logger };
    const rotated = await rotateStorefrontKey(harness.db, store.id);
    expect(await activateWebPixel(deps, store.id)).toEqual({ ok: true, id: store.webPixelId, created: false });
    expect(JSON.parse(harness.shopify.shops.get(SHOP)!.webPixel!.settings)).toEqual({ storefrontKey: rotated, appUrl: APP_URL });

    // GIVEN our record lost the id: create is refused as TAKEN, and the app's existing pixel is updated instead
    await harness.db.store.update({ where: { id: store.id }, data: { webPixelId: null } });
    expect(await activateWebPixel(deps, store.id)).toEqual({ ok: true, id: store.webPixelId, created: false });
    expect((await harness.db.store.findUniqueOrThrow({ where: { id: store.id } })).webPixelId).toBe(store.webPixelId);

    // AND settings Shopify would refuse come back as a failure, not an exception
    const refused = await activateWebPixel({ ...deps, graphql: async (query, variables) => deps.graphql(query, { ...variables, webPixel: { settings: "{\"accountID\":\"1\"}" } }) }, store.id);
    expect(refused).toEqual({ ok: false, error: "webPixel.settings: Settings has unknown fields: accountID" });
    store = await harness.db.store.findUniqueOrThrow({ where: { id: store.id } });
  });

  it("runs the real extension: checkout identity reaches the customer, the cart and the completed checkout", async () => {
    // GIVEN the pixel as Shopify runs it on the shop, with the settings the app gave it (the app's URL here is the
    // test server's), and a guest's cart cookie
    const settings = { ...JSON.parse(harness.shopify.shops.get(SHOP)!.webPixel!.settings), appUrl: harness.app.url };
    const runtime = await startPixelRuntime({ settings, cartCookie: "c1-pixel-cart?key=secret-cart-key" });
    expect(runtime.subscribedTo()).toEqual(["checkout_completed", "checkout_contact_info_submitted", "checkout_started", "product_added_to_cart"]);
    const pixelRows = () => harness.db.inboxEvent.findMany({ where: { source: "storefront", topic: "storefront/pixel" }, orderBy: { receivedAt: "asc" } });

    // WHEN the shopper adds to cart and starts checkout before typing an email
    let beacon = runtime.nextBeacon();
    runtime.publish("product_added_to_cart", { cartLine: { quantity: 2, merchandise: variant, cost: { totalAmount: money(398) } } });
    expect(await beacon).toMatchObject({ status: 200, url: `${harness.app.url}/storefront/v1/pixel?key=${store.storefrontKey}` });
    beacon = runtime.nextBeacon();
    runtime.publish("checkout_started", checkoutData(null));
    expect((await beacon).status).toBe(200);
    // THEN the add to cart is kept (it names the cart); the anonymous checkout start tells nothing and is not
    expect((await pixelRows()).map((row) => row.headers)).toEqual([expect.objectContaining({ event: "product_added_to_cart" })]);

    // AND Shopify's checkouts/create webhook (no email yet) brought the checkout's recovery link a minute earlier
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const webhook = { ...fixture("shopify", "checkouts_create"), token: "chk-pixel-1", cart_token: null, email: null, customer: null, created_at: earlier, updated_at: earlier };
    expect((await harness.deliver("checkouts/create", webhook)).status).toBe(200);

    // WHEN the shopper submits contact information (and the runtime delivers that event twice)
    beacon = runtime.nextBeacon();
    const contact = runtime.publish("checkout_contact_info_submitted", checkoutData("Buyer@Example.com"));
    expect((await beacon).status).toBe(200);
    beacon = runtime.nextBeacon();
    runtime.publish("checkout_contact_info_submitted", checkoutData("Buyer@Example.com"), { id: contact.id, at: contact.timestamp });
    expect((await beacon).status).toBe(200);
    expect(await pixelRows()).toHaveLength(2);
    await harness.worker.tick();

    // THEN the checkout names the buyer, carries its lines and totals, joins the cart, and the cart is the buyer's too
    for (const row of await pixelRows()) expect(row).toMatchObject({ status: "processed", error: null });
    const customer = await harness.db.customer.findUniqueOrThrow({ where: { workspaceId_email: { workspaceId: store.workspaceId, email: "buyer@example.com" } } });
    const checkout = await harness.db.checkout.findUniqueOrThrow({ where: { storeId_token: { storeId: store.id, token: "chk-pixel-1" } } });
    expect(checkout).toMatchObject({ customerId: customer.id, email: "buyer@example.com", cartToken: "c1-pixel-cart", currency: "USD", totalPrice: 40330, subtotalPrice: 39800, completedAt: null });
    // (the pixel knows no recovery link: the webhook's is kept)
    expect(checkout.recoveryUrl).toBe((fixture("shopify", "checkouts_create") as { abandoned_checkout_url: string }).abandoned_checkout_url);
    expect(checkout.lineItems).toEqual([expect.objectContaining({ variantId: "808950810", productId: "632910392", title: "IPod Nano - 8GB", variantTitle: "Pink", quantity: 2, price: 19900, imageUrl: "https://cdn.shopify.com/s/files/ipod-nano-pink.png" })]);
    expect(await harness.db.cart.findUniqueOrThrow({ where: { storeId_token: { storeId: store.id, token: "c1-pixel-cart" } } })).toMatchObject({ customerId: customer.id });
    expect(customer.acceptsMarketing).toBe(false); // the storefront never grants email-marketing consent

    // WHEN the order is placed: the pixel reports the completed checkout (the buyer's customer record now known)
    beacon = runtime.nextBeacon();
    runtime.publish("checkout_completed", checkoutData("buyer@example.com", { order: { id: "450789469", customer: { id: "207119551", isFirstOrder: true } } }));
    expect((await beacon).status).toBe(200);
    await harness.worker.tick();

    // THEN the checkout is completed and Shopify's customer id is linked to the same profile
    expect((await harness.db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).completedAt).not.toBeNull();
    expect(await harness.db.customerIdentity.findUniqueOrThrow({ where: { storeId_externalId: { storeId: store.id, externalId: "207119551" } } })).toMatchObject({ customerId: customer.id });

    // WHEN the visitor withdraws marketing consent, THEN later events are not sent at all
    runtime.withdrawConsent();
    runtime.publish("checkout_contact_info_submitted", checkoutData("other@example.com", { token: "chk-pixel-2" }));
    await new Promise((resolve) => setImmediate(resolve)); // let the pixel's own promise chain run (no timer involved)
    expect(runtime.beacons).toHaveLength(5);
  });

  it("validates every pixel event: 400 naming the wrong fields, 401 for an unknown key; nothing stored", async () => {
    const before = await harness.db.inboxEvent.count({ where: { source: "storefront" } });
    const url = `${harness.app.url}/storefront/v1/pixel?key=${store.storefrontKey}`;
    const bad = await fetch(url, { method: "POST", headers: { "Content-Type": "text/plain", "X-Forwarded-For": "203.0.113.40" }, body: JSON.stringify({ id: "", name: "page_viewed", at: "yesterday", checkout: { token: "t", currency: "usd", lines: [{ title: "x", quantity: -1, price: "1.00" }] } }) });
    expect(bad.status).toBe(400);
    const { errors } = (await bad.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(errors).sort()).toEqual(["at", "checkout.currency", "checkout.lines.0.price", "checkout.lines.0.quantity", "id", "name"]);
    const unknown = await fetch(`${harness.app.url}/storefront/v1/pixel?key=pk_000000000000000000000000`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(401);
    const huge = await fetch(url, { method: "POST", headers: { "X-Forwarded-For": "203.0.113.40" }, body: JSON.stringify({ id: "x", name: "checkout_started", at: new Date().toISOString(), pad: "x".repeat(40_000) }) });
    expect(huge.status).toBe(413);
    expect(await harness.db.inboxEvent.count({ where: { source: "storefront" } })).toBe(before);
  });
});

describe.each(databaseTargets())("installing without the pixel scopes on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), shopify: { scopes: SCOPES, storeApi: false }, sendgrid: false });
  }, 120_000);
  afterAll(() => harness?.stop());

  it("still installs; the pixel stays off and no id is stored", async () => {
    const store = await install(harness);
    expect(store.webPixelId).toBeNull();
    expect(harness.shopify.shops.get(SHOP)?.webPixel).toBeNull();
    expect(harness.shopify.graphqlRequests.find((request) => request.operationName === "NudgeflowWebPixelCreate")).toBeDefined();
  });
});

describe("the web pixel bundle", () => {
  it("stays under Shopify's 128 KB limit for web pixel extensions", async () => {
    const result = await build({ entryPoints: [PIXEL_SOURCE], bundle: true, minify: true, format: "esm", target: "es2020", write: false, absWorkingDir: path.dirname(PIXEL_SOURCE) });
    const bytes = result.outputFiles[0].contents.byteLength;
    console.log(`web pixel bundle: ${bytes} bytes minified (Shopify's limit: ${SHOPIFY_BUNDLE_LIMIT_BYTES})`);
    expect(bytes).toBeGreaterThan(500); // it is the real extension, not an empty file
    expect(bytes).toBeLessThan(SHOPIFY_BUNDLE_LIMIT_BYTES);
  });
});
