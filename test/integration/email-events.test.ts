// SendGrid's signed Event Webhook and unsubscribes, over real HTTP against the real app server: an email goes out
// through the SendGrid emulator (with its List-Unsubscribe headers), signed events come back and become message
// events, a bounce suppresses the address and the next email to it is never sent; the unsubscribe page and RFC
// 8058 one-click do the same. The worker runs in this process, on a clock the test moves. SQLite, and PostgreSQL
// when DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import { createLogger } from "~/core/logger.server";
import { enableBlueprint } from "~/core/flows/manage.server";
import { createSendGridSender, MESSAGE_ID_ARG } from "~/core/messaging/sendgrid.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker, type Worker } from "~/worker.server";
import { startSendGridEmulator, type SendGridEmulator, type SendGridMessage } from "../emulators/sendgrid/server";
import { startAppServer, type AppServer } from "../support/app-server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

const SENDGRID_KEY = "SG.email-events-test";

afterAll(dropAll);

describe.each(databaseTargets())("email events and unsubscribes on %s", (_name, createUrl) => {
  let sendgrid: SendGridEmulator;
  let app: AppServer;
  let db: Db;
  let clock: ManualClock;
  let worker: Worker;
  let workspaceId: string;

  /** A shopper abandons a checkout; an hour later the first reminder goes out. Returns what SendGrid received. */
  async function firstReminder(): Promise<{ email: string; sent: SendGridMessage; messageId: string }> {
    const { email } = await simulateAbandonedCheckout({ db, clock }, { workspaceId });
    await worker.tick();
    const sent = sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email);
    expect(sent, app.output()).toHaveLength(1);
    const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email } });
    return { email, sent: sent[0], messageId: message.id };
  }

  /** The next step of that shopper's journey (the incentive, 24 h after the checkout). */
  async function nextReminder(email: string) {
    clock.advance({ hours: 24 });
    await worker.tick();
    return db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email, nodeId: "email-incentive" } });
  }

  const unsubscribeUrlOf = (sent: SendGridMessage) => /^<(.+)>$/.exec(sent.body.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";

  beforeAll(async () => {
    sendgrid = await startSendGridEmulator({ apiKey: SENDGRID_KEY });
    const databaseUrl = await createUrl();
    app = await startAppServer({
      env: {
        DATABASE_URL: databaseUrl,
        NUDGEFLOW_WORKER: "off", // the worker runs here, on a clock the test moves
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.webhookPublicKey,
        DEMO_PASSWORD: "email-events-test",
      },
    });
    db = openDb(databaseUrl);
    clock = new ManualClock("2026-03-02T09:00:00Z");
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "email-events-test", now: clock.now() }));
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    worker = createWorker({
      db,
      clock,
      logger: createLogger({ level: "warn" }),
      defaultFrom: "Nudgeflow <hello@nudgeflow.test>",
      sender: createSendGridSender({ apiKey: SENDGRID_KEY, baseUrl: sendgrid.url }),
      // No UNSUBSCRIBE_SECRET: the key is made once and stored in the database the app server reads too.
      unsubscribe: createUnsubscribeLinks({ db, appUrl: app.url }),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await db?.$disconnect();
    await sendgrid?.close();
  });

  it("sends every email with a signed unsubscribe link and the RFC 8058 headers", async () => {
    const { sent, messageId } = await firstReminder();
    const url = unsubscribeUrlOf(sent);
    expect(url.startsWith(`${app.url}/unsubscribe/${messageId}.`)).toBe(true);
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
      sendgrid.eventFor(sent, "processed"),
      sendgrid.eventFor(sent, "delivered", { response: "250 2.0.0 OK" }),
      sendgrid.eventFor(sent, "open", { sg_machine_open: true, useragent: "Mozilla/5.0", ip: "17.58.0.1" }),
      sendgrid.eventFor(sent, "open", { sg_machine_open: false, useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15" }),
      sendgrid.eventFor(sent, "click", { url: "https://demo-store.nudgeflow.dev/cart", useragent: "Mozilla/5.0 (iPhone)" }),
      sendgrid.eventFor(sent, "bounce", { type: "bounce", status: "5.1.1", reason: "550 5.1.1 The email account does not exist" }),
    ];
    const response = await sendgrid.postSignedEvents(app.url, events);
    expect(response.status, app.output()).toBe(200);
    await worker.tick();

    // THEN each is a message event, the machine open is flagged, and the address is suppressed
    const recorded = await db.messageEvent.findMany({ where: { messageId }, orderBy: { createdAt: "asc" } });
    expect(recorded.map((event) => event.type).sort()).toEqual(["bounce", "click", "delivered", "open", "open", "processed"]);
    expect(recorded.filter((event) => event.machineOpen)).toHaveLength(1);
    expect(recorded.find((event) => event.type === "click")?.url).toBe("https://demo-store.nudgeflow.dev/cart");
    expect(recorded.find((event) => event.type === "bounce")?.reason).toBe("5.1.1 550 5.1.1 The email account does not exist");
    expect(recorded.every((event) => event.workspaceId === workspaceId)).toBe(true);
    expect(await db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "bounce", source: "sendgrid", messageId });
    expect(await db.inboxEvent.findFirst({ where: { source: "sendgrid" } })).toMatchObject({ status: "processed", workspaceId: null });

    // AND the next email of the journey is suppressed, with the reason, and never reaches SendGrid
    const next = await nextReminder(email);
    expect(next.status).toBe("suppressed");
    expect(next.error).toMatch(/bounced/);
    expect(sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email)).toHaveLength(1);
  });

  it("stores each event once however often it is delivered, and skips events that are not ours", async () => {
    const { sent, messageId } = await firstReminder();
    const delivered = sendgrid.eventFor(sent, "delivered");
    const open = sendgrid.eventFor(sent, "open", { useragent: "Mozilla/5.0 (Windows NT 10.0)" });
    const inboxBefore = await db.inboxEvent.count({ where: { source: "sendgrid" } });

    // WHEN the same batch arrives twice, then again inside a bigger batch with mail we did not send
    expect((await sendgrid.postSignedEvents(app.url, [delivered, open])).status).toBe(200);
    expect((await sendgrid.postSignedEvents(app.url, [delivered, open])).status).toBe(200);
    const strangers = [
      { email: "someone@example.com", timestamp: 1767225600, event: "delivered", sg_event_id: "not-ours-1" },
      { ...delivered, sg_event_id: "unknown-message-1", [MESSAGE_ID_ARG]: "msg_does_not_exist" },
      { ...delivered, sg_event_id: "resubscribe-1", event: "group_resubscribe" },
    ];
    expect((await sendgrid.postSignedEvents(app.url, [open, delivered, ...strangers])).status).toBe(200);
    await worker.tick();

    // THEN two inbox rows (the repeated body is one delivery), both processed, and one row per event
    const rows = await db.inboxEvent.findMany({ where: { source: "sendgrid" }, orderBy: { receivedAt: "asc" } });
    expect(rows.length - inboxBefore).toBe(2);
    expect(rows.every((row) => row.status === "processed")).toBe(true);
    expect(await db.messageEvent.count({ where: { messageId } })).toBe(2);
    expect(await db.messageEvent.count({ where: { providerEventId: { in: ["not-ours-1", "unknown-message-1", "resubscribe-1"] } } })).toBe(0);
  });

  it("refuses a forged signature with 401 and stores nothing", async () => {
    const { sent } = await firstReminder();
    const before = await db.inboxEvent.count();
    const response = await sendgrid.postSignedEvents(app.url, [sendgrid.eventFor(sent, "spamreport")], { forge: true });
    expect(response.status).toBe(401);
    expect(await db.inboxEvent.count()).toBe(before);
  });

  it("unsubscribes from the page: GET asks, POST applies, and the next email is suppressed", async () => {
    const { email, sent } = await firstReminder();
    const url = unsubscribeUrlOf(sent);

    // GIVEN the shopper opens the link: a confirmation, nothing applied yet
    const page = await fetch(url);
    expect(page.status, app.output()).toBe(200);
    const html = await page.text();
    expect(html).toContain("Unsubscribe from Demo store?");
    expect(html).not.toContain(email); // the address is partly hidden on a page without login
    expect(await db.suppression.count({ where: { workspaceId, email } })).toBe(0);

    // WHEN they confirm
    const confirmed = await fetch(url, { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) });

    // THEN they are unsubscribed: suppressed, consent withdrawn, the event on the message, and no more email
    expect(confirmed.status, app.output()).toBe(200);
    expect(await confirmed.text()).toMatch(/You(&#x27;|')re unsubscribed/);
    expect(await db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "unsubscribe", source: "unsubscribe_link" });
    expect(await db.customer.findFirst({ where: { workspaceId, email } })).toMatchObject({ acceptsMarketing: false });
    expect((await nextReminder(email)).status).toBe("suppressed");
    expect(sendgrid.messages.filter((message) => message.body.personalizations[0].to[0].email === email)).toHaveLength(1);
    const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email, nodeId: "email-reminder" } });
    expect(await db.messageEvent.findMany({ where: { messageId: message.id } })).toMatchObject([{ type: "unsubscribe", provider: "nudgeflow" }]);
  });

  it("unsubscribes in one click (RFC 8058 POST from the mail client)", async () => {
    const { email, sent } = await firstReminder();
    const response = await fetch(unsubscribeUrlOf(sent), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status, app.output()).toBe(200);
    expect(await db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: "unsubscribe", source: "one_click" });
  });

  it("answers 400 to a token that is not ours and 404 to a signed one for an email that does not exist", async () => {
    const { sent } = await firstReminder();
    const url = unsubscribeUrlOf(sent);
    const tampered = `${url.slice(0, -2)}${url.endsWith("AA") ? "BB" : "AA"}`;
    expect((await fetch(tampered)).status).toBe(400);
    expect((await fetch(tampered, { method: "POST", body: new URLSearchParams({ intent: "unsubscribe" }) })).status).toBe(400);
    expect((await fetch(`${app.url}/unsubscribe/garbage`)).status).toBe(400);
    const missing = await createUnsubscribeLinks({ db, appUrl: app.url }).urlFor("msg_does_not_exist");
    const response = await fetch(missing);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("could not find the email");
  });
});
