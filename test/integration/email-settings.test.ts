// A workspace's own SendGrid account (docs/decisions/0027), over real HTTP: the settings page's action checks the key
// and the sender with the SendGrid emulator (global, and a second instance as the EU region) and saves nothing when
// a check fails; a saved key is sealed at rest, sends that workspace's email while another workspace uses the app's
// default key, and its account's Event Webhook is set up signed, posting to /webhooks/sendgrid/<workspaceId>, where
// forged posts are refused and signed ones become message events. The worker runs here, on the test's clock.
import { createSecretBox, parseKey } from "~/core/crypto.server";
import { createSenderDirectory } from "~/core/messaging/senders.server";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll } from "../support/databases";
import { BROWSER_UA, SENDGRID_KEY, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const ENCRYPTION_KEY = "723db132c80a452f20582caedbd5e479f55e2fa94e9f1200dccbd71b0bd19b5e";
const APP_URL = "https://nudgeflow-email-settings.test";
const ROUTE_DATA = `?_data=${encodeURIComponent("routes/app.settings.email")}`;

interface Tenant {
  workspaceId: string;
  cookie: string;
}

describe.each(databaseTargets())("per-workspace SendGrid accounts on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let eu: SendGridEmulator;
  let globalUrl = "";
  let shopA: Tenant;
  let shopB: Tenant;
  let counter = 0;

  async function tenant(key: string): Promise<Tenant> {
    const email = `owner-${key}@email-settings.example`;
    const password = `password-${key}-0123456789`;
    const { workspaceId } = await createWorkspaceWithUser(harness.db, { workspaceName: `Shop ${key}`, email, password });
    const login = await fetch(`${harness.app.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": BROWSER_UA },
      body: new URLSearchParams({ email, password, redirectTo: "/app" }),
    });
    expect(login.status, harness.app.output()).toBe(302);
    return { workspaceId, cookie: (login.headers.get("set-cookie") ?? "").split(";")[0] };
  }

  function post(who: Tenant, form: Record<string, string>) {
    return fetch(`${harness.app.url}/app/settings/email${ROUTE_DATA}`, {
      method: "POST",
      headers: { Cookie: who.cookie, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
  }

  async function save(who: Tenant, form: { fromEmail: string; fromName?: string; apiKey?: string; region?: "global" | "eu" }) {
    const response = await post(who, { intent: "save", fromName: "", apiKey: "", region: "global", ...form });
    return { status: response.status, body: await response.json() };
  }

  async function page(who: Tenant) {
    const response = await fetch(`${harness.app.url}/app/settings/email${ROUTE_DATA}`, { headers: { Cookie: who.cookie, "User-Agent": BROWSER_UA } });
    expect(response.status, harness.app.output().slice(-2000)).toBe(200);
    return { text: await response.clone().text(), settings: (await response.json()).settings };
  }

  const workspaceRow = (who: Tenant) =>
    harness.db.workspace.findUniqueOrThrow({ where: { id: who.workspaceId }, select: { fromEmail: true, sendgridApiKey: true, sendgridRegion: true, senderVerifiedAt: true, settings: true } });

  async function queueMessage(who: Tenant, to: string) {
    const id = `email-settings-${(counter += 1)}`;
    const now = harness.clock.now();
    await harness.db.message.create({
      data: { id, workspaceId: who.workspaceId, toEmail: to, fromEmail: "hello@shop-a.example", subject: "Hello", html: "<p>Hello</p>", text: "Hello", status: "queued", nextAttemptAt: now, createdAt: now },
    });
    return id;
  }

  beforeAll(async () => {
    eu = await startSendGridEmulator({ apiKey: "SG.eu-region-has-no-default-key" });
    const secretBox = createSecretBox(parseKey(ENCRYPTION_KEY));
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      shopify: false,
      sendgrid: { apiKey: SENDGRID_KEY },
      extraEnv: ({ sendgrid }) => {
        globalUrl = sendgrid.url;
        return { SENDGRID_API_KEY: SENDGRID_KEY, SENDGRID_API_BASE_URL: sendgrid.url, SENDGRID_EU_API_BASE_URL: eu.url, ENCRYPTION_KEY, APP_URL };
      },
      // The worker opens the keys the app server sealed: the same ENCRYPTION_KEY on both sides.
      workerDeps: ({ db }) => ({ senders: createSenderDirectory({ db, secretBox, sendgrid: { global: globalUrl, eu: eu.url } }) }),
    });
    shopA = await tenant("a");
    shopB = await tenant("b");
  });
  afterAll(async () => {
    await harness?.stop();
    await eu?.close();
  });

  it("refuses a key SendGrid does not know, with SendGrid's answer, and saves nothing", async () => {
    const before = await workspaceRow(shopA);
    const { status, body } = await save(shopA, { fromEmail: "hello@shop-a.example", apiKey: "SG.not-a-real-key.0123456789" });
    expect(status).toBe(400);
    expect(body.problems).toEqual([{ field: "apiKey", message: expect.stringContaining("SendGrid refused this API key (401") }]);
    expect(await workspaceRow(shopA)).toEqual(before);

    const malformed = await save(shopA, { fromEmail: "hello@shop-a.example", apiKey: "not a key" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems[0]).toMatchObject({ field: "apiKey", message: expect.stringContaining('starts with "SG."') });
  });

  it("refuses a key without the mail.send permission", async () => {
    harness.sendgrid.accounts.register({ apiKey: "SG.stats-only-key.0123456789", scopes: ["stats.read"], senders: [{ email: "hello@shop-a.example", verified: true }] });
    const { status, body } = await save(shopA, { fromEmail: "hello@shop-a.example", apiKey: "SG.stats-only-key.0123456789" });
    expect(status).toBe(400);
    expect(body.problems).toEqual([{ field: "apiKey", message: expect.stringContaining('"mail.send"') }]);
    expect((await workspaceRow(shopA)).sendgridApiKey).toBeNull();
  });

  it("refuses a from address the account has not verified, and says how to verify it", async () => {
    harness.sendgrid.accounts.register({
      apiKey: "SG.unverified-sender-key.0123456789",
      senders: [{ email: "pending@shop-a.example", verified: false }],
      domains: [{ domain: "dns-pending.example", valid: false }],
    });
    const pending = await save(shopA, { fromEmail: "pending@shop-a.example", apiKey: "SG.unverified-sender-key.0123456789" });
    expect(pending.status).toBe(400);
    expect(pending.body.problems).toEqual([{ field: "fromEmail", message: expect.stringContaining("not verified yet") }]);

    const unknown = await save(shopA, { fromEmail: "someone@elsewhere.example", apiKey: "SG.unverified-sender-key.0123456789" });
    expect(unknown.body.problems).toEqual([{ field: "fromEmail", message: expect.stringMatching(/not a verified sender.*Sender Authentication/s) }]);

    const dns = await save(shopA, { fromEmail: "news@dns-pending.example", apiKey: "SG.unverified-sender-key.0123456789" });
    expect(dns.body.problems).toEqual([{ field: "fromEmail", message: expect.stringContaining("DNS records are not verified yet") }]);
    expect((await workspaceRow(shopA)).sendgridApiKey).toBeNull();
  });

  it("says SendGrid could not be reached when the connection fails, and saves nothing", async () => {
    harness.sendgrid.accounts.register({ apiKey: "SG.network-key.0123456789", senders: [{ email: "hello@shop-a.example", verified: true }] });
    harness.sendgrid.accounts.dropNext();
    const { status, body } = await save(shopA, { fromEmail: "hello@shop-a.example", apiKey: "SG.network-key.0123456789" });
    expect(status).toBe(400);
    expect(body.problems).toEqual([{ field: "form", message: expect.stringContaining("Could not reach SendGrid, try again") }]);
    expect((await workspaceRow(shopA)).sendgridApiKey).toBeNull();
  });

  it("checks an EU-region key at the EU API, and refuses it at the global one", async () => {
    const account = eu.accounts.register({ apiKey: "SG.eu-account-key.0123456789", domains: [{ domain: "shop-b.example", valid: true }] });
    const atGlobal = await save(shopB, { fromEmail: "hello@shop-b.example", apiKey: "SG.eu-account-key.0123456789", region: "global" });
    expect(atGlobal.body.problems).toEqual([{ field: "apiKey", message: expect.stringContaining("EU data-residency account works only with the EU region") }]);

    const atEu = await save(shopB, { fromEmail: "hello@shop-b.example", apiKey: "SG.eu-account-key.0123456789", region: "eu" });
    expect(atEu.status, JSON.stringify(atEu.body)).toBe(200);
    expect(eu.accounts.requests.filter((request) => request.authorization === "Bearer SG.eu-account-key.0123456789").map((request) => request.path)).toContain("/v3/scopes");
    expect(account.webhooks).toMatchObject([{ url: `${APP_URL}/webhooks/sendgrid/${shopB.workspaceId}`, signed: true, enabled: true }]);
    expect((await workspaceRow(shopB)).sendgridRegion).toBe("eu");

    // Its email goes to the EU API with its key.
    await queueMessage(shopB, "shopper@eu-customer.example");
    await harness.worker.tick();
    expect(eu.messages.map((message) => [message.body.personalizations[0].to[0].email, message.headers.authorization])).toEqual([
      ["shopper@eu-customer.example", "Bearer SG.eu-account-key.0123456789"],
    ]);

    // Back to the app's account: the key is removed, the region reset, the next email uses the default key.
    expect((await post(shopB, { intent: "remove-key" })).status).toBe(200);
    expect(await workspaceRow(shopB)).toMatchObject({ sendgridApiKey: null, sendgridRegion: "global", senderVerifiedAt: null });
    expect((await page(shopB)).settings).toMatchObject({ delivery: "default", apiKeyHint: null });
    await queueMessage(shopB, "shopper-2@eu-customer.example");
    await harness.worker.tick();
    expect(harness.sendgrid.messages.find((message) => message.body.personalizations[0].to[0].email === "shopper-2@eu-customer.example")?.headers.authorization).toBe(`Bearer ${SENDGRID_KEY}`);
  });

  it("saves a checked key sealed, sends the workspace's email with it and another's with the default key", async () => {
    const key = "SG.shop-a-own-account.abcdefghijWXYZ";
    const account = harness.sendgrid.accounts.register({ apiKey: key, domains: [{ domain: "shop-a.example", valid: true }] });
    const { status, body } = await save(shopA, { fromEmail: "Hello@Shop-A.example", fromName: "Shop A", apiKey: key });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.eventWebhook).toEqual({ status: "configured", url: `${APP_URL}/webhooks/sendgrid/${shopA.workspaceId}` });

    // Sealed at rest; the page shows only its last four characters.
    const row = await workspaceRow(shopA);
    expect(row.fromEmail).toBe("hello@shop-a.example");
    expect(row.sendgridApiKey).toMatch(/^v1\./);
    expect(row.sendgridApiKey).not.toContain(key.slice(3));
    expect(row.senderVerifiedAt).not.toBeNull();
    const shown = await page(shopA);
    expect(shown.settings).toMatchObject({ delivery: "workspace", apiKeyHint: "•••• WXYZ", eventWebhook: { configured: true } });
    expect(shown.text).not.toContain(key.slice(3));

    // The account's Event Webhook posts to us, signed, and we keep its verification key.
    expect(account.webhooks).toMatchObject([{ url: `${APP_URL}/webhooks/sendgrid/${shopA.workspaceId}`, signed: true }]);
    expect(row.settings).toMatchObject({ sendgridEventWebhook: { publicKey: account.publicKey, url: `${APP_URL}/webhooks/sendgrid/${shopA.workspaceId}` } });

    // A second save with the key left empty keeps it, and leaves the webhook as it is.
    const again = await save(shopA, { fromEmail: "hello@shop-a.example", fromName: "Shop A" });
    expect(again.body.eventWebhook).toEqual({ status: "unchanged" });
    expect((await workspaceRow(shopA)).sendgridApiKey).toBe(row.sendgridApiKey);

    await queueMessage(shopA, "buyer@shop-a-customer.example");
    await queueMessage(shopB, "buyer@shop-b-customer.example");
    await harness.worker.tick();
    const authorizationOf = (to: string) => harness.sendgrid.messages.find((message) => message.body.personalizations[0].to[0].email === to)?.headers.authorization;
    expect(authorizationOf("buyer@shop-a-customer.example")).toBe(`Bearer ${key}`);
    expect(authorizationOf("buyer@shop-b-customer.example")).toBe(`Bearer ${SENDGRID_KEY}`);
  });

  it("refuses forged posts to a workspace's event webhook and records signed ones as message events", async () => {
    const key = "SG.shop-a-own-account.abcdefghijWXYZ";
    const account = harness.sendgrid.accounts.lookup(`Bearer ${key}`)?.account;
    if (!account) throw new Error("the previous test registers shop A's account");
    const messageId = await queueMessage(shopA, "events@shop-a-customer.example");
    await harness.worker.tick();
    const sent = harness.sendgrid.messages.find((message) => message.body.personalizations[0].to[0].email === "events@shop-a-customer.example");
    if (!sent) throw new Error("the message was not sent");
    const url = `${harness.app.url}/webhooks/sendgrid/${shopA.workspaceId}`;
    const inboxBefore = await harness.db.inboxEvent.count();

    // Forged (signed with another key) or unsigned: 401, nothing stored.
    expect((await account.postSignedEvents(url, [harness.sendgrid.eventFor(sent, "delivered")], { forge: true })).status).toBe(401);
    const unsigned = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "[]" });
    expect(unsigned.status).toBe(401);
    // A workspace without an account of its own has no such webhook.
    expect((await account.postSignedEvents(`${harness.app.url}/webhooks/sendgrid/${shopB.workspaceId}`, [harness.sendgrid.eventFor(sent, "delivered")])).status).toBe(404);
    expect(await harness.db.inboxEvent.count()).toBe(inboxBefore);

    // Signed by the account: stored for the workspace, then recorded against the message.
    const delivered = await account.postSignedEvents(url, [harness.sendgrid.eventFor(sent, "processed"), harness.sendgrid.eventFor(sent, "delivered")]);
    expect(delivered.status, harness.app.output().slice(-2000)).toBe(200);
    expect(await harness.db.inboxEvent.findMany({ where: { source: "sendgrid" }, select: { workspaceId: true } })).toEqual([{ workspaceId: shopA.workspaceId }]);
    await harness.worker.tick();
    const events = await harness.db.messageEvent.findMany({ where: { messageId }, orderBy: { type: "asc" }, select: { type: true, workspaceId: true } });
    expect(events).toEqual([
      { type: "delivered", workspaceId: shopA.workspaceId },
      { type: "processed", workspaceId: shopA.workspaceId },
    ]);

    // Shop A's account reporting on shop B's message (sent through the app's default account): not recorded.
    const otherId = await queueMessage(shopB, "events@shop-b-customer.example");
    await harness.worker.tick();
    const other = harness.sendgrid.messages.find((message) => message.body.personalizations[0].to[0].email === "events@shop-b-customer.example");
    if (!other) throw new Error("shop B's message was not sent");
    expect((await account.postSignedEvents(url, [harness.sendgrid.eventFor(other, "bounce", { reason: "550 no such user" })])).status).toBe(200);
    await harness.worker.tick();
    expect(await harness.db.messageEvent.count({ where: { messageId: otherId } })).toBe(0);
    expect(await harness.db.suppression.count({ where: { workspaceId: shopB.workspaceId } })).toBe(0);
  });

  it("saves the key when the account's webhook cannot be set up, and says how to do it by hand", async () => {
    const tenantC = await tenant("c");
    const account = harness.sendgrid.accounts.register({ apiKey: "SG.no-webhook-permission.0123456789", scopes: ["mail.send"], senders: [{ email: "hello@shop-c.example", verified: true }] });
    const { status, body } = await save(tenantC, { fromEmail: "hello@shop-c.example", apiKey: "SG.no-webhook-permission.0123456789" });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.eventWebhook).toMatchObject({ status: "failed", url: `${APP_URL}/webhooks/sendgrid/${tenantC.workspaceId}`, reason: expect.stringContaining("403") });
    expect((await workspaceRow(tenantC)).sendgridApiKey).not.toBeNull();
    expect((await page(tenantC)).settings.eventWebhook).toMatchObject({ configured: false });

    // Set up by hand: the merchant pastes the verification key SendGrid shows.
    expect((await post(tenantC, { intent: "webhook-key", publicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnot-a-key" })).status).toBe(400);
    expect((await post(tenantC, { intent: "webhook-key", publicKey: account.publicKey })).status).toBe(200);
    expect((await page(tenantC)).settings.eventWebhook).toMatchObject({ configured: true });
    expect((await account.postSignedEvents(`${harness.app.url}/webhooks/sendgrid/${tenantC.workspaceId}`, [])).status).toBe(200);
  });
});
