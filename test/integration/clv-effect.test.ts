// The lifetime-value effect (issue 9.5): customers who entered a flow under a version with a control group and whose
// 90 days have passed, treatment against control — 90-day revenue per customer (Welch) and the share who ordered
// twice or more (Newcombe) — on crafted entries and orders whose answers are worked out by hand below; the window's
// edges; and "not enough data yet". SQLite, and PostgreSQL when DATABASE_URL points at one.
import { CLV_WINDOW_DAYS } from "~/core/analytics/clv";
import { flowClvEffect } from "~/core/analytics/clv.server";
import { flowResults } from "~/core/analytics/flow-results.server";
import { newcombeInterval, summarizeSample, welchInterval } from "~/core/analytics/stats";
import { ManualClock } from "~/core/clock";
import { importFlow, publishFlow } from "~/core/flows/manage.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const DAY_MS = 86_400_000;
const NOW = new Date("2026-10-01T00:00:00Z");
/** Customers who entered before this have had their 90 days: 2026-07-03T00:00Z. */
const COHORT_TO = new Date(NOW.getTime() - 90 * DAY_MS);
const ENTERED = new Date("2026-06-01T12:00:00Z");
const after = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);

function flowDefinition(holdoutPercent: number | null) {
  return {
    schemaVersion: 1,
    trigger: { type: "event", events: ["customer.add"], entity: "customer", conditions: [] },
    goal: null,
    entry: "hello",
    nodes: [{ id: "hello", type: "email", name: "Hello", subject: "Hello", html: "<p>Hi</p>", text: "Hi", next: null }],
    rules: { consent: "marketing", quietHours: null, ...(holdoutPercent === null ? {} : { holdout: { percent: holdoutPercent } }) },
  };
}

describe.each(databaseTargets())("CLV effect on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let storeId: string;
  const clock = new ManualClock(NOW);
  let number = 0;

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "clv-effect-test-password", now: NOW }));
    storeId = (await db.store.findFirstOrThrow({ where: { workspaceId } })).id;
  });

  /** A customer with their entries (each under `versionId`, in one group) and orders ([days after `from`, amount, cancelled?]). */
  async function customer(input: { flowId: string; versionId: string; holdout: boolean; entries: Date[]; orders?: { at: Date; amount: number; cancelled?: boolean }[] }) {
    number += 1;
    const created = await db.customer.create({ data: { workspaceId, email: `clv-${number}@example.com` } });
    for (const [index, at] of input.entries.entries()) {
      await db.enrollment.create({
        data: { workspaceId, flowId: input.flowId, flowVersionId: input.versionId, customerId: created.id, entityType: "customer", entityId: created.id, entryNumber: index + 1, status: "completed", currentNodeId: null, enteredAt: at, exitedAt: at, holdout: input.holdout },
      });
    }
    for (const order of input.orders ?? []) {
      number += 1;
      await db.order.create({ data: { workspaceId, storeId, externalId: `clv-order-${number}`, customerId: created.id, currency: "USD", totalPrice: order.amount, lineItems: [], placedAt: order.at, cancelledAt: order.cancelled ? order.at : null } });
    }
  }

  it("compares 90-day revenue per customer and repeat purchase rate, treatment against control, with intervals", async () => {
    // GIVEN a flow whose version 1 kept no control group and version 2 keeps 20 %
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Welcome", definition: flowDefinition(null), publish: true });
    const v1 = (await db.flow.findUniqueOrThrow({ where: { id: flowId } })).liveVersionId ?? "";
    const { versionId: v2 } = await publishFlow({ db, clock }, { workspaceId, flowId, definition: flowDefinition(20) });

    // 30 control customers who entered on 2026-06-01 (their window: 90 days from then)
    for (let i = 0; i < 30; i += 1) {
      const orders =
        i < 6 ? [{ at: after(ENTERED, 10), amount: 4000 }] // one $40 order
        : i < 8 ? [{ at: after(ENTERED, 10), amount: 4000 }, { at: after(ENTERED, 80), amount: 6000 }] // repeat purchasers: $100
        : i === 8 ? [{ at: after(ENTERED, 90), amount: 4000 }] // exactly 90 days after: outside the window
        : i === 9 ? [{ at: after(ENTERED, 10), amount: 4000, cancelled: true }] // cancelled: never counts
        : i === 10 ? [{ at: after(ENTERED, -1), amount: 4000 }] // before entering
        : [];
      await customer({ flowId, versionId: v2, holdout: true, entries: [ENTERED], orders });
    }
    // 40 treatment customers
    for (let i = 0; i < 40; i += 1) {
      if (i === 15) {
        // Entered twice: the window runs from the first entry (2026-05-01), so the order of 2026-08-15 (day 106) is out.
        const first = new Date("2026-05-01T12:00:00Z");
        await customer({ flowId, versionId: v2, holdout: false, entries: [first, ENTERED], orders: [{ at: after(first, 80), amount: 5000 }, { at: new Date("2026-08-15T12:00:00Z"), amount: 9000 }] });
        continue;
      }
      if (i === 16) {
        // Entered a minute before the cohort's end: its 90 days have (just) passed.
        const entered = new Date(COHORT_TO.getTime() - 60_000);
        await customer({ flowId, versionId: v2, holdout: false, entries: [entered], orders: [{ at: after(entered, 89), amount: 5000 }] });
        continue;
      }
      const orders =
        i < 10 ? [{ at: after(ENTERED, 5), amount: 5000 }]
        : i < 14 ? [{ at: after(ENTERED, 5), amount: 5000 }, { at: after(ENTERED, 89.9), amount: 7000 }] // repeat: $120
        : i === 14 ? [1, 2, 3].map((day) => ({ at: after(ENTERED, day), amount: 5000 })) // three orders: $150
        : [];
      await customer({ flowId, versionId: v2, holdout: false, entries: [ENTERED], orders });
    }
    // and customers who do not count: entered exactly 90 days before now (their window ends now: the cohort is
    // [cohortFrom, cohortTo)), entered recently, or entered only under the version without a control group
    await customer({ flowId, versionId: v2, holdout: false, entries: [COHORT_TO], orders: [{ at: after(COHORT_TO, 1), amount: 5000 }] });
    await customer({ flowId, versionId: v2, holdout: true, entries: [new Date("2026-08-01T00:00:00Z")], orders: [{ at: new Date("2026-08-02T00:00:00Z"), amount: 5000 }] });
    await customer({ flowId, versionId: v1, holdout: false, entries: [new Date("2026-05-15T00:00:00Z")], orders: [{ at: new Date("2026-05-16T00:00:00Z"), amount: 100_000 }] });

    // WHEN the effect is computed on 2026-10-01
    const clv = await flowClvEffect(db, { workspaceId, flowId, now: NOW });

    // THEN, by hand: control 6 × $40 + 2 × $100 = $440 over 30 customers, 2 of 30 ordered twice;
    // treatment 10 × $50 + 4 × $120 + $150 + $50 (entered twice) + $50 (last minute) = $1,230 over 40, 5 of 40 twice
    expect(clv).toMatchObject({
      windowDays: CLV_WINDOW_DAYS,
      cohortTo: COHORT_TO.toISOString(),
      cohortFrom: new Date(COHORT_TO.getTime() - 365 * DAY_MS).toISOString(),
      currency: "USD",
      treatment: { customers: 40, repeatPurchaseRate: { count: 5, of: 40 } },
      control: { customers: 30, repeatPurchaseRate: { count: 2, of: 30 } },
    });
    expect(clv?.treatment.revenuePerCustomer).toBeCloseTo(123_000 / 40, 10);
    expect(clv?.control.revenuePerCustomer).toBeCloseTo(44_000 / 30, 10);
    // The intervals: the same revenue lists written out per customer, through Welch's and Newcombe's intervals
    // (whose values stats.test.ts checks against published references).
    const treatment = [...Array(10).fill(5000), ...Array(4).fill(12_000), 15_000, 5000, 5000, ...Array(23).fill(0)];
    const control = [...Array(6).fill(4000), ...Array(2).fill(10_000), ...Array(22).fill(0)];
    const welch = welchInterval(summarizeSample(treatment), summarizeSample(control));
    const newcombe = newcombeInterval({ successes: 5, trials: 40 }, { successes: 2, trials: 30 });
    if (!welch || !newcombe) throw new Error("the reference intervals are defined");
    expect(clv?.revenuePerCustomerLift).toEqual({ kind: "estimate", value: expect.closeTo(3075 - 44_000 / 30, 8), low: expect.closeTo(welch.interval.low, 8), high: expect.closeTo(welch.interval.high, 8) });
    expect(clv?.repeatPurchaseRateLift).toEqual({ kind: "estimate", value: expect.closeTo(5 / 40 - 2 / 30, 10), low: expect.closeTo(newcombe.interval.low, 10), high: expect.closeTo(newcombe.interval.high, 10) });
    // A sanity check of the interval by hand: the difference lies inside it, and the interval is wide at these sizes.
    if (clv?.revenuePerCustomerLift.kind !== "estimate") throw new Error("no estimate");
    expect(clv.revenuePerCustomerLift.low).toBeLessThan(0);
    expect(clv.revenuePerCustomerLift.high).toBeGreaterThan(3075 - 44_000 / 30);

    // The flow page's results carry the same figures.
    expect((await flowResults(db, { workspaceId, flowId, now: NOW })).clv).toEqual(clv);

    // WHEN read a day earlier, the customer who entered a minute before the cohort's end has not had 90 days yet
    const earlier = await flowClvEffect(db, { workspaceId, flowId, now: after(NOW, -1) });
    expect(earlier?.treatment.customers).toBe(39);
    expect(earlier?.control.customers).toBe(30);
  });

  it("says \"not enough data yet\" below 30 customers in a group, and nothing before anyone's 90 days have passed", async () => {
    // GIVEN a flow with a control group: 5 control and 40 treatment customers who entered on 2026-06-01
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Small", definition: flowDefinition(10), publish: true });
    const versionId = (await db.flow.findUniqueOrThrow({ where: { id: flowId } })).liveVersionId ?? "";
    for (let i = 0; i < 5; i += 1) await customer({ flowId, versionId, holdout: true, entries: [ENTERED], orders: [{ at: after(ENTERED, 3), amount: 4000 }] });
    for (let i = 0; i < 40; i += 1) await customer({ flowId, versionId, holdout: false, entries: [ENTERED], orders: i < 10 ? [{ at: after(ENTERED, 3), amount: 4000 }] : [] });

    // WHEN computed after their 90 days
    const clv = await flowClvEffect(db, { workspaceId, flowId, now: NOW });

    // THEN the groups are shown, the differences are "not enough data yet" with the reason
    const reason = "not enough data yet: 5 in the control group and 40 in the flow whose 90 days have passed; each needs at least 30";
    expect(clv).toMatchObject({ treatment: { customers: 40 }, control: { customers: 5 }, revenuePerCustomerLift: { kind: "not_enough_data", reason }, repeatPurchaseRateLift: { kind: "not_enough_data", reason } });

    // WHEN computed before anyone's 90 days have passed (2026-08-30 is 90 days after 2026-06-01 12:00): nothing
    expect(await flowClvEffect(db, { workspaceId, flowId, now: new Date("2026-08-30T12:00:00Z") })).toBeNull();
    expect(await flowClvEffect(db, { workspaceId, flowId, now: new Date("2026-08-30T12:00:01Z") })).not.toBeNull();

    // and a flow that never kept a control group has no comparison
    const { flowId: plain } = await importFlow({ db, clock }, { workspaceId, name: "No holdout", definition: flowDefinition(null), publish: true });
    const plainVersion = (await db.flow.findUniqueOrThrow({ where: { id: plain } })).liveVersionId ?? "";
    for (let i = 0; i < 40; i += 1) await customer({ flowId: plain, versionId: plainVersion, holdout: false, entries: [ENTERED] });
    expect(await flowClvEffect(db, { workspaceId, flowId: plain, now: NOW })).toBeNull();
  });
});
