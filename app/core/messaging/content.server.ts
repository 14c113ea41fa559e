// A message's content, stored once per step (ADR 0035). Messages of one step to one audience differ only in the
// tokens that carry their id (tracked links, unsubscribe link: batching.ts). The runner stores that shared
// template once as a MessageContent (workspace, contentKey) and writes the Message with html/text NULL, so a row
// stays small (every status change rewrote ~18 KB of HTML per message before). A message's own full HTML and
// text come from messageContentOf only: the template with its own signed tokens put back, byte for byte what
// rendering it gave. Messages whose content cannot be shared keep their html/text on the row.
import { z } from "zod";
import { isUniqueViolation, type DbTx } from "~/db.server";
import { applySubstitutions, contentKeyOfShared, sharedContentOf, substitutionsFor, type ContentKeyInput, type SharedContent } from "./batching";
import type { ClickLinks } from "./links.server";
import type { UnsubscribeLinks } from "./unsubscribe.server";

/** The signers that put a message's own tokens back into its shared content. */
export interface ContentSigners {
  clicks?: ClickLinks;
  unsubscribe?: UnsubscribeLinks;
}

/** What a Message row holds of its content. */
export interface StoredMessageContent {
  id: string;
  workspaceId: string;
  html: string | null;
  text: string | null;
  contentKey: string | null;
}

/** The html/text/contentKey to write on a new Message row. */
export interface MessageContentColumns {
  html: string | null;
  text: string | null;
  contentKey: string | null;
}

const StoredLinks = z.array(z.object({ tag: z.string(), index: z.number().int().nonnegative(), url: z.string() }));

/**
 * What the runner writes for a rendered message: when its content can be shared, the shared template is stored
 * once (MessageContent, made by the first message of the step; the others find it) and the row gets only the
 * key; otherwise the row keeps its own HTML and text. Idempotent: a key names exactly one content (a hash of it).
 */
export async function messageContentToWrite(db: DbTx, message: ContentKeyInput): Promise<MessageContentColumns> {
  const shared = sharedContentOf(message);
  if (!shared) return { html: message.html, text: message.text, contentKey: null };
  const contentKey = contentKeyOfShared(message, shared);
  const where = { workspaceId_contentKey: { workspaceId: message.workspaceId, contentKey } };
  if (!(await db.messageContent.findUnique({ where, select: { contentKey: true } }))) {
    try {
      await db.messageContent.create({
        data: { workspaceId: message.workspaceId, contentKey, html: shared.html, text: shared.text, links: shared.links, unsubscribe: shared.unsubscribe },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // another worker stored the same content first: the same bytes
    }
  }
  return { html: null, text: null, contentKey };
}

/** The stored shared content of a key; null when there is none (never stored, or erased). */
export async function sharedContentByKey(db: DbTx, input: { workspaceId: string; contentKey: string }): Promise<SharedContent | null> {
  const row = await db.messageContent.findUnique({
    where: { workspaceId_contentKey: input },
    select: { html: true, text: true, links: true, unsubscribe: true },
  });
  if (!row) return null;
  return { html: row.html, text: row.text, links: StoredLinks.parse(row.links), unsubscribe: row.unsubscribe };
}

/**
 * One message's own full HTML and text: the row's when it has them, else its shared content with its own signed
 * link and unsubscribe tokens (what the recipient got). Null when the content is gone (the row's html is null and
 * its MessageContent was erased). Throws when the content needs a signer that `signers` lacks.
 */
export async function messageContentOf(
  deps: { db: DbTx } & ContentSigners,
  message: StoredMessageContent,
  shared?: SharedContent | null,
): Promise<{ html: string; text: string } | null> {
  if (message.html !== null && message.text !== null) return { html: message.html, text: message.text };
  if (!message.contentKey) return null;
  const content = shared ?? (await sharedContentByKey(deps.db, { workspaceId: message.workspaceId, contentKey: message.contentKey }));
  if (!content) return null;
  const substitutions = substitutionsFor(content, {
    sign: content.links.length > 0 ? ((await deps.clicks?.forMessage(message.id)) ?? null) : null,
    unsubscribeUrl: content.unsubscribe ? ((await deps.unsubscribe?.urlFor(message.id)) ?? null) : null,
  });
  if (!substitutions) throw new Error(`message ${message.id}: its content needs the click and unsubscribe link signers`);
  return { html: applySubstitutions(content.html, substitutions), text: applySubstitutions(content.text, substitutions) };
}
