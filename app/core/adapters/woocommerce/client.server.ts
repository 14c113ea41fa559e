// A small client for the WooCommerce REST API (`{site}/wp-json/wc/v3/…`). Authentication follows WooCommerce:
// HTTP Basic with the consumer key and secret over HTTPS; over plain HTTP the keys go in the query string
// (`consumer_key`/`consumer_secret`). Failures become WooCommerceApiError with a kind the caller can act on.
import { z } from "zod";
import { WpRestError } from "./payloads";

export const WooCredentials = z.object({ consumerKey: z.string().min(1), consumerSecret: z.string().min(1) });
export type WooCredentials = z.infer<typeof WooCredentials>;

export interface WooConnection extends WooCredentials {
  /** The site's root URL, e.g. `https://shop.example` (no trailing slash). */
  siteUrl: string;
}

export type WooErrorKind = "unauthorized" | "forbidden" | "not_found" | "not_woocommerce" | "network" | "http";

export class WooCommerceApiError extends Error {
  constructor(
    readonly kind: WooErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "WooCommerceApiError";
  }

  /** Read by the sync (isCredentialsRejected): 401 means the key was revoked or changed. */
  get credentialsRejected(): boolean {
    return this.kind === "unauthorized";
  }
}

export interface WooResponse {
  data: unknown;
  /** `X-WP-Total` and `X-WP-TotalPages` of list endpoints; null when absent. */
  total: number | null;
  totalPages: number | null;
}

export interface WooRequest {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

const API_PREFIX = "/wp-json/wc/v3";
const TIMEOUT_MS = 30_000;

function headerNumber(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value);
}

export function createWooClient(connection: WooConnection, fetchImpl: typeof fetch = fetch) {
  const site = connection.siteUrl.replace(/\/+$/, "");
  const secure = new URL(site).protocol === "https:";

  async function request(path: string, options: WooRequest = {}): Promise<WooResponse> {
    const url = new URL(`${site}${API_PREFIX}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { Accept: "application/json" };
    if (secure) {
      headers.Authorization = `Basic ${Buffer.from(`${connection.consumerKey}:${connection.consumerSecret}`).toString("base64")}`;
    } else {
      url.searchParams.set("consumer_key", connection.consumerKey);
      url.searchParams.set("consumer_secret", connection.consumerSecret);
    }
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const where = `${site}${API_PREFIX}${path}`;

    const send = () =>
      fetchImpl(url, {
        method: options.method ?? "GET",
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    let response: Response;
    try {
      // A GET is tried twice: a kept-alive connection the site closed meanwhile fails with ECONNRESET.
      response = await send().catch((error: unknown) => ((options.method ?? "GET") === "GET" ? send() : Promise.reject(error)));
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new WooCommerceApiError("network", `could not reach ${site}: ${reason}`);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const wpError = WpRestError.safeParse(data);
      const detail = wpError.success ? `${wpError.data.message} (${wpError.data.code})` : `HTTP ${response.status}`;
      if (response.status === 401) throw new WooCommerceApiError("unauthorized", `WooCommerce rejected the consumer key/secret: ${detail}`, 401);
      if (response.status === 403) throw new WooCommerceApiError("forbidden", `WooCommerce refused access (the key needs read/write permission): ${detail}`, 403);
      if (response.status === 404) {
        // WordPress answers unknown routes with its own JSON (rest_no_route): the site is WordPress without WooCommerce.
        if (wpError.success && wpError.data.code !== "rest_no_route") throw new WooCommerceApiError("not_found", `not found: ${where}: ${detail}`, 404);
        throw new WooCommerceApiError("not_woocommerce", `no WooCommerce REST API at ${where}: ${detail}`, 404);
      }
      throw new WooCommerceApiError("http", `WooCommerce answered ${response.status} for ${options.method ?? "GET"} ${where}: ${detail}`, response.status);
    }
    if (data === undefined) {
      throw new WooCommerceApiError("not_woocommerce", `no WooCommerce REST API at ${where}: the answer is not JSON (pretty permalinks must be on)`, response.status);
    }
    return { data, total: headerNumber(response.headers, "x-wp-total"), totalPages: headerNumber(response.headers, "x-wp-totalpages") };
  }

  return { request, siteUrl: site };
}
export type WooClient = ReturnType<typeof createWooClient>;
