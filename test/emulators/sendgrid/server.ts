// A real HTTP server speaking SendGrid's v3 Mail Send API: Bearer auth, the request validation SendGrid applies
// (answered with its `{"errors":[{message, field, help}]}` shape: ≤ 1000 personalizations and recipients,
// substitutions ≤ 10,000 bytes per personalization, no reserved headers, the required fields), 202 +
// X-Message-Id on success, and injected failures (429 with X-RateLimit-*, 5xx) for retry tests. @sendgrid/mail
// sends the snake_case JSON typed below (@sendgrid/helpers/classes/mail.js toJSON).
// What each recipient received is kept as SendGrid would make it: a personalization's `substitutions` replaced in
// the subject, HTML and text (computed when asked, so 100,000 recipients cost nothing until read).
// It also plays SendGrid's signed Event Webhook: it has its own ECDSA P-256 key pair (the public half, base64 DER,
// is what the app's SENDGRID_WEBHOOK_PUBLIC_KEY takes) and posts event batches signed the way SendGrid signs them.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { header, isRecord, listen, parseJson, readBody, sendJson } from "../http";
import { createSendGridAccounts, type SendGridAccounts } from "./account";

const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
const MAX_PERSONALIZATIONS = 1000;
const MAX_RECIPIENTS = 1000;
const MAX_SUBSTITUTION_BYTES = 10_000;
/** Headers SendGrid sets itself and refuses in `headers` (compared case-insensitively). */
const RESERVED_HEADERS = ["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"];

export interface SendGridAddress {
  email: string;
  name?: string;
}

export interface SendGridContent {
  type: string;
  value: string;
}

export interface SendGridPersonalization {
  to: SendGridAddress[];
  cc?: SendGridAddress[];
  bcc?: SendGridAddress[];
  subject?: string;
  custom_args?: Record<string, string>;
  headers?: Record<string, string>;
  substitutions?: Record<string, string>;
  [field: string]: unknown;
}

/** The fields of a v3 mail/send body the emulator validates, typed; other fields pass through unchecked. */
export interface SendGridMail {
  personalizations: SendGridPersonalization[];
  from: SendGridAddress;
  reply_to?: SendGridAddress;
  subject?: string;
  content?: SendGridContent[];
  template_id?: string;
  custom_args?: Record<string, string>;
  categories?: string[];
  headers?: Record<string, string>;
  [field: string]: unknown;
}

export interface SendGridMessage {
  /** The X-Message-Id answered; SendGrid's event webhook reports it as the prefix of `sg_message_id`. */
  id: string;
  receivedAt: Date;
  body: SendGridMail;
  headers: Record<string, string>;
}

export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

export interface SendGridRequestLog {
  status: number;
  messageId: string | undefined;
  /** When it arrived, by the emulator's clock. */
  at: Date;
  /** The body of a request answered with an injected failure (parsed when JSON): who was refused. */
  body?: unknown;
  /** For an injected 429: the X-RateLimit-Reset it answered (epoch seconds). */
  rateLimitReset?: number;
}

/** One recipient of an accepted request, as SendGrid would deliver to it. */
export interface SendGridDelivery {
  /** The accepted request it came in. */
  message: SendGridMessage;
  /** Its personalization's index in that request. */
  personalization: number;
  to: string;
  /** The request's custom args with its personalization's over them. */
  customArgs: Record<string, string>;
  /** The request's headers with its personalization's over them. */
  headers: Record<string, string>;
  /** With its substitutions applied. */
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface FailureOptions {
  /** A 429's Retry-After (seconds); X-RateLimit-Reset then says the same. Default 1 when nothing is given. */
  retryAfterSeconds?: number;
  /** A 429 as SendGrid sends it: no Retry-After, X-RateLimit-Reset this many seconds after the emulator's now. */
  resetAfterSeconds?: number;
}

/** One Event Webhook event as SendGrid posts it (custom args appear as top-level fields). */
export type SendGridWebhookEvent = Record<string, unknown> & { event: string; email: string; timestamp: number; sg_event_id: string };

export interface SendGridEmulator {
  /** Merchants' own SendGrid accounts (account.ts): keys with scopes, senders, domains, Event Webhooks; their keys send too. */
  accounts: SendGridAccounts;
  url: string;
  /** The Event Webhook verification key, base64 DER (SubjectPublicKeyInfo), as SendGrid shows it. */
  webhookPublicKey: string;
  /**
   * An event about an accepted message (its first recipient) or about one recipient of it (a delivery), as
   * SendGrid would report it: the recipient, the custom args,
   * `sg_message_id` prefixed with its X-Message-Id, a fresh `sg_event_id` (pass one to repeat an event).
   */
  eventFor(message: SendGridMessage | SendGridDelivery, event: string, fields?: Record<string, unknown>): SendGridWebhookEvent;
  /**
   * POSTs a batch to `${appUrl}/webhooks/sendgrid` signed like SendGrid: ECDSA P-256 / SHA-256 over
   * `timestamp + body`, base64 DER in X-Twilio-Email-Event-Webhook-Signature. `forge` signs with another key.
   */
  postSignedEvents(appUrl: string, events: unknown[], options?: { forge?: boolean; timestamp?: number }): Promise<Response>;
  /** Accepted (202) requests, in order. */
  messages: SendGridMessage[];
  /** Every recipient of the accepted requests, in order, as SendGrid would deliver to each. */
  deliveries(): SendGridDelivery[];
  /** What the recipient of our message `messageId` (custom arg `nudgeflow_message_id`) received; undefined if none. */
  deliveryOf(messageId: string): SendGridDelivery | undefined;
  /** Every request to mail/send with the status it got, failures included. */
  requests: SendGridRequestLog[];
  /**
   * The next `times` requests answer `status`. A 429 carries X-RateLimit-Limit/Remaining/Reset (and Retry-After
   * unless `resetAfterSeconds` is given: SendGrid's own 429s carry only X-RateLimit-*).
   */
  failNext(status: number, times?: number, options?: FailureOptions): void;
  /**
   * The request that arrives when `requests` holds `index` entries answers `status` (a failure at a set point of a
   * run whatever the requests before it: bench/send.ts).
   */
  failAt(index: number, status: number, options?: FailureOptions): void;
  close(): Promise<void>;
}

/** The custom arg carrying our message id (app/core/messaging/message-id.ts). */
const MESSAGE_ID_ARG = "nudgeflow_message_id";

export async function startSendGridEmulator(options: { apiKey: string; clock?: { now(): Date } }): Promise<SendGridEmulator> {
  const now = () => options.clock?.now() ?? new Date();
  const messages: SendGridMessage[] = [];
  const requests: SendGridRequestLog[] = [];
  const failures: ({ status: number; remaining: number } & FailureOptions)[] = [];
  const failuresAt = new Map<number, { status: number; remaining: number } & FailureOptions>();
  const webhookKeys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const accounts = createSendGridAccounts();

  function reply(response: ServerResponse, status: number, errors: SendGridError[], headers: Record<string, string> = {}, log: Partial<SendGridRequestLog> = {}) {
    requests.push({ status, messageId: undefined, at: now(), ...log });
    sendJson(response, status, { errors }, headers);
  }

  async function handleSend(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);

    const at = failuresAt.get(requests.length);
    if (at) failuresAt.delete(requests.length);
    const failure = at ?? failures[0];
    if (failure) {
      if (!at && --failure.remaining <= 0) failures.shift();
      const headers = failureHeaders(failure, now());
      const reset = headers["X-RateLimit-Reset"];
      return reply(response, failure.status, [plainError(failureMessage(failure.status))], headers, {
        body: parseJson(text) ?? text,
        ...(reset ? { rateLimitReset: Number(reset) } : {}),
      });
    }

    const authorization = header(request, "authorization");
    if (!authorization) return reply(response, 401, [plainError("authorization required")]);
    if (authorization !== `Bearer ${options.apiKey}` && !accounts.lookup(authorization)?.scopes.includes("mail.send")) {
      return reply(response, 401, [plainError("The provided authorization grant is invalid, expired, or revoked")]);
    }

    const json = parseJson(text);
    if (!isRecord(json)) return reply(response, 400, [plainError("Bad Request")]);
    const result = validateMail(json);
    if (!result.ok) return reply(response, 400, result.errors);

    const messageId = randomBytes(16).toString("base64url");
    const receivedAt = now();
    requests.push({ status: result.sandbox ? 200 : 202, messageId, at: receivedAt });
    if (!result.sandbox) {
      messages.push({ id: messageId, receivedAt, body: result.mail, headers: flatHeaders(request) });
    }
    // Sandbox mode validates without sending: SendGrid answers 200 instead of 202.
    response.writeHead(result.sandbox ? 200 : 202, { "X-Message-Id": messageId, "Content-Length": 0 });
    response.end();
  }

  const server = await listen(async (request, response) => {
    if (await accounts.handle(request, response)) return;
    const path = new URL(request.url ?? "/", "http://emulator").pathname;
    if (request.method === "POST" && path === "/v3/mail/send") return handleSend(request, response);
    sendJson(response, 404, { errors: [plainError("not found")] });
  });

  const deliveries = () => messages.flatMap((message) => message.body.personalizations.map((_p, index) => deliveryIn(message, index)));

  return {
    url: server.url,
    messages,
    requests,
    deliveries,
    deliveryOf(messageId) {
      return deliveries().find((delivery) => delivery.customArgs[MESSAGE_ID_ARG] === messageId);
    },
    failNext(status, times = 1, failOptions = {}) {
      failures.push({ status, remaining: times, ...failOptions });
    },
    failAt(index, status, failOptions = {}) {
      failuresAt.set(index, { status, remaining: 1, ...failOptions });
    },
    webhookPublicKey: webhookKeys.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    eventFor(target, event, fields = {}) {
      const delivery = "personalization" in target ? target : deliveryIn(target, 0);
      const message = delivery.message;
      return {
        email: delivery.to,
        timestamp: Math.floor(Date.now() / 1000),
        "smtp-id": `<${message.id}@emulator.sendgrid.net>`,
        event,
        sg_event_id: randomBytes(16).toString("base64url"),
        sg_message_id: `${message.id}.emulator-${randomBytes(4).toString("hex")}`,
        ...delivery.customArgs,
        ...fields,
      };
    },
    async postSignedEvents(appUrl, events, postOptions = {}) {
      const body = JSON.stringify(events);
      const timestamp = String(postOptions.timestamp ?? Math.floor(Date.now() / 1000));
      const key: KeyObject = postOptions.forge ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey : webhookKeys.privateKey;
      const signature = sign("sha256", Buffer.from(timestamp + body, "utf8"), key).toString("base64");
      return fetch(`${appUrl.replace(/\/+$/, "")}/webhooks/sendgrid`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "SendGrid Event API",
          "X-Twilio-Email-Event-Webhook-Signature": signature,
          "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
        body,
      });
    },
    accounts,
    close: server.close,
  };
}

type Validation = { ok: true; mail: SendGridMail; sandbox: boolean } | { ok: false; errors: SendGridError[] };

/** SendGrid's checks on a mail/send body; every failing field is reported, like the real API. */
export function validateMail(body: Record<string, unknown>): Validation {
  const errors: SendGridError[] = [];
  const fail = (field: string | null, message: string, anchor: string | null = null) =>
    errors.push({ message, field, help: anchor === null ? null : `${HELP}#${anchor}` });
  const hasTemplate = typeof body.template_id === "string" && body.template_id !== "";

  // personalizations
  const personalizations = Array.isArray(body.personalizations) ? body.personalizations : [];
  if (personalizations.length === 0) {
    fail(
      "personalizations",
      "The personalizations field is required and must have at least one personalization.",
      "-Personalizations-Errors",
    );
  } else if (personalizations.length > MAX_PERSONALIZATIONS) {
    fail(
      "personalizations",
      `The personalization block is limited to ${MAX_PERSONALIZATIONS} personalizations per API request. You have provided ${personalizations.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      "message.personalizations",
    );
  }
  let recipients = 0;
  personalizations.forEach((personalization: unknown, i) => {
    const at = `personalizations.${i}`;
    if (!isRecord(personalization)) return fail(at, "Each personalization must be an object.", "message.personalizations");
    const to = personalization.to;
    if (!Array.isArray(to) || to.length === 0) {
      fail(
        `${at}.to`,
        "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
        "message.personalizations.to",
      );
    }
    const seen = new Map<string, string>();
    for (const kind of ["to", "cc", "bcc"] as const) {
      const list = personalization[kind];
      if (list === undefined || (kind === "to" && (!Array.isArray(list) || list.length === 0))) continue;
      if (!Array.isArray(list)) {
        fail(`${at}.${kind}`, `The ${kind} parameter must be an array of email objects.`, `message.personalizations.${kind}`);
        continue;
      }
      recipients += list.length;
      list.forEach((address: unknown, j) => {
        const email = isRecord(address) ? address.email : undefined;
        if (typeof email !== "string" || !isEmail(email)) {
          return fail(`${at}.${kind}.${j}.email`, "Does not contain a valid address.", `message.personalizations.${kind}`);
        }
        const key = email.toLowerCase();
        if (seen.has(key)) {
          fail(
            at,
            `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${email}] in the ${at}.${kind} field.`,
            "message.personalizations",
          );
        }
        seen.set(key, kind);
      });
    }
    if (personalization.subject !== undefined && typeof personalization.subject !== "string") {
      fail(`${at}.subject`, invalidType("string", personalization.subject), "message.subject");
    }
    checkStringMap(personalization.custom_args, `${at}.custom_args`, "message.custom_args", fail);
    checkStringMap(personalization.headers, `${at}.headers`, "message.headers", fail);
    checkReservedHeaders(personalization.headers, `${at}.headers`, fail);
    if (checkStringMap(personalization.substitutions, `${at}.substitutions`, "message.personalizations.substitutions", fail)) {
      const bytes = substitutionBytes(personalization.substitutions);
      if (bytes > MAX_SUBSTITUTION_BYTES) {
        fail(
          `${at}.substitutions`,
          `The substitutions of a personalization may not exceed ${MAX_SUBSTITUTION_BYTES} bytes; yours take ${bytes}.`,
          "message.personalizations.substitutions",
        );
      }
    }
  });
  if (recipients > MAX_RECIPIENTS) {
    fail("personalizations", `There is a limit of ${MAX_RECIPIENTS} total recipients (to + cc + bcc) per request.`, "message.personalizations");
  }

  // from, reply_to
  const fromEmail = isRecord(body.from) ? body.from.email : undefined;
  if (fromEmail === undefined || fromEmail === "") {
    fail(
      "from.email",
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
      "message.from",
    );
  } else if (typeof fromEmail !== "string" || !isEmail(fromEmail)) {
    fail("from.email", "The from email does not contain a valid address.", "message.from");
  }
  if (body.reply_to !== undefined) {
    const replyTo = isRecord(body.reply_to) ? body.reply_to.email : undefined;
    if (typeof replyTo !== "string" || !isEmail(replyTo)) {
      fail("reply_to.email", "The reply_to email does not contain a valid address.", "message.reply_to");
    }
  }

  // subject: top level, or in every personalization, or from a template
  const subjectOf = (value: unknown) => typeof value === "string" && value !== "";
  const everyPersonalizationHasSubject =
    personalizations.length > 0 && personalizations.every((p: unknown) => isRecord(p) && subjectOf(p.subject));
  if (body.subject !== undefined && typeof body.subject !== "string") {
    fail("subject", invalidType("string", body.subject), "message.subject");
  } else if (!hasTemplate && !subjectOf(body.subject) && !everyPersonalizationHasSubject) {
    fail(
      "subject",
      "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      "message.subject",
    );
  }

  // content: required without a template; text/plain first, then text/html, each at most once
  const content = body.content;
  if (content === undefined || (Array.isArray(content) && content.length === 0)) {
    if (!hasTemplate) {
      fail(
        "content",
        "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
        "message.content",
      );
    }
  } else if (!Array.isArray(content)) {
    fail("content", invalidType("array", content), "message.content");
  } else {
    const types: string[] = [];
    content.forEach((block: unknown, k) => {
      const type = isRecord(block) ? block.type : undefined;
      const value = isRecord(block) ? block.value : undefined;
      if (typeof type !== "string" || type === "") {
        fail(`content.${k}.type`, "The content type must be a string at least one character in length.", "message.content.type");
      } else {
        types.push(type);
      }
      if (typeof value !== "string" || value === "") {
        fail(`content.${k}.value`, "The content value must be a string at least one character in length.", "message.content.value");
      }
    });
    const plain = types.indexOf("text/plain");
    const html = types.indexOf("text/html");
    if (types.filter((t) => t === "text/plain").length > 1 || types.filter((t) => t === "text/html").length > 1) {
      fail("content", "If present, text/plain and text/html may only be provided once.", "message.content");
    } else if (plain > 0 || (html >= 0 && html !== (plain === 0 ? 1 : 0))) {
      fail(
        "content",
        "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.",
        null,
      );
    }
  }

  checkStringMap(body.custom_args, "custom_args", "message.custom_args", fail);
  checkStringMap(body.headers, "headers", "message.headers", fail);
  checkReservedHeaders(body.headers, "headers", fail);
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories) || !body.categories.every((c) => typeof c === "string")) {
      fail("categories", "The categories parameter must be an array of strings.", "message.categories");
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  const mailSettings = isRecord(body.mail_settings) ? body.mail_settings : {};
  const sandbox = isRecord(mailSettings.sandbox_mode) && mailSettings.sandbox_mode.enable === true;
  // Every field SendGridMail types was checked above.
  return { ok: true, mail: body as SendGridMail, sandbox };
}

/** True when `value` is a map of strings (checked); errors go through `fail`. */
function checkStringMap(
  value: unknown,
  field: string,
  anchor: string,
  fail: (field: string, message: string, anchor: string) => void,
): value is Record<string, string> {
  if (value === undefined) return false;
  if (!isRecord(value)) {
    fail(field, invalidType("object", value), anchor);
    return false;
  }
  let ok = true;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      fail(`${field}.${key}`, invalidType("string", entry), anchor);
      ok = false;
    }
  }
  return ok;
}

function checkReservedHeaders(value: unknown, field: string, fail: (field: string, message: string, anchor: string) => void): void {
  if (!isRecord(value)) return;
  for (const name of Object.keys(value)) {
    if (RESERVED_HEADERS.includes(name.toLowerCase())) {
      fail(`${field}.${name}`, `The header '${name}' is reserved and cannot be set in headers: ${RESERVED_HEADERS.join(", ")}.`, "message.headers");
    }
  }
}

function substitutionBytes(substitutions: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(substitutions)) bytes += Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8");
  return bytes;
}

/** Substitutions replace every occurrence of each key, in the subject and every content part, as SendGrid does. */
function substitute(content: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return content;
  let result = content;
  for (const [key, value] of Object.entries(substitutions)) result = result.split(key).join(value);
  return result;
}

/** One personalization of an accepted request as its recipient gets it; the rendering is done when read. */
function deliveryIn(message: SendGridMessage, index: number): SendGridDelivery {
  const personalization = message.body.personalizations[index];
  const substitutions = personalization?.substitutions;
  const part = (type: string) => message.body.content?.find((block) => block.type === type)?.value ?? "";
  return {
    message,
    personalization: index,
    to: personalization?.to[0]?.email ?? "",
    customArgs: { ...message.body.custom_args, ...personalization?.custom_args },
    headers: { ...message.body.headers, ...personalization?.headers },
    get subject() {
      return substitute(personalization?.subject ?? message.body.subject ?? "", substitutions);
    },
    get html() {
      return substitute(part("text/html"), substitutions);
    },
    get text() {
      return substitute(part("text/plain"), substitutions);
    },
  };
}

/** SendGrid's JSON-schema style type error, e.g. `Invalid type. Expected: string, given: integer.` */
function invalidType(expected: string, value: unknown): string {
  const given =
    value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value === "number" ? "number" : typeof value;
  return `Invalid type. Expected: ${expected}, given: ${given}.`;
}

/** A practical address check: one @, no spaces or angle brackets, a dot in the domain. */
function isEmail(value: string): boolean {
  return /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(value);
}

function plainError(message: string): SendGridError {
  return { message, field: null, help: null };
}

function failureMessage(status: number): string {
  if (status === 429) return "too many requests";
  if (status >= 500) return "internal server error";
  return "injected failure";
}

/** A 429's headers, by the emulator's clock (its Date header too: the reset is read against it). */
function failureHeaders(failure: { status: number } & FailureOptions, now: Date): Record<string, string> {
  if (failure.status !== 429) return {};
  const rateLimit = { "X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0", Date: now.toUTCString() };
  if (failure.resetAfterSeconds !== undefined && failure.retryAfterSeconds === undefined) {
    return { ...rateLimit, "X-RateLimit-Reset": String(Math.floor(now.getTime() / 1000) + failure.resetAfterSeconds) };
  }
  const retryAfter = failure.retryAfterSeconds ?? 1;
  return { ...rateLimit, "Retry-After": String(retryAfter), "X-RateLimit-Reset": String(Math.ceil(now.getTime() / 1000) + retryAfter) };
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
