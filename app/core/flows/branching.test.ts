// The new nodes and rules through the pure engine: condition, split, A/B split, wait-until, consent, quiet hours.
import { FlowDefinition, type FlowDefinition as Definition } from "./definition";
import { abBucket, nextStep, type EnrollmentFacts, type EnrollmentState } from "./engine";

const enteredAt = new Date("2026-03-02T14:00:00Z"); // Monday 09:00 in New York
const at = (iso: string) => new Date(iso);

const email = (id: string, next: string | null = null) => ({ id, type: "email", name: id, subject: `Subject ${id}`, html: "<p>Hi</p>", text: "Hi", next });

function flow(nodes: unknown[], rules: unknown = undefined): Definition {
  return FlowDefinition.parse({
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create"], entity: "checkout" },
    goal: null,
    entry: (nodes[0] as { id: string }).id,
    nodes,
    ...(rules === undefined ? {} : { rules }),
  });
}

const state = (currentNodeId: string, overrides: Partial<EnrollmentState> = {}): EnrollmentState => ({
  flowId: "flow_1",
  customerId: "cus_1",
  currentNodeId,
  enteredAt,
  lastStepAt: null,
  ...overrides,
});

const facts = (overrides: Partial<EnrollmentFacts> = {}): EnrollmentFacts => ({
  goalReached: null,
  entityActivityAt: null,
  timeZone: "America/New_York",
  acceptsMarketing: true,
  context: {},
  ...overrides,
});

describe("condition node", () => {
  const definition = flow([
    { id: "vip", type: "condition", conditions: [{ path: "customer.ordersCount", op: "gte", value: 3 }, { path: "customer.totalSpent", op: "gte", value: 50000 }], yes: "thanks", no: "welcome" },
    email("thanks"),
    email("welcome"),
  ]);

  it("takes yes when every condition on the customer's metrics holds, and no otherwise", () => {
    // GIVEN a customer with 4 orders worth 600.00 WHEN the condition runs THEN the yes branch
    const loyal = facts({ context: { customer: { ordersCount: 4, totalSpent: 60000 } } });
    expect(nextStep(definition, state("vip"), loyal, enteredAt)).toEqual({ kind: "branch", nodeId: "vip", nodeType: "condition", next: "thanks", taken: { branch: "yes" } });
    // GIVEN a customer with 4 orders worth 100.00 THEN no
    const small = facts({ context: { customer: { ordersCount: 4, totalSpent: 10000 } } });
    expect(nextStep(definition, state("vip"), small, enteredAt)).toMatchObject({ next: "welcome", taken: { branch: "no" } });
  });

  it("reads the trigger event and the order placed since entering; match any", () => {
    const either = flow([
      { id: "check", type: "condition", match: "any", conditions: [{ path: "enrollment.placedOrderSinceEntering", op: "eq", value: true }, { path: "event.data.checkout.totalPrice", op: "gt", value: 20000 }], yes: "a", no: null },
      email("a"),
    ]);
    const bigCart = facts({ context: { enrollment: { placedOrderSinceEntering: false }, event: { data: { checkout: { totalPrice: 25000 } } } } });
    const ordered = facts({ context: { enrollment: { placedOrderSinceEntering: true }, event: { data: { checkout: { totalPrice: 100 } } } } });
    const neither = facts({ context: { enrollment: { placedOrderSinceEntering: false }, event: { data: { checkout: { totalPrice: 100 } } } } });
    expect(nextStep(either, state("check"), bigCart, enteredAt)).toMatchObject({ next: "a", taken: { branch: "yes" } });
    expect(nextStep(either, state("check"), ordered, enteredAt)).toMatchObject({ next: "a", taken: { branch: "yes" } });
    expect(nextStep(either, state("check"), neither, enteredAt)).toMatchObject({ next: null, taken: { branch: "no" } });
  });
});

describe("split node", () => {
  const definition = flow([
    {
      id: "by-cart",
      type: "split",
      branches: [
        { id: "big", conditions: [{ path: "checkout.totalPrice", op: "gte", value: 10000 }], next: "big-email" },
        { id: "mid", conditions: [{ path: "checkout.totalPrice", op: "gte", value: 5000 }], next: "mid-email" },
      ],
      else: "small-email",
    },
    email("big-email"),
    email("mid-email"),
    email("small-email"),
  ]);
  const cart = (totalPrice: number) => facts({ context: { checkout: { totalPrice } } });

  it("takes the first branch that matches, in order, else the else", () => {
    expect(nextStep(definition, state("by-cart"), cart(12000), enteredAt)).toMatchObject({ next: "big-email", taken: { branch: "big" } });
    expect(nextStep(definition, state("by-cart"), cart(7000), enteredAt)).toMatchObject({ next: "mid-email", taken: { branch: "mid" } });
    expect(nextStep(definition, state("by-cart"), cart(100), enteredAt)).toMatchObject({ next: "small-email", taken: { branch: "else" } });
  });
});

describe("A/B split node", () => {
  const definition = flow([
    { id: "test", type: "ab_split", variants: [{ id: "a", weight: 1, next: "email-a" }, { id: "b", weight: 3, next: "email-b" }, { id: "off", weight: 0, next: null }] },
    email("email-a"),
    email("email-b"),
  ]);

  it("assigns the same customer the same variant every time, and splits by weight", () => {
    const counts: Record<string, number> = { a: 0, b: 0, off: 0 };
    for (let i = 0; i < 2000; i += 1) {
      const customerId = `cus_${i}`;
      const first = nextStep(definition, state("test", { customerId }), facts(), enteredAt);
      const again = nextStep(definition, state("test", { customerId }), facts(), at("2027-01-01T00:00:00Z"));
      expect(again).toEqual(first);
      if (first.kind !== "branch" || !("variant" in first.taken)) throw new Error("expected a variant");
      expect(first.taken.bucket).toBe(abBucket({ customerId, flowId: "flow_1", nodeId: "test" }));
      counts[first.taken.variant] += 1;
    }
    // 1:3 weights → about 500 : 1500; a zero weight gets nobody
    expect(counts.off).toBe(0);
    expect(counts.a).toBeGreaterThan(400);
    expect(counts.a).toBeLessThan(600);
  });

  it("hashes customer, flow and node: another flow may assign differently", () => {
    const buckets = new Set(["flow_1", "flow_2", "flow_3", "flow_4"].map((flowId) => abBucket({ customerId: "cus_1", flowId, nodeId: "test" })));
    expect(buckets.size).toBeGreaterThan(1);
  });
});

describe("wait_until node", () => {
  const definition = flow([{ id: "weekday-10am", type: "wait_until", time: "10:00", weekdays: ["tue", "wed", "thu"], next: "send" }, email("send")]);

  it("waits for the next Tue-Thu at 10:00 in the store's time zone, then passes", () => {
    // GIVEN the enrollment reaches the node on Monday 09:00 New York time
    expect(nextStep(definition, state("weekday-10am"), facts(), enteredAt)).toEqual({ kind: "wait", until: at("2026-03-03T15:00:00Z") });
    // WHEN Tuesday 10:00 New York comes THEN it passes
    expect(nextStep(definition, state("weekday-10am"), facts(), at("2026-03-03T15:00:00Z"))).toEqual({ kind: "pass-delay", nodeId: "weekday-10am", next: "send" });
  });

  it("uses the node's own time zone when it names one", () => {
    const tokyo = flow([{ id: "w", type: "wait_until", time: "10:00", timeZone: "Asia/Tokyo", next: null }]);
    // Monday 14:00 UTC is Monday 23:00 in Tokyo: next 10:00 Tokyo is Tuesday 01:00 UTC
    expect(nextStep(tokyo, state("w"), facts(), enteredAt)).toEqual({ kind: "wait", until: at("2026-03-03T01:00:00Z") });
  });
});

describe("marketing consent rule", () => {
  it("skips email steps for customers without marketing consent in a marketing flow (the default)", () => {
    const marketing = flow([email("promo", "later"), email("later")]);
    expect(marketing.rules.consent).toBe("marketing");
    const decision = nextStep(marketing, state("promo"), facts({ acceptsMarketing: false }), enteredAt);
    expect(decision).toMatchObject({ kind: "skip-email", next: "later", reason: "no marketing consent" });
    expect(nextStep(marketing, state("promo"), facts({ acceptsMarketing: true }), enteredAt)).toMatchObject({ kind: "send-email" });
  });

  it("sends to everyone in a transactional flow", () => {
    const transactional = flow([email("receipt")], { consent: "transactional" });
    expect(nextStep(transactional, state("receipt"), facts({ acceptsMarketing: false }), enteredAt)).toMatchObject({ kind: "send-email" });
  });
});

describe("quiet hours rule", () => {
  const definition = flow([email("reminder")], { consent: "marketing", quietHours: { start: "21:00", end: "08:00" } });

  it("holds an email due inside quiet hours until they end, then sends it recording the deferral", () => {
    // GIVEN the email is reached at 21:30 New York time
    const arrived = at("2026-03-03T02:30:00Z");
    const reached = state("reminder", { lastStepAt: arrived });
    expect(nextStep(definition, reached, facts(), arrived)).toEqual({ kind: "wait", until: at("2026-03-03T13:00:00Z"), reason: "quiet hours 21:00-08:00 America/New_York" });
    // WHEN 08:00 comes THEN it is sent, marked as deferred
    expect(nextStep(definition, reached, facts(), at("2026-03-03T13:00:00Z"))).toMatchObject({ kind: "send-email", deferred: "quiet hours 21:00-08:00 America/New_York" });
  });

  it("sends at once outside quiet hours", () => {
    const decision = nextStep(definition, state("reminder", { lastStepAt: at("2026-03-03T18:00:00Z") }), facts(), at("2026-03-03T18:00:00Z"));
    expect(decision).toMatchObject({ kind: "send-email" });
    expect(decision).not.toHaveProperty("deferred");
  });
});
