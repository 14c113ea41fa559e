// The BullMQ side of wake-ups (docs/decisions/0024): three queues under one Redis prefix, and the Scheduler that
// adds a job per due item with a deterministic id (kind, item, due time) and a delay until the item is due.
// The jobs carry no state: a worker re-reads the item from the database, which stays the source of truth.
//
//   serial   inbox drains and periodic maintenance, one at a time across all workers (arrival order kept)
//   steps    one enrollment's next step(s)
//   dispatch one queued message
import { Queue, type JobsOptions } from "bullmq";
import IORedis from "ioredis";
import type { Clock } from "~/core/clock";
import type { Logger } from "~/core/logger.server";
import { wakeJobId, type Scheduler, type WakeKind } from "./scheduler";

export const QUEUE_NAMES = ["serial", "steps", "dispatch"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const QUEUE_OF: Record<WakeKind, QueueName> = { inbox: "serial", step: "steps", dispatch: "dispatch" };

/** A wake-up to add: the item `id` of `kind` is due at `at`. */
export interface Wake {
  kind: WakeKind;
  id: string;
  at: Date;
}

export interface JobQueuesOptions {
  redisUrl: string;
  /** Namespaces every key (BullMQ's `prefix`): one Redis can serve several installations or tests. */
  prefix: string;
  clock: Clock;
  logger: Logger;
}

/** Finished jobs are removed at once: the same item due again at the same time can then be woken again. */
const WAKE_JOB: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };

export function createJobQueues(options: JobQueuesOptions) {
  const { clock, logger } = options;
  // Producers fail after ioredis' retries instead of waiting forever: a lost wake-up is found again by the sweeper.
  const connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
  connection.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: options.prefix })]),
  ) as Record<QueueName, Queue>;
  for (const queue of Object.values(queues)) queue.on("error", (error) => logger.warn({ err: error, queue: queue.name }, "queue error"));
  const pending = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  function jobFor(wake: Wake) {
    const delay = Math.max(0, wake.at.getTime() - clock.now().getTime());
    return { name: wake.kind, data: { id: wake.id }, opts: { ...WAKE_JOB, jobId: wakeJobId(wake.kind, wake.id, wake.at), delay } };
  }

  /** Adds wake-ups; an id that is already waiting, delayed or running is left as it is (BullMQ ignores it). */
  async function add(wakes: Wake[]): Promise<void> {
    for (const name of QUEUE_NAMES) {
      const jobs = wakes.filter((wake) => QUEUE_OF[wake.kind] === name).map(jobFor);
      for (let i = 0; i < jobs.length; i += 500) await queues[name].addBulk(jobs.slice(i, i + 500));
    }
  }

  const scheduler: Scheduler = {
    notify(kind, id, at) {
      const adding = add([{ kind, id, at }])
        .catch((error: unknown) => logger.warn({ err: error, kind, id }, "could not add a wake-up; the sweeper will find the item"))
        .finally(() => pending.delete(adding));
      pending.add(adding);
    },
  };

  return {
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    connection,
    queues,
    scheduler,
    add,
    /** A job that runs once per `slot` however many workers add it (completed ones are kept for a while). */
    async addOnce(queue: QueueName, name: string, slot: string, keepSeconds: number): Promise<void> {
      await queues[queue].add(name, {}, { jobId: `${name}_${slot}`, removeOnComplete: { age: keepSeconds }, removeOnFail: true, attempts: 1 });
    },
    /** Waits for the wake-ups added so far (before shutdown). */
    async flush(): Promise<void> {
      await Promise.allSettled([...pending]);
    },
    /** Redis answers (for /readyz). */
    async ping(): Promise<void> {
      const answer = await connection.ping();
      if (answer !== "PONG") throw new Error(`Redis answered ${answer}`);
    },
    /** Jobs per queue and state (for /metrics). */
    async counts(): Promise<Record<QueueName, Record<string, number>>> {
      const entries = await Promise.all(QUEUE_NAMES.map(async (name) => [name, await queues[name].getJobCounts("waiting", "active", "delayed")] as const));
      return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
    },
    /** Waits for pending wake-ups, then closes (once, however often it is called). */
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.allSettled([...pending]);
        await Promise.all(Object.values(queues).map((queue) => queue.close()));
        await connection.quit().catch(() => undefined);
      })();
      return closing;
    },
  };
}
export type JobQueues = ReturnType<typeof createJobQueues>;
