// Click tracking without the provider's: every link of an email's HTML goes through `/r/<token>`, where the token
// is `<message id>.<link index>.<the URL, base64url>.<HMAC-SHA256 of the three>`, signed with the same key as the
// unsubscribe links (UNSUBSCRIBE_SECRET, else the stored one). The redirect only goes where the signature says
// the email's template pointed: a token altered in any part is refused (404). Each click is a MessageEvent
// (provider "nudgeflow"); repeats within the same second (a double click, a prefetch and the click) are one. It is
// also a canonical `message.clicked` event about the customer, routed to flows, in the same transaction.
import { timingSafeEqual } from "node:crypto";
import { isUniqueViolation, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Scheduler } from "~/core/jobs/scheduler";
import { hmacSha256Base64url } from "./hmac";
import { JOURNEY_MESSAGE_SELECT, recordJourneyEvent, type RecordedMessageEvent } from "./journey-events.server";
import { storedSecret } from "./unsubscribe.server";

export interface ClickLinks {
  /** A signer for one message's links, for the renderer: (URL, index in the email) → the tracked URL. */
  forMessage(messageId: string): Promise<(url: string, index: number) => string>;
  /** What a token says, or null when it is not one of ours (or was altered). */
  verify(token: string): Promise<ClickTarget | null>;
  /** forMessage without a wait per message (the key read once): the dispatcher signs a whole batch with it. */
  signers?(): Promise<(messageId: string) => (url: string, index: number) => string>;
}

export interface ClickTarget {
  messageId: string;
  index: number;
  url: string;
}

export function createClickLinks(config: { db: Db; appUrl: string; secret?: string | null }): ClickLinks {
  let key: Promise<string> | undefined;
  const secret = () => {
    key ??= config.secret ? Promise.resolve(config.secret) : storedSecret(config.db);
    key.catch(() => (key = undefined));
    return key;
  };
  const base = config.appUrl.replace(/\/+$/, "");
  const signerWith = (k: string) => {
    // A batch signs the same few URLs for every recipient: each one encoded once per signers() call.
    const encodings = new Map<string, string>();
    return (messageId: string) => (url: string, index: number) => {
      let encoded = encodings.get(url);
      if (encoded === undefined) {
        encoded = Buffer.from(url, "utf8").toString("base64url");
        if (encodings.size < 1000) encodings.set(url, encoded);
      }
      return `${base}/r/${messageId}.${index}.${encoded}.${sign(k, messageId, index, url)}`;
    };
  };
  return {
    async forMessage(messageId) {
      return signerWith(await secret())(messageId);
    },
    async signers() {
      return signerWith(await secret());
    },
    async verify(token) {
      const parts = token.split(".");
      if (parts.length !== 4) return null;
      const [messageId, indexText, encoded, signature] = parts;
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(messageId) || !/^\d{1,4}$/.test(indexText) || !/^[A-Za-z0-9_-]*$/.test(encoded)) return null;
      const index = Number(indexText);
      const url = Buffer.from(encoded, "base64url").toString("utf8");
      const given = Buffer.from(signature, "utf8");
      const expected = Buffer.from(sign(await secret(), messageId, index, url), "utf8");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (!/^https?:\/\//i.test(url)) return null;
      return { messageId, index, url };
    },
  };
}

function sign(secret: string, messageId: string, index: number, url: string): string {
  return hmacSha256Base64url(secret, `click:v1:${messageId}:${index}:${url}`);
}

/**
 * Records a click on a message's link: a `click` event, stored once per message, link and second, and its
 * `message.clicked` event (which may start journeys: announced to `scheduler` once committed). Returns false
 * when the message no longer exists (deleted or redacted): the redirect still happens, nothing is recorded.
 */
export async function recordClick(deps: { db: Db; clock: Clock; scheduler?: Scheduler }, target: ClickTarget): Promise<boolean> {
  const now = deps.clock.now();
  let enrolled: string[] = [];
  try {
    const found = await deps.db.$transaction(async (tx) => {
      const message = await tx.message.findUnique({ where: { id: target.messageId }, select: JOURNEY_MESSAGE_SELECT });
      if (!message) return false;
      const key = { provider: "nudgeflow", providerEventId: `click:${message.id}:${target.index}:${Math.floor(now.getTime() / 1000)}` };
      if (await tx.messageEvent.findUnique({ where: { provider_providerEventId: key }, select: { id: true } })) return true;
      await tx.messageEvent.create({ data: { workspaceId: message.workspaceId, messageId: message.id, type: "click", occurredAt: now, ...key, url: target.url } });
      const event: RecordedMessageEvent = { type: "click", occurredAt: now, ...key, url: target.url, reason: null, machineOpen: false, permanentBounce: false };
      ({ enrolled } = await recordJourneyEvent(tx, { message, event, now }));
      return true;
    });
    for (const id of enrolled) deps.scheduler?.notify("step", id, now);
    return found;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // the same click, recorded by a parallel request
    return true;
  }
}
