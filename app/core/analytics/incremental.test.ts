// The incremental-effect arithmetic, the outcome window and the A/B decision, checked by hand.
import { findBlueprint } from "~/core/flows/blueprints";
import { FlowDefinition } from "~/core/flows/definition";
import { decideAbTest } from "./ab-test";
import { incrementalEffect, MIN_GROUP_SIZE, outcomeWindowDays, type CustomerOutcome } from "./kpis";
import { sampleSizeForRates } from "./stats";

const blueprint = (id: string) => {
  const found = findBlueprint(id);
  if (!found) throw new Error(`no blueprint ${id}`);
  return found.definition;
};

describe("the outcome window", () => {
  it("is the flow's longest path plus the attribution window", () => {
    // Abandoned cart: delays of 1, 24 and 72 hours all counted from the checkout's activity → 3 days, + 5.
    expect(outcomeWindowDays(blueprint("abandoned-cart"), 5)).toBe(8);
    // A branch takes the longer path; a wait-until counts as up to a week; sequential delays add up.
    const branching = FlowDefinition.parse({
      schemaVersion: 1,
      trigger: { type: "event", events: ["order.add"], entity: "customer" },
      goal: null,
      entry: "vip",
      nodes: [
        { id: "vip", type: "condition", conditions: [{ path: "customer.ordersCount", op: "gte", value: 3 }], yes: "short", no: "long" },
        { id: "short", type: "delay", duration: { days: 1 }, next: null },
        { id: "long", type: "delay", duration: { days: 2 }, next: "morning" },
        { id: "morning", type: "wait_until", time: "10:00", next: "later" },
        { id: "later", type: "delay", duration: { hours: 12 }, next: null },
      ],
    });
    expect(outcomeWindowDays(branching, 5)).toBe(Math.ceil(2 + 7 + 0.5) + 5);
  });
});

describe("incrementalEffect", () => {
  const customers = (count: number, holdout: boolean, converted: number, revenue: number): CustomerOutcome[] =>
    Array.from({ length: count }, (_, index) => ({ holdout, converted: index < converted, revenue: index < converted ? revenue : 0 }));

  it("says 'not enough data yet' while a group is under the minimum size, with both counts", () => {
    const effect = incrementalEffect([...customers(MIN_GROUP_SIZE - 1, true, 5, 1000), ...customers(500, false, 100, 1000)], { windowDays: 8, currency: "USD" });
    expect(effect.control.customers).toBe(29);
    expect(effect.conversionRateLift).toEqual({ kind: "not_enough_data", reason: "not enough data yet: 29 in the control group and 500 in the flow; each needs at least 30" });
    expect(effect.incrementalRevenue).toEqual(effect.revenuePerCustomerLift);
  });

  it("says so when nobody bought anything in either group (the revenue interval is undefined), but still compares rates", () => {
    const effect = incrementalEffect([...customers(40, true, 0, 0), ...customers(60, false, 0, 0)], { windowDays: 8, currency: null });
    expect(effect.revenuePerCustomerLift).toEqual({ kind: "not_enough_data", reason: "not enough data yet: no revenue in either group" });
    expect(effect.conversionRateLift).toMatchObject({ kind: "estimate", value: 0 });
  });

  it("scales the per-customer lift to the treated group for the totals", () => {
    const effect = incrementalEffect([...customers(40, true, 4, 5000), ...customers(60, false, 12, 5000)], { windowDays: 8, currency: "USD" });
    expect(effect.treatment.revenuePerCustomer).toBe(1000);
    expect(effect.control.revenuePerCustomer).toBe(500);
    const value = (estimate: typeof effect.incrementalRevenue) => (estimate.kind === "estimate" ? estimate.value : Number.NaN);
    expect(value(effect.incrementalRevenue)).toBeCloseTo(30_000, 6);
    expect(value(effect.incrementalConversions)).toBeCloseTo(6, 10);
  });
});

describe("decideAbTest", () => {
  const values = (count: number, converted: number, amount: number) => Array.from({ length: count }, (_, index) => (index < converted ? amount : 0));

  it("is inconclusive below 100 per variant, and the planner says how long it will take", () => {
    const result = decideAbTest({ metric: "conversion_rate", dailyEntrants: 10, variants: [{ id: "a", share: 0.5, values: values(50, 5, 1) }, { id: "b", share: 0.5, values: values(50, 20, 1) }] });
    expect(result.verdict).toEqual({ kind: "inconclusive", reason: "fewer than 100 in a group (50 and 50)" });
    // 10 % baseline, +20 %: sampleSizeForRates gives the per-variant size; 5 a day reach each variant.
    const planned = sampleSizeForRates({ baselineRate: 0.1, minimumRelativeEffect: 0.2 }).control;
    expect(result.plannedPerVariant).toBe(planned);
    expect(result.daysRemaining).toBe(Math.ceil((planned - 50) / 5));
  });

  it("names the better variant when the always-valid interval excludes no effect, and the baseline when it wins", () => {
    const b = decideAbTest({ metric: "revenue_per_recipient", dailyEntrants: 10, variants: [{ id: "a", share: 0.5, values: values(150, 15, 5000) }, { id: "b", share: 0.5, values: values(150, 75, 5000) }] });
    expect(b.verdict).toEqual({ kind: "winner", variant: "b" });
    const a = decideAbTest({ metric: "revenue_per_recipient", dailyEntrants: 10, variants: [{ id: "a", share: 0.5, values: values(150, 75, 5000) }, { id: "b", share: 0.5, values: values(150, 15, 5000) }] });
    expect(a.verdict).toEqual({ kind: "winner", variant: "a" });
  });

  it("says 'no difference' when large equal groups pin the difference inside ±20 % of the baseline", () => {
    const result = decideAbTest({ metric: "conversion_rate", dailyEntrants: 100, variants: [{ id: "a", share: 0.5, values: values(20_000, 6_000, 1) }, { id: "b", share: 0.5, values: values(20_000, 6_000, 1) }] });
    expect(result.verdict).toEqual({ kind: "no_difference" });
  });
});
