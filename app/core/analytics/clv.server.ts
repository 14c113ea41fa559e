// The lifetime-value effect of one flow (issue 9.5): customers who entered it under a version with a control group,
// whose 90 days since entering have passed, and their orders in those 90 days. The comparison itself is clv.ts.
import type { Db } from "~/db.server";
import { TIMER_NODE } from "~/core/flows/inactivity.server";
import { loadVersion } from "~/core/flows/versions.server";
import { CLV_WINDOW_DAYS, clvEffect, type ClvEffect, type ClvOutcome } from "./clv";

const DAY_MS = 86_400_000;
const CHUNK = 500;
/** How far back the cohort reaches before its windows' end: a year of entrants, so old versions fade out. */
export const CLV_COHORT_DAYS = 365;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) out.push(items.slice(start, start + CHUNK));
  return out;
}

/**
 * Treatment against control for the customers whose first entry into the flow (under a version that kept a control
 * group) was between 455 and 90 days before `now`: their group is that of that entry, and their orders count when
 * placed within 90 days of it (cancelled orders never; revenue in the flow's main currency, every currency for the
 * repeat rate). Null when the flow has no such customers at all (no control group, or none old enough).
 */
export async function flowClvEffect(db: Db, input: { workspaceId: string; flowId: string; now: Date }): Promise<ClvEffect | null> {
  const { workspaceId, flowId } = input;
  const cohortTo = new Date(input.now.getTime() - CLV_WINDOW_DAYS * DAY_MS);
  const cohortFrom = new Date(cohortTo.getTime() - CLV_COHORT_DAYS * DAY_MS);
  const entries = await db.enrollment.findMany({
    // Every earlier entry too, so a customer's first entry is theirs (a waiting inactivity timer is not a journey yet).
    where: { workspaceId, flowId, enteredAt: { lt: cohortTo }, OR: [{ currentNodeId: null }, { currentNodeId: { not: TIMER_NODE } }] },
    select: { flowVersionId: true, customerId: true, holdout: true, enteredAt: true },
    orderBy: { enteredAt: "asc" },
  });
  const keptControlGroup = new Map<string, boolean>();
  for (const versionId of new Set(entries.map((entry) => entry.flowVersionId))) {
    const definition = await loadVersion(db, { workspaceId, versionId });
    keptControlGroup.set(versionId, Boolean(definition?.rules.holdout && definition.rules.holdout.percent > 0));
  }
  const first = new Map<string, { holdout: boolean; at: number }>();
  for (const entry of entries) {
    if (!keptControlGroup.get(entry.flowVersionId) || first.has(entry.customerId)) continue;
    first.set(entry.customerId, { holdout: entry.holdout, at: entry.enteredAt.getTime() });
  }
  const cohort = [...first.entries()].filter(([, entry]) => entry.at >= cohortFrom.getTime());
  if (cohort.length === 0) return null;

  const orders: { customerId: string; at: number; amount: number; currency: string }[] = [];
  for (const ids of chunks(cohort.map(([customerId]) => customerId))) {
    const rows = await db.order.findMany({
      where: { workspaceId, customerId: { in: ids }, cancelledAt: null, placedAt: { gte: cohortFrom, lt: input.now } },
      select: { customerId: true, placedAt: true, totalPrice: true, currency: true },
    });
    for (const row of rows) if (row.customerId) orders.push({ customerId: row.customerId, at: row.placedAt.getTime(), amount: row.totalPrice, currency: row.currency });
  }
  const entryOf = new Map(cohort);
  const counted = orders.filter((order) => {
    const entry = entryOf.get(order.customerId);
    return entry !== undefined && order.at >= entry.at && order.at < entry.at + CLV_WINDOW_DAYS * DAY_MS;
  });
  const totals = new Map<string, number>();
  for (const order of counted) totals.set(order.currency, (totals.get(order.currency) ?? 0) + order.amount);
  const currency = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  const outcomeOf = new Map<string, ClvOutcome>(cohort.map(([customerId, entry]) => [customerId, { holdout: entry.holdout, orders: 0, revenue: 0 }]));
  for (const order of counted) {
    const outcome = outcomeOf.get(order.customerId);
    if (!outcome) continue;
    outcome.orders += 1;
    if (order.currency === currency) outcome.revenue += order.amount;
  }
  return clvEffect([...outcomeOf.values()], { currency, cohortFrom, cohortTo });
}
