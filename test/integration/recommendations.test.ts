// Recommendations on crafted orders: bought together first, then best sellers in the basket's categories, then best
// sellers overall; never the basket's products nor what the customer bought; only available products with a page
// of the email's store; ties by product id; the snapshot kept for its time to live. Then the whole path: a flow's
// email with recommendations (links, pictures, prices), review links per product and the store's address in the
// footer. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import { createRecommender } from "~/core/catalogue/recommendations.server";
import { createFlowRunner } from "~/core/flows/runner.server";
import { createLogger } from "~/core/logger.server";
import { messageContentOf } from "~/core/messaging/content.server";
import { FlowDefinition } from "~/core/flows/definition";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const T0 = new Date("2026-03-01T09:00:00Z");

describe.each(databaseTargets())("recommendations on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let storeId: string;
  let otherStoreId: string;
  let buyerId: string;
  let orderNumber = 0;

  async function product(storeIdOf: string, externalId: string, extra: { category?: string; available?: boolean; url?: string | null; price?: number } = {}) {
    await db.product.create({
      data: {
        workspaceId,
        storeId: storeIdOf,
        externalId,
        title: `Product ${externalId}`,
        url: extra.url === undefined ? `https://tea.example/products/${externalId}` : extra.url,
        imageUrl: `https://cdn.tea.example/${externalId}.png`,
        price: extra.price ?? 1000,
        currency: "EUR",
        category: extra.category ?? null,
        available: extra.available ?? true,
        updatedAt: T0,
      },
    });
  }

  /** An order of the given products (quantity 1 each), for a customer or nobody. */
  async function order(productIds: string[], customerId: string | null = null, extra: { cancelled?: boolean; quantity?: number } = {}) {
    orderNumber += 1;
    const created = await db.order.create({
      data: {
        workspaceId,
        storeId,
        externalId: `o${orderNumber}`,
        customerId,
        currency: "EUR",
        totalPrice: 1000 * productIds.length,
        lineItems: [],
        placedAt: T0,
        cancelledAt: extra.cancelled ? T0 : null,
      },
    });
    await db.orderLine.createMany({
      data: productIds.map((productId, position) => ({ workspaceId, orderId: created.id, position, productId, title: productId, quantity: extra.quantity ?? 1, price: 1000 })),
    });
  }

  beforeAll(async () => {
    db = openDb(await createUrl());
    const workspace = await db.workspace.create({ data: { name: "Tea & Co", stores: { create: [{ platform: "demo", domain: "tea.example", name: "Tea & Co", currency: "EUR", address: "9 Harbour Road, Leith" }] } }, include: { stores: true } });
    workspaceId = workspace.id;
    storeId = workspace.stores[0].id;
    otherStoreId = (await db.store.create({ data: { workspaceId, platform: "demo", domain: "other.example", name: "Other" } })).id;
    buyerId = (await db.customer.create({ data: { workspaceId, email: "ann@example.com", firstName: "Ann" } })).id;

    // The catalogue: teas A (in the basket), B, C, D, E; teaware W, X; a sold-out tea S; a tea without a page N;
    // a product of another store O.
    for (const id of ["A", "B", "C", "D", "E"]) await product(storeId, id, { category: "Tea" });
    for (const id of ["W", "X"]) await product(storeId, id, { category: "Teaware" });
    await product(storeId, "S", { category: "Tea", available: false });
    await product(storeId, "N", { category: "Tea", url: null });
    await product(otherStoreId, "O", { category: "Tea" });

    // Bought with A: C in 3 orders, W in 2, S (sold out) in 5, B in 2 (but Ann bought B), O (other store) in 4.
    for (let i = 0; i < 3; i += 1) await order(["A", "C"]);
    for (let i = 0; i < 2; i += 1) await order(["A", "W", "B"]);
    for (let i = 0; i < 5; i += 1) await order(["A", "S"]);
    for (let i = 0; i < 4; i += 1) await order(["A", "O"]);
    // Best sellers without A: X 9 units, E 4, D 4 (tie with E: D first by id), N 20 (no page).
    await order(["X"], null, { quantity: 9 });
    await order(["E"], null, { quantity: 4 });
    await order(["D"], null, { quantity: 4 });
    await order(["N"], null, { quantity: 20 });
    // A cancelled order counts for nothing.
    await order(["E"], null, { quantity: 50, cancelled: true });
    // Ann's own history: she bought B.
    await order(["B"], buyerId);
  });

  it("orders bought-together, then category best sellers, then best sellers; leaves out the basket, her purchases, what cannot be sold", async () => {
    const recommender = createRecommender({ db, clock: new ManualClock(T0) });
    const picks = await recommender.recommend({ workspaceId, storeId, customerId: buyerId, productIds: ["A"], limit: 6 });
    // C (3 together), W (2 together); then teas by sales: D and E (4 each: by id), then teas never sold: none left
    // (B bought, S sold out, N no page, O other store); then overall: X (9).
    expect(picks.map((pick) => pick.productId)).toEqual(["C", "W", "D", "E", "X"]);
    expect(picks[0]).toEqual({ productId: "C", title: "Product C", url: "https://tea.example/products/C", imageUrl: "https://cdn.tea.example/C.png", price: 1000, currency: "EUR" });

    // Without a customer, B comes back (bought together with A in 2 orders; B < W by id).
    const anonymous = await recommender.recommend({ workspaceId, storeId, customerId: null, productIds: ["A"], limit: 3 });
    expect(anonymous.map((pick) => pick.productId)).toEqual(["C", "B", "W"]);

    // An empty basket: best sellers overall (units in orders not cancelled), ties by id.
    const empty = await recommender.recommend({ workspaceId, storeId, customerId: null, productIds: [], limit: 10 });
    expect(empty.map((pick) => pick.productId)).toEqual(["A", "X", "D", "E", "B", "C", "W"]);

    // Another store's email offers that store's products only.
    const other = await recommender.recommend({ workspaceId, storeId: otherStoreId, customerId: null, productIds: ["A"], limit: 4 });
    expect(other.map((pick) => pick.productId)).toEqual(["O"]);
  });

  it("keeps its snapshot for a minute: a product made unavailable drops out once it is refreshed", async () => {
    const clock = new ManualClock(T0);
    const recommender = createRecommender({ db, clock });
    const request = { workspaceId, storeId, customerId: null, productIds: [], limit: 1 };
    expect((await recommender.recommend(request)).map((pick) => pick.productId)).toEqual(["A"]);
    await db.product.update({ where: { storeId_externalId: { storeId, externalId: "A" } }, data: { available: false } });
    expect((await recommender.recommend(request)).map((pick) => pick.productId)).toEqual(["A"]);
    clock.advance({ seconds: 61 });
    expect((await recommender.recommend(request)).map((pick) => pick.productId)).toEqual(["X"]);
    await db.product.update({ where: { storeId_externalId: { storeId, externalId: "A" } }, data: { available: true } });
  });

  it("sends an email with the recommendations, a review link per ordered product and the store's address", async () => {
    const definition = FlowDefinition.parse({
      schemaVersion: 1,
      trigger: { type: "event", events: ["order.add"], entity: "customer", conditions: [] },
      goal: null,
      rules: { consent: "transactional", kind: "transactional" },
      entry: "email",
      nodes: [
        {
          id: "email",
          type: "email",
          name: "Thanks",
          subject: "Thanks, {{ customer.first_name }}",
          preheader: "",
          content: {
            version: 1,
            blocks: [
              { type: "review_request", heading: "How did we do?", text: "Tell us.", buttonLabel: "Write a review", href: "{{ item.review_url }}" },
              { type: "recommendations", heading: "You might also like", limit: 3, buttonLabel: "Shop now", href: "{{ item.url }}" },
              { type: "footer", text: "" },
            ],
          },
          next: null,
        },
      ],
    });
    const flow = await db.flow.create({ data: { workspaceId, name: "Thanks", status: "live" } });
    const version = await db.flowVersion.create({ data: { workspaceId, flowId: flow.id, version: 1, definition: definition as object, publishedAt: T0 } });
    await db.flow.update({ where: { id: flow.id }, data: { liveVersionId: version.id } });
    // Ann's latest order: A (which has a page) and Z (which the catalogue does not know).
    orderNumber += 1;
    const latest = await db.order.create({
      data: {
        workspaceId,
        storeId,
        externalId: `o${orderNumber}`,
        customerId: buyerId,
        currency: "EUR",
        totalPrice: 2000,
        placedAt: T0,
        lineItems: [
          { productId: "A", variantId: null, sku: null, title: "Sencha", variantTitle: null, quantity: 1, price: 1000, imageUrl: null, category: "Tea" },
          { productId: "Z", variantId: null, sku: null, title: "Mystery", variantTitle: null, quantity: 1, price: 1000, imageUrl: null, category: null },
        ],
      },
    });
    await db.orderLine.createMany({ data: ["A", "Z"].map((productId, position) => ({ workspaceId, orderId: latest.id, position, productId, title: productId, quantity: 1, price: 1000 })) });
    const enrollment = await db.enrollment.create({
      data: { workspaceId, flowId: flow.id, flowVersionId: version.id, customerId: buyerId, entityType: "order", entityId: latest.id, status: "active", currentNodeId: "email", wakeAt: T0, enteredAt: T0 },
    });

    const runner = createFlowRunner({ db, clock: new ManualClock(T0), logger: createLogger({ level: "warn" }), defaultFrom: "Tea <hi@tea.example>" });
    await runner.runDue();

    const stored = await db.message.findFirstOrThrow({ where: { enrollmentId: enrollment.id } });
    const message = await messageContentOf({ db }, stored); // on the row, or stored once for the step (ADR 0035)
    if (!message) throw new Error("the email has no content");
    // Recommended (A is in the order; B she bought): C, W, D — each with its link, picture and price.
    for (const id of ["C", "W", "D"]) {
      expect(message.html).toContain(`href="https://tea.example/products/${id}"`);
      expect(message.html).toContain(`src="https://cdn.tea.example/${id}.png"`);
    }
    expect(message.html).toContain("€10.00");
    expect(message.html).not.toContain("Product E");
    expect(message.text).toMatch(/You might also like\n- Product C: €10.00 https:\/\/tea\.example\/products\/C\n- Product W: €10.00 https:\/\/tea\.example\/products\/W\n- Product D/);
    // One review link per ordered product: A's page's reviews; Z unknown to the catalogue: the shop.
    expect(message.text).toContain("- Sencha: Write a review https://tea.example/products/A#reviews");
    expect(message.text).toContain("- Mystery: Write a review https://tea.example");
    expect(message.html).toContain('href="https://tea.example/products/A#reviews"');
    // The footer: the store's synced address.
    expect(message.text).toContain("Tea & Co · 9 Harbour Road, Leith");
    expect(message.html).toContain("9 Harbour Road, Leith");
  });
});
