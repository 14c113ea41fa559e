// The demo workspace's simulated store: it "sends" canonical events through the same inbox as real platforms.
import { randomUUID } from "node:crypto";
import type { CanonicalEvent } from "~/core/events";
import { storeDelivery, type ReceiveDeps } from "~/core/ingest/receive.server";

const SHOPPERS = [
  { firstName: "Maya", lastName: "Okafor", address: { country: "US", region: "NY", city: "Brooklyn" } },
  { firstName: "Liam", lastName: "Novak", address: { country: "CA", region: "ON", city: "Toronto" } },
  { firstName: "Sofia", lastName: "Lindqvist", address: { country: "SE", region: "AB", city: "Stockholm" } },
  { firstName: "Kenji", lastName: "Arai", address: { country: "JP", region: "13", city: "Tokyo" } },
];
/** Products of the demo catalogue (demo-catalogue.server.ts): the ids match, so emails link and recommend them. */
const PRODUCTS = [
  { productId: "demo-1", variantId: "demo-101", title: "Organic Sencha", variantTitle: "100 g tin", price: 1450 },
  { productId: "demo-2", variantId: "demo-201", title: "Cast-iron teapot", variantTitle: "0.8 l, black", price: 5900 },
  { productId: "demo-3", variantId: "demo-301", title: "Bamboo whisk", variantTitle: null, price: 1800 },
];

export class DemoStoreError extends Error {}

/** Posts events from the demo store into the inbox, exactly as a platform webhook would arrive. */
export async function postDemoEvents(deps: ReceiveDeps, input: { workspaceId: string; events: CanonicalEvent[] }) {
  const store = await deps.db.store.findFirst({ where: { workspaceId: input.workspaceId, platform: "demo" } });
  if (!store) throw new DemoStoreError("this workspace has no demo store");
  return storeDelivery(deps, {
    source: "demo",
    workspaceId: input.workspaceId,
    storeId: store.id,
    topic: "events",
    dedupeKey: randomUUID(),
    eventId: null,
    rawBody: JSON.stringify({ events: input.events }),
    headers: {},
  });
}

/**
 * A shopper who started a checkout `minutesAgo` minutes ago and left: with the abandoned-cart flow on and the
 * default of 61 minutes, the first reminder is due at once and shows in the outbox within a worker tick.
 */
export async function simulateAbandonedCheckout(deps: ReceiveDeps, input: { workspaceId: string; minutesAgo?: number }) {
  const now = deps.clock.now();
  const shopper = SHOPPERS[now.getTime() % SHOPPERS.length];
  const items = PRODUCTS.slice(0, 1 + (now.getTime() % PRODUCTS.length));
  const token = randomUUID().replaceAll("-", "");
  const email = `${shopper.firstName.toLowerCase()}.${token.slice(0, 6)}@example.com`;
  const at = new Date(now.getTime() - (input.minutesAgo ?? 61) * 60_000).toISOString();
  const total = items.reduce((sum, item) => sum + item.price, 0);
  const event: CanonicalEvent = {
    type: "checkout.create",
    version: 1,
    occurredAt: at,
    data: {
      checkout: {
        token,
        cartToken: null,
        email,
        customer: { externalId: null, email, firstName: shopper.firstName, lastName: shopper.lastName, phone: null, acceptsMarketing: true, address: shopper.address },
        currency: "USD",
        totalPrice: total,
        subtotalPrice: total,
        lineItems: items.map((item) => ({
          productId: item.productId,
          variantId: item.variantId,
          sku: null,
          title: item.title,
          variantTitle: item.variantTitle,
          quantity: 1,
          price: item.price,
          imageUrl: null,
        })),
        recoveryUrl: `https://demo-store.nudgeflow.dev/checkouts/${token}/recover`,
        createdAt: at,
        updatedAt: at,
        completedAt: null,
      },
    },
  };
  await postDemoEvents(deps, { workspaceId: input.workspaceId, events: [event] });
  return { email, token };
}
