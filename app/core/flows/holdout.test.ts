// Holdouts through the pure engine: who is in the control group, and what a control-group journey does.
import { FlowDefinition, validateDefinition } from "./definition";
import { abBucket, HOLDOUT_REASON, holdoutBucket, inHoldout, nextStep, type EnrollmentFacts, type EnrollmentState } from "./engine";

const enteredAt = new Date("2026-03-02T14:00:00Z");
const CUSTOMERS = 100_000;
const customerIds = Array.from({ length: CUSTOMERS }, (_, index) => `cus_${index.toString(36)}`);

/** Pearson's chi-square statistic of observed against expected counts. */
const chiSquare = (observed: number[], expected: number[]) => observed.reduce((sum, count, index) => sum + (count - expected[index]) ** 2 / expected[index], 0);
// Upper 0.1 % points of the chi-square distribution (any table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
const CRITICAL_1_DF = 10.828;
const CRITICAL_9_DF = 27.877;

describe("holdout assignment", () => {
  it("puts 5 % of 100k simulated customers in the control group, within chance (chi-square, 1 df)", () => {
    const held = customerIds.filter((customerId) => inHoldout({ percent: 5 }, { customerId, flowId: "flow_checkout" })).length;
    const statistic = chiSquare([held, CUSTOMERS - held], [CUSTOMERS * 0.05, CUSTOMERS * 0.95]);
    expect(statistic).toBeLessThan(CRITICAL_1_DF);
    expect(held).toBeGreaterThan(4_500);
  });

  it("spreads buckets evenly (chi-square over ten deciles, 9 df) and independently of A/B buckets (2 × 2, 1 df)", () => {
    const deciles = new Array<number>(10).fill(0);
    // Control group (5 %) crossed with an A/B node's 50/50 split of the same customers in the same flow.
    const table = [0, 0, 0, 0];
    for (const customerId of customerIds) {
      const bucket = holdoutBucket({ customerId, flowId: "flow_welcome" });
      deciles[Math.floor(bucket / 1_000)] += 1;
      const held = bucket < 500 ? 1 : 0;
      const variantB = abBucket({ customerId, flowId: "flow_welcome", nodeId: "ab" }) >= 5_000 ? 1 : 0;
      table[held * 2 + variantB] += 1;
    }
    expect(chiSquare(deciles, new Array<number>(10).fill(CUSTOMERS / 10))).toBeLessThan(CRITICAL_9_DF);
    const rows = [table[0] + table[1], table[2] + table[3]];
    const columns = [table[0] + table[2], table[1] + table[3]];
    const expected = [0, 1, 2, 3].map((cell) => (rows[Math.floor(cell / 2)] * columns[cell % 2]) / CUSTOMERS);
    expect(chiSquare(table, expected)).toBeLessThan(CRITICAL_1_DF);
  });

  it("is sticky per customer and flow, differs between flows, and raising the percentage only adds to the control group", () => {
    const sample = customerIds.slice(0, 5_000);
    const first = sample.map((customerId) => inHoldout({ percent: 5 }, { customerId, flowId: "flow_a" }));
    expect(sample.map((customerId) => inHoldout({ percent: 5 }, { customerId, flowId: "flow_a" }))).toEqual(first);
    expect(sample.map((customerId) => inHoldout({ percent: 5 }, { customerId, flowId: "flow_b" }))).not.toEqual(first);
    const wider = sample.map((customerId) => inHoldout({ percent: 10 }, { customerId, flowId: "flow_a" }));
    expect(first.every((held, index) => !held || wider[index])).toBe(true);
    expect(wider.filter(Boolean).length).toBeGreaterThan(first.filter(Boolean).length);
  });

  it("keeps nobody out without a holdout or at 0 %", () => {
    expect(customerIds.slice(0, 2_000).some((customerId) => inHoldout(undefined, { customerId, flowId: "f" }) || inHoldout({ percent: 0 }, { customerId, flowId: "f" }))).toBe(false);
  });
});

describe("rules.holdout in the definition", () => {
  const base = {
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
    goal: null,
    entry: "hello",
    nodes: [{ id: "hello", type: "email", name: "Hello", subject: "Hi", html: "<p>Hi</p>", text: "Hi", next: null }],
  };

  it("is optional (documents without it have no holdout) and accepts 0-50 % in steps of 0.01", () => {
    const plain = validateDefinition(base);
    expect(plain.ok && plain.definition.rules.holdout).toBeUndefined();
    const kept = validateDefinition({ ...base, rules: { holdout: { percent: 2.5 } } });
    expect(kept.ok && kept.definition.rules.holdout).toEqual({ percent: 2.5 });
  });

  it("refuses percentages outside 0-50 with a clear message", () => {
    expect(validateDefinition({ ...base, rules: { holdout: { percent: 60 } } })).toEqual({ ok: false, problems: [{ path: "rules.holdout.percent", message: "a holdout keeps at most 50 % of customers out" }] });
    expect(validateDefinition({ ...base, rules: { holdout: { percent: -1 } } })).toMatchObject({ ok: false, problems: [{ message: "a holdout percentage is at least 0" }] });
    expect(validateDefinition({ ...base, rules: { holdout: { percent: 5.125 } } })).toMatchObject({ ok: false, problems: [{ message: "a holdout percentage has at most two decimals" }] });
  });
});

describe("a control-group journey in the engine", () => {
  const definition = FlowDefinition.parse({
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
    goal: { event: "order.add", scope: "customer" },
    entry: "wait",
    nodes: [
      { id: "wait", type: "delay", duration: { hours: 1 }, next: "code" },
      { id: "code", type: "discount_code", prefix: "BACK", kind: "percent", value: 10, expiresAfter: { days: 3 }, next: "remind" },
      { id: "remind", type: "email", name: "Remind", subject: "Your cart", html: "<p>Hi</p>", text: "Hi", next: null },
    ],
    rules: { holdout: { percent: 5 }, quietHours: { start: "00:00", end: "23:59", timeZone: "UTC" } },
  });
  const state = (currentNodeId: string, holdout: boolean): EnrollmentState => ({ flowId: "f", customerId: "c", currentNodeId, enteredAt, lastStepAt: null, holdout });
  const facts: EnrollmentFacts = { goalReached: null, entityActivityAt: null, timeZone: "UTC", acceptsMarketing: true, context: {} };
  const later = new Date(enteredAt.getTime() + 2 * 3_600_000);

  it("waits through delays exactly as a treated journey does, and exits on the goal", () => {
    expect(nextStep(definition, state("wait", true), facts, enteredAt)).toEqual(nextStep(definition, state("wait", false), facts, enteredAt));
    expect(nextStep(definition, state("wait", true), { ...facts, goalReached: "order placed" }, later)).toEqual({ kind: "exit", reason: "goal: order placed" });
  });

  it("gets no discount code and no email (without waiting for quiet hours: there is nothing to send)", () => {
    expect(nextStep(definition, state("code", true), facts, later)).toMatchObject({ kind: "skip-action", next: "remind", reason: HOLDOUT_REASON });
    expect(nextStep(definition, state("code", false), facts, later)).toMatchObject({ kind: "act" });
    expect(nextStep(definition, state("remind", true), facts, later)).toMatchObject({ kind: "skip-email", next: null, reason: "holdout: not sent" });
    expect(nextStep(definition, state("remind", false), facts, later)).toMatchObject({ kind: "wait" });
  });
});
