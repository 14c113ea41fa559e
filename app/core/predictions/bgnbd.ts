// The purchase model: BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and its
// modification MBG/NBD (Batislam, Denizel & Filiztekin 2007), which we use in production.
//
// While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (shape r, rate α). After each
// purchase they drop out for good with probability p ~ Beta(a, b). In BG/NBD the drop-out chance follows repeat
// purchases only, so a customer who never bought again is "alive" by assumption; MBG/NBD also allows it right after
// the first purchase, which is what a store with many one-time buyers needs (their churn is the question).
//
// A customer's history is (x, tₓ, T): x repeat purchases, the last at tₓ, observed for T since the first purchase.
// Time is in whatever unit the caller uses (Nudgeflow uses days; the published CDNOW values are in weeks).
import { betaExpectation, lnBeta, lnGamma, logAddExp, logistic } from "./special";

export type PurchaseVariant = "bg" | "mbg";

export interface PurchaseParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface PurchaseHistory {
  /** Repeat purchases (orders after the first). */
  x: number;
  /** Time of the last purchase, measured from the first. */
  tx: number;
  /** Time from the first purchase to now. */
  T: number;
}

/** The b of the posterior Beta of p for a customer seen alive at T: b + x (BG), b + x + 1 (MBG). */
function betaShift(variant: PurchaseVariant, x: number): number {
  return variant === "bg" ? x : x + 1;
}

/**
 * ln L(r, α, a, b | x, tₓ, T).
 * BG/NBD (FHL 2005, eq. 6): B(a, b+x)/B(a, b) · Γ(r+x)α^r/Γ(r) · [(α+T)^-(r+x) + δ(x>0)·a/(b+x−1)·(α+tₓ)^-(r+x)].
 * MBG/NBD: B(a, b+x+1)/B(a, b) · Γ(r+x)α^r/Γ(r) · [(α+T)^-(r+x) + a/(b+x)·(α+tₓ)^-(r+x)].
 */
export function purchaseLogLikelihood(params: PurchaseParams, history: PurchaseHistory, variant: PurchaseVariant): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = history;
  const shift = betaShift(variant, x);
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnBeta(a, b + shift) - lnBeta(a, b);
  const aliveNow = -(r + x) * Math.log(alpha + T);
  if (shift === 0) return common + aliveNow; // BG/NBD with no repeat purchase: it cannot have dropped out
  const droppedAfterLast = Math.log(a) - Math.log(b + shift - 1) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(aliveNow, droppedAfterLast);
}

/**
 * The log-likelihood summed over many customers, with the terms that depend only on x computed once per distinct x
 * (a store's histories share few distinct x), so one evaluation costs a couple of logarithms per customer.
 */
export function purchaseLogLikelihoodSum(
  params: PurchaseParams,
  data: { x: Int32Array; tx: Float64Array; T: Float64Array; distinctX: Int32Array; xIndex: Int32Array },
  variant: PurchaseVariant,
): number {
  const { r, alpha, a, b } = params;
  const lnGammaR = lnGamma(r);
  const lnBetaAB = lnBeta(a, b);
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const common = new Float64Array(data.distinctX.length);
  const dropTerm = new Float64Array(data.distinctX.length);
  for (let k = 0; k < data.distinctX.length; k += 1) {
    const x = data.distinctX[k];
    const shift = betaShift(variant, x);
    common[k] = lnGamma(r + x) - lnGammaR + r * lnAlpha + lnBeta(a, b + shift) - lnBetaAB;
    dropTerm[k] = shift === 0 ? -Infinity : lnA - Math.log(b + shift - 1);
  }
  let total = 0;
  for (let i = 0; i < data.x.length; i += 1) {
    const k = data.xIndex[i];
    const rx = r + data.x[i];
    const aliveNow = -rx * Math.log(alpha + data.T[i]);
    const drop = dropTerm[k];
    total += common[k] + (drop === -Infinity ? aliveNow : logAddExp(aliveNow, drop - rx * Math.log(alpha + data.tx[i])));
  }
  return total;
}

/** P(the customer is still active at T | history). BG/NBD: 1 for x = 0 by construction. */
export function probabilityAlive(params: PurchaseParams, history: PurchaseHistory, variant: PurchaseVariant): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = history;
  const shift = betaShift(variant, x);
  if (shift === 0) return 1;
  // 1 / (1 + a/(b+shift−1) · ((α+T)/(α+tₓ))^(r+x))
  const z = Math.log(a) - Math.log(b + shift - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return logistic(z);
}

/**
 * E[purchases in (T, T+t] | history]. Given alive at T, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+shift) independently,
 * and the expected count is (1 − e^(−λpt))/p; its mean over λ is (1 − ((α+T)/(α+T+pt))^(r+x))/p, integrated over p
 * by quadrature. Equal to the published closed form with 2F1 (FHL 2005 eq. 10; Batislam et al. 2007) but without
 * its division by a − 1, which loses all precision near a = 1.
 */
export function expectedPurchases(params: PurchaseParams, history: PurchaseHistory, t: number, variant: PurchaseVariant): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = history;
  const rx = r + x;
  const scale = t / (alpha + T);
  const perDropout = (p: number) => -Math.expm1(-rx * Math.log1p(p * scale)) / p;
  const alive = probabilityAlive(params, history, variant);
  return alive * betaExpectation(a, b + betaShift(variant, x), perDropout);
}

/**
 * The time s after T by which the customer has placed their next order with probability q (null: never that likely).
 * P(next order within s) = P(alive) · (1 − ((α+T)/(α+T+s))^(r+x)): given alive, the wait is Exponential(λ) with λ
 * from its posterior Gamma, a Lomax distribution; dropping out happens only after an order, so it cannot cut the
 * wait short.
 */
export function nextPurchaseQuantile(params: PurchaseParams, history: PurchaseHistory, q: number, variant: PurchaseVariant): number | null {
  const alive = probabilityAlive(params, history, variant);
  if (q >= alive) return null;
  const rx = params.r + history.x;
  // (α+T)·((1 − q/P)^(−1/(r+x)) − 1)
  return (params.alpha + history.T) * Math.expm1(-Math.log1p(-q / alive) / rx);
}
