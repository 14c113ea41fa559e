// Reads what explanations need (the customer's metrics and prediction, and per condition whether it holds and the
// window's amount) for a batch of customers in one query, and renders them with explain.ts.
import { Prisma, type DbTx } from "~/db.server";
import { compileLeafFacts } from "./compile.server";
import type { LoadedSegment, WorkspaceRuleContext } from "./context.server";
import { explainRule, type CustomerFacts } from "./explain";
import { leavesOf, type RuleNames, type SegmentRule } from "./rules";

function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

/** Names of the segments and stores a rule mentions, for its words. */
export async function ruleNames(tx: DbTx, workspaceId: string, rule: SegmentRule): Promise<RuleNames> {
  const leaves = leavesOf(rule);
  const segmentIds = [...new Set(leaves.flatMap((leaf) => (leaf.kind === "segment" ? [leaf.segmentId] : [])))];
  const storeIds = [...new Set(leaves.flatMap((leaf) => (leaf.kind === "store" ? leaf.storeIds : [])))];
  const segments = segmentIds.length ? await tx.segment.findMany({ where: { workspaceId, id: { in: segmentIds } }, select: { id: true, name: true } }) : [];
  const stores = storeIds.length ? await tx.store.findMany({ where: { workspaceId, id: { in: storeIds } }, select: { id: true, name: true } }) : [];
  return {
    segments: Object.fromEntries(segments.map((segment) => [segment.id, segment.name])),
    stores: Object.fromEntries(stores.map((store) => [store.id, store.name])),
  };
}

/** One-line explanations for customers of one segment (those the rule holds for; others are left out). */
export async function explainMany(
  tx: DbTx,
  input: { context: WorkspaceRuleContext; segment: Pick<LoadedSegment, "rule">; customerIds: string[]; now: Date },
): Promise<Map<string, string>> {
  const { context, segment, now } = input;
  const out = new Map<string, string>();
  if (input.customerIds.length === 0) return out;
  const names = await ruleNames(tx, context.workspaceId, segment.rule);
  const leaves = compileLeafFacts(segment.rule, { ...context, now, scope: "few" });
  const columns = leaves.flatMap((leaf, index) => [
    Prisma.sql`${leaf.holds} AS ${Prisma.raw(`"h${index}"`)}`,
    Prisma.sql`${leaf.amount ?? Prisma.sql`NULL`} AS ${Prisma.raw(`"a${index}"`)}`,
  ]);
  for (let start = 0; start < input.customerIds.length; start += 500) {
    const ids = input.customerIds.slice(start, start + 500);
    const rows = await tx.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`SELECT c."id" AS "id", c."ordersCount" AS "ordersCount", c."totalSpent" AS "totalSpent", c."firstOrderAt" AS "firstOrderAt",
        c."lastOrderAt" AS "lastOrderAt", c."createdAt" AS "createdAt", p."churnProbability" AS "churnProbability", p."clv12m" AS "clv12m",
        p."expectedOrders12m" AS "expectedOrders12m", p."nextOrderAt" AS "nextOrderAt", p."customerId" AS "predicted"
        ${columns.length ? Prisma.sql`, ${Prisma.join(columns)}` : Prisma.empty}
      FROM "Customer" c LEFT JOIN "CustomerPrediction" p ON p."customerId" = c."id"
      WHERE c."workspaceId" = ${context.workspaceId} AND c."id" IN (${Prisma.join(ids)})`,
    );
    for (const row of rows) {
      const date = (value: unknown) => (value instanceof Date ? value : typeof value === "string" ? new Date(value) : null);
      const facts: CustomerFacts = {
        ordersCount: Number(row.ordersCount),
        totalSpent: Number(row.totalSpent),
        firstOrderAt: date(row.firstOrderAt),
        lastOrderAt: date(row.lastOrderAt),
        createdAt: date(row.createdAt) ?? now,
        prediction:
          row.predicted === null || row.predicted === undefined
            ? null
            : { churnProbability: Number(row.churnProbability), clv12m: Number(row.clv12m), expectedOrders12m: Number(row.expectedOrders12m), nextOrderAt: date(row.nextOrderAt) },
        leaves: leaves.map((_, index) => ({ holds: isTrue(row[`h${index}`]), amount: row[`a${index}`] === null || row[`a${index}`] === undefined ? null : Number(row[`a${index}`]) })),
      };
      const why = explainRule(segment.rule, facts, { now, currency: context.currency, timeZone: context.timeZone, names });
      if (why) out.set(String(row.id), why);
    }
  }
  return out;
}
