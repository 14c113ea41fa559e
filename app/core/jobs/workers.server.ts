// BullMQ workers over the database (docs/decisions/0024). A job is only a wake-up: its handler re-reads the item
// and does nothing unless it is still due, and the claims the polling scheduler relies on (inbox attempts CAS,
// StepRun unique on enrollment + node, message queued → sending) make two workers on one item harmless. Each
// process also sweeps the database on a timer and re-adds a wake-up for anything due without one.
import { Worker as BullWorker, type Job } from "bullmq";
import IORedis from "ioredis";
import { createFlowRunner, type RunnerDeps } from "~/core/flows/runner.server";
import { createInboxProcessor, type InboxDeps } from "~/core/ingest/process.server";
import { dispatchMessage, type DispatchDeps } from "~/core/messaging/dispatch.server";
import type { JobQueues, QueueName } from "./queues.server";
import { dueWakes } from "./sweep.server";

export interface JobWorkersOptions {
  deps: InboxDeps & RunnerDeps & DispatchDeps;
  queues: JobQueues;
  /** Periodic work of the embedded loop (store syncs, predictions, segments): once per sweep across all workers. */
  maintain?: () => Promise<number>;
  /** Jobs run at once per queue in this process (steps and dispatch; the serial queue always runs one). */
  concurrency: number;
  /** BullMQ lock: a job of a crashed worker is taken over by another after about this long. */
  lockMs: number;
  /** How often this process sweeps the database for due work without a job. */
  sweepMs: number;
  /** At most this many items of each kind per sweep. */
  sweepLimit?: number;
}

/** Inbox drains per job: each processes up to 100 rows in arrival order. */
const MAX_INBOX_PASSES = 20;

export function startJobWorkers(options: JobWorkersOptions) {
  const { deps, queues, concurrency, lockMs, sweepMs } = options;
  const { db, clock, logger } = deps;
  const inbox = createInboxProcessor(deps);
  const runner = createFlowRunner(deps);
  const sweepLimit = options.sweepLimit ?? 1000;

  const handlers: Record<QueueName, (job: Job<{ id?: string }>) => Promise<void>> = {
    // One at a time across every worker: rows are processed in the order they arrived, whichever row woke us.
    async serial(job) {
      // Maintenance first: a store sync writes inbox rows, drained right after rather than at the next sweep.
      if (job.name === "maintenance") await options.maintain?.();
      for (let pass = 0; pass < MAX_INBOX_PASSES; pass += 1) if ((await inbox.processDue()) === 0) break;
    },
    async steps(job) {
      const id = job.data.id ?? "";
      // Still due? (The same question the polling loop asks, for one enrollment.)
      const due = await db.enrollment.findFirst({
        where: { id, status: "active", wakeAt: { lte: clock.now() }, flow: { status: "live" } },
        select: { id: true, workspaceId: true },
      });
      if (due) await runner.runOne(due);
    },
    async dispatch(job) {
      await dispatchMessage(deps, job.data.id ?? "");
    },
  };

  const connections: IORedis[] = [];
  const workers = (Object.keys(handlers) as QueueName[]).map((name) => {
    // BullMQ workers block on Redis and must not give up on a command (STACK.md 29).
    const connection = new IORedis(queues.redisUrl, { maxRetriesPerRequest: null });
    connections.push(connection);
    const worker = new BullWorker(name, handlers[name], {
      connection,
      prefix: queues.prefix,
      concurrency: name === "serial" ? 1 : concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 1,
    });
    worker.on("failed", (job, error) => logger.error({ err: error, queue: name, jobId: job?.id }, "job failed; the sweeper will wake the item again"));
    worker.on("error", (error) => logger.warn({ err: error, queue: name }, "worker error"));
    return worker;
  });

  /** Re-adds a wake-up for everything due now or before the next sweep; returns how many it looked at. */
  async function sweep(): Promise<number> {
    const now = clock.now();
    // Global concurrency lives in Redis: set it again each time, so a flushed Redis keeps the inbox in order.
    await queues.queues.serial.setGlobalConcurrency(1);
    const wakes = await dueWakes(db, { now, horizon: new Date(now.getTime() + sweepMs), limit: sweepLimit });
    await queues.add(wakes);
    if (options.maintain) await queues.addOnce("serial", "maintenance", String(Math.floor(now.getTime() / sweepMs)), Math.ceil((2 * sweepMs) / 1000));
    return wakes.length;
  }

  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const loop = () => {
    sweeping = sweep()
      .catch((error: unknown) => logger.warn({ err: error }, "sweep failed; trying again at the next one"))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, sweepMs);
      });
  };
  loop();

  return {
    sweep,
    workers,
    /** Stops sweeping, lets the jobs in flight finish (BullMQ's close waits for them), then closes connections. */
    async close(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.flush();
      await Promise.all(connections.map((connection) => connection.quit().catch(() => undefined)));
    },
  };
}
export type JobWorkers = ReturnType<typeof startJobWorkers>;
