// Rules compile to one SQL boolean expression over `"Customer" c` (docs/decisions/0016-segments-compile-to-sql.md).
// The same expression serves the full recompute, the incremental re-evaluation of a few customers, the live count
// and the preview, so they cannot disagree. Every time-relative part is an instant computed here from `now` and
// bound as a parameter; money thresholds become minor units of the workspace's currency. Every expression is
// NULL-safe (true or false, never NULL), so `NOT (rule)` means "not in the segment".
import { Prisma } from "~/db.server";
import { assertUnreachable } from "~/core/assert";
import { minorUnitDigits } from "~/core/money";
import type { Comparison, LeafCondition, RuleGroup, Window } from "./rules";
import { DAY_MS, HOUR_MS, compare, integerRange, startOfDate, windowStart } from "./time";

export type Dialect = "sqlite" | "postgresql";

export interface CompileContext {
  workspaceId: string;
  now: Date;
  dialect: Dialect;
  /** The workspace's currency (money thresholds are major units of it). */
  currency: string;
  /** The workspace's time zone (calendar periods, dates). */
  timeZone: string;
  /**
   * "all": evaluated over the whole workspace (recompute, count): uncorrelated set forms on time/tag indexes.
   * "few": evaluated for a handful of customers (incremental): correlated forms on per-customer indexes.
   */
  scope: "all" | "few";
}

const TRUE = Prisma.sql`(1 = 1)`;
const FALSE = Prisma.sql`(1 = 0)`;
const OPERATOR: Record<Comparison, string> = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };
const NEGATED: Record<Comparison, Comparison> = { eq: "neq", neq: "eq", gt: "lte", gte: "lt", lt: "gte", lte: "gt" };

/** `left op value`, with the operator from a closed list (never user text). */
function cmp(left: Prisma.Sql, op: Comparison, value: unknown): Prisma.Sql {
  return Prisma.sql`${left} ${Prisma.raw(OPERATOR[op])} ${value}`;
}

function not(expression: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(NOT ${expression})`;
}

function all(parts: Prisma.Sql[]): Prisma.Sql {
  return parts.length === 0 ? TRUE : Prisma.sql`(${Prisma.join(parts, " AND ")})`;
}

function any(parts: Prisma.Sql[]): Prisma.Sql {
  return parts.length === 0 ? FALSE : Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}

/**
 * A whole-number measure compared with any number, as an equivalent comparison with an integer (PostgreSQL will
 * not compare a bigint with 2.5 bound as a parameter), or a constant when the answer does not depend on it.
 */
function countComparison(left: Prisma.Sql, op: Comparison, value: number): Prisma.Sql {
  if (Number.isInteger(value)) return cmp(left, op, value);
  switch (op) {
    case "eq":
      return FALSE;
    case "neq":
      return TRUE;
    case "gt":
    case "gte":
      return cmp(left, "gte", Math.ceil(value));
    case "lt":
    case "lte":
      return cmp(left, "lte", Math.floor(value));
  }
}

/** Major units of the workspace's currency → minor units (500 → 50000 in USD). */
export function toMinor(value: number, currency: string): number {
  return Math.round(value * 10 ** minorUnitDigits(currency));
}

/**
 * A whole-day measure `floor((now - column) / day) op value` (days since), or with `sign` -1
 * `floor((column - now) / day) op value` (days until), as comparisons of the column with instants. A NULL column
 * matches nothing.
 */
function dayComparison(column: Prisma.Sql, op: Comparison, value: number, now: Date, sign: 1 | -1): Prisma.Sql {
  if (op === "neq") return all([Prisma.sql`${column} IS NOT NULL`, not(dayComparison(column, "eq", value, now, sign))]);
  const range = integerRange(op, value);
  if (range === "none") return FALSE;
  const parts = [Prisma.sql`${column} IS NOT NULL`];
  // days since ≥ lo ⇔ column ≤ now − lo days; days since < hi ⇔ column > now − hi days (mirrored for days until).
  const at = (days: number) => new Date(now.getTime() - sign * days * DAY_MS);
  if (range.lo !== null) parts.push(sign === 1 ? Prisma.sql`${column} <= ${at(range.lo)}` : Prisma.sql`${column} >= ${at(range.lo)}`);
  if (range.hi !== null) parts.push(sign === 1 ? Prisma.sql`${column} > ${at(range.hi)}` : Prisma.sql`${column} < ${at(range.hi)}`);
  return all(parts);
}

/**
 * An aggregate over a customer's rows compared with a value, where customers without rows count as 0:
 * "few" → a correlated scalar subquery; "all" → `c.id IN (… GROUP BY … HAVING …)` on the rows' own index, or, when
 * 0 itself satisfies the comparison, `NOT IN` the customers whose aggregate fails it.
 */
function aggregateComparison(
  ctx: CompileContext,
  compareWith: (left: Prisma.Sql, op: Comparison, value: number) => Prisma.Sql,
  aggregate: Prisma.Sql,
  from: Prisma.Sql,
  customerColumn: Prisma.Sql,
  where: Prisma.Sql,
  op: Comparison,
  value: number,
): Prisma.Sql {
  if (ctx.scope === "few") {
    return compareWith(Prisma.sql`(SELECT COALESCE(${aggregate}, 0) FROM ${from} WHERE ${customerColumn} = c."id" AND ${where})`, op, value);
  }
  const zeroMatches = compare(0, op, value);
  const having = zeroMatches ? NEGATED[op] : op;
  const set = Prisma.sql`(SELECT ${customerColumn} FROM ${from} WHERE ${customerColumn} IS NOT NULL AND ${where} GROUP BY ${customerColumn} HAVING ${compareWith(aggregate, having, value)})`;
  return zeroMatches ? not(Prisma.sql`c."id" IN ${set}`) : Prisma.sql`c."id" IN ${set}`;
}

/** "The customer has at least one of these rows": correlated EXISTS for a few customers, IN over the set for all. */
function hasRow(ctx: CompileContext, from: Prisma.Sql, customerColumn: Prisma.Sql, where: Prisma.Sql): Prisma.Sql {
  return ctx.scope === "few"
    ? Prisma.sql`EXISTS (SELECT 1 FROM ${from} WHERE ${customerColumn} = c."id" AND ${where})`
    : Prisma.sql`c."id" IN (SELECT ${customerColumn} FROM ${from} WHERE ${customerColumn} IS NOT NULL AND ${where})`;
}

/**
 * `"Order" o` as a FROM item. For a few customers on SQLite it names the per-customer index: without statistics
 * the planner prefers the covering Order(workspaceId, placedAt, cancelledAt, customerId) index (one equality,
 * index-only) and would read the whole workspace's window of orders for each customer. PostgreSQL has statistics.
 */
function ordersFrom(ctx: CompileContext): Prisma.Sql {
  return ctx.scope === "few" && ctx.dialect === "sqlite" ? Prisma.sql`"Order" o INDEXED BY "Order_workspaceId_customerId_placedAt_idx"` : Prisma.sql`"Order" o`;
}

function validOrders(ctx: CompileContext, window: Window | undefined): Prisma.Sql {
  const parts = [Prisma.sql`o."workspaceId" = ${ctx.workspaceId}`, Prisma.sql`o."cancelledAt" IS NULL`];
  if (window) parts.push(Prisma.sql`o."placedAt" >= ${windowStart(window, ctx.now, ctx.timeZone)}`);
  return all(parts);
}

function jsonArrayLength(ctx: CompileContext, column: Prisma.Sql): Prisma.Sql {
  return ctx.dialect === "postgresql" ? Prisma.sql`jsonb_array_length(${column})` : Prisma.sql`json_array_length(${column})`;
}

const METRIC_COLUMN = {
  days_since_last_order: Prisma.sql`c."lastOrderAt"`,
  days_since_first_order: Prisma.sql`c."firstOrderAt"`,
  days_since_created: Prisma.sql`c."createdAt"`,
} as const;

const DATE_COLUMN = {
  created_at: Prisma.sql`c."createdAt"`,
  first_order_at: Prisma.sql`c."firstOrderAt"`,
  last_order_at: Prisma.sql`c."lastOrderAt"`,
} as const;

const LOCATION_COLUMN = {
  country: Prisma.sql`c."country"`,
  region: Prisma.sql`c."region"`,
  city: Prisma.sql`c."city"`,
} as const;

/** Region values match with or without their country prefix ("CA-ON" also matches "ON"). */
export function locationValues(field: "country" | "region" | "city", values: string[]): string[] {
  const lowered = values.map((value) => value.trim().toLowerCase());
  const expanded = field === "region" ? lowered.flatMap((value) => (value.includes("-") ? [value, value.slice(value.indexOf("-") + 1)] : [value])) : lowered;
  return [...new Set(expanded)];
}

function compileLeaf(leaf: LeafCondition, ctx: CompileContext): Prisma.Sql {
  const { workspaceId, now } = ctx;
  switch (leaf.kind) {
    case "email_domain": {
      const match = all([Prisma.sql`c."email" IS NOT NULL`, Prisma.sql`c."email" LIKE ${`%@${leaf.value}`}`]);
      return leaf.op === "is" ? match : not(match);
    }
    case "location": {
      const column = LOCATION_COLUMN[leaf.field];
      const match = all([Prisma.sql`${column} IS NOT NULL`, Prisma.sql`LOWER(${column}) IN (${Prisma.join(locationValues(leaf.field, leaf.values))})`]);
      return leaf.op === "is" ? match : not(match);
    }
    case "tag": {
      const match = hasRow(ctx, Prisma.sql`"CustomerTag" t`, Prisma.sql`t."customerId"`, all([Prisma.sql`t."workspaceId" = ${workspaceId}`, Prisma.sql`t."tag" = ${leaf.value.toLowerCase()}`]));
      return leaf.op === "has" ? match : not(match);
    }
    case "consent":
      return leaf.acceptsMarketing ? Prisma.sql`(c."acceptsMarketing")` : not(Prisma.sql`c."acceptsMarketing"`);
    case "metric": {
      switch (leaf.metric) {
        case "orders_count":
          return countComparison(Prisma.sql`c."ordersCount"`, leaf.op, leaf.value);
        case "total_spent":
          return cmp(Prisma.sql`c."totalSpent"`, leaf.op, toMinor(leaf.value, ctx.currency));
        case "average_order_value":
          // avg op v ⇔ total op v × count (count > 0): exact, no division. BIGINT: the product can pass 2^31.
          return all([
            Prisma.sql`c."ordersCount" > 0`,
            Prisma.sql`c."totalSpent" ${Prisma.raw(OPERATOR[leaf.op])} ${toMinor(leaf.value, ctx.currency)} * CAST(c."ordersCount" AS BIGINT)`,
          ]);
        case "days_since_last_order":
        case "days_since_first_order":
        case "days_since_created":
          return dayComparison(METRIC_COLUMN[leaf.metric], leaf.op, leaf.value, now, 1);
        default:
          return assertUnreachable(leaf.metric);
      }
    }
    case "date": {
      const column = DATE_COLUMN[leaf.field];
      const start = startOfDate(leaf.date, ctx.timeZone);
      return all([Prisma.sql`${column} IS NOT NULL`, leaf.op === "before" ? Prisma.sql`${column} < ${start}` : Prisma.sql`${column} >= ${start}`]);
    }
    case "orders_in_window": {
      const aggregate = leaf.measure === "count" ? Prisma.sql`COUNT(*)` : Prisma.sql`SUM(o."totalPrice")`;
      const value = leaf.measure === "count" ? leaf.value : toMinor(leaf.value, ctx.currency);
      return aggregateComparison(ctx, leaf.measure === "count" ? countComparison : cmp, aggregate, ordersFrom(ctx), Prisma.sql`o."customerId"`, validOrders(ctx, leaf.window), leaf.op, value);
    }
    case "bought": {
      const line = leaf.productId !== undefined ? Prisma.sql`l."productId" = ${leaf.productId}` : Prisma.sql`l."category" = ${leaf.category ?? ""}`;
      const where = all([validOrders(ctx, leaf.window), Prisma.sql`l."workspaceId" = ${workspaceId}`, line]);
      const match = hasRow(ctx, Prisma.sql`${ordersFrom(ctx)} JOIN "OrderLine" l ON l."orderId" = o."id"`, Prisma.sql`o."customerId"`, where);
      return leaf.op === "has" ? match : not(match);
    }
    case "cart_state": {
      const since = new Date(now.getTime() - leaf.withinDays * DAY_MS);
      const idleSince = new Date(now.getTime() - leaf.idleHours * HOUR_MS);
      const match =
        leaf.state === "open_cart"
          ? hasRow(
              ctx,
              Prisma.sql`"Cart" k`,
              Prisma.sql`k."customerId"`,
              all([
                Prisma.sql`k."workspaceId" = ${workspaceId}`,
                Prisma.sql`k."lastActivityAt" >= ${since}`,
                Prisma.sql`k."lastActivityAt" <= ${idleSince}`,
                Prisma.sql`${jsonArrayLength(ctx, Prisma.sql`k."lineItems"`)} > 0`,
                // Not ordered: no checkout of the cart completed, and no order by its customer since its last activity.
                Prisma.sql`NOT EXISTS (SELECT 1 FROM "Checkout" kc WHERE kc."storeId" = k."storeId" AND kc."cartToken" = k."token" AND (kc."completedAt" IS NOT NULL OR kc."orderId" IS NOT NULL))`,
                Prisma.sql`NOT EXISTS (SELECT 1 FROM "Order" ko WHERE ko."workspaceId" = k."workspaceId" AND ko."customerId" = k."customerId" AND ko."placedAt" >= k."lastActivityAt")`,
              ]),
            )
          : hasRow(
              ctx,
              Prisma.sql`"Checkout" k`,
              Prisma.sql`k."customerId"`,
              all([
                Prisma.sql`k."workspaceId" = ${workspaceId}`,
                Prisma.sql`k."lastActivityAt" >= ${since}`,
                Prisma.sql`k."lastActivityAt" <= ${idleSince}`,
                Prisma.sql`k."completedAt" IS NULL`,
                Prisma.sql`k."orderId" IS NULL`,
              ]),
            );
      return leaf.op === "has" ? match : not(match);
    }
    case "engagement": {
      const since = new Date(now.getTime() - leaf.days * DAY_MS);
      // For the whole workspace, the window's rows on their time indexes; for a few customers, their own messages
      // on Message(workspaceId, customerId, createdAt) (an event can come long after its message was created).
      const received = all([
        Prisma.sql`m."workspaceId" = ${workspaceId}`,
        Prisma.sql`m."createdAt" >= ${since}`,
        Prisma.sql`m."status" NOT IN ('failed', 'suppressed', 'cancelled')`,
      ]);
      const reacted = all([
        Prisma.sql`m."workspaceId" = ${workspaceId}`,
        Prisma.sql`e."workspaceId" = ${workspaceId}`,
        Prisma.sql`e."type" = ${leaf.action === "opened" ? "open" : "click"}`,
        Prisma.sql`e."occurredAt" >= ${since}`,
        ...(leaf.action === "opened" ? [Prisma.sql`NOT e."machineOpen"`] : []),
      ]);
      const match =
        leaf.action === "received"
          ? hasRow(ctx, Prisma.sql`"Message" m`, Prisma.sql`m."customerId"`, received)
          : hasRow(ctx, Prisma.sql`"MessageEvent" e JOIN "Message" m ON m."id" = e."messageId"`, Prisma.sql`m."customerId"`, reacted);
      return leaf.op === "has" ? match : not(match);
    }
    case "store": {
      const match = all([Prisma.sql`c."originStoreId" IS NOT NULL`, Prisma.sql`c."originStoreId" IN (${Prisma.join(leaf.storeIds)})`]);
      return leaf.op === "is" ? match : not(match);
    }
    case "segment": {
      const match = hasRow(ctx, Prisma.sql`"SegmentMembership" sm`, Prisma.sql`sm."customerId"`, Prisma.sql`sm."segmentId" = ${leaf.segmentId}`);
      return leaf.op === "in" ? match : not(match);
    }
    case "prediction": {
      const where = [Prisma.sql`p."workspaceId" = ${workspaceId}`];
      const measure = leaf.measure;
      switch (measure) {
        case "churn_probability":
          where.push(cmp(Prisma.sql`p."churnProbability"`, leaf.op, leaf.value));
          break;
        case "clv_12m":
          where.push(cmp(Prisma.sql`p."clv12m"`, leaf.op, toMinor(leaf.value, ctx.currency)));
          break;
        case "expected_orders_12m":
          where.push(cmp(Prisma.sql`p."expectedOrders12m"`, leaf.op, leaf.value));
          break;
        case "days_until_next_order":
          where.push(dayComparison(Prisma.sql`p."nextOrderAt"`, leaf.op, leaf.value, now, -1));
          break;
        default:
          return assertUnreachable(measure);
      }
      return hasRow(ctx, Prisma.sql`"CustomerPrediction" p`, Prisma.sql`p."customerId"`, all(where));
    }
    default:
      return assertUnreachable(leaf);
  }
}

/**
 * A rule as one boolean SQL expression over `"Customer" c` (the caller restricts c to the workspace). It reads only
 * the columns of the narrow covering indexes for metric rules, so a full recompute can walk them without reading
 * the table: use `compileMembership` where the erased-customer check belongs in the same expression.
 */
export function compileRule(rule: RuleGroup, ctx: CompileContext): Prisma.Sql {
  const parts = rule.conditions.map((condition) => (condition.kind === "group" ? compileRule(condition, ctx) : compileLeaf(condition, ctx)));
  return rule.match === "all" ? all(parts) : any(parts);
}

/** Erased customers (privacy redaction) keep their totals but are never members of anything. */
export const NOT_REDACTED = Prisma.sql`c."redactedAt" IS NULL`;

/** Membership of `c`: the rule, and the customer not erased. Incremental evaluation, previews and counts use it. */
export function compileMembership(rule: RuleGroup, ctx: CompileContext): Prisma.Sql {
  return all([compileRule(rule, ctx), NOT_REDACTED]);
}

/** Per leaf (depth-first, as leavesOf), whether it holds for `c`, and the window's count or spend for explanations. */
export function compileLeafFacts(rule: RuleGroup, ctx: CompileContext): { holds: Prisma.Sql; amount: Prisma.Sql | null }[] {
  const out: { holds: Prisma.Sql; amount: Prisma.Sql | null }[] = [];
  const walk = (group: RuleGroup) => {
    for (const condition of group.conditions) {
      if (condition.kind === "group") {
        walk(condition);
        continue;
      }
      const amount =
        condition.kind === "orders_in_window"
          ? Prisma.sql`(SELECT COALESCE(${condition.measure === "count" ? Prisma.sql`COUNT(*)` : Prisma.sql`SUM(o."totalPrice")`}, 0) FROM ${ordersFrom({ ...ctx, scope: "few" })} WHERE o."customerId" = c."id" AND ${validOrders(ctx, condition.window)})`
          : null;
      out.push({ holds: compileLeaf(condition, { ...ctx, scope: "few" }), amount });
    }
  };
  walk(rule);
  return out;
}
