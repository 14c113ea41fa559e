// Sends queued messages. Messages are claimed (queued → sending) before the provider is called, so two workers
// never send one twice; a crash mid-send leaves them in `sending` rather than sending them again, until
// reconcileInterruptedSends settles them from the provider's events once their lease has run out.
//
// Messages with the same contentKey (batching.ts: same content but for their own links) go as one SendGrid
// request with a personalization each, up to SendGrid's 1,000; the rest go alone, one request each. Their shared
// content is read once per batch (MessageContent, content.server.ts).
//
// Per batch the database sees one claim, one suppression lookup, one content read and one status write, whatever
// the batch's size (raw SQL with the ids as one JSON parameter: Prisma would split 1,000 ids into statements of
// 999 bound values). While a batch's request is in flight the next batch is claimed and prepared (pipelining):
// one request at a time per dispatcher, and a batch claimed ahead is released, never sent, when the request
// before it was refused for a while (429, 5xx).
import { Prisma, type Db, type DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Logger } from "~/core/logger.server";
import { MAX_SUBSTITUTION_BYTES, contentKeyOf, sharedContentOf, substitutionBytes, substitutionsFor, type SharedContent } from "./batching";
import { messageContentOf, sharedContentByKey } from "./content.server";
import type { ClickLinks } from "./links.server";
import type { BatchRecipient, EmailSender, SenderDirectory } from "./sender";
import { suppressionDigest, suppressionOf } from "./suppression.server";
import type { UnsubscribeLinks } from "./unsubscribe.server";

const MAX_ATTEMPTS = 5;
/** SendGrid's limit of personalizations (and of recipients) per mail/send request. */
export const MAX_BATCH = 1000;
/** Messages one dispatchDueMessages call handles at most (batches after batches, pipelined). */
export const DISPATCH_LIMIT = 20 * MAX_BATCH;
/** Ids per statement for the rare paths that still use Prisma's updateMany (failures, the outbox). */
const IDS_PER_STATEMENT = 500;
/** Requests one batch may take while SendGrid refuses recipients one 400 at a time; the rest then go alone. */
const MAX_REFUSAL_ROUNDS = 5;
/** How long claimed messages may stay `sending` before they count as interrupted (a worker died mid-send). */
export const SEND_LEASE_MS = 10 * 60_000;
/** Provider events that prove the provider accepted a message. */
export const PROVIDER_ACCEPTED_EVENTS: readonly string[] = ["processed", "delivered", "deferred", "open", "click", "bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"];
export const INTERRUPTED_SEND =
  "the send was interrupted (the worker stopped while calling the provider) and the provider never reported it; it was not sent again, so it cannot arrive twice";
/** Every suppressionDigest starts so; DIGEST_END is the first string after all of them (":" + 1 is ";"). */
const DIGEST_PREFIX = "sha256:";
const DIGEST_END = "sha256;";
export const CONTENT_GONE = "its content is gone (erased before it was sent)";

export interface DispatchDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The app's default sender; null when none is configured: messages stay in the outbox, shown in the admin. */
  sender: EmailSender | null;
  /** A workspace's own sender (its SendGrid key); when it has none, `sender` above, else the outbox. */
  senders?: SenderDirectory;
  /** Signed unsubscribe links for the List-Unsubscribe headers; none → the headers are left out. */
  unsubscribe?: UnsubscribeLinks;
  /** Signs each recipient's own tracked links in a batch; none → messages with tracked links go alone. */
  clicks?: ClickLinks;
  /** Told when a failed send is queued again for later (BullMQ scale-out); none → polling. */
  scheduler?: Scheduler;
}

function chunksOf<T>(items: T[], size = IDS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** updateMany over many ids, in chunks. */
async function updateEach(db: Db, ids: string[], data: Prisma.MessageUpdateManyMutationInput): Promise<void> {
  for (const chunk of chunksOf(ids)) await db.message.updateMany({ where: { id: { in: chunk } }, data });
}

function isPostgres(db: DbTx): boolean {
  // The generated client names its provider; a transaction client passes the property through.
  return Reflect.get(db, "_activeProvider") === "postgresql";
}

/** A list of ids as one bound parameter, a set to select from: `id IN (<this>)`. */
function idSet(db: DbTx, ids: string[]): Prisma.Sql {
  const json = JSON.stringify(ids);
  return isPostgres(db) ? Prisma.sql`SELECT jsonb_array_elements_text(${json}::jsonb)` : Prisma.sql`SELECT value FROM json_each(${json})`;
}

function backoffMs(attempt: number): number {
  return Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);
}

/**
 * A claimed message: what differs between the messages of a batch. Its sender and subject (the same for every
 * message with its contentKey: they are part of the key) and its HTML and text are read once per group.
 */
interface Claimed {
  id: string;
  workspaceId: string;
  kind: string;
  toEmail: string;
  attempts: number;
  contentKey: string | null;
}

/** What a request carries once for all its recipients. */
interface Envelope {
  fromEmail: string;
  fromName: string | null;
  subject: string;
}
const ENVELOPE = { fromEmail: true, fromName: true, subject: true } as const;

/** What a request ended with, for the batch prepared after it. */
interface SendOutcome {
  /** The provider refused for a while (429, 5xx, unreachable): nothing more goes to it in this call. */
  pausedUntil: Date | null;
  workspaceId: string | null;
  /** An accepted batch's `sent` update, still being written: the next request need not wait for it. */
  written?: Promise<void>;
}

const SENT: SendOutcome = { pausedUntil: null, workspaceId: null };

/** A group of claimed messages made ready to send: its sender and, for a batch, each recipient's substitutions. */
interface Prepared {
  workspaceId: string;
  messages: Claimed[];
  /** Null: the outbox. */
  sender: EmailSender | null;
  /** Null: each message goes alone. */
  batch: { shared: SharedContent; envelope: Envelope; pending: { message: Claimed; recipient: BatchRecipient }[]; alone: Claimed[] } | null;
}

/** A batch's content and envelope: the same for every message with its key. */
interface BatchContent {
  shared: SharedContent;
  envelope: Envelope;
}

/** Shared contents read in one call, by workspace and key (a key names one content and envelope: a hash of them). */
type ContentCache = Map<string, Promise<BatchContent | null>>;

/**
 * Sends the due messages, up to `limit` of them: those sharing a contentKey as batches, the others alone, one
 * request at a time; the next group is claimed and prepared (signed) while a request is in flight. Reads no HTML
 * or text until it sends. Returns how many messages it handled (claimed).
 */
export async function dispatchDueMessages(deps: DispatchDeps, limit = DISPATCH_LIMIT): Promise<number> {
  const contents: ContentCache = new Map();
  let handled = 0;
  let inFlight: Promise<SendOutcome> | null = null;
  const writes: Promise<void>[] = [];
  try {
    while (handled < limit) {
      const claimed = await claimDue(deps, Math.min(limit - handled, MAX_BATCH));
      if (claimed.length === 0) break;
      handled += claimed.length;
      const groups = groupsOf(await withoutSuppressed(deps, claimed));
      for (const [index, group] of groups.entries()) {
        const prepared = await prepare(deps, group, contents);
        if (inFlight) {
          const outcome: SendOutcome = await inFlight;
          inFlight = null;
          if (outcome.written) writes.push(outcome.written);
          if (outcome.pausedUntil) {
            // The request before was refused for a while: these were claimed ahead and never sent; they go back
            // to the queue (as if never tried), at the provider's time when they are the same workspace's.
            for (const rest of groups.slice(index)) await release(deps, rest, rest[0].workspaceId === outcome.workspaceId ? outcome.pausedUntil : deps.clock.now());
            return handled;
          }
        }
        inFlight = sendPrepared(deps, prepared);
      }
    }
  } finally {
    if (inFlight) {
      const outcome = await inFlight;
      if (outcome.written) writes.push(outcome.written);
    }
    // Every status is written before the call returns (an error in one is thrown here).
    await Promise.all(writes);
  }
  return handled;
}

/** Claimed messages grouped by workspace and contentKey, at most MAX_BATCH each; a message without a key is alone. */
function groupsOf(messages: Claimed[]): Claimed[][] {
  const groups = new Map<string, Claimed[][]>();
  const order: Claimed[][] = [];
  for (const message of messages) {
    if (!message.contentKey) {
      order.push([message]);
      continue;
    }
    const key = `${message.workspaceId}\u0000${message.contentKey}`;
    const chunks = groups.get(key) ?? [];
    const last = chunks.at(-1);
    if (last && last.length < MAX_BATCH) {
      last.push(message);
    } else {
      const chunk = [message];
      chunks.push(chunk);
      order.push(chunk);
    }
    groups.set(key, chunks);
  }
  return order;
}

/**
 * Sends one message if it is queued and due (a BullMQ wake-up), with the due messages sharing its content;
 * false when there was nothing to send.
 */
export async function dispatchMessage(deps: DispatchDeps, messageId: string): Promise<boolean> {
  const { db, clock } = deps;
  const now = clock.now();
  const message = await db.message.findFirst({
    where: { id: messageId, status: "queued", nextAttemptAt: { lte: now } },
    select: { id: true, workspaceId: true, contentKey: true },
  });
  if (!message) return false;
  const mates = message.contentKey
    ? await db.message.findMany({
        where: { workspaceId: message.workspaceId, contentKey: message.contentKey, status: "queued", nextAttemptAt: { lte: now }, id: { not: message.id } },
        orderBy: { nextAttemptAt: "asc" },
        take: MAX_BATCH - 1,
        select: { id: true },
      })
    : [];
  const claimed = await claimIds(deps, [message.id, ...mates.map((mate) => mate.id)]);
  const sendable = await withoutSuppressed(deps, claimed);
  if (sendable.length > 0) await (await sendPrepared(deps, await prepare(deps, sendable, new Map()))).written;
  return claimed.length > 0;
}

// Claims: queued → sending in one statement. While they are `sending`, nextAttemptAt is the lease's end: past
// it, reconcileInterruptedSends settles them. The status is in the UPDATE's own WHERE, so PostgreSQL re-checks it
// on a row another worker changed meanwhile (and SKIP LOCKED leaves it the rows another claim holds): each row is
// claimed once, what another worker claimed first is not returned. Written `NOT (status <> 'queued')` so that
// SQLite looks the ids up by primary key: with `status = 'queued'` it walked the (status, nextAttemptAt) index
// over every due message (O(due) per claim: 100,000 due made each claim ~0.3 s). It returns only what differs
// per message: each returned value is work for SQLite and the driver, 1,000 rows per claim.
const CLAIMED_COLUMNS = Prisma.sql`"id", "workspaceId", "kind", "toEmail", "attempts", "contentKey"`;

function claimedRows(rows: (Omit<Claimed, "attempts"> & { attempts: number | bigint })[]): Claimed[] {
  for (const row of rows) row.attempts = Number(row.attempts); // a bigint on some drivers
  return rows as Claimed[];
}

/** Claims up to `take` due messages, in due order (the (status, nextAttemptAt) index gives it without a sort). */
async function claimDue(deps: DispatchDeps, take: number): Promise<Claimed[]> {
  const { db, clock } = deps;
  const now = clock.now();
  const lease = new Date(now.getTime() + SEND_LEASE_MS);
  const lock = isPostgres(db) ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  // On SQLite by rowid, within this one statement: the (status, nextAttemptAt) index holds the rowid (not the
  // id), so the subquery reads the index alone and each row is found without the id index (~15% of the claim).
  const row = isPostgres(db) ? Prisma.sql`"id"` : Prisma.sql`"rowid"`;
  const rows = await db.$queryRaw<Parameters<typeof claimedRows>[0]>(Prisma.sql`
    UPDATE "Message" SET "status" = 'sending', "attempts" = "attempts" + 1, "nextAttemptAt" = ${lease}
    WHERE ${row} IN (SELECT ${row} FROM "Message" WHERE "status" = 'queued' AND "nextAttemptAt" <= ${now} ORDER BY "nextAttemptAt" LIMIT ${take} ${lock})
      AND NOT ("status" <> 'queued') AND "nextAttemptAt" <= ${now}
    RETURNING ${CLAIMED_COLUMNS}`);
  return claimedRows(rows);
}

/** Claims those of `ids` still queued and due, in the order given. */
async function claimIds(deps: DispatchDeps, ids: string[]): Promise<Claimed[]> {
  const { db, clock } = deps;
  const now = clock.now();
  const lease = new Date(now.getTime() + SEND_LEASE_MS);
  const rows = await db.$queryRaw<Parameters<typeof claimedRows>[0]>(Prisma.sql`
    UPDATE "Message" SET "status" = 'sending', "attempts" = "attempts" + 1, "nextAttemptAt" = ${lease}
    WHERE "id" IN (${idSet(db, ids)}) AND NOT ("status" <> 'queued') AND "nextAttemptAt" <= ${now}
    RETURNING ${CLAIMED_COLUMNS}`);
  const position = new Map(ids.map((id, index) => [id, index]));
  return claimedRows(rows).sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
}

/** Claimed messages never sent go back to the queue as they were (their attempt not counted). */
async function release(deps: DispatchDeps, messages: Claimed[], at: Date): Promise<void> {
  const { db } = deps;
  if (messages.length === 0) return;
  await db.$executeRaw(Prisma.sql`
    UPDATE "Message" SET "status" = 'queued', "attempts" = "attempts" - 1, "nextAttemptAt" = ${at}
    WHERE "id" IN (${idSet(db, messages.map((message) => message.id))}) AND "status" = 'sending'`);
  for (const message of messages) deps.scheduler?.notify("dispatch", message.id, at);
}

/**
 * Suppressed recipients are settled here, checked at send time, not when the step ran: an unsubscribe between the
 * two still counts. Transactional messages ignore marketing unsubscribes; bounces and spam reports stop them too.
 * One query per workspace finds the addresses on the list at all (by address or an erased customer's digest);
 * suppressionOf gives the verdict and the reason for those few.
 */
async function withoutSuppressed(deps: DispatchDeps, messages: Claimed[]): Promise<Claimed[]> {
  const { db, logger } = deps;
  const emails = new Map<string, string>();
  for (const message of messages) {
    // As normalizeEmail writes the list's addresses, without its address check: what is no address is on no list.
    const email = message.toEmail.trim().toLowerCase();
    if (email) emails.set(message.id, email);
  }
  const listed = new Set<string>();
  for (const workspaceId of new Set(messages.map((message) => message.workspaceId))) {
    const addresses = messages.flatMap((message) => (message.workspaceId === workspaceId && emails.has(message.id) ? [emails.get(message.id)!] : []));
    if (addresses.length === 0) continue;
    // An erased customer's entry is a digest of the address. 1,000 digests are most of the look-up's cost (their
    // bytes through Prisma: ~4 ms of ~5 per batch), so on SQLite, where text compares bytewise, one index range
    // tells first whether the workspace has any digest at all; they are looked up only then. PostgreSQL's collation
    // need not order them so: there they always go with the addresses.
    const keys = isPostgres(db) || (await hasDigests(db, workspaceId)) ? addresses.flatMap((email) => [email, suppressionDigest(workspaceId, email)]) : addresses;
    const rows = await db.$queryRaw<{ email: string }[]>(
      Prisma.sql`SELECT "email" FROM "Suppression" WHERE "workspaceId" = ${workspaceId} AND "email" IN (${idSet(db, keys)})`,
    );
    for (const row of rows) listed.add(`${workspaceId}\u0000${row.email}`);
  }
  if (listed.size === 0) return messages;
  const sendable: Claimed[] = [];
  for (const message of messages) {
    const email = emails.get(message.id);
    const onList = email !== undefined && [email, suppressionDigest(message.workspaceId, email)].some((key) => listed.has(`${message.workspaceId}\u0000${key}`));
    const kind = message.kind === "transactional" ? "transactional" : "marketing";
    const suppressed = onList ? await suppressionOf(db, { workspaceId: message.workspaceId, email: message.toEmail, kind }) : null;
    if (!suppressed) {
      sendable.push(message);
      continue;
    }
    await db.message.update({ where: { id: message.id }, data: { status: "suppressed", error: suppressed } });
    logger.info({ workspaceId: message.workspaceId, messageId: message.id }, "message not sent: recipient suppressed");
  }
  return sendable;
}

/** Whether a workspace's list holds an erased customer's digest (SQLite: they sort together, suppressionDigest's prefix). */
async function hasDigests(db: Db, workspaceId: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>(
    Prisma.sql`SELECT 1 AS "found" FROM "Suppression" WHERE "workspaceId" = ${workspaceId} AND "email" >= ${DIGEST_PREFIX} AND "email" < ${DIGEST_END} LIMIT 1`,
  );
  return rows.length > 0;
}

/** The signed one-click unsubscribe URL; a test email (the builder's "Send test") has none: it would suppress the merchant. */
async function unsubscribeUrlOf(deps: DispatchDeps, message: Claimed): Promise<string | null> {
  return message.kind === "test" ? null : ((await deps.unsubscribe?.urlFor(message.id)) ?? null);
}

/**
 * Makes a group ready to send: its sender (the workspace's own first, then the app's) and, when it goes as one
 * request, the shared content (read once per call) and each recipient's own tokens as substitutions. A message
 * that cannot be templated that way (no signer, substitutions over SendGrid's limit) goes alone.
 */
async function prepare(deps: DispatchDeps, messages: Claimed[], contents: ContentCache): Promise<Prepared> {
  const [first] = messages;
  const workspaceId = first.workspaceId;
  const sender = (await deps.senders?.forWorkspace(workspaceId)) ?? deps.sender;
  if (!sender || messages.length === 1 || !sender.sendBatch || !first.contentKey) return { workspaceId, messages, sender, batch: null };
  const cacheKey = `${workspaceId}\u0000${first.contentKey}`;
  let reading = contents.get(cacheKey);
  if (!reading) contents.set(cacheKey, (reading = sharedContentOfBatch(deps, first)));
  const content = await reading;
  if (!content) {
    contents.delete(cacheKey); // not remembered: the first message may only have been erased meanwhile
    return { workspaceId, messages, sender, batch: null };
  }
  const { shared, envelope } = content;
  const pending: { message: Claimed; recipient: BatchRecipient }[] = [];
  const alone: Claimed[] = [];
  // The signers with their key read once: no wait per recipient.
  const unsubscribeSigner = (await deps.unsubscribe?.signer?.()) ?? null;
  const clickSigners = shared.links.length > 0 ? ((await deps.clicks?.signers?.()) ?? null) : null;
  for (const message of messages) {
    const unsubscribeUrl = message.kind === "test" ? null : unsubscribeSigner ? unsubscribeSigner(message.id) : await unsubscribeUrlOf(deps, message);
    const sign = shared.links.length === 0 ? null : clickSigners ? clickSigners(message.id) : ((await deps.clicks?.forMessage(message.id)) ?? null);
    const substitutions = substitutionsFor(shared, { sign, unsubscribeUrl });
    if (!substitutions || substitutionBytes(substitutions) > MAX_SUBSTITUTION_BYTES) alone.push(message);
    else pending.push({ message, recipient: { messageId: message.id, to: message.toEmail, substitutions, unsubscribeUrl } });
  }
  return { workspaceId, messages, sender, batch: { shared, envelope, pending, alone } };
}

/** Sends a prepared group: the outbox without a sender, one request for a batch, one each otherwise. */
async function sendPrepared(deps: DispatchDeps, prepared: Prepared): Promise<SendOutcome> {
  const { sender, batch, messages } = prepared;
  if (!sender) {
    await updateEach(deps.db, messages.map((message) => message.id), { status: "outbox", provider: "outbox" });
    return SENT;
  }
  if (!batch) return sendEachAlone(deps, sender, messages, null);
  const outcome = await sendBatch(deps, sender, batch);
  deps.logger.debug({ workspaceId: prepared.workspaceId, messages: messages.length }, "batch dispatched");
  return outcome;
}

/** Messages one request each; after a refusal for a while (429, 5xx) the rest wait with it. */
async function sendEachAlone(deps: DispatchDeps, sender: EmailSender, messages: Claimed[], shared: SharedContent | null): Promise<SendOutcome> {
  let outcome = SENT;
  for (const [index, message] of messages.entries()) {
    if (outcome.pausedUntil) {
      await release(deps, messages.slice(index), outcome.pausedUntil);
      break;
    }
    outcome = (await sendAlone(deps, sender, message, shared)) ?? outcome;
  }
  return outcome;
}

/** One message, one request: its own HTML and text (content.server.ts). Null when it was sent or settled for good. */
async function sendAlone(deps: DispatchDeps, sender: EmailSender, message: Claimed, shared: SharedContent | null): Promise<SendOutcome | null> {
  const { db, clock } = deps;
  const row = await db.message.findUnique({ where: { id: message.id }, select: { id: true, workspaceId: true, html: true, text: true, contentKey: true, ...ENVELOPE } });
  if (!row) return null; // deleted (the workspace or the customer erased) while it was being sent
  let content: { html: string; text: string } | null;
  try {
    content = await messageContentOf(deps, row, shared);
  } catch (error) {
    content = null;
    deps.logger.warn({ workspaceId: message.workspaceId, messageId: message.id }, error instanceof Error ? error.message : String(error));
  }
  if (!content) {
    await db.message.update({ where: { id: message.id }, data: { status: "failed", error: `Not sent: ${CONTENT_GONE}` } });
    return null;
  }
  const result = await sender.send({
    messageId: message.id,
    to: message.toEmail,
    from: { email: row.fromEmail, name: row.fromName },
    subject: row.subject,
    html: content.html,
    text: content.text,
    unsubscribeUrl: await unsubscribeUrlOf(deps, message),
  });
  if (result.ok) {
    await db.message.update({
      where: { id: message.id },
      data: { status: "sent", provider: sender.provider, providerMessageId: result.providerMessageId, sentAt: clock.now(), error: null },
    });
    return null;
  }
  return settleFailure(deps, sender, [message], result);
}

/**
 * The content a batch shares: its MessageContent (stored once by the runner), else (rows written before
 * MessageContent, or by hand) templated from the first message's own HTML when its key still matches; and its
 * sender and subject, read from the first message (the key covers them: the same for every message with it).
 */
async function sharedContentOfBatch(deps: DispatchDeps, first: Claimed): Promise<BatchContent | null> {
  if (!first.contentKey) return null;
  const stored = await sharedContentByKey(deps.db, { workspaceId: first.workspaceId, contentKey: first.contentKey });
  const row = await deps.db.message.findUnique({ where: { id: first.id }, select: { ...ENVELOPE, ...(stored ? {} : { html: true, text: true }) } });
  if (!row) return null; // erased meanwhile: alone, it is settled as such
  const envelope = { fromEmail: row.fromEmail, fromName: row.fromName, subject: row.subject };
  if (stored) return { shared: stored, envelope };
  if (row.html == null || row.text == null) return null;
  const representative = { ...first, ...envelope, html: row.html, text: row.text };
  const shared = contentKeyOf(representative) === first.contentKey ? sharedContentOf(representative) : null;
  return shared ? { shared, envelope } : null;
}

/**
 * Messages sharing a contentKey, one request: the shared content, each recipient's links and unsubscribe token
 * as its substitutions, its List-Unsubscribe headers as its own; one status write for the whole batch.
 */
async function sendBatch(deps: DispatchDeps, sender: EmailSender, batch: NonNullable<Prepared["batch"]>): Promise<SendOutcome> {
  const { db, clock, logger } = deps;
  const { shared, envelope, alone } = batch;
  let { pending } = batch;
  const first = pending[0]?.message ?? alone[0];
  let outcome = SENT;
  for (let round = 0; pending.length > 1 && round < MAX_REFUSAL_ROUNDS; round += 1) {
    const result = await sender.sendBatch!({
      from: { email: envelope.fromEmail, name: envelope.fromName },
      subject: envelope.subject,
      html: shared.html,
      text: shared.text,
      recipients: pending.map((entry) => entry.recipient),
    });
    if (result.ok) {
      // One statement for the batch, written while the next request goes (the caller waits for it at the end).
      const written = db.$executeRaw(Prisma.sql`
        UPDATE "Message" SET "status" = 'sent', "provider" = ${sender.provider}, "providerMessageId" = ${result.providerMessageId}, "sentAt" = ${clock.now()}, "error" = NULL
        WHERE "id" IN (${idSet(db, pending.map((entry) => entry.message.id))})`).then(() => undefined);
      written.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
      pending = [];
      if (alone.length === 0) return { ...SENT, written };
      await written;
      break;
    }
    if (result.refused && result.refused.length > 0) {
      // SendGrid named the recipients it refused (an invalid address): they fail, with its words; the others
      // were refused with them, not because of them, and go again as one request.
      logger.warn({ workspaceId: first.workspaceId, messages: pending.length, refused: result.refused.length }, "SendGrid refused recipients of a batch; sending the others again");
      const refused = new Map(result.refused.map((entry) => [entry.index, entry.error]));
      for (const [index, entry] of pending.entries()) {
        const error = refused.get(index);
        if (error) await db.message.update({ where: { id: entry.message.id }, data: { status: "failed", provider: sender.provider, error } });
      }
      pending = pending.filter((_entry, index) => !refused.has(index));
      continue;
    }
    if (result.refused) {
      // Refused for the shared part or the request's size, naming no one: each alone gets its own answer (one bad
      // message fails; the others are sent).
      logger.warn({ workspaceId: first.workspaceId, messages: pending.length }, `${result.error}; sending the batch's messages one by one`);
      break;
    }
    outcome = await settleFailure(deps, sender, pending.map((entry) => entry.message), result);
    pending = [];
  }
  const rest = [...alone, ...pending.map((entry) => entry.message)];
  if (outcome.pausedUntil) {
    await release(deps, rest, outcome.pausedUntil);
    return outcome;
  }
  return sendEachAlone(deps, sender, rest, shared);
}

/**
 * A failed request: queued again when the failure is temporary (at the time SendGrid asked for on a 429, else
 * with exponential backoff) until MAX_ATTEMPTS, else failed with the provider's answer. A temporary failure
 * pauses the dispatcher's call (SendGrid asked us to wait).
 */
async function settleFailure(
  deps: DispatchDeps,
  sender: EmailSender,
  messages: Claimed[],
  result: { retryable: boolean; error: string; retryAfterMs: number | null },
): Promise<SendOutcome> {
  const { db, clock, logger } = deps;
  const now = clock.now().getTime();
  let pausedUntil: Date | null = null;
  // By attempt count: messages of one batch may have been tried a different number of times.
  const byAttempts = new Map<number, Claimed[]>();
  for (const message of messages) byAttempts.set(message.attempts, [...(byAttempts.get(message.attempts) ?? []), message]);
  for (const [attempt, group] of byAttempts) {
    const giveUp = !result.retryable || attempt >= MAX_ATTEMPTS;
    const nextAttemptAt = new Date(now + (result.retryAfterMs ?? backoffMs(attempt)));
    logger.warn({ workspaceId: group[0].workspaceId, messageId: group[0].id, messages: group.length, attempt, giveUp }, result.error);
    await updateEach(db, group.map((message) => message.id), { status: giveUp ? "failed" : "queued", provider: sender.provider, error: result.error, nextAttemptAt });
    if (!giveUp) for (const message of group) deps.scheduler?.notify("dispatch", message.id, nextAttemptAt);
    if (result.retryable && (!pausedUntil || nextAttemptAt < pausedUntil)) pausedUntil = nextAttemptAt;
  }
  return { pausedUntil, workspaceId: messages[0]?.workspaceId ?? null };
}

/**
 * Settles messages left `sending` past their lease by a worker that died mid-send. Whether the provider took one
 * is unknowable from here, except through its events: one that the provider reported on was sent; one it never
 * mentioned is marked failed with the reason, never sent again (an email twice is worse than one shown as failed).
 * A late provider event still turns a failed one into sent (message-events.server.ts).
 */
export async function reconcileInterruptedSends(deps: Pick<DispatchDeps, "db" | "clock" | "logger">, limit = 100): Promise<number> {
  const { db, clock, logger } = deps;
  const stuck = await db.message.findMany({
    where: { status: "sending", nextAttemptAt: { lte: clock.now() } },
    select: { id: true, workspaceId: true },
    take: limit,
  });
  for (const message of stuck) {
    const accepted = await db.messageEvent.findFirst({
      where: { workspaceId: message.workspaceId, messageId: message.id, type: { in: [...PROVIDER_ACCEPTED_EVENTS] } },
      orderBy: { occurredAt: "asc" },
      select: { occurredAt: true, provider: true },
    });
    const data = accepted
      ? { status: "sent", provider: accepted.provider, sentAt: accepted.occurredAt, error: null }
      : { status: "failed", error: INTERRUPTED_SEND };
    const settled = await db.message.updateMany({ where: { id: message.id, status: "sending" }, data });
    if (settled.count === 1) logger.warn({ workspaceId: message.workspaceId, messageId: message.id, status: data.status }, "interrupted send settled");
  }
  return stuck.length;
}
