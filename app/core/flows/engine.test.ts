import { BLUEPRINTS } from "./blueprints";
import { nextStep } from "./engine";

const abandonedCart = BLUEPRINTS[0].definition;
const enteredAt = new Date("2026-01-10T10:00:00Z");
const at = (iso: string) => new Date(iso);
const who = { flowId: "flow_1", customerId: "cus_1" };
// The blueprint is transactional: it sends without marketing consent.
const circumstances = { timeZone: "UTC", acceptsMarketing: false, context: {} };
const noGoal = { ...circumstances, goalReached: null, entityActivityAt: enteredAt };

describe("nextStep on the abandoned-cart blueprint", () => {
  it("waits one hour after the checkout's last activity before the first email", () => {
    const state = { ...who, currentNodeId: "wait-1h", enteredAt, lastStepAt: null };
    expect(nextStep(abandonedCart, state, noGoal, at("2026-01-10T10:30:00Z"))).toEqual({ kind: "wait", until: at("2026-01-10T11:00:00Z") });
    expect(nextStep(abandonedCart, state, noGoal, at("2026-01-10T11:00:00Z"))).toEqual({ kind: "pass-delay", nodeId: "wait-1h", next: "email-reminder" });
  });

  it("pushes the wait back when the checkout is edited again", () => {
    const state = { ...who, currentNodeId: "wait-1h", enteredAt, lastStepAt: null };
    const edited = { ...circumstances, goalReached: null, entityActivityAt: at("2026-01-10T10:45:00Z") };
    expect(nextStep(abandonedCart, state, edited, at("2026-01-10T11:00:00Z"))).toEqual({ kind: "wait", until: at("2026-01-10T11:45:00Z") });
  });

  it("counts the later emails from the checkout's activity: 24 h and 72 h", () => {
    const second = { ...who, currentNodeId: "wait-24h", enteredAt, lastStepAt: at("2026-01-10T11:00:00Z") };
    expect(nextStep(abandonedCart, second, noGoal, at("2026-01-10T12:00:00Z"))).toEqual({ kind: "wait", until: at("2026-01-11T10:00:00Z") });
    const third = { ...who, currentNodeId: "wait-72h", enteredAt, lastStepAt: at("2026-01-11T10:00:00Z") };
    expect(nextStep(abandonedCart, third, noGoal, at("2026-01-11T10:00:00Z"))).toEqual({ kind: "wait", until: at("2026-01-13T10:00:00Z") });
  });

  it("sends the email node it stands on", () => {
    const decision = nextStep(abandonedCart, { ...who, currentNodeId: "email-reminder", enteredAt, lastStepAt: null }, noGoal, at("2026-01-10T11:00:00Z"));
    expect(decision.kind).toBe("send-email");
    if (decision.kind === "send-email") expect(decision.next).toBe("wait-24h");
  });

  it("exits with the goal's label once the goal is reached, before any step", () => {
    const state = { ...who, currentNodeId: "email-reminder", enteredAt, lastStepAt: null };
    expect(nextStep(abandonedCart, state, { ...circumstances, goalReached: "order placed", entityActivityAt: enteredAt }, at("2026-01-10T11:00:00Z"))).toEqual({
      kind: "exit",
      reason: "goal: order placed",
    });
  });

  it("completes at the end of the path", () => {
    expect(nextStep(abandonedCart, { ...who, currentNodeId: null, enteredAt, lastStepAt: enteredAt }, noGoal, enteredAt)).toEqual({ kind: "complete" });
  });
});
