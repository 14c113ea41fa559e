// WooCommerce's network side: REST reads for backfill and reconcile, and the actions the platform allows.
import { z } from "zod";
import { minorUnitDigits } from "~/core/money";
import type { ActionResult, PlatformConnector, StoreActions, StoreConnection, SyncPage, SyncResource, SyncSource } from "../adapter";
import { describeZodError } from "../describe-error";
import { createWooClient, WooCommerceApiError, WooCredentials, type WooClient } from "./client.server";
import { WooCoupon } from "./payloads";
import { gmtToIso } from "./to-canonical";

/** WordPress caps `per_page` at 100. */
export const PAGE_SIZE = 100;

const SyncedRecord = z.looseObject({
  id: z.number().int().positive(),
  date_created_gmt: z.string().nullish(),
  date_modified_gmt: z.string().nullish(),
});

/** The store's REST client from its stored connection (credentials already opened). */
export function wooClientFor(store: StoreConnection, fetchImpl?: typeof fetch): WooClient {
  if (!store.apiUrl) throw new WooCommerceApiError("not_woocommerce", `store ${store.domain} has no site URL`);
  const credentials = WooCredentials.safeParse(store.credentials ? safeJson(store.credentials) : null);
  if (!credentials.success) throw new Error(`store ${store.domain} has no usable WooCommerce credentials: ${describeZodError(credentials.error)}`);
  return createWooClient({ siteUrl: store.apiUrl, ...credentials.data }, fetchImpl);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const TOPIC_PREFIX: Record<SyncResource, "order" | "customer" | "product"> = { orders: "order", customers: "customer", products: "product" };

/** WooCommerce → Settings → General, as GET /settings/general lists them: `{ id, value }` each. */
const GeneralSettings = z.array(z.looseObject({ id: z.string(), value: z.unknown() }));

/**
 * The store's address on one line from its general settings: street, second line, city, "state postcode", country
 * (`default_country` is "US:CA" — country and state codes). Null when none is filled in.
 */
export function storeAddressFromSettings(settings: { id: string; value: unknown }[]): string | null {
  const value = (id: string) => {
    const found = settings.find((setting) => setting.id === id)?.value;
    return typeof found === "string" ? found.trim() : "";
  };
  const [country, state] = value("woocommerce_default_country").split(":");
  const street = [value("woocommerce_store_address"), value("woocommerce_store_address_2"), value("woocommerce_store_city")].filter(Boolean);
  if (street.length === 0) return null;
  const region = [state ?? "", value("woocommerce_store_postcode")].filter(Boolean).join(" ");
  return [...street, region, country ?? ""].filter(Boolean).join(", ");
}

/** The general settings (address, currency) of a store, or a clear error. */
export async function readGeneralSettings(client: WooClient): Promise<{ id: string; value: unknown }[]> {
  const { data } = await client.request("/settings/general");
  const settings = GeneralSettings.safeParse(data);
  if (!settings.success) throw new Error(`GET /settings/general is not a list of settings: ${describeZodError(settings.error)}`);
  return settings.data;
}

export function wooSyncSource(store: StoreConnection, fetchImpl?: typeof fetch): SyncSource {
  const client = wooClientFor(store, fetchImpl);
  return {
    resources: ["customers", "orders", "products"],
    async listPage(resource, { since, page }): Promise<SyncPage> {
      const { data, totalPages } = await client.request(`/${resource}`, {
        query: {
          page,
          per_page: PAGE_SIZE,
          orderby: "id",
          order: "asc",
          // Orders and products filter on it; customers document no such filter (their list ignores it): filtered below too.
          modified_after: since ?? undefined,
          dates_are_gmt: since ? true : undefined,
        },
      });
      const list = z.array(SyncedRecord).safeParse(data);
      if (!list.success) throw new Error(`GET /${resource} page ${page} is not a list of ${resource}: ${describeZodError(list.error)}`);
      const sinceTime = since ? Date.parse(since) : null;
      const records = list.data.flatMap((record) => {
        const modified = gmtToIso(record.date_modified_gmt) ?? gmtToIso(record.date_created_gmt);
        const created = gmtToIso(record.date_created_gmt);
        if (sinceTime !== null && modified && Date.parse(modified) <= sinceTime) return [];
        // A record created since the last run is news we may have missed (a lost webhook): it is stored as a
        // creation. Everything else, and all of a first backfill, converges state without firing triggers.
        const isNew = sinceTime !== null && created !== null && Date.parse(created) > sinceTime;
        return [{ topic: `${TOPIC_PREFIX[resource]}.${isNew ? "created" : "updated"}`, externalId: String(record.id), version: modified ?? "unknown", payload: record }];
      });
      return { records, fetched: list.data.length, totalPages };
    },
    async storeAddress() {
      return storeAddressFromSettings(await readGeneralSettings(client));
    },
  };
}

function unsupported(what: string): ActionResult<null> {
  return { ok: false, unsupported: true, error: `WooCommerce has no ${what} in its core REST API` };
}

function decimal(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const text = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits ? `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}` : `${sign}${text}`;
}

export function wooActions(store: StoreConnection, fetchImpl?: typeof fetch): StoreActions {
  return {
    /** A coupon (POST /coupons): percent, or a fixed amount off the cart. */
    async createDiscountCode(input) {
      try {
        const client = wooClientFor(store, fetchImpl);
        const { data } = await client.request("/coupons", {
          method: "POST",
          body: {
            code: input.code,
            discount_type: input.kind === "percent" ? "percent" : "fixed_cart",
            amount: input.kind === "percent" ? String(input.value) : decimal(input.value, store.currency),
            individual_use: true,
            usage_limit: input.usageLimit ?? 1,
            email_restrictions: input.email ? [input.email] : [],
            date_expires_gmt: input.expiresAt ? input.expiresAt.replace(/\.\d+Z$|Z$/, "") : null,
          },
        });
        const coupon = WooCoupon.safeParse(data);
        if (!coupon.success) return { ok: false, error: `unexpected answer to POST /coupons: ${describeZodError(coupon.error)}` };
        return { ok: true, value: { code: coupon.data.code, externalId: String(coupon.data.id) } };
      } catch (error) {
        if (error instanceof WooCommerceApiError) {
          if (error.message.includes("woocommerce_rest_coupon_code_already_exists")) return { ok: false, conflict: true, error: error.message };
          const passing = error.kind === "network" || (error.status !== null && (error.status === 429 || error.status >= 500));
          return passing ? { ok: false, retryable: true, error: error.message } : { ok: false, error: error.message };
        }
        throw error;
      }
    },
    tagCustomer: async () => unsupported("customer tags"),
    // Core WooCommerce keeps no marketing consent (newsletter plugins do, each its own way): nothing to write to.
    updateMarketingConsent: async () => ({ ok: false, unsupported: true, error: "WooCommerce has no email-marketing consent of its own (only newsletter plugins keep one), so the store was not changed" }),
  };
}

export const wooCommerceConnector: PlatformConnector = {
  platform: "woocommerce",
  syncSource: (store) => wooSyncSource(store),
  actions: (store) => wooActions(store),
};
