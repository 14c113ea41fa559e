// The A/B decision of one split node, pure: per-recipient outcomes of each variant in, a sequential verdict and the
// planner's estimate out. Each variant is compared with the first (the baseline) by the mSPRT (stats/sequential.ts),
// at α / (variants − 1) so that the chance of any wrong winner stays ≤ α.
import { proportionSummary, summarizeSample, type SampleSummary } from "./stats/means";
import { sampleSizeForMeans, sampleSizeForRates } from "./stats/sample-size";
import { sequentialTest, type SequentialResult } from "./stats/sequential";

export type AbMetric = "revenue_per_recipient" | "conversion_rate" | "click_rate";

export const AB_METRIC_LABELS: Record<AbMetric, string> = {
  revenue_per_recipient: "revenue per recipient",
  conversion_rate: "conversion rate",
  click_rate: "click rate",
};

/** The smallest relative lift worth detecting, for the planner and the test's "no difference". */
export const MINIMUM_RELATIVE_EFFECT = 0.2;

export interface VariantOutcomes {
  id: string;
  /** Share of the split's customers the variant gets (its weight over the total). */
  share: number;
  /** One value per customer: revenue in minor units, or 1/0 for converted or clicked. */
  values: number[];
}

export interface VariantResult {
  id: string;
  customers: number;
  /** Mean per customer (a rate for 0/1 metrics; minor units for revenue). */
  mean: number | null;
  /** Against the baseline (null for the baseline itself). */
  comparison: SequentialResult | null;
}

export type AbVerdict =
  | { kind: "winner"; variant: string }
  | { kind: "no_difference" }
  | { kind: "inconclusive"; reason: string };

export interface AbTestResult {
  metric: AbMetric;
  verdict: AbVerdict;
  variants: VariantResult[];
  /** Customers each variant needs for the planner's fixed-horizon estimate (+20 % at 80 % power); null while unknown. */
  plannedPerVariant: number | null;
  /** Days until every variant has that many at the split's recent traffic; 0 when there; null while unknown. */
  daysRemaining: number | null;
}

function summaryOf(metric: AbMetric, values: number[]): SampleSummary {
  if (metric === "revenue_per_recipient") return summarizeSample(values);
  return proportionSummary(values.filter((value) => value > 0).length, values.length);
}

function plan(metric: AbMetric, baseline: SampleSummary): number | null {
  if (baseline.n < 2 || !(baseline.mean > 0)) return null;
  if (metric === "revenue_per_recipient") {
    if (!(baseline.variance > 0)) return null;
    return sampleSizeForMeans({ standardDeviation: Math.sqrt(baseline.variance), minimumDifference: baseline.mean * MINIMUM_RELATIVE_EFFECT }).control;
  }
  if (baseline.mean * (1 + MINIMUM_RELATIVE_EFFECT) >= 1) return null;
  return sampleSizeForRates({ baselineRate: baseline.mean, minimumRelativeEffect: MINIMUM_RELATIVE_EFFECT }).control;
}

/**
 * Decides an A/B(/n) test. The mixture scale τ and the "no difference" margin δ are both the minimum effect
 * (+20 % of the baseline's mean), so the test is tuned to the lift the planner sizes for.
 */
export function decideAbTest(input: { metric: AbMetric; variants: VariantOutcomes[]; dailyEntrants: number; alpha?: number }): AbTestResult {
  const { metric } = input;
  const alpha = (input.alpha ?? 0.05) / Math.max(1, input.variants.length - 1);
  const summaries = input.variants.map((variant) => summaryOf(metric, variant.values));
  const baseline = summaries[0];
  const effect = baseline && baseline.mean > 0 ? baseline.mean * MINIMUM_RELATIVE_EFFECT : null;
  const variants: VariantResult[] = input.variants.map((variant, index) => ({
    id: variant.id,
    customers: summaries[index].n,
    mean: summaries[index].n > 0 ? summaries[index].mean : null,
    comparison: index === 0 || effect === null ? null : sequentialTest({ a: summaries[index], b: baseline, alpha, mixingSd: effect, minimumEffect: effect }),
  }));
  const plannedPerVariant = baseline ? plan(metric, baseline) : null;
  const slowest = Math.min(...input.variants.map((variant) => variant.share).filter((share) => share > 0));
  const fewest = Math.min(...summaries.map((summary) => summary.n));
  const daysRemaining = plannedPerVariant === null || !(input.dailyEntrants > 0) || !Number.isFinite(slowest)
    ? null
    : Math.max(0, Math.ceil((plannedPerVariant - fewest) / (input.dailyEntrants * slowest)));
  return { metric, verdict: verdictOf(variants, effect), variants, plannedPerVariant, daysRemaining };
}

function verdictOf(variants: VariantResult[], effect: number | null): AbVerdict {
  if (variants.length < 2) return { kind: "inconclusive", reason: "a test needs two variants with customers" };
  if (effect === null) return { kind: "inconclusive", reason: `not enough data yet: the baseline "${variants[0].id}" has no ${variants[0].customers ? "result" : "customers"} yet` };
  const challengers = variants.slice(1);
  const better = challengers.filter((variant) => variant.comparison?.outcome.kind === "winner" && variant.comparison.outcome.winner === "a");
  if (better.length > 0) {
    const best = better.reduce((top, variant) => ((variant.mean ?? 0) > (top.mean ?? 0) ? variant : top));
    return { kind: "winner", variant: best.id };
  }
  if (challengers.every((variant) => variant.comparison?.outcome.kind === "winner" && variant.comparison.outcome.winner === "b")) return { kind: "winner", variant: variants[0].id };
  if (challengers.every((variant) => variant.comparison?.outcome.kind === "no_difference")) return { kind: "no_difference" };
  const waiting = challengers.find((variant) => variant.comparison?.outcome.kind === "inconclusive");
  const reason = waiting?.comparison?.outcome.kind === "inconclusive" ? waiting.comparison.outcome.reason : "the variants are not all decided yet";
  return { kind: "inconclusive", reason };
}
