// Time moves customers too ("no order in 90 days"): each worker tick, for every time-relative condition, a
// boundary query finds the customers whose boundary was crossed since the segment was last swept (sweptAt, now]
// — e.g. days_since_last_order ≥ 90 → lastOrderAt in [sweptAt − 90 d, now − 90 d] — and only they are
// re-evaluated (cause "time"). No daily full scan for that; a full recompute still runs every 24 h per segment to
// repair drift (cause "recompute"), and computes a baseline for a segment that never had one.
import { Prisma, type Db, type DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Logger } from "~/core/logger.server";
import { assertUnreachable } from "~/core/assert";
import { loadActiveSegments, workspaceRuleContext, type LoadedSegment } from "./context.server";
import { computeBaseline, reevaluateCustomers, recomputeSegment } from "./membership.server";
import { leavesOf, validateRule, type Comparison, type LeafCondition, type Window } from "./rules";
import { DAY_MS, HOUR_MS, integerRange, periodStart } from "./time";

/** How often each segment is recomputed from scratch. */
export const RECOMPUTE_EVERY_MS = 24 * HOUR_MS;
/** Full recomputes per tick at most: each can take seconds on a large workspace, and the inbox waits meanwhile. */
const RECOMPUTES_PER_TICK = 1;

/** The day counts at which `floor(days) op value` can change its answer. */
function dayBoundaries(op: Comparison, value: number): number[] {
  const range = integerRange(op === "neq" ? "eq" : op, value);
  if (range === "none") return [];
  return [range.lo, range.hi].filter((bound): bound is number => bound !== null && bound >= 0);
}

function shifted(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}

/** Customers whose `column` lies in [from − offset, to − offset] for some offset: they crossed a boundary. */
function crossed(table: { from: Prisma.Sql; id: Prisma.Sql; workspace: Prisma.Sql }, column: Prisma.Sql, workspaceId: string, offsetsMs: number[], from: Date, to: Date): Prisma.Sql[] {
  return [...new Set(offsetsMs)].map(
    (offset) =>
      Prisma.sql`SELECT ${table.id} AS "id" FROM ${table.from} WHERE ${table.workspace} = ${workspaceId} AND ${table.id} IS NOT NULL AND ${column} BETWEEN ${shifted(from, -offset)} AND ${shifted(to, -offset)}`,
  );
}

const ORDERS = { from: Prisma.sql`"Order" o`, id: Prisma.sql`o."customerId"`, workspace: Prisma.sql`o."workspaceId"` };
const CUSTOMERS = { from: Prisma.sql`"Customer" c`, id: Prisma.sql`c."id"`, workspace: Prisma.sql`c."workspaceId"` };
const CARTS = { from: Prisma.sql`"Cart" k`, id: Prisma.sql`k."customerId"`, workspace: Prisma.sql`k."workspaceId"` };
const CHECKOUTS = { from: Prisma.sql`"Checkout" k`, id: Prisma.sql`k."customerId"`, workspace: Prisma.sql`k."workspaceId"` };
const MESSAGES = { from: Prisma.sql`"Message" m`, id: Prisma.sql`m."customerId"`, workspace: Prisma.sql`m."workspaceId"` };
const PREDICTIONS = { from: Prisma.sql`"CustomerPrediction" p`, id: Prisma.sql`p."customerId"`, workspace: Prisma.sql`p."workspaceId"` };

function windowCrossings(window: Window, workspaceId: string, zone: string, from: Date, to: Date): Prisma.Sql[] {
  if ("days" in window) return crossed(ORDERS, Prisma.sql`o."placedAt"`, workspaceId, [window.days * DAY_MS], from, to);
  // A calendar period began in (from, to]: everyone with orders in the period that ended has a new count (0).
  const current = periodStart(window.calendar, to, zone);
  if (current <= from) return [];
  return [
    Prisma.sql`SELECT o."customerId" AS "id" FROM "Order" o WHERE o."workspaceId" = ${workspaceId} AND o."customerId" IS NOT NULL AND o."placedAt" >= ${periodStart(window.calendar, from, zone)} AND o."placedAt" < ${current}`,
  ];
}

/** Boundary queries (each selecting "id") for one condition, or none when time alone never changes it. */
export function boundaryQueries(leaf: LeafCondition, input: { workspaceId: string; timeZone: string; from: Date; to: Date }): Prisma.Sql[] {
  const { workspaceId, timeZone, from, to } = input;
  switch (leaf.kind) {
    case "metric": {
      if (leaf.metric === "orders_count" || leaf.metric === "total_spent" || leaf.metric === "average_order_value") return [];
      const column = { days_since_last_order: Prisma.sql`c."lastOrderAt"`, days_since_first_order: Prisma.sql`c."firstOrderAt"`, days_since_created: Prisma.sql`c."createdAt"` }[leaf.metric];
      return crossed(CUSTOMERS, column, workspaceId, dayBoundaries(leaf.op, leaf.value).map((days) => days * DAY_MS), from, to);
    }
    case "orders_in_window":
      return windowCrossings(leaf.window, workspaceId, timeZone, from, to);
    case "bought":
      return leaf.window ? windowCrossings(leaf.window, workspaceId, timeZone, from, to) : [];
    case "cart_state": {
      return crossed(leaf.state === "open_cart" ? CARTS : CHECKOUTS, Prisma.sql`k."lastActivityAt"`, workspaceId, [leaf.idleHours * HOUR_MS, leaf.withinDays * DAY_MS], from, to);
    }
    case "engagement": {
      const offset = leaf.days * DAY_MS;
      if (leaf.action === "received") {
        // Offset 0 as well: messages are written by the flow runner, which does not re-evaluate segments itself.
        return crossed(MESSAGES, Prisma.sql`m."createdAt"`, workspaceId, [offset, 0], from, to);
      }
      return [
        Prisma.sql`SELECT m."customerId" AS "id" FROM "MessageEvent" e JOIN "Message" m ON m."id" = e."messageId" WHERE e."workspaceId" = ${workspaceId} AND m."customerId" IS NOT NULL AND e."occurredAt" BETWEEN ${shifted(from, -offset)} AND ${shifted(to, -offset)}`,
      ];
    }
    case "prediction":
      if (leaf.measure !== "days_until_next_order") return [];
      // days until = floor((nextOrderAt − now) / day): crosses d when nextOrderAt = now + d days.
      return crossed(PREDICTIONS, Prisma.sql`p."nextOrderAt"`, workspaceId, dayBoundaries(leaf.op, leaf.value).map((days) => -days * DAY_MS), from, to);
    case "email_domain":
    case "location":
    case "tag":
    case "consent":
    case "date":
    case "store":
    case "segment":
      return [];
    default:
      return assertUnreachable(leaf);
  }
}

/** Whether time alone can move customers in or out of a segment with this rule. */
export function isTimeRelative(segment: Pick<LoadedSegment, "rule">): boolean {
  const probe = { workspaceId: "", timeZone: "UTC", from: new Date(0), to: new Date(DAY_MS * 400) };
  return leavesOf(segment.rule).some((leaf) => boundaryQueries(leaf, probe).length > 0);
}

/** Customers of the workspace that crossed a boundary of any of these segments since each was last swept. */
async function crossedCustomers(tx: DbTx, input: { workspaceId: string; timeZone: string; segments: LoadedSegment[]; now: Date }): Promise<string[]> {
  const ids = new Set<string>();
  for (const segment of input.segments) {
    const from = segment.sweptAt ?? segment.computedAt ?? input.now;
    if (from >= input.now) continue;
    for (const leaf of leavesOf(segment.rule)) {
      for (const query of boundaryQueries(leaf, { workspaceId: input.workspaceId, timeZone: input.timeZone, from, to: input.now })) {
        for (const row of await tx.$queryRaw<{ id: string }[]>(query)) ids.add(row.id);
      }
    }
  }
  return [...ids];
}

/** Sweeps one workspace's time-relative segments up to `now`; returns the membership changes made. */
export async function sweepWorkspace(db: Db, input: { workspaceId: string; now: Date }): Promise<number> {
  const { workspaceId, now } = input;
  const segments = (await loadActiveSegments(db, workspaceId)).filter(isTimeRelative);
  if (segments.length === 0) return 0;
  const { timeZone } = await workspaceRuleContext(db, workspaceId);
  const customerIds = await crossedCustomers(db, { workspaceId, timeZone, segments, now });
  let changes = 0;
  for (let start = 0; start < customerIds.length; start += 500) {
    const batch = customerIds.slice(start, start + 500);
    changes += (await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId, customerIds: batch, now, cause: "time" }), { timeout: 60_000 })).length;
  }
  await db.segment.updateMany({ where: { workspaceId, id: { in: segments.map((segment) => segment.id) } }, data: { sweptAt: now } });
  return changes;
}

/**
 * The worker's segment phase: baselines for segments that never had one, time sweeps of every workspace with
 * time-relative segments, and the next due full recompute. Returns the work done (changes and recomputes).
 */
export async function runSegmentMaintenance(deps: { db: Db; clock: Clock; logger: Logger }): Promise<number> {
  const { db, clock, logger } = deps;
  const now = clock.now();
  const segments = await db.segment.findMany({ where: { status: "active" }, select: { id: true, workspaceId: true, computedAt: true, rule: true }, orderBy: { computedAt: "asc" } });
  let work = 0;
  for (const segment of segments.filter((candidate) => !candidate.computedAt)) {
    await computeBaseline(db, { workspaceId: segment.workspaceId, segmentId: segment.id, now });
    work += 1;
  }
  for (const workspaceId of new Set(segments.map((segment) => segment.workspaceId))) {
    try {
      work += await sweepWorkspace(db, { workspaceId, now });
    } catch (error) {
      logger.error({ workspaceId, err: error }, "segment time sweep failed");
    }
  }
  // A refit changes every customer's predictions at once: segments with prediction conditions follow it in full.
  const refitAt = new Map(
    (await db.predictionModel.findMany({ where: { workspaceId: { in: [...new Set(segments.map((segment) => segment.workspaceId))] } }, select: { workspaceId: true, fittedAt: true } })).map(
      (model) => [model.workspaceId, model.fittedAt.getTime()],
    ),
  );
  const usesPredictions = (rule: unknown) => {
    const parsed = validateRule(rule);
    return parsed.ok && leavesOf(parsed.rule).some((leaf) => leaf.kind === "prediction");
  };
  const due = segments
    .filter(
      (segment) =>
        segment.computedAt &&
        (now.getTime() - segment.computedAt.getTime() >= RECOMPUTE_EVERY_MS ||
          ((refitAt.get(segment.workspaceId) ?? 0) > segment.computedAt.getTime() && usesPredictions(segment.rule))),
    )
    .slice(0, RECOMPUTES_PER_TICK);
  for (const segment of due) {
    try {
      const result = await recomputeSegment(db, { workspaceId: segment.workspaceId, segmentId: segment.id, now });
      logger.info({ workspaceId: segment.workspaceId, segmentId: segment.id, ...result }, "segment recomputed");
      work += 1;
    } catch (error) {
      logger.error({ workspaceId: segment.workspaceId, segmentId: segment.id, err: error }, "segment recompute failed");
    }
  }
  return work;
}
