// Predictions from real rows: fit a workspace's model from orders written through Prisma, recompute one customer
// when their order arrives through the inbox, and refit from the worker when the model is a day old.
import { ManualClock } from "~/core/clock";
import { silentLogger } from "~/core/logger.server";
import { createInboxProcessor } from "~/core/ingest/process.server";
import { fitWorkspaceModel, predictCustomer, readModel, runPredictionMaintenance } from "~/core/predictions/predictions.server";
import { SCENARIOS, simulateCustomers } from "~/core/predictions/simulate";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoHistory } from "~/core/workspaces/demo-history.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { orderEvent } from "../support/events";

const NOW = new Date("2026-06-01T00:00:00Z");
const DAY_MS = 86_400_000;

describe.each(databaseTargets())("predictions on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let storeId: string;

  /** 300 customers of a simulated store, two years of orders ending at NOW, written as rows. */
  async function seedOrders() {
    const simulated = simulateCustomers({ customers: 300, truth: SCENARIOS.typical.truth, seed: 11, acquisitionDays: 700, untilDay: 730 });
    const start = NOW.getTime() - 730 * DAY_MS;
    await db.customer.createMany({
      data: simulated.map((_, index) => ({ id: `c${index}`, workspaceId, email: `c${index}@example.com` })),
    });
    await db.order.createMany({
      data: simulated.flatMap((customer, index) =>
        customer.orders.map((order, position) => ({
          workspaceId,
          storeId,
          externalId: `${index}-${position}`,
          customerId: `c${index}`,
          currency: "USD",
          totalPrice: order.value,
          lineItems: [],
          placedAt: new Date(start + order.day * DAY_MS),
        })),
      ),
    });
    return simulated;
  }

  beforeAll(async () => {
    db = openDb(await createUrl());
    const workspace = await db.workspace.create({
      data: { name: "Predictions", stores: { create: { platform: "demo", domain: "predictions.example", name: "Shop", installedAt: NOW } } },
      include: { stores: true },
    });
    workspaceId = workspace.id;
    storeId = workspace.stores[0].id;
    await seedOrders();
    // Noise the fit must ignore: a customer whose only order was cancelled, and one whose order is after NOW.
    await db.customer.createMany({ data: [{ id: "cancelled", workspaceId, email: "cancelled@example.com" }, { id: "future", workspaceId, email: "future@example.com" }] });
    await db.order.createMany({
      data: [
        { workspaceId, storeId, externalId: "x1", customerId: "cancelled", currency: "USD", totalPrice: 5000, lineItems: [], placedAt: new Date(NOW.getTime() - 40 * DAY_MS), cancelledAt: new Date(NOW.getTime() - 39 * DAY_MS) },
        { workspaceId, storeId, externalId: "x2", customerId: "future", currency: "USD", totalPrice: 5000, lineItems: [], placedAt: new Date(NOW.getTime() + DAY_MS) },
      ],
    });
  });
  afterAll(dropAll);

  it("fits the workspace and writes a forecast, with its interval, for every customer who ordered", async () => {
    // GIVEN 300 customers with orders (and two whose orders do not count) WHEN the model is fitted
    const result = await fitWorkspaceModel(db, { workspaceId, now: NOW });

    // THEN the model is stored with its parameters and every buyer has a forecast
    expect(result.customers).toBe(300);
    const stored = await readModel(db, { workspaceId });
    expect(stored?.customers).toBe(300);
    expect(stored?.model.purchase.draws).toHaveLength(200);
    expect(Object.keys(stored?.model.spend ?? {})).toEqual(["USD"]);
    const predictions = await db.customerPrediction.findMany({ where: { workspaceId } });
    expect(predictions).toHaveLength(300);
    expect(predictions.some((row) => row.customerId === "cancelled" || row.customerId === "future")).toBe(false);
    for (const row of predictions) {
      expect(row.churnLow).toBeLessThanOrEqual(row.churnProbability);
      expect(row.churnProbability).toBeLessThanOrEqual(row.churnHigh);
      expect(row.churnProbability).toBeGreaterThanOrEqual(0);
      expect(row.churnProbability).toBeLessThanOrEqual(1);
      expect(row.clvLow).toBeLessThanOrEqual(row.clvHigh);
      expect(row.expectedOrders12m).toBeGreaterThanOrEqual(0);
      expect(row.currency).toBe("USD");
      if (row.nextOrderAt) expect(row.nextOrderAt.getTime()).toBeGreaterThanOrEqual(NOW.getTime());
      if (row.nextOrderLow && row.nextOrderAt) expect(row.nextOrderLow.getTime()).toBeLessThanOrEqual(row.nextOrderAt.getTime());
    }
    // Customers who keep buying are expected to be worth more than those who stopped long ago.
    const sorted = [...predictions].sort((a, b) => a.churnProbability - b.churnProbability);
    const loyal = sorted.slice(0, 50).reduce((sum, row) => sum + row.clv12m, 0);
    const lapsed = sorted.slice(-50).reduce((sum, row) => sum + row.clv12m, 0);
    expect(loyal).toBeGreaterThan(lapsed * 3);
  });

  it("recomputes a customer's forecast when their order arrives through the inbox", async () => {
    // GIVEN a one-time buyer whose order is long past
    const lapsed = await db.customerPrediction.findFirstOrThrow({ where: { workspaceId, expectedOrders12m: { lt: 0.5 } }, orderBy: { churnProbability: "desc" } });
    const customer = await db.customer.findUniqueOrThrow({ where: { id: lapsed.customerId } });
    const clock = new ManualClock(new Date(NOW.getTime() + 3_600_000));

    // WHEN they order again
    await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent(`again-${customer.id}`, customer.email ?? "", clock.now().toISOString(), 6400)] });
    await createInboxProcessor({ db, clock, logger: silentLogger }).processDue();

    // THEN their forecast is fresh: far less likely churned, more orders expected
    const fresh = await db.customerPrediction.findUniqueOrThrow({ where: { customerId: customer.id } });
    expect(fresh.computedAt.getTime()).toBe(clock.now().getTime());
    expect(fresh.churnProbability).toBeLessThan(lapsed.churnProbability - 0.1);
    expect(fresh.expectedOrders12m).toBeGreaterThan(lapsed.expectedOrders12m);
  });

  it("drops the forecast of a customer left without orders and does nothing without a model", async () => {
    await db.order.updateMany({ where: { customerId: "c0" }, data: { cancelledAt: NOW } });
    await predictCustomer(db, { workspaceId, customerId: "c0", now: NOW });
    expect(await db.customerPrediction.findUnique({ where: { customerId: "c0" } })).toBeNull();

    const other = await db.workspace.create({ data: { name: "No model" } });
    const person = await db.customer.create({ data: { workspaceId: other.id, email: "nomodel@example.com" } });
    await db.order.create({ data: { workspaceId: other.id, storeId, externalId: "nm", customerId: person.id, currency: "USD", totalPrice: 100, lineItems: [], placedAt: NOW } });
    await predictCustomer(db, { workspaceId: other.id, customerId: person.id, now: NOW });
    expect(await db.customerPrediction.findUnique({ where: { customerId: person.id } })).toBeNull();
  });

  it("refits from the worker once the model is a day old, and not before", async () => {
    const clock = new ManualClock(new Date(NOW.getTime() + 23 * 3_600_000));
    // Workspaces without a model (the "No model" one) are fitted first; run until only ours could be due.
    while ((await runPredictionMaintenance({ db, clock, logger: silentLogger })) > 0);
    expect((await readModel(db, { workspaceId }))?.fittedAt.getTime()).toBe(NOW.getTime());

    clock.set(new Date(NOW.getTime() + 25 * 3_600_000));
    const worker = createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
    await worker.tick();
    const refitted = await readModel(db, { workspaceId });
    expect(refitted?.fittedAt.getTime()).toBe(clock.now().getTime());
    expect(refitted?.customers).toBe(300); // c0 has no orders left (−1); "future"'s order is now in the past (+1)
  });
});

describe.each(databaseTargets())("demo history on %s", (_name, createUrl) => {
  let db: Db;
  beforeAll(async () => {
    db = openDb(await createUrl());
  });
  afterAll(dropAll);

  it("seeds ~150 customers with orders and lines once, and fits their predictions", async () => {
    const workspace = await db.workspace.create({
      data: { name: "Demo", isDemo: true, stores: { create: { platform: "demo", domain: "demo.example", name: "Demo", installedAt: NOW } } },
    });
    expect(await seedDemoHistory(db, { workspaceId: workspace.id, now: NOW })).toBe(150);
    expect(await db.customerPrediction.count({ where: { workspaceId: workspace.id } })).toBe(150);
    expect(await db.orderLine.count({ where: { workspaceId: workspace.id } })).toBeGreaterThan(150);
    const customer = await db.customer.findFirstOrThrow({ where: { workspaceId: workspace.id }, orderBy: { ordersCount: "desc" } });
    expect(customer.ordersCount).toBe(await db.order.count({ where: { customerId: customer.id } }));
    // Only once: a second call finds customers and leaves everything as it was.
    expect(await seedDemoHistory(db, { workspaceId: workspace.id, now: NOW })).toBe(0);
  });
});
