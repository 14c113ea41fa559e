// The customer page's journeys: a crafted journey (a branch, a quiet-hours deferral, an email sent, a goal exit)
// presented enrollment by enrollment with its whole trace, in the same words `nudgeflow trace` prints; a long
// trace cut to its newest entries, saying so; the control group flagged; another workspace's customer not found.
// SQLite, and PostgreSQL when DATABASE_URL points at one.
import { runTraceCommand } from "../../bin/trace";
import { ManualClock } from "~/core/clock";
import { customerJourneys, JOURNEY_TRACE_LIMIT } from "~/core/customers/journeys.server";
import { importFlow } from "~/core/flows/manage.server";
import { silentLogger } from "~/core/logger.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent, orderEvent } from "../support/events";

afterAll(dropAll);

describe.each(databaseTargets())("customer journeys on %s", (_name, createUrl) => {
  let db: Db;
  let databaseUrl: string;
  let workspaceId: string;
  let flowId: string;
  const clock = new ManualClock("2026-05-04T14:30:00Z");
  const tick = () => createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null }).tick();

  beforeAll(async () => {
    databaseUrl = await createUrl();
    db = openDb(databaseUrl);
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "customer-journeys-test-password", now: clock.now() }));
    await db.store.updateMany({ where: { workspaceId }, data: { timezone: "America/New_York" } });
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    // A big basket waits an hour for a reminder (held back by quiet hours 11:30–12:00 in the store's zone), then a
    // day for a second one; an order ends the journey.
    ({ flowId } = await importFlow(
      { db, clock },
      {
        workspaceId,
        name: "Basket rescue",
        publish: true,
        definition: {
          schemaVersion: 1,
          trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
          goal: { event: "order.add", scope: "customer", label: "order placed" },
          rules: { consent: "transactional", quietHours: { start: "11:30", end: "12:00" } },
          entry: "big-basket",
          nodes: [
            { id: "big-basket", type: "condition", conditions: [{ path: "checkout.totalPrice", op: "gt", value: 1000 }], yes: "wait", no: null },
            { id: "wait", type: "delay", duration: { hours: 1 }, next: "reminder" },
            { id: "reminder", type: "email", name: "Reminder", subject: "Still thinking it over?", html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: "wait-day" },
            { id: "wait-day", type: "delay", duration: { days: 1 }, next: "second" },
            { id: "second", type: "email", name: "Second", subject: "Last call", html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: null },
          ],
        },
      },
    ));
  });

  it("lists a journey with its trace: trigger, branch, deferral, the email with its outbox link, the goal exit", async () => {
    // 10:30 in New York (EDT): the checkout; at 11:30 the reminder is due but quiet; at 12:00 it is written; then an order
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("rescue", clock.now().toISOString(), { totalPrice: 4200 })] });
    await tick();
    clock.set("2026-05-04T15:30:00Z");
    await tick();
    clock.set("2026-05-04T16:00:00Z");
    await tick();
    clock.set("2026-05-04T17:00:00Z");
    await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent("9001", "rescue@example.com", clock.now().toISOString())] });
    await tick();

    const customer = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "rescue@example.com" } });
    const message = await db.message.findFirstOrThrow({ where: { workspaceId, customerId: customer.id, flowId } });
    const result = await customerJourneys(db, { workspaceId, customerId: customer.id });
    expect(result?.enrollmentCount).toBe(1);
    const [journey] = result?.journeys ?? [];
    expect(journey).toMatchObject({
      flow: { id: flowId, name: "Basket rescue", href: `/app/flows/${flowId}` },
      status: "exited",
      entryNumber: 1,
      holdout: false,
      enteredAt: new Date("2026-05-04T14:30:00Z"),
      exitedAt: new Date("2026-05-04T17:00:00Z"),
      summary: "Reached the goal: order placed",
      nextStepAt: null,
    });

    expect(journey.trace.map((line) => line.kind)).toEqual(["trigger.matched", "entered", "branch", "step", "deferred", "send", "goal"]);
    expect(journey.traceCount).toBe(journey.trace.length);
    const line = (kind: string) => journey.trace.find((entry) => entry.kind === kind);
    expect(line("trigger.matched")?.text).toBe("trigger matched on checkout.create");
    expect(line("branch")?.text).toBe('condition "big-basket": branch yes');
    expect(line("deferred")).toMatchObject({ notable: true, href: null, at: new Date("2026-05-04T15:30:00Z") });
    expect(line("deferred")?.text).toMatch(/^email "reminder" deferred until 2026-05-04T16:00:00.000Z: quiet hours/);
    expect(line("send")).toMatchObject({ notable: false, href: `/app/outbox/${message.id}`, at: new Date("2026-05-04T16:00:00Z") });
    expect(line("send")?.text).toContain(`queued as ${message.id}`);
    expect(line("goal")).toMatchObject({ notable: true, text: "goal reached, exited: goal: order placed" });

    // The CLI prints the very same words, line for line
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((text: unknown) => void printed.push(String(text)));
    try {
      expect(await runTraceCommand(["--workspace", workspaceId, "--enrollment", journey.enrollmentId], { databaseUrl })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const cliTexts = printed.filter((text) => text.startsWith("  ")).map((text) => text.replace(/^ {2}\S+ {2}\S+\s+/, ""));
    expect(cliTexts).toEqual(journey.trace.map((entry) => entry.text));
  });

  it("keeps the newest entries of a long trace and says how many there are; flags the control group", async () => {
    const customer = await db.customer.create({ data: { workspaceId, email: "long@example.com" } });
    const version = await db.flow.findUniqueOrThrow({ where: { id: flowId }, select: { liveVersionId: true } });
    const enrollment = await db.enrollment.create({
      data: { workspaceId, flowId, flowVersionId: version.liveVersionId ?? "", customerId: customer.id, entityType: "checkout", entityId: "long", currentNodeId: "wait-day", status: "active", holdout: true, wakeAt: new Date("2026-05-06T12:00:00Z"), deferredReason: "message budget 1 per 24 h", enteredAt: new Date("2026-05-05T00:00:00Z") },
    });
    const total = JOURNEY_TRACE_LIMIT + 5;
    await db.enrollmentTrace.createMany({
      data: Array.from({ length: total }, (_, index) => ({
        workspaceId,
        flowId,
        enrollmentId: enrollment.id,
        customerId: customer.id,
        at: new Date(Date.parse("2026-05-05T00:00:00Z") + index * 60_000),
        kind: "timer",
        detail: { reason: `armed ${index}`, until: "2026-05-06T12:00:00.000Z" },
      })),
    });

    const [journey] = (await customerJourneys(db, { workspaceId, customerId: customer.id }))?.journeys ?? [];
    expect(journey).toMatchObject({ status: "active", holdout: true, traceCount: total, summary: "In progress, held back: message budget 1 per 24 h", nextStepAt: new Date("2026-05-06T12:00:00Z") });
    expect(journey.trace).toHaveLength(JOURNEY_TRACE_LIMIT);
    // The newest 200, oldest first: entries 5…204
    expect(journey.trace[0].text).toBe("inactivity timer armed 5: fires 2026-05-06T12:00:00.000Z");
    expect(journey.trace.at(-1)?.text).toBe(`inactivity timer armed ${total - 1}: fires 2026-05-06T12:00:00.000Z`);
  });

  it("says in the trace when a customer entered as the control group", async () => {
    const customer = await db.customer.create({ data: { workspaceId, email: "control@example.com" } });
    const version = await db.flow.findUniqueOrThrow({ where: { id: flowId }, select: { liveVersionId: true } });
    const at = new Date("2026-05-07T00:00:00Z");
    const enrollment = await db.enrollment.create({
      data: { workspaceId, flowId, flowVersionId: version.liveVersionId ?? "", customerId: customer.id, entityType: "checkout", entityId: "control", status: "completed", holdout: true, enteredAt: at, exitedAt: at },
    });
    await db.enrollmentTrace.create({
      data: { workspaceId, flowId, enrollmentId: enrollment.id, customerId: customer.id, at, kind: "entered", detail: { entryNumber: 1, entityType: "checkout", entityId: "control", holdout: "control group: goes through the flow, is sent nothing" } },
    });
    const [journey] = (await customerJourneys(db, { workspaceId, customerId: customer.id }))?.journeys ?? [];
    expect(journey).toMatchObject({ holdout: true, summary: "Completed" });
    expect(journey.trace.map((line) => line.text)).toEqual(["entered (entry 1, checkout control); control group: goes through the flow, is sent nothing"]);
  });

  it("finds nobody for another workspace, and no journeys for a customer never enrolled", async () => {
    const customer = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "rescue@example.com" } });
    const other = await db.workspace.create({ data: { name: "Other shop" } });
    expect(await customerJourneys(db, { workspaceId: other.id, customerId: customer.id })).toBeNull();
    expect(await customerJourneys(db, { workspaceId, customerId: "no-such-customer" })).toBeNull();
    const quiet = await db.customer.create({ data: { workspaceId, email: "quiet@example.com" } });
    expect(await customerJourneys(db, { workspaceId, customerId: quiet.id })).toEqual({ journeys: [], enrollmentCount: 0 });
  });
});
