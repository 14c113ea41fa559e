// Why a customer is in a segment, in one line, from the rule and the customer's actual values: "Spent $612.00
// (over $500.00) and 7 orders (more than 5)". Pure: the facts are read by explain.server.ts.
import { formatMoney } from "~/core/money";
import { localTime } from "~/core/flows/zoned-time";
import { capitalize, comparisonWords, describeCondition, majorAmount, windowWords, type LeafCondition, type RuleGroup, type RuleNames } from "./rules";
import { wholeDays } from "./time";

export interface CustomerFacts {
  ordersCount: number;
  /** Minor units. */
  totalSpent: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  prediction: { churnProbability: number; clv12m: number; expectedOrders12m: number; nextOrderAt: Date | null } | null;
  /** Per leaf of the rule, depth first (leavesOf order): whether it holds, and the window's count or spend (minor). */
  leaves: { holds: boolean; amount: number | null }[];
}

export interface ExplainOptions {
  now: Date;
  currency: string;
  timeZone: string;
  names?: RuleNames;
}

function days(count: number): string {
  return `${count} ${count === 1 ? "day" : "days"}`;
}

function localDate(instant: Date, zone: string): string {
  const local = localTime(instant, zone);
  return `${local.year}-${String(local.month).padStart(2, "0")}-${String(local.day).padStart(2, "0")}`;
}

/** One condition with the customer's value, when it has one worth showing. */
function explainLeaf(leaf: LeafCondition, facts: CustomerFacts, amount: number | null, options: ExplainOptions): string {
  const money = (minor: number) => formatMoney({ amount: minor, currency: options.currency });
  const threshold = (value: number) => majorAmount(value, options.currency);
  switch (leaf.kind) {
    case "metric":
      switch (leaf.metric) {
        case "orders_count":
          return `${facts.ordersCount} ${facts.ordersCount === 1 ? "order" : "orders"} (${comparisonWords(leaf.op, String(leaf.value), "count")})`;
        case "total_spent":
          return `spent ${money(facts.totalSpent)} (${comparisonWords(leaf.op, threshold(leaf.value), "money")})`;
        case "average_order_value":
          return `average order ${money(Math.round(facts.totalSpent / Math.max(1, facts.ordersCount)))} (${comparisonWords(leaf.op, threshold(leaf.value), "money")})`;
        case "days_since_last_order":
        case "days_since_first_order":
        case "days_since_created": {
          const at = leaf.metric === "days_since_last_order" ? facts.lastOrderAt : leaf.metric === "days_since_first_order" ? facts.firstOrderAt : facts.createdAt;
          if (!at) break;
          const ago = days(wholeDays(at, options.now));
          const subject = leaf.metric === "days_since_created" ? `customer for ${ago}` : `${leaf.metric === "days_since_last_order" ? "last" : "first"} order ${ago} ago`;
          return `${subject} (${comparisonWords(leaf.op, days(leaf.value))})`;
        }
      }
      break;
    case "date": {
      const at = leaf.field === "created_at" ? facts.createdAt : leaf.field === "first_order_at" ? facts.firstOrderAt : facts.lastOrderAt;
      if (!at) break;
      const subject = leaf.field === "created_at" ? "created" : leaf.field === "first_order_at" ? "first order" : "last order";
      return `${subject} on ${localDate(at, options.timeZone)} (${leaf.op === "before" ? "before" : "on or after"} ${leaf.date})`;
    }
    case "orders_in_window":
      if (amount === null) break;
      return leaf.measure === "count"
        ? `${amount} ${amount === 1 ? "order" : "orders"} ${windowWords(leaf.window)} (${comparisonWords(leaf.op, String(leaf.value), "count")})`
        : `spent ${money(amount)} ${windowWords(leaf.window)} (${comparisonWords(leaf.op, threshold(leaf.value), "money")})`;
    case "prediction": {
      const prediction = facts.prediction;
      if (!prediction) break;
      switch (leaf.measure) {
        case "churn_probability":
          return `churn probability ${prediction.churnProbability.toFixed(2)} (${comparisonWords(leaf.op, String(leaf.value))})`;
        case "clv_12m":
          return `expected 12-month spend ${money(prediction.clv12m)} (${comparisonWords(leaf.op, threshold(leaf.value), "money")})`;
        case "expected_orders_12m":
          return `expected orders in 12 months ${prediction.expectedOrders12m.toFixed(1)} (${comparisonWords(leaf.op, String(leaf.value))})`;
        case "days_until_next_order":
          if (!prediction.nextOrderAt) break;
          return `next order expected in ${days(wholeDays(options.now, prediction.nextOrderAt))} (${comparisonWords(leaf.op, days(leaf.value))})`;
      }
      break;
    }
    default:
      break;
  }
  return describeCondition(leaf, options.names, options.currency);
}

/**
 * The explanation of a member: for an `all` group every condition, for an `any` group the ones that hold.
 * Null when the facts say the rule does not hold (the customer is not a member after all).
 */
export function explainRule(rule: RuleGroup, facts: CustomerFacts, options: ExplainOptions): string | null {
  let next = 0;
  const walk = (group: RuleGroup, nested: boolean): { holds: boolean; text: string } => {
    const parts = group.conditions.map((condition) => {
      if (condition.kind === "group") return walk(condition, true);
      const fact = facts.leaves[next] ?? { holds: false, amount: null };
      next += 1;
      return { holds: fact.holds, text: explainLeaf(condition, facts, fact.amount, options) };
    });
    const holds = group.match === "all" ? parts.every((part) => part.holds) : parts.some((part) => part.holds);
    const shown = group.match === "all" ? parts : parts.filter((part) => part.holds);
    const text = shown.map((part) => part.text).join(" and ");
    return { holds, text: nested && shown.length > 1 ? `(${text})` : text };
  };
  const result = walk(rule, false);
  return result.holds ? capitalize(result.text) : null;
}
