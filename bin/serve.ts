// The HTTP server (express + the Remix build) and the in-process worker, with graceful shutdown: on SIGTERM
// the server stops accepting, the worker finishes the steps in flight, then the database disconnects.
// With REDIS_URL the worker is a set of BullMQ workers plus a sweeper (docs/decisions/0024), else a polling loop.
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, installGlobals, type ServerBuild } from "@remix-run/node";
import express from "express";
import { systemClock } from "~/core/clock";
import { createPublicRateLimits } from "~/core/ops/public-rate-limits";
import { startJobWorkers } from "~/core/jobs/workers.server";
import { getDb, isPostgresUrl, type Db } from "~/db.server";
import type { Env } from "~/env.server";
import { createWorkerDeps, jobQueues } from "~/services.server";
import { createWorker } from "~/worker.server";
import { printDemoSignIn } from "./demo";

function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      stop()
        .catch((error: unknown) => console.error("shutdown failed:", error))
        .finally(() => process.exit(0));
    });
  }
}

/**
 * Several processes share a SQLite file only in WAL mode (readers never block the writer; the busy timeout covers
 * writer against writer). The mode is stored in the file, so setting it once is enough; PostgreSQL needs nothing.
 */
async function shareDatabase(config: Env, db: Db) {
  if (isPostgresUrl(config.DATABASE_URL)) return;
  await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
}

/** Starts the due work: BullMQ workers and the sweeper with REDIS_URL, else the polling loop. */
async function startWork(config: Env): Promise<{ description: string; stop: () => Promise<void> }> {
  const deps = createWorkerDeps();
  const worker = createWorker(deps);
  const queues = jobQueues();
  if (!queues) {
    worker.start(config.WORKER_POLL_MS);
    return { description: `polling the database every ${config.WORKER_POLL_MS} ms`, stop: () => worker.stop() };
  }
  await shareDatabase(config, deps.db);
  const jobs = startJobWorkers({
    deps,
    queues,
    maintain: worker.maintain,
    concurrency: config.WORKER_CONCURRENCY,
    lockMs: config.WORKER_LOCK_MS,
    sweepMs: config.WORKER_SWEEP_MS,
  });
  return {
    description: `BullMQ on Redis (prefix ${config.QUEUE_PREFIX}, concurrency ${config.WORKER_CONCURRENCY}, sweep every ${config.WORKER_SWEEP_MS} ms)`,
    stop: async () => {
      await jobs.close();
      await queues.close();
    },
  };
}

export async function runWorker(config: Env) {
  const work = await startWork(config);
  console.log(`Nudgeflow worker running: ${work.description}`);
  onShutdown(async () => {
    await work.stop();
    await getDb().$disconnect();
  });
}

export async function serve(config: Env, options: { buildUrl: string; seedDemo: boolean }) {
  installGlobals();
  const loadBuild = async (): Promise<ServerBuild> => import(`${options.buildUrl}?t=${Date.now()}`);
  let build = await loadBuild();
  // `remix dev --manual` sets REMIX_DEV_ORIGIN: then rebuilds are reloaded and announced to it.
  const development = Boolean(process.env.REMIX_DEV_ORIGIN);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  const publicLimits = createPublicRateLimits({ clock: systemClock });
  app.use((req, res, next) => {
    const decision = publicLimits.take({ method: req.method, pathname: req.path, client: req.ip ?? "unknown" });
    if (decision.allowed) return next();
    res.set("Retry-After", String(decision.retryAfterSeconds)).status(429).type("text/plain").send(`Too many requests (${decision.limit}); retry in ${decision.retryAfterSeconds} s.\n`);
  });
  app.use("/build", express.static(path.join("public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.all(
    "*",
    development
      ? (req, res, next) => createRequestHandler({ build, mode: "development" })(req, res, next)
      : createRequestHandler({ build, mode: build.mode }),
  );

  if (options.seedDemo) await printDemoSignIn(config, undefined);

  const worker = config.NUDGEFLOW_WORKER === "embedded" ? await startWork(config) : null;

  const server = app.listen(config.PORT, config.HOST, () => {
    const shown = config.HOST === "127.0.0.1" || config.HOST === "0.0.0.0" ? "localhost" : config.HOST;
    console.log(`Nudgeflow listening on http://${config.HOST}:${config.PORT} (open http://${shown}:${config.PORT})`);
    console.log(worker ? `Worker: in-process, ${worker.description}` : "Worker: off (NUDGEFLOW_WORKER=off); run `npm run worker` separately");
    if (development) broadcastDevReady(build);
  });

  if (development) {
    const { watch } = await import("node:fs");
    watch(path.join("build"), { persistent: false }, async () => {
      build = await loadBuild();
      broadcastDevReady(build);
    });
  }

  onShutdown(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await worker?.stop();
    await jobQueues()?.close(); // web only: the wake-ups announced by requests reach Redis before the exit
    await getDb().$disconnect();
  });
}
