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

export interface EmailSender {
  readonly provider: "sendgrid";
  send(email: OutgoingEmail): Promise<SendResult>;
}

/** `Name <address>` or a bare address. */
export function parseMailbox(value: string): { email: string; name: string | null } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return match ? { email: match[2].trim(), name: match[1].replace(/^"|"$/g, "") || null } : { email: value.trim(), name: null };
}
