// Connecting a WooCommerce store: the merchant gives the site URL and a REST API key (WooCommerce → Settings →
// Advanced → REST API, read/write). We check the key with a test call, keep the store with its credentials and a
// webhook secret of its own sealed at rest, and register our webhooks on the site, signed with that secret.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Clock } from "~/core/clock";
import type { SecretBox } from "~/core/crypto.server";
import type { Db } from "~/db.server";
import { createWooClient, WooCommerceApiError, type WooClient } from "./client.server";
import { WooOrder, WooWebhook } from "./payloads";
import { readGeneralSettings, storeAddressFromSettings } from "./connector.server";
import { WOOCOMMERCE_TOPICS } from "./to-canonical";

export interface ConnectDeps {
  db: Db;
  clock: Clock;
  secretBox: SecretBox;
  fetch?: typeof fetch;
}

export const ConnectWooCommerceInput = z.object({
  workspaceId: z.string().min(1),
  siteUrl: z.string().trim().min(1, "Enter the address of your WooCommerce site."),
  consumerKey: z.string().trim().regex(/^ck_[A-Za-z0-9]+$/, "A consumer key starts with ck_ (WooCommerce → Settings → Advanced → REST API)."),
  consumerSecret: z.string().trim().regex(/^cs_[A-Za-z0-9]+$/, "A consumer secret starts with cs_."),
  /** The app's public origin: webhooks are delivered to `{appUrl}/webhooks/woocommerce/{storeId}`. */
  appUrl: z.url(),
});
export type ConnectWooCommerceInput = z.input<typeof ConnectWooCommerceInput>;

export type ConnectField = "siteUrl" | "consumerKey" | "consumerSecret";
export type ConnectResult =
  | { ok: true; storeId: string; domain: string; reconnected: boolean; webhooks: { id: number; topic: string; created: boolean }[] }
  | { ok: false; field: ConnectField | null; error: string };

/**
 * `shop.example`, `https://shop.example/`, `https://shop.example/wp-admin/…` → `https://shop.example`; a site in
 * a sub-folder keeps it (`https://example.com/shop`). Null when it is no web address.
 */
export function normalizeSiteUrl(input: string): { siteUrl: string; domain: string } | null {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`;
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || !url.hostname.includes(".") && url.hostname !== "localhost") {
    return null;
  }
  const path = url.pathname.replace(/\/(wp-admin|wp-json|wp-login\.php)(\/.*)?$/, "").replace(/\/+$/, "");
  const siteUrl = `${url.protocol}//${url.host}${path}`;
  return { siteUrl, domain: `${url.host}${path}`.toLowerCase() };
}

export function webhookUrl(appUrl: string, storeId: string): string {
  return `${appUrl.replace(/\/+$/, "")}/webhooks/woocommerce/${storeId}`;
}

function failure(error: unknown, siteUrl: string): ConnectResult {
  if (!(error instanceof WooCommerceApiError)) throw error;
  switch (error.kind) {
    case "unauthorized":
      return { ok: false, field: "consumerKey", error: "WooCommerce rejected the consumer key/secret. Check both, and that the key is not revoked." };
    case "forbidden":
      return { ok: false, field: "consumerKey", error: "This key cannot manage the store: create one with Read/Write permission." };
    case "not_woocommerce":
    case "not_found":
      return { ok: false, field: "siteUrl", error: `There is no WooCommerce REST API at ${siteUrl}/wp-json/wc/v3. Is WooCommerce active, with pretty permalinks on?` };
    case "network":
      return { ok: false, field: "siteUrl", error: error.message };
    case "http":
      return { ok: false, field: null, error: error.message };
  }
}

/** Every webhook on the site (they are few; pages of 100). */
async function listWebhooks(client: WooClient) {
  const all: WooWebhook[] = [];
  for (let page = 1; ; page += 1) {
    const { data, totalPages } = await client.request("/webhooks", { query: { per_page: 100, page } });
    const list = z.array(WooWebhook).safeParse(data);
    if (!list.success) throw new WooCommerceApiError("http", "unexpected answer to GET /webhooks");
    all.push(...list.data);
    if (list.data.length < 100 || (totalPages !== null && page >= totalPages)) return all;
  }
}

/**
 * Creates our webhooks, or takes over the ones already pointing at our delivery URL (a reconnect): their secret
 * is set again, since WooCommerce never shows a webhook's secret back.
 */
async function registerWebhooks(client: WooClient, deliveryUrl: string, secret: string) {
  const existing = (await listWebhooks(client)).filter((hook) => hook.delivery_url === deliveryUrl);
  const registered: { id: number; topic: string; created: boolean }[] = [];
  for (const topic of WOOCOMMERCE_TOPICS) {
    const mine = existing.find((hook) => hook.topic === topic);
    const body = { name: `Nudgeflow ${topic}`, topic, delivery_url: deliveryUrl, secret, status: "active" };
    const { data } = mine ? await client.request(`/webhooks/${mine.id}`, { method: "PUT", body }) : await client.request("/webhooks", { method: "POST", body });
    const hook = WooWebhook.safeParse(data);
    if (!hook.success) throw new WooCommerceApiError("http", `unexpected answer when registering the ${topic} webhook`);
    registered.push({ id: hook.data.id, topic, created: !mine });
  }
  return registered;
}

export async function connectWooCommerceStore(deps: ConnectDeps, rawInput: ConnectWooCommerceInput): Promise<ConnectResult> {
  const parsed = ConnectWooCommerceInput.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    return { ok: false, field: field === "siteUrl" || field === "consumerKey" || field === "consumerSecret" ? field : null, error: issue?.message ?? "invalid input" };
  }
  const input = parsed.data;
  const site = normalizeSiteUrl(input.siteUrl);
  if (!site) return { ok: false, field: "siteUrl", error: "Enter the web address of your site, e.g. https://shop.example." };

  const client = createWooClient({ siteUrl: site.siteUrl, consumerKey: input.consumerKey, consumerSecret: input.consumerSecret }, deps.fetch);
  let currency = "USD";
  try {
    // The test call: any key that can read orders answers; the latest order tells the store's currency.
    const { data } = await client.request("/orders", { query: { per_page: 1 } });
    const latest = z.array(WooOrder.pick({ currency: true })).safeParse(data);
    if (latest.success && latest.data[0]) currency = latest.data[0].currency;
  } catch (error) {
    return failure(error, site.siteUrl);
  }
  // The store's address for emails' footers, and its currency as configured (it wins over the latest order's); a
  // site whose settings cannot be read still connects: the sync reads the address again.
  let address: string | null = null;
  try {
    const settings = await readGeneralSettings(client);
    address = storeAddressFromSettings(settings);
    const configured = settings.find((setting) => setting.id === "woocommerce_currency")?.value;
    if (typeof configured === "string" && /^[A-Z]{3}$/.test(configured)) currency = configured;
  } catch {
    // leave the address unknown: the sync reads it again
  }

  const { db, clock, secretBox } = deps;
  const existing = await db.store.findUnique({ where: { platform_domain: { platform: "woocommerce", domain: site.domain } } });
  if (existing && existing.workspaceId !== input.workspaceId) {
    return { ok: false, field: "siteUrl", error: "This store is already connected to another Nudgeflow workspace." };
  }
  // A reconnect keeps the store's webhook secret: deliveries already on their way still verify.
  const secret = existing?.webhookSecret ? secretBox.open(existing.webhookSecret) : randomBytes(32).toString("base64url");
  const fields = {
    apiUrl: site.siteUrl,
    credentials: secretBox.seal(JSON.stringify({ consumerKey: input.consumerKey, consumerSecret: input.consumerSecret })),
    webhookSecret: secretBox.seal(secret),
    status: "active",
    uninstalledAt: null,
    ...(address ? { address } : {}),
  };
  const store = existing
    ? await db.store.update({ where: { id: existing.id }, data: fields })
    : await db.store.create({
        data: { workspaceId: input.workspaceId, platform: "woocommerce", domain: site.domain, name: site.domain, currency, installedAt: clock.now(), ...fields },
      });

  let webhooks;
  try {
    webhooks = await registerWebhooks(client, webhookUrl(input.appUrl, store.id), secret);
  } catch (error) {
    if (!existing) await db.store.delete({ where: { id: store.id } });
    return failure(error, site.siteUrl);
  }
  // Backfill starts at the worker's next tick: a SyncState never run is due.
  for (const resource of ["customers", "orders", "products"]) {
    await db.syncState.upsert({
      where: { storeId_resource: { storeId: store.id, resource } },
      create: { workspaceId: input.workspaceId, storeId: store.id, resource },
      update: { status: "idle", error: null, lastRunAt: null },
    });
  }
  return { ok: true, storeId: store.id, domain: site.domain, reconnected: Boolean(existing), webhooks };
}
