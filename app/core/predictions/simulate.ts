// A synthetic store with known parameters, and the validation that fits the model to it and measures the error.
// Customers are drawn from MBG/NBD + Gamma-Gamma exactly as the model assumes; each is acquired at a uniform time in
// an acquisition window, observed until the calibration cut-off, then followed for a 12-month holdout.
// `npm run nudgeflow -- predictions validate` prints the report that docs/predictions.md quotes.
import { expectedPurchases, probabilityAlive, type PurchaseParams, type PurchaseVariant } from "./bgnbd";
import type { SpendParams } from "./gamma-gamma";
import { fitPurchaseModel, fitSpendModel, forecastCustomer, HORIZON_DAYS, purchaseData, type CustomerStats } from "./model";
import { Random } from "./random";

export interface TrueParameters {
  purchase: PurchaseParams;
  spend: SpendParams;
}

/** Two stores to validate against (days; values in cents). */
export const SCENARIOS: Record<string, { description: string; truth: TrueParameters }> = {
  typical: {
    description: "an online shop near the priors' centre: ~2.4 orders a year while active, 24 % drop-out per order, $60 mean order",
    truth: { purchase: { r: 0.6, alpha: 90, a: 0.8, b: 2.5 }, spend: { p: 5, q: 4, gamma: 3600 } },
  },
  cdnow: {
    description: "the published CDNOW estimates (weeks → days; Gamma-Gamma p = 6.25, q = 3.74, γ = $15.44), away from the priors' centre",
    truth: { purchase: { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 }, spend: { p: 6.25, q: 3.74, gamma: 1544 } },
  },
};

export interface SimulatedOrder {
  /** Days since the start of the acquisition window. */
  day: number;
  /** Minor units (at least 1). */
  value: number;
}

export interface SimulatedCustomer {
  orders: SimulatedOrder[];
  /** The day the customer dropped out (right after their last order), or Infinity while still active. */
  droppedAt: number;
  lambda: number;
  dropout: number;
  /** Their mean order value p/ν. */
  meanValue: number;
}

/** Draws `customers` customers and their orders up to `untilDay`, first orders uniform in [0, acquisitionDays). */
export function simulateCustomers(input: {
  customers: number;
  truth: TrueParameters;
  seed: number;
  acquisitionDays: number;
  untilDay: number;
  variant?: PurchaseVariant;
}): SimulatedCustomer[] {
  const random = new Random(input.seed);
  const { purchase, spend } = input.truth;
  const variant = input.variant ?? "mbg";
  const result: SimulatedCustomer[] = [];
  for (let i = 0; i < input.customers; i += 1) {
    const lambda = random.gamma(purchase.r) / purchase.alpha;
    const dropout = random.beta(purchase.a, purchase.b);
    const nu = random.gamma(spend.q) / spend.gamma;
    const orderValue = () => Math.max(1, Math.round(random.gamma(spend.p) / nu));
    let day = random.uniform() * input.acquisitionDays;
    const orders: SimulatedOrder[] = [{ day, value: orderValue() }];
    let droppedAt = Infinity;
    if (variant === "mbg" && random.uniform() < dropout) droppedAt = day;
    while (droppedAt === Infinity && orders.length < 100_000) {
      day += random.exponential(lambda);
      if (day > input.untilDay) break;
      orders.push({ day, value: orderValue() });
      if (random.uniform() < dropout) droppedAt = day;
    }
    result.push({ orders, droppedAt, lambda, dropout, meanValue: spend.p / nu });
  }
  return result;
}

/** A customer's calibration history at `cutoff` (days), in the model's terms; null when they had not bought yet. */
export function statsAt(orders: SimulatedOrder[], cutoff: number): CustomerStats | null {
  const before = orders.filter((order) => order.day <= cutoff);
  if (before.length === 0) return null;
  const first = before[0].day;
  const sum = before.reduce((total, order) => total + order.value, 0);
  return { x: before.length - 1, tx: before[before.length - 1].day - first, T: cutoff - first, spendOrders: before.length, spendMean: sum / before.length };
}

export interface ValidationRow {
  scenario: string;
  customers: number;
  replicates: number;
  /** Mean |ln(estimate / truth)| per parameter, over replicates. */
  logError: Record<string, number>;
  /** Share of (parameter, replicate) pairs whose 80 % interval (MAP ± 1.28 posterior sd on the log scale) held the truth. */
  parameterCoverage: number;
  orders: { mae: number; rmse: number; oracleMae: number; bias: number };
  churn: { brier: number; oracleBrier: number; calibrationError: number; intervalCoverage: number };
  clv: { mae: number; oracleMae: number; bias: number; coverage: number };
  nextOrder: { coverage: number };
  fitMs: number;
  forecastMs: number;
}

const Z80 = 1.2815515655446004;

/**
 * Fits one synthetic store per replicate and compares the forecasts with the holdout year and with the truth.
 * "oracle" figures use the true parameters (the best any fit of this model could do); bias is Σ predicted / Σ actual − 1.
 */
export function validateScenario(input: { scenario: string; customers: number; replicates: number; seed: number }): ValidationRow {
  const { truth } = SCENARIOS[input.scenario];
  const acquisitionDays = 730;
  const cutoff = acquisitionDays;
  const end = cutoff + HORIZON_DAYS;
  const sums = {
    logError: { r: 0, alpha: 0, a: 0, b: 0, p: 0, q: 0, gamma: 0 } as Record<string, number>,
    covered: 0,
    parameters: 0,
    n: 0,
    absOrders: 0,
    sqOrders: 0,
    oracleAbsOrders: 0,
    predictedOrders: 0,
    actualOrders: 0,
    brier: 0,
    oracleBrier: 0,
    churnCovered: 0,
    absClv: 0,
    oracleAbsClv: 0,
    predictedSpend: 0,
    actualSpend: 0,
    clvCovered: 0,
    nextCovered: 0,
    fitMs: 0,
    forecastMs: 0,
  };
  const bins = Array.from({ length: 10 }, () => ({ predicted: 0, observed: 0, count: 0 }));
  for (let replicate = 0; replicate < input.replicates; replicate += 1) {
    const seed = input.seed + replicate * 7919;
    const customers = simulateCustomers({ customers: input.customers, truth, seed, acquisitionDays, untilDay: end });
    const stats = customers.map((customer) => statsAt(customer.orders, cutoff));
    const known = stats.flatMap((s, index) => (s ? [{ s, customer: customers[index] }] : []));
    const fitStarted = performance.now();
    const purchase = fitPurchaseModel(purchaseData(known.map(({ s }) => s)), { seed: seed + 1 });
    const totalValue = known.reduce((sum, { s }) => sum + s.spendMean * s.spendOrders, 0);
    const totalOrders = known.reduce((sum, { s }) => sum + s.spendOrders, 0);
    const spend = fitSpendModel(known.map(({ s }) => s.spendOrders), known.map(({ s }) => s.spendMean), { meanOrderValue: totalValue / totalOrders, seed: seed + 2 });
    sums.fitMs += performance.now() - fitStarted;

    const estimates: [string, number, number, number][] = [
      ["r", purchase.r, truth.purchase.r, purchase.logSd.r],
      ["alpha", purchase.alpha, truth.purchase.alpha, purchase.logSd.alpha],
      ["a", purchase.a, truth.purchase.a, purchase.logSd.a],
      ["b", purchase.b, truth.purchase.b, purchase.logSd.b],
      ["p", spend.p, truth.spend.p, spend.logSd.p],
      ["q", spend.q, truth.spend.q, spend.logSd.qMinusOne],
      ["gamma", spend.gamma, truth.spend.gamma, spend.logSd.gamma],
    ];
    for (const [name, estimate, actual, logSd] of estimates) {
      // q is estimated as 1 + e^φ, so its interval is judged on ln(q − 1).
      const [e, t] = name === "q" ? [estimate - 1, actual - 1] : [estimate, actual];
      sums.logError[name] += Math.abs(Math.log(e / t));
      sums.parameters += 1;
      if (Math.abs(Math.log(e / t)) <= Z80 * logSd) sums.covered += 1;
    }

    const forecastStarted = performance.now();
    known.forEach(({ s, customer }, index) => {
      const forecast = forecastCustomer({ variant: "mbg", purchase, spend }, s, seed ^ (index * 2654435761));
      const holdout = customer.orders.filter((order) => order.day > cutoff && order.day <= end);
      const holdoutSpend = holdout.reduce((sum, order) => sum + order.value, 0);
      const history = { x: s.x, tx: s.tx, T: s.T };
      const oracleOrders = expectedPurchases(truth.purchase, history, HORIZON_DAYS, "mbg");
      const oracleChurn = 1 - probabilityAlive(truth.purchase, history, "mbg");
      const oracleValue = (truth.spend.p * (truth.spend.gamma + s.spendOrders * s.spendMean)) / (truth.spend.p * s.spendOrders + truth.spend.q - 1);
      const dead = customer.droppedAt <= cutoff ? 1 : 0;

      sums.n += 1;
      sums.absOrders += Math.abs(forecast.expectedOrders - holdout.length);
      sums.sqOrders += (forecast.expectedOrders - holdout.length) ** 2;
      sums.oracleAbsOrders += Math.abs(oracleOrders - holdout.length);
      sums.predictedOrders += forecast.expectedOrders;
      sums.actualOrders += holdout.length;
      sums.brier += (forecast.churnProbability - dead) ** 2;
      sums.oracleBrier += (oracleChurn - dead) ** 2;
      if (oracleChurn >= forecast.churnLow - 1e-12 && oracleChurn <= forecast.churnHigh + 1e-12) sums.churnCovered += 1;
      const bin = bins[Math.min(9, Math.floor(forecast.churnProbability * 10))];
      bin.predicted += forecast.churnProbability;
      bin.observed += dead;
      bin.count += 1;
      sums.absClv += Math.abs(forecast.clv - holdoutSpend);
      sums.oracleAbsClv += Math.abs(oracleOrders * oracleValue - holdoutSpend);
      sums.predictedSpend += forecast.clv;
      sums.actualSpend += holdoutSpend;
      if (holdoutSpend >= forecast.clvLow && holdoutSpend <= forecast.clvHigh) sums.clvCovered += 1;
      const next = holdout.length > 0 ? holdout[0].day - cutoff : Infinity;
      if (next >= forecast.nextOrderLowDays && next <= forecast.nextOrderHighDays) sums.nextCovered += 1;
    });
    sums.forecastMs += performance.now() - forecastStarted;
  }
  const n = sums.n;
  const calibrationError = bins.reduce((total, bin) => total + (bin.count ? Math.abs(bin.predicted - bin.observed) : 0), 0) / n;
  const logError = Object.fromEntries(Object.entries(sums.logError).map(([name, value]) => [name, value / input.replicates]));
  return {
    scenario: input.scenario,
    customers: input.customers,
    replicates: input.replicates,
    logError,
    parameterCoverage: sums.covered / sums.parameters,
    orders: { mae: sums.absOrders / n, rmse: Math.sqrt(sums.sqOrders / n), oracleMae: sums.oracleAbsOrders / n, bias: sums.predictedOrders / sums.actualOrders - 1 },
    churn: { brier: sums.brier / n, oracleBrier: sums.oracleBrier / n, calibrationError, intervalCoverage: sums.churnCovered / n },
    clv: { mae: sums.absClv / n, oracleMae: sums.oracleAbsClv / n, bias: sums.predictedSpend / sums.actualSpend - 1, coverage: sums.clvCovered / n },
    nextOrder: { coverage: sums.nextCovered / n },
    fitMs: sums.fitMs / input.replicates,
    forecastMs: sums.forecastMs / input.replicates,
  };
}
