// The synthetic store of the segments benchmark: a deterministic generator (seeded PRNG) of customers and orders,
// written straight into a SQLite file migrated with our migrations, and cached under .cache/bench/segments/ keyed
// by generator version, sizes and the migrations, so reruns skip it.
//
// The store: one workspace with one demo store (USD). About 18 % of customers never ordered; of the buyers about
// 42 % bought once, the rest 2 + a log-normal number more (a long tail of frequent buyers). A customer's first order
// follows sign-up within days; repeat buyers keep buying for an exponential lifetime (a quarter are still active),
// so many have lapsed (At-risk) and some buy often lately (Potential advocates); 2 % of repeat buyers had a
// burst of 3 orders in the last 30 days. Order totals are log-normal (median ~$45) times a per-customer
// log-normal factor; 2 % of orders are cancelled. Customer metrics (ordersCount, totalSpent, currency,
// firstOrderAt, lastOrderAt) are what core/profiles/apply.server.ts keeps: over the orders that are not cancelled.
// DateTimes are text as Prisma's SQLite adapter writes them (`toISOString()` with `Z` as `+00:00`).
//
// Run directly (`node --import tsx/esm bench/segments-data.ts --customers N --orders M --out FILE`) it generates
// one file; the benchmark runs it that way, in a child process, so its memory is not counted as ours.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";

/** Bump when the generated data changes: the cache key includes it. */
export const GENERATOR_VERSION = 1;
const SEED = 0x5e6_2026;

/** The instant the data is generated up to; the benchmark evaluates segments at this "now". */
export const BENCH_NOW = new Date("2026-11-25T12:00:00.000Z");
export const WORKSPACE_ID = "cbenchworkspace0000000001";
export const STORE_ID = "cbenchstore00000000000001";
export const STORE_DOMAIN = "bench-store.nudgeflow.dev";

const DAY = 86_400_000;
const HISTORY_DAYS = 3 * 365; // orders over about three years
const SIGNUP_LEAD_DAYS = 60; // the first customers signed up a little before the first orders

export interface DatasetSpec {
  customers: number;
  orders: number;
}

export interface Dataset extends DatasetSpec {
  file: string;
  /** Milliseconds the generation took in this run; null when the file came from the cache. */
  generatedMs: number | null;
}

// ---------------------------------------------------------------------------------------------------------
// Deterministic randomness.

/** mulberry32: small, fast, good enough for synthetic data; the same seed gives the same store everywhere. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return {
    next,
    normal,
    int: (n: number) => Math.floor(next() * n),
    exponential: (mean: number) => -Math.log(1 - next()) * mean,
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)];
    },
    /** One of the keys, with the given weights. */
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [item, weight] of items) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return items[items.length - 1][0];
    },
  };
}

/** As Prisma's SQLite adapter writes a DateTime (iso8601 format: `toISOString()` with the `Z` as `+00:00`). */
export function sqliteDateTime(ms: number | Date): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

/** cuid-shaped (25 characters, starts with c, time-ordered), deterministic. */
function cuidLike(ms: number, sequence: number, tag: string): string {
  return `c${ms.toString(36).padStart(8, "0")}${sequence.toString(36).padStart(8, "0")}${tag}`;
}

// ---------------------------------------------------------------------------------------------------------
// Profiles: names, places, domains, tags.

const FIRST_NAMES = ["maya", "liam", "sofia", "kenji", "ava", "noah", "emma", "lucas", "mia", "ethan", "zoe", "omar", "lena", "ivan", "chloe", "mateo", "aisha", "leo", "nora", "yuki", "sara", "jonas", "elif", "david", "amara", "felix", "hana", "owen", "priya", "tom"];
const LAST_NAMES = ["okafor", "novak", "lindqvist", "arai", "smith", "garcia", "muller", "rossi", "dubois", "kowalski", "jensen", "silva", "tanaka", "brown", "nguyen", "khan", "weber", "martin", "costa", "oconnor", "fischer", "haddad", "larsen", "moreau", "ivanova", "patel", "schmidt", "cohen", "berg", "lopez"];
const FREE_MAIL: [string, number][] = [["gmail.com", 35], ["yahoo.com", 9], ["hotmail.com", 8], ["outlook.com", 8], ["icloud.com", 8], ["aol.com", 2], ["proton.me", 2], ["gmx.de", 3]];
const COMPANY_DOMAINS = Array.from({ length: 60 }, (_, i) => `company${i + 1}.com`);
const PLACES: [{ country: string; regions: [string, string[]][] }, number][] = [
  [{ country: "US", regions: [["CA", ["Los Angeles", "San Francisco", "San Diego"]], ["NY", ["New York", "Buffalo"]], ["TX", ["Austin", "Houston", "Dallas"]], ["FL", ["Miami", "Orlando"]], ["WA", ["Seattle"]], ["IL", ["Chicago"]], ["MA", ["Boston"]], ["CO", ["Denver"]]] }, 55],
  [{ country: "CA", regions: [["ON", ["Toronto", "Ottawa"]], ["QC", ["Montreal"]], ["BC", ["Vancouver"]], ["AB", ["Calgary"]]] }, 10],
  [{ country: "GB", regions: [["ENG", ["London", "Manchester", "Bristol"]], ["SCT", ["Edinburgh", "Glasgow"]], ["WLS", ["Cardiff"]]] }, 10],
  [{ country: "DE", regions: [["BE", ["Berlin"]], ["BY", ["Munich"]], ["HH", ["Hamburg"]]] }, 7],
  [{ country: "FR", regions: [["IDF", ["Paris"]], ["ARA", ["Lyon"]]] }, 5],
  [{ country: "AU", regions: [["NSW", ["Sydney"]], ["VIC", ["Melbourne"]]] }, 5],
  [{ country: "NL", regions: [["NH", ["Amsterdam"]], ["ZH", ["Rotterdam"]]] }, 3],
  [{ country: "SE", regions: [["AB", ["Stockholm"]]] }, 2],
  [{ country: "JP", regions: [["13", ["Tokyo"]]] }, 2],
  [{ country: "ES", regions: [["MD", ["Madrid"]], ["CT", ["Barcelona"]]] }, 1],
];
const TAGS = ["newsletter", "wholesale", "vip-club", "instagram", "referral", "b2b", "returning", "sale-hunter"];
const PRODUCTS = Array.from({ length: 200 }, (_, i) => ({ id: String(8_000_000_000 + i), title: `Product ${i + 1}` }));

// ---------------------------------------------------------------------------------------------------------
// Generation.

/** Shares of the population (see the header). */
const BUYER_SHARE = 0.82;
const ONE_TIME_SHARE_OF_BUYERS = 0.42;
const REPEAT_SIGMA = 1.0;
const MAX_ORDERS_PER_CUSTOMER = 400;
const STILL_ACTIVE_SHARE = 0.25;
const LIFETIME_MEAN_DAYS = 400;
const BURST_SHARE = 0.02;
const CANCELLED_SHARE = 0.02;

interface Plan {
  /** Orders per customer (cancelled ones included). */
  counts: Uint32Array;
  createdAt: Float64Array;
  /** Per order, grouped by customer (customer i's orders start at offsets[i]). */
  offsets: Uint32Array;
  orderAt: Float64Array;
  orderTotal: Int32Array;
  /** NaN when not cancelled. */
  cancelledAt: Float64Array;
}

function planOrders(spec: DatasetSpec, rand: ReturnType<typeof prng>): Plan {
  const { customers: n, orders: m } = spec;
  const now = BENCH_NOW.getTime();
  const signupStart = now - (HISTORY_DAYS + SIGNUP_LEAD_DAYS) * DAY;

  // Orders per customer, then nudged (repeat buyers only) so the total is exactly m.
  const repeatShare = BUYER_SHARE * (1 - ONE_TIME_SHARE_OF_BUYERS);
  const repeatMean = Math.max(2.5, (m / n - BUYER_SHARE * ONE_TIME_SHARE_OF_BUYERS) / repeatShare);
  // E[2 + floor(X)] ≈ 1.5 + E[X] for X log-normal with E[X] = exp(mu + sigma²/2).
  const mu = Math.log(Math.max(0.5, repeatMean - 1.5)) - (REPEAT_SIGMA * REPEAT_SIGMA) / 2;
  const counts = new Uint32Array(n);
  const repeaters: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const roll = rand.next();
    let count = 0;
    if (roll < BUYER_SHARE * ONE_TIME_SHARE_OF_BUYERS) count = 1;
    else if (roll < BUYER_SHARE) {
      count = Math.min(MAX_ORDERS_PER_CUSTOMER, 2 + Math.floor(Math.exp(mu + REPEAT_SIGMA * rand.normal())));
      repeaters.push(i);
    }
    counts[i] = count;
    total += count;
  }
  if (repeaters.length === 0 && total < m) throw new Error(`cannot place ${m} orders on ${n} customers`);
  while (total < m) {
    const i = repeaters[rand.int(repeaters.length)];
    if (counts[i] < MAX_ORDERS_PER_CUSTOMER) {
      counts[i] += 1;
      total += 1;
    }
  }
  for (let guard = 0; total > m; guard++) {
    const i = repeaters[rand.int(repeaters.length)];
    if (counts[i] > 2) {
      counts[i] -= 1;
      total -= 1;
    }
    if (guard > 100 * m) throw new Error(`cannot place only ${m} orders on ${n} customers`);
  }

  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + counts[i];
  const createdAt = new Float64Array(n);
  const orderAt = new Float64Array(m);
  const orderTotal = new Int32Array(m);
  const cancelledAt = new Float64Array(m).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    // Sign-ups spread evenly over the period, so customer ids (time-ordered) follow creation.
    const created = signupStart + ((i + rand.next()) / n) * (now - signupStart - 3_600_000);
    createdAt[i] = created;
    const count = counts[i];
    if (count === 0) continue;
    let first = created + rand.exponential(5 * DAY);
    if (first >= now) first = created + rand.next() * (now - created);
    const end = count === 1 ? first : rand.next() < STILL_ACTIVE_SHARE ? now : Math.min(now, first + rand.exponential(LIFETIME_MEAN_DAYS * DAY));
    const base = offsets[i];
    orderAt[base] = first;
    for (let k = 1; k < count; k++) orderAt[base + k] = first + rand.next() * (end - first);
    if (count >= 3 && rand.next() < BURST_SHARE) {
      for (let k = count - 3; k < count; k++) orderAt[base + k] = Math.max(first, now - rand.next() * 29.5 * DAY);
    }
    const factor = Math.exp(0.5 * rand.normal());
    for (let k = 0; k < count; k++) {
      orderTotal[base + k] = Math.max(100, Math.round(Math.exp(Math.log(4500) + 0.7 * rand.normal()) * factor));
      if (rand.next() < CANCELLED_SHARE) cancelledAt[base + k] = Math.min(now, orderAt[base + k] + rand.next() * 2 * DAY);
    }
  }
  return { counts, createdAt, offsets, orderAt, orderTotal, cancelledAt };
}

/** Order indexes sorted by time (counting sort by minute: orders arrive, and get their ids, in time order). */
function chronological(orderAt: Float64Array): Uint32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const at of orderAt) {
    if (at < min) min = at;
    if (at > max) max = at;
  }
  const buckets = Math.floor((max - min) / 60_000) + 2;
  const starts = new Uint32Array(buckets + 1);
  for (const at of orderAt) starts[Math.floor((at - min) / 60_000) + 1] += 1;
  for (let b = 1; b <= buckets; b++) starts[b] += starts[b - 1];
  const sorted = new Uint32Array(orderAt.length);
  for (let o = 0; o < orderAt.length; o++) sorted[starts[Math.floor((orderAt[o] - min) / 60_000)]++] = o;
  return sorted;
}

/** The indexes of these tables are dropped during the bulk load and rebuilt after it (much faster, same result). */
const BULK_TABLES = ["Customer", "Order", "CustomerTag"];

export interface GenerationStats {
  customers: number;
  orders: number;
  cancelled: number;
  buyers: number;
  tags: number;
}

function writeStore(db: Database, spec: DatasetSpec): GenerationStats {
  const rand = prng(SEED);
  const plan = planOrders(spec, rand);
  const { createdAt, offsets, orderAt, orderTotal, cancelledAt } = plan;
  const n = spec.customers;
  const now = sqliteDateTime(BENCH_NOW);
  const start = sqliteDateTime(BENCH_NOW.getTime() - (HISTORY_DAYS + SIGNUP_LEAD_DAYS + 1) * DAY);

  db.prepare(`INSERT INTO "Workspace" (id, name, isDemo, fromEmail, fromName, createdAt, updatedAt) VALUES (?, ?, 0, ?, ?, ?, ?)`).run(
    WORKSPACE_ID, "Bench store", "hello@bench-store.nudgeflow.dev", "Bench store", start, now,
  );
  db.prepare(
    `INSERT INTO "Store" (id, workspaceId, platform, domain, name, currency, timezone, status, installedAt, createdAt, updatedAt) VALUES (?, ?, 'demo', ?, ?, 'USD', 'America/New_York', 'active', ?, ?, ?)`,
  ).run(STORE_ID, WORKSPACE_ID, STORE_DOMAIN, "Bench store", start, start, now);

  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${BULK_TABLES.map(() => "?").join(", ")})`)
    .all(...BULK_TABLES) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);

  // Customers, in creation order; metrics over the orders that are not cancelled (apply.server.ts).
  const customerIds: string[] = new Array(n);
  const emails: string[] = new Array(n);
  const insertCustomer = db.prepare(
    `INSERT INTO "Customer" (id, workspaceId, email, firstName, lastName, phone, acceptsMarketing, ordersCount, totalSpent, currency, firstOrderAt, lastOrderAt, country, region, city, originStoreId, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = db.prepare(`INSERT INTO "CustomerTag" (workspaceId, customerId, tag) VALUES (?, ?, ?)`);
  let buyers = 0;
  let tags = 0;
  let cancelled = 0;
  const writeCustomers = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = cuidLike(Math.floor(createdAt[i]), i, "bnchcust");
      const first = rand.pick(FIRST_NAMES);
      const last = rand.pick(LAST_NAMES);
      const domain = rand.next() < 0.27 ? rand.pick(COMPANY_DOMAINS) : rand.weighted(FREE_MAIL);
      const email = `${first}.${last}.${i}@${domain}`;
      const place = rand.weighted(PLACES);
      const [region, cities] = rand.pick(place.regions);
      let ordersCount = 0;
      let totalSpent = 0;
      let firstAt = Infinity;
      let lastAt = -Infinity;
      let touched = createdAt[i];
      for (let o = offsets[i]; o < offsets[i + 1]; o++) {
        touched = Math.max(touched, Number.isNaN(cancelledAt[o]) ? orderAt[o] : cancelledAt[o]);
        if (!Number.isNaN(cancelledAt[o])) {
          cancelled += 1;
          continue;
        }
        ordersCount += 1;
        totalSpent += orderTotal[o];
        firstAt = Math.min(firstAt, orderAt[o]);
        lastAt = Math.max(lastAt, orderAt[o]);
      }
      if (ordersCount > 0) buyers += 1;
      insertCustomer.run(
        id, WORKSPACE_ID, email, first[0].toUpperCase() + first.slice(1), last[0].toUpperCase() + last.slice(1),
        rand.next() < 0.3 ? `+1555${String(1_000_000 + i).slice(-7)}` : null,
        rand.next() < 0.55 ? 1 : 0,
        ordersCount, totalSpent, ordersCount > 0 ? "USD" : null,
        ordersCount > 0 ? sqliteDateTime(firstAt) : null, ordersCount > 0 ? sqliteDateTime(lastAt) : null,
        place.country, region, rand.pick(cities), STORE_ID,
        sqliteDateTime(createdAt[i]), sqliteDateTime(touched),
      );
      const tagRoll = rand.next();
      const tagCount = tagRoll < 0.08 ? 2 : tagRoll < 0.33 ? 1 : 0;
      const firstTag = rand.int(TAGS.length);
      for (let t = 0; t < tagCount; t++) {
        insertTag.run(WORKSPACE_ID, id, TAGS[(firstTag + t * 3) % TAGS.length]);
        tags += 1;
      }
      customerIds[i] = id;
      emails[i] = email;
    }
  });
  for (let i = 0; i < n; i += 50_000) writeCustomers(i, Math.min(n, i + 50_000));

  // Orders, in time order.
  const customerOf = new Uint32Array(spec.orders);
  for (let i = 0; i < n; i++) customerOf.fill(i, offsets[i], offsets[i + 1]);
  const sorted = chronological(orderAt);
  const insertOrder = db.prepare(
    `INSERT INTO "Order" (id, workspaceId, storeId, externalId, name, customerId, email, checkoutToken, cartToken, currency, totalPrice, lineItems, financialStatus, placedAt, cancelledAt, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'USD', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const writeOrders = db.transaction((from: number, to: number) => {
    for (let s = from; s < to; s++) {
      const o = sorted[s];
      const customer = customerOf[o];
      const placed = orderAt[o];
      const cancel = cancelledAt[o];
      const product = PRODUCTS[rand.int(PRODUCTS.length)];
      const lineItems = `[{"productId":"${product.id}","variantId":"${product.id}1","sku":"SKU-${product.id}","title":"${product.title}","variantTitle":null,"quantity":1,"price":${orderTotal[o]},"imageUrl":null}]`;
      insertOrder.run(
        cuidLike(Math.floor(placed), s, "bnchordr"), WORKSPACE_ID, STORE_ID, String(6_000_000_000_000 + s), `#${1001 + s}`,
        customerIds[customer], emails[customer], `ck${s.toString(36).padStart(30, "0")}`,
        orderTotal[o], lineItems, Number.isNaN(cancel) ? "paid" : "voided",
        sqliteDateTime(placed), Number.isNaN(cancel) ? null : sqliteDateTime(cancel),
        sqliteDateTime(placed + 2000), sqliteDateTime(Number.isNaN(cancel) ? placed + 2000 : cancel),
      );
    }
  });
  for (let s = 0; s < spec.orders; s += 100_000) writeOrders(s, Math.min(spec.orders, s + 100_000));

  for (const index of indexes) db.exec(index.sql);
  return { customers: n, orders: spec.orders, cancelled, buyers, tags };
}

// ---------------------------------------------------------------------------------------------------------
// The cache.

const CACHE_DIR = path.resolve(".cache/bench/segments");

/** Changes whenever a migration does, so a schema change regenerates the data. */
function migrationsHash(): string {
  const dir = path.resolve("prisma/sqlite/migrations");
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).filter((entry) => /^\d/.test(entry)).sort()) {
    hash.update(name);
    hash.update(readFileSync(path.join(dir, name, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 10);
}

export function datasetFile(spec: DatasetSpec): string {
  return path.join(CACHE_DIR, `store-v${GENERATOR_VERSION}-c${spec.customers}-o${spec.orders}-m${migrationsHash()}.sqlite`);
}

const run = promisify(execFile);

async function migrate(file: string): Promise<void> {
  try {
    await run(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${file}`, CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String(error.stderr) : "";
    throw new Error(`prisma migrate deploy failed for ${file}\n${output}`, { cause: error });
  }
}

/** Generates one file (in this process): migrate, bulk-load, back to the defaults our adapter opens files with. */
export async function generateFile(spec: DatasetSpec, file: string): Promise<GenerationStats> {
  await rm(file, { force: true });
  await migrate(file);
  const db = new Database(file);
  try {
    // For generation only: the benchmark itself uses SQLite's defaults, as our Prisma adapter does.
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
    const stats = writeStore(db, spec);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
    return stats;
  } finally {
    db.close();
  }
}

/**
 * The cached file for these sizes, generated first if missing (in a child process, one at a time: callers await
 * it). The file is generated under a temporary name and renamed, so an interrupted run leaves no half file.
 */
export async function ensureDataset(spec: DatasetSpec, log: (line: string) => void): Promise<Dataset> {
  const file = datasetFile(spec);
  if (existsSync(file)) return { ...spec, file, generatedMs: null };
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  log(`  generating ${spec.customers} customers / ${spec.orders} orders into ${path.relative(process.cwd(), file)} …`);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx/esm", import.meta.filename, "--customers", String(spec.customers), "--orders", String(spec.orders), "--out", partial],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the generator exited with ${code}`))));
  });
  await rename(partial, file);
  return { ...spec, file, generatedMs: performance.now() - started };
}

// Run directly: generate one file.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const value = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    const raw = at >= 0 ? process.argv[at + 1] : undefined;
    if (!raw) throw new Error(`--${name} is required`);
    return raw;
  };
  const spec = { customers: Number(value("customers")), orders: Number(value("orders")) };
  const out = path.resolve(value("out"));
  const started = performance.now();
  generateFile(spec, out).then(
    (stats) => {
      console.error(
        `  generated ${stats.customers} customers (${stats.buyers} with orders, ${stats.tags} tags), ${stats.orders} orders (${stats.cancelled} cancelled) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
