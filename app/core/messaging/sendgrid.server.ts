// SendGrid through @sendgrid/mail, with a client of our own (never the shared singleton): setApiKey() resets
// the base URL, so the base URL (EU residency, or the emulator in tests) is set after it.
// One message goes through @sendgrid/mail's helper; a batch (many personalizations of the same content,
// batching.ts) is a v3 mail/send body we build, posted with the same @sendgrid/client.
import http from "node:http";
import https from "node:https";
import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { systemClock, type Clock } from "~/core/clock";
import { MESSAGE_ID_ARG } from "./message-id";
import { listUnsubscribeHeaders, type BatchSendResult, type EmailSender, type OutgoingBatch, type OutgoingEmail, type SendResult } from "./sender";

export { MESSAGE_ID_ARG };

/**
 * Connections kept open between requests, shared by every sender of the process (they all talk to the same one
 * or two hosts): no TCP and TLS handshake per request. Node 20's global agents keep alive too; these make it
 * explicit and bound the sockets per host.
 */
const KEEP_ALIVE = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

interface ProviderError {
  /** The HTTP status of an answered request; a string (ECONNREFUSED…) or nothing when there was no answer. */
  code?: number | string;
  message?: string;
  response?: { headers?: Record<string, unknown>; body?: unknown };
}

function asProviderError(error: unknown): ProviderError {
  return typeof error === "object" && error !== null ? error : { message: String(error) };
}

/**
 * How long SendGrid asks us to wait before the next request: `Retry-After` (seconds) when given, else until
 * `X-RateLimit-Reset` (epoch seconds, what SendGrid's 429 carries), measured against SendGrid's own `Date` header
 * so that our clock's skew does not matter (our clock only when there is no Date). Null when it says nothing.
 */
export function retryDelayMs(headers: Record<string, unknown> | undefined, now: Date): number | null {
  if (!headers) return null;
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (!Number.isFinite(reset) || reset <= 0) return null;
  const date = typeof headers.date === "string" ? Date.parse(headers.date) : NaN;
  const serverNow = Number.isFinite(date) ? date : now.getTime();
  return Math.max(0, reset * 1000 - serverNow);
}

function failureOf(error: unknown, now: Date) {
  const failure = asProviderError(error);
  const status = typeof failure.code === "number" ? failure.code : 0;
  const detail = failure.response?.body
    ? JSON.stringify(failure.response.body)
    : [typeof failure.code === "string" ? failure.code : null, failure.message].filter(Boolean).join(" ") || "unknown error";
  return {
    status,
    body: failure.response?.body,
    retryable: status === 0 || status === 429 || status >= 500,
    error: `SendGrid ${status || "network error"}: ${detail}`,
    retryAfterMs: retryDelayMs(failure.response?.headers, now),
  };
}

/** SendGrid's 400 errors name the field; `personalizations.<i>…` names one recipient of a batch. */
function refusedRecipients(body: unknown): { index: number; error: string }[] {
  const errors = typeof body === "object" && body !== null && "errors" in body && Array.isArray(body.errors) ? body.errors : [];
  const refused: { index: number; error: string }[] = [];
  for (const entry of errors) {
    const field = typeof entry === "object" && entry !== null && "field" in entry ? entry.field : null;
    const message = typeof entry === "object" && entry !== null && "message" in entry ? String(entry.message) : "refused";
    const match = typeof field === "string" ? /^personalizations\.(\d+)(?:\.|$)/.exec(field) : null;
    if (!match) return []; // an error about the shared part (or no field): it is no one recipient's fault
    refused.push({ index: Number(match[1]), error: `SendGrid 400: ${message} (${field})` });
  }
  return refused;
}

/** The v3 personalization SendGrid takes for one recipient of a batch. */
interface BatchPersonalization {
  to: { email: string }[];
  custom_args: Record<string, string>;
  substitutions?: Record<string, string>;
  headers?: Record<string, string>;
}

export function createSendGridSender(config: { apiKey: string; baseUrl: string; clock?: Clock }): EmailSender {
  const clock = config.clock ?? systemClock;
  const client = new Client();
  client.setApiKey(config.apiKey);
  client.setDefaultRequest("baseUrl", config.baseUrl.replace(/\/?$/, "/"));
  // @sendgrid/client hands its default request to axios; its types name only httpsAgent, axios takes httpAgent
  // too (plain http: the emulator, a local relay).
  // maxRedirects 0: SendGrid's API never redirects, and axios then posts through Node's http itself instead of
  // follow-redirects, which keeps a copy of every body (1–2 MB for a batch) in case it must send it again.
  const agents = { url: "", httpsAgent: KEEP_ALIVE.https, httpAgent: KEEP_ALIVE.http, maxRedirects: 0 };
  client.setDefaultRequest(agents);
  const mail = new MailService();
  mail.setClient(client);

  return {
    provider: "sendgrid",
    async send(email: OutgoingEmail): Promise<SendResult> {
      try {
        const [response] = await mail.send({
          to: email.to,
          from: { email: email.from.email, ...(email.from.name ? { name: email.from.name } : {}) },
          subject: email.subject,
          text: email.text,
          html: email.html,
          customArgs: { [MESSAGE_ID_ARG]: email.messageId },
          ...(email.unsubscribeUrl ? { headers: listUnsubscribeHeaders(email.unsubscribeUrl) } : {}),
        });
        const id = response.headers["x-message-id"];
        return { ok: true, providerMessageId: typeof id === "string" ? id : null };
      } catch (error) {
        const { retryable, error: message, retryAfterMs } = failureOf(error, clock.now());
        return { ok: false, retryable, error: message, retryAfterMs };
      }
    },

    async sendBatch(batch: OutgoingBatch): Promise<BatchSendResult> {
      const personalizations: BatchPersonalization[] = batch.recipients.map((recipient) => {
        const headers = listUnsubscribeHeaders(recipient.unsubscribeUrl);
        return {
          to: [{ email: recipient.to }],
          custom_args: { [MESSAGE_ID_ARG]: recipient.messageId },
          ...(Object.keys(recipient.substitutions).length > 0 ? { substitutions: recipient.substitutions } : {}),
          ...(recipient.unsubscribeUrl ? { headers } : {}),
        };
      });
      // text/plain first, then text/html (RFC 1341 order, which SendGrid enforces); an empty part is left out.
      const content = [
        { type: "text/plain", value: batch.text },
        { type: "text/html", value: batch.html },
      ].filter((part) => part.value !== "");
      const body = {
        personalizations,
        from: { email: batch.from.email, ...(batch.from.name ? { name: batch.from.name } : {}) },
        subject: batch.subject,
        content,
      };
      try {
        const [response] = await client.request({ method: "POST", url: "/v3/mail/send", body });
        const id = response.headers["x-message-id"];
        return { ok: true, providerMessageId: typeof id === "string" ? id : null };
      } catch (error) {
        const failure = failureOf(error, clock.now());
        const refused = failure.status === 400 ? refusedRecipients(failure.body) : failure.status === 413 ? [] : null;
        return { ok: false, retryable: failure.retryable, error: failure.error, retryAfterMs: failure.retryAfterMs, refused };
      }
    },
  };
}
