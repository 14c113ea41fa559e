// Signed unsubscribe links. Every email carries `{{ unsubscribe_url }}` (and the List-Unsubscribe headers,
// RFC 8058 one-click): `/unsubscribe/<message id>.<HMAC-SHA256 of it>`. The token needs no login and names
// nothing but the message; the message says which workspace and address to suppress.
//
// The key is UNSUBSCRIBE_SECRET when set; otherwise one made at random on first use and stored in the database
// (SystemSecret "unsubscribe"), so the web process and the workers share it and links outlive restarts.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isUniqueViolation, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import { suppressAddress, suppressionOf, withdrawMarketingConsent, type SuppressionSource } from "./suppression.server";

const SECRET_NAME = "unsubscribe";

export interface UnsubscribeLinks {
  /** The public, signed unsubscribe URL of a message. */
  urlFor(messageId: string): Promise<string>;
  /** The message id a token was made for; null when the token is not one of ours. */
  verify(token: string): Promise<string | null>;
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
  return createHmac("sha256", secret).update(`unsubscribe:v1:${messageId}`).digest("base64url");
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

export interface UnsubscribePage {
  shopName: string;
  /** The address, partly hidden (the page needs no login). */
  maskedEmail: string;
  alreadyUnsubscribed: boolean;
}

/** What the confirmation page shows for a message; null when there is no such message. */
export async function describeUnsubscribe(db: Db, input: { messageId: string }): Promise<UnsubscribePage | null> {
  const message = await db.message.findUnique({
    where: { id: input.messageId },
    select: { workspaceId: true, toEmail: true, storeId: true, workspace: { select: { name: true } } },
  });
  if (!message) return null;
  const store = message.storeId ? await db.store.findFirst({ where: { id: message.storeId, workspaceId: message.workspaceId }, select: { name: true } }) : null;
  const suppressed = await suppressionOf(db, { workspaceId: message.workspaceId, email: message.toEmail });
  return { shopName: store?.name ?? message.workspace.name, maskedEmail: maskEmail(message.toEmail), alreadyUnsubscribed: suppressed !== null };
}

/**
 * Unsubscribes the message's recipient from the workspace's marketing email: a suppression, marketing consent
 * off on the profile, and an `unsubscribe` event on the message. Idempotent. Null when there is no such message.
 */
export async function applyUnsubscribe(
  deps: { db: Db; clock: Clock },
  input: { messageId: string; source: Extract<SuppressionSource, "unsubscribe_link" | "one_click"> },
): Promise<{ shopName: string } | null> {
  const page = await describeUnsubscribe(deps.db, input);
  const message = await deps.db.message.findUnique({ where: { id: input.messageId }, select: { id: true, workspaceId: true, toEmail: true } });
  if (!page || !message) return null;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await suppressAddress(tx, { workspaceId: message.workspaceId, email: message.toEmail, reason: "unsubscribe", source: input.source, messageId: message.id, now });
    await withdrawMarketingConsent(tx, { workspaceId: message.workspaceId, email: message.toEmail });
    await tx.messageEvent.upsert({
      where: { provider_providerEventId: { provider: "nudgeflow", providerEventId: `unsubscribe:${message.id}` } },
      create: {
        workspaceId: message.workspaceId,
        messageId: message.id,
        type: "unsubscribe",
        occurredAt: now,
        provider: "nudgeflow",
        providerEventId: `unsubscribe:${message.id}`,
        reason: input.source === "one_click" ? "one-click (List-Unsubscribe-Post)" : "unsubscribe link",
      },
      update: {},
    });
  });
  return { shopName: page.shopName };
}

function maskEmail(email: string): string {
  const [local, domain] = email.split("@");
  if (!domain) return "your address";
  return `${local.slice(0, 1)}${"•".repeat(Math.max(2, Math.min(local.length - 1, 6)))}@${domain}`;
}
