// The worker's way into a shop's Admin GraphQL API: the offline session from our database, refreshed when
// the expiring token is close to its end, through @shopify/shopify-api (which also handles retries).
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi, type Session } from "@shopify/shopify-api";
import type { StoreApi, VariantDetails } from "../adapter";
import { routeShopifyRequestsTo } from "./admin-origin.server";
import type { ShopifySessionStorage } from "./session-storage.server";

export const SHOPIFY_API_VERSION = ApiVersion.October25;
const REFRESH_WITHIN_MS = 5 * 60_000;

export interface ShopifyAppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
  /** The Shopify emulator's origin in tests; unset in production. */
  adminApiOrigin?: string;
}

export class ShopifyNotConnectedError extends Error {}

export function createShopifyAdmin(config: ShopifyAppConfig, sessions: ShopifySessionStorage) {
  const appUrl = new URL(config.appUrl);
  const api = shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    scopes: config.scopes,
    logger: { level: 0 },
    future: {},
  });
  if (config.adminApiOrigin) routeShopifyRequestsTo(config.adminApiOrigin);

  async function offlineSession(shop: string): Promise<Session> {
    const session = await sessions.loadSession(api.session.getOfflineId(shop));
    if (!session?.accessToken) throw new ShopifyNotConnectedError(`no offline session for ${shop}`);
    if (session.expires && session.isExpired(REFRESH_WITHIN_MS) && session.refreshToken) {
      const { session: refreshed } = await api.auth.refreshToken({ shop, refreshToken: session.refreshToken });
      await sessions.storeSession(refreshed);
      return refreshed;
    }
    return session;
  }

  async function graphql<T>(shop: string, query: string, variables?: Record<string, unknown>): Promise<T> {
    const client = new api.clients.Graphql({ session: await offlineSession(shop) });
    const response = await client.request<T>(query, { variables, retries: 2 });
    if (response.errors) throw new Error(`Shopify GraphQL error: ${JSON.stringify(response.errors)}`);
    if (!response.data) throw new Error("Shopify GraphQL answered without data");
    return response.data;
  }

  return { graphql, offlineSession };
}
export type ShopifyAdmin = ReturnType<typeof createShopifyAdmin>;

export const SHOP_QUERY = `query NudgeflowShop { shop { name email currencyCode ianaTimezone myshopifyDomain billingAddress { formatted } } }`;
export interface ShopDetails {
  name: string;
  email: string | null;
  currencyCode: string;
  ianaTimezone: string;
  /** The shop's address as Shopify formats it, a line per entry (company, street, city and zip, country). */
  billingAddress?: { formatted?: string[] | null } | null;
}

export async function fetchShopDetails(admin: ShopifyAdmin, shop: string): Promise<ShopDetails> {
  const data = await admin.graphql<{ shop: ShopDetails }>(shop, SHOP_QUERY);
  return data.shop;
}

/** The shop's postal address on one line (emails' footers), or null when Shopify has none. */
export function shopAddressLine(details: Pick<ShopDetails, "billingAddress"> | null | undefined): string | null {
  const lines = (details?.billingAddress?.formatted ?? []).map((line) => line.trim()).filter((line) => line !== "");
  return lines.length ? lines.join(", ") : null;
}

const VARIANT_DETAILS_QUERY = `query NudgeflowVariantDetails($ids: [ID!]!) {
  nodes(ids: $ids) { ... on ProductVariant { id image { url } product { productType featuredImage { url } } } }
}`;
interface VariantDetailsNode {
  id: string;
  image: { url: string } | null;
  product: { productType: string | null; featuredImage: { url: string } | null } | null;
}

/** The StoreApi of one Shopify shop. */
export function shopifyStoreApi(admin: ShopifyAdmin, shop: string): StoreApi {
  return {
    async variantDetails(variantIds) {
      const details = new Map<string, VariantDetails>();
      if (variantIds.length === 0) return details;
      const ids = [...new Set(variantIds)].slice(0, 250).map((id) => `gid://shopify/ProductVariant/${id}`);
      const data = await admin.graphql<{ nodes: (VariantDetailsNode | null)[] }>(shop, VARIANT_DETAILS_QUERY, { ids });
      for (const node of data.nodes) {
        if (!node?.id) continue; // unknown ids (and non-variant nodes) answer null or {}
        details.set(node.id.slice(node.id.lastIndexOf("/") + 1), {
          imageUrl: node.image?.url ?? node.product?.featuredImage?.url ?? null,
          // Shopify answers "" for a product without a type.
          category: node.product?.productType?.trim() || null,
        });
      }
      return details;
    },
  };
}
