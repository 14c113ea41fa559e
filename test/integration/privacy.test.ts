// Shopify's compliance webhooks end to end, over real HTTP against the real app server and emulators:
// customers/data_request → an export the merchant downloads; customers/redact → the customer's email in no row of
// any table while order totals stay; shop/redact → the workspace's data gone, a record with counts kept.
// Also the security headers of embedded and standalone documents. SQLite, and PostgreSQL when DATABASE_URL is one.
import { Prisma, type Db } from "~/db.server";
import { suppressAddress, suppressionOf } from "~/core/messaging/suppression.server";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { BROWSER_UA, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const EMAIL = "ada.lovelace@privacy.example";
const PHONE = "+15550001111";
const CUSTOMER_ID = 7001;
const OTHER_EMAIL = "grace@privacy.example";

afterAll(dropAll);

function customer(id: number, email: string, phone: string | null) {
  const [first, last] = id === CUSTOMER_ID ? ["Ada", "Lovelace"] : ["Grace", "Hopper"];
  return { id, email, first_name: first, last_name: last, phone, accepts_marketing: true, admin_graphql_api_id: `gid://shopify/Customer/${id}` };
}

function checkout(token: string, at: string, email = EMAIL, id = CUSTOMER_ID, phone: string | null = PHONE) {
  return { ...fixture("shopify", "checkouts_create"), token, cart_token: null, email, customer: customer(id, email, phone), created_at: at, updated_at: at };
}

function order(orderId: number, at: string, email = EMAIL, id = CUSTOMER_ID) {
  return {
    ...fixture("shopify", "orders_create"),
    id: orderId,
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    email,
    contact_email: email,
    checkout_token: null,
    cart_token: null,
    customer: customer(id, email, PHONE),
    created_at: at,
    processed_at: at,
  };
}

function bigintSafe(_key: string, value: unknown) {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Every row of every table, as text: what a scan for a leftover address reads. */
async function tablesMentioning(db: Db, needle: string): Promise<string[]> {
  const delegates = db as unknown as Record<string, { findMany(): Promise<unknown[]> }>;
  const found: string[] = [];
  for (const model of Object.values(Prisma.ModelName)) {
    const rows = await delegates[model.charAt(0).toLowerCase() + model.slice(1)].findMany();
    for (const row of rows) if (JSON.stringify(row, bigintSafe).toLowerCase().includes(needle.toLowerCase())) found.push(`${model}: ${JSON.stringify(row, bigintSafe).slice(0, 300)}`);
  }
  return found;
}

describe.each(databaseTargets())("privacy requests on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), clockStart: "2026-03-01T10:00:30Z", shopify: { storeApi: false } });
  });
  afterAll(() => harness?.stop());

  async function admin(path: string, init: RequestInit = {}) {
    return fetch(`${harness.app.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${await harness.sessionToken()}`, "User-Agent": BROWSER_UA, ...(init.headers ?? {}) },
    });
  }

  it("builds a customer's history through webhooks: checkouts, an email, an order, a suppression", async () => {
    // GIVEN the shop installed the app and turned on the abandoned-cart blueprint
    const enable = await admin("/app?index", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "enable-blueprint", blueprintId: "abandoned-cart" }),
    });
    expect(enable.status, harness.app.output()).toBe(200);
    workspaceId = (await harness.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } })).workspaceId;

    // WHEN the customer abandons a checkout for an hour, orders, then abandons another checkout
    expect((await harness.deliver("checkouts/create", checkout("privacy-checkout-1", "2026-03-01T10:00:00Z"))).status).toBe(200);
    await harness.worker.tick();
    harness.clock.advance({ hours: 1 });
    await harness.worker.tick();
    expect((await harness.deliver("orders/create", order(880001, harness.clock.now().toISOString()))).status).toBe(200);
    expect((await harness.deliver("checkouts/create", checkout("privacy-checkout-2", harness.clock.now().toISOString()))).status).toBe(200);
    // and another customer checks out (their data must survive the first one's erasure)
    expect((await harness.deliver("checkouts/create", checkout("other-checkout", harness.clock.now().toISOString(), OTHER_EMAIL, 7002, null))).status).toBe(200);
    await harness.worker.tick();
    await suppressAddress(harness.db, { workspaceId, email: EMAIL, reason: "unsubscribe", source: "unsubscribe_link", now: harness.clock.now() });
    // (and the write-back of that unsubscribe to the store, which names the address too)
    const shopStore = await harness.db.store.findFirstOrThrow({ where: { workspaceId } });
    await harness.db.consentUpdate.create({ data: { workspaceId, storeId: shopStore.id, customerExternalId: "7001", email: EMAIL, subscribed: false, source: "unsubscribe_link", status: "done", attempts: 1, nextAttemptAt: harness.clock.now(), createdAt: harness.clock.now() } });

    // AND a journey for the customer (written directly: the flow engine is covered by its own tests)
    const profile = await harness.db.customer.findFirstOrThrow({ where: { workspaceId, email: EMAIL } });
    const flow = await harness.db.flow.findFirstOrThrow({ where: { workspaceId } });
    const now = harness.clock.now();
    const enrollment = await harness.db.enrollment.create({
      data: { workspaceId, flowId: flow.id, flowVersionId: flow.liveVersionId ?? "", customerId: profile.id, entityType: "checkout", entityId: "privacy-manual", currentNodeId: "wait-72h", wakeAt: new Date(now.getTime() + 30 * 86_400_000), enteredAt: now },
    });
    await harness.db.stepRun.create({ data: { workspaceId, enrollmentId: enrollment.id, nodeId: "email-reminder", nodeType: "email", result: { to: EMAIL, messageId: "privacy-message-1" }, ranAt: now } });
    await harness.db.enrollmentTrace.create({ data: { workspaceId, flowId: flow.id, enrollmentId: enrollment.id, customerId: profile.id, at: now, kind: "send", detail: { email: EMAIL, firstName: "Ada" } } });
    await harness.db.message.create({
      data: { id: "privacy-message-1", workspaceId, customerId: profile.id, flowId: flow.id, enrollmentId: enrollment.id, nodeId: "email-reminder", toEmail: EMAIL, fromEmail: "shop@example.com", subject: "We saved your items, Ada", html: `<p>Hi Ada Lovelace</p>`, text: "Hi Ada", status: "sent", provider: "sendgrid", nextAttemptAt: now, createdAt: now, sentAt: now },
    });
    await harness.db.messageEvent.create({ data: { workspaceId, messageId: "privacy-message-1", type: "bounce", occurredAt: now, provider: "sendgrid", providerEventId: "sg-1", reason: `550 ${EMAIL} mailbox full` } });
    await harness.db.message.create({
      data: { id: "privacy-message-2", workspaceId, customerId: profile.id, flowId: flow.id, enrollmentId: enrollment.id, nodeId: "email-incentive", toEmail: EMAIL, fromEmail: "shop@example.com", subject: "10% off", html: "<p>Ada</p>", text: "Ada", status: "queued", nextAttemptAt: new Date(now.getTime() + 30 * 86_400_000), createdAt: now },
    });

    // AND the store says where they live and how it tags them
    const update = { ...fixture("shopify", "customers_update"), ...customer(CUSTOMER_ID, EMAIL, PHONE), tags: "VIP, Wholesale", updated_at: harness.clock.now().toISOString() };
    expect((await harness.deliver("customers/update", update)).status).toBe(200);
    await harness.worker.tick();
    // AND segments and predictions hold them (written directly: segments and predictions have their own tests)
    const other = await harness.db.customer.findFirstOrThrow({ where: { workspaceId, email: OTHER_EMAIL } });
    const segment = await harness.db.segment.create({ data: { workspaceId, name: "Privacy VIPs", rule: { kind: "group", match: "all", conditions: [] }, memberCount: 2 } });
    await harness.db.segmentMembership.createMany({ data: [profile, other].map((row) => ({ segmentId: segment.id, customerId: row.id, workspaceId, enteredAt: now })) });
    await harness.db.segmentCountHistory.create({ data: { segmentId: segment.id, day: "2026-03-01", workspaceId, members: 2 } });
    const prediction = { workspaceId, churnProbability: 0.2, churnLow: 0.1, churnHigh: 0.3, expectedOrders12m: 2.5, clv12m: 12000, clvLow: 8000, clvHigh: 16000, currency: "USD", computedAt: now };
    // (the worker may have fitted the workspace's model already: these replace what it wrote)
    await harness.db.customerPrediction.deleteMany({ where: { customerId: { in: [profile.id, other.id] } } });
    await harness.db.customerPrediction.createMany({ data: [profile, other].map((row) => ({ customerId: row.id, ...prediction })) });
    const model = { params: { r: 0.5 }, customers: 2, fittedAt: now };
    await harness.db.predictionModel.upsert({ where: { workspaceId }, create: { workspaceId, ...model }, update: model });
    await harness.db.apiKey.create({ data: { workspaceId, name: "Privacy test", prefix: "nf_priv", hash: "privacy-test-key-hash", scopes: "segments:read" } });

    // THEN the workspace holds all of it
    expect((await tablesMentioning(harness.db, EMAIL)).length).toBeGreaterThan(5);
    expect(await harness.db.customer.findUniqueOrThrow({ where: { id: profile.id } })).toMatchObject({ country: "CA", region: "ON", city: "Ottawa" });
    expect((await harness.db.customerTag.findMany({ where: { customerId: profile.id }, orderBy: { tag: "asc" } })).map((row) => row.tag)).toEqual(["vip", "wholesale"]);
    expect(await harness.db.orderLine.count({ where: { workspaceId } })).toBeGreaterThan(0);
  });

  it("answers customers/data_request with an export the merchant downloads", async () => {
    // WHEN Shopify sends a data request for the customer
    const body = { ...fixture("shopify", "customers_data_request"), customer: { id: CUSTOMER_ID, email: EMAIL, phone: PHONE }, data_request: { id: 4242 } };
    expect((await harness.deliver("customers/data_request", body)).status).toBe(200);
    await harness.worker.tick();

    // THEN a completed request holds everything about them
    const request = await harness.db.privacyRequest.findFirstOrThrow({ where: { workspaceId, kind: "data_request" } });
    expect(request).toMatchObject({ status: "completed", externalCustomerId: String(CUSTOMER_ID) });
    const download = await admin(`/app/privacy/${request.id}`);
    expect(download.status, harness.app.output()).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="nudgeflow-data-request-/);
    const data = await download.json();
    expect(data.subject).toMatchObject({ email: EMAIL, found: true });
    expect(data.customers).toHaveLength(1);
    expect(data.customers[0]).toMatchObject({ email: EMAIL, firstName: "Ada" });
    expect(data.identities.map((identity: { externalId: string }) => identity.externalId)).toContain(String(CUSTOMER_ID));
    expect(data.checkouts.map((row: { token: string }) => row.token).sort()).toEqual(["privacy-checkout-1", "privacy-checkout-2"]);
    expect(data.orders).toHaveLength(1);
    expect(data.enrollments.map((row: { entityId: string }) => row.entityId)).toContain("privacy-manual");
    expect(data.stepRuns.length).toBeGreaterThan(0);
    expect(data.messages.length).toBeGreaterThanOrEqual(2);
    expect(data.messages.find((row: { id: string }) => row.id === "privacy-message-1")).toMatchObject({ toEmail: EMAIL, events: [expect.objectContaining({ type: "bounce" })] });
    expect(data.traces.length).toBeGreaterThanOrEqual(1);
    expect(data.events.length).toBeGreaterThanOrEqual(3);
    expect(data.suppressions).toHaveLength(1);
    // AND what segments and predictions hold: tags, where they live, their segments, the model's view of them
    expect(data.tags.map((row: { tag: string }) => row.tag)).toEqual(["vip", "wholesale"]);
    expect(data.locations).toEqual([expect.objectContaining({ country: "CA", region: "ON", city: "Ottawa" })]);
    expect(data.segments).toEqual([expect.objectContaining({ name: "Privacy VIPs" })]);
    expect(data.predictions).toEqual([expect.objectContaining({ churnProbability: 0.2, clv12m: 12000 })]);
    expect(JSON.stringify(data)).not.toContain(OTHER_EMAIL);

    // AND it is listed on the Privacy page
    const page = await admin("/app/privacy?_data=routes%2Fapp.privacy._index");
    expect(page.status).toBe(200);
    expect((await page.json()).requests).toEqual([expect.objectContaining({ id: request.id, kind: "data_request", downloadable: true, subject: EMAIL })]);
  });

  it("erases the customer on customers/redact: the address is in no table, totals stay, the unsubscribe holds", async () => {
    const orderBefore = await harness.db.order.findFirstOrThrow({ where: { workspaceId, externalId: "880001" } });

    // WHEN Shopify asks for the customer's erasure
    const body = { ...fixture("shopify", "customers_redact"), customer: { id: CUSTOMER_ID, email: EMAIL, phone: PHONE }, orders_to_redact: [880001] };
    expect((await harness.deliver("customers/redact", body)).status).toBe(200);
    await harness.worker.tick();

    // THEN no row of any table holds the address or the phone
    expect(await tablesMentioning(harness.db, EMAIL)).toEqual([]);
    expect(await tablesMentioning(harness.db, PHONE)).toEqual([]);
    expect(await tablesMentioning(harness.db, "Lovelace")).toEqual([]);
    expect(await tablesMentioning(harness.db, "wholesale")).toEqual([]);
    // AND the aggregates remain, anonymised
    const orderAfter = await harness.db.order.findUniqueOrThrow({ where: { id: orderBefore.id } });
    expect(orderAfter).toMatchObject({ totalPrice: orderBefore.totalPrice, currency: orderBefore.currency, email: null, customerId: null });
    expect(orderAfter.placedAt.toISOString()).toBe(orderBefore.placedAt.toISOString());
    const profile = await harness.db.customer.findFirstOrThrow({ where: { workspaceId, id: orderBefore.customerId ?? "" } });
    expect(profile).toMatchObject({ email: null, firstName: null, lastName: null, phone: null });
    expect(await harness.db.customerIdentity.count({ where: { customerId: profile.id } })).toBe(0);
    // AND where they live, their tags, segment memberships and predictions are gone; their order's lines stay
    expect(profile).toMatchObject({ country: null, region: null, city: null });
    expect(await harness.db.customerTag.count({ where: { customerId: profile.id } })).toBe(0);
    expect(await harness.db.segmentMembership.count({ where: { customerId: profile.id } })).toBe(0);
    expect(await harness.db.customerPrediction.count({ where: { customerId: profile.id } })).toBe(0);
    expect(await harness.db.segment.findFirstOrThrow({ where: { workspaceId, name: "Privacy VIPs" } })).toMatchObject({ memberCount: 1 });
    expect(await harness.db.orderLine.count({ where: { orderId: orderBefore.id } })).toBeGreaterThan(0);
    // AND the running journey ended, the message keeps its status only, the unsubscribe is still honoured
    expect(await harness.db.enrollment.findFirstOrThrow({ where: { entityId: "privacy-manual" } })).toMatchObject({ status: "exited", exitReason: "customer redacted", wakeAt: null });
    expect(await harness.db.enrollment.count({ where: { customerId: profile.id, status: "active" } })).toBe(0);
    expect(await harness.db.message.findUniqueOrThrow({ where: { id: "privacy-message-1" } })).toMatchObject({ status: "sent", toEmail: "[redacted]", html: "[redacted]" });
    expect(await harness.db.message.findUniqueOrThrow({ where: { id: "privacy-message-2" } })).toMatchObject({ status: "cancelled", error: "customer redacted" });
    expect(await harness.db.messageEvent.findFirstOrThrow({ where: { messageId: "privacy-message-1" } })).toMatchObject({ type: "bounce", reason: null });
    expect(await suppressionOf(harness.db, { workspaceId, email: EMAIL })).toMatch(/unsubscribed/);
    // AND the earlier export is gone, the erasure keeps counts
    const exportRequest = await harness.db.privacyRequest.findFirstOrThrow({ where: { workspaceId, kind: "data_request" } });
    expect((await admin(`/app/privacy/${exportRequest.id}`)).status).toBe(404);
    const erasure = await harness.db.privacyRequest.findFirstOrThrow({ where: { workspaceId, kind: "customer_redact" } });
    expect(erasure).toMatchObject({ status: "completed", email: null });
    expect(erasure.result).toMatchObject({ counts: expect.objectContaining({ customers: 1, orders: 1, suppressions: 1, tags: 2, segmentMemberships: 1, predictions: 1 }) });
    // AND the other customer is untouched, in the segment and predicted as before
    const other = await harness.db.customer.findFirstOrThrow({ where: { workspaceId, email: OTHER_EMAIL } });
    expect(await harness.db.segmentMembership.count({ where: { customerId: other.id } })).toBe(1);
    expect(await harness.db.customerPrediction.count({ where: { customerId: other.id } })).toBe(1);
    expect(await harness.db.checkout.findFirstOrThrow({ where: { workspaceId, token: "other-checkout" } })).toMatchObject({ email: OTHER_EMAIL });
    expect(await harness.db.customer.count({ where: { workspaceId, email: OTHER_EMAIL } })).toBe(1);
  });

  it("sets security headers: embedded documents framable by the shop and admin only, standalone ones not at all", async () => {
    const login = await fetch(`${harness.app.url}/login`, { headers: { "User-Agent": BROWSER_UA } });
    expect(login.status).toBe(200);
    expect(login.headers.get("content-security-policy")).toBe("frame-ancestors 'none';");
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(login.headers.get("x-content-type-options")).toBe("nosniff");
    expect(login.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");

    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const embedded = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, { headers: { "User-Agent": BROWSER_UA } });
    expect(embedded.status, harness.app.output()).toBe(200);
    const csp = embedded.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
    expect(embedded.headers.get("x-frame-options")).toBeNull();
    expect(embedded.headers.get("x-content-type-options")).toBe("nosniff");
    expect(embedded.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("erases the shop's data on shop/redact and keeps a record with counts", async () => {
    // GIVEN the merchant uninstalled the app (sessions dropped); a stray session shows shop/redact removes them too
    expect((await harness.deliver("app/uninstalled", fixture("shopify", "app_uninstalled"))).status).toBe(200);
    await harness.worker.tick();
    await harness.db.session.create({ data: { id: `stray_${SHOP}`, shop: SHOP, state: "", accessToken: "token" } });

    // WHEN Shopify sends shop/redact 48 hours later
    harness.clock.advance({ hours: 48 });
    expect((await harness.deliver("shop/redact", { ...fixture("shopify", "shop_redact"), shop_domain: SHOP })).status).toBe(200);
    await harness.worker.tick();

    // THEN the workspace's merchant data is gone
    const where = { workspaceId };
    for (const [table, count] of Object.entries({
      customers: await harness.db.customer.count({ where }),
      identities: await harness.db.customerIdentity.count({ where }),
      carts: await harness.db.cart.count({ where }),
      checkouts: await harness.db.checkout.count({ where }),
      orders: await harness.db.order.count({ where }),
      events: await harness.db.event.count({ where }),
      flows: await harness.db.flow.count({ where }),
      flowVersions: await harness.db.flowVersion.count({ where }),
      enrollments: await harness.db.enrollment.count({ where }),
      stepRuns: await harness.db.stepRun.count({ where }),
      traces: await harness.db.enrollmentTrace.count({ where }),
      messages: await harness.db.message.count({ where }),
      messageEvents: await harness.db.messageEvent.count({ where }),
      suppressions: await harness.db.suppression.count({ where }),
      sessions: await harness.db.session.count({ where: { shop: SHOP } }),
      orderLines: await harness.db.orderLine.count({ where }),
      customerTags: await harness.db.customerTag.count({ where }),
      segments: await harness.db.segment.count({ where }),
      segmentMemberships: await harness.db.segmentMembership.count({ where }),
      segmentCountHistory: await harness.db.segmentCountHistory.count({ where }),
      predictions: await harness.db.customerPrediction.count({ where }),
      predictionModels: await harness.db.predictionModel.count({ where }),
      apiKeys: await harness.db.apiKey.count({ where }),
    })) {
      expect(`${table}: ${count}`).toBe(`${table}: 0`);
    }
    const inbox = await harness.db.inboxEvent.findMany({ where });
    expect(inbox.map((row) => row.topic)).toEqual(["shop/redact"]);
    expect(await tablesMentioning(harness.db, OTHER_EMAIL)).toEqual([]);
    // AND a completed record with counts remains, listed for the merchant
    const record = await harness.db.privacyRequest.findFirstOrThrow({ where: { workspaceId, kind: "store_redact" } });
    expect(record.status).toBe("completed");
    expect(record.result).toMatchObject({ counts: expect.objectContaining({ customers: 2, flows: 1, sessions: 1, apiKeys: 1, predictionModels: 1 }) });
    expect(await harness.db.privacyRequest.count({ where })).toBe(3);
  });
});
