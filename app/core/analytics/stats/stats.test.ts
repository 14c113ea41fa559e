// Reference values were computed independently of this code; each block names where they come from.
import { daysToReach, newcombeInterval, normalCdf, normalQuantile, proportionSummary, sampleSizeForMeans, sampleSizeForRates, seededRandom, sequentialTest, studentTCdf, studentTQuantile, summarizeSample, twoProportionZTest, waldInterval, welchInterval, wilsonInterval } from "./index";

describe("distributions", () => {
  it("normal quantiles and CDF match the standard tables", () => {
    // Any normal table (e.g. Abramowitz & Stegun, Table 26.1/26.5); digits as printed by scipy.stats.norm.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 10);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 13);
    expect(normalCdf(-6)).toBeCloseTo(9.865876450376946e-10, 18);
  });

  it("Student's t quantiles match the printed t table, including the fractional df Welch's test needs", () => {
    // Integer df: the t table in any statistics text (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 10);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 10);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422724563012378, 10);
    expect(studentTQuantile(0.995, 5)).toBeCloseTo(4.032142983555228, 10);
    // Fractional df: scipy.stats.t.ppf(0.975, 17.776) and t.ppf(0.9, 3.5).
    expect(studentTQuantile(0.975, 17.776)).toBeCloseTo(2.102821310380221, 10);
    expect(studentTQuantile(0.9, 3.5)).toBeCloseTo(1.5765766051364052, 10);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138851986274, 10);
    expect(studentTCdf(2.228138851986274, 10)).toBeCloseTo(0.975, 12);
  });
});

describe("two proportions", () => {
  // Newcombe RG (1998), "Interval estimation for the difference between independent proportions: comparison of
  // eleven methods", Statistics in Medicine 17:873-890, Table II, method 10 (the score method we use), examples
  // (a)-(d), printed to 4 decimals there (recomputed from the formula with scipy 1.17 when writing this test: equal).
  it.each([
    { a: [56, 70], b: [48, 80], difference: 0.2, low: 0.0524, high: 0.3339 },
    { a: [9, 10], b: [3, 10], difference: 0.6, low: 0.1705, high: 0.809 },
    { a: [6, 7], b: [2, 7], difference: 0.5714, low: 0.0582, high: 0.8062 },
    { a: [5, 56], b: [0, 29], difference: 0.0893, low: -0.0381, high: 0.1926 },
  ])("Newcombe's interval for $a vs $b is ($low, $high)", ({ a, b, difference, low, high }) => {
    const result = newcombeInterval({ successes: a[0], trials: a[1] }, { successes: b[0], trials: b[1] });
    expect(result?.difference).toBeCloseTo(difference, 4);
    expect(result?.interval.low).toBeCloseTo(low, 4);
    expect(result?.interval.high).toBeCloseTo(high, 4);
  });

  it("the Wald interval of Newcombe's example (b) overshoots as the paper shows (0.2605, 0.9395)", () => {
    const wald = waldInterval({ successes: 9, trials: 10 }, { successes: 3, trials: 10 });
    expect(wald?.interval.low).toBeCloseTo(0.2605, 4);
    expect(wald?.interval.high).toBeCloseTo(0.9395, 4);
  });

  it("the pooled z-test of 56/70 vs 48/80 gives z = 2.6502, p = 0.0080", () => {
    // By hand: pooled p = 104/150, SE = sqrt(p(1−p)(1/70 + 1/80)) = 0.075467, z = 0.2 / SE; p = 2Φ(−|z|)
    // (checked with scipy.stats.norm.sf).
    const test = twoProportionZTest({ successes: 56, trials: 70 }, { successes: 48, trials: 80 });
    expect(test?.z).toBeCloseTo(2.6501719512585336, 8);
    expect(test?.pValue).toBeCloseTo(0.00804508136819656, 8);
  });

  it("says undefined rather than inventing a number", () => {
    expect(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 5 })).toBeNull();
    expect(twoProportionZTest({ successes: 0, trials: 10 }, { successes: 0, trials: 5 })).toBeNull();
    expect(newcombeInterval({ successes: 0, trials: 0 }, { successes: 1, trials: 5 })).toBeNull();
    expect(wilsonInterval({ successes: 0, trials: 10 })?.low).toBeCloseTo(0, 12);
    expect(() => newcombeInterval({ successes: 6, trials: 5 }, { successes: 1, trials: 5 })).toThrow("successes must be a whole number from 0 to trials (5), got 6");
  });
});

describe("Welch's interval", () => {
  // R's documentation example: t.test(extra ~ group, data = sleep) prints
  //   t = -1.8608, df = 17.776, p-value = 0.07939, 95 percent confidence interval: -3.3654832 0.2054832
  // (Student's 1908 sleep data, as shipped with R).
  const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

  it("reproduces R's t.test on the sleep data", () => {
    const result = welchInterval(summarizeSample(group1), summarizeSample(group2));
    expect(result?.difference).toBeCloseTo(-1.58, 10);
    expect(result?.t).toBeCloseTo(-1.8608, 4);
    expect(result?.degreesOfFreedom).toBeCloseTo(17.776, 3);
    expect(result?.pValue).toBeCloseTo(0.07939, 5);
    expect(result?.interval.low).toBeCloseTo(-3.3654832, 6);
    expect(result?.interval.high).toBeCloseTo(0.2054832, 6);
  });

  it("is undefined with fewer than two values in a group or no variation at all", () => {
    expect(welchInterval(summarizeSample([1]), summarizeSample(group2))).toBeNull();
    expect(welchInterval(summarizeSample([0, 0, 0]), summarizeSample([0, 0]))).toBeNull();
    expect(proportionSummary(3, 10).variance).toBeCloseTo(summarizeSample([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]).variance, 12);
  });
});

describe("sample-size planner", () => {
  it("matches R's power.prop.test(p1 = .50, p2 = .75, power = .90): n = 76.7 per group", () => {
    expect(sampleSizeForRates({ baselineRate: 0.5, minimumRelativeEffect: 0.5, power: 0.9 })).toEqual({ control: 77, treatment: 77, total: 154 });
  });

  it("matches the textbook means formula n = 2(z₁₋α/₂ + z₁₋β)²σ²/δ² (σ = δ, α = 0.05, power 0.8: 15.7 → 16)", () => {
    expect(sampleSizeForMeans({ standardDeviation: 1, minimumDifference: 1 })).toEqual({ control: 16, treatment: 16, total: 32 });
  });

  it("tells a small shop how long a 5 % holdout takes: 3 % conversion, +20 %, 40 entrants a day", () => {
    const even = sampleSizeForRates({ baselineRate: 0.03, minimumRelativeEffect: 0.2 });
    const holdout = sampleSizeForRates({ baselineRate: 0.03, minimumRelativeEffect: 0.2, ratio: 19 });
    // An uneven split needs fewer controls than an even one but many more people in all.
    expect(holdout.control).toBeLessThan(even.control);
    expect(holdout.total).toBeGreaterThan(even.total * 2);
    expect(daysToReach(holdout, { dailyEntrants: 40, controlShare: 0.05 })).toBe(Math.ceil(holdout.control / 2));
    expect(daysToReach(holdout, { dailyEntrants: 0, controlShare: 0.05 })).toBeNull();
    expect(() => sampleSizeForRates({ baselineRate: 0.6, minimumRelativeEffect: 1 })).toThrow("not a rate between 0 and 1");
  });
});

/**
 * Simulates sequential A/B tests, looking after every `batch` per group; returns how they ended. `draw(random, group)`
 * gives one recipient's outcome. With `stopOnNoDifference: false` a run goes on after "no difference" (only a
 * winner stops it), which measures the winner rule's false positives on their own, over every look.
 */
function simulate(input: {
  seed: number;
  runs: number;
  draw: (random: () => number, group: "a" | "b") => number;
  batch: number;
  maxPerGroup: number;
  mixingSd: number;
  minimumEffect: number;
  stopOnNoDifference?: boolean;
}) {
  const random = seededRandom(input.seed);
  const tally = { a: 0, b: 0, noDifference: 0, inconclusive: 0 };
  for (let run = 0; run < input.runs; run += 1) {
    const groups = { a: new Running(), b: new Running() };
    let outcome: string = "inconclusive";
    for (let n = input.batch; n <= input.maxPerGroup; n += input.batch) {
      for (let i = 0; i < input.batch; i += 1) {
        groups.a.add(input.draw(random, "a"));
        groups.b.add(input.draw(random, "b"));
      }
      const result = sequentialTest({ a: groups.a.summary(), b: groups.b.summary(), mixingSd: input.mixingSd, minimumEffect: input.minimumEffect });
      if (result.outcome.kind === "winner") {
        outcome = result.outcome.winner;
        break;
      }
      if (result.outcome.kind === "no_difference") {
        outcome = "noDifference";
        if (input.stopOnNoDifference !== false) break;
      }
    }
    if (outcome === "a") tally.a += 1;
    else if (outcome === "b") tally.b += 1;
    else if (outcome === "noDifference") tally.noDifference += 1;
    else tally.inconclusive += 1;
  }
  return tally;
}

/** Running sums for a group's summary (Welford), so each look costs nothing. */
class Running {
  private n = 0;
  private mean = 0;
  private squares = 0;
  add(value: number) {
    this.n += 1;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.squares += delta * (value - this.mean);
  }
  summary() {
    return { n: this.n, mean: this.mean, variance: this.n > 1 ? this.squares / (this.n - 1) : 0 };
  }
}

const bernoulli = (rates: { a: number; b: number }) => (random: () => number, group: "a" | "b") => (random() < rates[group] ? 1 : 0);

/** Revenue per recipient as shops see it: most recipients buy nothing, buyers' baskets are log-normal (mean ≈ 60). */
const revenue = (buyRate: number) => (random: () => number) => {
  if (random() >= buyRate) return 0;
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.exp(3.6 + 0.8 * normal);
};

describe("the sequential test (mSPRT)", () => {
  it("keeps the false-positive rate at or under 5 % in A/A tests looked at 100 times (seeded simulation)", () => {
    const runs = 2000;
    const tally = simulate({ seed: 20261125, runs, draw: bernoulli({ a: 0.05, b: 0.05 }), batch: 200, maxPerGroup: 20_000, mixingSd: 0.01, minimumEffect: 0.01, stopOnNoDifference: false });
    const falsePositives = (tally.a + tally.b) / runs;
    // Nominal 5 % plus three simulation standard errors (sqrt(0.05 · 0.95 / 2000) ≈ 0.0049). Measured: 2.0 % (40 of 2,000).
    expect(falsePositives).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
    // Not vacuous: the test does call winners by chance, and most A/A runs end in "no difference".
    expect(tally.a + tally.b).toBeGreaterThan(0);
    expect(tally.noDifference / runs).toBeGreaterThan(0.5);
  });

  it("keeps it under 5 % on skewed revenue per recipient too (5 % buy, log-normal baskets)", () => {
    const runs = 1000;
    const draw = revenue(0.05);
    const tally = simulate({ seed: 99, runs, draw: (random) => draw(random), batch: 200, maxPerGroup: 10_000, mixingSd: 0.6, minimumEffect: 0.6, stopOnNoDifference: false });
    // Measured: 1.5 % (15 of 1,000).
    expect((tally.a + tally.b) / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  });

  it("finds a real +20 % lift (5 % → 6 %) most of the time, and says 'b' when b is better", () => {
    const runs = 500;
    const tally = simulate({ seed: 7, runs, draw: bernoulli({ a: 0.05, b: 0.06 }), batch: 200, maxPerGroup: 20_000, mixingSd: 0.01, minimumEffect: 0.005 });
    // The fixed-horizon planner needs about 8,200 per group for this effect at 80 % power; the sequential test,
    // allowed up to 20,000, finds it in ≥ 90 % of runs (measured: 95.6 %) and never names the worse variant.
    expect(sampleSizeForRates({ baselineRate: 0.05, minimumRelativeEffect: 0.2 }).control).toBeGreaterThan(8000);
    expect(tally.a).toBe(0);
    expect(tally.b / runs).toBeGreaterThanOrEqual(0.9);
  });
});
