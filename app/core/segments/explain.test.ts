import { explainRule, type CustomerFacts } from "./explain";
import { BUILTIN_SEGMENT_DEFINITIONS, describeRule, type SegmentRule } from "./rules";

const now = new Date("2026-06-15T12:00:00Z");
const facts = (overrides: Partial<CustomerFacts>): CustomerFacts => ({
  ordersCount: 0,
  totalSpent: 0,
  firstOrderAt: null,
  lastOrderAt: null,
  createdAt: new Date("2025-01-01T00:00:00Z"),
  prediction: null,
  leaves: [],
  ...overrides,
});
const options = { now, currency: "USD", timeZone: "UTC" };

describe("describeRule", () => {
  it("says the built-ins in words", () => {
    expect(describeRule(BUILTIN_SEGMENT_DEFINITIONS.vips.rule)).toBe("Lifetime spend over 500 or more than 5 orders");
    expect(describeRule(BUILTIN_SEGMENT_DEFINITIONS.vips.rule, {}, { currency: "EUR" })).toBe("Lifetime spend over €500.00 or more than 5 orders");
    expect(describeRule(BUILTIN_SEGMENT_DEFINITIONS.at_risk.rule)).toBe("At least 3 orders and last order at least 90 days ago");
    expect(describeRule(BUILTIN_SEGMENT_DEFINITIONS.potential_advocates.rule)).toBe("At least 3 orders in the last 30 days");
    expect(describeRule(BUILTIN_SEGMENT_DEFINITIONS.one_time_buyers.rule)).toBe("Exactly 1 order");
  });

  it("brackets nested groups and names segments and stores", () => {
    const rule: SegmentRule = {
      kind: "group",
      match: "all",
      conditions: [
        { kind: "segment", op: "not_in", segmentId: "s1" },
        {
          kind: "group",
          match: "any",
          conditions: [
            { kind: "store", op: "is", storeIds: ["a", "b"] },
            { kind: "engagement", action: "opened", op: "has_not", days: 30 },
          ],
        },
      ],
    };
    expect(describeRule(rule, { segments: { s1: "VIPs" }, stores: { a: "Shop A" } })).toBe(
      'Not in "VIPs" and (first seen in Shop A or b or did not open an email in the last 30 days)',
    );
  });
});

describe("explainRule", () => {
  it("shows the conditions of an any group that hold, with the customer's values", () => {
    const rule = BUILTIN_SEGMENT_DEFINITIONS.vips.rule;
    expect(explainRule(rule, facts({ ordersCount: 7, totalSpent: 61200, leaves: [{ holds: true, amount: null }, { holds: true, amount: null }] }), options)).toBe(
      "Spent $612.00 (over $500.00) and 7 orders (more than 5)",
    );
    expect(explainRule(rule, facts({ ordersCount: 6, totalSpent: 1000, leaves: [{ holds: false, amount: null }, { holds: true, amount: null }] }), options)).toBe(
      "6 orders (more than 5)",
    );
  });

  it("summarises every condition of an all group, and is null when the rule does not hold", () => {
    const rule = BUILTIN_SEGMENT_DEFINITIONS.at_risk.rule;
    const at = new Date(now.getTime() - 95 * 86_400_000);
    expect(explainRule(rule, facts({ ordersCount: 4, lastOrderAt: at, leaves: [{ holds: true, amount: null }, { holds: true, amount: null }] }), options)).toBe(
      "4 orders (at least 3) and last order 95 days ago (at least 90 days)",
    );
    expect(explainRule(rule, facts({ ordersCount: 4, lastOrderAt: at, leaves: [{ holds: true, amount: null }, { holds: false, amount: null }] }), options)).toBeNull();
  });

  it("uses window amounts and predictions", () => {
    const rule: SegmentRule = {
      kind: "group",
      match: "all",
      conditions: [
        { kind: "orders_in_window", measure: "spend", window: { calendar: "this_month" }, op: "gte", value: 100 },
        { kind: "prediction", measure: "churn_probability", op: "gt", value: 0.7 },
      ],
    };
    const prediction = { churnProbability: 0.8234, clv12m: 0, expectedOrders12m: 0, nextOrderAt: null };
    expect(explainRule(rule, facts({ prediction, leaves: [{ holds: true, amount: 15050 }, { holds: true, amount: null }] }), options)).toBe(
      "Spent $150.50 this month (at least $100.00) and churn probability 0.82 (over 0.7)",
    );
  });
});
