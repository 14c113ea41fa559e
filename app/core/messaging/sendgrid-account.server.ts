// A SendGrid account as seen through one API key: what the key may do (GET /v3/scopes), which from addresses the
// account may send as (single senders, GET /v3/verified_senders; authenticated domains, GET /v3/whitelabel/domains)
// and its Event Webhook (create or update one posting to us, then turn signing on and take its public key).
// Expected failures come back as values: refused key, missing permission, network. Through @sendgrid/client, with a
// client of its own per key (setApiKey resets the base URL, so the base URL is set after it); Node's global agents
// keep connections alive.
import { Client } from "@sendgrid/client";
import { z } from "zod";

export type AccountFailure =
  /** SendGrid does not know the key (401). */
  | { kind: "unauthorized"; status: number; detail: string }
  /** The key is known but may not do this (403). */
  | { kind: "forbidden"; status: number; detail: string }
  /** No answer: DNS, refused connection, timeout. */
  | { kind: "network"; detail: string }
  /** Any other answer, or one we could not read. */
  | { kind: "unexpected"; status: number; detail: string };

export type AccountResult<T> = { ok: true; value: T } | { ok: false; failure: AccountFailure };

export interface VerifiedSender {
  email: string;
  verified: boolean;
}

export interface AuthenticatedDomain {
  domain: string;
  valid: boolean;
}

/** Which events the webhook we set up asks for: all that message events map (sendgrid-events.ts). */
export const EVENT_WEBHOOK_EVENTS = {
  processed: true,
  delivered: true,
  deferred: true,
  bounce: true,
  dropped: true,
  open: true,
  click: true,
  spam_report: true,
  unsubscribe: true,
  group_unsubscribe: true,
  group_resubscribe: true,
} as const;

export interface SignedEventWebhook {
  /** SendGrid's id of the webhook (null when the account answered without one). */
  id: string | null;
  /** The verification key, base64 DER, as SendGrid gives it. */
  publicKey: string;
}

export interface SendGridAccount {
  scopes(): Promise<AccountResult<string[]>>;
  verifiedSenders(): Promise<AccountResult<VerifiedSender[]>>;
  authenticatedDomains(): Promise<AccountResult<AuthenticatedDomain[]>>;
  /** Points an Event Webhook of the account at `url` (updating one already there), signed; returns its key. */
  setUpSignedEventWebhook(url: string): Promise<AccountResult<SignedEventWebhook>>;
}

const REQUEST_TIMEOUT_MS = 15_000;
const SENDERS_PAGE = 100;
const MAX_SENDER_PAGES = 20;

const ScopesBody = z.object({ scopes: z.array(z.string()) });
const SendersBody = z.object({
  results: z.array(z.object({ id: z.union([z.number(), z.string()]), from_email: z.string(), verified: z.boolean().nullish() })),
});
const DomainsBody = z.array(z.object({ domain: z.string(), valid: z.boolean().nullish() }));
const WebhookBody = z.object({ id: z.string().nullish(), url: z.string().nullish() });
const WebhooksBody = z.object({ webhooks: z.array(z.object({ id: z.string().nullish(), url: z.string().nullish() })).nullish() });
const SignedBody = z.object({ id: z.string().nullish(), public_key: z.string().nullish() });
const ErrorBody = z.object({ errors: z.array(z.object({ message: z.string().nullish(), id: z.string().nullish() })) });

interface ThrownByClient {
  code?: unknown;
  message?: unknown;
  response?: { body?: unknown };
}

function isThrownByClient(error: unknown): error is ThrownByClient {
  return typeof error === "object" && error !== null;
}

/** SendGrid's `{"errors":[{message}]}` as one line; else the body as JSON. */
function describeBody(body: unknown): string {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) return parsed.data.errors.map((error) => error.message ?? "").filter(Boolean).join("; ") || "no message";
  return typeof body === "string" ? body.slice(0, 300) : JSON.stringify(body ?? null).slice(0, 300);
}

function failureOf(error: unknown): AccountFailure {
  const thrown = isThrownByClient(error) ? error : {};
  const status = typeof thrown.code === "number" ? thrown.code : 0;
  if (status === 0) return { kind: "network", detail: typeof thrown.message === "string" ? thrown.message : String(error) };
  const detail = describeBody(thrown.response?.body);
  if (status === 401) return { kind: "unauthorized", status, detail };
  if (status === 403) return { kind: "forbidden", status, detail };
  return { kind: "unexpected", status, detail };
}

export function createSendGridAccount(config: { apiKey: string; baseUrl: string }): SendGridAccount {
  const client = new Client();
  client.setApiKey(config.apiKey);
  client.setDefaultRequest("baseUrl", config.baseUrl.replace(/\/?$/, "/"));
  // @sendgrid/client passes request options through to axios; without a timeout a stalled connection hangs a save.
  const withTimeout = { url: "", timeout: REQUEST_TIMEOUT_MS };
  client.setDefaultRequest(withTimeout);

  async function call<T>(
    request: { method: "GET" | "POST" | "PATCH"; url: string; qs?: Record<string, string | number>; body?: unknown },
    schema: z.ZodType<T>,
  ): Promise<AccountResult<T>> {
    let body: unknown;
    try {
      [, body] = await client.request({ method: request.method, url: request.url, qs: request.qs, body: request.body });
    } catch (error) {
      return { ok: false, failure: failureOf(error) };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { ok: false, failure: { kind: "unexpected", status: 200, detail: `SendGrid answered ${request.method} ${request.url} with an unexpected body` } };
    return { ok: true, value: parsed.data };
  }

  return {
    async scopes() {
      const result = await call({ method: "GET", url: "/v3/scopes" }, ScopesBody);
      return result.ok ? { ok: true, value: result.value.scopes } : result;
    },

    async verifiedSenders() {
      const senders: VerifiedSender[] = [];
      let lastSeenId: string | number | null = null;
      for (let page = 0; page < MAX_SENDER_PAGES; page += 1) {
        const qs: Record<string, string | number> = { limit: SENDERS_PAGE, ...(lastSeenId === null ? {} : { lastSeenID: lastSeenId }) };
        const result = await call({ method: "GET", url: "/v3/verified_senders", qs }, SendersBody);
        if (!result.ok) return result;
        for (const sender of result.value.results) senders.push({ email: sender.from_email, verified: sender.verified === true });
        const last = result.value.results.at(-1);
        if (!last || result.value.results.length < SENDERS_PAGE) break;
        lastSeenId = last.id;
      }
      return { ok: true, value: senders };
    },

    async authenticatedDomains() {
      const result = await call({ method: "GET", url: "/v3/whitelabel/domains" }, DomainsBody);
      return result.ok ? { ok: true, value: result.value.map((domain) => ({ domain: domain.domain, valid: domain.valid === true })) } : result;
    },

    async setUpSignedEventWebhook(url) {
      const settings = { enabled: true, url, friendly_name: "Nudgeflow", ...EVENT_WEBHOOK_EVENTS };
      // One webhook per URL: update ours when the account has it already (a second save, a re-connect).
      const all = await call({ method: "GET", url: "/v3/user/webhooks/event/settings/all" }, WebhooksBody);
      if (!all.ok) return all;
      let id = (all.value.webhooks ?? []).find((webhook) => webhook.url === url)?.id ?? null;
      if (id) {
        const updated = await call({ method: "PATCH", url: `/v3/user/webhooks/event/settings/${encodeURIComponent(id)}`, body: settings }, WebhookBody);
        if (!updated.ok) return updated;
      } else {
        const created = await call({ method: "POST", url: "/v3/user/webhooks/event/settings", body: settings }, WebhookBody);
        if (!created.ok) return created;
        id = created.value.id ?? null;
      }
      // Signing is its own call (it cannot be asked for at creation); the answer carries the verification key.
      const signedPath = id ? `/v3/user/webhooks/event/settings/signed/${encodeURIComponent(id)}` : "/v3/user/webhooks/event/settings/signed";
      const signed = await call({ method: "PATCH", url: signedPath, body: { enabled: true } }, SignedBody);
      if (!signed.ok) return signed;
      if (!signed.value.public_key) return { ok: false, failure: { kind: "unexpected", status: 200, detail: "SendGrid turned signing on but gave no public key" } };
      return { ok: true, value: { id: signed.value.id || id, publicKey: signed.value.public_key } };
    },
  };
}
