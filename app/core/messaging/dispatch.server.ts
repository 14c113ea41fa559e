// Sends queued messages. Messages are claimed (queued → sending) before the provider is called, so two workers
// never send one twice; a crash mid-send leaves them in `sending` rather than sending them again, until
// reconcileInterruptedSends settles them from the provider's events once their lease has run out.
//
// Messages with the same contentKey (batching.ts: same content but for their own links) go as one SendGrid
// request with a personalization each, up to SendGrid's 1,000; the rest go alone, one request each.
import { Prisma, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import { normalizeEmail } from "~/core/events/normalize";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Logger } from "~/core/logger.server";
import { MAX_SUBSTITUTION_BYTES, contentKeyOf, sharedContentOf, substitutionBytes, substitutionsFor } from "./batching";
import type { ClickLinks } from "./links.server";
import type { BatchRecipient, EmailSender, SenderDirectory } from "./sender";
import { suppressionDigest, suppressionOf } from "./suppression.server";
import type { UnsubscribeLinks } from "./unsubscribe.server";

const MAX_ATTEMPTS = 5;
/** SendGrid's limit of personalizations (and of recipients) per mail/send request. */
export const MAX_BATCH = 1000;
/**
 * Ids per statement: Prisma holds SQLite to 999 bound values per query, so a batch's claim and status updates go
 * in chunks (each one atomic; what matters is that only rows still `queued` are claimed).
 */
const IDS_PER_STATEMENT = 500;
/** Requests one batch may take while SendGrid refuses recipients one 400 at a time; the rest then go alone. */
const MAX_REFUSAL_ROUNDS = 5;
/** How long claimed messages may stay `sending` before they count as interrupted (a worker died mid-send). */
export const SEND_LEASE_MS = 10 * 60_000;
/** Provider events that prove the provider accepted a message. */
export const PROVIDER_ACCEPTED_EVENTS: readonly string[] = ["processed", "delivered", "deferred", "open", "click", "bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"];
export const INTERRUPTED_SEND =
  "the send was interrupted (the worker stopped while calling the provider) and the provider never reported it; it was not sent again, so it cannot arrive twice";

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

function backoffMs(attempt: number): number {
  return Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);
}

const CLAIMED = {
  id: true,
  workspaceId: true,
  kind: true,
  toEmail: true,
  fromEmail: true,
  fromName: true,
  subject: true,
  attempts: true,
  contentKey: true,
} satisfies Prisma.MessageSelect;

/** A claimed message without its HTML and text (read once per batch, from one of them). */
type Claimed = Prisma.MessageGetPayload<{ select: typeof CLAIMED }>;

/**
 * Sends the due messages, up to `limit` of them: those sharing a contentKey as batches, the others alone. Reads
 * no HTML or text until it sends. Returns how many messages it handled.
 */
export async function dispatchDueMessages(deps: DispatchDeps, limit = MAX_BATCH): Promise<number> {
  // In due order, which the (status, nextAttemptAt) index gives without a sort: ordering by createdAt made SQLite
  // read every due row (1.3 s per call with 100,000 due).
  const due = await deps.db.message.findMany({
    where: { status: "queued", nextAttemptAt: { lte: deps.clock.now() } },
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true, workspaceId: true, contentKey: true },
  });
  let handled = 0;
  for (const ids of groupsOf(due)) handled += await sendGroup(deps, ids);
  return handled;
}

/** Message ids grouped by workspace and contentKey, at most MAX_BATCH each; a message without a key is alone. */
function groupsOf(due: { id: string; workspaceId: string; contentKey: string | null }[]): string[][] {
  const groups = new Map<string, string[][]>();
  const order: string[][] = [];
  for (const message of due) {
    if (!message.contentKey) {
      order.push([message.id]);
      continue;
    }
    const key = `${message.workspaceId}\u0000${message.contentKey}`;
    const chunks = groups.get(key) ?? [];
    const last = chunks.at(-1);
    if (last && last.length < MAX_BATCH) {
      last.push(message.id);
    } else {
      const chunk = [message.id];
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
  return (await sendGroup(deps, [message.id, ...mates.map((mate) => mate.id)])) > 0;
}

/**
 * Claims the messages still queued and due (queued → sending, one statement per IDS_PER_STATEMENT: what another
 * worker claimed first is not returned), then sends them. Returns how many it claimed.
 */
async function sendGroup(deps: DispatchDeps, ids: string[]): Promise<number> {
  const { db, clock, logger } = deps;
  const now = clock.now();
  // While they are `sending`, nextAttemptAt is the lease's end: past it, reconcileInterruptedSends settles them.
  // The status is in the UPDATE's own WHERE (not a subquery), so PostgreSQL re-checks it on a row another worker
  // changed meanwhile: each row is claimed once. Written `NOT (status <> 'queued')` so that SQLite looks the ids up
  // by primary key: with `status = 'queued'` it walked the (status, nextAttemptAt) index over every due message
  // (O(due) per claim: 100,000 due made each claim ~0.3 s).
  const claimed: Claimed[] = [];
  for (const chunk of chunksOf(ids)) {
    claimed.push(
      ...(await db.message.updateManyAndReturn({
        where: { id: { in: chunk }, NOT: { status: { not: "queued" } }, nextAttemptAt: { lte: now } },
        data: { status: "sending", attempts: { increment: 1 }, nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS) },
        select: CLAIMED,
      })),
    );
  }
  if (claimed.length === 0) return 0;
  const sendable = await withoutSuppressed(deps, claimed);
  if (sendable.length === 0) return claimed.length;
  // One group is one workspace (groupsOf); its own sender first, then the app's.
  const workspaceId = sendable[0].workspaceId;
  const sender = (await deps.senders?.forWorkspace(workspaceId)) ?? deps.sender;
  if (!sender) {
    await updateEach(db, sendable.map((message) => message.id), { status: "outbox", provider: "outbox" });
    return claimed.length;
  }
  const batchSend = sender.sendBatch?.bind(sender);
  if (sendable.length === 1 || !batchSend) {
    for (const message of sendable) await sendAlone(deps, sender, message);
  } else {
    await sendBatch(deps, sender, batchSend, sendable);
    logger.debug({ workspaceId, messages: sendable.length }, "batch dispatched");
  }
  return claimed.length;
}

/**
 * Suppressed recipients are settled here, checked at send time, not when the step ran: an unsubscribe between the
 * two still counts. Transactional messages ignore marketing unsubscribes; bounces and spam reports stop them too.
 * One query for the group finds the addresses on the list at all (by address or an erased customer's digest);
 * suppressionOf gives the verdict and the reason for those few.
 */
async function withoutSuppressed(deps: DispatchDeps, messages: Claimed[]): Promise<Claimed[]> {
  const { db, logger } = deps;
  const keys = new Map<string, string[]>();
  for (const message of messages) {
    const email = normalizeEmail(message.toEmail);
    if (email) keys.set(message.id, [email, suppressionDigest(message.workspaceId, email)]);
  }
  const listed = new Set<string>();
  for (const workspaceId of new Set(messages.map((message) => message.workspaceId))) {
    const group = messages.filter((message) => message.workspaceId === workspaceId);
    for (const chunk of chunksOf(group.flatMap((message) => keys.get(message.id) ?? []))) {
      const rows = await db.suppression.findMany({ where: { workspaceId, email: { in: chunk } }, select: { email: true } });
      for (const row of rows) listed.add(`${workspaceId}\u0000${row.email}`);
    }
  }
  if (listed.size === 0) return messages;
  const sendable: Claimed[] = [];
  for (const message of messages) {
    const onList = (keys.get(message.id) ?? []).some((key) => listed.has(`${message.workspaceId}\u0000${key}`));
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

/** The signed one-click unsubscribe URL; a test email (the builder's "Send test") has none: it would suppress the merchant. */
async function unsubscribeUrlOf(deps: DispatchDeps, message: Claimed): Promise<string | null> {
  return message.kind === "test" ? null : ((await deps.unsubscribe?.urlFor(message.id)) ?? null);
}

/** One message, one request: its own HTML and text. */
async function sendAlone(deps: DispatchDeps, sender: EmailSender, message: Claimed): Promise<void> {
  const { db, clock } = deps;
  const content = await db.message.findUnique({ where: { id: message.id }, select: { html: true, text: true } });
  if (!content) return; // deleted (the workspace or the customer erased) while it was being sent
  const result = await sender.send({
    messageId: message.id,
    to: message.toEmail,
    from: { email: message.fromEmail, name: message.fromName },
    subject: message.subject,
    html: content.html,
    text: content.text,
    unsubscribeUrl: await unsubscribeUrlOf(deps, message),
  });
  if (result.ok) {
    await db.message.update({
      where: { id: message.id },
      data: { status: "sent", provider: sender.provider, providerMessageId: result.providerMessageId, sentAt: clock.now(), error: null },
    });
    return;
  }
  await settleFailure(deps, sender, [message], result);
}

/**
 * Messages sharing a contentKey, one request: the shared content read once (from the first), each recipient's
 * links and unsubscribe token as its substitutions, its List-Unsubscribe headers as its own. A message that cannot
 * be templated that way (no signer, substitutions over SendGrid's limit, a key from another version) goes alone.
 */
async function sendBatch(
  deps: DispatchDeps,
  sender: EmailSender,
  batchSend: NonNullable<EmailSender["sendBatch"]>,
  messages: Claimed[],
): Promise<void> {
  const { db, clock, logger } = deps;
  const [first] = messages;
  const content = await db.message.findUnique({ where: { id: first.id }, select: { html: true, text: true } });
  const representative = content ? { ...first, ...content } : null;
  const shared = representative ? sharedContentOf(representative) : null;
  if (!representative || !shared || contentKeyOf(representative) !== first.contentKey) {
    for (const message of messages) await sendAlone(deps, sender, message);
    return;
  }
  let pending: { message: Claimed; recipient: BatchRecipient }[] = [];
  const alone: Claimed[] = [];
  for (const message of messages) {
    const unsubscribeUrl = await unsubscribeUrlOf(deps, message);
    const sign = (await deps.clicks?.forMessage(message.id)) ?? null;
    const substitutions = substitutionsFor(shared, { sign, unsubscribeUrl });
    if (!substitutions || substitutionBytes(substitutions) > MAX_SUBSTITUTION_BYTES) alone.push(message);
    else pending.push({ message, recipient: { messageId: message.id, to: message.toEmail, substitutions, unsubscribeUrl } });
  }

  for (let round = 0; pending.length > 1 && round < MAX_REFUSAL_ROUNDS; round += 1) {
    const result = await batchSend({
      from: { email: first.fromEmail, name: first.fromName },
      subject: first.subject,
      html: shared.html,
      text: shared.text,
      recipients: pending.map((entry) => entry.recipient),
    });
    if (result.ok) {
      await updateEach(
        db,
        pending.map((entry) => entry.message.id),
        { status: "sent", provider: sender.provider, providerMessageId: result.providerMessageId, sentAt: clock.now(), error: null },
      );
      pending = [];
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
    await settleFailure(deps, sender, pending.map((entry) => entry.message), result);
    pending = [];
  }
  for (const message of [...alone, ...pending.map((entry) => entry.message)]) await sendAlone(deps, sender, message);
}

/**
 * A failed request: queued again when the failure is temporary (at the time SendGrid asked for on a 429, else
 * with exponential backoff) until MAX_ATTEMPTS, else failed with the provider's answer.
 */
async function settleFailure(
  deps: DispatchDeps,
  sender: EmailSender,
  messages: Claimed[],
  result: { retryable: boolean; error: string; retryAfterMs: number | null },
): Promise<void> {
  const { db, clock, logger } = deps;
  const now = clock.now().getTime();
  // By attempt count: messages of one batch may have been tried a different number of times.
  const byAttempts = new Map<number, Claimed[]>();
  for (const message of messages) byAttempts.set(message.attempts, [...(byAttempts.get(message.attempts) ?? []), message]);
  for (const [attempt, group] of byAttempts) {
    const giveUp = !result.retryable || attempt >= MAX_ATTEMPTS;
    const nextAttemptAt = new Date(now + (result.retryAfterMs ?? backoffMs(attempt)));
    logger.warn({ workspaceId: group[0].workspaceId, messageId: group[0].id, messages: group.length, attempt, giveUp }, result.error);
    await updateEach(db, group.map((message) => message.id), { status: giveUp ? "failed" : "queued", provider: sender.provider, error: result.error, nextAttemptAt });
    if (!giveUp) for (const message of group) deps.scheduler?.notify("dispatch", message.id, nextAttemptAt);
  }
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
