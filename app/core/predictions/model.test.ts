import { probabilityAlive } from "./bgnbd";
import { expectedOrderValue, spendLogLikelihood } from "./gamma-gamma";
import { fitPurchaseModel, fitSpendModel, forecastCustomer, PURCHASE_PRIOR, purchaseData } from "./model";
import { SCENARIOS, simulateCustomers, statsAt } from "./simulate";

const truth = SCENARIOS.typical.truth;

function store(customers: number, seed: number) {
  const simulated = simulateCustomers({ customers, truth, seed, acquisitionDays: 730, untilDay: 730 });
  return simulated.map((customer) => statsAt(customer.orders, 730)).filter((stats) => stats !== null);
}

describe("Gamma-Gamma", () => {
  it("has a density of the mean order value that integrates to 1 and matches a hand-computed value", () => {
    // p = 1, q = 2, γ = 1, n = 1, m = 1: Γ(3)/(Γ(1)Γ(2)) · 1 · 1 · 1 / 2³ = 1/4
    expect(spendLogLikelihood({ p: 1, q: 2, gamma: 1 }, 1, 1)).toBeCloseTo(Math.log(0.25), 12);
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    let total = 0;
    for (let m = 0.005; m < 2000; m += 0.01) total += Math.exp(spendLogLikelihood(params, 3, m)) * 0.01;
    expect(total).toBeCloseTo(1, 3);
  });

  it("shrinks a customer's order value from the population mean towards their own with more orders", () => {
    const params = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = expectedOrderValue(params, 0, 0);
    expect(population).toBeCloseTo((6.25 * 15.44) / 2.74, 10);
    const one = expectedOrderValue(params, 1, 100);
    const ten = expectedOrderValue(params, 10, 100);
    expect(one).toBeGreaterThan(population);
    expect(ten).toBeGreaterThan(one);
    expect(ten).toBeLessThan(100 * 1.1);
  });
});

describe("fitting", () => {
  it("recovers the parameters of a synthetic store of 3 000 customers", () => {
    const customers = store(3000, 101);
    const purchase = fitPurchaseModel(purchaseData(customers), { seed: 1 });
    expect(purchase.diagnostics.converged).toBe(true);
    // Tolerances (|ln(estimate/truth)|) about twice the spread seen over seeds at this size (docs/predictions.md).
    expect(Math.abs(Math.log(purchase.r / truth.purchase.r))).toBeLessThan(0.25);
    expect(Math.abs(Math.log(purchase.alpha / truth.purchase.alpha))).toBeLessThan(0.3);
    expect(Math.abs(Math.log(purchase.a / truth.purchase.a))).toBeLessThan(0.5);
    expect(Math.abs(Math.log(purchase.b / truth.purchase.b))).toBeLessThan(0.6);
    // What matters downstream: the share of one-time buyers expected to be gone matches the truth.
    const history = { x: 0, tx: 0, T: 365 };
    expect(probabilityAlive(purchase, history, "mbg")).toBeCloseTo(probabilityAlive(truth.purchase, history, "mbg"), 1);

    const spend = fitSpendModel(customers.map((c) => c.spendOrders), customers.map((c) => c.spendMean), { meanOrderValue: 5000, seed: 2 });
    const meanOrder = (spend.p * spend.gamma) / (spend.q - 1);
    const trueMeanOrder = (truth.spend.p * truth.spend.gamma) / (truth.spend.q - 1);
    expect(Math.abs(Math.log(meanOrder / trueMeanOrder))).toBeLessThan(0.1);
    expect(Math.abs(Math.log(spend.p / truth.spend.p))).toBeLessThan(0.3);
  });

  it("falls back to the prior for a store without customers, and follows the data for a large one", () => {
    const empty = fitPurchaseModel(purchaseData([]), { seed: 1 });
    expect(empty.r).toBeCloseTo(PURCHASE_PRIOR.r.median, 3);
    expect(empty.alpha).toBeCloseTo(PURCHASE_PRIOR.alpha.median, 1);
    expect(empty.logSd.r).toBeCloseTo(PURCHASE_PRIOR.r.logSd, 2);

    const small = fitPurchaseModel(purchaseData(store(60, 5)), { seed: 1 });
    const large = fitPurchaseModel(purchaseData(store(3000, 5)), { seed: 1 });
    // The posterior narrows with data.
    expect(large.logSd.r).toBeLessThan(small.logSd.r / 2);
  });

  it("weights a sample up to the whole store: same curvature as the full data, about", () => {
    const customers = store(2000, 9);
    const full = fitPurchaseModel(purchaseData(customers), { seed: 1 });
    const half = fitPurchaseModel(purchaseData(customers.filter((_, index) => index % 2 === 0)), { seed: 1, weight: 2 });
    expect(half.logSd.r / full.logSd.r).toBeGreaterThan(0.8);
    expect(half.logSd.r / full.logSd.r).toBeLessThan(1.25);
  });
});

describe("forecastCustomer", () => {
  const customers = store(1500, 21);
  const purchase = fitPurchaseModel(purchaseData(customers), { seed: 1 });
  const spend = fitSpendModel(customers.map((c) => c.spendOrders), customers.map((c) => c.spendMean), { meanOrderValue: 5000, seed: 2 });
  const model = { variant: "mbg" as const, purchase, spend };

  it("is repeatable for a seed and keeps every point inside its interval", () => {
    const stats = { x: 4, tx: 300, T: 400, spendOrders: 5, spendMean: 7000 };
    const once = forecastCustomer(model, stats, 42);
    expect(forecastCustomer(model, stats, 42)).toEqual(once);
    expect(once.churnLow).toBeLessThanOrEqual(once.churnProbability);
    expect(once.churnProbability).toBeLessThanOrEqual(once.churnHigh);
    expect(once.clvLow).toBeLessThanOrEqual(once.clvHigh);
    expect(once.nextOrderLowDays).toBeLessThanOrEqual(once.nextOrderDays);
    expect(once.nextOrderDays).toBeLessThanOrEqual(once.nextOrderHighDays);
    expect(once.clv).toBeCloseTo(once.expectedOrders * once.expectedOrderValue, 6);
  });

  it("ranks a regular recent buyer above a lapsed one", () => {
    const regular = forecastCustomer(model, { x: 6, tx: 350, T: 360, spendOrders: 7, spendMean: 6000 }, 1);
    const lapsed = forecastCustomer(model, { x: 1, tx: 20, T: 600, spendOrders: 2, spendMean: 6000 }, 1);
    expect(regular.churnProbability).toBeLessThan(lapsed.churnProbability);
    expect(regular.clv).toBeGreaterThan(lapsed.clv * 3);
    expect(regular.nextOrderDays).toBeLessThan(lapsed.nextOrderDays);
  });

  it("gives a customer who has most likely gone no next order within the year", () => {
    const gone = forecastCustomer(model, { x: 1, tx: 10, T: 700, spendOrders: 2, spendMean: 3000 }, 1);
    expect(gone.churnProbability).toBeGreaterThan(0.5);
    expect(gone.nextOrderDays).toBe(Infinity);
    expect(gone.clvLow).toBe(0);
  });
});
