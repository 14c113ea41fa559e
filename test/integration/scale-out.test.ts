// Scale-out on BullMQ (docs/decisions/0024), with real worker processes (`nudgeflow worker`), a real Redis and the
// SendGrid emulator: two workers share the work without running a step or sending an email twice; workers killed
// with SIGKILL at random points lose nothing and double nothing; wake-ups lost in Redis are found again by the
// sweeper. The multi-process tests need PostgreSQL (DATABASE_URL, as in CI): on one SQLite file two processes
// collide (SQLITE_BUSY: Prisma's adapter opens deferred transactions, ADR 0024) and are skipped, saying so; the
// lost-jobs test (one worker) runs on SQLite too.
// Needs Redis: TEST_REDIS_URL (CI: redis://127.0.0.1:6379), else REDIS_URL, else 127.0.0.1:6379. Skipped, saying so,
// only when no Redis answers outside CI. Sizes: SCALE_OUT_ENROLLMENTS (two workers), CRASH_ENROLLMENTS, CRASH_KILLS.
import { randomBytes } from "node:crypto";
import IORedis from "ioredis";
import { ManualClock } from "~/core/clock";
import { createJobQueues, type JobQueues } from "~/core/jobs/queues.server";
import { wakeJobId } from "~/core/jobs/scheduler";
import { silentLogger } from "~/core/logger.server";
import { INTERRUPTED_SEND, reconcileInterruptedSends, SEND_LEASE_MS } from "~/core/messaging/dispatch.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import type { Db } from "~/db.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { enrollDue, LOAD_EMAILS, LOAD_STEPS, loadOutcome, seedEngineFlow, type EngineLoad } from "../support/engine-load";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process";

const REDIS_URL = process.env.TEST_REDIS_URL || process.env.REDIS_URL || "redis://127.0.0.1:6379";

async function redisAnswers(url: string): Promise<boolean> {
  const probe = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const redisUp = await redisAnswers(REDIS_URL);
if (!redisUp) {
  if (process.env.CI) throw new Error(`scale-out tests: no Redis answers at ${REDIS_URL} (CI must start one: .ci/run)`);
  console.warn(`scale-out tests SKIPPED: no Redis answers at ${REDIS_URL} (start redis-server or set TEST_REDIS_URL)`);
}

const SIZES = {
  // Defaults sized for a loaded 2-core CI machine (~20-40 steps/s for two workers there); the 10k and
  // 1,000 run with SCALE_OUT_ENROLLMENTS=10000 CRASH_ENROLLMENTS=1000 and time to spare.
  twoWorkers: Number(process.env.SCALE_OUT_ENROLLMENTS ?? 200),
  crash: Number(process.env.CRASH_ENROLLMENTS ?? 200),
  kills: Number(process.env.CRASH_KILLS ?? 20),
};

// The last target: PostgreSQL when DATABASE_URL names one, else SQLite.
const [databaseName, createUrl] = databaseTargets().at(-1)!;
const multiProcess = databaseName === "postgresql";
if (redisUp && !multiProcess) console.warn("scale-out tests: the two-worker and kill -9 tests SKIPPED on SQLite (they need DATABASE_URL=postgresql://…)");
const RUN_MS = 600_000;

afterAll(dropAll);

describe.runIf(redisUp)(`scale-out on BullMQ (${databaseName})`, () => {
  let sendgrid: SendGridEmulator;
  const workers: WorkerProcess[] = [];
  const redis = redisUp ? new IORedis(REDIS_URL, { maxRetriesPerRequest: null }) : null;
  const prefixes: string[] = [];

  beforeAll(async () => {
    sendgrid = await startSendGridEmulator({ apiKey: "SG.scale" });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill9()));
  });

  afterAll(async () => {
    await sendgrid?.close();
    for (const prefix of prefixes) await deleteKeys(prefix);
    redis?.disconnect();
  });

  async function deleteKeys(prefix: string): Promise<number> {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis!.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis!.del(...keys);
    } while (cursor !== "0");
    return deleted;
  }

  /** A fresh database, queue prefix and flow; the settings a worker process needs. */
  async function setup(count: number) {
    const url = await createUrl();
    const db = openDb(url);
    if (databaseName === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
    const now = new Date();
    const load = await seedEngineFlow(db, { now });
    await enrollDue(db, load, { count, now });
    const prefix = `nftest-${randomBytes(4).toString("hex")}`;
    prefixes.push(prefix);
    const settings = {
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: "4",
      WORKER_SWEEP_MS: "1000",
      WORKER_LOCK_MS: "2000",
      SENDGRID_API_KEY: "SG.scale",
      SENDGRID_API_BASE_URL: sendgrid.url,
      UNSUBSCRIBE_SECRET: "scale-out-test-unsubscribe-secret",
      LOG_LEVEL: "fatal",
    };
    return { db, load, prefix, settings };
  }

  async function startWorker(settings: Record<string, string>) {
    const worker = await startWorkerProcess(settings);
    workers.push(worker);
    return worker;
  }

  /** Polls the database (other processes do the work) until every enrollment has completed. */
  /**
   * Waits until every enrollment has completed and no message is still queued: a journey completes when its last
   * step has written its email, which is dispatched just after.
   */
  async function waitUntilDone(db: Db, load: EngineLoad, count: number, timeoutMs: number) {
    const started = Date.now();
    const queued = () => db.message.count({ where: { workspaceId: load.workspaceId, status: "queued" } });
    let outcome = await loadOutcome(db, load);
    while ((outcome.completed < count || (await queued()) > 0) && Date.now() - started < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      outcome = await loadOutcome(db, load);
    }
    return { outcome, ms: Date.now() - started };
  }

  /** The messages of this workspace the emulator accepted, by our message id: each must appear once. */
  async function accepted(db: Db, load: EngineLoad) {
    const ids = new Set((await db.message.findMany({ where: { workspaceId: load.workspaceId }, select: { id: true } })).map((message) => message.id));
    const counts = new Map<string, number>();
    // Every recipient of every request: same-content emails go as one request with a personalization each.
    for (const delivery of sendgrid.deliveries()) {
      const id = delivery.customArgs[MESSAGE_ID_ARG];
      if (id && ids.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return { distinct: counts.size, twice: [...counts.values()].filter((n) => n > 1).length };
  }

  /** Steps per (enrollment, node): each of the three once for every enrollment. */
  async function stepsOnce(db: Db, load: EngineLoad, count: number) {
    const byNode = await db.stepRun.groupBy({ by: ["nodeId"], where: { workspaceId: load.workspaceId }, _count: { _all: true } });
    const perNode = Object.fromEntries(byNode.map((row) => [row.nodeId, row._count._all]));
    expect(perNode).toEqual(Object.fromEntries(LOAD_STEPS.map((node) => [node, count])));
    const messages = await db.message.groupBy({ by: ["nodeId"], where: { workspaceId: load.workspaceId }, _count: { _all: true } });
    expect(Object.fromEntries(messages.map((row) => [row.nodeId, row._count._all]))).toEqual(Object.fromEntries(LOAD_EMAILS.map((node) => [node, count])));
  }

  it("adds one delayed job per wake-up, keyed by item and time, whoever announces it", async () => {
    const clock = new ManualClock("2026-03-02T09:00:00Z");
    const prefix = `nftest-${randomBytes(4).toString("hex")}`;
    prefixes.push(prefix);
    const queues: JobQueues = createJobQueues({ redisUrl: REDIS_URL, prefix, clock, logger: silentLogger });
    try {
      const at = new Date("2026-03-02T10:00:00Z");
      queues.scheduler.notify("step", "enr_1", at);
      queues.scheduler.notify("step", "enr_1", at); // the sweeper, or a second worker, announcing the same wake-up
      await queues.add([{ kind: "step", id: "enr_1", at }, { kind: "dispatch", id: "msg_1", at: clock.now() }]);
      await queues.flush();
      const job = await queues.queues.steps.getJob(wakeJobId("step", "enr_1", at));
      expect(job?.opts.delay).toBe(3_600_000);
      expect(await job?.getState()).toBe("delayed");
      expect(await queues.counts()).toMatchObject({ steps: { delayed: 1, waiting: 0 }, dispatch: { waiting: 1 } });
    } finally {
      await queues.close();
    }
  });

  it.runIf(multiProcess)(`runs ${SIZES.twoWorkers} enrollments × 3 steps on two worker processes: every step once, no email twice`, async () => {
    const count = SIZES.twoWorkers;
    const { db, load, settings } = await setup(count);
    const sentBefore = sendgrid.messages.length;
    await Promise.all([startWorker(settings), startWorker(settings)]);
    const { outcome, ms } = await waitUntilDone(db, load, count, RUN_MS - 60_000);
    console.log(`two workers (${databaseName}): ${count} enrollments, ${outcome.steps} steps in ${(ms / 1000).toFixed(1)} s (${Math.round(outcome.steps / (ms / 1000))} steps/s), ${sendgrid.messages.length - sentBefore} emails accepted`);
    expect(outcome).toEqual({ enrollments: count, completed: count, steps: 3 * count, messages: 2 * count, sent: expect.any(Number) });
    await stepsOnce(db, load, count);
    // Sent by the emulator's count: every email once (the dispatch of the last few may still be running).
    const until = Date.now() + 30_000;
    while ((await db.message.count({ where: { workspaceId: load.workspaceId, status: "sent" } })) < 2 * count && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await accepted(db, load)).toEqual({ distinct: 2 * count, twice: 0 });
  }, RUN_MS);

  it.runIf(multiProcess)(`survives kill -9s (up to ${SIZES.kills}, until the run ends) at random points of a ${SIZES.crash}-enrollment run: every step once, no email twice`, async () => {
    const count = SIZES.crash;
    const { db, load, settings } = await setup(count);
    await Promise.all([startWorker(settings), startWorker(settings)]);
    let kills = 0;
    const done = async () => (await loadOutcome(db, load)).completed >= count;
    while (kills < SIZES.kills && !(await done())) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 800));
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
      await victim.kill9();
      kills += 1;
      await startWorker(settings); // a replacement, as a supervisor would start one
    }
    const progressAtLastKill = await loadOutcome(db, load);
    const { outcome, ms } = await waitUntilDone(db, load, count, RUN_MS - 120_000);
    const statuses = await db.message.groupBy({ by: ["status"], where: { workspaceId: load.workspaceId }, _count: { _all: true } });
    const email = await accepted(db, load);
    console.log(
      `crash safety (${databaseName}): ${kills} kill -9s (the last with ${progressAtLastKill.completed}/${count} enrollments done); finished ${(ms / 1000).toFixed(1)} s later; ` +
        `steps ${outcome.steps}/${3 * count}, messages ${JSON.stringify(Object.fromEntries(statuses.map((row) => [row.status, row._count._all])))}, ` +
        `emulator ${email.distinct} distinct, ${email.twice} twice`,
    );
    expect(kills).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ enrollments: count, completed: count, steps: 3 * count, messages: 2 * count });
    await stepsOnce(db, load, count);
    expect(email.twice).toBe(0);
    // A kill during the provider call leaves what that worker had claimed in `sending` (never sent again: up to two
    // batches per kill, ADR 0035); the emulator has every `sent` one, and may have some of those.
    const sent = await db.message.count({ where: { workspaceId: load.workspaceId, status: "sent" } });
    const stuck = await db.message.count({ where: { workspaceId: load.workspaceId, status: "sending" } });
    expect(sent + stuck).toBe(2 * count);
    expect(email.distinct).toBeGreaterThanOrEqual(sent);
    expect(email.distinct).toBeLessThanOrEqual(sent + stuck);
    // Once their lease has run out, each stranded one is settled (no provider events here: failed, with the reason),
    // and none goes out again.
    const afterLease = new ManualClock(new Date(Date.now() + SEND_LEASE_MS + 60_000));
    while ((await reconcileInterruptedSends({ db, clock: afterLease, logger: silentLogger })) > 0);
    expect(await db.message.count({ where: { workspaceId: load.workspaceId, status: "sending" } })).toBe(0);
    expect(await db.message.count({ where: { workspaceId: load.workspaceId, status: "failed", error: INTERRUPTED_SEND } })).toBe(stuck);
    expect((await accepted(db, load)).twice).toBe(0);
  }, RUN_MS);

  it("finds the work again when Redis loses every job mid-run (the sweeper)", async () => {
    const count = 300;
    const { db, load, prefix, settings } = await setup(count);
    await startWorker(settings);
    // Let it start, then drop every key of this installation, jobs and locks included, as a Redis flush would.
    const until = Date.now() + 60_000;
    while ((await loadOutcome(db, load)).completed === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    const deleted = await deleteKeys(prefix);
    const before = await loadOutcome(db, load);
    const { outcome } = await waitUntilDone(db, load, count, 120_000);
    console.log(`lost jobs: deleted ${deleted} Redis keys with ${before.completed}/${count} enrollments done; then ${outcome.completed}/${count}`);
    expect(deleted).toBeGreaterThan(0);
    expect(before.completed).toBeLessThan(count);
    expect(outcome).toMatchObject({ completed: count, steps: 3 * count, messages: 2 * count });
    await stepsOnce(db, load, count);
  }, RUN_MS);
});
