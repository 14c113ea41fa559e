// Outbound webhooks of flows: a JSON body POSTed over https to a public address, signed with the workspace's
// webhook secret. The host is resolved once, every address checked (webhook-address.server.ts), and the
// connection made to the checked address (the TLS name stays the URL's host), so a DNS answer that changes
// between the check and the connection (rebinding) cannot send us inside. Redirects are not followed.
import { createHmac, randomBytes } from "node:crypto";
import { request as httpsRequest } from "node:https";
import type { SecretBox } from "~/core/crypto.server";
import type { Db } from "~/db.server";
import { checkWebhookHost, type Resolve } from "./webhook-address.server";

export const SIGNATURE_HEADER = "X-Nudgeflow-Signature";
export const DELIVERY_HEADER = "X-Nudgeflow-Delivery";
const DEFAULT_TIMEOUT_MS = 10_000;
/** Enough of the answer to show in the trace. */
const MAX_ANSWER_CHARS = 500;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as the receiver recomputes it. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** What the network side of deliveries may be told by the process (tests: their CA, their loopback server). */
export interface WebhookTransport {
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: string | string[];
  /** Exact addresses let through the private-address check (a test's loopback server). */
  allowAddresses?: readonly string[];
  /** Name resolution (default: the system resolver). */
  resolve?: Resolve;
  timeoutMs?: number;
}

export type DeliveryOutcome =
  | { ok: true; status: number; answer: string }
  | { ok: false; retryable: boolean; error: string; status?: number; retryAfterMs?: number };

function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** POSTs `body` to `url` as described above; never throws. */
export async function deliverWebhook(
  input: { url: string; body: string; secret: string; deliveryId: string; now: Date },
  transport: WebhookTransport = {},
): Promise<DeliveryOutcome> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { ok: false, retryable: false, error: `not a URL: ${input.url}` };
  }
  if (url.protocol !== "https:") return { ok: false, retryable: false, error: "refused: webhooks go over https only" };
  const check = await checkWebhookHost(url.hostname, { resolve: transport.resolve, allow: transport.allowAddresses });
  // A name that does not resolve may be a passing DNS failure; a refused address is final.
  if (!check.ok) return { ok: false, retryable: check.error.startsWith("could not resolve"), error: check.error };
  const pinned = check.address;
  const unix = Math.floor(input.now.getTime() / 1000);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise<DeliveryOutcome>((resolve) => {
    const request = httpsRequest(
      {
        protocol: "https:",
        hostname: host,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        // Connect to the address we checked, whatever the resolver would say now.
        lookup: (_hostname, options, callback) => {
          if (typeof options === "object" && options !== null && "all" in options && options.all) {
            (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [pinned]);
          } else {
            callback(null, pinned.address, pinned.family);
          }
        },
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        ca: transport.ca ? [...(Array.isArray(transport.ca) ? transport.ca : [transport.ca])] : undefined,
        agent: false,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(input.body),
          "User-Agent": "Nudgeflow-Webhooks/1",
          [SIGNATURE_HEADER]: signWebhook(input.secret, input.body, unix),
          [DELIVERY_HEADER]: input.deliveryId,
        },
        timeout: transport.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      },
      (response) => {
        let answer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (answer.length < MAX_ANSWER_CHARS) answer += chunk;
        });
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          answer = answer.slice(0, MAX_ANSWER_CHARS);
          if (status >= 200 && status < 300) return resolve({ ok: true, status, answer });
          const retryable = status === 429 || status >= 500;
          resolve({
            ok: false,
            retryable,
            status,
            error: `${url.host} answered ${status}${answer ? `: ${answer.slice(0, 200)}` : ""}`,
            retryAfterMs: retryable ? retryAfterMs(response.headers["retry-after"], input.now.getTime()) : undefined,
          });
        });
        response.on("error", (error) => resolve({ ok: false, retryable: true, error: `reading the answer failed: ${error.message}` }));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${(transport.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`)));
    request.on("error", (error) => {
      const code = "code" in error ? String((error as NodeJS.ErrnoException).code) : "";
      // A certificate that does not verify will not verify on a retry either.
      const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code);
      resolve({ ok: false, retryable: !tls, error: `${tls ? "TLS" : "network"} error reaching ${url.host}: ${error.message}` });
    });
    request.end(input.body);
  });
}

/** The workspace's webhook signing secret: created on first use, kept sealed in `Workspace.settings.webhookSecret`. */
export async function workspaceWebhookSecret(db: Db, input: { workspaceId: string; secretBox: SecretBox }): Promise<string> {
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { settings: true } });
    const settings = typeof workspace.settings === "object" && workspace.settings !== null && !Array.isArray(workspace.settings) ? { ...workspace.settings } : {};
    const sealed = (settings as Record<string, unknown>).webhookSecret;
    if (typeof sealed === "string") return input.secretBox.open(sealed);
    const secret = `whsec_${randomBytes(32).toString("hex")}`;
    await tx.workspace.update({ where: { id: input.workspaceId }, data: { settings: { ...settings, webhookSecret: input.secretBox.seal(secret) } } });
    return secret;
  });
}
