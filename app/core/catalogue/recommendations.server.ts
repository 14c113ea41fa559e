// Product recommendations for one email: up to N available products with a page, in this order —
//   1. bought together with the basket's (or order's) products: how many of the workspace's orders hold both;
//   2. best sellers in the basket's categories;
//   3. best sellers overall;
// never a product of the basket, never one the customer already bought; ties broken by product id (deterministic).
//
// Per email it costs two indexed queries: the customer's bought products (Order(workspaceId, customerId) →
// OrderLine(orderId)) and the co-occurrence count (OrderLine(workspaceId, productId) → OrderLine(orderId)). Best
// sellers and the catalogue come from a per-workspace snapshot (one grouped query over OrderLine ⋈ Order and the
// Product rows) kept for `ttlMs` (default a minute: a product unpublished a moment ago may still be offered until
// then), its sales counts for `salesTtlMs` (default ten minutes). ADR 0029 has the figures at 100k orders.
import type { RecommendedItem } from "~/core/messaging/email/context";
import { Prisma, type DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";

/** What the email context's `recommendations[]` is made from (the same shape, isomorphic in email/context.ts). */
export type RecommendedProduct = RecommendedItem;

export interface RecommendationRequest {
  workspaceId: string;
  /** The store the email is about: only its products are offered (null: any store of the workspace). */
  storeId: string | null;
  /** Whose purchases are left out (null: nobody's, e.g. a preview with sample data). */
  customerId: string | null;
  /** The products of the basket or order in hand (their platform ids, as line items carry them). */
  productIds: string[];
  /** Categories the line items state themselves (Shopify's hydrated product types), besides the catalogue's. */
  categories?: string[];
  limit: number;
}

interface CatalogueEntry {
  storeId: string;
  externalId: string;
  title: string;
  url: string | null;
  imageUrl: string | null;
  price: number | null;
  currency: string | null;
  category: string | null;
  available: boolean;
  /** Units sold in the workspace's orders that were not cancelled. */
  sold: number;
}

interface Snapshot {
  takenAt: number;
  /** Every product, by `${storeId}\u0000${externalId}` and by externalId alone (first store wins). */
  byKey: Map<string, CatalogueEntry>;
  byExternalId: Map<string, CatalogueEntry[]>;
  /** Offerable products (available, with a page), best sellers first, then by id. */
  ranked: CatalogueEntry[];
}

/** How long the catalogue (availability, pages, prices) is kept: a product unpublished is offered at most this long. */
export const DEFAULT_SNAPSHOT_TTL_MS = 60_000;
/** How long sales counts are kept: best-seller ranks move slowly, and counting them reads every order line. */
export const DEFAULT_SALES_TTL_MS = 10 * 60_000;
/** Co-occurring candidates read per email: enough for `limit` after unavailable ones are dropped. */
const CO_OCCURRENCE_CANDIDATES = 50;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function key(storeId: string, externalId: string): string {
  return `${storeId}\u0000${externalId}`;
}

/** Units sold per store and product, in the workspace's orders that were not cancelled (the heavy part). */
async function salesOf(db: DbTx, workspaceId: string, now: number): Promise<{ takenAt: number; sold: Map<string, number> }> {
  const sales = await db.$queryRaw<{ storeId: string; productId: string; sold: unknown }[]>(Prisma.sql`
    SELECT o."storeId" AS "storeId", l."productId" AS "productId", SUM(l."quantity") AS "sold"
    FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
    WHERE l."workspaceId" = ${workspaceId} AND l."productId" IS NOT NULL AND o."cancelledAt" IS NULL
    GROUP BY o."storeId", l."productId"`);
  return { takenAt: now, sold: new Map(sales.map((row) => [key(row.storeId, row.productId), Number(row.sold)])) };
}

async function takeSnapshot(db: DbTx, workspaceId: string, now: number, sold: Map<string, number>): Promise<Snapshot> {
  const products = await db.product.findMany({
    where: { workspaceId },
    select: { storeId: true, externalId: true, title: true, url: true, imageUrl: true, price: true, currency: true, category: true, available: true },
  });
  const byKey = new Map<string, CatalogueEntry>();
  const byExternalId = new Map<string, CatalogueEntry[]>();
  for (const product of products) {
    const entry: CatalogueEntry = { ...product, sold: sold.get(key(product.storeId, product.externalId)) ?? 0 };
    byKey.set(key(product.storeId, product.externalId), entry);
    byExternalId.set(product.externalId, [...(byExternalId.get(product.externalId) ?? []), entry]);
  }
  const ranked = [...byKey.values()]
    .filter((entry) => entry.available && entry.url)
    .sort((a, b) => b.sold - a.sold || byId(a.externalId, b.externalId) || byId(a.storeId, b.storeId));
  return { takenAt: now, byKey, byExternalId, ranked };
}

/** Products the customer has ordered (any store of the workspace). */
async function boughtBy(db: DbTx, workspaceId: string, customerId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ productId: string }[]>(Prisma.sql`
    SELECT DISTINCT l."productId" AS "productId"
    FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id"
    WHERE o."workspaceId" = ${workspaceId} AND o."customerId" = ${customerId} AND l."productId" IS NOT NULL`);
  return rows.map((row) => row.productId);
}

/** Products that share orders with the given ones, most shared orders first (excluded ones left out). */
async function boughtTogether(db: DbTx, workspaceId: string, productIds: string[], excluded: string[]): Promise<{ productId: string; together: number }[]> {
  if (productIds.length === 0) return [];
  const rows = await db.$queryRaw<{ productId: string; together: unknown }[]>(Prisma.sql`
    SELECT b."productId" AS "productId", COUNT(DISTINCT b."orderId") AS "together"
    FROM "OrderLine" a JOIN "OrderLine" b ON b."orderId" = a."orderId"
    WHERE a."workspaceId" = ${workspaceId} AND a."productId" IN (${Prisma.join(productIds)})
      AND b."productId" IS NOT NULL AND b."productId" NOT IN (${Prisma.join(excluded)})
    GROUP BY b."productId"
    ORDER BY COUNT(DISTINCT b."orderId") DESC, b."productId" ASC
    LIMIT ${CO_OCCURRENCE_CANDIDATES}`);
  return rows
    .map((row) => ({ productId: row.productId, together: Number(row.together) }))
    .sort((a, b) => b.together - a.together || byId(a.productId, b.productId));
}

export interface Recommender {
  recommend(request: RecommendationRequest): Promise<RecommendedProduct[]>;
}

/**
 * A recommender with its own snapshot cache (one per process: the worker's runner holds one). Without a clock it
 * keeps nothing: each call reads a fresh snapshot (a preview).
 */
export function createRecommender(deps: { db: DbTx; clock?: Clock; ttlMs?: number; salesTtlMs?: number }): Recommender {
  const ttlMs = deps.clock ? (deps.ttlMs ?? DEFAULT_SNAPSHOT_TTL_MS) : 0;
  const salesTtlMs = deps.clock ? (deps.salesTtlMs ?? DEFAULT_SALES_TTL_MS) : 0;
  const snapshots = new Map<string, Promise<Snapshot>>();
  const sales = new Map<string, Promise<{ takenAt: number; sold: Map<string, number> }>>();

  /** A cached value younger than `ttl`, else a fresh one (a failed read is forgotten, not kept). */
  async function cachedOr<T extends { takenAt: number }>(cache: Map<string, Promise<T>>, workspaceId: string, now: number, ttl: number, take: () => Promise<T>): Promise<T> {
    const cached = cache.get(workspaceId);
    if (cached) {
      const value = await cached.catch(() => null);
      if (value && now - value.takenAt < ttl) return value;
    }
    const taking = take();
    cache.set(workspaceId, taking);
    taking.catch(() => cache.delete(workspaceId));
    return taking;
  }

  async function snapshotOf(workspaceId: string): Promise<Snapshot> {
    const now = deps.clock?.now().getTime() ?? 0;
    return cachedOr(snapshots, workspaceId, now, ttlMs, async () => {
      const { sold } = await cachedOr(sales, workspaceId, now, salesTtlMs, () => salesOf(deps.db, workspaceId, now));
      return takeSnapshot(deps.db, workspaceId, now, sold);
    });
  }

  return {
    async recommend(request) {
      const limit = Math.max(0, Math.floor(request.limit));
      if (limit === 0) return [];
      const snapshot = await snapshotOf(request.workspaceId);
      if (snapshot.ranked.length === 0) return []; // no catalogue: nothing to offer
      const inBasket = [...new Set(request.productIds.filter((id) => id !== ""))];
      const bought = request.customerId ? await boughtBy(deps.db, request.workspaceId, request.customerId) : [];
      const excluded = new Set([...inBasket, ...bought]);
      const offerable = (entry: CatalogueEntry | undefined): entry is CatalogueEntry =>
        Boolean(entry && entry.available && entry.url && !excluded.has(entry.externalId) && (request.storeId === null || entry.storeId === request.storeId));

      const picked: CatalogueEntry[] = [];
      const take = (entry: CatalogueEntry) => {
        if (picked.length < limit && !picked.includes(entry)) picked.push(entry);
      };
      // 1. Bought together.
      for (const { productId } of await boughtTogether(deps.db, request.workspaceId, inBasket, [...excluded])) {
        const entry = request.storeId ? snapshot.byKey.get(key(request.storeId, productId)) : snapshot.byExternalId.get(productId)?.[0];
        if (offerable(entry)) take(entry);
      }
      // 2. Best sellers in the basket's categories (the catalogue's word, and what the line items say).
      const categories = new Set(request.categories?.filter(Boolean) ?? []);
      for (const id of inBasket) for (const entry of snapshot.byExternalId.get(id) ?? []) if (entry.category) categories.add(entry.category);
      if (categories.size > 0) for (const entry of snapshot.ranked) if (entry.category && categories.has(entry.category) && offerable(entry)) take(entry);
      // 3. Best sellers overall.
      for (const entry of snapshot.ranked) if (offerable(entry)) take(entry);

      return picked.map((entry) => ({
        productId: entry.externalId,
        title: entry.title,
        url: entry.url ?? "",
        imageUrl: entry.imageUrl,
        price: entry.price,
        currency: entry.currency,
      }));
    },
  };
}
