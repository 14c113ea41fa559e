// Comparing two rates (conversion, click): the two-proportion z-test and the Newcombe interval for the difference.
import { normalCdf, normalQuantile } from "./distributions";

/** `successes` of `trials`: converted recipients of recipients, clickers of delivered. */
export interface Proportion {
  successes: number;
  trials: number;
}

/** A two-sided interval at `level` (0.95 for 95 %). */
export interface Interval {
  low: number;
  high: number;
}

export interface RateDifference {
  /** a − b, as a fraction (0.012 = 1.2 percentage points). */
  difference: number;
  interval: Interval;
}

export interface ZTest {
  difference: number;
  z: number;
  /** Two-sided. */
  pValue: number;
}

function checkProportion(p: Proportion, name: string): void {
  if (!Number.isInteger(p.trials) || p.trials < 0) throw new RangeError(`${name}: trials must be a whole number ≥ 0, got ${p.trials}`);
  if (!Number.isInteger(p.successes) || p.successes < 0 || p.successes > p.trials) {
    throw new RangeError(`${name}: successes must be a whole number from 0 to trials (${p.trials}), got ${p.successes}`);
  }
}

function checkLevel(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`a confidence level is between 0 and 1 (0.95 for 95 %), got ${level}`);
  return normalQuantile(1 - (1 - level) / 2);
}

/**
 * The pooled two-proportion z-test of a − b = 0. Null when it is undefined: a group without trials, or no
 * variation at all (every trial a success, or none).
 */
export function twoProportionZTest(a: Proportion, b: Proportion): ZTest | null {
  checkProportion(a, "a");
  checkProportion(b, "b");
  if (a.trials === 0 || b.trials === 0) return null;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (standardError === 0) return null;
  const difference = a.successes / a.trials - b.successes / b.trials;
  const z = difference / standardError;
  return { difference, z, pValue: 2 * normalCdf(-Math.abs(z)) };
}

/** Wilson's score interval for one proportion (defined for 0 and all successes too; null without trials). */
export function wilsonInterval(p: Proportion, level = 0.95): Interval | null {
  checkProportion(p, "proportion");
  const z = checkLevel(level);
  if (p.trials === 0) return null;
  const n = p.trials;
  const rate = p.successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (rate + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / n + (z * z) / (4 * n * n))) / denominator;
  return { low: centre - half, high: centre + half };
}

/**
 * Newcombe's hybrid score interval for a − b ("method 10" of Newcombe 1998, Statistics in Medicine 17:873-890):
 * Wilson intervals of each rate combined by the square-and-add rule. Unlike the Wald interval it stays inside
 * [−1, 1], is defined at 0 successes, and keeps its coverage near nominal with small counts and rare events,
 * which is what a 5 % holdout of a small shop has. Null when a group has no trials.
 */
export function newcombeInterval(a: Proportion, b: Proportion, level = 0.95): RateDifference | null {
  const wilsonA = wilsonInterval(a, level);
  const wilsonB = wilsonInterval(b, level);
  if (!wilsonA || !wilsonB) return null;
  const rateA = a.successes / a.trials;
  const rateB = b.successes / b.trials;
  const difference = rateA - rateB;
  return {
    difference,
    interval: {
      low: difference - Math.sqrt((rateA - wilsonA.low) ** 2 + (wilsonB.high - rateB) ** 2),
      high: difference + Math.sqrt((wilsonA.high - rateA) ** 2 + (rateB - wilsonB.low) ** 2),
    },
  };
}

/** The Wald interval for a − b (Newcombe's method 1), for comparison only: it misbehaves with small counts. */
export function waldInterval(a: Proportion, b: Proportion, level = 0.95): RateDifference | null {
  checkProportion(a, "a");
  checkProportion(b, "b");
  const z = checkLevel(level);
  if (a.trials === 0 || b.trials === 0) return null;
  const rateA = a.successes / a.trials;
  const rateB = b.successes / b.trials;
  const half = z * Math.sqrt((rateA * (1 - rateA)) / a.trials + (rateB * (1 - rateB)) / b.trials);
  return { difference: rateA - rateB, interval: { low: rateA - rateB - half, high: rateA - rateB + half } };
}
