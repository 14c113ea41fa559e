// Unsubscribe and consent, end to end over real HTTP: a Shopify store installed through the emulator, a subscribed
// customer, a marketing flow (two emails a day apart) and a transactional one (shipping update). The first marketing
// email reaches the SendGrid emulator with its List-Unsubscribe headers; the one-click POST to that URL suppresses
// the customer; the second marketing email is skipped with the reason in the trace while the shipping update still
// goes out; the worker writes UNSUBSCRIBED back to the Shopify emulator (and records that WooCommerce cannot take
// it); Shopify's echo of our own write changes nothing; resubscribing on the preference page writes SUBSCRIBED back.
// Write-back retries: the emulator answering 500, then throttled, then OK; giving up after five failures. SQLite,
// and PostgreSQL when DATABASE_URL points at one.
import { createShopifyAdmin } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { createStoreActionsFor, type StoreActionsFor } from "~/core/adapters/store-actions.server";
import { importFlow } from "~/core/flows/manage.server";
import { listTrace } from "~/core/flows/trace.server";
import { MAX_CONSENT_ATTEMPTS } from "~/core/messaging/consent-updates.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { fixture } from "../fixtures";
import { emailConsentWebhook } from "../emulators/shopify/server";
import type { SendGridMessage } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll } from "../support/databases";
import { API_KEY, API_SECRET, APP_URL, BROWSER_UA, SCOPES, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const CUSTOMER_ID = "207119551";
const CUSTOMER_GID = `gid://shopify/Customer/${CUSTOMER_ID}`;
const EMAIL = "ada@consent.example";

const email = (id: string, next: string | null) => ({ id, type: "email", name: id, subject: `About ${id}`, html: `<p>${id} from {{ shop.name }}</p>`, text: `${id}`, next });

describe.each(databaseTargets())("unsubscribe, consent write-back and preferences on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;
  let storeActionsFor: StoreActionsFor = () => ({ ok: false, error: "the Shopify admin client is not made yet" });

  const sentTo = (address: string) => harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === address);
  const unsubscribeUrlOf = (sent: SendGridMessage) => /^<(.+)>$/.exec(sent.body.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
  const emulatedCustomer = () => {
    const customer = harness.shopify.shops.get(SHOP)?.customers.get(CUSTOMER_GID);
    if (!customer) throw new Error("the emulator lost the customer");
    return customer;
  };
  const consentCalls = () => harness.shopify.graphqlRequests.filter((request) => request.operationName === "NudgeflowEmailConsentUpdate");
  const customer = () => harness.db.customer.findFirstOrThrow({ where: { workspaceId, email: EMAIL } });
  /** The write-backs queue on the request's real clock; the worker's manual clock catches up before it looks. */
  async function tickAfter(minutes: number) {
    harness.clock.advance({ minutes });
    await harness.worker.tick();
  }

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      shopify: { seed: { name: "Consent Test Store", email: "owner@consent.example", customers: { [CUSTOMER_ID]: { email: EMAIL, marketingState: "SUBSCRIBED" } } } },
      workerDeps: ({ db, app }) => ({ unsubscribe: createUnsubscribeLinks({ db, appUrl: app.url }), storeActionsFor: (store) => storeActionsFor(store) }),
    });
    storeActionsFor = createStoreActionsFor({
      shopifyAdmin: createShopifyAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: APP_URL, scopes: SCOPES.split(","), adminApiOrigin: harness.shopify.url }, createSessionStorage(harness.db)),
    });

    // The merchant opens the embedded app: token exchange, the workspace and the store.
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
    const installed = await fetch(`${harness.app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`, { headers: { "User-Agent": BROWSER_UA } });
    expect(installed.status, harness.app.output()).toBe(200);
    const store = await harness.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: SHOP } } });
    workspaceId = store.workspaceId;

    // A marketing flow (two emails a day apart) and a transactional one, both live.
    const deps = { db: harness.db, clock: harness.clock };
    await importFlow(deps, {
      workspaceId,
      name: "Thanks, then ideas",
      publish: true,
      definition: {
        schemaVersion: 1,
        trigger: { type: "event", events: ["order.add"], entity: "customer" },
        goal: null,
        rules: { consent: "marketing", quietHours: null },
        entry: "email-thanks",
        nodes: [email("email-thanks", "wait-1d"), { id: "wait-1d", type: "delay", duration: { days: 1 }, next: "email-ideas" }, email("email-ideas", null)],
      },
    });
    await importFlow(deps, {
      workspaceId,
      name: "Shipping update",
      publish: true,
      definition: {
        schemaVersion: 1,
        trigger: { type: "event", events: ["order.shipment.add"], entity: "customer" },
        goal: null,
        rules: { consent: "transactional", kind: "transactional", quietHours: null },
        entry: "email-shipped",
        nodes: [email("email-shipped", null)],
      },
    });
  });

  afterAll(() => harness?.stop());

  it("unsubscribes in one click, skips the next marketing email with the reason, still sends the shipping update and writes UNSUBSCRIBED back to Shopify", async () => {
    // GIVEN the store's customer, subscribed to email marketing at Shopify, and known at a WooCommerce store too
    const created = { ...fixture("shopify", "customers_create"), id: Number(CUSTOMER_ID), admin_graphql_api_id: CUSTOMER_GID, email: EMAIL };
    expect((await harness.deliver("customers/create", created)).status).toBe(200);
    expect((await harness.deliver("customers_email_marketing_consent/update", emailConsentWebhook(emulatedCustomer()))).status).toBe(200);
    await harness.worker.tick();
    const profile = await customer();
    expect(profile.acceptsMarketing).toBe(true);
    const woo = await harness.db.store.create({ data: { workspaceId, platform: "woocommerce", domain: "woo.consent.example", name: "Consent Woo", currency: "USD" } });
    await harness.db.customerIdentity.create({ data: { workspaceId, storeId: woo.id, customerId: profile.id, externalId: "77" } });

    // WHEN they order: the marketing flow's first email goes out with the RFC 8058 headers
    const order = {
      ...fixture("shopify", "orders_create"),
      id: 4100,
      admin_graphql_api_id: "gid://shopify/Order/4100",
      email: EMAIL,
      contact_email: EMAIL,
      buyer_accepts_marketing: true,
      customer: { ...(fixture("shopify", "orders_create").customer as Record<string, unknown>), id: Number(CUSTOMER_ID), admin_graphql_api_id: CUSTOMER_GID, email: EMAIL },
      created_at: harness.clock.now().toISOString(),
      processed_at: harness.clock.now().toISOString(),
    };
    expect((await harness.deliver("orders/create", order)).status).toBe(200);
    await harness.worker.tick();
    const [first] = sentTo(EMAIL);
    expect(first?.body.subject, harness.app.output().slice(-2000)).toBe("About email-thanks");
    expect(first.body.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const url = unsubscribeUrlOf(first);
    expect(url).toMatch(new RegExp(`^${harness.app.url}/unsubscribe/`));

    // AND the mail client POSTs one-click to the header's URL
    const clicked = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(clicked.status, harness.app.output().slice(-2000)).toBe(200);
    expect(clicked.headers.get("x-robots-tag")).toMatch(/noindex/);

    // THEN the address is suppressed and consent is off at once; a write-back per store waits for the worker
    const suppression = await harness.db.suppression.findFirstOrThrow({ where: { workspaceId, email: EMAIL } });
    expect(suppression).toMatchObject({ reason: "unsubscribe", source: "one_click" });
    expect((await customer()).acceptsMarketing).toBe(false);
    const shopifyStore = await harness.db.store.findFirstOrThrow({ where: { workspaceId, platform: "shopify" } });
    const queued = await harness.db.consentUpdate.findMany({ where: { workspaceId, email: EMAIL } });
    const queuedFor = (storeId: string) => queued.find((row) => row.storeId === storeId);
    expect(queued).toHaveLength(2);
    expect(queuedFor(shopifyStore.id)).toMatchObject({ customerExternalId: CUSTOMER_ID, subscribed: false, status: "pending", source: "one_click", attempts: 0 });
    expect(queuedFor(woo.id)).toMatchObject({ customerExternalId: "77", subscribed: false, status: "pending", source: "one_click" });
    // A second one-click POST (mail clients retry) changes nothing more.
    expect((await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" })).status).toBe(200);
    expect(await harness.db.consentUpdate.count({ where: { workspaceId, email: EMAIL } })).toBe(2);
    // The unsubscribe is also a canonical message.unsubscribed event of the customer (once), as flows see it.
    const unsubscribed = await harness.db.event.findMany({ where: { workspaceId, type: "message.unsubscribed" }, select: { customerId: true, data: true } });
    expect(unsubscribed).toHaveLength(1);
    expect(unsubscribed[0]).toMatchObject({ customerId: (await customer()).id, data: { scope: "all", provider: "nudgeflow" } });

    // WHEN the worker runs: the write-back reaches Shopify; WooCommerce is recorded as unable to take it
    await tickAfter(1);
    const shopifyRow = queuedFor(shopifyStore.id)!;
    expect(await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: shopifyRow.id } })).toMatchObject({ status: "done", attempts: 1, error: null });
    const wooRow = await harness.db.consentUpdate.findFirstOrThrow({ where: { storeId: woo.id } });
    expect(wooRow.status).toBe("unsupported");
    expect(wooRow.error).toMatch(/WooCommerce has no email-marketing consent/);
    expect(emulatedCustomer()).toMatchObject({ marketingState: "UNSUBSCRIBED", consentUpdatedAt: shopifyRow.createdAt.toISOString() });
    expect(consentCalls().at(-1)?.variables).toEqual({
      input: { customerId: CUSTOMER_GID, emailMarketingConsent: { marketingState: "UNSUBSCRIBED", consentUpdatedAt: shopifyRow.createdAt.toISOString() } },
    });

    // WHEN the order ships: the transactional email still goes out
    const fulfillment = { ...fixture("shopify", "fulfillments_create"), id: 5100, order_id: 4100, email: EMAIL, admin_graphql_api_id: "gid://shopify/Fulfillment/5100" };
    expect((await harness.deliver("fulfillments/create", fulfillment)).status).toBe(200);
    await harness.worker.tick();
    expect(sentTo(EMAIL).map((message) => message.body.subject)).toEqual(["About email-thanks", "About email-shipped"]);

    // AND past the delay, the second marketing email is skipped at its step, the trace saying why; its message is
    // kept as suppressed (the outbox and the KPIs count it) and never dispatched
    harness.clock.advance({ days: 1, minutes: 1 });
    await harness.worker.tick();
    expect(sentTo(EMAIL)).toHaveLength(2);
    const enrollment = await harness.db.enrollment.findFirstOrThrow({ where: { workspaceId, customerId: profile.id, flow: { name: "Thanks, then ideas" } } });
    expect(enrollment.status).toBe("completed");
    const reason = `unsubscribed (one-click unsubscribe, ${suppression.createdAt.toISOString().slice(0, 10)})`;
    const step = await harness.db.stepRun.findFirstOrThrow({ where: { enrollmentId: enrollment.id, nodeId: "email-ideas" } });
    const skippedMessage = await harness.db.message.findFirstOrThrow({ where: { enrollmentId: enrollment.id, nodeId: "email-ideas" } });
    expect(step.result).toEqual({ skipped: reason, messageId: skippedMessage.id });
    expect(skippedMessage).toMatchObject({ status: "suppressed", error: `Not sent: ${reason}`, attempts: 0, providerMessageId: null });
    const trace = await listTrace(harness.db, { workspaceId, enrollmentId: enrollment.id });
    expect(trace.map((entry) => entry.text)).toContain(`email "email-ideas" skipped: ${reason}`);
    expect(trace.filter((entry) => entry.kind === "send").map((entry) => entry.detail.nodeId)).toEqual(["email-thanks"]);
  });

  it("takes Shopify's echo of our own write, and an older consent webhook, without fighting or writing again", async () => {
    const callsBefore = consentCalls().length;
    const rowsBefore = await harness.db.consentUpdate.count({ where: { workspaceId } });

    // WHEN Shopify sends the consent webhook our write caused, and a late one from before the unsubscribe
    expect((await harness.deliver("customers_email_marketing_consent/update", emailConsentWebhook(emulatedCustomer()))).status).toBe(200);
    const stale = { ...emailConsentWebhook(emulatedCustomer()), email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T00:00:00Z" } };
    expect((await harness.deliver("customers_email_marketing_consent/update", stale)).status).toBe(200);
    await tickAfter(1);

    // THEN both are on record, consent stays off, and nothing is queued or written again
    expect(await harness.db.event.count({ where: { workspaceId, type: "customer.consent.update", storeId: { not: null } } })).toBe(3);
    expect((await customer()).acceptsMarketing).toBe(false);
    expect(await harness.db.consentUpdate.count({ where: { workspaceId } })).toBe(rowsBefore);
    expect(consentCalls()).toHaveLength(callsBefore);
    expect(emulatedCustomer().marketingState).toBe("UNSUBSCRIBED");
  });

  it("shows the preference page and resubscribes from it, writing SUBSCRIBED back", async () => {
    const [first] = sentTo(EMAIL);
    const url = unsubscribeUrlOf(first);

    // GIVEN the customer opens the link again: the masked address, the status and a way back
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-robots-tag")).toMatch(/noindex/);
    const html = await page.text();
    expect(html).toContain("You&#x27;re unsubscribed");
    expect(html).toContain("a••@consent.example");
    expect(html).not.toContain(EMAIL);
    expect(html).toContain("Resubscribe");
    expect(html).toContain('name="robots" content="noindex');

    // WHEN they resubscribe
    const resubscribed = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "resubscribe" }) });
    expect(resubscribed.status, harness.app.output().slice(-2000)).toBe(200);
    expect(await resubscribed.text()).toContain("You&#x27;re subscribed again");

    // THEN the unsubscribe is lifted, consent is on, and the worker writes SUBSCRIBED (single opt-in) to Shopify
    expect(await harness.db.suppression.count({ where: { workspaceId, email: EMAIL } })).toBe(0);
    expect((await customer()).acceptsMarketing).toBe(true);
    const row = await harness.db.consentUpdate.findFirstOrThrow({ where: { workspaceId, email: EMAIL, subscribed: true, customerExternalId: CUSTOMER_ID } });
    expect(row).toMatchObject({ status: "pending", source: "preference_page" });
    await tickAfter(1);
    expect(await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "done" });
    expect(emulatedCustomer()).toMatchObject({ marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: row.createdAt.toISOString() });
    const timeline = await harness.db.event.findMany({ where: { workspaceId, type: "customer.consent.update", storeId: null }, orderBy: { occurredAt: "asc" } });
    expect(timeline.map((event) => (event.data as { state: string }).state)).toEqual(["unsubscribed through one-click unsubscribe", "subscribed through the email preference page"]);
  });

  it("never lifts a bounce or a spam report from the preference page", async () => {
    const [first] = sentTo(EMAIL);
    const url = unsubscribeUrlOf(first);
    await harness.db.suppression.create({ data: { workspaceId, email: EMAIL, reason: "spamreport", source: "sendgrid", createdAt: new Date() } });

    const page = await (await fetch(url)).text();
    expect(page).toContain("reported as spam");
    expect(page).not.toContain("Resubscribe");
    const refused = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "resubscribe" }) });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain("We could not subscribe you again");
    expect(await harness.db.suppression.findFirst({ where: { workspaceId, email: EMAIL } })).toMatchObject({ reason: "spamreport" });
    await harness.db.suppression.deleteMany({ where: { workspaceId, email: EMAIL } });
  });

  it("retries a write-back Shopify answered with 500 and then throttled, and gives up after five failures with the reason", async () => {
    const [first] = sentTo(EMAIL);
    const url = unsubscribeUrlOf(first);
    const shop = harness.shopify.shops.get(SHOP)!;

    // GIVEN Shopify fails twice, then works
    shop.consentFailures.push("server_error", "throttled");
    expect((await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) })).status).toBe(200);
    const row = await harness.db.consentUpdate.findFirstOrThrow({ where: { workspaceId, customerExternalId: CUSTOMER_ID, status: "pending" } });
    expect(row.source).toBe("unsubscribe_link");

    // WHEN the worker tries: the 500 is retried a minute later, the throttle four minutes after that
    await tickAfter(1);
    const afterFirst = await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } });
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1 });
    expect(afterFirst.error).toMatch(/^the consent change did not reach Shopify: /);
    await harness.worker.tick(); // not due yet: nothing happens
    expect(await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ attempts: 1 });
    await tickAfter(1);
    const afterSecond = await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } });
    expect(afterSecond).toMatchObject({ status: "pending", attempts: 2 });
    expect(afterSecond.error).toMatch(/Throttled/);
    await tickAfter(4);

    // THEN it is done, at the third attempt
    expect(await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "done", attempts: 3 });
    expect(emulatedCustomer().marketingState).toBe("UNSUBSCRIBED");

    // AND when Shopify keeps failing, the fifth failure is the last, with the reason
    const resubscribe = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "resubscribe" }) });
    expect(resubscribe.status).toBe(200);
    shop.consentFailures.push(...Array.from({ length: MAX_CONSENT_ATTEMPTS }, () => "server_error" as const));
    const failing = await harness.db.consentUpdate.findFirstOrThrow({ where: { workspaceId, customerExternalId: CUSTOMER_ID, status: "pending" } });
    for (let attempt = 0; attempt < MAX_CONSENT_ATTEMPTS; attempt += 1) await tickAfter(6 * 60);
    const gaveUp = await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: failing.id } });
    expect(gaveUp).toMatchObject({ status: "failed", attempts: MAX_CONSENT_ATTEMPTS });
    expect(gaveUp.error).toMatch(/gave up after 5 attempts/);
    expect(emulatedCustomer().marketingState).toBe("UNSUBSCRIBED");
  });
  it("does not write over a consent change the store recorded after ours: the write-back is superseded, with the reason", async () => {
    const [first] = sentTo(EMAIL);
    const calls = consentCalls().length;
    // GIVEN the store says the customer subscribed (at checkout) ten minutes after the unsubscribe below
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    const theirs = { ...emailConsentWebhook(emulatedCustomer()), email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: later } };
    expect((await harness.deliver("customers_email_marketing_consent/update", theirs)).status).toBe(200);
    await harness.worker.tick();

    // WHEN the customer unsubscribes and the worker comes to write it back
    expect((await fetch(unsubscribeUrlOf(first), { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) })).status).toBe(200);
    const row = await harness.db.consentUpdate.findFirstOrThrow({ where: { workspaceId, customerExternalId: CUSTOMER_ID, status: "pending" } });
    await tickAfter(1);

    // THEN the store's newer word stands: nothing was sent to Shopify, and the row says why
    const settled = await harness.db.consentUpdate.findUniqueOrThrow({ where: { id: row.id } });
    expect(settled.status).toBe("superseded");
    expect(settled.error).toBe(`the store recorded a newer consent change (subscribed, ${new Date(later).toISOString()}); ours was not written over it`);
    expect(consentCalls()).toHaveLength(calls);
  });
});
