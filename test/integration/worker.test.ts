// The worker against a real database, fed through the demo store's inbox: the outbox when no provider is set,
// delays anchored on checkout activity, the full three-email path, provider retries, and two workers at once.
import { ManualClock } from "~/core/clock";
import { silentLogger } from "~/core/logger.server";
import { enableBlueprint, listFlows } from "~/core/flows/manage.server";
import { messageContentOf } from "~/core/messaging/content.server";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
import { listMessages } from "~/core/messaging/queries.server";
import { postDemoEvents, simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import type { EmailSender } from "~/core/messaging/sender";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent } from "../support/events";

afterAll(dropAll);

const START = "2026-03-02T09:00:00.000Z";
const EUR = { currency: "EUR" };

describe.each(databaseTargets())("worker on %s", (_name, createUrl) => {
  let db: Db;
  let sendgrid: SendGridEmulator;
  let workspaceId: string;

  const workerWith = (clock: ManualClock, sender: EmailSender | null) =>
    createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender });

  beforeAll(async () => {
    db = openDb(await createUrl());
    sendgrid = await startSendGridEmulator({ apiKey: "SG.worker" });
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "worker-test-password", now: new Date(START) }));
    await enableBlueprint({ db, clock: new ManualClock(START) }, { workspaceId, blueprintId: "abandoned-cart" });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await sendgrid?.close();
  });

  it("keeps email in the outbox when no provider is configured", async () => {
    // GIVEN the demo store reports a checkout abandoned 61 minutes ago
    const clock = new ManualClock(START);
    const { email } = await simulateAbandonedCheckout({ db, clock }, { workspaceId });

    // WHEN the worker runs once
    await workerWith(clock, null).tick();

    // THEN the first reminder is written, rendered, and waits in the outbox
    const [message] = (await listMessages(db, { workspaceId })).filter((m) => m.toEmail === email);
    expect(message).toMatchObject({ status: "outbox", provider: "outbox", flowName: "Abandoned cart", nodeId: "email-reminder" });
    const stored = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    const content = await messageContentOf({ db }, stored); // stored once for the step (ADR 0035)
    expect(content?.html).toContain("Return to your cart");
    expect(content?.text).toContain("Total: $");
    const [flow] = await listFlows(db, { workspaceId });
    expect(flow).toMatchObject({ status: "live", version: 1 });
    expect(flow.sent).toBeGreaterThanOrEqual(1);
  });

  it("pushes the first reminder back while the shopper keeps editing the checkout", async () => {
    const clock = new ManualClock(START);
    const worker = workerWith(clock, null);
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("edited", START, EUR)] });
    await worker.tick();

    // WHEN the shopper edits the checkout 30 minutes later
    clock.advance({ minutes: 30 });
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("edited", clock.now().toISOString(), { type: "checkout.update", currency: "EUR" })] });
    await worker.tick();

    // THEN one hour after the start nothing is sent, and one hour after the edit the reminder is
    clock.set("2026-03-02T10:00:00Z");
    await worker.tick();
    expect(await db.message.count({ where: { toEmail: "edited@example.com" } })).toBe(0);
    clock.set("2026-03-02T10:30:00Z");
    await worker.tick();
    expect(await db.message.count({ where: { toEmail: "edited@example.com" } })).toBe(1);
  });

  it("sends all three emails when no order comes, then completes", async () => {
    const clock = new ManualClock(START);
    const worker = workerWith(clock, null);
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("walkaway", START, EUR)] });
    for (const hours of [1, 23, 48]) {
      clock.advance({ hours });
      await worker.tick();
    }
    const messages = await db.message.findMany({ where: { toEmail: "walkaway@example.com" }, orderBy: { createdAt: "asc" } });
    expect(messages.map((message) => [message.nodeId, message.createdAt.toISOString()])).toEqual([
      ["email-reminder", "2026-03-02T10:00:00.000Z"],
      ["email-incentive", "2026-03-03T09:00:00.000Z"],
      ["email-last-chance", "2026-03-05T09:00:00.000Z"],
    ]);
    expect(messages[1].subject).toBe("10% off the items in your cart");
    const enrollment = await db.enrollment.findFirstOrThrow({ where: { id: messages[0].enrollmentId! } });
    expect(enrollment.status).toBe("completed");
  });

  it("retries SendGrid's 429 after the time it asks for, and sends once", async () => {
    const clock = new ManualClock(START);
    const worker = workerWith(clock, createSendGridSender({ apiKey: "SG.worker", baseUrl: sendgrid.url }));
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("ratelimited", START, EUR)] });
    await worker.tick();
    sendgrid.failNext(429, 1, { retryAfterSeconds: 30 });

    // WHEN the email is due and SendGrid answers 429 once
    clock.advance({ hours: 1 });
    await worker.tick();
    const message = await db.message.findFirstOrThrow({ where: { toEmail: "ratelimited@example.com" } });
    expect(message).toMatchObject({ status: "queued", attempts: 1 });
    expect(message.error).toMatch(/SendGrid 429/);
    expect(message.nextAttemptAt.toISOString()).toBe("2026-03-02T10:00:30.000Z");

    // THEN after 30 s it goes out, once
    clock.advance({ seconds: 30 });
    await worker.tick();
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "sent", attempts: 2 });
    expect(sendgrid.messages.filter((sent) => sent.body.personalizations[0].to[0].email === "ratelimited@example.com")).toHaveLength(1);
  });

  it("sends each step once when two workers run the same due work at the same time", async () => {
    const clock = new ManualClock(START);
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("racing", START, EUR)] });
    const first = workerWith(clock, null);
    const second = workerWith(clock, null);
    await Promise.all([first.tick(), second.tick()]);
    clock.advance({ hours: 1 });
    await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);

    expect(await db.enrollment.count({ where: { entityType: "checkout", customerId: (await db.customer.findFirstOrThrow({ where: { email: "racing@example.com" } })).id } })).toBe(1);
    expect(await db.message.count({ where: { toEmail: "racing@example.com" } })).toBe(1);
  });

  it("does not enroll paused flows' new checkouts, and holds running ones until resumed", async () => {
    const clock = new ManualClock(START);
    const worker = workerWith(clock, null);
    const flow = await db.flow.findFirstOrThrow({ where: { workspaceId, blueprint: "abandoned-cart" } });
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("held", START, EUR)] });
    await worker.tick();
    await db.flow.update({ where: { id: flow.id }, data: { status: "paused" } });
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("while-paused", START, EUR)] });
    clock.advance({ hours: 2 });
    await worker.tick();
    expect(await db.message.count({ where: { toEmail: { in: ["held@example.com", "while-paused@example.com"] } } })).toBe(0);

    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" }); // resumes the same flow
    await worker.tick();
    expect(await db.message.count({ where: { toEmail: "held@example.com" } })).toBe(1);
    expect(await db.message.count({ where: { toEmail: "while-paused@example.com" } })).toBe(0);
    expect(await db.flow.count({ where: { workspaceId } })).toBe(1);
  });
});
