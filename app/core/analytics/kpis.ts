// KPI arithmetic, pure: counts per message, rates with their denominators, money per currency in integer minor
// units. The server module loads the facts; this one only adds them up, so the numbers are checked by hand in tests.
import type { Money } from "~/core/money";

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
