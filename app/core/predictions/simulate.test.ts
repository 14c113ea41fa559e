import { validateScenario } from "./simulate";

describe("validation against a synthetic store", () => {
  it("forecasts a 1 000-customer store's holdout year without gross error, and its 80 % intervals hold about 80 %", () => {
    const row = validateScenario({ scenario: "typical", customers: 1000, replicates: 1, seed: 5 });
    expect(Math.abs(row.orders.bias)).toBeLessThan(0.25);
    // The fitted model is nearly as good as one that knows the true parameters.
    expect(row.orders.mae).toBeLessThan(row.orders.oracleMae * 1.1);
    expect(row.churn.brier).toBeLessThan(row.churn.oracleBrier * 1.1);
    // Discrete outcomes (no order at all is common) make the predictive intervals cover a little more than 80 %.
    expect(row.clv.coverage).toBeGreaterThan(0.75);
    expect(row.clv.coverage).toBeLessThan(0.97);
    expect(row.nextOrder.coverage).toBeGreaterThan(0.75);
    expect(row.nextOrder.coverage).toBeLessThan(0.97);
  });
});
