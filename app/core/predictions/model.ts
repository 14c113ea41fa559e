// Fitting the purchase (MBG/NBD) and spend (Gamma-Gamma) models to a store, and predicting one customer from the
// fit. Pure and framework-free: the persistence around it is predictions.server.ts; the reasoning is in
// docs/predictions.md and docs/decisions/0017-predictions-bgnbd-gamma-gamma.md.
//
// Estimation is maximum a posteriori (MAP) with independent normal priors on the log-parameters, centred on
// typical e-commerce values: a store with a few hundred customers is pulled towards them, a large store follows its
// data. Parameter uncertainty is the Laplace approximation at the MAP (a normal with the inverse Hessian of the
// negative log posterior as covariance, on the log scale), from which a fixed number of parameter draws is taken
// with a seeded generator and stored with the model.
import { z } from "zod";
import { expectedPurchases, nextPurchaseQuantile, probabilityAlive, purchaseLogLikelihoodSum, type PurchaseParams, type PurchaseVariant } from "./bgnbd";
import { expectedOrderValue, spendRatePosterior, type SpendParams } from "./gamma-gamma";
import { cholesky, inverseFromCholesky, nelderMead, numericalHessian, solveUpperTransposed } from "./optimize";
import { Random } from "./random";
import { lnGamma, quantileSorted } from "./special";

export const MODEL_VERSION = 1;
/** Time unit of every duration in the models: days. */
export const DAY_MS = 86_400_000;
/** The prediction horizon: the next 12 months. */
export const HORIZON_DAYS = 365;
/** Parameter draws kept with the model (and simulated futures per customer). */
export const DRAW_COUNT = 200;
/** The intervals are central 80 % ones: the 10th and 90th percentiles. */
export const INTERVAL = { low: 0.1, high: 0.9 } as const;
export const VARIANT: PurchaseVariant = "mbg";

/** A normal prior on a parameter's logarithm: its median and the standard deviation of its logarithm. */
export interface LogNormalPrior {
  median: number;
  logSd: number;
}

/**
 * Priors of the purchase model (time in days). Centred on the published CDNOW fit (FHL 2005: r = 0.243,
 * α = 4.414 weeks = 31 days, a = 0.793, b = 2.426; MBG/NBD on the same data: r = 0.525, α = 6.18 weeks, a = 0.891,
 * b = 1.614, Batislam et al. 2007 / BTYDplus) moved to round values: an active customer buys about r/α = 3 times a
 * year and a purchase ends the relationship with probability a/(a+b) = 25 %. A log-sd of 1 lets each parameter
 * range over a factor of e² ≈ 7 either way at 95 %.
 */
export const PURCHASE_PRIOR: Record<keyof PurchaseParams, LogNormalPrior> = {
  r: { median: 0.5, logSd: 1 },
  alpha: { median: 60, logSd: 1 },
  a: { median: 1, logSd: 1 },
  b: { median: 3, logSd: 1 },
};

/**
 * Priors of the spend model, on p, q − 1 (q > 1 keeps the mean order value finite) and γ. p = 5 (orders of one
 * customer vary by 1/√p ≈ 45 %) and q − 1 = 3 follow the CDNOW Gamma-Gamma fit (p = 6.25, q = 3.74); γ is a money
 * scale, so its median is set per currency from the store's own mean order value m̄: γ = m̄·(q − 1)/p, which makes the
 * prior's population mean order value equal m̄.
 */
export const SPEND_PRIOR = {
  p: { median: 5, logSd: 1 },
  qMinusOne: { median: 3, logSd: 1 },
  gammaLogSd: 1,
} as const;

/** A customer's history in the models' terms (days). */
export interface CustomerStats {
  /** Repeat orders: orders after the first. */
  x: number;
  /** Days from the first order to the last. */
  tx: number;
  /** Days from the first order to now. */
  T: number;
  /** Orders that count for spend (those in the customer's currency) and their mean value in minor units. */
  spendOrders: number;
  spendMean: number;
}

export interface FitDiagnostics {
  customers: number;
  logPosterior: number;
  evaluations: number;
  converged: boolean;
  /** The Hessian was not positive definite and was regularised before the Laplace approximation. */
  hessianRepaired: boolean;
}

export const StoredPurchaseFit = z.object({
  r: z.number().positive(),
  alpha: z.number().positive(),
  a: z.number().positive(),
  b: z.number().positive(),
  /** Posterior standard deviation of each log-parameter (Laplace). */
  logSd: z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number() }),
  /** Parameter draws from the Laplace approximation, each [r, α, a, b]. */
  draws: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  diagnostics: z.object({ customers: z.number(), logPosterior: z.number(), evaluations: z.number(), converged: z.boolean(), hessianRepaired: z.boolean() }),
});
export type StoredPurchaseFit = z.infer<typeof StoredPurchaseFit>;

export const StoredSpendFit = z.object({
  p: z.number().positive(),
  q: z.number().gt(1),
  gamma: z.number().positive(),
  logSd: z.object({ p: z.number(), qMinusOne: z.number(), gamma: z.number() }),
  /** Each [p, q, γ]. */
  draws: z.array(z.tuple([z.number(), z.number(), z.number()])),
  /** The mean order value the prior was centred on (minor units). */
  priorMeanOrderValue: z.number().positive(),
  diagnostics: z.object({ customers: z.number(), logPosterior: z.number(), evaluations: z.number(), converged: z.boolean(), hessianRepaired: z.boolean() }),
});
export type StoredSpendFit = z.infer<typeof StoredSpendFit>;

/** What PredictionModel.params holds. */
export const StoredModel = z.object({
  version: z.literal(MODEL_VERSION),
  variant: z.enum(["bg", "mbg"]),
  timeUnit: z.literal("day"),
  horizonDays: z.number().positive(),
  interval: z.object({ low: z.number(), high: z.number() }),
  purchase: StoredPurchaseFit,
  /** One spend model per currency (order values in different currencies cannot share a scale). */
  spend: z.record(z.string(), StoredSpendFit),
  seed: z.number().int(),
  fitMs: z.number(),
});
export type StoredModel = z.infer<typeof StoredModel>;

interface MapFit {
  phi: number[];
  logSd: number[];
  draws: number[][];
  diagnostics: FitDiagnostics;
}

/**
 * MAP on log-parameters φ with priors N(μ, σ²), then the Laplace approximation and `drawCount` draws of φ.
 * `negLogLikelihood` receives the parameters themselves (exp φ, mapped by `fromPhi`).
 */
function fitMap(options: {
  mu: number[];
  sigma: number[];
  negLogLikelihood: (phi: number[]) => number;
  customers: number;
  drawCount: number;
  seed: number;
}): MapFit {
  const { mu, sigma } = options;
  const negLogPosterior = (phi: number[]) => {
    let penalty = 0;
    for (let k = 0; k < phi.length; k += 1) penalty += ((phi[k] - mu[k]) / sigma[k]) ** 2 / 2;
    return options.negLogLikelihood(phi) + penalty;
  };
  const result = nelderMead(negLogPosterior, mu, { step: 0.5, restarts: 1, maxEvaluations: 4000, xTolerance: 1e-5, fTolerance: 1e-11 });
  const hessian = numericalHessian(negLogPosterior, result.x, 1e-3);
  let factor = cholesky(hessian);
  let hessianRepaired = false;
  // Not positive definite (a flat or not-quite-converged direction): add a growing multiple of the prior precision.
  for (let ridge = 1e-6; !factor && ridge <= 1e3; ridge *= 10) {
    hessianRepaired = true;
    factor = cholesky(hessian.map((row, i) => row.map((value, j) => (i === j ? value + ridge * (Math.abs(value) + 1 / sigma[i] ** 2) : value))));
  }
  // Last resort: the prior alone.
  factor ??= sigma.map((s, i) => sigma.map((_, j) => (i === j ? 1 / s : 0)));
  const covariance = inverseFromCholesky(factor);
  const random = new Random(options.seed);
  const draws = Array.from({ length: options.drawCount }, () => {
    const z = result.x.map(() => random.normal());
    const offset = solveUpperTransposed(factor, z);
    return result.x.map((value, k) => value + offset[k]);
  });
  return {
    phi: result.x,
    logSd: covariance.map((row, i) => Math.sqrt(row[i])),
    draws,
    diagnostics: { customers: options.customers, logPosterior: -result.value, evaluations: result.evaluations, converged: result.converged, hessianRepaired },
  };
}

/** Histories in columns, with the distinct x values the likelihood groups by. */
export interface PurchaseData {
  x: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  distinctX: Int32Array;
  xIndex: Int32Array;
}

export function purchaseData(customers: ArrayLike<{ x: number; tx: number; T: number }>): PurchaseData {
  const n = customers.length;
  const x = new Int32Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const positions = new Map<number, number>();
  const xIndex = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    x[i] = customers[i].x;
    tx[i] = customers[i].tx;
    T[i] = customers[i].T;
    let position = positions.get(x[i]);
    if (position === undefined) {
      position = positions.size;
      positions.set(x[i], position);
    }
    xIndex[i] = position;
  }
  return { x, tx, T, distinctX: Int32Array.from(positions.keys()), xIndex };
}

const PURCHASE_KEYS = ["r", "alpha", "a", "b"] as const;
const toPurchaseParams = (phi: number[]): PurchaseParams => ({ r: Math.exp(phi[0]), alpha: Math.exp(phi[1]), a: Math.exp(phi[2]), b: Math.exp(phi[3]) });

/**
 * Each customer's log-likelihood is counted `weight` times: a large store is fitted on a uniform sample of its
 * customers weighted up to the whole (docs/predictions.md, "Large stores"), which keeps the MAP and the curvature
 * of the full data at a bounded cost.
 */
export function fitPurchaseModel(
  data: PurchaseData,
  options: { variant?: PurchaseVariant; prior?: typeof PURCHASE_PRIOR; drawCount?: number; seed?: number; weight?: number } = {},
): StoredPurchaseFit {
  const weight = options.weight ?? 1;
  const prior = options.prior ?? PURCHASE_PRIOR;
  const variant = options.variant ?? VARIANT;
  const fit = fitMap({
    mu: PURCHASE_KEYS.map((key) => Math.log(prior[key].median)),
    sigma: PURCHASE_KEYS.map((key) => prior[key].logSd),
    negLogLikelihood: (phi) => -weight * purchaseLogLikelihoodSum(toPurchaseParams(phi), data, variant),
    customers: Math.round(data.x.length * weight),
    drawCount: options.drawCount ?? DRAW_COUNT,
    seed: options.seed ?? 1,
  });
  const point = toPurchaseParams(fit.phi);
  return {
    ...point,
    logSd: { r: fit.logSd[0], alpha: fit.logSd[1], a: fit.logSd[2], b: fit.logSd[3] },
    draws: fit.draws.map((phi) => {
      const params = toPurchaseParams(phi);
      return [params.r, params.alpha, params.a, params.b];
    }),
    diagnostics: fit.diagnostics,
  };
}

const toSpendParams = (phi: number[]): SpendParams => ({ p: Math.exp(phi[0]), q: 1 + Math.exp(phi[1]), gamma: Math.exp(phi[2]) });

/**
 * Fits Gamma-Gamma to customers' (order count, mean order value) in one currency. Customers whose mean is not
 * positive (only free orders) carry no information about the value scale and are left out of the likelihood.
 */
export function fitSpendModel(
  orders: ArrayLike<number>,
  means: ArrayLike<number>,
  options: { meanOrderValue: number; drawCount?: number; seed?: number; weight?: number },
): StoredSpendFit {
  const weight = options.weight ?? 1;
  // Grouped by order count: the log-gamma terms depend only on n, so an evaluation costs one logarithm per customer.
  const groups = new Map<number, number>();
  const groupOf: number[] = [];
  const counts: number[] = [];
  const lnMeans: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < orders.length; i += 1) {
    if (!(orders[i] > 0 && means[i] > 0)) continue;
    let group = groups.get(orders[i]);
    if (group === undefined) {
      group = groups.size;
      groups.set(orders[i], group);
    }
    groupOf.push(group);
    counts.push(orders[i]);
    values.push(means[i]);
    lnMeans.push(Math.log(means[i]));
  }
  const distinctCounts = [...groups.keys()];
  const groupTerm = new Float64Array(distinctCounts.length);
  const priorMean = options.meanOrderValue > 0 ? options.meanOrderValue : 1;
  const fit = fitMap({
    mu: [Math.log(SPEND_PRIOR.p.median), Math.log(SPEND_PRIOR.qMinusOne.median), Math.log((priorMean * SPEND_PRIOR.qMinusOne.median) / SPEND_PRIOR.p.median)],
    sigma: [SPEND_PRIOR.p.logSd, SPEND_PRIOR.qMinusOne.logSd, SPEND_PRIOR.gammaLogSd],
    negLogLikelihood: (phi) => {
      // Σ ln f(m | p, q, γ, n) as in spendLogLikelihood, with the per-n terms computed once.
      const { p, q, gamma } = toSpendParams(phi);
      const lnGammaQ = lnGamma(q);
      const qLnGamma = q * Math.log(gamma);
      distinctCounts.forEach((n, group) => {
        groupTerm[group] = lnGamma(p * n + q) - lnGamma(p * n) - lnGammaQ + qLnGamma + p * n * Math.log(n);
      });
      let total = 0;
      for (let i = 0; i < counts.length; i += 1) {
        const pn = p * counts[i];
        total += groupTerm[groupOf[i]] + (pn - 1) * lnMeans[i] - (pn + q) * Math.log(gamma + counts[i] * values[i]);
      }
      return -weight * total;
    },
    customers: Math.round(counts.length * weight),
    drawCount: options.drawCount ?? DRAW_COUNT,
    seed: options.seed ?? 2,
  });
  const point = toSpendParams(fit.phi);
  return {
    ...point,
    logSd: { p: fit.logSd[0], qMinusOne: fit.logSd[1], gamma: fit.logSd[2] },
    draws: fit.draws.map((phi) => {
      const params = toSpendParams(phi);
      return [params.p, params.q, params.gamma];
    }),
    priorMeanOrderValue: priorMean,
    diagnostics: fit.diagnostics,
  };
}

/** What the model says about one customer over the horizon. Durations in days from now; money in minor units. */
export interface CustomerForecast {
  /** P(the customer has stopped buying), at the MAP, with the 10th–90th percentiles over parameter draws. */
  churnProbability: number;
  churnLow: number;
  churnHigh: number;
  /** Expected orders over the horizon (MAP). */
  expectedOrders: number;
  /** Expected value of their next orders (Gamma-Gamma, MAP). */
  expectedOrderValue: number;
  /** Expected spend over the horizon (MAP), and the 10th–90th percentiles of the posterior predictive of actual spend. */
  clv: number;
  clvLow: number;
  clvHigh: number;
  /** Median wait for the next order (MAP; Infinity: less than an even chance of ever), and the predictive 10th–90th percentiles. */
  nextOrderDays: number;
  nextOrderLowDays: number;
  nextOrderHighDays: number;
}

export interface PredictionInputs {
  variant: PurchaseVariant;
  purchase: StoredPurchaseFit;
  spend: StoredSpendFit;
  horizonDays?: number;
}

/**
 * The forecast for one customer. The intervals come from simulating DRAW_COUNT futures over the horizon, each with
 * its own parameter draw: alive or not (by P(alive) under that draw); if alive, λ and p from their posterior given
 * the history, orders as a Poisson process that stops after each order with probability p; each order's value from
 * the customer's posterior order-value distribution. `seed` makes it repeatable (the customer's id hash).
 */
export function forecastCustomer(model: PredictionInputs, stats: CustomerStats, seed: number): CustomerForecast {
  const horizon = model.horizonDays ?? HORIZON_DAYS;
  const { variant, purchase, spend } = model;
  const history = { x: stats.x, tx: stats.tx, T: stats.T };
  const alive = probabilityAlive(purchase, history, variant);
  const expectedOrders = expectedPurchases(purchase, history, horizon, variant);
  const orderValue = expectedOrderValue(spend, stats.spendOrders, stats.spendMean);
  const clv = expectedOrders * orderValue;
  const median = nextPurchaseQuantile(purchase, history, 0.5, variant);

  const draws = purchase.draws.length;
  const churnByDraw = new Float64Array(draws);
  const spendSims: number[] = [];
  const firstOrderSims: number[] = [];
  const random = new Random(seed);
  const shift = variant === "bg" ? stats.x : stats.x + 1;
  for (let s = 0; s < draws; s += 1) {
    const [r, alpha, a, b] = purchase.draws[s];
    const drawAlive = probabilityAlive({ r, alpha, a, b }, history, variant);
    churnByDraw[s] = 1 - drawAlive;
    if (random.uniform() >= drawAlive) continue;
    // The future drawn from its predictive distribution without drawing λ and p themselves: given k further orders
    // by time t, λ ~ Gamma(r+x+k, α+T+t), so the next wait is Lomax (sampled by inversion); having survived j
    // orders, p ~ Beta(a, b+shift+j), so the next order ends it with probability a/(a+b+shift+j).
    let time = 0;
    let count = 0;
    // Bounded so a pathological draw cannot spin: 10 000 orders a year is beyond any customer.
    while (count < 10_000) {
      time += (alpha + stats.T + time) * Math.expm1(-Math.log(random.uniform()) / (r + stats.x + count));
      if (time > horizon) break;
      if (count === 0) firstOrderSims.push(time);
      count += 1;
      if (random.uniform() < a / (a + b + shift + count - 1)) break;
    }
    if (count > 0) {
      // count orders of Gamma(p, ν) sum to Gamma(count·p, ν), with ν ~ Gamma(pn+q, γ+n·m) for this customer.
      const [p, q, gamma] = spend.draws[s % spend.draws.length];
      const rate = spendRatePosterior({ p, q, gamma }, stats.spendOrders, stats.spendMean);
      spendSims.push((random.gamma(count * p) / random.gamma(rate.shape)) * rate.rate);
    }
  }
  churnByDraw.sort();
  const churn = 1 - alive;
  const nextOrderDays = median ?? Infinity;
  return {
    churnProbability: churn,
    // The MAP can sit just outside the spread of the draws in skewed directions; the interval always contains it.
    churnLow: Math.min(churn, quantileSorted(churnByDraw, INTERVAL.low)),
    churnHigh: Math.max(churn, quantileSorted(churnByDraw, INTERVAL.high)),
    expectedOrders,
    expectedOrderValue: orderValue,
    clv,
    clvLow: quantileWithPadding(spendSims, draws, 0, INTERVAL.low),
    clvHigh: quantileWithPadding(spendSims, draws, 0, INTERVAL.high),
    nextOrderDays,
    nextOrderLowDays: Math.min(nextOrderDays, quantileWithPadding(firstOrderSims, draws, Infinity, INTERVAL.low)),
    nextOrderHighDays: Math.max(Number.isFinite(nextOrderDays) ? nextOrderDays : 0, quantileWithPadding(firstOrderSims, draws, Infinity, INTERVAL.high)),
  };
}

/**
 * The q-quantile of `total` simulated values of which only `values` are listed, the rest being `padding` (0 spend
 * below every value, or a next order never, above): most futures are one of those, so only the others are sorted.
 */
function quantileWithPadding(values: number[], total: number, padding: 0 | typeof Infinity, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const padded = total - values.length;
  const at = (index: number) => (padding === 0 ? (index < padded ? 0 : sorted[index - padded]) : index < values.length ? sorted[index] : Infinity);
  const position = q * (total - 1);
  const low = Math.floor(position);
  const fraction = position - low;
  const lowValue = at(low);
  if (fraction === 0) return lowValue;
  const highValue = at(low + 1);
  if (highValue === Infinity) return Infinity; // between an order and "none within the horizon": none
  return lowValue + (highValue - lowValue) * fraction;
}

/** The spend model for a currency the fit did not see (a new store): the prior alone, centred on this customer's own mean. */
export function priorSpendModel(meanOrderValue: number, seed = 3): StoredSpendFit {
  return fitSpendModel([], [], { meanOrderValue, seed, drawCount: DRAW_COUNT });
}
