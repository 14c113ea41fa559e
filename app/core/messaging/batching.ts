// Same content, many recipients: SendGrid takes up to 1,000 personalizations per mail/send request, each with its
// own `substitutions`. Our emails are rendered per message, but what differs between two messages of the same
// step for the same audience is often only what carries the message id: the tracked links
// (`…/r/<message id>.<index>.<URL, base64url>.<signature>`, links.server.ts) and the signed unsubscribe link
// (`…/unsubscribe/<message id>.<signature>`, unsubscribe.server.ts). Replacing those tokens by substitution tags
// gives a shared template; its hash is the message's `contentKey`, and messages with the same key go out as one
// request. Pure: no database, no keys: the dispatcher signs each recipient's own tokens when it sends.
import { createHash } from "node:crypto";

/** Every tag starts with this; content that already contains it is never templated (SendGrid would replace it). */
export const TAG_PREFIX = "{nf:";
export const UNSUBSCRIBE_TAG = `${TAG_PREFIX}unsubscribe}`;
export function linkTag(index: number): string {
  return `${TAG_PREFIX}link:${index}}`;
}

/** SendGrid's limit on one personalization's substitutions (keys and values, bytes). */
export const MAX_SUBSTITUTION_BYTES = 10_000;

/** One message's content with its per-message tokens replaced by tags. */
export interface SharedContent {
  html: string;
  text: string;
  /** The tracked links in it: each recipient's token for a link is signed for its own message id. */
  links: { tag: string; index: number; url: string }[];
  /** Whether it carries the unsubscribe token (`UNSUBSCRIBE_TAG`). */
  unsubscribe: boolean;
}

export interface TemplatableMessage {
  id: string;
  subject: string;
  html: string;
  text: string;
}

/** Both signatures are HMAC-SHA256 in base64url: exactly 43 characters. */
const SIGNATURE = "[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])";

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The content shared by every message rendered from the same template for the same audience, or null when it
 * cannot be shared: it already contains a tag, a link index points at two URLs, or the message id still appears
 * somewhere else (then the content is personal and goes alone).
 */
export function sharedContentOf(message: TemplatableMessage): SharedContent | null {
  if ([message.subject, message.html, message.text].some((part) => part.includes(TAG_PREFIX))) return null;
  const id = escapeRegExp(message.id);
  const linkPattern = new RegExp(`/r/${id}\\.(\\d{1,4})\\.([A-Za-z0-9_-]*)\\.${SIGNATURE}`, "g");
  const unsubscribePattern = new RegExp(`/unsubscribe/${id}\\.${SIGNATURE}`, "g");
  const links = new Map<number, { tag: string; index: number; url: string; encoded: string }>();
  let consistent = true;
  let unsubscribe = false;
  const template = (content: string) =>
    content
      .replace(linkPattern, (_whole, indexText: string, encoded: string) => {
        const index = Number(indexText);
        const known = links.get(index);
        if (known && known.encoded !== encoded) consistent = false;
        const url = Buffer.from(encoded, "base64url").toString("utf8");
        if (Buffer.from(url, "utf8").toString("base64url") !== encoded) consistent = false; // not what we encode
        if (!known) links.set(index, { tag: linkTag(index), index, url, encoded });
        return `/r/${linkTag(index)}`;
      })
      .replace(unsubscribePattern, () => {
        unsubscribe = true;
        return `/unsubscribe/${UNSUBSCRIBE_TAG}`;
      });
  const html = template(message.html);
  const text = template(message.text);
  if (!consistent) return null;
  if ([message.subject, html, text].some((part) => part.includes(message.id))) return null;
  const ordered = [...links.values()].sort((a, b) => a.index - b.index).map(({ tag, index, url }) => ({ tag, index, url }));
  return { html, text, links: ordered, unsubscribe };
}

export interface ContentKeyInput extends TemplatableMessage {
  workspaceId: string;
  kind: string;
  fromEmail: string;
  fromName: string | null;
}

/**
 * The key of the content a message shares with others (null: it shares none). Everything SendGrid takes once per
 * request is in it: the workspace (its sender), the kind, the sender address, the subject, the shared HTML and
 * text, and the links' destinations (each recipient's link tokens are signed for them).
 */
export function contentKeyOf(message: ContentKeyInput): string | null {
  const shared = sharedContentOf(message);
  return shared ? contentKeyOfShared(message, shared) : null;
}

/** contentKeyOf for a message whose shared content is already known (sharedContentOf of it). */
export function contentKeyOfShared(message: Omit<ContentKeyInput, "html" | "text" | "id">, shared: SharedContent): string {
  const parts = ["v1", message.workspaceId, message.kind, message.fromEmail, message.fromName ?? "", message.subject, shared.html, shared.text, JSON.stringify(shared.links)];
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url");
}

/** The part of a tracked or unsubscribe URL after `/r/` or `/unsubscribe/`: what the tag stands for. */
export function tokenAfter(url: string, marker: "/r/" | "/unsubscribe/"): string {
  const at = url.lastIndexOf(marker);
  if (at < 0) throw new Error(`not a ${marker} URL: ${url}`);
  return url.slice(at + marker.length);
}

/**
 * One recipient's substitutions: its own signed token for every link and its unsubscribe token. `sign` is the
 * recipient's link signer (ClickLinks.forMessage), `unsubscribeUrl` its signed unsubscribe URL.
 */
export function substitutionsFor(
  shared: SharedContent,
  recipient: { sign: ((url: string, index: number) => string) | null; unsubscribeUrl: string | null },
): Record<string, string> | null {
  const substitutions: Record<string, string> = {};
  if (shared.links.length > 0) {
    if (!recipient.sign) return null;
    for (const link of shared.links) substitutions[link.tag] = tokenAfter(recipient.sign(link.url, link.index), "/r/");
  }
  if (shared.unsubscribe) {
    if (!recipient.unsubscribeUrl) return null;
    substitutions[UNSUBSCRIBE_TAG] = tokenAfter(recipient.unsubscribeUrl, "/unsubscribe/");
  }
  return substitutions;
}

/** The size SendGrid counts against MAX_SUBSTITUTION_BYTES (keys and values, UTF-8). */
export function substitutionBytes(substitutions: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(substitutions)) bytes += Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8");
  return bytes;
}

/** What one recipient receives: the shared content with its substitutions applied (as SendGrid does). */
export function applySubstitutions(content: string, substitutions: Record<string, string>): string {
  let result = content;
  for (const [tag, value] of Object.entries(substitutions)) result = result.split(tag).join(value);
  return result;
}
