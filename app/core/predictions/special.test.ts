import { betaExpectation, hyp2f1, lnBeta, lnGamma, logAddExp, quantileSorted } from "./special";

describe("lnGamma", () => {
  it("matches factorials, Γ(1/2) = √π and a large argument (Stirling)", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lnGamma(1e-3)).toBeCloseTo(6.907178885383854, 10); // −ln(0.001) − γ·0.001 + …
    // Stirling with three correction terms, exact to ~1e-13 at x = 1000.
    const x = 1000;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
    expect(lnGamma(x)).toBeCloseTo(stirling, 9);
  });

  it("gives ln B(a, b) of simple cases", () => {
    expect(lnBeta(1, 1)).toBeCloseTo(0, 14);
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });
});

describe("logAddExp", () => {
  it("adds in log space without overflow", () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logAddExp(-Infinity, -5)).toBe(-5);
  });
});

describe("betaExpectation", () => {
  it("reproduces Beta moments, including endpoint singularities and concentrated shapes", () => {
    for (const [a, b] of [[0.3, 0.4], [0.793, 2.426], [1, 1], [2.5, 40], [60, 140], [0.05, 3], [4, 2000]]) {
      expect(betaExpectation(a, b, () => 1)).toBeCloseTo(1, 9);
      expect(betaExpectation(a, b, (p) => p) / (a / (a + b))).toBeCloseTo(1, 9);
      // E[p²] = a(a+1) / ((a+b)(a+b+1))
      expect(betaExpectation(a, b, (p) => p * p) / ((a * (a + 1)) / ((a + b) * (a + b + 1)))).toBeCloseTo(1, 8);
    }
  });

  it("gets E[1/p] = (a+b−1)/(a−1) right when a > 1", () => {
    expect(betaExpectation(2.5, 3, (p) => 1 / p)).toBeCloseTo((2.5 + 3 - 1) / 1.5, 8);
  });
});

describe("hyp2f1", () => {
  it("matches closed forms", () => {
    // 2F1(1, 1; 2; z) = −ln(1 − z)/z
    for (const z of [0.1, 0.5, 0.9, 0.99]) expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 9);
    // 2F1(a, b; b; z) = (1 − z)^−a
    expect(hyp2f1(0.7, 2.3, 2.3, 0.8)).toBeCloseTo(Math.pow(0.2, -0.7), 10);
    // 2F1(1/2, 1/2; 3/2; z²) = arcsin(z)/z
    expect(hyp2f1(0.5, 0.5, 1.5, 0.81)).toBeCloseTo(Math.asin(0.9) / 0.9, 9);
  });
});

describe("quantileSorted", () => {
  it("interpolates between order statistics and copes with infinities", () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([0, 10], 0.1)).toBeCloseTo(1, 12);
    expect(quantileSorted([1, Infinity, Infinity], 0.9)).toBe(Infinity);
  });
});
