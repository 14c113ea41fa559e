// Discount codes attribute directly (issue 9.1), end to end over real signed Shopify webhooks: the real app server,
// the Shopify and SendGrid emulators, the worker on a manual clock. A flow's journey creates a code at the shop
// (discountCodeBasicCreate) and emails it; twelve days later, with no click at all and far outside the 5-day window,
// the customer's orders/create names that code (in other letters' case): the order is stored with its codes, the
// flow's KPIs count it on the email that carried the code, and the explanation names the code and the flow. An order
// with another code earns nothing. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import "@shopify/shopify-api/adapters/node";
import { createStoreActionsFor } from "~/core/adapters/store-actions.server";
import { createShopifyAdmin } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { explainAttribution } from "~/core/analytics/attribution.server";
import { flowKpis } from "~/core/analytics/kpis.server";
import { importFlow } from "~/core/flows/manage.server";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { API_KEY, API_SECRET, APP_URL, BROWSER_UA, SCOPES, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const CUSTOMER_ID = 6_001;
const EMAIL = "dana@example.com";
const buyer = { id: CUSTOMER_ID, admin_graphql_api_id: `gid://shopify/Customer/${CUSTOMER_ID}`, email: EMAIL, first_name: "Dana", last_name: "Buyer", phone: null };

function order(id: number, at: string, discountCodes: string[]) {
  return {
    ...fixture("shopify", "orders_create"),
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: EMAIL,
    contact_email: EMAIL,
    customer: buyer,
    checkout_token: null,
    cart_token: null,
    cancelled_at: null,
    created_at: at,
    processed_at: at,
    updated_at: at,
    discount_codes: discountCodes.map((code) => ({ code, amount: "15.00", type: "percentage" })),
  };
}

/** On every order: an hour later a unique 15 % code, then an email carrying it. */
const THANK_YOU = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["order.add"], entity: "customer" },
  goal: null,
  rules: { consent: "transactional" },
  entry: "wait",
  nodes: [
    { id: "wait", type: "delay", duration: { hours: 1 }, next: "code" },
    { id: "code", type: "discount_code", prefix: "THANKS", kind: "percent", value: 15, expiresAfter: { days: 30 }, next: "offer" },
    { id: "offer", type: "email", name: "offer", subject: "15% off your next order", html: "<p>Use {{ discount.code }}</p>", text: "Use {{ discount.code }}", next: null },
  ],
};

describe.each(databaseTargets())("discount-code attribution on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let shopifyUrl = "";

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-04-01T10:00:00Z",
      shopify: { seed: { name: "Code Store", email: "owner@code-store.example", currencyCode: "USD", ianaTimezone: "UTC" } },
      extraEnv: (emulators) => {
        shopifyUrl = emulators.shopify.url;
        return {};
      },
      // The worker creates codes at the emulated shop with the offline token the install stores.
      workerDeps: ({ db }) => ({
        storeActionsFor: createStoreActionsFor({
          shopifyAdmin: createShopifyAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: APP_URL, scopes: SCOPES.split(","), adminApiOrigin: shopifyUrl }, createSessionStorage(db)),
        }),
      }),
    });
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const install = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, { headers: { "User-Agent": BROWSER_UA } });
    expect(install.status, harness.app.output()).toBe(200);
  });

  afterAll(() => harness?.stop());

  async function deliver(topic: string, body: unknown) {
    const response = await harness.deliver(topic, body);
    expect(response.status, harness.app.output()).toBe(200);
    await harness.worker.tick();
  }

  it("credits a later order that used the flow's code to the email that carried it, whatever the window", async () => {
    const { db, clock } = harness;
    const store = await db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } });
    const workspaceId = store.workspaceId;
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Thank-you code", definition: THANK_YOU, publish: true });

    // GIVEN a first order enrols the customer; an hour later the code is made at the shop and emailed
    await deliver("orders/create", order(8_001, clock.now().toISOString(), []));
    clock.advance({ hours: 1 });
    await harness.worker.tick();
    const step = await db.stepRun.findFirstOrThrow({ where: { workspaceId, nodeType: "discount_code" } });
    const code = (step.result as { code: string }).code;
    expect(code).toMatch(/^THANKS-[A-Z2-9]{8}$/);
    expect(step.discountCode).toBe(code.toUpperCase()); // what attribution looks orders' codes up by
    expect(harness.shopify.shops.get(SHOP)!.discounts.map((discount) => discount.code)).toEqual([code]);
    const offer = await db.message.findFirstOrThrow({ where: { workspaceId, nodeId: "offer" } });
    expect(offer).toMatchObject({ status: "sent", flowId });
    expect(harness.sendgrid.messages.map((sent) => JSON.stringify(sent.body))).toEqual([expect.stringContaining(`Use ${code}`)]);

    // WHEN, 12 days later and with no click, the customer orders with the code typed in lower case, then again with
    // a code no flow made
    clock.advance({ days: 12 });
    const placedAt = clock.now().toISOString();
    await deliver("orders/create", order(8_002, placedAt, [code.toLowerCase()]));
    clock.advance({ hours: 2 });
    await deliver("orders/create", order(8_003, clock.now().toISOString(), ["SPRING-SALE"]));

    // THEN the orders keep their codes as the store spelled them
    const withCode = await db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId: store.id, externalId: "8002" } } });
    expect(withCode.discountCodes).toEqual([code.toLowerCase()]);
    expect((await db.order.findUniqueOrThrow({ where: { storeId_externalId: { storeId: store.id, externalId: "8001" } } })).discountCodes).toEqual([]);
    expect(await db.messageEvent.count({ where: { workspaceId, type: "click" } })).toBe(0);

    // AND the flow's KPIs count exactly that order, on the email that carried the code
    const report = await flowKpis(db, { workspaceId, from: new Date("2026-04-01T00:00:00Z"), to: clock.now(), flowId: flowId });
    const kpis = report.flows.find((row) => row.flowId === flowId)!;
    expect(kpis).toMatchObject({ recipients: 1, conversions: 1, revenue: [{ amount: withCode.totalPrice, currency: withCode.currency }] });
    expect(kpis.nodes).toEqual([expect.objectContaining({ nodeId: "offer", conversions: 1 })]);

    // AND the explanation names the code and the flow; the order with someone else's code is not attributed
    const explained = await explainAttribution(db, { workspaceId, orderId: "8002" });
    expect(explained.attributedTo).toMatchObject({ messageId: offer.id, flowId: flowId, nodeId: "offer", touch: "discount_code", discountCode: code.toLowerCase() });
    expect(explained.reason).toContain(`used the discount code ${code.toLowerCase()} created by flow "Thank-you code"`);
    expect((await explainAttribution(db, { workspaceId, orderId: "8003" })).attributedTo).toBeNull();
  });
});
