// Segments: saved rules with materialised membership (membership.server.ts). Creating a segment or editing its rule
// computes its membership silently; later moves are news (segment.entered / segment.exited). Everything here takes
// its workspace explicitly and reads only that workspace's rows.
import { Prisma, type Db, type DbTx } from "~/db.server";
import { minorUnitDigits } from "~/core/money";
import { compileMembership } from "./compile.server";
import { forgetRuleState, workspaceRuleContext } from "./context.server";
import { explainMany } from "./explain.server";
import { computeBaseline } from "./membership.server";
import { BUILTIN_SEGMENTS, BUILTIN_SEGMENT_DEFINITIONS, referencedSegments, validateRule, type SegmentRule } from "./rules";
import { utcDay, DAY_MS } from "./time";

export { reevaluateCustomers, recomputeSegment, type SegmentChange } from "./membership.server";
export { runSegmentMaintenance } from "./maintenance.server";

export interface SegmentProblem {
  path: string;
  message: string;
}

export interface SegmentRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  builtin: string | null;
  rule: SegmentRule;
  status: "active" | "archived";
  memberCount: number;
  computedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SegmentSummary extends SegmentRecord {
  /** Members per day for the last 30 days, oldest first (days without a row carry the previous day's count). */
  trend: { day: string; members: number }[];
}

export type SegmentResult = { ok: true; segment: SegmentRecord } | { ok: false; problems: SegmentProblem[] };

export interface MemberRow {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  ordersCount: number;
  /** Minor units of `currency`. */
  totalSpent: number;
  currency: string | null;
  lastOrderAt: Date | null;
  enteredAt?: Date;
}

type SegmentRow = Prisma.SegmentGetPayload<object>;

function toRecord(row: SegmentRow): SegmentRecord | null {
  const parsed = validateRule(row.rule);
  if (!parsed.ok) return null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    builtin: row.builtin,
    rule: parsed.rule,
    status: row.status === "archived" ? "archived" : "active",
    memberCount: row.memberCount,
    computedAt: row.computedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const NAME_MAX = 120;

/** A parsed rule as the JSON column takes it (plain data already; the round trip gives Prisma its JSON type). */
function ruleJson(rule: SegmentRule): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(rule));
}

function nameProblems(name: unknown): SegmentProblem[] {
  if (typeof name !== "string" || name.trim().length === 0) return [{ path: "name", message: "name the segment" }];
  if (name.trim().length > NAME_MAX) return [{ path: "name", message: `a name is at most ${NAME_MAX} characters` }];
  return [];
}

/**
 * A rule checked against the workspace: its shape (rules.ts), then the segments and stores it names exist here,
 * the segments are active, and no segment would (through others) depend on itself.
 */
export async function checkRule(db: DbTx, input: { workspaceId: string; rule: unknown; segmentId?: string }): Promise<{ ok: true; rule: SegmentRule } | { ok: false; problems: SegmentProblem[] }> {
  const parsed = validateRule(input.rule);
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map((problem) => ({ path: problem.path === "(rule)" ? "rule" : `rule.${problem.path}`.replace(/\.$/, ""), message: problem.message })) };
  const rule = parsed.rule;
  const problems: SegmentProblem[] = [];
  const segments = await db.segment.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true, name: true, status: true, rule: true } });
  const byId = new Map(segments.map((segment) => [segment.id, segment]));
  const stores = new Set((await db.store.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true } })).map((store) => store.id));

  const walk = (group: SegmentRule, path: string) => {
    group.conditions.forEach((condition, index) => {
      const at = `${path}.conditions[${index}]`;
      if (condition.kind === "group") return walk(condition, at);
      if (condition.kind === "segment") {
        const target = byId.get(condition.segmentId);
        if (!target) problems.push({ path: `${at}.segmentId`, message: "no such segment in this workspace" });
        else if (target.status !== "active") problems.push({ path: `${at}.segmentId`, message: `"${target.name}" is archived` });
        else if (condition.segmentId === input.segmentId) problems.push({ path: `${at}.segmentId`, message: "a segment cannot refer to itself" });
        else if (input.segmentId && dependsOn(condition.segmentId, input.segmentId, byId)) {
          problems.push({ path: `${at}.segmentId`, message: `"${target.name}" refers back to this segment (a cycle)` });
        }
      }
      if (condition.kind === "store") {
        condition.storeIds.forEach((storeId, storeIndex) => {
          if (!stores.has(storeId)) problems.push({ path: `${at}.storeIds[${storeIndex}]`, message: "no such store in this workspace" });
        });
      }
    });
  };
  walk(rule, "rule");
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rule };
}

/** Whether segment `from` refers to `target`, directly or through other segments. */
function dependsOn(from: string, target: string, byId: Map<string, { rule: unknown }>): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() ?? "";
    if (id === target) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const parsed = validateRule(byId.get(id)?.rule);
    if (parsed.ok) stack.push(...referencedSegments(parsed.rule));
  }
  return false;
}

/** The four built-in segments, created once per workspace (each with its baseline); later calls change nothing. */
export async function ensureBuiltinSegments(db: Db, input: { workspaceId: string; now: Date }): Promise<void> {
  const existing = new Set(
    (await db.segment.findMany({ where: { workspaceId: input.workspaceId, builtin: { not: null } }, select: { builtin: true } })).map((segment) => segment.builtin),
  );
  for (const builtin of BUILTIN_SEGMENTS) {
    if (existing.has(builtin)) continue;
    const definition = BUILTIN_SEGMENT_DEFINITIONS[builtin];
    let segmentId: string;
    try {
      segmentId = (
        await db.segment.create({
          data: { workspaceId: input.workspaceId, builtin, name: definition.name, description: definition.description, rule: ruleJson(definition.rule), createdAt: input.now },
          select: { id: true },
        })
      ).id;
    } catch (error) {
      // Two requests created it at once (unique workspaceId + builtin): the other one's row stands.
      if (typeof error === "object" && error !== null && "code" in error && error.code === "P2002") continue;
      throw error;
    }
    forgetRuleState(input.workspaceId);
    await computeBaseline(db, { workspaceId: input.workspaceId, segmentId, now: input.now });
  }
}

export async function listSegments(db: Db, input: { workspaceId: string; includeArchived?: boolean; now?: Date }): Promise<SegmentSummary[]> {
  if ((await db.segment.count({ where: { workspaceId: input.workspaceId, builtin: { not: null } } })) === 0) {
    // Workspaces made before segments existed get the built-ins on first look.
    const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { updatedAt: true } });
    if (workspace) await ensureBuiltinSegments(db, { workspaceId: input.workspaceId, now: input.now ?? workspace.updatedAt });
  }
  const rows = await db.segment.findMany({
    where: { workspaceId: input.workspaceId, ...(input.includeArchived ? {} : { status: "active" }) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const records = rows.flatMap((row) => toRecord(row) ?? []);
  const latest = records.reduce((max, record) => Math.max(max, record.computedAt?.getTime() ?? 0, record.updatedAt.getTime()), 0);
  const end = input.now ?? new Date(latest || 0);
  const days = Array.from({ length: 30 }, (_, index) => utcDay(new Date(end.getTime() - (29 - index) * DAY_MS)));
  const history = await db.segmentCountHistory.findMany({
    where: { workspaceId: input.workspaceId, segmentId: { in: records.map((record) => record.id) }, day: { lte: days[29] } },
    orderBy: { day: "asc" },
    select: { segmentId: true, day: true, members: true },
  });
  return records.map((record) => {
    const own = history.filter((row) => row.segmentId === record.id);
    let carried: number | null = null;
    let cursor = 0;
    const trend: { day: string; members: number }[] = [];
    for (const day of days) {
      while (cursor < own.length && own[cursor].day <= day) carried = own[cursor++].members;
      if (carried !== null) trend.push({ day, members: carried });
    }
    return { ...record, trend };
  });
}

export async function getSegment(db: DbTx, input: { workspaceId: string; segmentId: string }): Promise<SegmentRecord | null> {
  const row = await db.segment.findFirst({ where: { id: input.segmentId, workspaceId: input.workspaceId } });
  return row ? toRecord(row) : null;
}

export async function createSegment(db: Db, input: { workspaceId: string; name: string; description?: string | null; rule: unknown; now: Date }): Promise<SegmentResult> {
  const checked = await checkRule(db, { workspaceId: input.workspaceId, rule: input.rule });
  const problems = [...nameProblems(input.name), ...(checked.ok ? [] : checked.problems)];
  if (!checked.ok || problems.length > 0) return { ok: false, problems };
  const row = await db.segment.create({
    data: { workspaceId: input.workspaceId, name: input.name.trim(), description: input.description?.trim() || null, rule: ruleJson(checked.rule), createdAt: input.now },
  });
  forgetRuleState(input.workspaceId);
  await computeBaseline(db, { workspaceId: input.workspaceId, segmentId: row.id, now: input.now });
  const segment = await getSegment(db, { workspaceId: input.workspaceId, segmentId: row.id });
  return segment ? { ok: true, segment } : { ok: false, problems: [{ path: "rule", message: "the segment could not be read back" }] };
}

export async function updateSegment(
  db: Db,
  input: { workspaceId: string; segmentId: string; name?: string; description?: string | null; rule?: unknown; now: Date },
): Promise<SegmentResult> {
  const existing = await getSegment(db, input);
  if (!existing) return { ok: false, problems: [{ path: "segmentId", message: "no such segment" }] };
  const checked = input.rule === undefined ? null : await checkRule(db, { workspaceId: input.workspaceId, rule: input.rule, segmentId: input.segmentId });
  const problems = [...(input.name === undefined ? [] : nameProblems(input.name)), ...(checked && !checked.ok ? checked.problems : [])];
  if (problems.length > 0) return { ok: false, problems };
  const rule = checked?.ok ? checked.rule : null;
  const ruleChanged = rule !== null && JSON.stringify(rule) !== JSON.stringify(existing.rule);
  await db.segment.update({
    where: { id: existing.id },
    data: {
      ...(input.name === undefined ? {} : { name: input.name.trim() }),
      ...(input.description === undefined ? {} : { description: input.description?.trim() || null }),
      ...(ruleChanged && rule ? { rule: ruleJson(rule) } : {}),
    },
  });
  forgetRuleState(input.workspaceId);
  // A new rule is a new definition, not news about customers: its membership is recomputed silently.
  if (ruleChanged && existing.status === "active") await computeBaseline(db, { workspaceId: input.workspaceId, segmentId: existing.id, now: input.now });
  const segment = await getSegment(db, input);
  return segment ? { ok: true, segment } : { ok: false, problems: [{ path: "segmentId", message: "no such segment" }] };
}

/**
 * Archives a segment: it stops being evaluated and its membership rows go (silently). Segments that name it
 * are refused on save; ones saved before keep working against an empty set until edited.
 */
export async function archiveSegment(db: Db, input: { workspaceId: string; segmentId: string; now: Date }): Promise<boolean> {
  const updated = await db.segment.updateMany({ where: { id: input.segmentId, workspaceId: input.workspaceId, status: "active" }, data: { status: "archived", memberCount: 0 } });
  if (updated.count === 0) return false;
  forgetRuleState(input.workspaceId);
  await db.segmentMembership.deleteMany({ where: { segmentId: input.segmentId, workspaceId: input.workspaceId } });
  await db.segmentCountHistory.upsert({
    where: { segmentId_day: { segmentId: input.segmentId, day: utcDay(input.now) } },
    create: { segmentId: input.segmentId, day: utcDay(input.now), workspaceId: input.workspaceId, members: 0 },
    update: { members: 0 },
  });
  return true;
}

const MEMBER_SELECT = { id: true, email: true, firstName: true, lastName: true, ordersCount: true, totalSpent: true, currency: true, lastOrderAt: true } as const;

function toMemberRow(customer: { id: string; email: string | null; firstName: string | null; lastName: string | null; ordersCount: number; totalSpent: number; currency: string | null; lastOrderAt: Date | null }, enteredAt?: Date): MemberRow {
  return {
    customerId: customer.id,
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    ordersCount: customer.ordersCount,
    totalSpent: customer.totalSpent,
    currency: customer.currency,
    lastOrderAt: customer.lastOrderAt,
    ...(enteredAt ? { enteredAt } : {}),
  };
}

/**
 * The live count and a sample for a rule being edited: the same compiled expression as the membership, over the
 * whole workspace (COUNT(*) and a LIMIT), nothing written.
 */
export async function previewSegment(
  db: Db,
  input: { workspaceId: string; rule: unknown; now: Date; sampleSize?: number; segmentId?: string },
): Promise<{ ok: true; count: number; total: number; sample: MemberRow[] } | { ok: false; problems: SegmentProblem[] }> {
  const checked = await checkRule(db, { workspaceId: input.workspaceId, rule: input.rule, segmentId: input.segmentId });
  if (!checked.ok) return checked;
  const context = await workspaceRuleContext(db, input.workspaceId);
  const rule = compileMembership(checked.rule, { ...context, now: input.now, scope: "all" });
  const sampleSize = Math.max(0, Math.min(input.sampleSize ?? 10, 100));
  // One pass: the rule in WHERE (its indexes drive it: an order window reads Order's covering index and then only
  // the matching customers), materialised once for the count and the sample; the total from Customer(workspaceId, id).
  const rows = await db.$queryRaw<{ id: string | null; count: unknown; total: unknown }[]>(
    Prisma.sql`WITH "r" AS MATERIALIZED (SELECT c."id" AS "id" FROM "Customer" c WHERE c."workspaceId" = ${input.workspaceId} AND ${rule})
      SELECT NULL AS "id", (SELECT COUNT(*) FROM "r") AS "count", (SELECT COUNT(*) FROM "Customer" c WHERE c."workspaceId" = ${input.workspaceId}) AS "total"
      UNION ALL
      SELECT * FROM (SELECT r."id", CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM "r" r ORDER BY r."id" LIMIT ${sampleSize}) "sample"`,
  );
  const counted = rows.find((row) => row.id === null);
  const ids = rows.flatMap((row) => (row.id === null ? [] : [{ id: row.id }]));
  const customers = ids.length ? await db.customer.findMany({ where: { workspaceId: input.workspaceId, id: { in: ids.map((row) => row.id) } }, select: MEMBER_SELECT, orderBy: { id: "asc" } }) : [];
  return { ok: true, count: Number(counted?.count ?? 0), total: Number(counted?.total ?? 0), sample: customers.map((customer) => toMemberRow(customer)) };
}

/** Members ordered by customer id; `cursor` is the last customer id of the previous page. */
export async function segmentMembers(
  db: Db,
  input: { workspaceId: string; segmentId: string; cursor?: string | null; take?: number },
): Promise<{ members: MemberRow[]; nextCursor: string | null }> {
  const take = Math.max(1, Math.min(input.take ?? 50, 500));
  const rows = await db.segmentMembership.findMany({
    where: { workspaceId: input.workspaceId, segmentId: input.segmentId, ...(input.cursor ? { customerId: { gt: input.cursor } } : {}) },
    orderBy: { customerId: "asc" },
    take: take + 1,
    select: { enteredAt: true, customer: { select: MEMBER_SELECT } },
  });
  const page = rows.slice(0, take);
  return { members: page.map((row) => toMemberRow(row.customer, row.enteredAt)), nextCursor: rows.length > take ? (page.at(-1)?.customer.id ?? null) : null };
}

/** Why a member is in the segment, in one line; null when the customer is not a member (or not of this workspace). */
export async function explainMembership(db: DbTx, input: { workspaceId: string; segmentId: string; customerId: string; now: Date }): Promise<string | null> {
  const segment = await getSegment(db, input);
  const member = await db.segmentMembership.findFirst({ where: { workspaceId: input.workspaceId, segmentId: input.segmentId, customerId: input.customerId }, select: { customerId: true } });
  if (!segment || !member) return null;
  const context = await workspaceRuleContext(db, input.workspaceId);
  return (await explainMany(db, { context, segment, customerIds: [input.customerId], now: input.now })).get(input.customerId) ?? null;
}

/** The active segments a customer is in, with when they entered and why (one line each). */
export async function customerSegments(
  db: DbTx,
  input: { workspaceId: string; customerId: string; now: Date },
): Promise<{ segmentId: string; name: string; builtin: string | null; enteredAt: Date; why: string | null }[]> {
  const rows = await db.segmentMembership.findMany({
    where: { workspaceId: input.workspaceId, customerId: input.customerId, segment: { status: "active" } },
    orderBy: { enteredAt: "asc" },
    select: { enteredAt: true, segment: true },
  });
  if (rows.length === 0) return [];
  const context = await workspaceRuleContext(db, input.workspaceId);
  const out = [];
  for (const row of rows) {
    const segment = toRecord(row.segment);
    if (!segment) continue;
    const why = (await explainMany(db, { context, segment, customerIds: [input.customerId], now: input.now })).get(input.customerId) ?? null;
    out.push({ segmentId: segment.id, name: segment.name, builtin: segment.builtin, enteredAt: row.enteredAt, why });
  }
  return out;
}

function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The segment's members as CSV (RFC 4180: CRLF line ends, quoted fields where needed), a page at a time. */
export async function* segmentCsv(db: Db, input: { workspaceId: string; segmentId: string }): AsyncIterable<string> {
  yield "customer_id,email,first_name,last_name,orders_count,total_spent,currency,last_order_at,entered_at\r\n";
  let cursor: string | null = null;
  do {
    const page = await segmentMembers(db, { ...input, cursor, take: 500 });
    for (const member of page.members) {
      const digits = member.currency ? minorUnitDigits(member.currency) : 2;
      yield [
        member.customerId,
        member.email,
        member.firstName,
        member.lastName,
        member.ordersCount,
        (member.totalSpent / 10 ** digits).toFixed(digits),
        member.currency,
        member.lastOrderAt?.toISOString() ?? "",
        member.enteredAt?.toISOString() ?? "",
      ]
        .map(csvField)
        .join(",") + "\r\n";
    }
    cursor = page.nextCursor;
  } while (cursor);
}
