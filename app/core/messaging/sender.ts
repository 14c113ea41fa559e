/** One outbound email, as the dispatcher hands it to a provider. */
export interface OutgoingEmail {
  /** Our message id: it rides along (SendGrid custom_args) so provider events map back without a lookup. */
  messageId: string;
  to: string;
  from: { email: string; name: string | null };
  subject: string;
  html: string;
  text: string;
  /** The signed one-click unsubscribe URL: sent as List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  unsubscribeUrl: string | null;
}

/** The headers that let mail clients offer "Unsubscribe" and unsubscribe in one click (RFC 2369, RFC 8058). */
export function listUnsubscribeHeaders(unsubscribeUrl: string | null): Record<string, string> {
  if (!unsubscribeUrl) return {};
  return { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

export type SendResult =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retryable: boolean; error: string; retryAfterMs: number | null };

/**
 * Many recipients of the same content (batching.ts): one provider request, a personalization per recipient. The
 * subject, HTML and text carry substitution tags; each recipient's `substitutions` fill them in for it.
 */
export interface OutgoingBatch {
  from: { email: string; name: string | null };
  subject: string;
  html: string;
  text: string;
  recipients: BatchRecipient[];
}

export interface BatchRecipient {
  messageId: string;
  to: string;
  /** Tag → this recipient's value: its own link tokens and unsubscribe token. */
  substitutions: Record<string, string>;
  /** Its signed one-click unsubscribe URL, for its own List-Unsubscribe headers. */
  unsubscribeUrl: string | null;
}

export type BatchSendResult =
  | { ok: true; providerMessageId: string | null }
  | {
      ok: false;
      retryable: boolean;
      error: string;
      retryAfterMs: number | null;
      /**
       * Set when the provider refused the request as invalid (400, 413): the recipients its errors name, by index
       * in `recipients`, with the error. Empty when its errors name none (the shared part, or the request's size).
       */
      refused: { index: number; error: string }[] | null;
    };

export interface EmailSender {
  readonly provider: "sendgrid";
  send(email: OutgoingEmail): Promise<SendResult>;
  /** Sends one request to many recipients; a sender without it gets each message alone. */
  sendBatch?(batch: OutgoingBatch): Promise<BatchSendResult>;
}

/**
 * Where a workspace's own sender comes from (its SendGrid key and region, once verified). `null` means the
 * workspace has none: the dispatcher falls back to the app's default sender, then to the outbox.
 */
export interface SenderDirectory {
  forWorkspace(workspaceId: string): Promise<EmailSender | null>;
}

/** `Name <address>` or a bare address. */
export function parseMailbox(value: string): { email: string; name: string | null } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return match ? { email: match[2].trim(), name: match[1].replace(/^"|"$/g, "") || null } : { email: value.trim(), name: null };
}
