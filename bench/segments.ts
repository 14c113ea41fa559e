// segments: the four seed segments on a synthetic store (1M customers, 5M orders by default), ours against the
// floor of the same work, plus the incremental update after one order, the builder's live count and memory.
//
// Data: bench/segments-data.ts generates the store once (deterministic) and caches it under .cache/bench/segments/;
// each run copies it twice into a temporary directory: one copy for ours (which writes segments, memberships and
// orders into it), one for the floor (which builds any covering index our schema lacks, and writes its memberships
// into the same tables). Both connections use SQLite's defaults, as our Prisma adapter opens files.
//
// Full recompute, ours: the app's public functions (core/segments/segments.server.ts). "First computation":
// ensureBuiltinSegments on a workspace without segments (creates the four and materialises their membership).
// "Steady state": recomputeSegment for each of the four right after (the scheduled drift repair: computes every
// member set again and compares it with the stored one; nothing has changed, so nothing is written but the
// segment's count and time). Floor: the four rules as hand-written SQL over covering indexes, with
// better-sqlite3, doing the same work: the first computation INSERTs each member set into SegmentMembership and
// sets the Segment's memberCount/computedAt; the steady state puts each set in a temporary table, inserts the
// missing members, deletes the ones gone, and sets the count. Rounds alternate ours/floor; figures are medians.
// At the end both member sets are compared (symmetric difference must be empty: a wrong answer cannot look fast).
//
// Incremental: an order for a chosen customer goes through the real path (a demo-store inbox row, the inbox
// processor: profiles, timeline, flows), then reevaluateCustomers for that customer; measured until the
// membership is current. Live count: previewSegment with custom rules on a 100k-customer store.
import { copyFile, mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ManualClock } from "~/core/clock";
import type { CanonicalEvent } from "~/core/events";
import { createInboxProcessor } from "~/core/ingest/process.server";
import { silentLogger } from "~/core/logger.server";
import { BUILTIN_SEGMENT_DEFINITIONS, BUILTIN_SEGMENTS, type BuiltinSegment, type SegmentRule } from "~/core/segments/rules";
import { ensureBuiltinSegments, previewSegment, recomputeSegment, reevaluateCustomers } from "~/core/segments/segments.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { createDb, type Db } from "~/db.server";
import { intOptions, median, sig3, timeResultLine, UsageError, type Benchmark } from "./lib";
import { BENCH_NOW, ensureDataset, sqliteDateTime, WORKSPACE_ID, type Dataset } from "./segments-data";

const NAME = "segments";
const DEFAULTS = { rounds: 3, orders: 10, previews: 5 };
const DAY = 86_400_000;
const PREVIEW_CUSTOMERS = 100_000; // the live count's target is stated at this size
const PREVIEW_SAMPLE_SIZE = 10; // as the builder's route asks

function envSize(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(value) || value < 100) throw new UsageError(`${name} must be an integer ≥ 100, got ${JSON.stringify(raw)}`);
  return value;
}

const log = (line: string) => console.error(line);
const ms = (value: number) => `${sig3(value)} ms`;
const s = (value: number) => `${sig3(value / 1000)} s`;

// ---------------------------------------------------------------------------------------------------------
// The floor: the four seed rules as SQL, over covering indexes (our schema's, or built on the floor's copy).

/**
 * The covering indexes the floor's queries use. Our schema has the same ones since migration
 * 20261125200151_segment_indexes_and_redaction (`schemaIndex`): the floor then uses those and builds only what is
 * missing, so both sides read the same indexes.
 */
export const FLOOR_INDEXES = [
  {
    name: "floor_customer_orders_last",
    schemaIndex: "Customer_workspaceId_ordersCount_lastOrderAt_id_idx",
    sql: `CREATE INDEX "floor_customer_orders_last" ON "Customer" ("workspaceId", "ordersCount", "lastOrderAt", "id")`,
    serves: "one-time buyers (ordersCount = 1), At-risk (ordersCount ≥ 3, lastOrderAt), VIPs (ordersCount > 5)",
  },
  {
    name: "floor_customer_spent",
    schemaIndex: "Customer_workspaceId_totalSpent_ordersCount_id_idx",
    sql: `CREATE INDEX "floor_customer_spent" ON "Customer" ("workspaceId", "totalSpent", "ordersCount", "id")`,
    serves: "VIPs (totalSpent > 50000 and ordersCount ≤ 5)",
  },
  {
    name: "floor_order_window",
    schemaIndex: "Order_workspaceId_placedAt_cancelledAt_customerId_idx",
    sql: `CREATE INDEX "floor_order_window" ON "Order" ("workspaceId", "placedAt", "cancelledAt", "customerId")`,
    serves: "Potential advocates (orders not cancelled in the last 30 days, per customer)",
  },
] as const;

interface FloorParams {
  ws: string;
  now: string;
  cut30: string;
  cut90: string;
}

function floorParams(now: Date): FloorParams {
  return {
    ws: WORKSPACE_ID,
    now: sqliteDateTime(now),
    cut30: sqliteDateTime(now.getTime() - 30 * DAY),
    cut90: sqliteDateTime(now.getTime() - 90 * DAY),
  };
}

/**
 * Each seed rule as a SELECT of customer ids (named parameters). Thresholds as the rules say them in a USD store:
 * $500 = 50000 minor units; "days since last order ≥ 90" is lastOrderAt ≤ now − 90 days (whole days, floored);
 * "the last 30 days" starts at now − 30 days.
 */
const FLOOR_SELECT: Record<BuiltinSegment, string> = {
  vips: `SELECT id AS customerId FROM "Customer" WHERE workspaceId = $ws AND ordersCount > 5
         UNION ALL
         SELECT id FROM "Customer" WHERE workspaceId = $ws AND totalSpent > 50000 AND ordersCount <= 5`,
  at_risk: `SELECT id AS customerId FROM "Customer" WHERE workspaceId = $ws AND ordersCount >= 3 AND lastOrderAt <= $cut90`,
  potential_advocates: `SELECT customerId FROM "Order"
         WHERE workspaceId = $ws AND placedAt >= $cut30 AND cancelledAt IS NULL AND customerId IS NOT NULL
         GROUP BY customerId HAVING count(*) >= 3`,
  one_time_buyers: `SELECT id AS customerId FROM "Customer" WHERE workspaceId = $ws AND ordersCount = 1`,
};

const floorSegmentId = (key: BuiltinSegment) => `floor_${key}`;

interface FloorRun {
  ms: number;
  perSegment: Record<BuiltinSegment, number>;
  members: Record<BuiltinSegment, number>;
  written: number;
}

class Floor {
  private readonly db: Database;

  constructor(file: string) {
    this.db = new Database(file);
  }

  /** Which covering indexes the schema already has (the rest the floor builds). */
  readonly inSchema = new Set<string>();

  /** Builds the covering indexes the schema lacks and the floor's four Segment rows (not timed as recompute). */
  prepare(now: Date): number {
    const started = performance.now();
    const exists = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`);
    for (const index of FLOOR_INDEXES) {
      if (exists.get(index.schemaIndex) !== undefined) this.inSchema.add(index.name);
      else this.db.exec(index.sql);
    }
    const insert = this.db.prepare(
      `INSERT INTO "Segment" (id, workspaceId, name, description, builtin, rule, status, memberCount, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, 'active', 0, ?, ?)`,
    );
    for (const key of BUILTIN_SEGMENTS) {
      const definition = BUILTIN_SEGMENT_DEFINITIONS[key];
      insert.run(floorSegmentId(key), WORKSPACE_ID, definition.name, definition.description, key, JSON.stringify(definition.rule), sqliteDateTime(now), sqliteDateTime(now));
    }
    return performance.now() - started;
  }

  reset(): void {
    this.db.prepare(`DELETE FROM "SegmentMembership" WHERE workspaceId = ?`).run(WORKSPACE_ID);
  }

  /** First computation: every member set INSERTed into an empty SegmentMembership, counts on the Segment rows. */
  first(now: Date): FloorRun {
    const params = floorParams(now);
    const perSegment = {} as Record<BuiltinSegment, number>;
    const members = {} as Record<BuiltinSegment, number>;
    const started = performance.now();
    const work = this.db.transaction(() => {
      for (const key of BUILTIN_SEGMENTS) {
        const segmentStarted = performance.now();
        const { changes } = this.db
          .prepare(`INSERT INTO "SegmentMembership" (segmentId, customerId, workspaceId, enteredAt) SELECT $segment, customerId, $ws, $now FROM (${FLOOR_SELECT[key]})`)
          .run({ ...params, segment: floorSegmentId(key) });
        this.db.prepare(`UPDATE "Segment" SET memberCount = ?, computedAt = ?, updatedAt = ? WHERE id = ?`).run(changes, params.now, params.now, floorSegmentId(key));
        members[key] = changes;
        perSegment[key] = performance.now() - segmentStarted;
      }
    });
    work();
    const total = Object.values(members).reduce((sum, count) => sum + count, 0);
    return { ms: performance.now() - started, perSegment, members, written: total };
  }

  /** Steady state: each set again into a temporary table, then insert the missing members and delete the gone. */
  steady(now: Date): FloorRun {
    const params = floorParams(now);
    const perSegment = {} as Record<BuiltinSegment, number>;
    const members = {} as Record<BuiltinSegment, number>;
    let written = 0;
    const started = performance.now();
    this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS floor_now (customerId TEXT PRIMARY KEY) WITHOUT ROWID`);
    const work = this.db.transaction(() => {
      for (const key of BUILTIN_SEGMENTS) {
        const segmentStarted = performance.now();
        const segment = floorSegmentId(key);
        this.db.exec(`DELETE FROM floor_now`);
        const { changes: count } = this.db.prepare(`INSERT INTO floor_now (customerId) ${FLOOR_SELECT[key]}`).run(params);
        const entered = this.db
          .prepare(
            `INSERT INTO "SegmentMembership" (segmentId, customerId, workspaceId, enteredAt)
             SELECT $segment, f.customerId, $ws, $now FROM floor_now f
             WHERE NOT EXISTS (SELECT 1 FROM "SegmentMembership" m WHERE m.segmentId = $segment AND m.customerId = f.customerId)`,
          )
          .run({ segment, ws: params.ws, now: params.now }).changes;
        const exited = this.db
          .prepare(`DELETE FROM "SegmentMembership" WHERE segmentId = ? AND customerId NOT IN (SELECT customerId FROM floor_now)`)
          .run(segment).changes;
        this.db.prepare(`UPDATE "Segment" SET memberCount = ?, computedAt = ?, updatedAt = ? WHERE id = ?`).run(count, params.now, params.now, segment);
        members[key] = count;
        written += entered + exited;
        perSegment[key] = performance.now() - segmentStarted;
      }
    });
    work();
    return { ms: performance.now() - started, perSegment, members, written };
  }

  /** The plan of each floor query (to show they are covered). */
  plans(now: Date): Record<BuiltinSegment, string[]> {
    const params = floorParams(now);
    const result = {} as Record<BuiltinSegment, string[]>;
    for (const key of BUILTIN_SEGMENTS) {
      const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${FLOOR_SELECT[key]}`).all(params) as { detail: string }[];
      result[key] = rows.map((row) => row.detail);
    }
    return result;
  }

  /** Members in ours but not the floor's, and the other way round, per seed segment. */
  compare(oursFile: string): Record<BuiltinSegment, { onlyOurs: number; onlyFloor: number; example: string | null }> {
    this.db.prepare(`ATTACH DATABASE ? AS ours`).run(oursFile);
    try {
      const result = {} as Record<BuiltinSegment, { onlyOurs: number; onlyFloor: number; example: string | null }>;
      for (const key of BUILTIN_SEGMENTS) {
        const ours = `(SELECT customerId FROM ours."SegmentMembership" WHERE segmentId = (SELECT id FROM ours."Segment" WHERE workspaceId = $ws AND builtin = $key))`;
        const floor = `(SELECT customerId FROM main."SegmentMembership" WHERE segmentId = $segment)`;
        const args = { ws: WORKSPACE_ID, key, segment: floorSegmentId(key) };
        const onlyOurs = this.db.prepare(`SELECT customerId FROM ${ours} EXCEPT SELECT customerId FROM ${floor}`).all(args) as { customerId: string }[];
        const onlyFloor = this.db.prepare(`SELECT customerId FROM ${floor} EXCEPT SELECT customerId FROM ${ours}`).all(args) as { customerId: string }[];
        result[key] = { onlyOurs: onlyOurs.length, onlyFloor: onlyFloor.length, example: (onlyOurs[0] ?? onlyFloor[0])?.customerId ?? null };
      }
      return result;
    } finally {
      this.db.exec(`DETACH DATABASE ours`);
    }
  }

  close(): void {
    this.db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Ours: the app's functions.

interface OursRun {
  ms: number;
  perSegment: Partial<Record<BuiltinSegment, number>>;
  members: Record<BuiltinSegment, number>;
  written: number;
}

async function builtinSegments(db: Db): Promise<Record<BuiltinSegment, { id: string; memberCount: number }>> {
  const rows = await db.segment.findMany({ where: { workspaceId: WORKSPACE_ID, builtin: { not: null } }, select: { id: true, builtin: true, memberCount: true } });
  const result = {} as Record<BuiltinSegment, { id: string; memberCount: number }>;
  for (const key of BUILTIN_SEGMENTS) {
    const row = rows.find((candidate) => candidate.builtin === key);
    if (!row) throw new Error(`ours: no built-in segment "${key}" after ensureBuiltinSegments`);
    result[key] = { id: row.id, memberCount: row.memberCount };
  }
  return result;
}

/** Back to a workspace without segments (not timed). */
async function resetOurs(db: Db): Promise<void> {
  await db.$transaction([
    db.$executeRawUnsafe(`DELETE FROM "SegmentMembership" WHERE workspaceId = ?`, WORKSPACE_ID),
    db.$executeRawUnsafe(`DELETE FROM "SegmentCountHistory" WHERE workspaceId = ?`, WORKSPACE_ID),
    db.$executeRawUnsafe(`DELETE FROM "Event" WHERE workspaceId = ? AND type IN ('segment.entered', 'segment.exited')`, WORKSPACE_ID),
    db.$executeRawUnsafe(`DELETE FROM "Segment" WHERE workspaceId = ?`, WORKSPACE_ID),
  ]);
}

async function oursFirst(db: Db, now: Date): Promise<OursRun> {
  const started = performance.now();
  await ensureBuiltinSegments(db, { workspaceId: WORKSPACE_ID, now });
  const elapsed = performance.now() - started;
  const segments = await builtinSegments(db);
  const members = Object.fromEntries(BUILTIN_SEGMENTS.map((key) => [key, segments[key].memberCount])) as Record<BuiltinSegment, number>;
  return { ms: elapsed, perSegment: {}, members, written: Object.values(members).reduce((sum, count) => sum + count, 0) };
}

async function oursSteady(db: Db, now: Date): Promise<OursRun> {
  const segments = await builtinSegments(db);
  const perSegment = {} as Record<BuiltinSegment, number>;
  const members = {} as Record<BuiltinSegment, number>;
  let written = 0;
  const started = performance.now();
  for (const key of BUILTIN_SEGMENTS) {
    const segmentStarted = performance.now();
    const result = await recomputeSegment(db, { workspaceId: WORKSPACE_ID, segmentId: segments[key].id, now });
    perSegment[key] = performance.now() - segmentStarted;
    members[key] = result.members;
    written += result.entered + result.exited;
  }
  return { ms: performance.now() - started, perSegment, members, written };
}

// ---------------------------------------------------------------------------------------------------------
// Incremental: one order through the real path, then the membership of that customer.

type Pick = { label: string; expect: { key: BuiltinSegment; member: boolean } };

/** Customers whose next order changes a seed segment, chosen deterministically (cut-offs at `now`). */
const INCREMENTAL_PICKS: (Pick & { where: string })[] = [
  { label: "one-time buyer → 2 orders (exits One-time buyers)", expect: { key: "one_time_buyers", member: false }, where: `ordersCount = 1 AND lastOrderAt < $cut30` },
  { label: "5 orders, < $480 → 6 orders (enters VIPs)", expect: { key: "vips", member: true }, where: `ordersCount = 5 AND totalSpent < 48000` },
  {
    label: "2 orders in 30 days → 3 (enters Potential advocates)",
    expect: { key: "potential_advocates", member: true },
    // A set, not a correlated count: per customer, SQLite (no statistics) would read the whole window's orders on
    // the covering Order(workspaceId, placedAt, …) index.
    where: `id IN (SELECT customerId FROM "Order" WHERE workspaceId = $ws AND placedAt >= $cut30 AND cancelledAt IS NULL AND customerId IS NOT NULL GROUP BY customerId HAVING count(*) = 2)`,
  },
  { label: "At-risk → orders again (exits At-risk)", expect: { key: "at_risk", member: false }, where: `ordersCount >= 3 AND lastOrderAt <= $cut90 AND ordersCount < 20` },
  { label: "never ordered → first order (enters One-time buyers)", expect: { key: "one_time_buyers", member: true }, where: `ordersCount = 0` },
];

interface IncrementalRun {
  label: string;
  processMs: number;
  reevaluateMs: number;
  /** From the start of processing until the membership was current. */
  currentMs: number;
  currentAfterProcess: boolean;
}

function orderEvent(customer: { email: string }, sequence: number, at: Date): CanonicalEvent {
  const iso = at.toISOString();
  return {
    type: "order.add",
    version: 1,
    occurredAt: iso,
    data: {
      order: {
        externalId: `bench-incremental-${sequence}`,
        name: `#B${sequence}`,
        checkoutToken: null,
        cartToken: null,
        email: customer.email,
        customer: { externalId: null, email: customer.email, firstName: null, lastName: null, phone: null, acceptsMarketing: null },
        currency: "USD",
        totalPrice: 4200,
        lineItems: [{ productId: "8000000001", variantId: "80000000011", sku: "SKU-8000000001", title: "Product 2", variantTitle: null, quantity: 1, price: 4200, imageUrl: null }],
        financialStatus: "paid",
        placedAt: iso,
        cancelledAt: null,
      },
    },
  } as CanonicalEvent;
}

async function incremental(db: Db, oursFile: string, count: number, now: Date): Promise<IncrementalRun[]> {
  const reader = new Database(oursFile, { readonly: true });
  const clock = new ManualClock(now);
  const processor = createInboxProcessor({ db, clock, logger: silentLogger });
  const segments = await builtinSegments(db);
  const params = floorParams(now);
  const isMember = reader.prepare(`SELECT 1 FROM "SegmentMembership" WHERE segmentId = ? AND customerId = ?`);
  const taken = new Set<string>();
  const runs: IncrementalRun[] = [];
  try {
    for (let n = 0; n <= count; n++) {
      // n = 0 is the warm-up (Prisma's query compiler, caches), not counted.
      const pick = INCREMENTAL_PICKS[n % INCREMENTAL_PICKS.length];
      const candidates = reader
        .prepare(`SELECT id, email FROM "Customer" c WHERE workspaceId = $ws AND email IS NOT NULL AND ${pick.where} ORDER BY id LIMIT 50`)
        .all(params) as { id: string; email: string }[];
      const customer = candidates.find((candidate) => !taken.has(candidate.id));
      if (!customer) throw new Error(`incremental: no customer for "${pick.label}"`);
      taken.add(customer.id);
      const segmentId = segments[pick.expect.key].id;
      const before = isMember.get(segmentId, customer.id) !== undefined;
      if (before === pick.expect.member) throw new Error(`incremental: ${customer.id} is already ${before ? "in" : "out of"} ${pick.expect.key} before its order`);

      const at = clock.advance({ seconds: 30 });
      await postDemoEvents({ db, clock }, { workspaceId: WORKSPACE_ID, events: [orderEvent(customer, n, at)] });
      const started = performance.now();
      const processed = await processor.processDue(10);
      const processMs = performance.now() - started;
      if (processed !== 1) throw new Error(`incremental: processDue looked at ${processed} rows, expected 1`);
      const currentAfterProcess = (isMember.get(segmentId, customer.id) !== undefined) === pick.expect.member;
      const reevaluateStarted = performance.now();
      await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId: WORKSPACE_ID, customerIds: [customer.id], now: at, cause: "event" }));
      const reevaluateMs = performance.now() - reevaluateStarted;
      const after = isMember.get(segmentId, customer.id) !== undefined;
      if (after !== pick.expect.member) throw new Error(`incremental: ${customer.id} should be ${pick.expect.member ? "in" : "out of"} ${pick.expect.key} after its order`);
      if (n > 0) runs.push({ label: pick.label, processMs, reevaluateMs, currentMs: currentAfterProcess ? processMs : processMs + reevaluateMs, currentAfterProcess });
      log(`  incremental ${n === 0 ? "warm-up" : `${n}/${count}`}: ${pick.label}: process ${ms(processMs)}, reevaluate ${ms(reevaluateMs)}${currentAfterProcess ? " (current after process)" : ""}`);
    }
  } finally {
    reader.close();
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------
// Live count: previewSegment with rules a merchant might be typing, and the count by hand to check it.

const PREVIEW_RULES: { label: string; rule: SegmentRule; count: string }[] = [
  {
    label: "US/CA, accepts marketing, spent > $100",
    rule: {
      kind: "group",
      match: "all",
      conditions: [
        { kind: "location", field: "country", op: "is", values: ["US", "CA"] },
        { kind: "consent", acceptsMarketing: true },
        { kind: "metric", metric: "total_spent", op: "gt", value: 100 },
      ],
    },
    count: `SELECT count(*) AS n FROM "Customer" WHERE workspaceId = $ws AND country IN ('US', 'CA') AND acceptsMarketing = 1 AND totalSpent > 10000`,
  },
  {
    label: "≥ 2 orders in the last 60 days",
    rule: { kind: "group", match: "all", conditions: [{ kind: "orders_in_window", measure: "count", window: { days: 60 }, op: "gte", value: 2 }] },
    count: `SELECT count(*) AS n FROM (SELECT customerId FROM "Order" WHERE workspaceId = $ws AND placedAt >= $cut60 AND cancelledAt IS NULL AND customerId IS NOT NULL GROUP BY customerId HAVING count(*) >= 2)`,
  },
  {
    label: "(gmail.com or tag newsletter) and ordered in the last 180 days",
    rule: {
      kind: "group",
      match: "all",
      conditions: [
        {
          kind: "group",
          match: "any",
          conditions: [
            { kind: "email_domain", op: "is", value: "gmail.com" },
            { kind: "tag", op: "has", value: "newsletter" },
          ],
        },
        { kind: "metric", metric: "days_since_last_order", op: "lte", value: 180 },
      ],
    },
    // days_since_last_order ≤ 180 ⟺ floor((now − last) / day) ≤ 180 ⟺ last > now − 181 days
    count: `SELECT count(*) AS n FROM "Customer" c WHERE workspaceId = $ws AND lastOrderAt > $cut181
            AND (email LIKE '%@gmail.com' OR EXISTS (SELECT 1 FROM "CustomerTag" t WHERE t.customerId = c.id AND t.tag = 'newsletter'))`,
  },
];

interface PreviewRun {
  label: string;
  medianMs: number;
  maxMs: number;
  count: number;
}

async function liveCount(db: Db, file: string, repeats: number, now: Date): Promise<PreviewRun[]> {
  const reader = new Database(file, { readonly: true });
  const params = { ws: WORKSPACE_ID, cut60: sqliteDateTime(now.getTime() - 60 * DAY), cut181: sqliteDateTime(now.getTime() - 181 * DAY) };
  const runs: PreviewRun[] = [];
  try {
    for (const { label, rule, count } of PREVIEW_RULES) {
      const times: number[] = [];
      let answer = -1;
      for (let n = 0; n <= repeats; n++) {
        const started = performance.now();
        const result = await previewSegment(db, { workspaceId: WORKSPACE_ID, rule, now, sampleSize: PREVIEW_SAMPLE_SIZE });
        const elapsed = performance.now() - started;
        if (!result.ok) throw new Error(`preview "${label}": ${JSON.stringify(result.problems)}`);
        answer = result.count;
        if (n > 0) times.push(elapsed); // the first is a warm-up
      }
      const expected = (reader.prepare(count).get(params) as { n: number }).n;
      if (answer !== expected) throw new Error(`preview "${label}": previewSegment counted ${answer}, by hand ${expected}`);
      runs.push({ label, medianMs: median(times), maxMs: Math.max(...times), count: answer });
      log(`  live count "${label}": ${answer} customers, median ${ms(median(times))}`);
    }
  } finally {
    reader.close();
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // kilobytes on Linux
}

async function copyDataset(dataset: Dataset, dir: string, name: string): Promise<{ file: string; ms: number; bytes: number }> {
  const file = path.join(dir, name);
  const started = performance.now();
  await copyFile(dataset.file, file);
  return { file, ms: performance.now() - started, bytes: (await stat(file)).size };
}

const benchmark: Benchmark = {
  async run(args) {
    const { rounds, orders: incrementalOrders, previews } = intOptions(args, DEFAULTS);
    const customers = envSize("BENCH_CUSTOMERS", 1_000_000);
    const orderCount = envSize("BENCH_ORDERS", customers * 5);
    const previewCustomers = Math.min(customers, PREVIEW_CUSTOMERS);
    const now = BENCH_NOW;

    const main = await ensureDataset({ customers, orders: orderCount }, log);
    const preview = previewCustomers === customers ? main : await ensureDataset({ customers: previewCustomers, orders: previewCustomers * 5 }, log);
    for (const dataset of main === preview ? [main] : [main, preview]) {
      log(`  store ${dataset.customers} customers / ${dataset.orders} orders: ${dataset.generatedMs === null ? "from the cache" : `generated in ${s(dataset.generatedMs)}`}`);
    }

    const dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-bench-segments-"));
    const rssAtStart = rssMb();
    try {
      const oursCopy = await copyDataset(main, dir, "ours.sqlite");
      const floorCopy = await copyDataset(main, dir, "floor.sqlite");
      log(`  copied the store (${sig3(oursCopy.bytes / 1e9)} GB) twice in ${s(oursCopy.ms + floorCopy.ms)}`);

      const floor = new Floor(floorCopy.file);
      const floorIndexMs = floor.prepare(now);
      log(`  floor: covering indexes ready in ${s(floorIndexMs)}`);
      const db = createDb(`file:${oursCopy.file}`);
      try {
        // Warm-up round: page cache, JIT, Prisma's query compiler (not counted).
        await resetOurs(db);
        const warmOurs = await oursFirst(db, now);
        floor.reset();
        floor.first(now);
        log(`  warm-up: ours first computation ${s(warmOurs.ms)}`);

        const oursFirstRuns: OursRun[] = [];
        const oursSteadyRuns: OursRun[] = [];
        const floorFirstRuns: FloorRun[] = [];
        const floorSteadyRuns: FloorRun[] = [];
        for (let round = 1; round <= rounds; round++) {
          await resetOurs(db);
          oursFirstRuns.push(await oursFirst(db, now));
          floor.reset();
          floorFirstRuns.push(floor.first(now));
          oursSteadyRuns.push(await oursSteady(db, now));
          floorSteadyRuns.push(floor.steady(now));
          const at = (runs: { ms: number }[]) => s(runs[runs.length - 1].ms);
          log(`  round ${round}/${rounds}: first: ours ${at(oursFirstRuns)}, floor ${at(floorFirstRuns)}; steady state: ours ${at(oursSteadyRuns)}, floor ${at(floorSteadyRuns)}`);
        }
        const rssAfterRecompute = rssMb();

        // Same members, same counts, nothing written in the steady state: otherwise the figures mean nothing.
        const differences = floor.compare(oursCopy.file);
        const problems: string[] = [];
        for (const key of BUILTIN_SEGMENTS) {
          const difference = differences[key];
          if (difference.onlyOurs > 0 || difference.onlyFloor > 0) {
            problems.push(`${key}: ${difference.onlyOurs} only in ours, ${difference.onlyFloor} only in the floor (e.g. ${difference.example})`);
          }
        }
        const lastOurs = oursSteadyRuns[oursSteadyRuns.length - 1];
        const lastFloor = floorSteadyRuns[floorSteadyRuns.length - 1];
        if (lastOurs.written !== 0) problems.push(`ours' steady-state recompute entered/exited ${lastOurs.written} memberships (expected 0)`);
        if (lastFloor.written !== 0) problems.push(`the floor's steady state wrote ${lastFloor.written} memberships (expected 0)`);
        const plans = floor.plans(now);
        floor.close();

        const incrementalRuns = await incremental(db, oursCopy.file, incrementalOrders, now);
        const rssAfterIncremental = rssMb();

        const bigPreview = previewCustomers === customers ? null : await liveCount(db, oursCopy.file, Math.max(1, Math.floor(previews / 2)), now);
        await db.$disconnect();

        const previewCopy = preview === main ? null : await copyDataset(preview, dir, "preview.sqlite");
        const previewDb = previewCopy ? createDb(`file:${previewCopy.file}`) : createDb(`file:${oursCopy.file}`);
        let previewRuns: PreviewRun[];
        try {
          previewRuns = await liveCount(previewDb, previewCopy?.file ?? oursCopy.file, previews, now);
        } finally {
          await previewDb.$disconnect();
        }
        const peakRss = maxRssMb();

        // ---- Summary (stdout).
        const medianOf = (runs: { ms: number }[]) => median(runs.map((run) => run.ms));
        const segmentMedian = (runs: { perSegment: Partial<Record<BuiltinSegment, number>> }[], key: BuiltinSegment) => {
          const values = runs.map((run) => run.perSegment[key]).filter((value): value is number => value !== undefined);
          return values.length > 0 ? median(values) : null;
        };
        const oursFirstMs = medianOf(oursFirstRuns);
        const floorFirstMs = medianOf(floorFirstRuns);
        const oursSteadyMs = medianOf(oursSteadyRuns);
        const floorSteadyMs = medianOf(floorSteadyRuns);
        const incrementalCurrent = incrementalRuns.map((run) => run.currentMs);
        const members = floorSteadyRuns[floorSteadyRuns.length - 1].members;

        console.log(
          `${NAME}: ${customers} customers, ${orderCount} orders (${path.basename(main.file)}); medians of ${rounds} rounds after a warm-up round; now = ${now.toISOString()}`,
        );
        console.log(`  members: ${BUILTIN_SEGMENTS.map((key) => `${BUILTIN_SEGMENT_DEFINITIONS[key].name} ${members[key]}`).join(", ")}`);
        console.log("");
        console.log("  | figure                                   | ours        | floor       | floor/ours | target        |");
        console.log("  |------------------------------------------|-------------|-------------|------------|---------------|");
        const row = (figure: string, ours: string, floorText: string, ratio: string, target: string) =>
          console.log(`  | ${figure.padEnd(40)} | ${ours.padEnd(11)} | ${floorText.padEnd(11)} | ${ratio.padEnd(10)} | ${target.padEnd(13)} |`);
        row("full recompute, steady state (4 seg.)", s(oursSteadyMs), s(floorSteadyMs), sig3(floorSteadyMs / oursSteadyMs), "ratio ≥ 0.67");
        for (const key of BUILTIN_SEGMENTS) {
          const oursKey = segmentMedian(oursSteadyRuns, key);
          const floorKey = segmentMedian(floorSteadyRuns, key);
          row(`  ${BUILTIN_SEGMENT_DEFINITIONS[key].name}`, oursKey === null ? "-" : s(oursKey), floorKey === null ? "-" : s(floorKey), oursKey && floorKey ? sig3(floorKey / oursKey) : "-", "");
        }
        row("full recompute, first computation", s(oursFirstMs), s(floorFirstMs), sig3(floorFirstMs / oursFirstMs), "");
        row("incremental: order → membership current", `${ms(median(incrementalCurrent))}`, "", "", "≤ 50 ms");
        // Once the inbox processor re-evaluates the customer itself, the extra call finds nothing to change: it is
        // then the cost of re-evaluating one customer, already included in the processing time.
        const processorReevaluates = incrementalRuns.every((run) => run.currentAfterProcess);
        row(processorReevaluates ? "  inbox processing (incl. reevaluate)" : "  of which inbox processing", ms(median(incrementalRuns.map((run) => run.processMs))), "", "", "");
        row(processorReevaluates ? "  reevaluateCustomers alone (no change)" : "  of which reevaluateCustomers", ms(median(incrementalRuns.map((run) => run.reevaluateMs))), "", "", "");
        row(`  worst of ${incrementalRuns.length}`, ms(Math.max(...incrementalCurrent)), "", "", "");
        for (const run of previewRuns) row(`live count @${previewCustomers / 1000}k: ${run.label}`.slice(0, 40), ms(run.medianMs), "", "", "< 300 ms");
        for (const run of bigPreview ?? []) row(`live count @${customers / 1000}k: ${run.label}`.slice(0, 40), ms(run.medianMs), "", "", "");
        row("peak RSS (maxRSS of this process)", `${sig3(peakRss)} MB`, "", "", "≤ 512 MB");
        console.log("");
        console.log(
          `  RSS: ${sig3(rssAtStart)} MB at start, ${sig3(rssAfterRecompute)} MB after the recomputes, ${sig3(rssAfterIncremental)} MB after the incremental orders`,
        );
        console.log(`  incremental: ${incrementalRuns.filter((run) => run.currentAfterProcess).length}/${incrementalRuns.length} were current right after inbox processing`);
        console.log(
          `  floor indexes (prepared in ${s(floorIndexMs)}, not counted): ${FLOOR_INDEXES.map((index) => (floor.inSchema.has(index.name) ? `${index.schemaIndex} (in our schema)` : `${index.name} (built; not in our schema)`)).join(", ")}`,
        );
        for (const key of BUILTIN_SEGMENTS) console.log(`  floor plan ${key}: ${plans[key].join(" / ")}`);
        if (problems.length > 0) {
          throw new Error(`ours and the floor disagree, the figures are not comparable:\n  ${problems.join("\n  ")}`);
        }
        console.log(timeResultLine(NAME, oursSteadyMs, floorSteadyMs));
      } finally {
        await db.$disconnect();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;
