// ingest: Shopify checkouts/update deliveries through the real pipeline, against the floor of the same work.
//
// Ours, per round, on a fresh migrated SQLite file: a workspace + Shopify store (ensureShopifyStore), N deliveries
// stored with receiveShopifyWebhook (timed on its own: the "receive" figure), then the inbox processor
// (processDue in a loop until nothing is due) turns them into customers, checkouts and timeline events: timed,
// checkouts processed per second.
// Floor, per round, on a fresh SQLite file in the same directory: JSON.parse each raw body, map the fields we keep
// (token, email, total in minor units, line items JSON, updated_at) by hand, INSERT them with a better-sqlite3
// prepared statement, one transaction per 100 rows. Both use SQLite's defaults (rollback journal,
// synchronous=FULL), as our Prisma adapter does.
// Rounds alternate ours/floor so machine noise hits both; the figures are medians over the rounds.
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { systemClock } from "~/core/clock";
import { createInboxProcessor } from "~/core/ingest/process.server";
import { receiveShopifyWebhook, type Delivery } from "~/core/ingest/receive.server";
import { silentLogger } from "~/core/logger.server";
import { ensureShopifyStore } from "~/core/workspaces/workspaces.server";
import { createDb } from "~/db.server";
import { intOptions, median, resultLine, seconds, sig3, type Benchmark } from "./lib";

const NAME = "ingest";
const UNIT = "checkouts/s";
const DEFAULTS = { n: 2000, rounds: 3, warmup: 200 };
const FLOOR_REPEATS = 5; // floor runs per round: it takes milliseconds, so more samples for a steadier median
const SHOP = "bench-shop.myshopify.com";
const TOPIC = "checkouts/update";
const PROCESS_LIMIT = 100; // processDue's batch, as the worker uses it
const FLOOR_BATCH = 100; // rows per floor transaction

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------
// Input: the Shopify sample payload, made into N distinct deliveries (distinct checkout, cart, customer,
// email, webhook id), as one shop's stream of abandoned checkouts from different shoppers would be.

type Payload = Record<string, unknown> & { customer: Record<string, unknown> };

function deliveries(count: number, round: string): (Delivery & { shop: string })[] {
  const fixturePath = path.resolve("test/fixtures/shopify/checkouts_update.json");
  const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as Payload;
  const start = Date.parse("2026-11-25T09:00:00Z");
  return Array.from({ length: count }, (_, i) => {
    const token = `bench${round}${String(i).padStart(6, "0")}`;
    const email = `shopper-${round}-${i}@example.com`;
    const customerId = 7_000_000_000_000 + i;
    const at = new Date(start + i * 1000).toISOString();
    const payload: Payload = {
      ...fixture,
      token,
      cart_token: `cart${token}`,
      email,
      created_at: at,
      updated_at: at,
      abandoned_checkout_url: `https://checkout.local/548380009/checkouts/${token}/recover?key=k${token}`,
      customer: {
        ...fixture.customer,
        id: customerId,
        email,
        admin_graphql_api_id: `gid://shopify/Customer/${customerId}`,
      },
    };
    const webhookId = `bench-${round}-${i}-${token}`;
    const headers = {
      "x-shopify-topic": TOPIC,
      "x-shopify-shop-domain": SHOP,
      "x-shopify-webhook-id": webhookId,
      "x-shopify-event-id": `event-${webhookId}`,
      "x-shopify-api-version": "2026-07",
      "x-shopify-triggered-at": at,
      "x-shopify-hmac-sha256": "bench-not-verified-here=",
    };
    return { shop: SHOP, topic: TOPIC, dedupeKey: webhookId, eventId: headers["x-shopify-event-id"], rawBody: JSON.stringify(payload), headers };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Ours: the real pipeline.

async function migrateTemplate(dir: string): Promise<string> {
  const file = path.join(dir, "template.sqlite");
  try {
    await run(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${file}`, CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String(error.stderr) : "";
    throw new Error(`prisma migrate deploy failed for ${file}\n${output}`, { cause: error });
  }
  return file;
}

interface OursResult {
  receiveMs: number;
  processMs: number;
}

async function runOurs(template: string, dir: string, input: (Delivery & { shop: string })[], label: string): Promise<OursResult> {
  const file = path.join(dir, `ours-${label}.sqlite`);
  await copyFile(template, file); // a fresh migrated database for each round
  const db = createDb(`file:${file}`);
  try {
    const clock = systemClock;
    await ensureShopifyStore(db, { shop: SHOP, details: { name: "Bench shop", email: "owner@example.com", currency: "USD", timezone: "America/New_York" }, now: clock.now() });

    const receiveStart = performance.now();
    for (const delivery of input) {
      const receipt = await receiveShopifyWebhook({ db, clock }, delivery);
      if (!receipt.stored) throw new Error(`delivery ${delivery.dedupeKey} was taken for a duplicate`);
    }
    const receiveMs = performance.now() - receiveStart;

    const processor = createInboxProcessor({ db, clock, logger: silentLogger });
    const processStart = performance.now();
    while ((await processor.processDue(PROCESS_LIMIT)) > 0);
    const processMs = performance.now() - processStart;

    // The work was done, all of it: every delivery processed into a checkout (not failed, not left pending).
    const [processed, checkouts, events] = await Promise.all([
      db.inboxEvent.count({ where: { status: "processed" } }),
      db.checkout.count(),
      db.event.count({ where: { type: "checkout.update" } }),
    ]);
    if (processed !== input.length || checkouts !== input.length || events !== input.length) {
      const failed = await db.inboxEvent.findFirst({ where: { status: { not: "processed" } }, select: { status: true, error: true } });
      throw new Error(`ours: ${processed} processed, ${checkouts} checkouts, ${events} events of ${input.length} (e.g. ${JSON.stringify(failed)})`);
    }
    return { receiveMs, processMs };
  } finally {
    await db.$disconnect();
    await rm(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Floor: the same work the simplest fast way.

interface ShopifyLineItemIn {
  product_id: number | null;
  variant_id: number | null;
  sku: string | null;
  title: string;
  variant_title: string | null;
  quantity: number;
  price: string;
}

function toMinor(decimal: string): number {
  return Math.round(Number(decimal) * 100);
}

function runFloor(dir: string, input: Delivery[], label: string): number {
  const file = path.join(dir, `floor-${label}.sqlite`);
  const db = new Database(file);
  try {
    db.exec(`CREATE TABLE checkout (
      token TEXT PRIMARY KEY,
      email TEXT,
      total_price INTEGER NOT NULL,
      line_items TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    const insert = db.prepare("INSERT INTO checkout (token, email, total_price, line_items, updated_at) VALUES (?, ?, ?, ?, ?)");
    const insertBatch = db.transaction((bodies: string[]) => {
      for (const body of bodies) {
        const p = JSON.parse(body);
        const email: string | null = p.email ?? p.customer?.email ?? null;
        const items = (p.line_items as ShopifyLineItemIn[]).map((item) => ({
          productId: item.product_id === null ? null : String(item.product_id),
          variantId: item.variant_id === null ? null : String(item.variant_id),
          sku: item.sku || null,
          title: item.title,
          variantTitle: item.variant_title || null,
          quantity: item.quantity,
          price: toMinor(item.price),
        }));
        insert.run(p.token, email?.trim().toLowerCase() ?? null, toMinor(p.total_price), JSON.stringify(items), new Date(p.updated_at).toISOString());
      }
    });

    const start = performance.now();
    for (let i = 0; i < input.length; i += FLOOR_BATCH) {
      insertBatch(input.slice(i, i + FLOOR_BATCH).map((delivery) => delivery.rawBody));
    }
    const ms = performance.now() - start;

    const { rows } = db.prepare("SELECT count(*) AS rows FROM checkout").get() as { rows: number };
    if (rows !== input.length) throw new Error(`floor: ${rows} rows of ${input.length}`);
    return ms;
  } finally {
    db.close();
    rmSync(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------

const benchmark: Benchmark = {
  async run(args) {
    const { n, rounds, warmup } = intOptions(args, DEFAULTS);
    const dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-bench-"));
    try {
      const template = await migrateTemplate(dir);

      // Warm-up: JIT, Prisma's query compiler and caches, page cache; not counted.
      const warm = deliveries(warmup, "w");
      await runOurs(template, dir, warm, "warmup");
      runFloor(dir, warm, "warmup");

      const ours: OursResult[] = [];
      const floor: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        const input = deliveries(n, String(round));
        ours.push(await runOurs(template, dir, input, String(round)));
        const floorRound = Array.from({ length: FLOOR_REPEATS }, (_, repeat) => runFloor(dir, input, `${round}-${repeat}`));
        floor.push(median(floorRound));
        const last = ours[ours.length - 1];
        console.error(
          `  round ${round}/${rounds}: receive ${seconds(last.receiveMs)}, ours ${seconds(last.processMs)}, floor ${seconds(median(floorRound))} (median of ${FLOOR_REPEATS})`,
        );
      }

      const receiveMs = median(ours.map((r) => r.receiveMs));
      const oursMs = median(ours.map((r) => r.processMs));
      const floorMs = median(floor);
      const oursRate = n / (oursMs / 1000);
      const floorRate = n / (floorMs / 1000);
      const spread = (values: number[]) => `${seconds(Math.min(...values))}–${seconds(Math.max(...values))}`;

      console.log(`${NAME}: N=${n} Shopify ${TOPIC} deliveries; medians of ${rounds} rounds (floor: median of ${FLOOR_REPEATS} runs per round), after a ${warmup}-delivery warm-up`);
      console.log(`  ours : processDue loop         ${seconds(oursMs)} (${spread(ours.map((r) => r.processMs))})  ${sig3(oursRate)} ${UNIT}`);
      console.log(`  floor: parse + better-sqlite3  ${seconds(floorMs)} (${spread(floor)})  ${sig3(floorRate)} ${UNIT}`);
      console.log(`  receive: receiveShopifyWebhook ${seconds(receiveMs)} (${spread(ours.map((r) => r.receiveMs))})  ${sig3(n / (receiveMs / 1000))} deliveries/s`);
      console.log(resultLine(NAME, UNIT, oursRate, floorRate));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;
