// The walking skeleton end to end, over real HTTP against the real app server and emulators:
// install via token exchange → turn on the blueprint through the admin's action → Shopify webhooks →
// the worker (in this process, on a manual clock) → one email at the SendGrid emulator → an order exits
// the enrollment. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { listFailedEvents, replayInboxEvent } from "~/core/ingest/queries.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/sendgrid.server";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { API_SECRET, BROWSER_UA, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

const IPOD_IMAGE = "https://cdn.shopify.example/ipod-nano-pink.png";

afterAll(dropAll);

describe.each(databaseTargets())("abandoned-cart journey on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2022-01-01T00:00:30Z", // 30 s after the fixtures' checkout activity
      shopify: {
        seed: {
          name: "Nudge Test Store",
          email: "owner@nudge-test.example",
          currencyCode: "USD",
          ianaTimezone: "America/New_York",
          variants: { "808950810": { imageUrl: IPOD_IMAGE, productImageUrl: null } },
        },
      },
    });
  });

  afterAll(() => harness?.stop());

  it("installs through token exchange and creates the workspace and store from the Admin API", async () => {
    // GIVEN Shopify opens the embedded app for a shop that has just installed it
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const url = `${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`;

    // WHEN the document loads
    const response = await fetch(url, { headers: { "User-Agent": BROWSER_UA } });

    // THEN the app exchanged the session token for an expiring offline token and stored the shop
    expect(response.status, harness.app.output()).toBe(200);
    // (the layout's and the page's loaders authenticate in parallel, so there may be two exchanges)
    expect(harness.shopify.tokenRequests.length).toBeGreaterThan(0);
    for (const request of harness.shopify.tokenRequests) {
      expect(request).toMatchObject({ status: 200, requestedTokenType: "urn:shopify:params:oauth:token-type:offline-access-token", expiring: "1" });
    }
    const session = await harness.db.session.findUnique({ where: { id: `offline_${SHOP}` } });
    expect(session?.refreshToken).toBeTruthy();
    expect(session?.expires).toBeTruthy();
    const store = await harness.db.store.findUnique({ where: { platform_domain: { platform: "shopify", domain: SHOP } } });
    expect(store).toMatchObject({ name: "Nudge Test Store", currency: "USD", timezone: "America/New_York", status: "active" });
    const workspace = await harness.db.workspace.findUniqueOrThrow({ where: { id: store!.workspaceId } });
    expect(workspace.fromEmail).toBe("owner@nudge-test.example");
  });

  it("turns the abandoned-cart blueprint on through the admin's action", async () => {
    // WHEN the merchant clicks "Turn on" (App Bridge sends the session token as a bearer header)
    const response = await fetch(`${harness.app.url}/app?index`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await harness.sessionToken()}`, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "enable-blueprint", blueprintId: "abandoned-cart" }),
    });

    // THEN the flow is live with its first published version
    expect(response.status, harness.app.output()).toBe(200);
    const flow = await harness.db.flow.findFirstOrThrow({ where: { blueprint: "abandoned-cart" } });
    expect(flow.status).toBe("live");
    expect(await harness.db.flowVersion.count({ where: { flowId: flow.id } })).toBe(1);
  });

  it("emails the abandoned checkout once after an hour, then stops when the customer orders", async () => {
    // GIVEN a checkout is created and updated, with an email and no order
    expect((await harness.deliver("checkouts/create", fixture("shopify", "checkouts_create"))).status).toBe(200);
    expect((await harness.deliver("checkouts/update", fixture("shopify", "checkouts_update"))).status).toBe(200);
    await harness.worker.tick();
    const enrollment = await harness.db.enrollment.findFirstOrThrow({ where: { entityType: "checkout" } });
    expect(enrollment).toMatchObject({ status: "active", currentNodeId: "wait-1h" });
    expect(harness.sendgrid.messages).toHaveLength(0);

    // WHEN an hour passes since the checkout's last activity
    harness.clock.advance({ hours: 1 });
    await harness.worker.tick();

    // THEN exactly one email reached SendGrid, personalised with the customer's items
    expect(harness.sendgrid.messages).toHaveLength(1);
    const [sent] = harness.sendgrid.messages;
    expect(sent.body.personalizations[0].to[0].email).toBe("example@email.com");
    expect(sent.body.subject).toBe("We saved your items, John");
    const html = sent.body.content?.find((part) => part.type === "text/html")?.value ?? "";
    expect(html).toContain("IPod Nano - 8GB");
    expect(html).toContain("$199.00");
    expect(html).toContain("$421.88");
    expect(html).toContain(IPOD_IMAGE);
    expect(html).toContain("https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token");
    const message = await harness.db.message.findFirstOrThrow({ where: { enrollmentId: enrollment.id } });
    expect(sent.body.personalizations[0].custom_args?.[MESSAGE_ID_ARG] ?? sent.body.custom_args?.[MESSAGE_ID_ARG]).toBe(message.id);
    expect(message).toMatchObject({ status: "sent", provider: "sendgrid", providerMessageId: sent.id });

    // WHEN that customer places an order
    const order = {
      ...fixture("shopify", "orders_create"),
      email: "example@email.com",
      contact_email: "example@email.com",
      checkout_token: "123123123",
      customer: fixture("shopify", "checkouts_create").customer,
      created_at: harness.clock.now().toISOString(),
      processed_at: harness.clock.now().toISOString(),
    };
    expect((await harness.deliver("orders/create", order)).status).toBe(200);
    await harness.worker.tick();

    // THEN the enrollment exits at once, and nothing more is sent even 72 hours later
    expect(await harness.db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
    harness.clock.advance({ hours: 72 });
    await harness.worker.tick();
    expect(harness.sendgrid.messages).toHaveLength(1);
    expect(await harness.db.stepRun.count({ where: { enrollmentId: enrollment.id, nodeType: "email" } })).toBe(1);
  });

  it("never enrolls the same checkout twice", async () => {
    // WHEN the same checkout is updated again, after its enrollment ended
    const again = { ...fixture("shopify", "checkouts_update"), updated_at: harness.clock.now().toISOString() };
    expect((await harness.deliver("checkouts/update", again)).status).toBe(200);
    await harness.worker.tick();

    // THEN it keeps its one enrollment
    expect(await harness.db.enrollment.count({ where: { entityType: "checkout" } })).toBe(1);
  });

  it("refuses a forged signature with 401 and stores nothing", async () => {
    const response = await harness.deliver("orders/create", fixture("shopify", "orders_create"), { webhookId: "forged-1", hmac: "Zm9yZ2VkIHNpZ25hdHVyZQ==" });
    expect(response.status).toBe(401);
    expect(await harness.db.inboxEvent.count({ where: { dedupeKey: "forged-1" } })).toBe(0);
  });

  it("turns one webhook delivered three times into one event", async () => {
    const customer = fixture("shopify", "customers_create");
    for (let delivery = 0; delivery < 3; delivery += 1) {
      expect((await harness.deliver("customers/create", customer, { webhookId: "dup-webhook-1" })).status).toBe(200);
    }
    await harness.worker.tick();
    const rows = await harness.db.inboxEvent.findMany({ where: { dedupeKey: "dup-webhook-1" } });
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe("processed");
    expect(await harness.db.event.count({ where: { inboxEventId: rows[0].id } })).toBe(1);
    expect(await harness.db.customer.count({ where: { email: "bob@biller.com" } })).toBe(1);
  });

  it("keeps a payload it cannot parse as a failed event, visible and replayable", async () => {
    // GIVEN two signed deliveries: one is not JSON, one lacks the checkout's token
    expect((await harness.deliver("checkouts/update", "{not json", { webhookId: "broken-json" })).status).toBe(200);
    const tokenless = { ...fixture("shopify", "checkouts_update"), token: undefined };
    expect((await harness.deliver("checkouts/update", tokenless, { webhookId: "broken-shape" })).status).toBe(200);

    // WHEN the worker processes them
    await harness.worker.tick();

    // THEN both are kept, failed, each with its reason, listed for the merchant
    const notJson = await harness.db.inboxEvent.findFirstOrThrow({ where: { dedupeKey: "broken-json" } });
    expect(notJson).toMatchObject({ status: "failed", payload: "{not json" });
    expect(notJson.error).toMatch(/not valid JSON/);
    const wrongShape = await harness.db.inboxEvent.findFirstOrThrow({ where: { dedupeKey: "broken-shape" } });
    expect(wrongShape.error).toMatch(/^token: /);
    const failed = await listFailedEvents(harness.db, { workspaceId: notJson.workspaceId! });
    expect(failed.map((event) => event.id)).toEqual(expect.arrayContaining([notJson.id, wrongShape.id]));

    // AND a replay puts it back in line and records another attempt
    expect(await replayInboxEvent({ db: harness.db, clock: harness.clock }, { workspaceId: notJson.workspaceId!, id: notJson.id })).toBe(true);
    await harness.worker.tick();
    expect(await harness.db.inboxEvent.findUniqueOrThrow({ where: { id: notJson.id } })).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("answers 400 to a signed delivery without the headers it needs", async () => {
    const response = await fetch(`${harness.app.url}/webhooks/shopify`, {
      method: "POST",
      headers: { "X-Shopify-Hmac-Sha256": (await import("node:crypto")).createHmac("sha256", API_SECRET).update("{}").digest("base64") },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/x-shopify-topic/);
  });

  it("stops all sending and drops the sessions when the app is uninstalled", async () => {
    // GIVEN another abandoned checkout in flight
    const checkout = { ...fixture("shopify", "checkouts_create"), token: "second-checkout", email: "ann@example.com", customer: null, updated_at: harness.clock.now().toISOString() };
    await harness.deliver("checkouts/create", checkout);
    await harness.worker.tick();
    expect(await harness.db.enrollment.count({ where: { status: "active" } })).toBe(1);

    // WHEN the merchant uninstalls the app
    expect((await harness.deliver("app/uninstalled", fixture("shopify", "app_uninstalled"))).status).toBe(200);
    await harness.worker.tick();

    // THEN the store is marked uninstalled, its journeys stop and its sessions are gone
    expect(await harness.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } })).toMatchObject({ status: "uninstalled" });
    expect(await harness.db.enrollment.count({ where: { status: "active" } })).toBe(0);
    expect(await harness.db.session.count({ where: { shop: SHOP } })).toBe(0);
    harness.clock.advance({ hours: 2 });
    await harness.worker.tick();
    expect(harness.sendgrid.messages).toHaveLength(1);

    // AND a delivery that arrives after the uninstall is kept without reinstalling the store
    expect((await harness.deliver("customers/update", fixture("shopify", "customers_update"))).status).toBe(200);
    await harness.worker.tick();
    expect(await harness.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } })).toMatchObject({ status: "uninstalled" });
  });
});
