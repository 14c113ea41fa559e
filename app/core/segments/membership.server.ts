// Materialised membership: SegmentMembership rows, Segment.memberCount and the day's SegmentCountHistory row move
// together. Three ways in, one compiled expression (compile.server.ts):
// - a silent baseline when a segment is created or its rule edited (set-based INSERT … SELECT / DELETE);
// - incremental re-evaluation of a few customers after their events, or when time moved them (sweeps);
// - a scheduled full recompute that repairs drift.
// The last two write segment.entered / segment.exited Event rows and hand them to flows in the same transaction.
import { Prisma, type Db, type DbTx } from "~/db.server";
import { routeEventToFlows } from "~/core/flows/enroll.server";
import { createVersionCache } from "~/core/flows/versions.server";
import { segmentEvent, type SegmentChangeData } from "~/core/events";
import { compileMembership, compileRule, type CompileContext } from "./compile.server";
import { dependencyLevels, dependentsOf, loadActiveSegments, ruleState, workspaceRuleContext, type LoadedSegment, type RuleState, type WorkspaceRuleContext } from "./context.server";
import { explainMany } from "./explain.server";
import { utcDay } from "./time";

export type SegmentChangeCause = SegmentChangeData["cause"];

export interface SegmentChange {
  segmentId: string;
  customerId: string;
  change: "entered" | "exited";
}

/** Customers per evaluation query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** SQLite answers 1/0 (as bigint), PostgreSQL true/false. */
function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

function compileContext(context: WorkspaceRuleContext, now: Date, scope: CompileContext["scope"]): CompileContext {
  return { ...context, now, scope };
}

/**
 * Whether any live flow could react to a segment change: a segment trigger, or an event trigger listing
 * segment.entered / segment.exited. Checked once per batch, so workspaces without such flows pay one query.
 */
async function flowsListenToSegments(tx: DbTx, workspaceId: string): Promise<boolean> {
  const flows = await tx.flow.findMany({ where: { workspaceId, status: "live", liveVersionId: { not: null } }, select: { liveVersionId: true } });
  const versionIds = flows.flatMap((flow) => (flow.liveVersionId ? [flow.liveVersionId] : []));
  if (versionIds.length === 0) return false;
  const versions = await tx.flowVersion.findMany({ where: { workspaceId, id: { in: versionIds } }, select: { definition: true } });
  return versions.some(({ definition }) => {
    const trigger: unknown = typeof definition === "object" && definition !== null && "trigger" in definition ? definition.trigger : null;
    if (typeof trigger !== "object" || trigger === null) return false;
    if ("type" in trigger && trigger.type === "segment") return true;
    const events: unknown = "events" in trigger ? trigger.events : null;
    return Array.isArray(events) && events.some((type) => type === "segment.entered" || type === "segment.exited");
  });
}

type SegmentDefinition = Pick<LoadedSegment, "id" | "name" | "rule">;

/** `CASE "id" WHEN ? THEN ? … END` over per-segment integers (cast: PostgreSQL types bare parameters as text). */
function perSegment(column: Prisma.Sql, values: Map<string, number>): Prisma.Sql {
  const arms = [...values].map(([id, value]) => Prisma.sql`WHEN ${id} THEN CAST(${value} AS INTEGER)`);
  if (arms.length === 0) return Prisma.sql`0`;
  return Prisma.sql`(CASE ${column} ${Prisma.join(arms, " ")} ELSE 0 END)`;
}

/**
 * Counts, the day's history row, Event rows and flow routing for changes already applied to SegmentMembership,
 * in a fixed number of statements: one UPDATE for every segment's count, one upsert for their history rows, one
 * explanation query per segment that gained members, one INSERT of the events. `why` is computed for entries;
 * exits carry none.
 */
async function recordChanges(tx: DbTx, input: { state: RuleState; changes: SegmentChange[]; now: Date; cause: SegmentChangeCause; silent?: boolean }): Promise<void> {
  const { state, changes, now, cause } = input;
  if (changes.length === 0) return;
  const { context } = state;
  const { workspaceId } = context;
  const day = utcDay(now);
  const entered = new Map<string, string[]>();
  const delta = new Map<string, number>();
  const enteredCount = new Map<string, number>();
  const exitedCount = new Map<string, number>();
  for (const change of changes) {
    const sign = change.change === "entered" ? 1 : -1;
    delta.set(change.segmentId, (delta.get(change.segmentId) ?? 0) + sign);
    const counter = change.change === "entered" ? enteredCount : exitedCount;
    counter.set(change.segmentId, (counter.get(change.segmentId) ?? 0) + 1);
    if (change.change === "entered") entered.set(change.segmentId, [...(entered.get(change.segmentId) ?? []), change.customerId]);
  }
  const segmentIds = [...delta.keys()];
  // Raw statements: the count is not part of the definition, so updatedAt (the rule cache's key) stays.
  await tx.$executeRaw(Prisma.sql`UPDATE "Segment" SET "memberCount" = "memberCount" + ${perSegment(Prisma.sql`"id"`, delta)} WHERE "id" IN (${Prisma.join(segmentIds)})`);
  await tx.$executeRaw(
    Prisma.sql`INSERT INTO "SegmentCountHistory" ("segmentId", "day", "workspaceId", "members", "entered", "exited")
      SELECT s."id", CAST(${day} AS TEXT), s."workspaceId", s."memberCount", ${perSegment(Prisma.sql`s."id"`, enteredCount)}, ${perSegment(Prisma.sql`s."id"`, exitedCount)}
      FROM "Segment" s WHERE s."id" IN (${Prisma.join(segmentIds)})
      ON CONFLICT ("segmentId", "day") DO UPDATE SET "members" = excluded."members",
        "entered" = "SegmentCountHistory"."entered" + excluded."entered", "exited" = "SegmentCountHistory"."exited" + excluded."exited"`,
  );
  if (input.silent) return;

  const why = new Map<string, Map<string, string>>();
  for (const [segmentId, customerIds] of entered) {
    const segment = state.byId.get(segmentId);
    if (segment) why.set(segmentId, await explainMany(tx, { context, segment, customerIds, now }));
  }
  const events = changes.map((change) => ({
    customerId: change.customerId,
    type: change.change === "entered" ? ("segment.entered" as const) : ("segment.exited" as const),
    data: {
      segment: { id: change.segmentId, name: state.byId.get(change.segmentId)?.name ?? "" },
      why: change.change === "entered" ? (why.get(change.segmentId)?.get(change.customerId) ?? null) : null,
      cause,
    } satisfies SegmentChangeData,
  }));
  for (const batch of chunks(events)) {
    await tx.event.createMany({
      data: batch.map((event) => ({ workspaceId, storeId: null, customerId: event.customerId, type: event.type, version: 1, occurredAt: now, data: event.data })),
    });
  }
  state.flowsListen ??= await flowsListenToSegments(tx, workspaceId);
  if (!state.flowsListen) return;
  // One read of each live flow version for all these changes.
  const versions = createVersionCache();
  for (const event of events) {
    await routeEventToFlows(tx, {
      workspaceId,
      event: segmentEvent({ change: event.type === "segment.entered" ? "entered" : "exited", data: event.data, occurredAt: now }),
      customerId: event.customerId,
      checkoutId: null,
      now,
    }, versions);
  }
}

/** Inserts and deletes membership rows for changes of any number of segments: one statement each per chunk. */
async function applyChanges(tx: DbTx, input: { workspaceId: string; changes: SegmentChange[]; now: Date }) {
  const entered = input.changes.filter((change) => change.change === "entered");
  const exited = input.changes.filter((change) => change.change === "exited");
  for (const batch of chunks(entered)) {
    await tx.segmentMembership.createMany({
      data: batch.map((change) => ({ segmentId: change.segmentId, customerId: change.customerId, workspaceId: input.workspaceId, enteredAt: input.now })),
    });
  }
  for (const batch of chunks(exited)) {
    const bySegment = new Map<string, string[]>();
    for (const change of batch) bySegment.set(change.segmentId, [...(bySegment.get(change.segmentId) ?? []), change.customerId]);
    await tx.segmentMembership.deleteMany({
      where: { workspaceId: input.workspaceId, OR: [...bySegment].map(([segmentId, customerIds]) => ({ segmentId, customerId: { in: customerIds } })) },
    });
  }
}

/**
 * Evaluates `segments` (any order; dependencies first is arranged here) for the given customers and applies
 * the differences to their memberships. One SELECT per dependency level per chunk of customers, with two
 * boolean columns per segment (the rule now, and whether the customer is a member). Returns the changes
 * (counts, history and events are the caller's: recordChanges).
 */
async function evaluateFor(tx: DbTx, input: { context: WorkspaceRuleContext; segments: SegmentDefinition[]; customerIds: string[]; now: Date }): Promise<SegmentChange[]> {
  const { context, now } = input;
  const { workspaceId } = context;
  const compileAs = compileContext(context, now, "few");
  const changes: SegmentChange[] = [];
  for (const level of dependencyLevels(input.segments)) {
    const levelChanges: SegmentChange[] = [];
    for (const ids of chunks([...new Set(input.customerIds)])) {
      const columns = level.flatMap((segment, index) => [
        Prisma.sql`${compileMembership(segment.rule, compileAs)} AS ${Prisma.raw(`"s${index}"`)}`,
        Prisma.sql`EXISTS (SELECT 1 FROM "SegmentMembership" m WHERE m."segmentId" = ${segment.id} AND m."customerId" = c."id") AS ${Prisma.raw(`"m${index}"`)}`,
      ]);
      const rows = await tx.$queryRaw<Record<string, unknown>[]>(
        Prisma.sql`SELECT c."id" AS "id", ${Prisma.join(columns)} FROM "Customer" c WHERE c."workspaceId" = ${workspaceId} AND c."id" IN (${Prisma.join(ids)})`,
      );
      for (const row of rows) {
        const customerId = String(row.id);
        for (const [index, segment] of level.entries()) {
          const inside = isTrue(row[`s${index}`]);
          const was = isTrue(row[`m${index}`]);
          if (inside !== was) levelChanges.push({ segmentId: segment.id, customerId, change: inside ? "entered" : "exited" });
        }
      }
      if (rows.length < ids.length) {
        // A customer of another workspace, or gone: never a member here (rare; normally cascades see to it).
        const present = new Set(rows.map((row) => String(row.id)));
        const missing = ids.filter((id) => !present.has(id));
        const stale = await tx.segmentMembership.findMany({
          where: { workspaceId, segmentId: { in: level.map((segment) => segment.id) }, customerId: { in: missing } },
          select: { segmentId: true, customerId: true },
        });
        levelChanges.push(...stale.map((row) => ({ segmentId: row.segmentId, customerId: row.customerId, change: "exited" as const })));
      }
    }
    // Applied before the next level, which may name these segments.
    await applyChanges(tx, { workspaceId, changes: levelChanges, now });
    changes.push(...levelChanges);
  }
  return changes;
}

/**
 * Re-evaluates every active segment of the workspace for these customers (after their events, or when time
 * moved them), applies the differences, writes the Event rows and routes them to flows. Runs in the caller's
 * transaction. With nothing to change it costs two statements (the rule state's key and one evaluation).
 */
export async function reevaluateCustomers(
  tx: DbTx,
  input: { workspaceId: string; customerIds: string[]; now: Date; cause: SegmentChangeCause },
): Promise<SegmentChange[]> {
  if (input.customerIds.length === 0) return [];
  const state = await ruleState(tx, input.workspaceId);
  if (state.segments.length === 0) return [];
  const changes = await evaluateFor(tx, { context: state.context, segments: state.segments, customerIds: input.customerIds, now: input.now });
  await recordChanges(tx, { state, changes, now: input.now, cause: input.cause });
  return changes;
}

/**
 * The customers of the workspace a rule holds for, as a materialised CTE "r" (one column "id"), read from the
 * narrow covering indexes where the rule is about metrics: the rule sits in WHERE, so SQLite walks only its range.
 * Erasure is checked apart (`notRedacted`), only for customers about to enter, so the walk never reads the table.
 * On SQLite r is sorted by id: the probes of SegmentMembership's (segmentId, customerId) key and the inserts into
 * it then go in key order (at 1M customers, twice as fast as in the order of a metric index); PostgreSQL hashes.
 */
function ruleMembers(context: WorkspaceRuleContext, rule: Prisma.Sql): Prisma.Sql {
  const order = context.dialect === "sqlite" ? Prisma.sql` ORDER BY c."id"` : Prisma.empty;
  return Prisma.sql`WITH "r" AS MATERIALIZED (SELECT c."id" AS "id" FROM "Customer" c WHERE c."workspaceId" = ${context.workspaceId} AND ${rule}${order})`;
}

/**
 * The customer with this id is not erased. Erased customers never enter; their rows go when they are erased
 * (privacy.server.ts deletes their memberships in the transaction that sets redactedAt), so the diffs below need
 * not read every member's row to find them.
 */
function notRedacted(id: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "Customer" x WHERE x."id" = ${id} AND x."redactedAt" IS NOT NULL)`;
}

/** Members to add: in r, not yet a member (tested first, so the erasure check reads only newcomers' rows), not erased. */
function toEnter(segmentId: string): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "SegmentMembership" m WHERE m."segmentId" = ${segmentId} AND m."customerId" = r."id") AND ${notRedacted(Prisma.sql`r."id"`)}`;
}

/**
 * The count from the rows, and today's history row with it, as two statements for a batch transaction (raw: an
 * UPDATE through the client would move updatedAt, the rule cache's key, though the definition did not change).
 * The second returns the count.
 */
function settleCount(db: Db, input: { workspaceId: string; segmentId: string; now: Date; baseline: boolean }) {
  const { workspaceId, segmentId, now } = input;
  return [
    db.$executeRaw(
      Prisma.sql`UPDATE "Segment" SET "memberCount" = (SELECT COUNT(*) FROM "SegmentMembership" m WHERE m."segmentId" = ${segmentId}), "computedAt" = ${now}
        ${input.baseline ? Prisma.sql`, "sweptAt" = ${now}` : Prisma.empty} WHERE "id" = ${segmentId}`,
    ),
    db.$queryRaw<{ members: unknown }[]>(
      Prisma.sql`INSERT INTO "SegmentCountHistory" ("segmentId", "day", "workspaceId", "members", "entered", "exited")
        SELECT s."id", CAST(${utcDay(now)} AS TEXT), ${workspaceId}, s."memberCount", 0, 0 FROM "Segment" s WHERE s."id" = ${segmentId}
        ON CONFLICT ("segmentId", "day") DO UPDATE SET "members" = excluded."members"
        RETURNING "members"`,
    ),
  ] as const;
}

/**
 * A segment's membership computed from scratch without telling anyone: after it is created or its rule changes
 * (a new or edited definition is not news about its customers; a flow's segment trigger can backfill current
 * members if the merchant wants). Members who stay keep their enteredAt. Set-based: two statements and a count.
 * Segments that name this one follow silently, for the same reason.
 */
export async function computeBaseline(db: Db, input: { workspaceId: string; segmentId: string; now: Date }): Promise<{ members: number }> {
  const segments = await loadActiveSegments(db, input.workspaceId);
  const segment = segments.find((candidate) => candidate.id === input.segmentId);
  if (!segment) return { members: 0 };
  const context = await workspaceRuleContext(db, input.workspaceId);
  let members = 0;
  for (const target of [segment, ...dependentsOf(segments, segment.id)]) {
    const count = await baselineOne(db, context, target, input.now);
    if (target.id === segment.id) members = count;
  }
  return { members };
}

async function baselineOne(db: Db, context: WorkspaceRuleContext, segment: LoadedSegment, now: Date): Promise<number> {
  const rule = compileRule(segment.rule, compileContext(context, now, "all"));
  const { workspaceId } = context;
  // A batch transaction (no interactive timeout): the statements may take seconds on a million customers.
  const [, , , members] = await db.$transaction([
    db.$executeRaw(
      Prisma.sql`${ruleMembers(context, rule)}
        DELETE FROM "SegmentMembership" WHERE "segmentId" = ${segment.id} AND NOT EXISTS (SELECT 1 FROM "r" r WHERE r."id" = "SegmentMembership"."customerId")`,
    ),
    db.$executeRaw(
      Prisma.sql`${ruleMembers(context, rule)}
        INSERT INTO "SegmentMembership" ("segmentId", "customerId", "workspaceId", "enteredAt")
        SELECT ${segment.id}, r."id", ${workspaceId}, ${now} FROM "r" r WHERE ${toEnter(segment.id)}`,
    ),
    ...settleCount(db, { workspaceId, segmentId: segment.id, now, baseline: true }),
  ]);
  return Number(members[0]?.members ?? 0);
}

/**
 * A full recompute that repairs drift. One statement finds the differences as set operations between the rule's
 * members (r, from the covering indexes) and the stored ones: r minus members (entering; erased customers
 * excluded) and members minus r (exiting). The differences are applied in batches (each its own transaction)
 * with their events, and segments that name this one are re-evaluated for the customers that moved. A segment
 * never computed gets its silent baseline.
 */
export async function recomputeSegment(db: Db, input: { workspaceId: string; segmentId: string; now: Date }): Promise<{ entered: number; exited: number; members: number }> {
  const { workspaceId, segmentId, now } = input;
  const segments = await loadActiveSegments(db, workspaceId);
  const segment = segments.find((candidate) => candidate.id === segmentId);
  if (!segment) return { entered: 0, exited: 0, members: 0 };
  if (!segment.computedAt) return { entered: 0, exited: 0, ...(await computeBaseline(db, input)) };

  const state = await ruleState(db, workspaceId);
  const rule = compileRule(segment.rule, compileContext(state.context, now, "all"));
  const differing = await db.$queryRaw<{ id: string; inside: unknown }[]>(
    Prisma.sql`${ruleMembers(state.context, rule)}
      SELECT r."id" AS "id", 1 AS "inside" FROM "r" r WHERE ${toEnter(segmentId)}
      UNION ALL
      SELECT m."customerId", 0 FROM "SegmentMembership" m WHERE m."segmentId" = ${segmentId} AND NOT EXISTS (SELECT 1 FROM "r" r WHERE r."id" = m."customerId")`,
  );
  const moves: SegmentChange[] = differing.map((row) => ({ segmentId, customerId: String(row.id), change: isTrue(row.inside) ? "entered" : "exited" }));
  const dependents = dependentsOf(segments, segmentId);
  for (const batch of chunks(moves)) {
    await db.$transaction(
      async (tx) => {
        await applyChanges(tx, { workspaceId, changes: batch, now });
        await recordChanges(tx, { state, changes: batch, now, cause: "recompute" });
        if (dependents.length > 0) {
          const followers = await evaluateFor(tx, { context: state.context, segments: dependents, customerIds: batch.map((move) => move.customerId), now });
          await recordChanges(tx, { state, changes: followers, now, cause: "recompute" });
        }
      },
      { timeout: 60_000 },
    );
  }
  // The stored count follows the rows exactly, whatever drifted. A membership of an erased customer (only a race
  // between a re-evaluation and the redaction's delete can leave one) goes silently, as the redaction's did.
  const [, , counted] = await db.$transaction([
    db.$executeRaw(
      Prisma.sql`DELETE FROM "SegmentMembership" WHERE "segmentId" = ${segmentId}
        AND "customerId" IN (SELECT x."id" FROM "Customer" x WHERE x."workspaceId" = ${workspaceId} AND x."redactedAt" IS NOT NULL)`,
    ),
    ...settleCount(db, { workspaceId, segmentId, now, baseline: false }),
  ]);
  const members = Number(counted[0]?.members ?? 0);
  const entered = moves.filter((move) => move.change === "entered").length;
  return { entered, exited: moves.length - entered, members };
}
