// KPIs per flow and per node over a date range, computed from the database at query time (ADR 0015).
//
// The range selects messages by when they were written (Message.createdAt in [from, to)); everything else follows
// those messages whenever it happened: their delivery, opens, clicks, unsubscribes and complaints, and the orders
// attributed to them under the workspace's current rules. Attrition counts the journeys that ended in the range.
import type { Db } from "~/db.server";
import { attributeOrders } from "./attribution.server";
import { attritionOf, summarize, type Attrition, type MessageFacts, type MessageKpis } from "./kpis";
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

async function loadMessages(db: Db, input: { workspaceId: string; from: Date; to: Date }): Promise<MessageRow[]> {
  const messages = await db.message.findMany({
    // Test sends from the builder (kind "test") are not customer email: they count nowhere.
    where: { workspaceId: input.workspaceId, createdAt: { gte: input.from, lt: input.to }, kind: { not: "test" } },
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

/** KPIs of every flow of the workspace (and each of its email nodes) over [from, to), and the workspace's totals. */
export async function flowKpis(db: Db, input: { workspaceId: string; from: Date; to: Date }): Promise<KpiReport> {
  const { workspaceId, from, to } = input;
  const rules = await readAttributionSettings(db, { workspaceId });
  const flows = await db.flow.findMany({ where: { workspaceId }, select: { id: true, name: true, status: true }, orderBy: { createdAt: "asc" } });
  const messages = await loadMessages(db, input);
  // A message written at `from` can only be touched later, so earlier orders cannot be its.
  const orders = await attributeOrders(db, { workspaceId, placedFrom: from, settings: rules });
  const ended = await db.enrollment.findMany({
    where: { workspaceId, status: { in: ["exited", "completed"] }, exitedAt: { gte: from, lt: to } },
    select: { flowId: true, status: true, exitReason: true },
  });

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
      };
    }),
  };
}

/** The last `days` days up to `now`: [now − days, now). */
export function lastDays(now: Date, days: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - days * 86_400_000), to: now };
}
