// Holdouts end to end: a flow that keeps a control group enrolls customers through the real ingest and worker;
// control-group journeys go through the same steps and are sent nothing. Then the flow's incremental effect is
// computed on crafted enrollments and orders and checked against values worked out independently.
// SQLite, and PostgreSQL when DATABASE_URL points at one.
import { runAnalyticsCommand } from "../../bin/analytics";
import { flowResults } from "~/core/analytics/flow-results.server";
import { flowKpis } from "~/core/analytics/kpis.server";
import { ManualClock } from "~/core/clock";
import { HOLDOUT_REASON, inHoldout } from "~/core/flows/engine";
import { importFlow } from "~/core/flows/manage.server";
import { silentLogger } from "~/core/logger.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker, type Worker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent } from "../support/events";

afterAll(dropAll);

const SHOPPERS = Array.from({ length: 20 }, (_, index) => `shopper-${index}`);

/** One hour after a checkout: a discount code, then an email with it. Half the customers are kept out. */
const COME_BACK = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [] },
  goal: { event: "order.add", scope: "customer", label: "order placed" },
  entry: "wait-1h",
  nodes: [
    { id: "wait-1h", type: "delay", duration: { hours: 1 }, next: "code" },
    { id: "code", type: "discount_code", prefix: "BACK", kind: "percent", value: 10, expiresAfter: { days: 3 }, next: "email" },
    { id: "email", type: "email", name: "Come back", subject: "Your cart", html: "<p>Use {{ discount.code }}</p>", text: "Use {{ discount.code }}", next: null },
  ],
  rules: { consent: "marketing", quietHours: null, holdout: { percent: 50 } },
};

/** Crafted data: a two-day flow (outcome window 2 days + the 5-day attribution window = 7 days). */
const TWO_DAYS = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["customer.add"], entity: "customer", conditions: [] },
  goal: null,
  entry: "wait",
  nodes: [
    { id: "wait", type: "delay", duration: { days: 2 }, next: "hello" },
    { id: "hello", type: "email", name: "Hello", subject: "Hello", html: "<p>Hi</p>", text: "Hi", next: null },
  ],
  rules: { consent: "marketing", quietHours: null, holdout: { percent: 5 } },
};

/** An A/B split of two emails, decided on revenue per recipient (the default metric). */
const SPLIT = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["customer.add"], entity: "customer", conditions: [] },
  goal: null,
  entry: "split",
  nodes: [
    { id: "split", type: "ab_split", variants: [{ id: "plain", weight: 1, next: "email-plain" }, { id: "offer", weight: 1, next: "email-offer" }] },
    { id: "email-plain", type: "email", name: "Plain", subject: "Hello", html: "<p>Hi</p>", text: "Hi", next: null },
    { id: "email-offer", type: "email", name: "Offer", subject: "10 % off", html: "<p>Hi</p>", text: "Hi", next: null },
  ],
  rules: { consent: "marketing", quietHours: null, holdout: { percent: 5 } },
};

describe.each(databaseTargets())("holdouts on %s", (_name, createUrl) => {
  let db: Db;
  let databaseUrl: string;
  let workspaceId: string;
  let clock: ManualClock;
  let worker: Worker;

  beforeAll(async () => {
    databaseUrl = await createUrl();
    db = openDb(databaseUrl);
    clock = new ManualClock("2026-04-01T09:00:00Z");
    worker = createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "holdouts-test-password", now: clock.now() }));
  });

  it("assigns each customer by the sticky hash, walks control journeys through every step and sends them nothing", async () => {
    // GIVEN a live flow keeping 50 % out, and 20 shoppers leaving checkouts
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Come back", definition: COME_BACK, publish: true });
    await postDemoEvents({ db, clock }, { workspaceId, events: SHOPPERS.map((shopper) => checkoutEvent(shopper, "2026-04-01T09:00:00Z")) });
    await worker.tick();
    // WHEN the hour passes and the worker runs the steps
    clock.set("2026-04-01T10:01:00Z");
    for (let i = 0; i < 3; i += 1) await worker.tick();

    // THEN every journey completed; the stored group is the hash's, and both groups have customers
    const enrollments = await db.enrollment.findMany({ where: { workspaceId, flowId }, include: { steps: true } });
    expect(enrollments).toHaveLength(SHOPPERS.length);
    for (const enrollment of enrollments) {
      expect(enrollment.status).toBe("completed");
      expect(enrollment.holdout).toBe(inHoldout({ percent: 50 }, { customerId: enrollment.customerId, flowId }));
    }
    const control = enrollments.filter((enrollment) => enrollment.holdout);
    const treated = enrollments.filter((enrollment) => !enrollment.holdout);
    expect(control.length).toBeGreaterThan(0);
    expect(treated.length).toBeGreaterThan(0);

    // The control group went through the delay, got no code and no email: the steps say why, and no Message exists.
    for (const enrollment of control) {
      const result = (nodeId: string) => enrollment.steps.find((step) => step.nodeId === nodeId)?.result;
      expect(enrollment.steps.map((step) => step.nodeId).sort()).toEqual(["code", "email", "wait-1h"]);
      expect(result("code")).toEqual({ skipped: HOLDOUT_REASON });
      expect(result("email")).toEqual({ skipped: "holdout: not sent" });
    }
    expect(await db.message.count({ where: { workspaceId, enrollmentId: { in: control.map((enrollment) => enrollment.id) } } })).toBe(0);
    const skipped = await db.enrollmentTrace.findMany({ where: { workspaceId, enrollmentId: control[0].id, kind: "skipped" } });
    expect(skipped.map((trace) => trace.detail)).toEqual(expect.arrayContaining([expect.objectContaining({ nodeId: "email", reason: HOLDOUT_REASON })]));
    const entered = await db.enrollmentTrace.findFirstOrThrow({ where: { workspaceId, enrollmentId: control[0].id, kind: "entered" } });
    expect(entered.detail).toMatchObject({ holdout: "control group: goes through the flow, is sent nothing" });

    // The treatment group got its code and its email, one message each.
    const messages = await db.message.findMany({ where: { workspaceId, flowId } });
    expect(messages.map((message) => message.enrollmentId).sort()).toEqual(treated.map((enrollment) => enrollment.id).sort());
    for (const enrollment of treated) {
      expect(enrollment.steps.find((step) => step.nodeId === "code")?.result).toMatchObject({ code: expect.stringMatching(/^BACK-/) });
    }
  });

  it("computes treatment minus control with 95 % intervals on crafted customers and orders", async () => {
    // GIVEN a flow with a holdout, 40 control and 60 treatment customers who entered on 2026-05-01, and their orders
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Two days", definition: TWO_DAYS, publish: true });
    const { liveVersionId } = await db.flow.findUniqueOrThrow({ where: { id: flowId } });
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    const enteredAt = new Date("2026-05-01T12:00:00Z");
    const day = (days: number) => new Date(enteredAt.getTime() + days * 86_400_000);
    let orderNumber = 0;
    const order = (customerId: string, totalPrice: number, placedAt: Date, cancelledAt: Date | null = null) =>
      db.order.create({ data: { workspaceId, storeId: store.id, externalId: `crafted-${(orderNumber += 1)}`, customerId, currency: "USD", totalPrice, lineItems: [], placedAt, cancelledAt } });
    const enroll = async (name: string, holdout: boolean, entries: Date[] = [enteredAt]) => {
      const customer = await db.customer.create({ data: { workspaceId, email: `${name}@crafted.example` } });
      for (const [index, at] of entries.entries()) {
        await db.enrollment.create({
          data: { workspaceId, flowId, flowVersionId: liveVersionId ?? "", customerId: customer.id, entityType: "customer", entityId: customer.id, entryNumber: index + 1, status: "completed", currentNodeId: null, enteredAt: at, exitedAt: day(2), holdout },
        });
      }
      return customer.id;
    };
    for (let i = 0; i < 40; i += 1) {
      const id = await enroll(`control-${i}`, true);
      // 4 of 40 convert ($50 each); one orders only after the 7-day window, one order was cancelled.
      if (i < 4) await order(id, 5000, day(1));
      if (i === 4) await order(id, 5000, day(8));
      if (i === 5) await order(id, 5000, day(1), day(1.5));
    }
    for (let i = 0; i < 60; i += 1) {
      // One treatment customer entered twice: still one customer, each order counted once.
      const id = await enroll(`treatment-${i}`, false, i === 1 ? [enteredAt, day(0.5)] : [enteredAt]);
      // 12 of 60 convert: $50 each, and the first also spends $30 more.
      if (i < 12) await order(id, 5000, day(1));
      if (i === 0) await order(id, 3000, day(3));
    }

    // and a flow without a holdout whose customers entered then too
    const { flowId: plainFlowId } = await importFlow({ db, clock }, { workspaceId, name: "No holdout", definition: { ...TWO_DAYS, rules: { consent: "marketing", quietHours: null } }, publish: true });
    const plainVersion = (await db.flow.findUniqueOrThrow({ where: { id: plainFlowId } })).liveVersionId ?? "";
    const plainCustomer = await db.customer.create({ data: { workspaceId, email: "plain@crafted.example" } });
    await db.enrollment.create({ data: { workspaceId, flowId: plainFlowId, flowVersionId: plainVersion, customerId: plainCustomer.id, entityType: "customer", entityId: plainCustomer.id, status: "completed", currentNodeId: null, enteredAt } });

    // WHEN the KPIs of May are computed
    const report = await flowKpis(db, { workspaceId, from: new Date("2026-05-01T00:00:00Z"), to: new Date("2026-06-01T00:00:00Z") });
    const incremental = report.flows.find((flow) => flow.flowId === flowId)?.incremental;

    // THEN each group's rates and revenue are as crafted
    expect(incremental).toMatchObject({
      windowDays: 7,
      currency: "USD",
      treatment: { customers: 60, conversionRate: { count: 12, of: 60 }, revenue: 63_000, revenuePerCustomer: 1_050 },
      control: { customers: 40, conversionRate: { count: 4, of: 40 }, revenue: 20_000, revenuePerCustomer: 500 },
    });
    // and the differences and intervals equal values computed independently with scipy 1.17: Newcombe's score
    // interval (the formula of Newcombe 1998, method 10) for 12/60 − 4/40, and
    // scipy.stats.ttest_ind(treatment, control, equal_var=False).confidence_interval(0.95) for revenue.
    const estimate = (name: "conversionRateLift" | "revenuePerCustomerLift" | "incrementalConversions" | "incrementalRevenue") => {
      const value = incremental?.[name];
      if (value?.kind !== "estimate") throw new Error(`${name} is not an estimate: ${JSON.stringify(value)}`);
      return value;
    };
    expect(estimate("conversionRateLift").value).toBeCloseTo(0.1, 10);
    expect(estimate("conversionRateLift").low).toBeCloseTo(-0.05398771439555797, 8);
    expect(estimate("conversionRateLift").high).toBeCloseTo(0.23240743241362516, 8);
    expect(estimate("revenuePerCustomerLift").value).toBeCloseTo(550, 8);
    expect(estimate("revenuePerCustomerLift").low).toBeCloseTo(-178.54916735968038, 6);
    expect(estimate("revenuePerCustomerLift").high).toBeCloseTo(1278.5491673596803, 6);
    // Totals: the per-customer lifts times the 60 treated customers.
    expect(estimate("incrementalConversions").value).toBeCloseTo(6, 8);
    expect(estimate("incrementalConversions").low).toBeCloseTo(-3.239262863733478, 6);
    expect(estimate("incrementalRevenue").value).toBeCloseTo(33_000, 6);
    expect(estimate("incrementalRevenue").high).toBeCloseTo(76712.95004158081, 4);

    // The command line prints the same comparison.
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      expect(await runAnalyticsCommand(["--workspace", workspaceId, "--from", "2026-05-01", "--to", "2026-05-31"], { databaseUrl })).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(printed).toEqual(expect.arrayContaining([
      "  vs control group (orders within 7 days of entering): treatment 60 converted 20.0% (12 of 60), control 40 converted 10.0% (4 of 40)",
      "    conversion +10.0 pts (95 % CI -5.4 pts to +23.2 pts) · incremental orders +6.0 (95 % CI -3.2 to +13.9) · incremental revenue +$330.00 (95 % CI -$107.13 to +$767.13)",
    ]));

    // A flow without a holdout has no comparison; a range with too few customers says so instead of a number.
    expect(report.flows.find((flow) => flow.flowId === plainFlowId)?.incremental).toBeNull();
    const early = await flowKpis(db, { workspaceId, from: new Date("2026-05-01T12:00:01Z"), to: new Date("2026-06-01T00:00:00Z") });
    const few = early.flows.find((flow) => flow.flowId === flowId)?.incremental;
    expect(few?.treatment.customers).toBe(1);
    expect(few?.conversionRateLift).toEqual({ kind: "not_enough_data", reason: "not enough data yet: 0 in the control group and 1 in the flow; each needs at least 30" });
  });

  it("decides an A/B split on revenue per recipient from crafted journeys, leaving the control group out", async () => {
    // GIVEN a live A/B flow, 150 customers per variant who passed the split on 2026-06-20, and one control-group
    // customer who passed it too (sent nothing: not part of the test)
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Split", definition: SPLIT, publish: true });
    const { liveVersionId } = await db.flow.findUniqueOrThrow({ where: { id: flowId } });
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    const ranAt = new Date("2026-06-20T12:00:00Z");
    let number = 0;
    const journey = async (variant: string, holdout: boolean, orderTotal: number | null) => {
      number += 1;
      const customer = await db.customer.create({ data: { workspaceId, email: `split-${number}@crafted.example` } });
      const enrollment = await db.enrollment.create({
        data: { workspaceId, flowId, flowVersionId: liveVersionId ?? "", customerId: customer.id, entityType: "customer", entityId: customer.id, status: "completed", currentNodeId: null, enteredAt: ranAt, holdout },
      });
      await db.stepRun.create({ data: { workspaceId, enrollmentId: enrollment.id, nodeId: "split", nodeType: "ab_split", result: { variant, bucket: 0 }, ranAt } });
      if (orderTotal !== null) {
        await db.order.create({ data: { workspaceId, storeId: store.id, externalId: `split-order-${number}`, customerId: customer.id, currency: "USD", totalPrice: orderTotal, lineItems: [], placedAt: new Date(ranAt.getTime() + 86_400_000) } });
      }
    };
    // plain: 15 of 150 buy $50 (mean $5.00); offer: 75 of 150 (mean $25.00).
    for (let i = 0; i < 150; i += 1) await journey("plain", false, i < 15 ? 5000 : null);
    for (let i = 0; i < 150; i += 1) await journey("offer", false, i < 75 ? 5000 : null);
    await journey("offer", true, null);

    // WHEN the flow page's results are read on 2026-07-01
    const { abTests } = await flowResults(db, { workspaceId, flowId, now: new Date("2026-07-01T00:00:00Z") });

    // THEN the offer wins on revenue per recipient, with the numbers crafted
    expect(abTests).toHaveLength(1);
    expect(abTests[0]).toMatchObject({
      nodeId: "split",
      metric: "revenue_per_recipient",
      currency: "USD",
      windowDays: 5,
      verdict: { kind: "winner", variant: "offer" },
      variants: [{ id: "plain", customers: 150 }, { id: "offer", customers: 150 }],
    });
    expect(abTests[0].variants[0].mean).toBeCloseTo(500, 6);
    expect(abTests[0].variants[1].mean).toBeCloseTo(2500, 6);
    // The always-valid interval for offer − plain excludes 0: by hand, τ = 20 % of $5.00 = 100 cents, V = Σ s²/n
    // (unbiased variances) = 57,047, half-width sqrt(V(V + τ²)/τ² · (ln((V + τ²)/V) − 2 ln 0.05)) = 1,534.08.
    const interval = abTests[0].variants[1].comparison?.interval;
    expect(interval?.low).toBeCloseTo(2000 - 1534.08, 1);
    expect(interval?.high).toBeCloseTo(2000 + 1534.08, 1);
  });
});
