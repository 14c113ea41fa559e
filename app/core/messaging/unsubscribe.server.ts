// Signed unsubscribe links. Every email carries `{{ unsubscribe_url }}` (and the List-Unsubscribe headers,
// RFC 8058 one-click): `/unsubscribe/<message id>.<HMAC-SHA256 of it>`. The token needs no login and names
// nothing but the message; the message says which workspace and address to suppress.
//
// The key is UNSUBSCRIBE_SECRET when set; otherwise one made at random on first use and stored in the database
// (SystemSecret "unsubscribe"), so the web process and the workers share it and links outlive restarts.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isUniqueViolation, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import { recordConsentChange } from "./consent-updates.server";
import { hmacSha256Base64url } from "./hmac";
import { JOURNEY_MESSAGE_SELECT, recordJourneyEvent } from "./journey-events.server";
import {
  RESUBSCRIBABLE_SOURCES,
  blockingSuppression,
  isSuppressionReason,
  suppressAddress,
  withdrawMarketingConsent,
  type SuppressionReason,
  type SuppressionSource,
} from "./suppression.server";

const SECRET_NAME = "unsubscribe";

export interface UnsubscribeLinks {
  /** The public, signed unsubscribe URL of a message. */
  urlFor(messageId: string): Promise<string>;
  /** The message id a token was made for; null when the token is not one of ours. */
  verify(token: string): Promise<string | null>;
  /** urlFor without a wait per message (the key read once): the dispatcher signs a whole batch with it. */
  signer?(): Promise<(messageId: string) => string>;
}

export function createUnsubscribeLinks(config: { db: Db; appUrl: string; secret?: string | null }): UnsubscribeLinks {
  let key: Promise<string> | undefined;
  const secret = () => {
    key ??= config.secret ? Promise.resolve(config.secret) : storedSecret(config.db);
    key.catch(() => (key = undefined)); // a database hiccup is not remembered
    return key;
  };
  const base = config.appUrl.replace(/\/+$/, "");
  return {
    async urlFor(messageId) {
      return `${base}/unsubscribe/${messageId}.${sign(await secret(), messageId)}`;
    },
    async signer() {
      const k = await secret();
      return (messageId) => `${base}/unsubscribe/${messageId}.${sign(k, messageId)}`;
    },
    async verify(token) {
      const dot = token.lastIndexOf(".");
      if (dot <= 0) return null;
      const messageId = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), "utf8");
      const expected = Buffer.from(sign(await secret(), messageId), "utf8");
      return given.length === expected.length && timingSafeEqual(given, expected) ? messageId : null;
    },
  };
}

function sign(secret: string, messageId: string): string {
  return hmacSha256Base64url(secret, `unsubscribe:v1:${messageId}`);
}

/** The stored signing key (made on first use); click links (links.server.ts) sign with it too. */
export async function storedSecret(db: Db): Promise<string> {
  const existing = await db.systemSecret.findUnique({ where: { name: SECRET_NAME } });
  if (existing) return existing.value;
  try {
    await db.systemSecret.create({ data: { name: SECRET_NAME, value: randomBytes(32).toString("base64url") } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // another process made it first: use theirs
  }
  return (await db.systemSecret.findUniqueOrThrow({ where: { name: SECRET_NAME } })).value;
}

/** Where the address stands, as the preference page says it. */
export type PreferenceStatus =
  /** Marketing email may reach it. */
  | { kind: "receiving" }
  /** Unsubscribed through our link (or one-click): the customer may take it back here. */
  | { kind: "unsubscribed"; since: string }
  /** Kept from marketing email for a reason only the shop can lift (a bounce, a spam report, a block by hand). */
  | { kind: "blocked"; since: string; why: string };

export interface UnsubscribePage {
  shopName: string;
  /** The address, partly hidden (the page needs no login). */
  maskedEmail: string;
  status: PreferenceStatus;
  /** Kept for callers that only ask whether marketing email stops (true unless `receiving`). */
  alreadyUnsubscribed: boolean;
}

const BLOCKED_WHY: Record<SuppressionReason, string> = {
  bounce: "earlier emails to this address could not be delivered",
  spamreport: "an email from the shop was reported as spam from this address",
  unsubscribe: "this address was unsubscribed",
  group_unsubscribe: "this address was unsubscribed",
  manual: "the shop stopped marketing email to this address",
};

async function messageOf(db: Db, messageId: string) {
  const message = await db.message.findUnique({
    where: { id: messageId },
    select: { ...JOURNEY_MESSAGE_SELECT, toEmail: true, workspace: { select: { name: true } } },
  });
  if (!message) return null;
  const store = message.storeId ? await db.store.findFirst({ where: { id: message.storeId, workspaceId: message.workspaceId }, select: { name: true } }) : null;
  return { ...message, shopName: store?.name ?? message.workspace.name };
}

/** What the preference page shows for a message; null when there is no such message. */
export async function describeUnsubscribe(db: Db, input: { messageId: string }): Promise<UnsubscribePage | null> {
  const message = await messageOf(db, input.messageId);
  if (!message) return null;
  const row = await blockingSuppression(db, { workspaceId: message.workspaceId, email: message.toEmail });
  const since = row?.createdAt.toISOString() ?? "";
  const status: PreferenceStatus = !row
    ? { kind: "receiving" }
    : row.reason === "unsubscribe" && RESUBSCRIBABLE_SOURCES.includes(row.source)
      ? { kind: "unsubscribed", since }
      : { kind: "blocked", since, why: isSuppressionReason(row.reason) ? BLOCKED_WHY[row.reason] : "the shop stopped marketing email to this address" };
  return { shopName: message.shopName, maskedEmail: maskEmail(message.toEmail), status, alreadyUnsubscribed: status.kind !== "receiving" };
}

/**
 * Unsubscribes the message's recipient from the workspace's marketing email: a suppression, marketing consent
 * off on the profile and written back to the stores (consent-updates.server.ts), and an `unsubscribe` event on
 * the message. Idempotent. Null when there is no such message.
 */
export async function applyUnsubscribe(
  deps: { db: Db; clock: Clock },
  input: { messageId: string; source: Extract<SuppressionSource, "unsubscribe_link" | "one_click"> },
): Promise<{ shopName: string } | null> {
  const message = await messageOf(deps.db, input.messageId);
  if (!message) return null;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await suppressAddress(tx, { workspaceId: message.workspaceId, email: message.toEmail, reason: "unsubscribe", source: input.source, messageId: message.id, now });
    await withdrawMarketingConsent(tx, { workspaceId: message.workspaceId, email: message.toEmail, source: input.source, now });
    const providerEventId = `unsubscribe:${message.id}`;
    const reason = input.source === "one_click" ? "one-click (List-Unsubscribe-Post)" : "unsubscribe link";
    await tx.messageEvent.upsert({
      where: { provider_providerEventId: { provider: "nudgeflow", providerEventId } },
      create: { workspaceId: message.workspaceId, messageId: message.id, type: "unsubscribe", occurredAt: now, provider: "nudgeflow", providerEventId, reason },
      update: {},
    });
    // The canonical message.unsubscribed, as for SendGrid's own unsubscribe events (once: keyed by the same id).
    const event = { type: "unsubscribe" as const, occurredAt: now, provider: "nudgeflow", providerEventId, url: null, reason, machineOpen: false, permanentBounce: false };
    await recordJourneyEvent(tx, { message, event, now });
  });
  return { shopName: message.shopName };
}

export type ResubscribeOutcome =
  | { kind: "resubscribed"; shopName: string }
  /** There was no unsubscribe to take back. */
  | { kind: "not-unsubscribed"; shopName: string }
  /** The entry is not the customer's own unsubscribe (a bounce, a spam report, the shop's block): not lifted here. */
  | { kind: "refused"; shopName: string; why: string };

/**
 * Takes back the recipient's own unsubscribe (through our link or one-click; never a bounce, a spam report or the
 * shop's block): the suppression goes, marketing consent is on again on the profile and written back to the
 * stores as a single opt-in. Null when there is no such message.
 */
export async function applyResubscribe(deps: { db: Db; clock: Clock }, input: { messageId: string }): Promise<ResubscribeOutcome | null> {
  const message = await messageOf(deps.db, input.messageId);
  if (!message) return null;
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx): Promise<ResubscribeOutcome> => {
    const row = await blockingSuppression(tx, { workspaceId: message.workspaceId, email: message.toEmail });
    if (!row) return { kind: "not-unsubscribed", shopName: message.shopName };
    if (row.reason !== "unsubscribe" || !RESUBSCRIBABLE_SOURCES.includes(row.source)) {
      return { kind: "refused", shopName: message.shopName, why: isSuppressionReason(row.reason) ? BLOCKED_WHY[row.reason] : "the shop stopped marketing email to this address" };
    }
    await tx.suppression.deleteMany({ where: { id: row.id, workspaceId: message.workspaceId } });
    await recordConsentChange(tx, { workspaceId: message.workspaceId, email: message.toEmail, subscribed: true, source: "preference_page", now });
    return { kind: "resubscribed", shopName: message.shopName };
  });
}

function maskEmail(email: string): string {
  const [local, domain] = email.split("@");
  if (!domain) return "your address";
  return `${local.slice(0, 1)}${"•".repeat(Math.max(2, Math.min(local.length - 1, 6)))}@${domain}`;
}
