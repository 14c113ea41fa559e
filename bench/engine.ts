// engine: journeys of a three-step flow (a condition, then two emails: test/support/engine-load.ts) run by the real
// `nudgeflow worker` process, on the embedded default (SQLite, the polling loop) and on BullMQ with 1 and 2 workers
// (PostgreSQL + Redis), against the floor of the same writes done with raw SQL, in the same run.
//
// Throughput: N enrollments are seeded parked (due in a year), the worker(s) start, then one UPDATE makes them all
// due at t0 (on BullMQ each is also announced, as the runner announces its wake-ups); timed until every enrollment
// has completed and no message is queued. Steps/s = 3N ÷ that time.
// Lateness: M more enrollments fall due one by one in the near future, at half the pace just measured; a wake-up's
// lateness is its first step's ranAt minus its wakeAt (one clock: the same machine). p99 reported.
// Memory: the worker processes' peak RSS (VmHWM from /proc).
// Floor: for N other enrollments of the same flow, the rows ours writes (3 StepRuns, 2 Messages already in the
// outbox, the traces, the enrollment completed) written with raw SQL, one transaction per 100 enrollments:
// better-sqlite3 on SQLite, pg on PostgreSQL. The floor decides nothing; it is what the writes alone cost.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import IORedis from "ioredis";
import pg from "pg";
import { systemClock } from "~/core/clock";
import { createJobQueues } from "~/core/jobs/queues.server";
import { silentLogger } from "~/core/logger.server";
import { isPostgresUrl, type Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../test/support/databases";
import { enrollDue, LOAD_STEPS, loadOutcome, seedEngineFlow, type EngineLoad } from "../test/support/engine-load";
import { startWorkerProcess, type WorkerProcess } from "../test/support/worker-process";
import { intOptions, resultLine, sig3, type Benchmark } from "./lib";

const NAME = "engine";
const UNIT = "steps/s";
const DEFAULTS = { enrollments: 2000, late: 300, workers: 2 };
const FLOOR_BATCH = 100;
const PARKED_MS = 365 * 86_400_000;
const DONE_TIMEOUT_MS = 60 * 60_000;
const PG_URL = process.env.DATABASE_URL && isPostgresUrl(process.env.DATABASE_URL) ? process.env.DATABASE_URL : "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

interface Figures {
  label: string;
  stepsPerSec: number;
  floorStepsPerSec: number;
  latenessP99Ms: number;
  peakRssMb: number;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function waitUntilDone(db: Db, load: EngineLoad, count: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { completed } = await loadOutcome(db, load);
    const queued = await db.message.count({ where: { workspaceId: load.workspaceId, status: "queued" } });
    if (completed >= count && queued === 0) return Date.now();
    if (Date.now() - started > DONE_TIMEOUT_MS) throw new Error(`not done after ${DONE_TIMEOUT_MS / 60_000} min: ${completed}/${count} completed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function redisUp(): Promise<boolean> {
  const probe = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** One configuration: ours (the worker processes), its lateness, then the floor on the same database. */
async function measure(input: { label: string; url: string; workers: number; redis: boolean; enrollments: number; late: number }): Promise<Figures> {
  const db = openDb(input.url);
  const sqlite = !isPostgresUrl(input.url);
  // Several processes share a SQLite file only in WAL mode, as `nudgeflow serve` sets it (the bench reads while
  // the worker writes).
  if (sqlite) await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  const seededAt = new Date();
  const load = await seedEngineFlow(db, { now: seededAt, name: input.label });
  const parked = new Date(seededAt.getTime() + PARKED_MS);
  const ids = await enrollDue(db, load, { count: input.enrollments, now: seededAt, wakeAt: () => parked });

  const prefix = `nfbench-${randomBytes(4).toString("hex")}`;
  const settings: Record<string, string> = { DATABASE_URL: input.url, LOG_LEVEL: "fatal", MAIL_FROM: "Shop <shop@example.com>" };
  if (input.redis) Object.assign(settings, { REDIS_URL, QUEUE_PREFIX: prefix });
  const queues = input.redis ? createJobQueues({ redisUrl: REDIS_URL, prefix, clock: systemClock, logger: silentLogger }) : null;
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < input.workers; i += 1) workers.push(await startWorkerProcess(settings));

    // Throughput: everything due at once.
    const t0 = new Date();
    await db.enrollment.updateMany({ where: { flowId: load.flowId }, data: { wakeAt: t0 } });
    for (const id of ids) queues?.scheduler.notify("step", id, t0);
    await queues?.flush();
    const doneAt = await waitUntilDone(db, load, input.enrollments);
    const stepsPerSec = (input.enrollments * LOAD_STEPS.length) / ((doneAt - t0.getTime()) / 1000);

    // Lateness: wake-ups spread at half that pace, starting 2 s ahead.
    const gapMs = (2 * LOAD_STEPS.length * 1000) / stepsPerSec;
    const first = Date.now() + 2000;
    const lateIds = await enrollDue(db, load, { count: input.late, now: new Date(), wakeAt: (i) => new Date(first + i * gapMs) });
    for (const [i, id] of lateIds.entries()) queues?.scheduler.notify("step", id, new Date(first + i * gapMs));
    await queues?.flush();
    await waitUntilDone(db, load, input.enrollments + input.late);
    const dueAt = new Map(lateIds.map((id, i) => [id, first + i * gapMs]));
    const firstSteps = await db.stepRun.findMany({ where: { enrollmentId: { in: lateIds }, nodeId: LOAD_STEPS[0] }, select: { enrollmentId: true, ranAt: true } });
    const lateness = firstSteps.map((step) => step.ranAt.getTime() - (dueAt.get(step.enrollmentId) ?? Number.NaN));
    const rss = Math.max(...workers.map((worker) => peakRssMb(worker.pid)));

    const outcome = await loadOutcome(db, load);
    const total = input.enrollments + input.late;
    if (outcome.steps !== total * LOAD_STEPS.length || outcome.completed !== total) throw new Error(`${input.label}: wrong outcome ${JSON.stringify(outcome)}`);

    const floorStepsPerSec = await floor({ db, url: input.url, load, enrollments: input.enrollments, sqlite });
    return { label: input.label, stepsPerSec, floorStepsPerSec, latenessP99Ms: p99(lateness), peakRssMb: rss };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queues?.close();
  }
}

/** `INSERT … VALUES ($1,…),(…)` for rows of equal width; PostgreSQL casts the text parameters to the columns' types. */
async function insertRows(client: pg.Client, head: string, rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const width = rows[0].length;
  const tuples = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(",")})`);
  await client.query(`${head} VALUES ${tuples.join(",")}`, rows.flat());
}

/** Parked enrollments of the same flow completed with raw SQL: ours' rows, without any of its decisions. */
async function floor(input: { db: Db; url: string; load: EngineLoad; enrollments: number; sqlite: boolean }): Promise<number> {
  const at = new Date();
  const ids = await enrollDue(input.db, input.load, { count: input.enrollments, now: at, wakeAt: () => new Date(at.getTime() + PARKED_MS) });
  const rows = await input.db.enrollment.findMany({ where: { id: { in: ids } }, select: { id: true, customerId: true } });
  const customers = new Map((await input.db.customer.findMany({ where: { id: { in: rows.map((row) => row.customerId) } }, select: { id: true, email: true } })).map((c) => [c.id, c.email ?? ""]));
  const { workspaceId, flowId } = input.load;
  const batches: (typeof rows)[] = [];
  for (let i = 0; i < rows.length; i += FLOOR_BATCH) batches.push(rows.slice(i, i + FLOOR_BATCH));
  const iso = (date: Date) => date.toISOString();

  if (input.sqlite) {
    const file = input.url.replace(/^file:/, "");
    const sql = new Database(file);
    sql.exec("PRAGMA busy_timeout = 5000");
    const stepRun = sql.prepare(`INSERT INTO "StepRun" ("id","workspaceId","enrollmentId","nodeId","nodeType","result","ranAt") VALUES (?,?,?,?,?,?,?)`);
    const message = sql.prepare(
      `INSERT INTO "Message" ("id","workspaceId","customerId","flowId","enrollmentId","nodeId","kind","toEmail","fromEmail","fromName","subject","html","text","status","provider","attempts","nextAttemptAt","createdAt")
       VALUES (?,?,?,?,?,?,'transactional',?,'shop@example.com','Shop',?,?,?,'outbox','outbox',1,?,?)`,
    );
    const trace = sql.prepare(`INSERT INTO "EnrollmentTrace" ("id","workspaceId","flowId","enrollmentId","customerId","at","kind","detail") VALUES (?,?,?,?,?,?,?,?)`);
    const complete = sql.prepare(`UPDATE "Enrollment" SET "status"='completed',"currentNodeId"=NULL,"wakeAt"=NULL,"lastStepAt"=?,"exitedAt"=?,"updatedAt"=? WHERE "id"=?`);
    const started = performance.now();
    for (const batch of batches) {
      sql.transaction(() => {
        const now = iso(new Date());
        for (const row of batch) writeRows(row, now, {
          stepRun: (...values) => stepRun.run(...values),
          message: (...values) => message.run(...values),
          trace: (...values) => trace.run(...values),
          complete: (...values) => complete.run(...values),
        });
      })();
    }
    const ms = performance.now() - started;
    sql.close();
    return (input.enrollments * LOAD_STEPS.length) / (ms / 1000);
  }

  // PostgreSQL: one multi-row INSERT per table and one UPDATE per batch (a statement per row would measure round trips).
  const client = new pg.Client({ connectionString: input.url });
  await client.connect();
  const started = performance.now();
  for (const batch of batches) {
    const now = iso(new Date());
    const tables: Record<"stepRun" | "message" | "trace" | "complete", unknown[][]> = { stepRun: [], message: [], trace: [], complete: [] };
    for (const row of batch) writeRows(row, now, {
      stepRun: (...values) => tables.stepRun.push(values),
      message: (...values) => tables.message.push([...values, "transactional", "shop@example.com", "Shop", "outbox", "outbox", 1]),
      trace: (...values) => tables.trace.push(values),
      complete: (...values) => tables.complete.push(values),
    });
    await client.query("BEGIN");
    await insertRows(client, `INSERT INTO "StepRun" ("id","workspaceId","enrollmentId","nodeId","nodeType","result","ranAt")`, tables.stepRun);
    await insertRows(client, `INSERT INTO "Message" ("id","workspaceId","customerId","flowId","enrollmentId","nodeId","toEmail","subject","html","text","nextAttemptAt","createdAt","kind","fromEmail","fromName","status","provider","attempts")`, tables.message);
    await insertRows(client, `INSERT INTO "EnrollmentTrace" ("id","workspaceId","flowId","enrollmentId","customerId","at","kind","detail")`, tables.trace);
    await client.query(`UPDATE "Enrollment" SET "status"='completed',"currentNodeId"=NULL,"wakeAt"=NULL,"lastStepAt"=$1,"exitedAt"=$1,"updatedAt"=$1 WHERE "id" = ANY($2)`, [now, batch.map((row) => row.id)]);
    await client.query("COMMIT");
  }
  const ms = performance.now() - started;
  await client.end();
  return (input.enrollments * LOAD_STEPS.length) / (ms / 1000);

  function writeRows(row: { id: string; customerId: string }, now: string, write: Record<"stepRun" | "message" | "trace" | "complete", (...values: unknown[]) => unknown>) {
    const email = customers.get(row.customerId) ?? "";
    write.stepRun(`fs_${row.id}_1`, workspaceId, row.id, LOAD_STEPS[0], "condition", JSON.stringify({ branch: "yes" }), now);
    write.trace(`ft_${row.id}_1`, workspaceId, flowId, row.id, row.customerId, now, "branch", JSON.stringify({ nodeId: LOAD_STEPS[0], branch: "yes" }));
    for (const [i, nodeId] of LOAD_STEPS.slice(1).entries()) {
      const messageId = `fm_${row.id}_${i}`;
      write.stepRun(`fs_${row.id}_${i + 2}`, workspaceId, row.id, nodeId, "email", JSON.stringify({ messageId }), now);
      write.message(messageId, workspaceId, row.customerId, flowId, row.id, nodeId, email, "Hello", "<p>Hello</p>", "Hello", now, now);
      write.trace(`ft_${row.id}_${i + 2}`, workspaceId, flowId, row.id, row.customerId, now, "send", JSON.stringify({ nodeId, messageId }));
    }
    write.trace(`ft_${row.id}_9`, workspaceId, flowId, row.id, row.customerId, now, "completed", "{}");
    write.complete(now, now, now, row.id);
  }
}

const engine: Benchmark = {
  async run(args) {
    const options = intOptions(args, DEFAULTS);
    console.log(`engine: ${options.enrollments} enrollments x ${LOAD_STEPS.length} steps per configuration, lateness over ${options.late} spaced wake-ups`);
    const figures: Figures[] = [];
    try {
      const [, createSqlite] = databaseTargets()[0];
      figures.push(await measure({ label: "embedded (SQLite, polling)", url: await createSqlite(), redis: false, enrollments: options.enrollments, late: options.late, workers: 1 }));
      if (await redisUp()) {
        process.env.DATABASE_URL = PG_URL;
        const createPg = databaseTargets()[1]?.[1];
        if (!createPg) throw new Error(`DATABASE_URL is not a PostgreSQL URL: ${PG_URL}`);
        figures.push(await measure({ label: "BullMQ, 1 worker (PostgreSQL)", url: await createPg(), redis: true, enrollments: options.enrollments, late: options.late, workers: 1 }));
        figures.push(await measure({ label: `BullMQ, ${options.workers} workers (PostgreSQL)`, url: await createPg(), redis: true, enrollments: options.enrollments, late: options.late, workers: options.workers }));
      } else {
        console.log(`BullMQ configurations skipped: no Redis at ${REDIS_URL}`);
      }
    } finally {
      await dropAll();
    }
    for (const f of figures) {
      console.log(`  ${f.label.padEnd(34)} ${sig3(f.stepsPerSec).padStart(7)} steps/s  floor ${sig3(f.floorStepsPerSec).padStart(7)}  ratio ${sig3(f.stepsPerSec / f.floorStepsPerSec).padStart(6)}  lateness p99 ${sig3(f.latenessP99Ms)} ms  peak RSS ${sig3(f.peakRssMb)} MB`);
    }
    if (figures.length === 3) console.log(`  ${options.workers} workers vs 1: ${sig3(figures[2].stepsPerSec / figures[1].stepsPerSec)}x`);
    console.log("  targets: ratio >= 0.25, lateness p99 <= 250 ms, 2 workers >= 1.6x one, RSS <= 512 MB");
    const headline = figures[0];
    console.log(resultLine(NAME, UNIT, headline.stepsPerSec, headline.floorStepsPerSec));
  },
};

export default engine;
