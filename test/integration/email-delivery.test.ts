// SendGrid delivery that scales: messages with the same content go as one mail/send request with a
// personalization each (their own tracked links, unsubscribe link and List-Unsubscribe headers as substitutions),
// at most 1,000 per request; personalized content goes alone. 429s wait until SendGrid's X-RateLimit-Reset, 5xx
// back off, two dispatchers never send one message twice, and a 400 fails only the recipients SendGrid named.
// Against the SendGrid emulator over HTTP; SQLite, and PostgreSQL when DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import { enableBlueprint, importFlow } from "~/core/flows/manage.server";
import { blueprintEmail } from "~/core/flows/blueprints";
import { silentLogger } from "~/core/logger.server";
import { contentKeyOf } from "~/core/messaging/batching";
import { messageContentOf } from "~/core/messaging/content.server";
import { dispatchDueMessages, type DispatchDeps } from "~/core/messaging/dispatch.server";
import { createClickLinks, type ClickLinks } from "~/core/messaging/links.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
import { suppressionDigest } from "~/core/messaging/suppression.server";
import { createUnsubscribeLinks, type UnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { postDemoEvents, simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { orderEvent } from "../support/events";

afterAll(dropAll);

const API_KEY = "SG.email-delivery";
const APP_URL = "https://app.nudgeflow.test";
const SECRET = "email-delivery-test-secret";
const SHOP_URL = "https://shop.example/new";

describe.each(databaseTargets())("email delivery on %s", (_name, createUrl) => {
  let databaseUrl: string;
  let db: Db;
  let sendgrid: SendGridEmulator;
  let workspaceId: string;
  let clicks: ClickLinks;
  let unsubscribe: UnsubscribeLinks;
  const clock = new ManualClock("2026-03-02T09:00:00Z");

  const deps = (): DispatchDeps => ({
    db,
    clock,
    logger: silentLogger,
    sender: createSendGridSender({ apiKey: API_KEY, baseUrl: sendgrid.url, clock }),
    clicks,
    unsubscribe,
  });

  /** Requests of this test only (the emulator is shared by the file's tests). */
  const since = (count: number) => sendgrid.requests.slice(count);

  /**
   * Queued messages with the same content, written as the runner writes them: each rendered with its own tracked
   * link and unsubscribe URL, and its contentKey.
   */
  async function queueSameContent(count: number, label: string, overrides: { fromEmail?: string; toEmail?: (i: number) => string } = {}) {
    const ids = Array.from({ length: count }, (_, i) => `msg_${label}_${String(i).padStart(5, "0")}`);
    const sign = await Promise.all(ids.map((id) => clicks.forMessage(id)));
    const rows = await Promise.all(
      ids.map(async (id, i) => {
        const unsubscribeUrl = await unsubscribe.urlFor(id);
        const html = `<p>New this week.</p><a href="${sign[i](SHOP_URL, 0)}">Shop</a> <a href="${unsubscribeUrl}">Unsubscribe</a>`;
        const text = `New this week: ${SHOP_URL}\nUnsubscribe: ${unsubscribeUrl}`;
        const fromEmail = overrides.fromEmail ?? "shop@example.com";
        const subject = `News (${label})`;
        const contentKey = contentKeyOf({ id, workspaceId, kind: "marketing", fromEmail, fromName: "Shop", subject, html, text });
        return {
          id,
          workspaceId,
          toEmail: overrides.toEmail?.(i) ?? `${label}-${i}@example.com`,
          fromEmail,
          fromName: "Shop",
          subject,
          html,
          text,
          contentKey,
          status: "queued",
          nextAttemptAt: clock.now(),
          createdAt: new Date(clock.now().getTime() + i),
        };
      }),
    );
    await db.message.createMany({ data: rows });
    return ids;
  }

  /** How many accepted personalizations carry each of `ids` (every one must be exactly 1). */
  function acceptedCounts(ids: string[]): Map<string, number> {
    const wanted = new Set(ids);
    const counts = new Map<string, number>();
    for (const delivery of sendgrid.deliveries()) {
      const id = delivery.customArgs[MESSAGE_ID_ARG];
      if (id && wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    databaseUrl = await createUrl();
    db = openDb(databaseUrl);
    clicks = createClickLinks({ db, appUrl: APP_URL, secret: SECRET });
    unsubscribe = createUnsubscribeLinks({ db, appUrl: APP_URL, secret: SECRET });
    sendgrid = await startSendGridEmulator({ apiKey: API_KEY, clock });
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "email-delivery-test-password", now: clock.now() }));
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
  });

  afterAll(async () => {
    await sendgrid?.close();
  });

  it("sends a flow's same-content emails as one request, each recipient with its own links and unsubscribe", async () => {
    // GIVEN a live flow that emails the same news to everyone who orders, and three customers who ordered
    const { flowId } = await importFlow({ db, clock }, {
      workspaceId,
      name: "News after an order",
      publish: true,
      definition: {
        schemaVersion: 1,
        goal: null,
        trigger: { type: "event", events: ["order.add"], entity: "customer", conditions: [{ path: "customer.email", op: "exists" }] },
        rules: { consent: "marketing", quietHours: null },
        entry: "email-news",
        nodes: [
          {
            id: "email-news",
            type: "email",
            name: "News",
            subject: "New this week at {{ shop.name }}",
            ...blueprintEmail({ heading: "New this week", intro: "Have a look at what came in.", button: { label: "See what's new", href: SHOP_URL }, footer: "You shop at {{ shop.name }}." }),
            next: null,
          },
        ],
      },
    });
    const emails = ["ann@example.com", "bob@example.com", "cid@example.com"];
    await postDemoEvents({ db, clock }, { workspaceId, events: emails.map((email, i) => orderEvent(`news-${i}`, email, clock.now().toISOString())) });
    const before = sendgrid.requests.length;

    // WHEN the worker runs
    await createWorker({ ...deps(), defaultFrom: "Shop <shop@example.com>" }).tick();

    // THEN one request carried the three of them, one personalization each
    const messages = await db.message.findMany({ where: { workspaceId, flowId }, orderBy: { toEmail: "asc" } });
    expect(messages.map((message) => [message.toEmail, message.status])).toEqual(emails.map((email) => [email, "sent"]));
    expect(new Set(messages.map((message) => message.contentKey)).size).toBe(1);
    expect(messages[0].contentKey).not.toBeNull();
    expect(since(before).map((request) => request.status)).toEqual([202]);
    const request = sendgrid.messages.at(-1)!;
    expect(request.body.personalizations).toHaveLength(3);
    expect(new Set(messages.map((message) => message.providerMessageId))).toEqual(new Set([request.id]));

    // AND each recipient got its own: following its tracked link leads to its message, its unsubscribe link and
    // List-Unsubscribe header are its own, and apart from those the email is the one stored for it
    // (the content is stored once for the step, the rows carry only its key: ADR 0035)
    expect(messages.map((message) => [message.html, message.text])).toEqual(emails.map(() => [null, null]));
    expect(await db.messageContent.count({ where: { workspaceId, contentKey: messages[0].contentKey! } })).toBe(1);
    for (const message of messages) {
      const delivery = sendgrid.deliveryOf(message.id)!;
      const own = await messageContentOf({ db, clicks, unsubscribe }, message);
      expect(delivery.to).toBe(message.toEmail);
      expect(delivery.html).toBe(own?.html);
      expect(delivery.text).toBe(own?.text);
      expect(delivery.subject).toBe(message.subject);
      const tracked = [...delivery.html.matchAll(/href="([^"]*\/r\/[^"]+)"/g)].map((match) => match[1]);
      expect(tracked.length).toBeGreaterThanOrEqual(1);
      for (const href of tracked) {
        const target = await clicks.verify(href.slice(href.indexOf("/r/") + 3));
        expect(target?.messageId).toBe(message.id);
      }
      const button = await clicks.verify(tracked.find((href) => href.includes(Buffer.from(SHOP_URL).toString("base64url")))!.split("/r/")[1]);
      expect(button).toEqual({ messageId: message.id, index: expect.any(Number), url: SHOP_URL });
      const unsubscribeUrl = /^<(.+)>$/.exec(delivery.headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
      expect(await unsubscribe.verify(unsubscribeUrl.split("/unsubscribe/")[1])).toBe(message.id);
      expect(delivery.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
      expect(delivery.html).toContain(`href="${unsubscribeUrl}"`);
      expect(delivery.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    }
    await db.flow.update({ where: { id: flowId }, data: { status: "paused" } });
  });

  it("sends personalized emails (different content) as separate requests", async () => {
    // GIVEN the abandoned-cart flow and two shoppers whose reminders differ (each its own cart and recovery link)
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    const first = await simulateAbandonedCheckout({ db, clock }, { workspaceId });
    const second = await simulateAbandonedCheckout({ db, clock }, { workspaceId });
    const before = sendgrid.requests.length;

    // WHEN the reminders are due
    await createWorker({ ...deps(), defaultFrom: "Shop <shop@example.com>" }).tick();

    // THEN each went in its own request
    const messages = await db.message.findMany({ where: { workspaceId, toEmail: { in: [first.email, second.email] } } });
    expect(messages.map((message) => message.status)).toEqual(["sent", "sent"]);
    expect(messages[0].contentKey).not.toBe(messages[1].contentKey);
    expect(since(before).map((request) => request.status)).toEqual([202, 202]);
    for (const message of messages) expect(sendgrid.deliveryOf(message.id)?.message.body.personalizations).toHaveLength(1);
    await db.flow.updateMany({ where: { workspaceId, blueprint: "abandoned-cart" }, data: { status: "paused" } });
  });

  it("splits 1,500 same-content messages into requests of 1,000 and 500", async () => {
    const ids = await queueSameContent(1500, "many");
    const before = sendgrid.requests.length;

    await dispatchDueMessages(deps(), 2000);

    expect(since(before).map((request) => request.status)).toEqual([202, 202]);
    expect(sendgrid.messages.slice(-2).map((request) => request.body.personalizations.length)).toEqual([1000, 500]);
    const counts = acceptedCounts(ids);
    expect(counts.size).toBe(1500);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await db.message.count({ where: { id: { startsWith: "msg_many_" }, status: "sent" } })).toBe(1500);
  });

  it("skips a batch's suppressed recipients at send time, by address and by an erased customer's digest", async () => {
    // GIVEN a workspace whose list holds no erased customer's digest, one batch with a listed address (written in
    // another case, with spaces: the list holds it normalized)
    await db.suppression.deleteMany({ where: { workspaceId } });
    const suppress = (email: string) =>
      db.suppression.create({ data: { workspaceId, email, reason: "unsubscribe", source: "one_click", createdAt: clock.now() } });
    await suppress("listed-1@example.com");
    const first = await queueSameContent(3, "listed", { toEmail: (i) => (i === 1 ? " Listed-1@Example.COM " : `listed-${i}@example.com`) });
    await dispatchDueMessages(deps());
    // THEN the listed one is settled as suppressed, never sent; the others go
    const statusOf = async (ids: string[]) => (await db.message.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } })).map((row) => row.status);
    expect(await statusOf(first)).toEqual(["sent", "suppressed", "sent"]);
    expect([...acceptedCounts(first).keys()].sort()).toEqual([first[0], first[2]]);

    // GIVEN an erased customer's entry (a digest of the address, no address) and a batch with their address again
    await suppress(suppressionDigest(workspaceId, "erased@example.com"));
    const second = await queueSameContent(3, "erased", { toEmail: (i) => (i === 2 ? "Erased@example.com" : `erased-${i}@example.com`) });
    await dispatchDueMessages(deps());
    // THEN the digest still blocks the address
    expect(await statusOf(second)).toEqual(["sent", "sent", "suppressed"]);
    expect([...acceptedCounts(second).keys()].sort()).toEqual([second[0], second[1]]);
    await db.suppression.deleteMany({ where: { workspaceId } });
  });

  it("waits for SendGrid's X-RateLimit-Reset after a 429, then sends the batch once", async () => {
    // GIVEN SendGrid rate-limits the next request until 90 s from now (X-RateLimit-Reset, no Retry-After)
    const ids = await queueSameContent(20, "limited");
    sendgrid.failNext(429, 1, { resetAfterSeconds: 90 });
    const before = sendgrid.requests.length;
    const start = clock.now().getTime();

    // WHEN the batch is dispatched
    await dispatchDueMessages(deps());

    // THEN all twenty are queued again for the reset time, and nothing goes before it
    const limited = await db.message.findMany({ where: { id: { in: ids } } });
    expect(new Set(limited.map((message) => `${message.status} ${message.attempts} ${message.nextAttemptAt.toISOString()}`))).toEqual(
      new Set([`queued 1 ${new Date(start + 90_000).toISOString()}`]),
    );
    expect(limited[0].error).toMatch(/SendGrid 429/);
    expect(since(before)[0]).toMatchObject({ status: 429, rateLimitReset: start / 1000 + 90 });
    clock.advance({ seconds: 89 });
    expect(await dispatchDueMessages(deps())).toBe(0);

    // AND at the reset time they go, in one request, once each
    clock.advance({ seconds: 1 });
    expect(await dispatchDueMessages(deps())).toBe(20);
    expect(since(before).map((request) => request.status)).toEqual([429, 202]);
    expect(await db.message.count({ where: { id: { in: ids }, status: "sent", attempts: 2 } })).toBe(20);
    expect([...acceptedCounts(ids).values()]).toEqual(Array(20).fill(1));
  });

  it("releases the batch it claimed ahead when the request before it gets a 429, and sends every message once after the reset", async () => {
    // GIVEN 2,500 same-content messages (three batches: the second is claimed and signed while the first is in
    // flight) and SendGrid rate-limiting the first request for 30 s
    const ids = await queueSameContent(2500, "ahead");
    sendgrid.failNext(429, 1, { resetAfterSeconds: 30 });
    const before = sendgrid.requests.length;
    const start = clock.now().getTime();

    // WHEN the dispatcher runs
    await dispatchDueMessages(deps());

    // THEN only the first request went; the first batch waits for the reset as tried once, the second as never
    // tried (released, not sent), the third was never claimed
    expect(since(before).map((request) => request.status)).toEqual([429]);
    const rows = await db.message.findMany({ where: { id: { startsWith: "msg_ahead_" } } });
    const states = new Map<string, number>();
    for (const row of rows) states.set(`${row.status} ${row.attempts} ${row.nextAttemptAt.getTime() - start}`, (states.get(`${row.status} ${row.attempts} ${row.nextAttemptAt.getTime() - start}`) ?? 0) + 1);
    expect(Object.fromEntries(states)).toEqual({ "queued 1 30000": 1000, "queued 0 30000": 1000, "queued 0 0": 500 });

    // AND after the reset all go, each exactly once
    clock.advance({ seconds: 30 });
    while ((await dispatchDueMessages(deps())) > 0);
    expect(since(before).map((request) => request.status)).toEqual([429, 202, 202, 202]);
    expect([...acceptedCounts(ids).values()]).toEqual(Array(2500).fill(1));
    expect(await db.message.count({ where: { id: { startsWith: "msg_ahead_" }, status: "sent" } })).toBe(2500);
  });

  it("backs off exponentially after 5xx answers and network errors", async () => {
    const ids = await queueSameContent(5, "flaky");
    sendgrid.failNext(503, 2);
    const before = sendgrid.requests.length;
    const nextAttempts = async () => new Set((await db.message.findMany({ where: { id: { in: ids } } })).map((message) => `${message.status} ${message.nextAttemptAt.toISOString()}`));

    // 1st attempt: 503 → again in 1 minute
    let start = clock.now().getTime();
    await dispatchDueMessages(deps());
    expect(await nextAttempts()).toEqual(new Set([`queued ${new Date(start + 60_000).toISOString()}`]));

    // 2nd attempt: 503 → again in 2 minutes
    clock.advance({ minutes: 1 });
    start = clock.now().getTime();
    await dispatchDueMessages(deps());
    expect(await nextAttempts()).toEqual(new Set([`queued ${new Date(start + 120_000).toISOString()}`]));

    // 3rd attempt: SendGrid unreachable (a network error) → again in 4 minutes
    clock.advance({ minutes: 2 });
    start = clock.now().getTime();
    const unreachable = { ...deps(), sender: createSendGridSender({ apiKey: API_KEY, baseUrl: "http://127.0.0.1:1", clock }) };
    await dispatchDueMessages(unreachable);
    expect(await nextAttempts()).toEqual(new Set([`queued ${new Date(start + 240_000).toISOString()}`]));
    expect((await db.message.findFirstOrThrow({ where: { id: ids[0] } })).error).toMatch(/SendGrid network error/);

    // 4th attempt: accepted
    clock.advance({ minutes: 4 });
    await dispatchDueMessages(deps());
    expect(since(before).map((request) => request.status)).toEqual([503, 503, 202]);
    expect(await db.message.count({ where: { id: { in: ids }, status: "sent", attempts: 4 } })).toBe(5);
  });

  it("sends each message exactly once when two dispatchers race over the same due messages", async () => {
    // GIVEN 600 same-content messages and 10 alone, and a second database client (a second worker process)
    const batched = await queueSameContent(600, "race");
    const alone = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const id = `msg_race_alone_${i}`;
        await db.message.create({
          data: { id, workspaceId, toEmail: `alone-${i}@example.com`, fromEmail: "shop@example.com", subject: `Yours, ${i}`, html: `<p>${i}</p>`, text: `${i}`, status: "queued", nextAttemptAt: clock.now(), createdAt: clock.now() },
        });
        return id;
      }),
    );
    const other = openDb(databaseUrl);

    // WHEN two dispatchers run at once
    const [a, b] = await Promise.all([dispatchDueMessages(deps(), 500), dispatchDueMessages({ ...deps(), db: other }, 500)]);
    while ((await dispatchDueMessages(deps(), 500)) > 0);

    // THEN every message reached SendGrid exactly once and is sent
    const ids = [...batched, ...alone];
    const counts = acceptedCounts(ids);
    expect(counts.size).toBe(610);
    expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(await db.message.count({ where: { id: { startsWith: "msg_race_" }, status: "sent", attempts: 1 } })).toBe(610);
    expect(a + b).toBeGreaterThan(0);
  });

  it("fails only the recipient SendGrid refused in a batch's 400, and sends the others", async () => {
    // GIVEN five same-content messages, one to an address SendGrid refuses
    const ids = await queueSameContent(5, "refused", { toEmail: (i) => (i === 2 ? "refused@invalid" : `refused-${i}@example.com`) });
    const before = sendgrid.requests.length;

    // WHEN they are dispatched
    await dispatchDueMessages(deps());

    // THEN SendGrid's 400 named personalization 2: that message failed with SendGrid's words, the other four
    // went again as one request
    expect(since(before).map((request) => request.status)).toEqual([400, 202]);
    expect(sendgrid.messages.at(-1)!.body.personalizations).toHaveLength(4);
    const bad = await db.message.findUniqueOrThrow({ where: { id: ids[2] } });
    expect(bad).toMatchObject({ status: "failed", attempts: 1 });
    expect(bad.error).toMatch(/SendGrid 400: Does not contain a valid address\. \(personalizations\.2\.to\.0\.email\)/);
    expect(await db.message.count({ where: { id: { in: ids }, status: "sent", attempts: 1 } })).toBe(4);
  });

  it("sends a batch's messages one by one when SendGrid's 400 names no recipient", async () => {
    // GIVEN same-content messages from an address SendGrid refuses (the shared part is at fault)
    const ids = await queueSameContent(3, "shared", { fromEmail: "not-an-address" });
    const before = sendgrid.requests.length;

    await dispatchDueMessages(deps());

    // THEN the batch's 400 led to one request each, and each failed with its own answer, not retried
    expect(since(before).map((request) => request.status)).toEqual([400, 400, 400, 400]);
    const messages = await db.message.findMany({ where: { id: { in: ids } } });
    expect(messages.map((message) => message.status)).toEqual(["failed", "failed", "failed"]);
    for (const message of messages) expect(message.error).toMatch(/from email does not contain a valid address/);
  });
});
