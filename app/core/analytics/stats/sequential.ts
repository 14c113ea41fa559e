// A sequential test that may be looked at after every new recipient without inflating false positives: the
// mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Peeking at A/B Tests"
// (KDD 2017) and "Always Valid Inference" (Operations Research 70(3), 2022), in its normal-approximation form.
//
// With θ = mean(a) − mean(b), its estimate θ̂ and that estimate's variance V = s²a/na + s²b/nb, and a normal
// mixture θ ~ N(0, τ²) over the alternatives, the mixture likelihood ratio against θ = θ0 is
//
//   Λ(θ0) = sqrt(V / (V + τ²)) · exp(τ² (θ̂ − θ0)² / (2 V (V + τ²)))
//
// Under θ = θ0 it is a non-negative martingale with mean 1, so by Ville's inequality the chance that it EVER
// reaches 1/α is at most α. Inverting it gives an always-valid confidence sequence, {θ0 : Λ(θ0) < 1/α}:
//
//   θ̂ ± sqrt( V (V + τ²) / τ² · (ln((V + τ²) / V) − 2 ln α) )
//
// which covers the true difference at every look at once with probability ≥ 1 − α. The decision reads it:
//   winner         the sequence excludes 0 (a better, or b better);
//   no difference  the sequence lies inside (−δ, δ), δ the smallest effect worth having;
//   inconclusive   otherwise, or while a group is under the minimum size for the normal approximation.
// Both a wrong winner and a wrong "no difference" therefore have probability ≤ α, however often one looks.
// The guarantee is exact for normal data with known variance; with estimated variances and 0/1 or skewed revenue
// data it rests on the central limit theorem, hence the minimum group size (the A/A simulations in the tests
// measure the false-positive rate that results).
import type { SampleSummary } from "./means";
import type { Interval } from "./proportions";

export interface SequentialInput {
  a: SampleSummary;
  b: SampleSummary;
  /** The bound on the chance of ever calling a wrong winner; default 0.05. */
  alpha?: number;
  /**
   * τ, the standard deviation of the mixture over effects, in the metric's units (an absolute difference of rates,
   * or of money per recipient). The test is most powerful for effects near τ: set it to the effect one hopes for.
   */
  mixingSd: number;
  /** δ: an absolute difference smaller than this is "no difference" worth acting on. */
  minimumEffect: number;
  /** Below this many per group the answer is inconclusive (the normal approximation needs numbers); default 100. */
  minimumPerGroup?: number;
}

export type SequentialOutcome =
  | { kind: "winner"; winner: "a" | "b" }
  | { kind: "no_difference" }
  | { kind: "inconclusive"; reason: string };

export interface SequentialResult {
  outcome: SequentialOutcome;
  /** mean(a) − mean(b). */
  difference: number;
  /** The always-valid interval at this look; null while undefined (too few, or no variation). */
  interval: Interval | null;
  /** The always-valid p-value at this look, min(1, 1/Λ(0)); null while undefined. */
  pValue: number | null;
}

export function sequentialTest(input: SequentialInput): SequentialResult {
  const alpha = input.alpha ?? 0.05;
  const minimum = input.minimumPerGroup ?? 100;
  const { a, b, mixingSd: tau, minimumEffect } = input;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha is between 0 and 1 (0.05), got ${alpha}`);
  if (!(tau > 0 && Number.isFinite(tau))) throw new RangeError(`the mixing standard deviation is positive, got ${tau}`);
  if (!(minimumEffect >= 0 && Number.isFinite(minimumEffect))) throw new RangeError(`the minimum effect is ≥ 0, got ${minimumEffect}`);
  const difference = a.mean - b.mean;
  if (a.n < minimum || b.n < minimum) {
    return { outcome: { kind: "inconclusive", reason: `fewer than ${minimum} in a group (${a.n} and ${b.n})` }, difference, interval: null, pValue: null };
  }
  const v = a.variance / a.n + b.variance / b.n;
  if (!(v > 0)) return { outcome: { kind: "inconclusive", reason: "no variation in either group yet" }, difference, interval: null, pValue: null };
  const tau2 = tau * tau;
  const logLambdaAtZero = 0.5 * Math.log(v / (v + tau2)) + (tau2 * difference * difference) / (2 * v * (v + tau2));
  const pValue = Math.min(1, Math.exp(-logLambdaAtZero));
  const half = Math.sqrt(((v * (v + tau2)) / tau2) * (Math.log((v + tau2) / v) - 2 * Math.log(alpha)));
  const interval = { low: difference - half, high: difference + half };
  if (interval.low > 0) return { outcome: { kind: "winner", winner: "a" }, difference, interval, pValue };
  if (interval.high < 0) return { outcome: { kind: "winner", winner: "b" }, difference, interval, pValue };
  if (minimumEffect > 0 && interval.low > -minimumEffect && interval.high < minimumEffect) return { outcome: { kind: "no_difference" }, difference, interval, pValue };
  return { outcome: { kind: "inconclusive", reason: "the interval still includes both no effect and an effect worth having" }, difference, interval, pValue };
}
