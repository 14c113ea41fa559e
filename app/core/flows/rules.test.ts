// The engine's rule decisions, pure: trigger matching with the failing condition, re-entry, the message budget's
// window, deferral and expiry, the goal before every step, and transactional flows outside the budget.
import { FlowDefinition } from "./definition";
import { budgetRoomAt, entryDecision, matchTrigger, nextStep } from "./engine";

const at = (iso: string) => new Date(iso);
const enteredAt = at("2026-05-01T10:00:00Z");
const email = { id: "promo", type: "email", name: "Promo", subject: "Hi", html: "<p>Hi</p>", text: "Hi", next: null };

function flow(rules: Record<string, unknown>) {
  return FlowDefinition.parse({
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [{ path: "checkout.email", op: "exists" }, { path: "checkout.totalPrice", op: "gte", value: 5000 }] },
    goal: { event: "order.add", scope: "entity" },
    rules,
    entry: "promo",
    nodes: [email],
  });
}
const state = { flowId: "flow_1", customerId: "cus_1", currentNodeId: "promo", enteredAt, lastStepAt: null };
const facts = { goalReached: null, entityActivityAt: null, timeZone: "UTC", acceptsMarketing: true, context: {} };
const overBudget = { rule: "1 per 16 h", roomAt: at("2026-05-02T02:00:00Z") };

describe("matchTrigger", () => {
  it("names the first condition that fails", () => {
    const { trigger } = flow({});
    expect(matchTrigger(trigger, { checkout: { email: "a@example.com", totalPrice: 6000 } })).toEqual({ matched: true });
    expect(matchTrigger(trigger, { checkout: { email: "a@example.com", totalPrice: 100 } })).toEqual({ matched: false, failed: "checkout.totalPrice gte 5000" });
    expect(matchTrigger(trigger, { checkout: {} })).toEqual({ matched: false, failed: "checkout.email exists" });
  });
});

describe("entryDecision", () => {
  const ended = { entryNumber: 1, status: "completed", endedAt: at("2026-05-01T00:00:00Z") };
  it("enters the first time; never re-enters a running journey", () => {
    expect(entryDecision(undefined, null, enteredAt)).toEqual({ enter: true, entryNumber: 1 });
    expect(entryDecision({ mode: "after", days: 1 }, { entryNumber: 3, status: "active", endedAt: null }, enteredAt)).toEqual({ enter: false, reason: "already in this flow (entry 3, active)" });
  });
  it("never (the default) refuses later triggers", () => {
    expect(entryDecision(undefined, ended, at("2027-01-01T00:00:00Z"))).toMatchObject({ enter: false, reason: expect.stringMatching(/^re-entry is off/) });
    expect(entryDecision({ mode: "never" }, ended, at("2027-01-01T00:00:00Z"))).toMatchObject({ enter: false });
  });
  it("after N days counts from when the last journey ended", () => {
    expect(entryDecision({ mode: "after", days: 7 }, ended, at("2026-05-07T23:59:59Z"))).toMatchObject({ enter: false });
    expect(entryDecision({ mode: "after", days: 7 }, ended, at("2026-05-08T00:00:00Z"))).toEqual({ enter: true, entryNumber: 2 });
  });
});

describe("budgetRoomAt", () => {
  const budget = { maxMessages: 2, windowHours: 10 };
  it("has room while fewer than the maximum are in the window", () => {
    expect(budgetRoomAt(budget, [at("2026-05-01T09:00:00Z")], at("2026-05-01T10:00:00Z"))).toBeNull();
    expect(budgetRoomAt(budget, [at("2026-05-01T00:00:00Z"), at("2026-05-01T09:00:00Z")], at("2026-05-01T10:00:00Z"))).toBeNull(); // 00:00 left at 10:00
  });
  it("opens when the oldest message that must leave has left", () => {
    const written = [at("2026-05-01T09:00:00Z"), at("2026-05-01T03:00:00Z"), at("2026-05-01T06:00:00Z")];
    expect(budgetRoomAt(budget, written, at("2026-05-01T10:00:00Z"))).toEqual(at("2026-05-01T16:00:00Z"));
  });
});

describe("nextStep with the message budget", () => {
  it("defers a marketing email over budget until the window has room, saying why", () => {
    expect(nextStep(flow({}), state, { ...facts, budget: overBudget }, at("2026-05-01T10:00:00Z"))).toEqual({ kind: "wait", until: overBudget.roomAt, reason: "message budget 1 per 16 h" });
  });
  it("sends once there is room, recording the deferral it waited for", () => {
    const deferred = { ...state, deferredReason: "message budget 1 per 16 h" };
    expect(nextStep(flow({}), deferred, { ...facts, budget: { rule: "1 per 16 h", roomAt: null } }, at("2026-05-02T02:00:00Z")))
      .toMatchObject({ kind: "send-email", deferred: "message budget 1 per 16 h" });
  });
  it("wakes at the expiry when it comes first, then skips the email with the reason", () => {
    const rules = { budgetExpiryHours: 4 };
    expect(nextStep(flow(rules), state, { ...facts, budget: overBudget }, at("2026-05-01T10:00:00Z"))).toEqual({ kind: "wait", until: at("2026-05-01T14:00:00Z"), reason: "message budget 1 per 16 h" });
    expect(nextStep(flow(rules), state, { ...facts, budget: overBudget }, at("2026-05-01T14:00:00Z")))
      .toMatchObject({ kind: "skip-email", reason: "message budget 1 per 16 h: still no room after 4 h", next: null });
  });
  it("leaves transactional flows outside the budget", () => {
    expect(nextStep(flow({ consent: "transactional", kind: "transactional" }), state, { ...facts, budget: overBudget }, at("2026-05-01T10:00:00Z"))).toMatchObject({ kind: "send-email" });
  });
  it("checks the goal first: a converted entity exits instead of waiting", () => {
    expect(nextStep(flow({}), state, { ...facts, goalReached: "order placed", budget: overBudget }, at("2026-05-01T10:00:00Z"))).toEqual({ kind: "exit", reason: "goal: order placed" });
  });
});

describe("flow rules validation", () => {
  it("refuses a transactional flow that requires marketing consent, and re-entry under a day", () => {
    const result = FlowDefinition.safeParse({ ...flow({}), rules: { consent: "marketing", kind: "transactional", reentry: { mode: "after", days: 0 } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(expect.arrayContaining(["rules.reentry.days"]));
    const kindOnly = FlowDefinition.safeParse({ ...flow({}), rules: { consent: "marketing", kind: "transactional" } });
    expect(kindOnly.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["rules.consent", expect.stringMatching(/transactional flow cannot require marketing consent/)]]);
  });
});

describe("nextStep with the suppression list", () => {
  const unsubscribed = "unsubscribed (unsubscribe link, 2026-04-30)";
  it("skips the email with the entry as the reason, before quiet hours, the budget or the consent check", () => {
    const quiet = flow({ consent: "marketing", quietHours: { start: "00:00", end: "23:59" } });
    expect(nextStep(quiet, state, { ...facts, acceptsMarketing: false, suppressed: unsubscribed, budget: overBudget }, at("2026-05-01T10:00:00Z")))
      .toEqual({ kind: "skip-email", node: expect.objectContaining({ id: "promo" }), next: null, reason: unsubscribed, suppressed: true });
  });
  it("sends when nothing stops the address, and says 'no marketing consent' when only consent is missing", () => {
    expect(nextStep(flow({}), state, { ...facts, suppressed: null }, at("2026-05-01T10:00:00Z"))).toMatchObject({ kind: "send-email" });
    expect(nextStep(flow({ consent: "marketing" }), state, { ...facts, acceptsMarketing: false, suppressed: null }, at("2026-05-01T10:00:00Z")))
      .toEqual({ kind: "skip-email", node: expect.objectContaining({ id: "promo" }), next: null, reason: "no marketing consent" });
  });
});
