// Branching flows and flow rules through the worker, on the demo store with a manual clock: condition and
// multi-way splits, A/B splits, wait-until in the store's time zone, marketing consent and quiet hours.
// Every step is a StepRun whose result records the branch or variant taken, the skip or the deferral.
import { ManualClock } from "~/core/clock";
import { silentLogger } from "~/core/logger.server";
import type { CanonicalEvent } from "~/core/events";
import { abBucket, variantForBucket } from "~/core/flows/engine";
import { importFlow } from "~/core/flows/manage.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent, orderEvent } from "../support/events";

afterAll(dropAll);

const STORE_ZONE = "America/New_York";

const email = (id: string, next: string | null = null) => ({ id, type: "email", name: id, subject: `About ${id}`, html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next });

describe.each(databaseTargets())("branching flows and rules on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;

  const worker = (clock: ManualClock) => createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
  const post = (clock: ManualClock, ...events: CanonicalEvent[]) => postDemoEvents({ db, clock }, { workspaceId, events });
  const sentTo = (address: string) => db.message.findMany({ where: { workspaceId, toEmail: address }, orderBy: { createdAt: "asc" } });
  const stepsOf = async (address: string) => {
    const person = await db.customer.findFirstOrThrow({ where: { workspaceId, email: address } });
    const steps = await db.stepRun.findMany({ where: { workspaceId, enrollment: { customerId: person.id } }, orderBy: { ranAt: "asc" } });
    return steps.map((step) => ({ nodeId: step.nodeId, nodeType: step.nodeType, result: step.result }));
  };

  /** Publishes a flow as the only live one in the workspace (earlier tests' flows are paused). */
  async function publishOnly(name: string, definition: Record<string, unknown>, clock: ManualClock) {
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    const full = {
      schemaVersion: 1,
      trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
      goal: null,
      ...definition,
    };
    return importFlow({ db, clock }, { workspaceId, name, definition: full, publish: true });
  }

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "flow-engine-test-password", now: new Date("2026-03-01T00:00:00Z") }));
    await db.store.updateMany({ where: { workspaceId }, data: { timezone: STORE_ZONE } });
  });

  it("condition split: returning customers and new ones get different emails", async () => {
    // GIVEN a flow that, an hour after the checkout, asks whether the customer has ordered before
    const clock = new ManualClock("2026-03-02T15:00:00Z");
    await publishOnly("Returning or new", {
      rules: { consent: "transactional" },
      entry: "wait",
      nodes: [
        { id: "wait", type: "delay", duration: { hours: 1 }, next: "returning" },
        { id: "returning", type: "condition", conditions: [{ path: "customer.ordersCount", op: "gte", value: 1 }], yes: "welcome-back", no: "first-time" },
        email("welcome-back"),
        email("first-time"),
      ],
    }, clock);
    // AND a customer who ordered ten days ago, and one who never did
    await post(clock, orderEvent("cond-1", "loyal@example.com", "2026-02-20T12:00:00Z"));

    // WHEN both start a checkout and an hour passes
    await post(clock, checkoutEvent("loyal", clock.now().toISOString()), checkoutEvent("fresh", clock.now().toISOString()));
    await worker(clock).tick();
    expect(await sentTo("loyal@example.com")).toHaveLength(0);
    clock.advance({ hours: 1 });
    await worker(clock).tick();

    // THEN each got the email of their branch, and the trace says which branch was taken
    expect((await sentTo("loyal@example.com")).map((m) => m.nodeId)).toEqual(["welcome-back"]);
    expect((await sentTo("fresh@example.com")).map((m) => m.nodeId)).toEqual(["first-time"]);
    expect(await stepsOf("loyal@example.com")).toEqual([
      { nodeId: "wait", nodeType: "delay", result: null },
      { nodeId: "returning", nodeType: "condition", result: { branch: "yes" } },
      { nodeId: "welcome-back", nodeType: "email", result: { messageId: expect.any(String) } },
    ]);
    expect((await stepsOf("fresh@example.com"))[1]).toMatchObject({ nodeId: "returning", result: { branch: "no" } });
  });

  it("condition split on a computed fact: an order placed since entering", async () => {
    // GIVEN a flow without a goal that checks, after an hour, whether the shopper has ordered since the checkout
    const clock = new ManualClock("2026-03-04T15:00:00Z");
    await publishOnly("Thanks or reminder", {
      rules: { consent: "transactional" },
      entry: "wait",
      nodes: [
        { id: "wait", type: "delay", duration: { hours: 1 }, next: "ordered" },
        { id: "ordered", type: "condition", conditions: [{ path: "enrollment.placedOrderSinceEntering", op: "eq", value: true }], yes: "thanks", no: "reminder" },
        email("thanks"),
        email("reminder"),
      ],
    }, clock);
    await post(clock, checkoutEvent("buyer", clock.now().toISOString()), checkoutEvent("browser", clock.now().toISOString()));
    await worker(clock).tick();

    // WHEN the buyer orders 30 minutes later and the hour passes
    clock.advance({ minutes: 30 });
    await post(clock, orderEvent("since-1", "buyer@example.com", clock.now().toISOString()));
    clock.advance({ minutes: 30 });
    await worker(clock).tick();

    // THEN the buyer is thanked and the browser reminded
    expect((await sentTo("buyer@example.com")).map((m) => m.nodeId)).toEqual(["thanks"]);
    expect((await sentTo("browser@example.com")).map((m) => m.nodeId)).toEqual(["reminder"]);
  });

  it("multi-way split on the trigger event: the first matching branch, else the else", async () => {
    const clock = new ManualClock("2026-03-05T15:00:00Z");
    await publishOnly("By cart value", {
      rules: { consent: "transactional" },
      entry: "by-value",
      nodes: [
        {
          id: "by-value",
          type: "split",
          branches: [
            { id: "big", conditions: [{ path: "event.data.checkout.totalPrice", op: "gte", value: 10000 }], next: "big-cart" },
            { id: "mid", conditions: [{ path: "event.data.checkout.totalPrice", op: "gte", value: 5000 }], next: "mid-cart" },
          ],
          else: "small-cart",
        },
        email("big-cart"),
        email("mid-cart"),
        email("small-cart"),
      ],
    }, clock);

    // WHEN three checkouts of 150.00, 60.00 and 20.00 arrive
    const now = clock.now().toISOString();
    await post(clock, checkoutEvent("split-big", now, { totalPrice: 15000 }), checkoutEvent("split-mid", now, { totalPrice: 6000 }), checkoutEvent("split-small", now, { totalPrice: 2000 }));
    await worker(clock).tick();

    // THEN each takes its branch
    expect((await sentTo("split-big@example.com")).map((m) => m.nodeId)).toEqual(["big-cart"]);
    expect((await sentTo("split-mid@example.com")).map((m) => m.nodeId)).toEqual(["mid-cart"]);
    expect((await sentTo("split-small@example.com")).map((m) => m.nodeId)).toEqual(["small-cart"]);
    expect((await stepsOf("split-small@example.com"))[0]).toEqual({ nodeId: "by-value", nodeType: "split", result: { branch: "else" } });
  });

  it("A/B split: a sticky hashed variant per customer, once per node, even with two workers", async () => {
    const clock = new ManualClock("2026-03-06T15:00:00Z");
    const variants = [{ id: "a", weight: 50, next: "subject-a" }, { id: "b", weight: 50, next: "subject-b" }];
    const { flowId } = await publishOnly("Subject test", {
      rules: { consent: "transactional" },
      entry: "test",
      nodes: [{ id: "test", type: "ab_split", variants }, email("subject-a"), email("subject-b")],
    }, clock);

    // WHEN 20 shoppers start checkouts and two workers run at once
    const shoppers = Array.from({ length: 20 }, (_, i) => `ab-${i}`);
    await post(clock, ...shoppers.map((token) => checkoutEvent(token, clock.now().toISOString())));
    await Promise.all([worker(clock).tick(), worker(clock).tick()]);

    // THEN each got exactly one email, the one of the variant their hash assigns; both variants are used
    const seen = new Set<string>();
    for (const token of shoppers) {
      const person = await db.customer.findFirstOrThrow({ where: { workspaceId, email: `${token}@example.com` } });
      const expected = variantForBucket(variants, abBucket({ customerId: person.id, flowId, nodeId: "test" }));
      const messages = await sentTo(`${token}@example.com`);
      expect(messages.map((m) => m.nodeId)).toEqual([expected.next]);
      const steps = await stepsOf(`${token}@example.com`);
      expect(steps.filter((step) => step.nodeId === "test")).toEqual([{ nodeId: "test", nodeType: "ab_split", result: { variant: expected.id, bucket: expect.any(Number) } }]);
      seen.add(expected.id);
    }
    expect(seen).toEqual(new Set(["a", "b"]));

    // AND a later checkout by the same shopper lands in the same variant
    clock.advance({ days: 1 });
    await post(clock, checkoutEvent("ab-0-again", clock.now().toISOString(), { email: "ab-0@example.com" }));
    await worker(clock).tick();
    const again = await sentTo("ab-0@example.com");
    expect(again).toHaveLength(2);
    expect(again[1].nodeId).toBe(again[0].nodeId);
  });

  it("wait-until: the next Tue-Thu at 10:00 in the store's time zone", async () => {
    // GIVEN a flow that waits for a weekday morning, in a store in New York
    const clock = new ManualClock("2026-03-02T14:00:00Z"); // Monday 09:00 in New York
    await publishOnly("Weekday mornings", {
      rules: { consent: "transactional" },
      entry: "morning",
      nodes: [{ id: "morning", type: "wait_until", time: "10:00", weekdays: ["tue", "wed", "thu"], next: "hello" }, email("hello")],
    }, clock);
    await post(clock, checkoutEvent("early-bird", clock.now().toISOString()));
    const run = worker(clock);
    await run.tick();

    // WHEN Monday 10:00 and Tuesday 09:59 pass THEN nothing is sent
    for (const moment of ["2026-03-02T15:00:00Z", "2026-03-03T14:59:00Z"]) {
      clock.set(moment);
      await run.tick();
      expect(await sentTo("early-bird@example.com")).toHaveLength(0);
    }
    // WHEN Tuesday 10:00 New York (15:00 UTC) comes THEN the email is written
    clock.set("2026-03-03T15:00:00Z");
    await run.tick();
    expect((await sentTo("early-bird@example.com")).map((m) => [m.nodeId, m.createdAt.toISOString()])).toEqual([["hello", "2026-03-03T15:00:00.000Z"]]);
  });

  it("marketing consent: email steps are skipped, and recorded, for customers who have not accepted marketing", async () => {
    // GIVEN a marketing flow (the default) of two emails a day apart
    const clock = new ManualClock("2026-03-09T15:00:00Z");
    await publishOnly("Newsletter-ish", {
      entry: "first",
      nodes: [email("first", "wait"), { id: "wait", type: "delay", duration: { days: 1 }, next: "second" }, email("second")],
    }, clock);

    // WHEN a subscriber and a non-subscriber start checkouts, and the day passes
    await post(clock, checkoutEvent("subscribed", clock.now().toISOString(), { acceptsMarketing: true }), checkoutEvent("unsubscribed", clock.now().toISOString(), { acceptsMarketing: false }));
    await worker(clock).tick();
    clock.advance({ days: 1 });
    await worker(clock).tick();

    // THEN only the subscriber gets email; the other's journey records each skip and completes
    expect((await sentTo("subscribed@example.com")).map((m) => m.nodeId)).toEqual(["first", "second"]);
    expect(await sentTo("unsubscribed@example.com")).toHaveLength(0);
    expect(await stepsOf("unsubscribed@example.com")).toEqual([
      { nodeId: "first", nodeType: "email", result: { skipped: "no marketing consent" } },
      { nodeId: "wait", nodeType: "delay", result: null },
      { nodeId: "second", nodeType: "email", result: { skipped: "no marketing consent" } },
    ]);
    const person = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "unsubscribed@example.com" } });
    expect(await db.enrollment.findFirstOrThrow({ where: { customerId: person.id } })).toMatchObject({ status: "completed" });
  });

  it("quiet hours: an email due at 21:30 store time waits until 08:00, and says why", async () => {
    // GIVEN a flow with quiet hours 21:00-08:00 that emails an hour after the checkout
    const clock = new ManualClock("2026-03-11T00:30:00Z"); // Tuesday 20:30 in New York (EDT since March 8)
    await publishOnly("Polite reminder", {
      rules: { consent: "transactional", quietHours: { start: "21:00", end: "08:00" } },
      entry: "wait",
      nodes: [{ id: "wait", type: "delay", duration: { hours: 1 }, next: "reminder" }, email("reminder")],
    }, clock);
    await post(clock, checkoutEvent("night-owl", clock.now().toISOString()));
    const run = worker(clock);
    await run.tick();

    // WHEN the hour passes at 21:30 New York time
    clock.advance({ hours: 1 });
    await run.tick();

    // THEN nothing is sent and the enrollment sleeps until 08:00 New York (12:00 UTC)
    expect(await sentTo("night-owl@example.com")).toHaveLength(0);
    const person = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "night-owl@example.com" } });
    const enrollment = await db.enrollment.findFirstOrThrow({ where: { customerId: person.id } });
    expect(enrollment.wakeAt?.toISOString()).toBe("2026-03-11T12:00:00.000Z");

    // WHEN 08:00 comes THEN the email is written, its step recording the deferral
    clock.set("2026-03-11T12:00:00Z");
    await run.tick();
    expect((await sentTo("night-owl@example.com")).map((m) => [m.nodeId, m.createdAt.toISOString()])).toEqual([["reminder", "2026-03-11T12:00:00.000Z"]]);
    expect((await stepsOf("night-owl@example.com"))[1]).toEqual({
      nodeId: "reminder",
      nodeType: "email",
      result: { messageId: expect.any(String), deferred: "quiet hours 21:00-08:00 America/New_York" },
    });
  });
});
