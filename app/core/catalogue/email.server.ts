// What an email takes from the catalogue, in one call for the runner and the preview: the recommendations (only
// when the email shows them) and the pages of the products it is about (`item.url`, `item.review_url`).
import type { DbTx } from "~/db.server";
import type { LineItem } from "~/core/events";
import { productPages } from "./products.server";
import type { RecommendedProduct, Recommender } from "./recommendations.server";

/** The most a recommendations block shows. */
export const MAX_RECOMMENDATIONS = 6;

export async function catalogueForEmail(
  deps: { db: DbTx; recommender: Recommender },
  input: { workspaceId: string; storeId: string | null; customerId: string | null; lineItems: LineItem[]; recommend: boolean },
): Promise<{ recommendations: RecommendedProduct[]; productPages: Record<string, string> }> {
  const productIds = input.lineItems.flatMap((item) => (item.productId ? [item.productId] : []));
  const categories = input.lineItems.flatMap((item) => (item.category ? [item.category] : []));
  const [recommendations, pages] = await Promise.all([
    input.recommend
      ? deps.recommender.recommend({ workspaceId: input.workspaceId, storeId: input.storeId, customerId: input.customerId, productIds, categories, limit: MAX_RECOMMENDATIONS })
      : Promise.resolve([]),
    productPages(deps.db, { workspaceId: input.workspaceId, storeId: input.storeId, productIds }),
  ]);
  return { recommendations, productPages: pages };
}
