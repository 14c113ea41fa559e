import { attributeOrder, attributeOrderWithCodes, codeCreditFor, type CodeGrant, type Touch } from "./attribution";
import { attritionOf, divideMinor, summarize, type MessageFacts } from "./kpis";

const ORDER = { placedAt: new Date("2026-03-10T12:00:00Z") };
const CLICKS_ONLY = { windowDays: 5, includeOpens: false };
const touch = (messageId: string, type: Touch["type"], at: string, machineOpen = false): Touch => ({ messageId, type, occurredAt: new Date(at), machineOpen });

describe("attributeOrder", () => {
  it("gives the order to the last click inside the window, and says why the others lost", () => {
    const touches = [
      touch("old", "click", "2026-03-04T11:00:00Z"), // 6 d 1 h before
      touch("earlier", "click", "2026-03-08T12:00:00Z"),
      touch("last", "click", "2026-03-10T11:59:00Z"),
      touch("late", "click", "2026-03-10T12:01:00Z"),
      touch("bot", "open", "2026-03-10T11:59:30Z", true),
      touch("human", "open", "2026-03-10T11:59:45Z"),
    ];
    const { winner, verdicts } = attributeOrder(ORDER, touches, CLICKS_ONLY);
    expect(winner?.messageId).toBe("last");
    expect(Object.fromEntries(verdicts.map((v) => [v.touch.messageId, v.verdict]))).toEqual({
      old: "outside-window",
      earlier: "superseded",
      last: "won",
      late: "after-order",
      bot: "machine-open",
      human: "opens-not-counted",
    });
    // With opens on, the later human open wins; the machine open still never counts.
    expect(attributeOrder(ORDER, touches, { windowDays: 5, includeOpens: true }).winner?.messageId).toBe("human");
    expect(attributeOrder(ORDER, [touches[4]], { windowDays: 5, includeOpens: true }).winner).toBeNull();
  });

  it("counts a touch exactly at the window's edge and at the order's instant; a tie goes to the click", () => {
    const edge = touch("edge", "click", "2026-03-05T12:00:00Z");
    expect(attributeOrder(ORDER, [edge], CLICKS_ONLY).winner).toBe(edge);
    const atOrder = [touch("b-open", "open", "2026-03-10T12:00:00Z"), touch("a-click", "click", "2026-03-10T12:00:00Z")];
    expect(attributeOrder(ORDER, atOrder, { windowDays: 1, includeOpens: true }).winner?.messageId).toBe("a-click");
  });

  it("attributes a cancelled order to nothing", () => {
    const { winner, verdicts } = attributeOrder({ ...ORDER, cancelledAt: new Date() }, [touch("m", "click", "2026-03-10T11:00:00Z")], CLICKS_ONLY);
    expect(winner).toBeNull();
    expect(verdicts[0].verdict).toBe("order-cancelled");
  });
});

describe("attributeOrderWithCodes", () => {
  const order = (codes: string[], extra: { customerId?: string; workspaceId?: string } = {}) => ({ ...ORDER, workspaceId: "ws-1", customerId: "cus-1", discountCodes: codes, ...extra });
  const grant = (code: string, messages: [string, string][], extra: Partial<CodeGrant> = {}): CodeGrant => ({
    code,
    workspaceId: "ws-1",
    customerId: "cus-1",
    flowId: "flow-winback",
    createdAt: new Date("2026-02-01T09:00:00Z"),
    messages: messages.map(([messageId, at]) => ({ messageId, sentAt: new Date(at) })),
    ...extra,
  });
  // A code made and mailed five weeks before the order: far outside the 5-day window.
  const winback = grant("WINBACK-AB12CD34", [["wb-1", "2026-02-01T09:00:00Z"], ["wb-2", "2026-02-03T09:00:00Z"], ["wb-after", "2026-03-11T09:00:00Z"]]);
  const laterClick = touch("newsletter", "click", "2026-03-10T11:00:00Z");

  it("gives the order to the code's journey, at its last email before the order, over a later click and outside the window", () => {
    const decision = attributeOrderWithCodes(order(["WINBACK-AB12CD34"]), [laterClick], [winback], CLICKS_ONLY);
    expect(decision.winner).toBeNull();
    expect(decision.code).toMatchObject({ code: "WINBACK-AB12CD34", grant: { flowId: "flow-winback" }, message: { messageId: "wb-2" } });
    expect(decision.verdicts.map((v) => v.verdict)).toEqual(["discount-code"]);
    // Without the code the click wins as before.
    expect(attributeOrderWithCodes(order([]), [laterClick], [winback], CLICKS_ONLY).winner).toBe(laterClick);
  });

  it("compares codes case-insensitively and keeps the order's spelling", () => {
    expect(codeCreditFor(order([" winback-ab12cd34"]), [winback])?.code).toBe(" winback-ab12cd34");
    expect(codeCreditFor(order(["WINBACK-AB12CD35"]), [winback])).toBeNull();
  });

  it("ignores a code made in another workspace or for another customer, made after the order, or never mailed before it", () => {
    expect(codeCreditFor(order(["WINBACK-AB12CD34"], { workspaceId: "ws-2" }), [winback])).toBeNull();
    expect(codeCreditFor(order(["WINBACK-AB12CD34"], { customerId: "cus-2" }), [winback])).toBeNull();
    expect(codeCreditFor(order(["WINBACK-AB12CD34"], { customerId: undefined }), [grant("WINBACK-AB12CD34", [["m", "2026-03-01T00:00:00Z"]], { customerId: "" })])).toBeNull();
    expect(codeCreditFor(order(["LATE-1"]), [grant("LATE-1", [["m", "2026-03-01T00:00:00Z"]], { createdAt: new Date("2026-03-11T00:00:00Z") })])).toBeNull();
    expect(codeCreditFor(order(["UNSENT-1"]), [grant("UNSENT-1", [["m", "2026-03-11T00:00:00Z"]])])).toBeNull();
    // …and then the last click still earns the order.
    expect(attributeOrderWithCodes(order(["WINBACK-AB12CD34"], { customerId: "cus-2" }), [laterClick], [winback], CLICKS_ONLY).winner).toBe(laterClick);
  });

  it("attributes a cancelled order to nothing, code or not", () => {
    const decision = attributeOrderWithCodes({ ...order(["WINBACK-AB12CD34"]), cancelledAt: new Date() }, [laterClick], [winback], CLICKS_ONLY);
    expect(decision.code).toBeNull();
    expect(decision.winner).toBeNull();
  });
});

describe("summarize", () => {
  const facts = (id: string, recipient: string, flags: Partial<MessageFacts> = {}): MessageFacts => ({
    id, recipient, status: "sent", delivered: true, humanOpened: false, clicked: false, unsubscribed: false, complained: false, ...flags,
  });

  it("adds up a hand-checked example: rates with their denominators, money in minor units per currency", () => {
    const messages = [
      facts("m1", "a@x", { clicked: true, humanOpened: true }),
      facts("m2", "a@x"),
      facts("m3", "b@x", { delivered: false, clicked: true }), // a click proves delivery
      facts("m4", "c@x", { delivered: false }),
      facts("m5", "d@x", { status: "suppressed", delivered: false }),
    ];
    const orders = [
      { messageId: "m1", recipient: "a@x", revenue: { amount: 1000, currency: "USD" } },
      { messageId: "m2", recipient: "a@x", revenue: { amount: 2001, currency: "USD" } },
      { messageId: "m3", recipient: "b@x", revenue: { amount: 500, currency: "EUR" } },
      { messageId: "other", recipient: "z@x", revenue: { amount: 9999, currency: "USD" } },
    ];
    const kpis = summarize(messages, orders);
    expect(kpis).toMatchObject({
      emailsSent: 4,
      recipients: 3,
      suppressed: 1,
      deliveryRate: { count: 3, of: 4, value: 0.75 },
      openRate: { count: 1, of: 3 },
      clickRate: { count: 2, of: 3 },
      conversions: 3,
      conversionRate: { count: 2, of: 3 },
      revenue: [{ currency: "USD", amount: 3001 }, { currency: "EUR", amount: 500 }],
      revenuePerRecipient: [{ currency: "USD", amount: 1000 }, { currency: "EUR", amount: 167 }], // 3001/3 = 1000.33, 500/3 = 166.67
      averageOrderValue: [{ currency: "USD", amount: 1501 }, { currency: "EUR", amount: 500 }], // 3001/2 = 1500.5 → 1501
    });
    expect(summarize([], []).openRate).toEqual({ count: 0, of: 0, value: null });
    expect(divideMinor(5, 2)).toBe(3);
  });

  it("counts attrition by reason, apart from goals and completions", () => {
    const attrition = attritionOf([
      { status: "exited", exitReason: "goal: order placed" },
      { status: "completed", exitReason: null },
      { status: "exited", exitReason: "reached an exit node" },
      { status: "exited", exitReason: "reached an exit node" },
      { status: "exited", exitReason: "store uninstalled" },
      { status: "active", exitReason: null },
    ]);
    expect(attrition).toEqual({
      ended: 5,
      reachedGoal: 1,
      completed: 1,
      leftEarly: { count: 3, of: 5, value: 0.6 },
      byReason: [{ reason: "reached an exit node", count: 2 }, { reason: "store uninstalled", count: 1 }],
    });
  });
});
