// What the flow page shows under the canvas, in one call: the flow's KPIs over the last 30 days (attributed revenue
// and the holdout comparison, kpis.server.ts) and the state of each A/B split's test (ab-test.ts).
import { z } from "zod";
import type { Db } from "~/db.server";
import type { AbSplitNode, FlowDefinition } from "~/core/flows/definition";
import { loadVersion } from "~/core/flows/versions.server";
import { decideAbTest, type AbMetric, type AbTestResult } from "./ab-test";
import { outcomeWindowDays } from "./kpis";
import { flowKpis, lastDays, type FlowKpis } from "./kpis.server";
import type { ClvEffect } from "./clv";
import { flowClvEffect } from "./clv.server";
import { promotionsOf, type PromotionRecord } from "./promotion-history.server";

const DAY_MS = 86_400_000;
const CHUNK = 500;
const VariantTaken = z.object({ variant: z.string() });

export interface AbSplitResult extends AbTestResult {
  nodeId: string;
  /** Orders count when placed within this many days of the split. */
  windowDays: number;
  /** The currency revenue is compared in; null without revenue. */
  currency: string | null;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) out.push(items.slice(start, start + CHUNK));
  return out;
}

/**
 * One split node's test over the customers who reached it in [from, to) (holdout journeys excluded: they are sent
 * nothing). The customer is the unit, in the variant of their first pass; the outcome is read from the split on:
 * orders within the outcome window (revenue in the main currency, or converted), or a click on any of the
 * journey's later emails.
 */
async function splitResult(db: Db, input: { workspaceId: string; flowId: string; node: AbSplitNode; definition: FlowDefinition; from: Date; to: Date; attributionWindowDays: number }): Promise<AbSplitResult> {
  const { workspaceId, node, from, to } = input;
  const metric: AbMetric = node.metric ?? "revenue_per_recipient";
  const windowDays = outcomeWindowDays(input.definition, input.attributionWindowDays);
  const steps = await db.stepRun.findMany({
    where: { workspaceId, nodeId: node.id, nodeType: "ab_split", ranAt: { gte: from, lt: to }, enrollment: { flowId: input.flowId, holdout: false } },
    select: { result: true, ranAt: true, enrollment: { select: { id: true, customerId: true } } },
    orderBy: { ranAt: "asc" },
  });
  const known = new Set(node.variants.map((variant) => variant.id));
  const customers = new Map<string, { variant: string; at: number; enrollmentIds: string[] }>();
  for (const step of steps) {
    const taken = VariantTaken.safeParse(step.result);
    if (!taken.success || !known.has(taken.data.variant)) continue;
    const customer = customers.get(step.enrollment.customerId) ?? { variant: taken.data.variant, at: step.ranAt.getTime(), enrollmentIds: [] };
    customer.enrollmentIds.push(step.enrollment.id);
    customers.set(step.enrollment.customerId, customer);
  }
  const value = new Map<string, number>();
  let currency: string | null = null;
  if (metric === "click_rate") {
    const enrollmentIds = [...customers.values()].flatMap((customer) => customer.enrollmentIds);
    const customerOf = new Map([...customers.entries()].flatMap(([customerId, customer]) => customer.enrollmentIds.map((id): [string, string] => [id, customerId])));
    for (const ids of chunks(enrollmentIds)) {
      const messages = await db.message.findMany({ where: { workspaceId, enrollmentId: { in: ids } }, select: { id: true, enrollmentId: true } });
      const clicked = await db.messageEvent.findMany({ where: { workspaceId, type: "click", messageId: { in: messages.map((message) => message.id) } }, select: { messageId: true }, distinct: ["messageId"] });
      const clickedIds = new Set(clicked.map((event) => event.messageId));
      for (const message of messages) {
        const customerId = message.enrollmentId ? customerOf.get(message.enrollmentId) : undefined;
        if (customerId && clickedIds.has(message.id)) value.set(customerId, 1);
      }
    }
  } else {
    const orders: { customerId: string; at: number; amount: number; currency: string }[] = [];
    for (const ids of chunks([...customers.keys()])) {
      const rows = await db.order.findMany({
        where: { workspaceId, customerId: { in: ids }, cancelledAt: null, placedAt: { gte: from, lt: new Date(to.getTime() + windowDays * DAY_MS) } },
        select: { customerId: true, placedAt: true, totalPrice: true, currency: true },
      });
      for (const row of rows) if (row.customerId) orders.push({ customerId: row.customerId, at: row.placedAt.getTime(), amount: row.totalPrice, currency: row.currency });
    }
    const counted = orders.filter((order) => {
      const customer = customers.get(order.customerId);
      return customer !== undefined && order.at >= customer.at && order.at < customer.at + windowDays * DAY_MS;
    });
    const totals = new Map<string, number>();
    for (const order of counted) totals.set(order.currency, (totals.get(order.currency) ?? 0) + order.amount);
    currency = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
    for (const order of counted) {
      if (metric === "conversion_rate") value.set(order.customerId, 1);
      else if (order.currency === currency) value.set(order.customerId, (value.get(order.customerId) ?? 0) + order.amount);
    }
  }
  const totalWeight = node.variants.reduce((sum, variant) => sum + variant.weight, 0);
  const result = decideAbTest({
    metric,
    // Traffic since the split first ran in the range (a test started three days ago is not diluted over thirty).
    dailyEntrants: customers.size / Math.max(1, (to.getTime() - (steps[0]?.ranAt.getTime() ?? from.getTime())) / DAY_MS),
    variants: node.variants.map((variant) => ({
      id: variant.id,
      share: totalWeight > 0 ? variant.weight / totalWeight : 0,
      values: [...customers.entries()].filter(([, customer]) => customer.variant === variant.id).map(([customerId]) => value.get(customerId) ?? 0),
    })),
  });
  return { nodeId: node.id, windowDays, currency, ...result };
}

/**
 * The test of each A/B split of `definition` over the last 30 days up to `now`: what the flow page shows, and what
 * automatic promotion (promotion.server.ts) acts on, so the two never disagree.
 */
export async function abTestsOf(db: Db, input: { workspaceId: string; flowId: string; definition: FlowDefinition; now: Date; attributionWindowDays: number }): Promise<AbSplitResult[]> {
  const range = lastDays(input.now, 30);
  const abTests: AbSplitResult[] = [];
  for (const node of input.definition.nodes) {
    if (node.type === "ab_split") abTests.push(await splitResult(db, { ...input, node, ...range }));
  }
  return abTests;
}

export interface FlowResults {
  kpis: FlowKpis | null;
  attributionWindowDays: number;
  /** One per A/B split of the live (else latest) version. */
  abTests: AbSplitResult[];
  /** Treatment against control over 90 days for customers whose 90 days have passed (null: no such customers). */
  clv: ClvEffect | null;
  /** Winners promoted in this flow (automatically or by hand), newest first. */
  promotions: PromotionRecord[];
  /** The range the KPIs and the control-group comparison cover, as it reads after "Results, " ("last 30 days"). */
  rangeLabel: string;
}

/**
 * The flow page's results over `range` (the page's date range; default the last 30 days up to `now`). A/B tests
 * always cover the last 30 days: the test automatic promotion acts on, whatever range the merchant looks at.
 */
export async function flowResults(
  db: Db,
  input: { workspaceId: string; flowId: string; now: Date; range?: { from: Date; to: Date; label: string } },
): Promise<FlowResults> {
  const { workspaceId, flowId } = input;
  const range = input.range ?? { ...lastDays(input.now, 30), label: "last 30 days" };
  const report = await flowKpis(db, { workspaceId, flowId, from: range.from, to: range.to });
  const flow = await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { liveVersionId: true } });
  const versionId = flow?.liveVersionId ?? (await db.flowVersion.findFirst({ where: { flowId, workspaceId }, orderBy: { version: "desc" }, select: { id: true } }))?.id;
  const definition = versionId ? await loadVersion(db, { workspaceId, versionId }) : null;
  const abTests = definition ? await abTestsOf(db, { workspaceId, flowId, definition, now: input.now, attributionWindowDays: report.rules.windowDays }) : [];
  return {
    kpis: report.flows[0] ?? null,
    attributionWindowDays: report.rules.windowDays,
    abTests,
    clv: await flowClvEffect(db, { workspaceId, flowId, now: input.now }),
    promotions: await promotionsOf(db, { workspaceId, flowId }),
    rangeLabel: range.label,
  };
}
