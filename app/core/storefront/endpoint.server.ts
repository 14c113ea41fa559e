// The public storefront endpoints, called straight from shoppers' browsers with a store's publishable key:
//   POST /storefront/v1/capture?key=pk_…  the generic snippet's cart and email capture (any platform)
//   POST /storefront/v1/pixel?key=pk_…    the Shopify web pixel's checkout and cart events
// Each request: the key names the store (401 unknown or uninstalled); the browser's Origin must be one of the store's
// origins for the snippet (403; the pixel runs in Shopify's sandbox, whose origin is Shopify's, so it is not checked);
// a rate limit per store and per client (429 + Retry-After); a bounded body (413); zod naming each wrong field (400);
// declined consent stores nothing; then the inbox (source "storefront") and 200. The worker maps the row later
// (to-canonical.ts), like a webhook. Framework-free: routes hand in what they read from the request.
// docs/decisions/0032-storefront-keys-and-web-pixel.md
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Clock } from "~/core/clock";
import { clientAddress, createCaptureRateLimits } from "~/core/ingest/storefront.server";
import { storeDelivery, type ReceiveDeps } from "~/core/ingest/receive.server";
import { CAPTURE_MAX_BYTES, captureIsRefused, StorefrontCaptureBody } from "./capture";
import { isStorefrontKeyShaped, storefrontOriginsOf } from "./keys.server";
import { PIXEL_EVENT_MAX_BYTES, PixelEventBody, pixelEventIsUseful, type PixelDelivery } from "./pixel";
import { STOREFRONT_CAPTURE_TOPIC, STOREFRONT_PIXEL_TOPIC, STOREFRONT_SOURCE, type StorefrontCaptureDelivery } from "./to-canonical";

/** What a route read from the request; the body is read only once the cheap checks have passed. */
export interface StorefrontRequest {
  method: string;
  /** The `key` query parameter. */
  key: string | null;
  /** The Origin header (browsers send it on every cross-origin POST and preflight). */
  origin: string | null;
  /** The X-Forwarded-For header: the shopper's address as our proxy saw it. */
  forwardedFor: string | null;
  /** The body as text, or null once it passes `maxBytes`. */
  readBody(maxBytes: number): Promise<string | null>;
}

export interface StorefrontReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** A zod error as `{ "items.0.price": ["…"] }`: each wrong field named, "(body)" for the body as a whole. */
function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join(".") : "(body)";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

type Endpoint = "capture" | "pixel";

export function createStorefrontEndpoints(deps: { clock: Clock; limits?: Parameters<typeof createCaptureRateLimits>[0]["limits"] }) {
  const limits = { capture: createCaptureRateLimits(deps), pixel: createCaptureRateLimits(deps) };

  /** The store a key names, if it is installed; the key's shape is checked first so junk never reaches the database. */
  async function storeForKey(receive: ReceiveDeps, key: string | null) {
    if (!key || !isStorefrontKeyShaped(key)) return null;
    const store = await receive.db.store.findUnique({
      where: { storefrontKey: key },
      select: { id: true, workspaceId: true, platform: true, domain: true, status: true, storefrontOrigins: true },
    });
    return store && store.status === "active" ? store : null;
  }

  function corsHeaders(endpoint: Endpoint, origin: string | null): Record<string, string> {
    // The pixel's sandbox origin is Shopify's: any origin may read the (empty) answer. The snippet's origin was
    // checked against the store's list before any reply that carries this header.
    if (endpoint === "pixel") return { "Access-Control-Allow-Origin": "*" };
    return origin ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : { Vary: "Origin" };
  }

  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): StorefrontReply => ({ status, body, headers });

  /** Everything before the body: method, key, origin, rate. A reply here means "stop". */
  async function admit(endpoint: Endpoint, receive: ReceiveDeps, request: StorefrontRequest) {
    // Before the origin is known to be allowed, the snippet's refusals carry no Allow-Origin (the page cannot read them).
    const unverified = corsHeaders(endpoint, null);
    const store = await storeForKey(receive, request.key);
    if (!store) return { ok: false, reply: reply(401, { ok: false, error: "Unknown or inactive storefront key" }, unverified) } as const;
    if (endpoint === "capture") {
      const allowed = storefrontOriginsOf(store);
      if (!request.origin || !allowed.includes(request.origin)) {
        return { ok: false, reply: reply(403, { ok: false, error: `Origin ${request.origin ?? "(none)"} is not one of this store's storefront origins` }, unverified) } as const;
      }
    } else if (store.platform !== "shopify") {
      return { ok: false, reply: reply(403, { ok: false, error: "The web pixel reports for Shopify stores only" }, unverified) } as const;
    }
    const cors = corsHeaders(endpoint, request.origin);
    if (request.method === "OPTIONS") {
      return {
        ok: false,
        reply: reply(204, null, {
          ...cors,
          "Access-Control-Allow-Methods": "POST, OPTIONS",
          "Access-Control-Allow-Headers": "Content-Type",
          "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
        }),
      } as const;
    }
    if (request.method !== "POST") return { ok: false, reply: reply(405, { ok: false, error: "Method not allowed" }, { ...cors, Allow: "POST, OPTIONS" }) } as const;
    const limit = limits[endpoint].take({ shop: store.id, client: clientAddress(request.forwardedFor) });
    if (!limit.allowed) return { ok: false, reply: reply(429, { ok: false, error: "Too many requests" }, { ...cors, "Retry-After": String(limit.retryAfterSeconds) }) } as const;
    return { ok: true, store, cors } as const;
  }

  /** The bounded body, parsed as JSON and then by `schema`; a reply when any of it fails. */
  async function readBody<T extends z.ZodType>(request: StorefrontRequest, maxBytes: number, schema: T, cors: Record<string, string>) {
    const rawBody = await request.readBody(maxBytes);
    if (rawBody === null) return { ok: false, reply: reply(413, { ok: false, error: `Body larger than ${maxBytes} bytes` }, cors) } as const;
    const json = parseJson(rawBody);
    if (!json.ok) return { ok: false, reply: reply(400, { ok: false, errors: { "(body)": ["must be JSON"] } }, cors) } as const;
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) return { ok: false, reply: reply(400, { ok: false, errors: fieldErrors(parsed.error) }, cors) } as const;
    return { ok: true, rawBody, data: parsed.data } as const;
  }

  /** The generic snippet's capture: a cart (and the email typed) for the key's store. */
  async function capture(receive: ReceiveDeps, request: StorefrontRequest): Promise<StorefrontReply> {
    const admitted = await admit("capture", receive, request);
    if (!admitted.ok) return admitted.reply;
    const { store, cors } = admitted;
    const body = await readBody(request, CAPTURE_MAX_BYTES, StorefrontCaptureBody, cors);
    if (!body.ok) return body.reply;
    if (captureIsRefused(body.data)) return reply(200, { ok: true }, cors); // declined: answered alike, nothing kept

    const now = receive.clock.now();
    const delivery: StorefrontCaptureDelivery = { capturedAt: now.toISOString(), capture: body.data };
    await storeDelivery(receive, {
      source: STOREFRONT_SOURCE,
      workspaceId: store.workspaceId,
      storeId: store.id,
      topic: STOREFRONT_CAPTURE_TOPIC,
      // Every request is its own delivery: the snippet posts only when the cart or email changed, and a repeat is
      // harmless (the same cart state again). Deduping by content would drop a cart that went back to an earlier
      // state (A, B, A); deduping by time window made the outcome depend on where a minute boundary fell.
      dedupeKey: `capture:${store.id}:${randomUUID()}`,
      eventId: null,
      rawBody: JSON.stringify(delivery),
      headers: { origin: request.origin ?? "" },
    });
    return reply(200, { ok: true }, cors);
  }

  /** One web pixel event for the key's (Shopify) store, stored once per Shopify event id. */
  async function pixel(receive: ReceiveDeps, request: StorefrontRequest): Promise<StorefrontReply> {
    const admitted = await admit("pixel", receive, request);
    if (!admitted.ok) return admitted.reply;
    const { store, cors } = admitted;
    const body = await readBody(request, PIXEL_EVENT_MAX_BYTES, PixelEventBody, cors);
    if (!body.ok) return body.reply;
    const event = body.data;
    if (captureIsRefused(event) || !pixelEventIsUseful(event)) return reply(200, { ok: true }, cors);

    const delivery: PixelDelivery = { event };
    await storeDelivery(receive, {
      source: STOREFRONT_SOURCE,
      workspaceId: store.workspaceId,
      storeId: store.id,
      topic: STOREFRONT_PIXEL_TOPIC,
      dedupeKey: `pixel:${store.id}:${event.id}`,
      eventId: event.id,
      rawBody: JSON.stringify(delivery),
      headers: { origin: request.origin ?? "", event: event.name },
    });
    return reply(200, { ok: true }, cors);
  }

  return { capture, pixel };
}
export type StorefrontEndpoints = ReturnType<typeof createStorefrontEndpoints>;

/** The parts of a web Request the endpoints read; `readBody` is the route's bounded reader. */
export function storefrontRequestOf(request: Request, readBody: (maxBytes: number) => Promise<string | null>): StorefrontRequest {
  return {
    method: request.method.toUpperCase(),
    key: new URL(request.url).searchParams.get("key"),
    origin: request.headers.get("origin"),
    forwardedFor: request.headers.get("x-forwarded-for"),
    readBody,
  };
}

/** A reply as a web Response: JSON, never cached, no cookies. */
export function storefrontResponse(reply: StorefrontReply): Response {
  const headers = { "Cache-Control": "no-store", ...reply.headers };
  if (reply.body === null) return new Response(null, { status: reply.status, headers });
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } });
}
