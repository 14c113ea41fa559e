// The account side of the SendGrid emulator: merchants' own SendGrid accounts, each known by its API keys, with
// the scopes of each key, single senders, authenticated domains and Event Webhooks, over SendGrid's v3 shapes:
//   GET   /v3/scopes                                  → {scopes: [...]}                   (any valid key)
//   GET   /v3/verified_senders?limit&lastSeenID       → {results: [{id, from_email, verified, …}]}
//   GET   /v3/whitelabel/domains                      → [{id, domain, subdomain, valid, …}]   (whitelabel.read)
//   GET   /v3/user/webhooks/event/settings/all        → {max_allowed, webhooks: [...]}       (…settings.read)
//   POST  /v3/user/webhooks/event/settings            → 201 {id, url, enabled, …}           (…settings.create)
//   PATCH /v3/user/webhooks/event/settings/{id}       → 200 the webhook                     (…settings.update)
//   PATCH /v3/user/webhooks/event/settings/signed/{id} {enabled} → {id, public_key}         (…settings.update)
// An unknown key gets 401 and a missing scope 403, with SendGrid's `{"errors":[{field, message}]}`. Each account
// has its own ECDSA P-256 key pair: `public_key` is its public half (base64 DER), and postSignedEvents signs with
// the private half, so a signed post verifies only against the key of the account that sent it.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { header, isRecord, parseJson, readBody, sendJson } from "../http";

/** What a Full Access key has, as far as the app asks. */
export const FULL_ACCESS_SCOPES = [
  "mail.send",
  "whitelabel.read",
  "user.webhooks.event.settings.create",
  "user.webhooks.event.settings.read",
  "user.webhooks.event.settings.update",
];

export interface AccountSender {
  email: string;
  verified: boolean;
}

export interface AccountDomain {
  domain: string;
  valid: boolean;
}

export interface AccountWebhook {
  id: string;
  url: string;
  enabled: boolean;
  signed: boolean;
  settings: Record<string, unknown>;
}

export interface AccountRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
}

export interface EmulatedAccount {
  readonly name: string;
  /** key → its scopes; add keys with addKey. */
  readonly keys: Map<string, string[]>;
  readonly senders: AccountSender[];
  readonly domains: AccountDomain[];
  readonly webhooks: AccountWebhook[];
  /** The account's Event Webhook verification key, base64 DER (what the signed endpoint answers). */
  readonly publicKey: string;
  addKey(apiKey: string, scopes?: string[]): void;
  /** POSTs `events` to `url` signed with this account's key (or, with `forge`, another one). */
  postSignedEvents(url: string, events: unknown[], options?: { forge?: boolean; timestamp?: number }): Promise<Response>;
}

export interface SendGridAccounts {
  /**
   * A merchant's own account: `apiKey` with `scopes` (default FULL_ACCESS_SCOPES), its single senders and its
   * authenticated domains (valid = DNS verified).
   */
  register(options: { name?: string; apiKey: string; scopes?: string[]; senders?: AccountSender[]; domains?: AccountDomain[] }): EmulatedAccount;
  /** The account and scopes of an `Authorization` header's key; undefined when no account has it. */
  lookup(authorization: string | undefined): { account: EmulatedAccount; scopes: string[] } | undefined;
  /** Every account API request, in order. */
  requests: AccountRequest[];
  /** Answers the request when it is an account endpoint; false when it is not one (the caller answers). */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** The next `times` account requests fail with no answer at all (the connection is dropped). */
  dropNext(times?: number): void;
}

const WEBHOOK_FLAGS = ["processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spam_report", "unsubscribe", "group_unsubscribe", "group_resubscribe"];

function errors(message: string, field: string | null = null) {
  return { errors: [{ field, message }] };
}

export function createSendGridAccounts(): SendGridAccounts {
  const accounts: EmulatedAccount[] = [];
  const requests: AccountRequest[] = [];
  let drops = 0;
  let nextSenderId = 1;
  const senderIds = new WeakMap<AccountSender, number>();
  const senderId = (sender: AccountSender) => {
    if (!senderIds.has(sender)) senderIds.set(sender, nextSenderId++);
    return senderIds.get(sender) ?? 0;
  };

  function lookup(authorization: string | undefined) {
    const key = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!key) return undefined;
    for (const account of accounts) {
      const scopes = account.keys.get(key);
      if (scopes) return { account, scopes };
    }
    return undefined;
  }

  function webhookJson(webhook: AccountWebhook, account: EmulatedAccount) {
    return { id: webhook.id, url: webhook.url, enabled: webhook.enabled, ...webhook.settings, ...(webhook.signed ? { public_key: account.publicKey } : {}) };
  }

  function webhookSettings(body: Record<string, unknown>): Record<string, unknown> {
    const settings: Record<string, unknown> = {};
    for (const flag of [...WEBHOOK_FLAGS, "friendly_name"]) if (flag in body) settings[flag] = body[flag];
    return settings;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? "/", "http://emulator");
    const path = url.pathname;
    const method = request.method ?? "GET";
    const isAccountPath = path === "/v3/scopes" || path === "/v3/verified_senders" || path === "/v3/whitelabel/domains" || path.startsWith("/v3/user/webhooks/event/settings");
    if (!isAccountPath) return false;
    const authorization = header(request, "authorization");
    const answer = (status: number, body: unknown) => {
      requests.push({ method, path, authorization, status });
      sendJson(response, status, body);
      return true;
    };
    if (drops > 0) {
      drops -= 1;
      requests.push({ method, path, authorization, status: 0 });
      request.socket.destroy();
      return true;
    }
    const text = await readBody(request);
    const found = lookup(authorization);
    if (!found) return answer(401, errors(authorization ? "The provided authorization grant is invalid, expired, or revoked" : "authorization required"));
    const { account, scopes } = found;
    const requireScope = (scope: string) => (scopes.includes(scope) ? null : answer(403, errors("access forbidden")));

    if (method === "GET" && path === "/v3/scopes") return answer(200, { scopes });

    if (method === "GET" && path === "/v3/verified_senders") {
      const limit = Number(url.searchParams.get("limit") ?? 100) || 100;
      const after = Number(url.searchParams.get("lastSeenID") ?? 0);
      const results = account.senders
        .map((sender) => ({ id: senderId(sender), nickname: sender.email, from_email: sender.email, from_name: "", reply_to: sender.email, verified: sender.verified, locked: false }))
        .filter((sender) => sender.id > after)
        .slice(0, limit);
      return answer(200, { results });
    }

    if (method === "GET" && path === "/v3/whitelabel/domains") {
      const denied = requireScope("whitelabel.read");
      if (denied) return denied;
      return answer(
        200,
        account.domains.map((domain, i) => ({ id: i + 1, user_id: 1, subdomain: "em1234", domain: domain.domain, username: account.name, ips: [], custom_spf: false, default: i === 0, legacy: false, automatic_security: true, valid: domain.valid })),
      );
    }

    if (method === "GET" && path === "/v3/user/webhooks/event/settings/all") {
      const denied = requireScope("user.webhooks.event.settings.read");
      if (denied) return denied;
      return answer(200, { max_allowed: 5, webhooks: account.webhooks.map((webhook) => webhookJson(webhook, account)) });
    }

    const body = parseJson(text);
    if (method === "POST" && path === "/v3/user/webhooks/event/settings") {
      const denied = requireScope("user.webhooks.event.settings.create");
      if (denied) return denied;
      if (!isRecord(body) || typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) return answer(400, errors(`'${isRecord(body) ? String(body.url) : ""}' is not a valid url`));
      const existing = account.webhooks.find((webhook) => webhook.url === body.url);
      if (existing) return answer(400, { errors: [{ id: existing.id, message: `Webhook at '${existing.url}' already exists. Please provide a unique URL.`, url: existing.url }] });
      const webhook: AccountWebhook = { id: randomUUID(), url: body.url, enabled: body.enabled === true, signed: false, settings: webhookSettings(body) };
      account.webhooks.push(webhook);
      return answer(201, webhookJson(webhook, account));
    }

    const signed = /^\/v3\/user\/webhooks\/event\/settings\/signed\/([^/]+)$/.exec(path);
    if (method === "PATCH" && signed) {
      const denied = requireScope("user.webhooks.event.settings.update");
      if (denied) return denied;
      const webhook = account.webhooks.find((candidate) => candidate.id === decodeURIComponent(signed[1]));
      if (!webhook) return answer(404, errors("Invalid id provided."));
      if (!isRecord(body) || typeof body.enabled !== "boolean") return answer(400, errors("enabled is required", "enabled"));
      webhook.signed = body.enabled;
      return answer(200, { id: webhook.id, public_key: webhook.signed ? account.publicKey : "" });
    }

    const single = /^\/v3\/user\/webhooks\/event\/settings\/([^/]+)$/.exec(path);
    if (method === "PATCH" && single) {
      const denied = requireScope("user.webhooks.event.settings.update");
      if (denied) return denied;
      const webhook = account.webhooks.find((candidate) => candidate.id === decodeURIComponent(single[1]));
      if (!webhook) return answer(404, errors("Invalid id provided."));
      if (!isRecord(body)) return answer(400, errors("Bad Request"));
      if (typeof body.url === "string") webhook.url = body.url;
      if (typeof body.enabled === "boolean") webhook.enabled = body.enabled;
      Object.assign(webhook.settings, webhookSettings(body));
      return answer(200, webhookJson(webhook, account));
    }

    return answer(404, errors("not found"));
  }

  return {
    requests,
    lookup,
    handle,
    dropNext(times = 1) {
      drops += times;
    },
    register(options) {
      const keyPair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      const account: EmulatedAccount = {
        name: options.name ?? `account-${accounts.length + 1}`,
        keys: new Map([[options.apiKey, options.scopes ?? FULL_ACCESS_SCOPES]]),
        senders: [...(options.senders ?? [])],
        domains: [...(options.domains ?? [])],
        webhooks: [],
        publicKey: keyPair.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
        addKey(apiKey, scopes = FULL_ACCESS_SCOPES) {
          account.keys.set(apiKey, scopes);
        },
        postSignedEvents: (url, events, postOptions = {}) => postSigned(url, events, postOptions.forge ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey : keyPair.privateKey, postOptions.timestamp),
      };
      accounts.push(account);
      return account;
    },
  };
}

/** A batch signed the way SendGrid signs: ECDSA P-256 / SHA-256 over `timestamp + body`, base64 DER. */
async function postSigned(url: string, events: unknown[], key: KeyObject, at?: number): Promise<Response> {
  const body = JSON.stringify(events);
  const timestamp = String(at ?? Math.floor(Date.now() / 1000));
  const signature = sign("sha256", Buffer.from(timestamp + body, "utf8"), key).toString("base64");
  return fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "SendGrid Event API",
      "X-Twilio-Email-Event-Webhook-Signature": signature,
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    },
    body,
  });
}
