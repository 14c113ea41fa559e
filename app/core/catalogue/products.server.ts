// The catalogue: Product rows as the stores' `product.update` / `product.delete` events state them (applied by
// profiles/apply.server.ts, in the inbox row's transaction). Idempotent and tolerant of out-of-order delivery: a
// statement older than the row (by the source's own `updatedAt`) changes nothing.
import type { DbTx } from "~/db.server";
import type { Product } from "~/core/events";

export interface CatalogueScope {
  workspaceId: string;
  storeId: string;
}

export async function applyProductUpdate(tx: DbTx, scope: CatalogueScope, product: Product): Promise<void> {
  const where = { storeId_externalId: { storeId: scope.storeId, externalId: product.externalId } };
  const updatedAt = new Date(product.updatedAt);
  const fields = {
    title: product.title,
    url: product.url,
    imageUrl: product.imageUrl,
    price: product.price,
    currency: product.currency,
    category: product.category,
    available: product.available,
    updatedAt,
  };
  const existing = await tx.product.findUnique({ where, select: { id: true, updatedAt: true } });
  if (!existing) {
    await tx.product.create({ data: { workspaceId: scope.workspaceId, storeId: scope.storeId, externalId: product.externalId, ...fields } });
    return;
  }
  if (existing.updatedAt > updatedAt) return; // a late delivery of an older version
  await tx.product.update({ where: { id: existing.id }, data: fields });
}

/**
 * A deleted product keeps its row, unavailable and without a page (so it is never recommended or linked), stamped
 * with the deletion time: a late update from before the deletion cannot bring it back.
 */
export async function applyProductDelete(tx: DbTx, scope: CatalogueScope, input: { externalId: string; deletedAt: Date }): Promise<void> {
  const where = { storeId_externalId: { storeId: scope.storeId, externalId: input.externalId } };
  const existing = await tx.product.findUnique({ where, select: { id: true, updatedAt: true } });
  if (!existing) {
    await tx.product.create({
      data: { workspaceId: scope.workspaceId, storeId: scope.storeId, externalId: input.externalId, title: "", available: false, updatedAt: input.deletedAt },
    });
    return;
  }
  if (existing.updatedAt > input.deletedAt) return;
  await tx.product.update({ where: { id: existing.id }, data: { available: false, url: null, updatedAt: input.deletedAt } });
}

/**
 * The storefront pages of some products (review links, `item.url`), by platform id: the email's store's rows when
 * it is known, else any store of the workspace. Deleted products have none.
 */
export async function productPages(tx: DbTx, input: { workspaceId: string; storeId: string | null; productIds: string[] }): Promise<Record<string, string>> {
  const ids = [...new Set(input.productIds.filter((id) => id !== ""))];
  if (ids.length === 0) return {};
  const rows = await tx.product.findMany({
    where: { workspaceId: input.workspaceId, externalId: { in: ids }, url: { not: null }, ...(input.storeId ? { storeId: input.storeId } : {}) },
    select: { externalId: true, url: true },
    orderBy: { storeId: "asc" },
  });
  const pages: Record<string, string> = {};
  for (const row of rows) if (row.url && !pages[row.externalId]) pages[row.externalId] = row.url;
  return pages;
}
