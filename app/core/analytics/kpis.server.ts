// KPIs per flow and per node over a date range, computed from the database at query time (ADR 0015).
//
// The range selects messages by when they were written (Message.createdAt in [from, to)); everything else follows
// those messages whenever it happened: their delivery, opens, clicks, unsubscribes and complaints, and the orders
// attributed to them under the workspace's current rules. Attrition counts the journeys that ended in the range.
import type { Db } from "~/db.server";
import { TIMER_NODE } from "~/core/flows/inactivity.server";
import { loadVersion } from "~/core/flows/versions.server";
import { attributeOrders } from "./attribution.server";
import { attritionOf, incrementalEffect, outcomeWindowDays, summarize, type Attrition, type CustomerOutcome, type IncrementalEffect, type MessageFacts, type MessageKpis } from "./kpis";
import { readAttributionSettings, type AttributionSettings } from "./settings.server";

export interface NodeKpis extends MessageKpis {
  nodeId: string;
  /** The subject of the node's latest message in the range. */
  subject: string;
}

export interface FlowKpis extends MessageKpis {
  flowId: string;
  name: string;
  status: string;
  nodes: NodeKpis[];
  attrition: Attrition;
  /**
   * Treatment against the flow's holdout group for customers who entered in the range (only entries under a
   * version that kept a control group count); null when there were none.
   */
  incremental: IncrementalEffect | null;
}

export interface KpiReport {
  from: string;
  to: string;
  rules: AttributionSettings;
  /** Every message of the workspace in the range, in flows or not. */
  totals: MessageKpis & { attrition: Attrition };
  flows: FlowKpis[];
}

const CHUNK = 500;
const ENGAGEMENT = ["delivered", "open", "click", "unsubscribe", "group_unsubscribe", "spamreport"];

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) out.push(items.slice(start, start + CHUNK));
  return out;
}

type MessageRow = MessageFacts & { flowId: string | null; nodeId: string | null; subject: string };

async function loadMessages(db: Db, input: { workspaceId: string; from: Date; to: Date; flowId?: string }): Promise<MessageRow[]> {
  const messages = await db.message.findMany({
    // Test sends from the builder (kind "test") are not customer email: they count nowhere.
    where: { workspaceId: input.workspaceId, createdAt: { gte: input.from, lt: input.to }, kind: { not: "test" }, ...(input.flowId ? { flowId: input.flowId } : {}) },
    select: { id: true, flowId: true, nodeId: true, toEmail: true, status: true, subject: true },
    orderBy: { createdAt: "asc" },
  });
  const facts = new Map<string, MessageRow>(
    messages.map((message) => [
      message.id,
      {
        id: message.id,
        flowId: message.flowId,
        nodeId: message.nodeId,
        subject: message.subject,
        recipient: message.toEmail.trim().toLowerCase(),
        status: message.status,
        delivered: false,
        humanOpened: false,
        clicked: false,
        unsubscribed: false,
        complained: false,
      },
    ]),
  );
  for (const ids of chunks(messages.map((message) => message.id))) {
    const events = await db.messageEvent.groupBy({
      by: ["messageId", "type", "machineOpen"],
      where: { workspaceId: input.workspaceId, messageId: { in: ids }, type: { in: ENGAGEMENT } },
    });
    for (const event of events) {
      const row = facts.get(event.messageId);
      if (!row) continue;
      if (event.type === "delivered") row.delivered = true;
      if (event.type === "open" && !event.machineOpen) row.humanOpened = true;
      if (event.type === "click") row.clicked = true;
      if (event.type === "unsubscribe" || event.type === "group_unsubscribe") row.unsubscribed = true;
      if (event.type === "spamreport") row.complained = true;
    }
  }
  return [...facts.values()];
}

const DAY_MS = 86_400_000;

/**
 * Treatment against control per flow, for the customers who entered in [from, to) under a version with a holdout.
 * The customer is the unit (they were assigned, not their checkouts): their group is that of their first such entry,
 * and their orders count when placed within the outcome window of any of those entries (each order once, cancelled
 * ones never). Revenue is compared in the flow's main currency.
 */
async function holdoutComparisons(db: Db, input: { workspaceId: string; from: Date; to: Date; attributionWindowDays: number; flowId?: string }): Promise<Map<string, IncrementalEffect>> {
  const { workspaceId, from, to } = input;
  const entries = await db.enrollment.findMany({
    // A waiting (or never started) inactivity timer is not a journey yet.
    where: { workspaceId, ...(input.flowId ? { flowId: input.flowId } : {}), enteredAt: { gte: from, lt: to }, OR: [{ currentNodeId: null }, { currentNodeId: { not: TIMER_NODE } }] },
    select: { flowId: true, flowVersionId: true, customerId: true, holdout: true, enteredAt: true },
    orderBy: { enteredAt: "asc" },
  });
  const windowOfVersion = new Map<string, number | null>();
  for (const versionId of new Set(entries.map((entry) => entry.flowVersionId))) {
    const definition = await loadVersion(db, { workspaceId, versionId });
    windowOfVersion.set(versionId, definition?.rules.holdout && definition.rules.holdout.percent > 0 ? outcomeWindowDays(definition, input.attributionWindowDays) : null);
  }
  /** Per flow, per customer: their group and the windows in which their orders count. */
  const flows = new Map<string, { windowDays: number; customers: Map<string, { holdout: boolean; windows: { from: number; to: number }[] }> }>();
  for (const entry of entries) {
    const windowDays = windowOfVersion.get(entry.flowVersionId);
    if (!windowDays) continue;
    const flow = flows.get(entry.flowId) ?? { windowDays, customers: new Map() };
    flow.windowDays = Math.max(flow.windowDays, windowDays);
    flows.set(entry.flowId, flow);
    const customer = flow.customers.get(entry.customerId) ?? { holdout: entry.holdout, windows: [] };
    customer.windows.push({ from: entry.enteredAt.getTime(), to: entry.enteredAt.getTime() + windowDays * DAY_MS });
    flow.customers.set(entry.customerId, customer);
  }
  const customerIds = [...new Set([...flows.values()].flatMap((flow) => [...flow.customers.keys()]))];
  const longest = Math.max(0, ...[...flows.values()].map((flow) => flow.windowDays));
  const ordersOf = new Map<string, { at: number; amount: number; currency: string }[]>();
  for (const ids of chunks(customerIds)) {
    const orders = await db.order.findMany({
      where: { workspaceId, customerId: { in: ids }, cancelledAt: null, placedAt: { gte: from, lt: new Date(to.getTime() + longest * DAY_MS) } },
      select: { customerId: true, placedAt: true, totalPrice: true, currency: true },
    });
    for (const order of orders) {
      if (!order.customerId) continue;
      const list = ordersOf.get(order.customerId) ?? [];
      list.push({ at: order.placedAt.getTime(), amount: order.totalPrice, currency: order.currency });
      ordersOf.set(order.customerId, list);
    }
  }
  const result = new Map<string, IncrementalEffect>();
  for (const [flowId, flow] of flows) {
    const counted = [...flow.customers.entries()].map(([customerId, customer]) => ({
      holdout: customer.holdout,
      orders: (ordersOf.get(customerId) ?? []).filter((order) => customer.windows.some((window) => order.at >= window.from && order.at < window.to)),
    }));
    const totals = new Map<string, number>();
    for (const order of counted.flatMap((customer) => customer.orders)) totals.set(order.currency, (totals.get(order.currency) ?? 0) + order.amount);
    const currency = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
    const outcomes: CustomerOutcome[] = counted.map((customer) => ({
      holdout: customer.holdout,
      converted: customer.orders.length > 0,
      revenue: customer.orders.filter((order) => order.currency === currency).reduce((sum, order) => sum + order.amount, 0),
    }));
    result.set(flowId, incrementalEffect(outcomes, { windowDays: flow.windowDays, currency }));
  }
  return result;
}

/**
 * KPIs of every flow of the workspace (and each of its email nodes) over [from, to), and the workspace's totals;
 * with `flowId`, of that flow alone (the totals are then the flow's).
 */
export async function flowKpis(db: Db, input: { workspaceId: string; from: Date; to: Date; flowId?: string }): Promise<KpiReport> {
  const { workspaceId, from, to, flowId } = input;
  const rules = await readAttributionSettings(db, { workspaceId });
  const flows = await db.flow.findMany({ where: { workspaceId, ...(flowId ? { id: flowId } : {}) }, select: { id: true, name: true, status: true }, orderBy: { createdAt: "asc" } });
  const messages = await loadMessages(db, input);
  // A message written at `from` can only be touched later, so earlier orders cannot be its.
  const orders = await attributeOrders(db, { workspaceId, placedFrom: from, settings: rules });
  const ended = await db.enrollment.findMany({
    where: { workspaceId, ...(flowId ? { flowId } : {}), status: { in: ["exited", "completed"] }, exitedAt: { gte: from, lt: to } },
    select: { flowId: true, status: true, exitReason: true },
  });
  const incremental = await holdoutComparisons(db, { workspaceId, from, to, flowId, attributionWindowDays: rules.windowDays });

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    rules,
    totals: { ...summarize(messages, orders), attrition: attritionOf(ended) },
    flows: flows.map((flow) => {
      const own = messages.filter((message) => message.flowId === flow.id);
      const nodeIds = [...new Set(own.flatMap((message) => (message.nodeId ? [message.nodeId] : [])))];
      return {
        flowId: flow.id,
        name: flow.name,
        status: flow.status,
        ...summarize(own, orders),
        nodes: nodeIds.map((nodeId) => {
          const ofNode = own.filter((message) => message.nodeId === nodeId);
          return { nodeId, subject: ofNode[ofNode.length - 1]?.subject ?? "", ...summarize(ofNode, orders) };
        }),
        attrition: attritionOf(ended.filter((enrollment) => enrollment.flowId === flow.id)),
        incremental: incremental.get(flow.id) ?? null,
      };
    }),
  };
}

/** The last `days` days up to `now`: [now − days, now). */
export function lastDays(now: Date, days: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - days * 86_400_000), to: now };
}
