// The HTTP server (express + the Remix build) and the in-process worker, with graceful shutdown: on SIGTERM
// the server stops accepting, the worker finishes the step in flight, then the database disconnects.
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, installGlobals, type ServerBuild } from "@remix-run/node";
import express from "express";
import { systemClock } from "~/core/clock";
import { createPublicRateLimits } from "~/core/ops/public-rate-limits";
import { getDb } from "~/db.server";
import type { Env } from "~/env.server";
import { createWorkerDeps } from "~/services.server";
import { createWorker, type Worker } from "~/worker.server";
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

export async function runWorker(config: Env) {
  const worker = createWorker(createWorkerDeps());
  worker.start(config.WORKER_POLL_MS);
  console.log(`Nudgeflow worker running (poll every ${config.WORKER_POLL_MS} ms)`);
  onShutdown(async () => {
    await worker.stop();
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

  let worker: Worker | null = null;
  if (config.NUDGEFLOW_WORKER === "embedded") {
    worker = createWorker(createWorkerDeps());
    worker.start(config.WORKER_POLL_MS);
  }

  const server = app.listen(config.PORT, config.HOST, () => {
    const shown = config.HOST === "127.0.0.1" || config.HOST === "0.0.0.0" ? "localhost" : config.HOST;
    console.log(`Nudgeflow listening on http://${config.HOST}:${config.PORT} (open http://${shown}:${config.PORT})`);
    console.log(worker ? "Worker: in-process" : "Worker: off (NUDGEFLOW_WORKER=off); run `npm run worker` separately");
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
    await getDb().$disconnect();
  });
}
