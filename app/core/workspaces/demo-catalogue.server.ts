// The demo store's catalogue and address: the products its history and simulated checkouts sell, as canonical
// `product.update` events applied the way the inbox applies a platform's (profiles/apply.server.ts), so
// recommendations and review links work on a fresh `npm start`. Idempotent.
import type { Db } from "~/db.server";
import { CanonicalEvent } from "~/core/events";
import { applyToProfiles } from "~/core/profiles/apply.server";
import { DEMO_PRODUCTS } from "./demo-history.server";

export const DEMO_STORE_ADDRESS = "Demo store, 42 Teapot Lane, Portland, OR 97205, United States";

/** Two more than the history sells, so the best sellers are not the whole catalogue. */
const MORE_PRODUCTS = [
  { productId: "demo-7", title: "Hojicha", category: "Tea", price: 1350 },
  { productId: "demo-8", title: "Tea towel", category: "Teaware", price: 1500 },
];

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export async function seedDemoCatalogue(db: Db, input: { workspaceId: string; storeId: string; domain: string; now: Date }) {
  const { workspaceId, storeId, domain, now } = input;
  await db.store.updateMany({ where: { id: storeId, workspaceId, address: null }, data: { address: DEMO_STORE_ADDRESS } });
  if ((await db.product.count({ where: { storeId } })) > 0) return;
  const products = [...DEMO_PRODUCTS, ...MORE_PRODUCTS];
  await db.$transaction(async (tx) => {
    for (const product of products) {
      const event = CanonicalEvent.parse({
        type: "product.update",
        version: 1,
        occurredAt: now.toISOString(),
        data: {
          product: {
            externalId: product.productId,
            title: product.title,
            url: `https://${domain}/products/${slug(product.title)}`,
            imageUrl: null,
            price: product.price,
            currency: "USD",
            category: product.category,
            available: true,
            updatedAt: now.toISOString(),
          },
        },
      });
      await applyToProfiles(tx, { workspaceId, storeId }, event);
    }
  });
}
