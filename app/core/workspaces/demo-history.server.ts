// A believable past for the demo workspace: ~150 customers and two years of their orders, drawn from the
// prediction model's own simulator (deterministic), so segments, predictions and customer pages have something real
// to show on a fresh `npm start`. Written straight to the tables (the inbox would take far longer for the same rows).
import type { Db } from "~/db.server";
import { fitWorkspaceModel } from "~/core/predictions/predictions.server";
import { Random } from "~/core/predictions/random";
import { SCENARIOS, simulateCustomers } from "~/core/predictions/simulate";

const CUSTOMERS = 150;
const HISTORY_DAYS = 730;
const DAY_MS = 86_400_000;

const FIRST_NAMES = ["Maya", "Liam", "Sofia", "Kenji", "Amara", "Noah", "Ines", "Oskar", "Priya", "Mateo", "Hana", "Elias", "Zoe", "Tomas", "Leila"];
const LAST_NAMES = ["Okafor", "Novak", "Lindqvist", "Arai", "Mensah", "Rossi", "Duarte", "Berg", "Iyer", "Silva", "Kato", "Weber", "Moreau", "Hale"];
const PLACES = [
  { country: "US", region: "CA", city: "Oakland" },
  { country: "US", region: "NY", city: "Brooklyn" },
  { country: "GB", region: "ENG", city: "Bristol" },
  { country: "DE", region: "BE", city: "Berlin" },
  { country: "CA", region: "ON", city: "Toronto" },
];
export const DEMO_PRODUCTS = [
  { productId: "demo-1", variantId: "demo-101", title: "Organic Sencha", variantTitle: "100 g tin", category: "Tea", price: 1450 },
  { productId: "demo-2", variantId: "demo-201", title: "Cast-iron teapot", variantTitle: "0.8 l, black", category: "Teaware", price: 5900 },
  { productId: "demo-3", variantId: "demo-301", title: "Bamboo whisk", variantTitle: null, category: "Teaware", price: 1800 },
  { productId: "demo-4", variantId: "demo-401", title: "Ceremonial matcha", variantTitle: "30 g", category: "Tea", price: 2900 },
  { productId: "demo-5", variantId: "demo-501", title: "Genmaicha", variantTitle: "200 g bag", category: "Tea", price: 1200 },
  { productId: "demo-6", variantId: "demo-601", title: "Stoneware cups", variantTitle: "set of 4", category: "Teaware", price: 3600 },
];

/**
 * Seeds the purchase history when the workspace has no customers yet, then fits its prediction model. Returns the
 * number of customers written (0 when it already had some).
 */
export async function seedDemoHistory(db: Db, input: { workspaceId: string; now: Date }): Promise<number> {
  const { workspaceId, now } = input;
  if ((await db.customer.count({ where: { workspaceId } })) > 0) return 0;
  const store = await db.store.findFirst({ where: { workspaceId, platform: "demo" }, select: { id: true } });
  if (!store) return 0;
  const start = now.getTime() - HISTORY_DAYS * DAY_MS;
  const random = new Random(20_261_125);
  // Acquired over the first 21 months, so even the newest customer has a few months of history.
  const simulated = simulateCustomers({ customers: CUSTOMERS, truth: SCENARIOS.typical.truth, seed: 7, acquisitionDays: HISTORY_DAYS - 90, untilDay: HISTORY_DAYS });
  const at = (day: number) => new Date(Math.round(start + day * DAY_MS));

  const customers = simulated.map((customer, index) => {
    const firstName = FIRST_NAMES[index % FIRST_NAMES.length];
    const lastName = LAST_NAMES[(index * 7) % LAST_NAMES.length];
    const lines = customer.orders.map((order) => {
      // Lines that add up to about the simulated order value: whole products, cheapest first when little is left.
      const chosen: (typeof DEMO_PRODUCTS)[number][] = [];
      let total = 0;
      while (total < order.value * 0.8 || chosen.length === 0) {
        const product = DEMO_PRODUCTS[random.int(DEMO_PRODUCTS.length)];
        chosen.push(product);
        total += product.price;
        if (chosen.length >= 6) break;
      }
      return { items: chosen, total };
    });
    return {
      id: `${workspaceId}-customer-${index + 1}`,
      email: `${firstName}.${lastName}.${index + 1}@example.com`.toLowerCase(),
      firstName,
      lastName,
      place: PLACES[index % PLACES.length],
      acceptsMarketing: index % 5 !== 0,
      orders: customer.orders.map((order, position) => ({ placedAt: at(order.day), ...lines[position] })),
    };
  });

  await db.customer.createMany({
    data: customers.map((customer) => ({
      id: customer.id,
      workspaceId,
      email: customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      acceptsMarketing: customer.acceptsMarketing,
      ...customer.place,
      originStoreId: store.id,
      ordersCount: customer.orders.length,
      totalSpent: customer.orders.reduce((sum, order) => sum + order.total, 0),
      currency: "USD",
      firstOrderAt: customer.orders[0].placedAt,
      lastOrderAt: customer.orders[customer.orders.length - 1].placedAt,
      createdAt: customer.orders[0].placedAt,
    })),
  });
  let number = 1000;
  const orders = customers.flatMap((customer) =>
    customer.orders.map((order) => {
      number += 1;
      return { id: `${workspaceId}-order-${number}`, number, customer, order };
    }),
  );
  await db.order.createMany({
    data: orders.map(({ id, number: orderNumber, customer, order }) => ({
      id,
      workspaceId,
      storeId: store.id,
      externalId: String(orderNumber),
      name: `#${orderNumber}`,
      customerId: customer.id,
      email: customer.email,
      currency: "USD",
      totalPrice: order.total,
      lineItems: order.items.map((item) => ({ productId: item.productId, variantId: item.variantId, sku: null, title: item.title, variantTitle: item.variantTitle, quantity: 1, price: item.price, imageUrl: null, category: item.category })),
      financialStatus: "paid",
      placedAt: order.placedAt,
      createdAt: order.placedAt,
    })),
  });
  await db.orderLine.createMany({
    data: orders.flatMap(({ id, order }) =>
      order.items.map((item, position) => ({
        workspaceId,
        orderId: id,
        position,
        productId: item.productId,
        variantId: item.variantId,
        sku: null,
        title: item.title,
        category: item.category,
        quantity: 1,
        price: item.price,
      })),
    ),
  });
  await fitWorkspaceModel(db, { workspaceId, now });
  return customers.length;
}
