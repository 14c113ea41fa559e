// SendGrid's signed Event Webhook and unsubscribes, over real HTTP against the real app server: an email goes out
// through the SendGrid emulator (with its List-Unsubscribe headers), signed events come back and become message
// events, a bounce suppresses the address and the next email to it is never sent; the unsubscribe page and RFC
// 8058 one-click do the same. The worker runs in this process, on a clock the test moves. SQLite, and PostgreSQL
// when DATABASE_URL points at one.
import { enableBlueprint } from "~/core/flows/manage.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/sendgrid.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { SendGridMessage } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

describe.each(databaseTargets())("email events and unsubscribes on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;

  /** A shopper abandons a checkout; an hour later the first reminder goes out. Returns what SendGrid received. */
  async function firstReminder(): Promise<{ email: string; sent: SendGridMessage; messageId: string }> {
    const { email } = await simulateAbandonedCheckout({ db: harness.db, clock: harness.clock }, { workspaceId });
    await harness.worker.tick();
    const sent = harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email);
    expect(sent, harness.app.output()).toHaveLength(1);
    const message = await harness.db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email } });
    return { email, sent: sent[0], messageId: message.id };
  }

  /** The next step of that shopper's journey (the incentive, 24 h after the checkout). */
  async function nextReminder(email: string) {
    harness.clock.advance({ hours: 24 });
    await harness.worker.tick();
    return harness.db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email, nodeId: "email-incentive" } });
  }

  const unsubscribeUrlOf = (sent: SendGridMessage) => /^<(.+)>$/.exec(sent.body.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-03-02T09:00:00Z",
      shopify: false, // the standalone app with its demo workspace
      sendgrid: { apiKey: "SG.email-events-test" },
      extraEnv: ({ sendgrid }) => ({ SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.webhookPublicKey, DEMO_PASSWORD: "email-events-test" }),
      // No UNSUBSCRIBE_SECRET: the key is made once and stored in the database the app server reads too.
      workerDeps: ({ db, app }) => ({ unsubscribe: createUnsubscribeLinks({ db, appUrl: app.url }) }),
    });
    const { db, clock } = harness;
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "email-events-test", now: clock.now() }));
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
  });

  afterAll(() => harness?.stop());

  it("sends every email with a signed unsubscribe link and the RFC 8058 headers", async () => {
    const { sent, messageId } = await firstReminder();
    const url = unsubscribeUrlOf(sent);
    expect(url.startsWith(`${harness.app.url}/unsubscribe/${messageId}.`)).toBe(true);
    expect(sent.body.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(sent.body.custom_args?.[MESSAGE_ID_ARG] ?? sent.body.personalizations[0].custom_args?.[MESSAGE_ID_ARG]).toBe(messageId);
    const html = sent.body.content?.find((part) => part.type === "text/html")?.value ?? "";
    const text = sent.body.content?.find((part) => part.type === "text/plain")?.value ?? "";
    expect(html).toContain(`href="${url}"`);
    expect(text).toContain(`Unsubscribe: ${url}`);
  });

  it("records signed events, flags machine opens, suppresses a bounced address and never sends to it again", async () => {
    // GIVEN an email that reached SendGrid
    const { email, sent, messageId } = await firstReminder();

    // WHEN SendGrid reports what happened to it, signed
    const events = [
      harness.sendgrid.eventFor(sent, "processed"),
      harness.sendgrid.eventFor(sent, "delivered", { response: "250 2.0.0 OK" }),
      harness.sendgrid.eventFor(sent, "open", { sg_machine_open: true, useragent: "Mozilla/5.0", ip: "17.58.0.1" }),
      harness.sendgrid.eventFor(sent, "open", { sg_machine_open: false, useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15" }),
      harness.sendgrid.eventFor(sent, "click", { url: "https://demo-store.nudgeflow.dev/cart", useragent: "Mozilla/5.0 (iPhone)" }),
      harness.sendgrid.eventFor(sent, "bounce", { type: "bounce", status: "5.1.1", reason: "550 5.1.1 The email account does not exist" }),
    ];
    const response = await harness.sendgrid.postSignedEvents(harness.app.url, events);
    expect(response.status, harness.app.output()).toBe(200);
    await harness.worker.tick();

    // THEN each is a message event, the machine open is flagged, and the address is suppressed
    const recorded = await harness.db.messageEvent.findMany({ where: { messageId }, orderBy: { createdAt: "asc" } });
    expect(recorded.map((event) => event.type).sort()).toEqual(["bounce", "click", "delivered", "open", "open", "processed"]);
    expect(recorded.filter((event) => event.machineOpen)).toHaveLength(1);
    expect(recorded.find((event) => event.type === "click")?.url).toBe("https://demo-store.nudgeflow.dev/cart");
    expect(recorded.find((event) => event.type === "bounce")?.reason).toBe("5.1.1 550 5.1.1 The email account does not exist");
    expect(recorded.every((event) => event.workspaceId === workspaceId)).toBe(true);
    expect(await harness.db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "bounce", source: "sendgrid", messageId });
    expect(await harness.db.inboxEvent.findFirst({ where: { source: "sendgrid" } })).toMatchObject({ status: "processed", workspaceId: null });

    // AND the next email of the journey is suppressed, with the reason, and never reaches SendGrid
    const next = await nextReminder(email);
    expect(next.status).toBe("suppressed");
    expect(next.error).toMatch(/bounced/);
    expect(harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email)).toHaveLength(1);
  });

  it("stores each event once however often it is delivered, and skips events that are not ours", async () => {
    const { sent, messageId } = await firstReminder();
    const delivered = harness.sendgrid.eventFor(sent, "delivered");
    const open = harness.sendgrid.eventFor(sent, "open", { useragent: "Mozilla/5.0 (Windows NT 10.0)" });
    const inboxBefore = await harness.db.inboxEvent.count({ where: { source: "sendgrid" } });

    // WHEN the same batch arrives twice, then again inside a bigger batch with mail we did not send
    expect((await harness.sendgrid.postSignedEvents(harness.app.url, [delivered, open])).status).toBe(200);
    expect((await harness.sendgrid.postSignedEvents(harness.app.url, [delivered, open])).status).toBe(200);
    const strangers = [
      { email: "someone@example.com", timestamp: 1767225600, event: "delivered", sg_event_id: "not-ours-1" },
      { ...delivered, sg_event_id: "unknown-message-1", [MESSAGE_ID_ARG]: "msg_does_not_exist" },
      { ...delivered, sg_event_id: "resubscribe-1", event: "group_resubscribe" },
    ];
    expect((await harness.sendgrid.postSignedEvents(harness.app.url, [open, delivered, ...strangers])).status).toBe(200);
    await harness.worker.tick();

    // THEN two inbox rows (the repeated body is one delivery), both processed, and one row per event
    const rows = await harness.db.inboxEvent.findMany({ where: { source: "sendgrid" }, orderBy: { receivedAt: "asc" } });
    expect(rows.length - inboxBefore).toBe(2);
    expect(rows.every((row) => row.status === "processed")).toBe(true);
    expect(await harness.db.messageEvent.count({ where: { messageId } })).toBe(2);
    expect(await harness.db.messageEvent.count({ where: { providerEventId: { in: ["not-ours-1", "unknown-message-1", "resubscribe-1"] } } })).toBe(0);
  });

  it("refuses a forged signature with 401 and stores nothing", async () => {
    const { sent } = await firstReminder();
    const before = await harness.db.inboxEvent.count();
    const response = await harness.sendgrid.postSignedEvents(harness.app.url, [harness.sendgrid.eventFor(sent, "spamreport")], { forge: true });
    expect(response.status).toBe(401);
    expect(await harness.db.inboxEvent.count()).toBe(before);
  });

  it("unsubscribes from the page: GET asks, POST applies, and the next email is suppressed", async () => {
    const { email, sent } = await firstReminder();
    const url = unsubscribeUrlOf(sent);

    // GIVEN the shopper opens the link: a confirmation, nothing applied yet
    const page = await fetch(url);
    expect(page.status, harness.app.output()).toBe(200);
    const html = await page.text();
    expect(html).toContain("Unsubscribe from Demo store?");
    expect(html).not.toContain(email); // the address is partly hidden on a page without login
    expect(await harness.db.suppression.count({ where: { workspaceId, email } })).toBe(0);

    // WHEN they confirm
    const confirmed = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) });

    // THEN they are unsubscribed: suppressed, consent withdrawn, the event on the message, and no more email
    expect(confirmed.status, harness.app.output()).toBe(200);
    expect(await confirmed.text()).toMatch(/You(&#x27;|')re unsubscribed/);
    expect(await harness.db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "unsubscribe", source: "unsubscribe_link" });
    expect(await harness.db.customer.findFirst({ where: { workspaceId, email } })).toMatchObject({ acceptsMarketing: false });
    expect((await nextReminder(email)).status).toBe("suppressed");
    expect(harness.sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email)).toHaveLength(1);
    const message = await harness.db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email, nodeId: "email-reminder" } });
    expect(await harness.db.messageEvent.findMany({ where: { messageId: message.id } })).toMatchObject([{ type: "unsubscribe", provider: "nudgeflow" }]);
  });

  it("unsubscribes in one click (RFC 8058 POST from the mail client)", async () => {
    const { email, sent } = await firstReminder();
    const response = await fetch(unsubscribeUrlOf(sent), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status, harness.app.output()).toBe(200);
    expect(await harness.db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "unsubscribe", source: "one_click" });
  });

  it("answers 400 to a token that is not ours and 404 to a signed one for an email that does not exist", async () => {
    const { sent } = await firstReminder();
    const url = unsubscribeUrlOf(sent);
    const tampered = `${url.slice(0, -2)}${url.endsWith("AA") ? "BB" : "AA"}`;
    expect((await fetch(tampered)).status).toBe(400);
    expect((await fetch(tampered, { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) })).status).toBe(400);
    expect((await fetch(`${harness.app.url}/unsubscribe/garbage`)).status).toBe(400);
    const missing = await createUnsubscribeLinks({ db: harness.db, appUrl: harness.app.url }).urlFor("msg_does_not_exist");
    const response = await fetch(missing);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("could not find the email");
  });
});
