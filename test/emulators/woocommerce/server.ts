// A real HTTP server that speaks the part of WooCommerce's REST API (wc/v3) Nudgeflow uses: key authentication
// (Basic over HTTPS, or the consumer_key/consumer_secret query string), orders, customers and products with WordPress
// pagination (page, per_page ≤ 100, X-WP-Total, X-WP-TotalPages, Link), `modified_after` on orders and products,
// the general settings (store address, currency), coupons, and
// webhooks (create/list/update; each remembers its delivery URL and secret). It delivers signed webhooks the way
// WC_Webhook::deliver does, and pings a new webhook's URL with `webhook_id=N` like deliver_ping.
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { header, isRecord, listen, parseJson, readBody, sendJson } from "../http";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/woocommerce");
const API = "/wp-json/wc/v3";

export type WooRecord = Record<string, unknown> & { id: number };

export interface EmulatedWebhook {
  id: number;
  name: string;
  status: string;
  topic: string;
  delivery_url: string;
  secret: string;
  /** What our app answered to the creation ping. */
  pingStatus: number | null;
}

export interface WooRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: "basic" | "query" | "none";
  status: number;
}

export interface WooDelivery {
  status: number;
  text: string;
  deliveryId: string;
  body: string;
}

/** PHP's json_encode as wp_json_encode calls it: `/` escaped as `\/`, non-ASCII as \uXXXX. */
export function wpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function wcSignature(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

function gmt(date: Date | string): string {
  return new Date(date).toISOString().slice(0, 19);
}

/** The docs' order 727 reshaped: id, customer, email, total and times as given. */
export function wooOrder(id: number, options: { email: string; customerId?: number; total?: string; status?: string; createdAt: string; modifiedAt?: string; currency?: string }): WooRecord {
  const base = JSON.parse(readFileSync(path.join(FIXTURES, "order.json"), "utf8")) as Record<string, unknown> & { billing: Record<string, unknown> };
  const created = gmt(options.createdAt);
  const modified = gmt(options.modifiedAt ?? options.createdAt);
  return {
    ...base,
    id,
    number: String(id),
    status: options.status ?? "processing",
    currency: options.currency ?? "USD",
    total: options.total ?? "29.35",
    customer_id: options.customerId ?? 0,
    billing: { ...base.billing, email: options.email },
    date_created: created,
    date_created_gmt: created,
    date_modified: modified,
    date_modified_gmt: modified,
  };
}

/** The docs' customer 25 reshaped. */
export function wooCustomer(id: number, options: { email: string; firstName?: string; createdAt: string; modifiedAt?: string }): WooRecord {
  const base = JSON.parse(readFileSync(path.join(FIXTURES, "customer.json"), "utf8")) as Record<string, unknown> & { billing: Record<string, unknown> };
  const created = gmt(options.createdAt);
  const modified = gmt(options.modifiedAt ?? options.createdAt);
  return {
    ...base,
    id,
    email: options.email,
    first_name: options.firstName ?? "John",
    username: options.email.split("@")[0],
    billing: { ...base.billing, email: options.email },
    date_created: created,
    date_created_gmt: created,
    date_modified: modified,
    date_modified_gmt: modified,
  };
}

/**
 * A product as GET /products/<id> answers it (the REST docs' product fields Nudgeflow reads, plus a few more).
 * `status` publish by default; `stockStatus` instock.
 */
export function wooProduct(
  id: number,
  options: { name: string; price: string; modifiedAt: string; category?: string; image?: string | null; status?: string; stockStatus?: string; slug?: string },
): WooRecord {
  const modified = gmt(options.modifiedAt);
  const slug = options.slug ?? options.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    id,
    name: options.name,
    slug,
    permalink: `https://shop.example/product/${slug}/`,
    type: "simple",
    status: options.status ?? "publish",
    catalog_visibility: "visible",
    price: options.price,
    regular_price: options.price,
    sale_price: "",
    purchasable: true,
    stock_status: options.stockStatus ?? "instock",
    date_created: modified,
    date_created_gmt: modified,
    date_modified: modified,
    date_modified_gmt: modified,
    categories: options.category ? [{ id: 9, name: options.category, slug: options.category.toLowerCase() }] : [],
    images: options.image === null ? [] : [{ id: 1, src: options.image ?? `https://shop.example/wp-content/uploads/${slug}.jpg`, name: options.name, alt: "" }],
  };
}

/** GET /settings/general's entries (id and value; WooCommerce also sends label, type, options…). */
export function wooGeneralSettings(values: Record<string, string>): { id: string; label: string; type: string; default: string; value: string }[] {
  return Object.entries(values).map(([id, value]) => ({ id, label: id, type: "text", default: "", value }));
}

export interface WooCommerceEmulatorOptions {
  consumerKey: string;
  consumerSecret: string;
}

export async function startWooCommerceEmulator(options: WooCommerceEmulatorOptions) {
  const orders = new Map<number, WooRecord>();
  const customers = new Map<number, WooRecord>();
  const products = new Map<number, WooRecord>();
  const settings = new Map<string, string>([
    ["woocommerce_store_address", "1 Emulated Way"],
    ["woocommerce_store_address_2", ""],
    ["woocommerce_store_city", "Springfield"],
    ["woocommerce_default_country", "US:IL"],
    ["woocommerce_store_postcode", "62701"],
    ["woocommerce_currency", "USD"],
  ]);
  const coupons: WooRecord[] = [];
  const webhooks: EmulatedWebhook[] = [];
  const requests: WooRequestLog[] = [];
  let nextId = 1000;

  function wpError(response: ServerResponse, status: number, code: string, message: string) {
    sendJson(response, status, { code, message, data: { status } });
  }

  function authenticate(request: IncomingMessage, query: URLSearchParams): { auth: WooRequestLog["auth"]; ok: boolean } {
    const basic = header(request, "authorization");
    if (basic?.startsWith("Basic ")) {
      const [key, secret] = Buffer.from(basic.slice(6), "base64").toString("utf8").split(":");
      return { auth: "basic", ok: key === options.consumerKey && secret === options.consumerSecret };
    }
    if (query.has("consumer_key")) {
      return { auth: "query", ok: query.get("consumer_key") === options.consumerKey && query.get("consumer_secret") === options.consumerSecret };
    }
    return { auth: "none", ok: false };
  }

  function paginate(response: ServerResponse, base: string, query: URLSearchParams, all: WooRecord[]) {
    const perPage = Number(query.get("per_page") ?? 10);
    const page = Number(query.get("page") ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return wpError(response, 400, "rest_invalid_param", "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))");
    }
    const sorted = [...all].sort((a, b) => (query.get("order") === "desc" ? b.id - a.id : a.id - b.id));
    const totalPages = Math.ceil(sorted.length / perPage);
    const links = [];
    if (page < totalPages) links.push(`<${base}?page=${page + 1}>; rel="next"`);
    if (page > 1) links.push(`<${base}?page=${page - 1}>; rel="prev"`);
    sendJson(response, 200, sorted.slice((page - 1) * perPage, page * perPage), {
      "X-WP-Total": String(sorted.length),
      "X-WP-TotalPages": String(totalPages),
      ...(links.length ? { Link: links.join(", ") } : {}),
    });
  }

  async function ping(hook: EmulatedWebhook): Promise<number> {
    const response = await fetch(hook.delivery_url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "WordPress/6.3; https://shop.example" },
      body: `webhook_id=${hook.id}`,
    });
    await response.text();
    return response.status;
  }

  const server = await listen(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    const log: WooRequestLog = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), auth: "none", status: 0 };
    requests.push(log);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      log.status = status;
      sendJson(response, status, body, headers);
    };
    if (!url.pathname.startsWith(`${API}/`)) {
      log.status = 404;
      return wpError(response, 404, "rest_no_route", "No route was found matching the URL and request method.");
    }
    const auth = authenticate(request, url.searchParams);
    log.auth = auth.auth;
    if (!auth.ok) {
      log.status = 401;
      return auth.auth === "none"
        ? wpError(response, 401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        : wpError(response, 401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
    }
    const route = url.pathname.slice(API.length);
    const body = method === "POST" || method === "PUT" ? parseJson(await readBody(request)) : undefined;
    const base = `http://${header(request, "host")}${url.pathname}`;

    if (method === "GET" && route === "/orders") {
      const after = url.searchParams.get("modified_after");
      const list = [...orders.values()].filter((order) => !after || Date.parse(`${String(order.date_modified_gmt)}Z`) > Date.parse(after.endsWith("Z") ? after : `${after}Z`));
      log.status = 200;
      return paginate(response, base, url.searchParams, list);
    }
    if (method === "GET" && route === "/products") {
      const after = url.searchParams.get("modified_after");
      const list = [...products.values()].filter((product) => !after || Date.parse(`${String(product.date_modified_gmt)}Z`) > Date.parse(after.endsWith("Z") ? after : `${after}Z`));
      log.status = 200;
      return paginate(response, base, url.searchParams, list);
    }
    if (method === "GET" && route === "/settings/general") {
      return reply(200, wooGeneralSettings(Object.fromEntries(settings)));
    }
    if (method === "GET" && route === "/customers") {
      // The docs list no modified_after for customers: the emulator ignores it, as WordPress ignores unknown params.
      log.status = 200;
      return paginate(response, base, url.searchParams, [...customers.values()]);
    }
    if (method === "POST" && route === "/coupons") {
      if (!isRecord(body) || typeof body.code !== "string") return reply(400, { code: "rest_missing_callback_param", message: "Missing parameter(s): code", data: { status: 400 } });
      if (coupons.some((coupon) => coupon.code === body.code)) {
        return reply(400, { code: "woocommerce_rest_coupon_code_already_exists", message: `The coupon code already exists`, data: { status: 400 } });
      }
      const coupon: WooRecord = { ...body, id: nextId++, code: String(body.code).toLowerCase(), amount: Number(body.amount ?? 0).toFixed(2), discount_type: String(body.discount_type ?? "fixed_cart") };
      coupons.push(coupon);
      return reply(201, coupon);
    }
    if (method === "GET" && route === "/webhooks") {
      log.status = 200;
      return paginate(response, base, url.searchParams, webhooks.map(({ secret: _secret, pingStatus: _ping, ...hook }) => hook));
    }
    if (method === "POST" && route === "/webhooks") {
      if (!isRecord(body) || typeof body.topic !== "string" || typeof body.delivery_url !== "string") {
        return reply(400, { code: "rest_missing_callback_param", message: "Missing parameter(s): topic, delivery_url", data: { status: 400 } });
      }
      const hook: EmulatedWebhook = {
        id: nextId++,
        name: String(body.name ?? ""),
        status: String(body.status ?? "active"),
        topic: body.topic,
        delivery_url: body.delivery_url,
        secret: typeof body.secret === "string" ? body.secret : randomBytes(25).toString("hex"),
        pingStatus: null,
      };
      webhooks.push(hook);
      hook.pingStatus = await ping(hook).catch(() => 0);
      const { secret: _secret, pingStatus: _ping, ...shown } = hook;
      return reply(201, shown);
    }
    const webhookId = /^\/webhooks\/(\d+)$/.exec(route);
    if (method === "PUT" && webhookId) {
      const hook = webhooks.find((candidate) => candidate.id === Number(webhookId[1]));
      if (!hook) return reply(404, { code: "woocommerce_rest_webhook_invalid_id", message: "Invalid ID.", data: { status: 404 } });
      if (isRecord(body)) {
        for (const field of ["name", "status", "topic", "delivery_url", "secret"] as const) if (typeof body[field] === "string") hook[field] = body[field];
      }
      const { secret: _secret, pingStatus: _ping, ...shown } = hook;
      return reply(200, shown);
    }
    return reply(404, { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } });
  });

  return {
    url: server.url,
    orders,
    customers,
    products,
    /** General settings by id (woocommerce_store_address, …): change them to move the store. */
    settings,
    coupons,
    webhooks,
    requests,
    seed(records: { orders?: WooRecord[]; customers?: WooRecord[]; products?: WooRecord[] }) {
      for (const product of records.products ?? []) products.set(product.id, product);
      for (const order of records.orders ?? []) orders.set(order.id, order);
      for (const customer of records.customers ?? []) customers.set(customer.id, customer);
    },
    /** Signs `payload` (wp_json_encode'd) with the topic's webhook secret and POSTs it to its delivery URL. */
    async deliver(topic: string, payload: unknown, extra: { deliveryId?: string; signature?: string } = {}): Promise<WooDelivery> {
      const hook = webhooks.find((candidate) => candidate.topic === topic && candidate.status === "active");
      if (!hook) throw new Error(`no active webhook for ${topic}`);
      const body = wpJsonEncode(payload);
      const deliveryId = extra.deliveryId ?? randomBytes(16).toString("hex");
      const [resource, event] = topic.split(".");
      const response = await fetch(hook.delivery_url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "WooCommerce/8.0.0 Hookshot (WordPress/6.3)",
          "X-WC-Webhook-Source": "https://shop.example/",
          "X-WC-Webhook-Topic": topic,
          "X-WC-Webhook-Resource": resource,
          "X-WC-Webhook-Event": event,
          "X-WC-Webhook-Signature": extra.signature ?? wcSignature(body, hook.secret),
          "X-WC-Webhook-ID": String(hook.id),
          "X-WC-Webhook-Delivery-ID": deliveryId,
        },
        body,
      });
      return { status: response.status, text: await response.text(), deliveryId, body };
    },
    /** The creation ping again (as when an admin saves the webhook). */
    async ping(topic: string): Promise<number> {
      const hook = webhooks.find((candidate) => candidate.topic === topic);
      if (!hook) throw new Error(`no webhook for ${topic}`);
      return ping(hook);
    },
    close: () => server.close(),
  };
}
export type WooCommerceEmulator = Awaited<ReturnType<typeof startWooCommerceEmulator>>;
