// What happens to our emails as journeys hear it: a SendGrid Event Webhook batch (stored as the webhook route
// stores it, processed by the worker) and our own /r/ click redirect become MessageEvents and, in the same
// transaction, canonical message.* events about the customer — once however often they are delivered — that
// flows trigger on (never a flow on its own emails). And the outbox page's presenter: one journey email's whole
// path from the trigger to the provider's events. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { randomUUID } from "node:crypto";
import { ManualClock } from "~/core/clock";
import { getCustomerProfile } from "~/core/customers/customers.server";
import { CanonicalMessageEvent } from "~/core/events";
import { importFlow } from "~/core/flows/manage.server";
import { storeDelivery } from "~/core/ingest/receive.server";
import { silentLogger } from "~/core/logger.server";
import { createClickLinks, recordClick } from "~/core/messaging/links.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import { PREVIEW_CUSTOMER_LIMIT, previewCustomers } from "~/core/messaging/email/preview.server";
import { messagePath } from "~/core/messaging/message-path.server";
import { SENDGRID_EVENTS_TOPIC, SENDGRID_SOURCE } from "~/core/messaging/sendgrid-webhook.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent } from "../support/events";

afterAll(dropAll);

const STORE_ZONE = "America/New_York";

describe.each(databaseTargets())("message events in journeys on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  const clock = new ManualClock("2026-03-02T15:00:00Z");
  const worker = () => createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
  const unix = () => Math.floor(clock.now().getTime() / 1000);

  /** A SendGrid event about one of our messages, as its Event Webhook posts it. */
  const sendgridEvent = (messageId: string, event: string, extra: Record<string, unknown> = {}) => ({
    email: "x@example.com",
    timestamp: unix(),
    event,
    sg_event_id: randomUUID(),
    sg_message_id: `sg-${messageId}`,
    [MESSAGE_ID_ARG]: messageId,
    ...extra,
  });

  /** Stores a batch exactly as the webhook route does (a new body is a new delivery) and lets the worker process it. */
  async function deliverBatch(events: unknown[]) {
    const rawBody = JSON.stringify(events);
    await storeDelivery({ db, clock }, { source: SENDGRID_SOURCE, workspaceId: null, storeId: null, topic: SENDGRID_EVENTS_TOPIC, dedupeKey: randomUUID(), eventId: null, rawBody, headers: {} });
    await worker().tick();
  }

  /** The reminder flow: an hour after a checkout, an email, held back by quiet hours 11:30–12:00 in the store's zone. */
  async function publish(name: string, definition: Record<string, unknown>) {
    return importFlow({ db, clock }, { workspaceId, name, publish: true, definition: { schemaVersion: 1, goal: null, ...definition } });
  }

  let reminderFlowId: string;
  let clickFlowId: string;

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "message-journeys-test-password", now: clock.now() }));
    await db.store.updateMany({ where: { workspaceId }, data: { timezone: STORE_ZONE } });
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    reminderFlowId = (
      await publish("Reminder", {
        trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
        rules: { consent: "transactional", quietHours: { start: "11:30", end: "12:00" } },
        entry: "wait",
        nodes: [
          { id: "wait", type: "delay", duration: { hours: 1 }, next: "reminder" },
          { id: "reminder", type: "email", name: "Reminder", subject: "Still thinking it over?", html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: null },
        ],
      })
    ).flowId;
    // Anyone who clicks a link in any email (not a machine) gets a thank-you; again after a day.
    clickFlowId = (
      await publish("Clicked", {
        trigger: { type: "event", events: ["message.clicked"], entity: "customer", conditions: [{ path: "event.data.url", op: "exists" }] },
        rules: { consent: "transactional", reentry: { mode: "after", days: 1 } },
        entry: "thanks",
        nodes: [{ id: "thanks", type: "email", name: "Thanks", subject: "Glad you looked", html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: null }],
      })
    ).flowId;
  });

  /** A shopper's checkout (10:00 in New York on `day`), and the reminder written at 12:00 once the quiet hours end. */
  async function reminderFor(token: string, day: string) {
    clock.set(new Date(`${day}T15:00:00Z`));
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent(token, clock.now().toISOString())] });
    await worker().tick();
    clock.advance({ hours: 1, minutes: 30 }); // 11:30 local: inside the quiet hours
    await worker().tick();
    clock.set(new Date(`${day}T17:00:00Z`)); // 12:00 local
    await worker().tick();
    const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: `${token}@example.com`, flowId: reminderFlowId } });
    const customer = await db.customer.findFirstOrThrow({ where: { workspaceId, email: `${token}@example.com` } });
    return { message, customer };
  }

  const canonicalEvents = async (customerId: string) =>
    (await db.event.findMany({ where: { workspaceId, customerId, type: { startsWith: "message." } }, orderBy: { occurredAt: "asc" } })).map((row) =>
      CanonicalMessageEvent.parse({ type: row.type, version: row.version, occurredAt: row.occurredAt.toISOString(), data: row.data }),
    );

  it("turns a SendGrid batch into message events and canonical events about the customer, once however often it comes", async () => {
    const { message, customer } = await reminderFor("batch", "2026-03-02");
    clock.advance({ minutes: 5 });
    const batch = [
      sendgridEvent(message.id, "processed"),
      sendgridEvent(message.id, "delivered"),
      sendgridEvent(message.id, "open", { sg_machine_open: true, useragent: "Mozilla/5.0" }),
      sendgridEvent(message.id, "open", { useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)" }),
      sendgridEvent(message.id, "bounce", { type: "blocked", status: "4.7.1", reason: "try again later" }),
    ];
    await deliverBatch(batch);
    // SendGrid retries: the same events again, in a different delivery
    await deliverBatch([...batch].reverse());

    expect((await db.messageEvent.findMany({ where: { messageId: message.id } })).map((event) => event.type).sort()).toEqual(["bounce", "delivered", "open", "open", "processed"]);
    const events = await canonicalEvents(customer.id);
    expect(events.map((event) => event.type).sort()).toEqual(["message.bounced", "message.delivered", "message.opened", "message.opened"]);
    for (const event of events) {
      expect(event.data).toMatchObject({ messageId: message.id, flowId: reminderFlowId, nodeId: "reminder", enrollmentId: message.enrollmentId, provider: "sendgrid" });
    }
    const opens = events.flatMap((event) => (event.type === "message.opened" ? [event.data.machineOpen] : []));
    expect(opens.sort()).toEqual([false, true]);
    expect(events.find((event) => event.type === "message.bounced")?.data).toMatchObject({ permanent: false, reason: "4.7.1 try again later" });
    // A temporary block does not suppress; the events all belong to the customer the email was for
    expect(await db.suppression.count({ where: { workspaceId, email: message.toEmail } })).toBe(0);
    const rows = await db.event.findMany({ where: { workspaceId, type: { startsWith: "message." } } });
    const aboutThisEmail = rows.filter((row) => CanonicalMessageEvent.parse({ ...row, occurredAt: row.occurredAt.toISOString() }).data.messageId === message.id);
    expect(aboutThisEmail.map((row) => row.customerId)).toEqual(events.map(() => customer.id));
    // The customer's timeline shows each provider event once, linking to the email (not again as its mirror event)
    const profile = await getCustomerProfile(db, { workspaceId, customerId: customer.id, now: clock.now() });
    const emailEvents = profile?.timeline.filter((entry) => entry.kind === "message_event") ?? [];
    expect(emailEvents).toHaveLength(5);
    expect(emailEvents.every((entry) => entry.href === `/app/outbox/${message.id}`)).toBe(true);
  });

  it("starts a flow on message.clicked, but never a flow on its own emails", async () => {
    const { message, customer } = await reminderFor("clicker", "2026-03-03");
    const enrollmentsOfClickFlow = () => db.enrollment.findMany({ where: { flowId: clickFlowId, customerId: customer.id }, orderBy: { entryNumber: "asc" } });
    expect(await enrollmentsOfClickFlow()).toHaveLength(0);

    // WHEN SendGrid reports a click on the reminder
    clock.advance({ minutes: 10 });
    await deliverBatch([sendgridEvent(message.id, "click", { url: "https://demo-store.nudgeflow.dev/cart" })]);
    await worker().tick();

    // THEN the click flow ran for the customer, its trigger the click
    const [first] = await enrollmentsOfClickFlow();
    expect(first).toMatchObject({ status: "completed", entryNumber: 1, entityType: "customer" });
    const thanks = await db.message.findFirstOrThrow({ where: { flowId: clickFlowId, customerId: customer.id } });
    expect(thanks.subject).toBe("Glad you looked");
    const matched = await db.enrollmentTrace.findFirstOrThrow({ where: { enrollmentId: first.id, kind: "trigger.matched" } });
    expect(matched.detail).toMatchObject({ event: "message.clicked" });

    // WHEN, two days later (re-entry allowed), the customer clicks the thank-you email itself
    clock.advance({ days: 2 });
    await deliverBatch([sendgridEvent(thanks.id, "click", { url: "https://demo-store.nudgeflow.dev/" })]);
    await worker().tick();
    // THEN the click is an event, but the flow does not hear its own email: no second entry, nothing traced
    expect((await canonicalEvents(customer.id)).filter((event) => event.type === "message.clicked")).toHaveLength(2);
    expect(await enrollmentsOfClickFlow()).toHaveLength(1);
    expect(await db.enrollmentTrace.count({ where: { flowId: clickFlowId, customerId: customer.id, kind: "trigger.skipped" } })).toBe(0);

    // WHILE a click on another flow's email re-enters it (entry 2): the rule is about the flow's own emails only
    clock.advance({ minutes: 1 });
    await deliverBatch([sendgridEvent(message.id, "click", { url: "https://demo-store.nudgeflow.dev/products/apron" })]);
    expect((await enrollmentsOfClickFlow()).map((enrollment) => enrollment.entryNumber)).toEqual([1, 2]);
  });

  it("records a click through our /r/ redirect as a message.clicked event, once per second, and none for a test send", async () => {
    const { message, customer } = await reminderFor("redirect", "2026-03-06");
    const links = createClickLinks({ db, appUrl: "https://app.example", secret: "message-journeys-test-secret" });
    const tracked = (await links.forMessage(message.id))("https://demo-store.nudgeflow.dev/cart", 0);
    const target = await links.verify(tracked.split("/r/")[1]);
    expect(target).not.toBeNull();
    if (!target) return;

    clock.advance({ minutes: 20 });
    expect(await recordClick({ db, clock }, target)).toBe(true);
    expect(await recordClick({ db, clock }, target)).toBe(true); // a double click in the same second

    expect(await db.messageEvent.count({ where: { messageId: message.id, type: "click", provider: "nudgeflow" } })).toBe(1);
    const clicks = (await canonicalEvents(customer.id)).filter((event) => event.type === "message.clicked");
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ occurredAt: clock.now().toISOString(), data: { messageId: message.id, flowId: reminderFlowId, url: "https://demo-store.nudgeflow.dev/cart", provider: "nudgeflow" } });
    // …which starts the click flow like SendGrid's click does
    expect(await db.enrollment.count({ where: { flowId: clickFlowId, customerId: customer.id } })).toBe(1);

    // A test send has no customer: its click is recorded on the message, and is no one's event
    const test = await db.message.create({
      data: { id: `msg_test_${randomUUID()}`, kind: "test", workspaceId, toEmail: "merchant@example.com", fromEmail: "shop@example.com", subject: "[Test] x", html: "<p>x</p>", text: "x", status: "outbox", nextAttemptAt: clock.now(), createdAt: clock.now() },
    });
    const before = await db.event.count({ where: { workspaceId } });
    expect(await recordClick({ db, clock }, { messageId: test.id, index: 0, url: "https://demo-store.nudgeflow.dev/" })).toBe(true);
    expect(await db.messageEvent.count({ where: { messageId: test.id } })).toBe(1);
    expect(await db.event.count({ where: { workspaceId } })).toBe(before);
  });

  it("presents a journey email's whole path: trigger, trace up to the send, the message, then the provider's events", async () => {
    const { message, customer } = await reminderFor("path", "2026-03-07");
    clock.advance({ minutes: 1 });
    await deliverBatch([sendgridEvent(message.id, "delivered")]);
    clock.advance({ minutes: 1 });
    await deliverBatch([sendgridEvent(message.id, "open", { sg_machine_open: true, useragent: "Mozilla/5.0" })]);
    clock.advance({ minutes: 1 });
    await deliverBatch([sendgridEvent(message.id, "click", { url: "https://demo-store.nudgeflow.dev/cart" })]);

    const path = await messagePath(db, { workspaceId, messageId: message.id });
    expect(path).not.toBeNull();
    if (!path) return;
    expect(path.customer).toMatchObject({ id: customer.id, href: `/app/customers/${customer.id}` });
    expect(path.flow).toMatchObject({ id: reminderFlowId, name: "Reminder" });
    expect(path.trigger).toMatchObject({ type: "checkout.create", description: "a new checkout", title: "Started a checkout", occurredAt: new Date("2026-03-07T15:00:00Z") });
    // Node by node, with the quiet-hours deferral and its reason, ending at this email's send
    expect(path.trace.map((step) => step.kind)).toEqual(["trigger.matched", "entered", "step", "deferred", "send"]);
    expect(path.trace.find((step) => step.kind === "deferred")).toMatchObject({ notable: true, text: expect.stringMatching(/quiet hours/) });
    expect(path.trace.at(-1)?.text).toContain(message.id);
    expect(path.message).toMatchObject({ id: message.id, status: "outbox", provider: "outbox", attempts: expect.any(Number), error: null });
    expect(path.events.map((event) => [event.type, event.label, event.url])).toEqual([
      ["delivered", "Delivered", null],
      ["open", "Opened by a machine (privacy proxy or scanner)", null],
      ["click", "Clicked", "https://demo-store.nudgeflow.dev/cart"],
    ]);
    expect(path.events[1].machineOpen).toBe(true);

    // Another workspace's message is not found
    expect(await messagePath(db, { workspaceId: "another-workspace", messageId: message.id })).toBeNull();
  });

  it("finds customers for the email preview by name or email, in this workspace only, at most 20", async () => {
    const other = await db.workspace.create({ data: { name: "Other shop" } });
    await db.customer.create({ data: { workspaceId: other.id, email: "zelda.other@example.com", firstName: "Zelda", lastName: "Other" } });
    await db.customer.createMany({
      data: Array.from({ length: 25 }, (_, index) => ({ workspaceId, email: `bulk-${index}@example.com`, firstName: "Bulk", lastName: `Buyer ${index}` })),
    });
    await db.customer.create({ data: { workspaceId, email: "zelda.fitz@example.com", firstName: "Zelda", lastName: "Fitzgerald" } });
    await db.customer.create({ data: { workspaceId, email: null, firstName: "Zelda", lastName: "Nomail" } });

    // By a piece of the name, any case, "first last" too; never another workspace's, never one without an address
    expect(await previewCustomers(db, { workspaceId, query: "ZELDA" })).toEqual([expect.objectContaining({ email: "zelda.fitz@example.com", name: "Zelda Fitzgerald" })]);
    expect((await previewCustomers(db, { workspaceId, query: "zelda fitz" })).map((c) => c.email)).toEqual(["zelda.fitz@example.com"]);
    expect((await previewCustomers(db, { workspaceId, query: "fitz@exa" })).map((c) => c.email)).toEqual(["zelda.fitz@example.com"]);
    // At most 20, however many match, and however many are asked for
    expect(await previewCustomers(db, { workspaceId, query: "bulk" })).toHaveLength(PREVIEW_CUSTOMER_LIMIT);
    expect(await previewCustomers(db, { workspaceId, query: "bulk", limit: 500 })).toHaveLength(PREVIEW_CUSTOMER_LIMIT);
    expect(await previewCustomers(db, { workspaceId, query: "no such person" })).toEqual([]);
  });
});
