// send: 100,000 recipients of one flow step's email through the send pipeline, against the floor of the same
// sending.
//
// Data (not timed): a fresh migrated SQLite file (WAL, as `nudgeflow serve` runs it) with one workspace and N queued
// Message rows as the runner writes them for one email step sent to N customers: the abandoned-cart blueprint's
// first email rendered for real once (blocks → MJML → HTML, click tracking, signed unsubscribe link), its shared
// content stored once (MessageContent, content.server.ts), each row with only the step's contentKey (checked on a
// sample: each one's own content, messageContentOf, has that key and a tracked link that verifies). Inserted with
// better-sqlite3, one transaction.
//
// The SendGrid emulator runs in a child process (send-emulator.ts), the same for ours and the floor.
// Ours, per round: every row reset to `queued`, then dispatchDueMessages (the worker's dispatcher) in a loop until
// nothing is due, through createSendGridSender (@sendgrid/client, keep-alive agents): claims, suppression check,
// the shared content, each recipient's links and unsubscribe URL signed, mail/send with ≤ 1,000
// personalizations, statuses written back. A few 429s are injected at set request numbers (X-RateLimit-Reset 1 s
// ahead, as SendGrid answers); the batch is queued again until the reset, and the loop moves the clock there when
// nothing else is due (waiting is simulated: the clock is real time plus the skipped waits, told to the emulator
// before the next request). Timed: the whole loop.
// Floor, per round: the same N recipients (their substitutions computed beforehand) posted by a plain keep-alive
// http client as 1,000-personalization mail/send bodies of the same content to the same emulator, one request at a
// time like ours; timed from the first body built to the last 202.
// Checked after every ours round (a failing pipeline cannot look fast): each message id reached the emulator
// exactly once, every row is `sent`, every injected 429 was answered and its recipients were accepted only at or
// after its X-RateLimit-Reset. Rounds alternate ours/floor; figures are medians.
import { execFile, fork } from "node:child_process";
import { createHmac } from "node:crypto";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import type { Clock } from "~/core/clock";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { silentLogger } from "~/core/logger.server";
import { DEFAULT_BRANDING } from "~/core/messaging/branding";
import { contentKeyOf, sharedContentOf, substitutionsFor } from "~/core/messaging/batching";
import { messageContentOf, messageContentToWrite } from "~/core/messaging/content.server";
import { dispatchDueMessages } from "~/core/messaging/dispatch.server";
import { emailContext } from "~/core/messaging/email/context";
import { renderEmailNode } from "~/core/messaging/email/render.server";
import { createClickLinks } from "~/core/messaging/links.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import { listUnsubscribeHeaders } from "~/core/messaging/sender";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { createDb, type Db } from "~/db.server";
import type { EmulatorCommand, EmulatorReport } from "./send-emulator";
import { intOptions, median, resultLine, seconds, sig3, UsageError, type Benchmark } from "./lib";

const NAME = "send";
const UNIT = "recipients/s";
const DEFAULTS = { n: 100_000, rounds: 3, warmup: 5_000, "rate-limits": 3 };
const API_KEY = "SG.bench-send";
const APP_URL = "https://app.nudgeflow.bench";
const SECRET = "bench-send-signing-key";
const WORKSPACE_ID = "ws_bench_send";
const FROM = { email: "news@shop.bench", name: "Bench Shop" };
/** SendGrid's personalizations per request: the floor's body size (ours: the dispatcher's own limit). */
const BATCH = 1_000;

const run = promisify(execFile);
const log = (line: string) => console.error(line);

/** Real time plus the waits the loop skipped: 429 resets are honoured without sleeping through them. */
class SkippingClock implements Clock {
  skippedMs = 0;
  now(): Date {
    return new Date(Date.now() + this.skippedMs);
  }
  skipTo(at: Date): void {
    this.skippedMs += Math.max(0, at.getTime() - this.now().getTime());
  }
}

function sqliteDateTime(at: Date): string {
  return at.toISOString().replace("Z", "+00:00"); // as Prisma's SQLite adapter writes DateTimes
}

function messageId(i: number): string {
  return `msg_bench_${String(i).padStart(7, "0")}`;
}

/** The SendGrid emulator in its own process (send-emulator.ts), driven over IPC. */
interface RemoteEmulator {
  url: string;
  /** The clock's skipped waits, so that the emulator's X-RateLimit-Reset and receivedAt follow ours. */
  skip(skippedMs: number): Promise<void>;
  /** The request arriving when `index` requests were logged since the last clear answers 429 (reset after `seconds`). */
  failAt(index: number, seconds: number): Promise<void>;
  clear(): Promise<void>;
  report(): Promise<EmulatorReport>;
  close(): Promise<void>;
}

async function startRemoteEmulator(): Promise<RemoteEmulator> {
  const child = fork(path.resolve("bench/send-emulator.ts"), [], { execArgv: ["--import", "tsx/esm"], env: { ...process.env, BENCH_SEND_API_KEY: API_KEY } });
  const waiting = new Map<number, (answer: { report?: EmulatorReport }) => void>();
  let seq = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the emulator process exited (${code}) before it was ready`)));
    child.on("message", (message: { ready?: string; seq?: number; report?: EmulatorReport }) => {
      if (message.ready) resolve(message.ready);
      if (message.seq !== undefined) waiting.get(message.seq)?.(message);
    });
  });
  const ask = (command: EmulatorCommand extends infer C ? (C extends EmulatorCommand ? Omit<C, "seq"> : never) : never) =>
    new Promise<{ report?: EmulatorReport }>((resolve) => {
      seq += 1;
      waiting.set(seq, (answer) => {
        waiting.delete(seq);
        resolve(answer);
      });
      child.send({ ...command, seq });
    });
  child.removeAllListeners("exit");
  return {
    url,
    skip: async (skippedMs) => void (await ask({ type: "skip", skippedMs })),
    failAt: async (index, seconds) => void (await ask({ type: "failAt", index, status: 429, resetAfterSeconds: seconds })),
    clear: async () => void (await ask({ type: "clear" })),
    report: async () => {
      const { report } = await ask({ type: "report" });
      if (!report) throw new Error("the emulator sent no report");
      return report;
    },
    close: async () => {
      if (child.connected) await ask({ type: "close" });
      child.kill();
    },
  };
}

async function migrate(dir: string): Promise<string> {
  const file = path.join(dir, "send.sqlite");
  try {
    await run(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: `file:${file}`, CHECKPOINT_DISABLE: "1" } });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String(error.stderr) : "";
    throw new Error(`prisma migrate deploy failed for ${file}\n${output}`, { cause: error });
  }
  return file;
}

// ---------------------------------------------------------------------------------------------------------
// Data: one email step, N recipients.

interface Recipient {
  id: string;
  email: string;
  substitutions: Record<string, string>;
  unsubscribeUrl: string;
}

interface Seeded {
  subject: string;
  shared: { html: string; text: string };
  recipients: Recipient[];
  htmlBytes: number;
}

/**
 * `BENCH_SEND_EMAIL=tiny`: a two-link hand-written email (~0.3 KB) instead of the blueprint's block email: the
 * floor's bodies get small, so the dispatcher's own work per batch (claim, suppressions, signing, statuses) weighs
 * most (the rows carry no HTML either way since ADR 0035).
 */
const TINY_EMAIL = {
  subject: "New at {{ shop.name }}",
  html: '<p>New this week.</p><a href="https://shop.bench/new">Shop</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  text: "New this week: https://shop.bench/new\nUnsubscribe: {{ unsubscribe_url }}",
};

function emailVariant(): "blueprint" | "tiny" {
  const value = process.env.BENCH_SEND_EMAIL ?? "blueprint";
  if (value !== "blueprint" && value !== "tiny") throw new UsageError(`BENCH_SEND_EMAIL must be "blueprint" or "tiny", got ${JSON.stringify(value)}`);
  return value;
}

async function seed(file: string, db: Db, n: number, now: Date): Promise<Seeded> {
  const clicks = createClickLinks({ db, appUrl: APP_URL, secret: SECRET });
  const unsubscribe = createUnsubscribeLinks({ db, appUrl: APP_URL, secret: SECRET });
  await db.workspace.create({ data: { id: WORKSPACE_ID, name: "Bench shop", fromEmail: FROM.email, fromName: FROM.name } });

  // The step's email, rendered once as the runner renders it for one message.
  const node = BLUEPRINTS.find((blueprint) => blueprint.id === "abandoned-cart")?.definition.nodes.find((candidate) => candidate.id === "email-reminder");
  if (node?.type !== "email") throw new Error("the abandoned-cart blueprint has no email-reminder node");
  const first = messageId(0);
  const basket = {
    currency: "USD",
    totalPrice: 6400,
    subtotalPrice: 6400,
    recoveryUrl: "https://shop.bench/cart",
    lineItems: [
      { productId: "1", variantId: "11", sku: null, title: "Linen apron", variantTitle: null, quantity: 1, price: 3200, imageUrl: "https://cdn.shop.bench/apron.jpg" },
      { productId: "2", variantId: "21", sku: null, title: "Oak spoon", variantTitle: "Large", quantity: 2, price: 1600, imageUrl: "https://cdn.shop.bench/spoon.jpg" },
    ],
  };
  const rendered = await renderEmailNode(
    emailVariant() === "tiny" ? TINY_EMAIL : node,
    emailContext({
      shop: { name: "Bench Shop", email: FROM.email, url: "https://shop.bench", address: "1 Bench Street, Springfield" },
      customer: { firstName: null, lastName: null, email: "someone@example.com" },
      basket,
      unsubscribeUrl: await unsubscribe.urlFor(first),
    }),
    { branding: DEFAULT_BRANDING, trackLink: await clicks.forMessage(first) },
  );
  const shared = sharedContentOf({ id: first, subject: rendered.subject, html: rendered.html, text: rendered.text });
  if (!shared) throw new Error("the bench email cannot be shared (it carries its message id somewhere else)");
  // Stored once, as the runner stores it (content.server.ts); every row then carries only the key.
  const firstMessage = { id: first, workspaceId: WORKSPACE_ID, kind: "marketing", fromEmail: FROM.email, fromName: FROM.name, subject: rendered.subject, html: rendered.html, text: rendered.text };
  const { contentKey: key } = await messageContentToWrite(db, firstMessage);
  if (!key || key !== contentKeyOf(firstMessage)) throw new Error("the step's content was not stored under its contentKey");

  const sqlite = new Database(file);
  const recipients: Recipient[] = [];
  try {
    const insert = sqlite.prepare(
      `INSERT INTO "Message" (id, workspaceId, kind, toEmail, fromEmail, fromName, subject, html, text, contentKey, status, attempts, nextAttemptAt, createdAt)
       VALUES (?, ?, 'marketing', ?, ?, ?, ?, NULL, NULL, ?, 'queued', 0, ?, ?)`,
    );
    const createdAt = sqliteDateTime(now);
    const insertAll = sqlite.transaction((count: number) => {
      for (let i = 0; i < count; i++) {
        const id = messageId(i);
        const unsubscribeUrl = `${APP_URL}/unsubscribe/${id}.${signUnsubscribe(id)}`;
        const substitutions = substitutionsFor(shared, { sign: signClick(id), unsubscribeUrl });
        if (!substitutions) throw new Error("no substitutions");
        const email = `shopper-${i}@example.com`;
        recipients.push({ id, email, substitutions, unsubscribeUrl });
        insert.run(id, WORKSPACE_ID, email, FROM.email, FROM.name, rendered.subject, key, createdAt, createdAt);
      }
    });
    insertAll(n);
  } finally {
    sqlite.close();
  }
  // The rows are what the runner would have written: each one's own content (its tokens in the stored template)
  // has the step's key, and its tracked link verifies.
  for (const i of [0, 1, Math.floor(n / 2), n - 1]) {
    const row = await db.message.findUniqueOrThrow({ where: { id: messageId(i) } });
    const own = await messageContentOf({ db, clicks, unsubscribe }, row);
    if (!own || contentKeyOf({ ...row, ...own }) !== key) throw new Error(`row ${row.id} has another contentKey than the step's`);
    if (!(await clicks.verify(/\/r\/([^"]+)"/.exec(own.html)?.[1] ?? ""))) throw new Error(`row ${row.id}: its tracked link does not verify`);
  }
  return { subject: rendered.subject, shared, recipients, htmlBytes: Buffer.byteLength(rendered.html) };
}

// The signers the app uses (links.server.ts, unsubscribe.server.ts), with the bench's key: synchronous here.
function signUnsubscribe(id: string): string {
  return createHmac("sha256", SECRET).update(`unsubscribe:v1:${id}`).digest("base64url");
}
function signClick(id: string) {
  return (url: string, index: number) =>
    `${APP_URL}/r/${id}.${index}.${Buffer.from(url, "utf8").toString("base64url")}.${createHmac("sha256", SECRET).update(`click:v1:${id}:${index}:${url}`).digest("base64url")}`;
}

// ---------------------------------------------------------------------------------------------------------
// Ours.

interface OursResult {
  ms: number;
  requests: number;
  rateLimited: number;
}

async function runOurs(db: Db, file: string, emulator: RemoteEmulator, clock: SkippingClock, n: number, rateLimits: number): Promise<OursResult> {
  const sqlite = new Database(file);
  try {
    sqlite.prepare(`UPDATE "Message" SET status = 'queued', attempts = 0, provider = NULL, providerMessageId = NULL, error = NULL, sentAt = NULL, nextAttemptAt = ? WHERE rowid <= ?`).run(sqliteDateTime(clock.now()), n);
    sqlite.prepare(`UPDATE "Message" SET status = 'sent' WHERE rowid > ?`).run(n);
  } finally {
    sqlite.close();
  }
  await emulator.clear();
  const deps = {
    db,
    clock,
    logger: silentLogger,
    sender: createSendGridSender({ apiKey: API_KEY, baseUrl: emulator.url, clock }),
    clicks: createClickLinks({ db, appUrl: APP_URL, secret: SECRET }),
    unsubscribe: createUnsubscribeLinks({ db, appUrl: APP_URL, secret: SECRET }),
  };
  // A 429 every so many requests (a request sends one batch: the dispatcher's limit is SendGrid's 1,000).
  const requests = Math.ceil(n / BATCH);
  const limitAt = new Set(Array.from({ length: rateLimits }, (_, k) => Math.floor(((k + 1) * requests) / (rateLimits + 1))));
  if (limitAt.size < rateLimits) throw new UsageError(`--rate-limits ${rateLimits} needs at least ${rateLimits * BATCH} recipients`);
  for (const index of limitAt) await emulator.failAt(index, 1);

  const start = performance.now();
  for (;;) {
    if ((await dispatchDueMessages(deps)) > 0) continue;
    const next = await db.message.findFirst({ where: { workspaceId: WORKSPACE_ID, status: "queued" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } });
    if (!next) break;
    clock.skipTo(next.nextAttemptAt);
    await emulator.skip(clock.skippedMs);
  }
  const ms = performance.now() - start;

  const report = await emulator.report();
  await checkOurs(db, report, n, rateLimits);
  return { ms, requests: report.requests, rateLimited: report.limited.length };
}

/** Every message reached the emulator once, every row is sent, every 429 was waited out. */
async function checkOurs(db: Db, report: EmulatorReport, n: number, rateLimits: number): Promise<void> {
  const acceptedAt = new Map<string, number>();
  let duplicates = 0;
  for (const [id, at] of report.accepted) {
    if (acceptedAt.has(id)) duplicates++;
    acceptedAt.set(id, at);
  }
  const sent = await db.message.count({ where: { workspaceId: WORKSPACE_ID, status: "sent" } });
  const missing = Array.from({ length: n }, (_, i) => messageId(i)).filter((id) => !acceptedAt.has(id));
  if (duplicates > 0 || missing.length > 0 || acceptedAt.size !== n || sent < n) {
    throw new Error(`ours: ${acceptedAt.size} distinct of ${n} accepted, ${duplicates} twice, ${missing.length} missing (e.g. ${missing[0]}), ${sent} rows sent`);
  }
  if (report.limited.length !== rateLimits) throw new Error(`ours: ${report.limited.length} 429s answered, ${rateLimits} injected`);
  for (const limited of report.limited) {
    const resetMs = limited.reset * 1000;
    for (const id of limited.ids) {
      const at = acceptedAt.get(id);
      if (!at || at < resetMs) throw new Error(`ours: ${id} was refused with 429 until ${new Date(resetMs).toISOString()} and accepted at ${at ? new Date(at).toISOString() : at}`);
    }
    if (limited.ids.length === 0) throw new Error("ours: a 429'd request carried no personalizations");
  }
}

// ---------------------------------------------------------------------------------------------------------
// Floor: the same recipients as 1,000-personalization bodies, posted with a keep-alive client.

async function runFloor(emulator: RemoteEmulator, data: Seeded, n: number): Promise<number> {
  await emulator.clear();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL("/v3/mail/send", emulator.url);
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.request(url, { method: "POST", agent, headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      });
      request.on("error", reject);
      request.end(body);
    });
  const start = performance.now();
  try {
    for (let offset = 0; offset < n; offset += BATCH) {
      const body = JSON.stringify({
        personalizations: data.recipients.slice(offset, Math.min(offset + BATCH, n)).map((recipient) => ({
          to: [{ email: recipient.email }],
          custom_args: { [MESSAGE_ID_ARG]: recipient.id },
          substitutions: recipient.substitutions,
          headers: listUnsubscribeHeaders(recipient.unsubscribeUrl),
        })),
        from: FROM,
        subject: data.subject,
        content: [
          { type: "text/plain", value: data.shared.text },
          { type: "text/html", value: data.shared.html },
        ],
      });
      const status = await post(body);
      if (status !== 202) throw new Error(`floor: mail/send answered ${status}`);
    }
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - start;
  const accepted = (await emulator.report()).accepted.length;
  if (accepted !== n) throw new Error(`floor: ${accepted} of ${n} accepted`);
  return ms;
}

// ---------------------------------------------------------------------------------------------------------

const benchmark: Benchmark = {
  async run(args) {
    const { n, rounds, warmup, "rate-limits": rateLimits } = intOptions(args, DEFAULTS);
    const dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-bench-send-"));
    const clock = new SkippingClock();
    const emulator = await startRemoteEmulator();
    let db: Db | undefined;
    try {
      const file = await migrate(dir);
      db = createDb(`file:${file}`);
      // As `nudgeflow serve` runs SQLite (bin/serve.ts): WAL, so that the web process reads while the worker writes.
      await db.$queryRawUnsafe("PRAGMA journal_mode=WAL");
      const seedStart = performance.now();
      const data = await seed(file, db, n, clock.now());
      log(`  seeded ${n} queued messages (HTML ${sig3(data.htmlBytes / 1024)} KB each) in ${seconds(performance.now() - seedStart)}`);

      // Warm-up: JIT, Prisma's query compiler, the page cache; not counted.
      await runOurs(db, file, emulator, clock, Math.min(warmup, n), 1);
      await runFloor(emulator, data, Math.min(warmup, n));

      const ours: OursResult[] = [];
      const floor: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        ours.push(await runOurs(db, file, emulator, clock, n, rateLimits));
        floor.push(await runFloor(emulator, data, n));
        const last = ours[ours.length - 1];
        log(`  round ${round}/${rounds}: ours ${seconds(last.ms)} (${last.requests} requests, ${last.rateLimited} × 429), floor ${seconds(floor[floor.length - 1])}`);
      }

      const oursMs = median(ours.map((r) => r.ms));
      const floorMs = median(floor);
      const oursRate = n / (oursMs / 1000);
      const floorRate = n / (floorMs / 1000);
      const spread = (values: number[]) => `${seconds(Math.min(...values))}–${seconds(Math.max(...values))}`;
      console.log(`${NAME}: N=${n} recipients of one email (${sig3(data.htmlBytes / 1024)} KB HTML), medians of ${rounds} rounds after a ${Math.min(warmup, n)}-recipient warm-up`);
      console.log(`  ours : dispatchDueMessages → emulator  ${seconds(oursMs)} (${spread(ours.map((r) => r.ms))})  ${sig3(oursRate)} ${UNIT}; ${ours[0].requests} requests incl. ${ours[0].rateLimited} × 429 honoured; every id once, every row sent`);
      console.log(`  floor: keep-alive client, 1,000/body   ${seconds(floorMs)} (${spread(floor)})  ${sig3(floorRate)} ${UNIT}`);
      console.log(resultLine(NAME, UNIT, oursRate, floorRate));
    } finally {
      await db?.$disconnect();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;
