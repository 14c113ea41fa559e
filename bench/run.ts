// The benchmark runner: `npm run bench` lists the benchmarks, `npm run bench -- NAME [options]` runs one.
// Each benchmark measures its floor (the same work done the simplest fast way) in the same run and ends with
// exactly one line `NAME: value=V UNIT floor=F ratio=R` (R = ours ÷ floor, higher is better). See README.md.
import path from "node:path";
import { UsageError, type Benchmark } from "./lib";

/** Every benchmark, loaded only when it runs (listing them must not load Prisma). */
const BENCHMARKS: Record<string, { description: string; load: () => Promise<{ default: Benchmark }> }> = {
  ingest: {
    description: "Shopify checkouts/update deliveries through the inbox processor vs. JSON.parse + better-sqlite3 INSERTs",
    load: () => import("./ingest"),
  },
  engine: {
    description: "journeys of a three-step flow run by the worker process (embedded SQLite; BullMQ with 1 and 2 workers on PostgreSQL) vs. the same rows written with raw SQL in batches of 100",
    load: () => import("./engine"),
  },
  segments: {
    description: "the four seed segments on a synthetic 1M-customer / 5M-order store (full recompute, incremental, live count, memory) vs. hand-written SQL on covering indexes",
    load: () => import("./segments"),
  },
  send: {
    description: "100,000 recipients of one email through the dispatcher to the SendGrid emulator (batches, 429s honoured, statuses written) vs. a keep-alive client posting 1,000-personalization bodies",
    load: () => import("./send"),
  },
};

function listing(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((name) => name.length));
  const lines = Object.entries(BENCHMARKS).map(([name, { description }]) => `  ${name.padEnd(width)}  ${description}`);
  return `Usage: npm run bench -- NAME [options]\n\nBenchmarks:\n${lines.join("\n")}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(listing());
    return 0;
  }
  const entry = Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!entry) {
    console.error(`Unknown benchmark "${name}". Available: ${Object.keys(BENCHMARKS).join(", ")}.\n\n${listing()}`);
    return 2;
  }
  process.chdir(path.resolve(import.meta.dirname, "..")); // prisma.config.ts and relative paths: repo root
  const benchmark = (await entry.load()).default;
  await benchmark.run(args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
