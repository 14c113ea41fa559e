// How many recipients a comparison needs, and how long that takes at a flow's traffic: the fixed-horizon normal
// approximation (Fleiss, Statistical Methods for Rates and Proportions, §4.2, without continuity correction; the
// same formula as R's power.prop.test). The sequential test usually stops earlier on a real effect and later
// (or never) on none; this is the planning figure merchants are shown.
import { normalQuantile } from "./distributions";

export interface SampleSizeInput {
  /** The control group's rate, e.g. 0.03 for 3 % conversion. */
  baselineRate: number;
  /** The smallest relative change worth detecting, e.g. 0.2 for +20 % (3 % → 3.6 %). */
  minimumRelativeEffect: number;
  /** Two-sided false-positive rate; default 0.05. */
  alpha?: number;
  /** Chance to detect the effect when it is there; default 0.8. */
  power?: number;
  /**
   * Treatment recipients per control recipient: 1 for an even A/B split, 19 for a 5 % holdout. Default 1.
   */
  ratio?: number;
}

export interface SampleSize {
  /** Recipients needed in the control (or A) group. */
  control: number;
  /** In the treatment (or B) group: control × ratio. */
  treatment: number;
  total: number;
}

/** Per-group sample sizes to detect `baselineRate × (1 + minimumRelativeEffect)` against `baselineRate`. */
export function sampleSizeForRates(input: SampleSizeInput): SampleSize {
  const { baselineRate: p1, minimumRelativeEffect: effect } = input;
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const ratio = input.ratio ?? 1;
  if (!(p1 > 0 && p1 < 1)) throw new RangeError(`the baseline rate is between 0 and 1 (0.03 for 3 %), got ${p1}`);
  if (!(effect !== 0 && Number.isFinite(effect))) throw new RangeError(`the minimum relative effect is a non-zero fraction (0.2 for +20 %), got ${effect}`);
  const p2 = p1 * (1 + effect);
  if (!(p2 > 0 && p2 < 1)) throw new RangeError(`baseline ${p1} changed by ${effect * 100} % is ${p2}, not a rate between 0 and 1`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha is between 0 and 1 (0.05), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power is between 0 and 1 (0.8), got ${power}`);
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`the ratio of treatment to control is positive, got ${ratio}`);
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
  const pooled = (p1 + ratio * p2) / (1 + ratio);
  const numerator = zAlpha * Math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio)) + zPower * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / ratio);
  const control = Math.ceil((numerator / (p2 - p1)) ** 2);
  const treatment = Math.ceil(control * ratio);
  return { control, treatment, total: control + treatment };
}

/** Per-group sizes for a difference of means (revenue per recipient) of `minimumDifference`, given the spread. */
export function sampleSizeForMeans(input: { standardDeviation: number; minimumDifference: number; alpha?: number; power?: number; ratio?: number }): SampleSize {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const ratio = input.ratio ?? 1;
  if (!(input.standardDeviation > 0)) throw new RangeError(`the standard deviation is positive, got ${input.standardDeviation}`);
  if (!(input.minimumDifference !== 0 && Number.isFinite(input.minimumDifference))) throw new RangeError(`the minimum difference is non-zero, got ${input.minimumDifference}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha is between 0 and 1 (0.05), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power is between 0 and 1 (0.8), got ${power}`);
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`the ratio of treatment to control is positive, got ${ratio}`);
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const control = Math.ceil(((z * input.standardDeviation) / input.minimumDifference) ** 2 * (1 + 1 / ratio));
  const treatment = Math.ceil(control * ratio);
  return { control, treatment, total: control + treatment };
}

/**
 * Days until both groups are big enough, at `dailyEntrants` customers entering the flow per day of whom
 * `controlShare` go to the control group (0.05 for a 5 % holdout, 0.5 for an even split). Null when nobody enters.
 */
export function daysToReach(size: SampleSize, input: { dailyEntrants: number; controlShare: number }): number | null {
  if (!(input.controlShare > 0 && input.controlShare < 1)) throw new RangeError(`the control share is between 0 and 1, got ${input.controlShare}`);
  if (!(input.dailyEntrants >= 0)) throw new RangeError(`daily entrants are ≥ 0, got ${input.dailyEntrants}`);
  if (input.dailyEntrants === 0) return null;
  const controlDays = size.control / (input.dailyEntrants * input.controlShare);
  const treatmentDays = size.treatment / (input.dailyEntrants * (1 - input.controlShare));
  return Math.ceil(Math.max(controlDays, treatmentDays));
}
