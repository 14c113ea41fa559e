// KPI arithmetic, pure: counts per message, rates with their denominators, money per currency in integer minor
// units. The server module loads the facts; this one only adds them up, so the numbers are checked by hand in tests.
import { durationMs, outputsOf, type FlowDefinition } from "~/core/flows/definition";
import type { Money } from "~/core/money";
import { summarizeSample, welchInterval } from "./stats/means";
import { newcombeInterval } from "./stats/proportions";

/** A fraction with its parts shown: `value` is count / of, null when there is nothing to divide by. */
export interface Rate {
  count: number;
  of: number;
  value: number | null;
}

export function rate(count: number, of: number): Rate {
  return { count, of, value: of > 0 ? count / of : null };
}

/** What one message did, as far as the KPIs care. */
export interface MessageFacts {
  id: string;
  /** Normalized recipient address. */
  recipient: string;
  /** queued | sending | sent | outbox | failed | suppressed */
  status: string;
  delivered: boolean;
  humanOpened: boolean;
  clicked: boolean;
  unsubscribed: boolean;
  complained: boolean;
}

/** An order a message earned. */
export interface AttributedOrder {
  messageId: string;
  recipient: string;
  revenue: Money;
}

export interface MessageKpis {
  /** Messages that left (sent through the provider, or written to the outbox when there is none). */
  emailsSent: number;
  /** Distinct addresses among them. */
  recipients: number;
  /** Messages not sent because the address was suppressed (unsubscribed, bounced, complained). */
  suppressed: number;
  /** Delivered of sent: a delivery event, or any sign of one (an open, click, unsubscribe or complaint). */
  deliveryRate: Rate;
  /** Delivered messages opened by a person (machine opens never count). */
  openRate: Rate;
  clickRate: Rate;
  unsubscribeRate: Rate;
  spamComplaintRate: Rate;
  /** Attributed orders. */
  conversions: number;
  /** Recipients with at least one attributed order, of recipients. */
  conversionRate: Rate;
  /** Attributed revenue per currency, largest first. */
  revenue: Money[];
  /** Revenue / recipients per currency, rounded half up to the minor unit. */
  revenuePerRecipient: Money[];
  /** Revenue / attributed orders per currency, rounded half up. */
  averageOrderValue: Money[];
}

const SENT = new Set(["sent", "outbox"]);

/** Integer division of minor units, rounded half up (amounts are far below 2^53, so the float is exact enough). */
export function divideMinor(amount: number, by: number): number {
  return Math.floor(amount / by + 0.5);
}

function byCurrency(orders: readonly AttributedOrder[]): { currency: string; amount: number; orders: number }[] {
  const totals = new Map<string, { amount: number; orders: number }>();
  for (const order of orders) {
    const total = totals.get(order.revenue.currency) ?? { amount: 0, orders: 0 };
    total.amount += order.revenue.amount;
    total.orders += 1;
    totals.set(order.revenue.currency, total);
  }
  return [...totals.entries()]
    .map(([currency, total]) => ({ currency, ...total }))
    .sort((a, b) => b.amount - a.amount || a.currency.localeCompare(b.currency));
}

/** The KPIs of a set of messages and the orders attributed to them (orders of other messages are ignored). */
export function summarize(messages: readonly MessageFacts[], orders: readonly AttributedOrder[]): MessageKpis {
  const sent = messages.filter((message) => SENT.has(message.status));
  const recipients = new Set(sent.map((message) => message.recipient));
  const delivered = sent.filter((message) => message.delivered || message.humanOpened || message.clicked || message.unsubscribed || message.complained);
  const ids = new Set(messages.map((message) => message.id));
  const earned = orders.filter((order) => ids.has(order.messageId));
  const converted = new Set(earned.map((order) => order.recipient));
  const money = byCurrency(earned);
  return {
    emailsSent: sent.length,
    recipients: recipients.size,
    suppressed: messages.filter((message) => message.status === "suppressed").length,
    deliveryRate: rate(delivered.length, sent.length),
    openRate: rate(delivered.filter((message) => message.humanOpened).length, delivered.length),
    clickRate: rate(delivered.filter((message) => message.clicked).length, delivered.length),
    unsubscribeRate: rate(delivered.filter((message) => message.unsubscribed).length, delivered.length),
    spamComplaintRate: rate(delivered.filter((message) => message.complained).length, delivered.length),
    conversions: earned.length,
    conversionRate: rate(converted.size, recipients.size),
    revenue: money.map(({ currency, amount }) => ({ currency, amount })),
    revenuePerRecipient: recipients.size > 0 ? money.map(({ currency, amount }) => ({ currency, amount: divideMinor(amount, recipients.size) })) : [],
    averageOrderValue: money.map(({ currency, amount, orders: count }) => ({ currency, amount: divideMinor(amount, count) })),
  };
}

/** Journeys that ended, and those that left before the goal (exited for another reason), by reason. */
export interface Attrition {
  ended: number;
  reachedGoal: number;
  /** Ran to the end of the flow without the goal. */
  completed: number;
  /** Exited before the goal (an exit node, an uninstalled store, a redacted customer, …), of ended. */
  leftEarly: Rate;
  byReason: { reason: string; count: number }[];
}

export const GOAL_PREFIX = "goal: ";

export function attritionOf(enrollments: readonly { status: string; exitReason: string | null }[]): Attrition {
  const ended = enrollments.filter((enrollment) => enrollment.status === "exited" || enrollment.status === "completed");
  const reasons = new Map<string, number>();
  let reachedGoal = 0;
  let completed = 0;
  for (const enrollment of ended) {
    if (enrollment.status === "completed") completed += 1;
    else if (enrollment.exitReason?.startsWith(GOAL_PREFIX)) reachedGoal += 1;
    else {
      const reason = enrollment.exitReason ?? "unknown";
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const byReason = [...reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  const left = byReason.reduce((sum, row) => sum + row.count, 0);
  return { ended: ended.length, reachedGoal, completed, leftEarly: rate(left, ended.length), byReason };
}

// ── Incremental effect: the flow's treatment group against its holdout (control) group ──

/** One customer who entered a flow with a holdout, as the comparison counts them (the customer is the unit). */
export interface CustomerOutcome {
  holdout: boolean;
  /** Placed an order within the outcome window of an entry. */
  converted: boolean;
  /** Those orders' revenue in the report's currency, minor units. */
  revenue: number;
}

/** Below this many customers in a group the comparison says "not enough data yet". */
export const MIN_GROUP_SIZE = 30;

/** A difference with its 95 % interval, or the truthful "not enough data yet" and why. */
export type Estimate = { kind: "estimate"; value: number; low: number; high: number } | { kind: "not_enough_data"; reason: string };

export interface GroupKpis {
  customers: number;
  /** Converted customers of customers. */
  conversionRate: Rate;
  /** Minor units of the report's currency. */
  revenue: number;
  /** Revenue / customers in minor units (not rounded: it feeds the estimates); null without customers. */
  revenuePerCustomer: number | null;
}

export interface IncrementalEffect {
  /** Orders count when placed within this many days of entering (the same for both groups). */
  windowDays: number;
  /** The currency revenue is compared in (the flow's main one); null when there is no revenue at all. */
  currency: string | null;
  treatment: GroupKpis;
  control: GroupKpis;
  /** Treatment minus control conversion rate, as a fraction (Newcombe's score interval). */
  conversionRateLift: Estimate;
  /** Treatment minus control revenue per customer, minor units (Welch's interval). */
  revenuePerCustomerLift: Estimate;
  /** The lifts times the treatment group's size: conversions and revenue the flow added (minor units). */
  incrementalConversions: Estimate;
  incrementalRevenue: Estimate;
}

function groupKpis(outcomes: readonly CustomerOutcome[]): GroupKpis {
  const revenue = outcomes.reduce((sum, outcome) => sum + outcome.revenue, 0);
  return {
    customers: outcomes.length,
    conversionRate: rate(outcomes.filter((outcome) => outcome.converted).length, outcomes.length),
    revenue,
    revenuePerCustomer: outcomes.length > 0 ? revenue / outcomes.length : null,
  };
}

const scale = (estimate: Estimate, by: number): Estimate => (estimate.kind === "estimate" ? { kind: "estimate", value: estimate.value * by, low: estimate.low * by, high: estimate.high * by } : estimate);

/**
 * Treatment minus control, per customer and in total, with 95 % intervals: Newcombe's for the conversion rate,
 * Welch's for revenue per customer (app/core/analytics/stats). Says "not enough data yet" while a group has fewer
 * than MIN_GROUP_SIZE customers or an interval is undefined (no variation yet).
 */
export function incrementalEffect(outcomes: readonly CustomerOutcome[], input: { windowDays: number; currency: string | null }): IncrementalEffect {
  const treated = outcomes.filter((outcome) => !outcome.holdout);
  const held = outcomes.filter((outcome) => outcome.holdout);
  const treatment = groupKpis(treated);
  const control = groupKpis(held);
  const small = treatment.customers < MIN_GROUP_SIZE || control.customers < MIN_GROUP_SIZE
    ? `not enough data yet: ${control.customers} in the control group and ${treatment.customers} in the flow; each needs at least ${MIN_GROUP_SIZE}`
    : null;
  let conversionRateLift: Estimate;
  let revenuePerCustomerLift: Estimate;
  if (small) {
    conversionRateLift = { kind: "not_enough_data", reason: small };
    revenuePerCustomerLift = { kind: "not_enough_data", reason: small };
  } else {
    const rates = newcombeInterval(
      { successes: treatment.conversionRate.count, trials: treatment.customers },
      { successes: control.conversionRate.count, trials: control.customers },
    );
    conversionRateLift = rates ? { kind: "estimate", value: rates.difference, low: rates.interval.low, high: rates.interval.high } : { kind: "not_enough_data", reason: "not enough data yet" };
    const money = welchInterval(summarizeSample(treated.map((outcome) => outcome.revenue)), summarizeSample(held.map((outcome) => outcome.revenue)));
    revenuePerCustomerLift = money
      ? { kind: "estimate", value: money.difference, low: money.interval.low, high: money.interval.high }
      : { kind: "not_enough_data", reason: "not enough data yet: no revenue in either group" };
  }
  return {
    windowDays: input.windowDays,
    currency: input.currency,
    treatment,
    control,
    conversionRateLift,
    revenuePerCustomerLift,
    incrementalConversions: scale(conversionRateLift, treatment.customers),
    incrementalRevenue: scale(revenuePerCustomerLift, treatment.customers),
  };
}

const DAY_MS = 86_400_000;
/** The longest a wait-until node can hold a journey: a weekly time, one week. */
const WAIT_UNTIL_MAX_MS = 7 * DAY_MS;

/**
 * The longest a journey through the flow can take from entering to its last step, following delays (a delay
 * anchored to the trigger's activity counts from entering; wait-until nodes as up to a week). Deferrals by quiet
 * hours or the message budget are not counted.
 */
export function flowSpanMs(definition: Pick<FlowDefinition, "entry" | "nodes">): number {
  const byId = new Map(definition.nodes.map((node) => [node.id, node]));
  const seen = new Map<string, number>();
  const latest = (id: string | null, arrival: number): number => {
    if (id === null) return arrival;
    const node = byId.get(id);
    if (!node) return arrival;
    const key = `${id}@${arrival}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let leave = arrival;
    if (node.type === "delay") leave = node.anchor === "trigger_activity" ? Math.max(arrival, durationMs(node.duration)) : arrival + durationMs(node.duration);
    if (node.type === "wait_until") leave = arrival + WAIT_UNTIL_MAX_MS;
    const result = outputsOf(node).reduce((most, output) => Math.max(most, latest(output.next, leave)), leave);
    seen.set(key, result);
    return result;
  };
  return latest(definition.entry, 0);
}

/**
 * How long after entering a customer's orders count for the holdout comparison: the flow's longest path plus the
 * attribution window, i.e. as long as an order could still be attributed to one of its emails. Whole days.
 */
export function outcomeWindowDays(definition: Pick<FlowDefinition, "entry" | "nodes">, attributionWindowDays: number): number {
  return Math.ceil(flowSpanMs(definition) / DAY_MS) + attributionWindowDays;
}
