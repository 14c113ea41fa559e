// Shopify's network side for the sync: the catalogue (products) through the Admin GraphQL API, a cursor page at a
// time, each product stored under PRODUCT_SYNC_TOPIC and mapped by to-canonical.ts; and the shop's address. Customers
// and orders arrive by webhook only (their backfill through bulk operations is not built yet).
import { z } from "zod";
import { toIsoUtc } from "~/core/events";
import type { PlatformConnector, StoreConnection, SyncPage, SyncSource } from "../adapter";
import { describeZodError } from "../describe-error";
import { fetchShopDetails, shopAddressLine, type ShopifyAdmin } from "./admin-client.server";
import { PRODUCT_SYNC_TOPIC } from "./to-canonical";

/** 50 products with 10 variants each stays well under Shopify's 1000-point cost limit of one query. */
export const PRODUCTS_PAGE_SIZE = 50;

export const PRODUCTS_QUERY = `query NudgeflowProducts($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title handle productType status publishedAt updatedAt totalInventory tracksInventory
      featuredMedia { preview { image { url } } }
      priceRangeV2 { minVariantPrice { amount currencyCode } }
      variants(first: 10) { nodes { availableForSale } }
    }
  }
}`;

const ProductsAnswer = z.object({
  products: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
    nodes: z.array(z.looseObject({ id: z.string().min(1), updatedAt: z.string().min(1) })),
  }),
});

/** Shopify's search syntax for "changed after": `updated_at:>'2026-01-01T00:00:00Z'`. */
function updatedAfter(since: string | null): string | null {
  return since ? `updated_at:>'${since}'` : null;
}

export function shopifySyncSource(admin: ShopifyAdmin, store: StoreConnection): SyncSource {
  // Where each page ended, so page N+1 continues from page N (the sync asks for pages in order).
  const cursors = new Map<number, string | null>();
  return {
    resources: ["products"],
    async listPage(resource, { since, page }): Promise<SyncPage> {
      if (resource !== "products") return { records: [], fetched: 0, totalPages: 0 };
      const after = page === 1 ? null : cursors.get(page - 1);
      if (after === undefined) throw new Error(`Shopify products page ${page} asked for before page ${page - 1}`);
      const data = await admin.graphql<unknown>(store.domain, PRODUCTS_QUERY, { first: PRODUCTS_PAGE_SIZE, after, query: updatedAfter(since) });
      const answer = ProductsAnswer.safeParse(data);
      if (!answer.success) throw new Error(`Shopify answered NudgeflowProducts with something else: ${describeZodError(answer.error)}`);
      const { pageInfo, nodes } = answer.data.products;
      cursors.set(page, pageInfo.endCursor ?? null);
      const records = nodes.map((node) => ({
        topic: PRODUCT_SYNC_TOPIC,
        externalId: node.id.slice(node.id.lastIndexOf("/") + 1),
        // UTC ISO, so versions (the cursor) compare and read the same whatever offset Shopify answers with.
        version: toIsoUtc(node.updatedAt) ?? node.updatedAt,
        payload: node,
      }));
      return { records, fetched: nodes.length, totalPages: pageInfo.hasNextPage ? null : page };
    },
    async storeAddress() {
      return shopAddressLine(await fetchShopDetails(admin, store.domain));
    },
  };
}

/** The Shopify connector of a process that has the app's credentials (the admin client); none → no sync. */
export function shopifyConnector(admin: ShopifyAdmin | null | undefined): PlatformConnector {
  if (!admin) return { platform: "shopify" };
  return {
    platform: "shopify",
    syncSource: (store) => shopifySyncSource(admin, store),
  };
}
