// The lifetime-value effect of a flow, pure: for customers who entered it with a control group, what they did in
// the 90 days after entering — revenue per customer (Welch's interval) and the share who ordered at least twice
// (Newcombe's interval) — treatment minus control. The server module (clv.server.ts) picks the customers and
// their orders; this one only compares, so the figures are checked by hand in tests.
import { MIN_GROUP_SIZE, rate, type Estimate, type Rate } from "./kpis";
import { summarizeSample, welchInterval } from "./stats/means";
import { newcombeInterval } from "./stats/proportions";

/** How long after entering a customer's orders count; a customer counts only once these days have passed. */
export const CLV_WINDOW_DAYS = 90;
/** Orders within the window that make a repeat purchaser. */
export const REPEAT_ORDERS = 2;

/** One customer who entered the flow under a version with a control group, 90 or more days ago. */
export interface ClvOutcome {
  holdout: boolean;
  /** Orders (not cancelled, any currency) placed within the window. */
  orders: number;
  /** Those orders' revenue in the report's currency, minor units. */
  revenue: number;
}

export interface ClvGroup {
  customers: number;
  /** Minor units of the report's currency, not rounded (it feeds the estimate); null without customers. */
  revenuePerCustomer: number | null;
  /** Customers with at least REPEAT_ORDERS orders in the window, of customers. */
  repeatPurchaseRate: Rate;
}

export interface ClvEffect {
  windowDays: number;
  /** Customers who first entered in [cohortFrom, cohortTo): their windows have all closed by the report's "now". */
  cohortFrom: string;
  cohortTo: string;
  currency: string | null;
  treatment: ClvGroup;
  control: ClvGroup;
  /** Treatment minus control, minor units (Welch's interval, 95 %). */
  revenuePerCustomerLift: Estimate;
  /** Treatment minus control, a fraction (Newcombe's score interval, 95 %). */
  repeatPurchaseRateLift: Estimate;
}

function groupOf(outcomes: readonly ClvOutcome[]): ClvGroup {
  const revenue = outcomes.reduce((sum, outcome) => sum + outcome.revenue, 0);
  return {
    customers: outcomes.length,
    revenuePerCustomer: outcomes.length > 0 ? revenue / outcomes.length : null,
    repeatPurchaseRate: rate(outcomes.filter((outcome) => outcome.orders >= REPEAT_ORDERS).length, outcomes.length),
  };
}

/**
 * Treatment against control over the 90-day window, with the incremental card's rules for "not enough data yet":
 * fewer than MIN_GROUP_SIZE customers in a group, or an interval that is undefined (no variation in either group).
 */
export function clvEffect(outcomes: readonly ClvOutcome[], input: { currency: string | null; cohortFrom: Date; cohortTo: Date }): ClvEffect {
  const treated = outcomes.filter((outcome) => !outcome.holdout);
  const held = outcomes.filter((outcome) => outcome.holdout);
  const treatment = groupOf(treated);
  const control = groupOf(held);
  const base = { windowDays: CLV_WINDOW_DAYS, cohortFrom: input.cohortFrom.toISOString(), cohortTo: input.cohortTo.toISOString(), currency: input.currency, treatment, control };
  if (treatment.customers < MIN_GROUP_SIZE || control.customers < MIN_GROUP_SIZE) {
    const reason = `not enough data yet: ${control.customers} in the control group and ${treatment.customers} in the flow whose ${CLV_WINDOW_DAYS} days have passed; each needs at least ${MIN_GROUP_SIZE}`;
    return { ...base, revenuePerCustomerLift: { kind: "not_enough_data", reason }, repeatPurchaseRateLift: { kind: "not_enough_data", reason } };
  }
  const money = welchInterval(summarizeSample(treated.map((outcome) => outcome.revenue)), summarizeSample(held.map((outcome) => outcome.revenue)));
  const repeat = newcombeInterval(
    { successes: treatment.repeatPurchaseRate.count, trials: treatment.customers },
    { successes: control.repeatPurchaseRate.count, trials: control.customers },
  );
  return {
    ...base,
    revenuePerCustomerLift: money
      ? { kind: "estimate", value: money.difference, low: money.interval.low, high: money.interval.high }
      : { kind: "not_enough_data", reason: "not enough data yet: no revenue in either group" },
    repeatPurchaseRateLift: repeat
      ? { kind: "estimate", value: repeat.difference, low: repeat.interval.low, high: repeat.interval.high }
      : { kind: "not_enough_data", reason: "not enough data yet" },
  };
}
