// The command-line entry: `serve` (web + in-process worker, the embedded default), `worker` (scale-out),
// `migrate`, `demo` (print or reset the demo sign-in), `flows …` (flows as code: list, export, import,
// validate, schema), `trace` (flow decisions), `settings budget` (the message budget), `analytics` (KPIs,
// attribution explained, attribution settings), `segments`, `customers`, `apikeys` (keys for the HTTP API). Run through tsx's ESM
// loader (`node --import tsx/esm`): `npm run serve`, `npm run nudgeflow -- help`. (tsx's CommonJS hook mangles
// .mjs files that express's dependencies require, so only the ESM loader is used.)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
process.chdir(ROOT); // relative SQLite paths and prisma.config.ts are relative to the project root

const USAGE = `Usage: nudgeflow <command>

Commands:
  serve     Apply migrations, then serve the app and run the worker in-process (NUDGEFLOW_WORKER=off: web only).
            With no Shopify credentials it seeds the demo workspace and prints how to sign in.
  worker    Apply migrations, then run only the worker (for scale-out next to web processes; with REDIS_URL
            any number of them share the work through BullMQ). --no-migrate: skip the migrations (another
            process applies them; several processes migrating one SQLite file at once collide).
  migrate   Apply pending database migrations (DATABASE_URL; SQLite file by default).
  demo      Create the demo workspace if needed, set its password (DEMO_PASSWORD or a new one) and print it.
  flows     Flows as code: list, export, import, validate, schema (\`nudgeflow flows help\`).
  stores    Stores: connect-woocommerce, list, sync (\`nudgeflow stores help\`).
  workspace Create a standalone (non-Shopify) workspace with its first user: workspace create --name N --email E.
  trace     A timeline of flow decisions: --workspace ID (--customer EMAIL | --enrollment ID).
  settings  Workspace settings: \`settings budget --workspace ID --max N --window-hours H\` (message budget).
  analytics KPIs per flow (--workspace ID [--from DATE --to DATE]), \`analytics explain --order ID\`, attribution settings.
  segments  Segments: list, members, export as CSV (\`nudgeflow segments help\`).
  customers Customers: list (--search, --segment), show a profile with its timeline (\`nudgeflow customers help\`).
  apikeys   Keys for the HTTP API (/api/v1): create, list, revoke (\`nudgeflow apikeys help\`).
  predictions  Churn, 12-month value and next order per customer: fit, show, validate (\`nudgeflow predictions help\`).
  help      Show this text.`;

/** Applies pending migrations; Prisma's output is shown only when it fails. */
function migrate(databaseUrl: string) {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`Could not apply database migrations to ${databaseUrl.replace(/\/\/[^@]*@/, "//***@")}:\n${result.stdout}${result.stderr}`);
  }
}

/** The segments, customers and apikeys commands share one shape: a runner and its usage text. */
async function commandModule(command: "segments" | "customers" | "apikeys") {
  switch (command) {
    case "segments": {
      const { runSegmentsCommand, SEGMENTS_USAGE } = await import("./segments");
      return { run: runSegmentsCommand, usage: SEGMENTS_USAGE };
    }
    case "customers": {
      const { runCustomersCommand, CUSTOMERS_USAGE } = await import("./customers");
      return { run: runCustomersCommand, usage: CUSTOMERS_USAGE };
    }
    case "apikeys": {
      const { runApiKeysCommand, APIKEYS_USAGE } = await import("./apikeys");
      return { run: runApiKeysCommand, usage: APIKEYS_USAGE };
    }
  }
}

async function main(command: string | undefined) {
  const { env, shopifyCredentials } = await import("~/env.server");
  const config = env();
  switch (command) {
    case "migrate": {
      migrate(config.DATABASE_URL);
      console.log("Migrations applied.");
      return;
    }
    case "demo": {
      migrate(config.DATABASE_URL);
      const { printDemoSignIn } = await import("./demo");
      await printDemoSignIn(config, undefined);
      return;
    }
    case "worker": {
      if (!process.argv.slice(3).includes("--no-migrate")) migrate(config.DATABASE_URL);
      const { runWorker } = await import("./serve");
      await runWorker(config);
      return;
    }
    case "serve": {
      migrate(config.DATABASE_URL);
      const buildPath = path.join(ROOT, "build", "index.js");
      if (!existsSync(buildPath)) throw new Error("No build found: run `npm run build` first (npm start does both).");
      const { serve } = await import("./serve");
      await serve(config, { buildUrl: pathToFileURL(buildPath).href, seedDemo: !shopifyCredentials() });
      return;
    }
    case "flows": {
      const { runFlowsCommand, FLOWS_USAGE } = await import("./flows");
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(FLOWS_USAGE);
        return;
      }
      process.exitCode = await runFlowsCommand(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "trace":
    case "settings": {
      const { runTraceCommand, runSettingsCommand, TRACE_USAGE, SETTINGS_USAGE } = await import("./trace");
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(command === "trace" ? TRACE_USAGE : SETTINGS_USAGE);
        return;
      }
      const run = command === "trace" ? runTraceCommand : runSettingsCommand;
      process.exitCode = await run(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "analytics": {
      const { runAnalyticsCommand, ANALYTICS_USAGE } = await import("./analytics");
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(ANALYTICS_USAGE);
        return;
      }
      migrate(config.DATABASE_URL);
      process.exitCode = await runAnalyticsCommand(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "stores": {
      const { runStoresCommand, STORES_USAGE } = await import("./stores");
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(STORES_USAGE);
        return;
      }
      migrate(config.DATABASE_URL);
      process.exitCode = await runStoresCommand(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "segments":
    case "customers":
    case "apikeys": {
      const { run, usage } = await commandModule(command);
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(usage);
        return;
      }
      migrate(config.DATABASE_URL);
      process.exitCode = await run(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "predictions": {
      const { runPredictionsCommand, PREDICTIONS_USAGE } = await import("./predictions");
      if (["help", "--help", undefined].includes(process.argv[3])) {
        console.log(PREDICTIONS_USAGE);
        return;
      }
      if (process.argv[3] !== "validate") migrate(config.DATABASE_URL);
      process.exitCode = await runPredictionsCommand(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case "workspace": {
      const { runWorkspaceCommand } = await import("./stores");
      migrate(config.DATABASE_URL);
      process.exitCode = await runWorkspaceCommand(process.argv.slice(3), { databaseUrl: config.DATABASE_URL });
      return;
    }
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
