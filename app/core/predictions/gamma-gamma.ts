// The spend model: Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: Using iso-value curves for customer base
// analysis"; Colombo & Jiang 1999). Each order's value is Gamma(p, ν) (shape p, rate ν); ν varies across customers
// as Gamma(q, γ) (shape q, rate γ). A customer's mean order value is then p/ν, with population mean p·γ/(q − 1),
// and is independent of how often they buy. A customer's history is n orders with mean value m.
import { lnGamma } from "./special";

export interface SpendParams {
  p: number;
  q: number;
  gamma: number;
}

/**
 * ln f(m | p, q, γ, n), the density of the mean of n order values (FHL 2005b, eq. 3):
 * Γ(pn+q) / (Γ(pn)Γ(q)) · γ^q · m^(pn−1) · n^(pn) / (γ + n·m)^(pn+q).
 */
export function spendLogLikelihood(params: SpendParams, n: number, mean: number): number {
  const { p, q, gamma } = params;
  const pn = p * n;
  return (
    lnGamma(pn + q) - lnGamma(pn) - lnGamma(q) + q * Math.log(gamma) + (pn - 1) * Math.log(mean) + pn * Math.log(n) -
    (pn + q) * Math.log(gamma + n * mean)
  );
}

/** E[the customer's mean order value | n orders averaging m] = p(γ + n·m)/(pn + q − 1); n = 0 gives pγ/(q − 1). */
export function expectedOrderValue(params: SpendParams, n: number, mean: number): number {
  return (params.p * (params.gamma + n * mean)) / (params.p * n + params.q - 1);
}

/** The customer's ν given their orders: Gamma(shape pn + q, rate γ + n·m). */
export function spendRatePosterior(params: SpendParams, n: number, mean: number): { shape: number; rate: number } {
  return { shape: params.p * n + params.q, rate: params.gamma + n * mean };
}
