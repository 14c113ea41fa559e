// The builder's form state against the rule language: drafts become the rules they show, rules come back as the
// same drafts, and problems land on the field they name.
import { BUILTIN_SEGMENT_DEFINITIONS, validateRule, type SegmentRule } from "~/core/segments/rules";
import { appendTo, fieldError, fromRule, groupProblems, newCondition, newGroup, otherProblems, parseNumber, removeAt, replaceAt, rulePath, toRule, KIND_FIELDS, type DraftGroup, type DraftLeaf } from "./rule-draft";

const root = (...conditions: DraftGroup["conditions"]): DraftGroup => ({ ...newGroup("all", conditions) });

describe("rule draft", () => {
  it("turns every kind's starting fields into a condition of that kind (valid unless it needs the merchant's input)", () => {
    for (const kind of Object.keys(KIND_FIELDS) as (keyof typeof KIND_FIELDS)[]) {
      const rule = toRule(root(newCondition(kind))) as SegmentRule;
      expect(rule.conditions[0].kind).toBe(kind);
    }
    // These start complete:
    for (const kind of ["metric", "orders_in_window", "cart_state", "engagement", "consent", "prediction"] as const) {
      expect(validateRule(toRule(root(newCondition(kind)))).ok, kind).toBe(true);
    }
    // These need a value typed in first, and say where:
    const domain = validateRule(toRule(root(newCondition("email_domain"))));
    expect(domain.ok ? [] : domain.problems.map((p) => p.path)).toEqual(["conditions[0].value"]);
  });

  it("round-trips the built-in rules and one of each kind through the form", () => {
    const everyKind: SegmentRule = {
      kind: "group",
      match: "any",
      conditions: [
        { kind: "email_domain", op: "is_not", value: "example.com" },
        { kind: "location", field: "region", op: "is", values: ["CA-ON", "NY"] },
        { kind: "tag", op: "has", value: "wholesale" },
        { kind: "consent", acceptsMarketing: false },
        { kind: "date", field: "first_order_at", op: "before", date: "2026-01-31" },
        { kind: "orders_in_window", measure: "spend", window: { calendar: "this_month" }, op: "gte", value: 250.5 },
        { kind: "bought", op: "has_not", category: "Tea", window: { days: 60 } },
        { kind: "bought", op: "has", productId: "p1" },
        { kind: "cart_state", state: "open_cart", op: "has", idleHours: 2, withinDays: 3 },
        { kind: "engagement", action: "clicked", op: "has_not", days: 14 },
        { kind: "store", op: "is", storeIds: ["s1", "s2"] },
        { kind: "segment", op: "not_in", segmentId: "seg1" },
        { kind: "prediction", measure: "churn_probability", op: "gt", value: 0.7 },
        { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "days_since_last_order", op: "lte", value: 30 }] },
      ],
    };
    for (const rule of [everyKind, ...Object.values(BUILTIN_SEGMENT_DEFINITIONS).map((d) => d.rule)]) {
      expect(validateRule(rule).ok).toBe(true);
      expect(toRule(fromRule(rule))).toEqual(rule);
    }
  });

  it("keeps what the merchant typed when it is not a number yet, so the rule is rejected at that field", () => {
    expect(parseNumber("12.5")).toBe(12.5);
    expect(parseNumber(" 7 ")).toBe(7);
    expect(parseNumber("")).toBe("");
    expect(parseNumber("1e3")).toBe("1e3");
    const leaf = newCondition("metric", { value: "" });
    const result = validateRule(toRule(root(leaf)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual(["conditions[0].value"]);
  });

  it("edits nested positions without touching the rest", () => {
    const a = newCondition("tag", { value: "a" });
    const inner = newGroup("any", [newCondition("tag", { value: "b" }), newCondition("tag", { value: "c" })]);
    let draft = root(a, inner);
    draft = replaceAt(draft, [1, 0], { ...(inner.conditions[0] as DraftLeaf), fields: { op: "has", value: "B" } });
    draft = removeAt(draft, [1, 1]);
    draft = appendTo(draft, [1], newCondition("tag", { value: "d" }));
    draft = appendTo(draft, [], newCondition("consent"));
    expect(toRule(draft)).toEqual({
      kind: "group",
      match: "all",
      conditions: [
        { kind: "tag", op: "has", value: "a" },
        { kind: "group", match: "any", conditions: [{ kind: "tag", op: "has", value: "B" }, { kind: "tag", op: "has", value: "d" }] },
        { kind: "consent", acceptsMarketing: true },
      ],
    });
  });

  it("puts each problem on its field, the window's days on the days field, and the rest on the condition or group", () => {
    const problems = [
      { path: "conditions[1].conditions[0].value", message: "must be 0 or more" },
      { path: "conditions[1].conditions[0].window.days", message: "a window is at least 1 day" },
      { path: "conditions[1].conditions[0].window", message: "bad window" },
      { path: "conditions[1].conditions[0].segmentId", message: "no such segment" },
      { path: "conditions[2].conditions", message: "a group needs at least one condition" },
      { path: "(rule)", message: "too many" },
    ];
    const at = "conditions[1].conditions[0]";
    expect(fieldError(problems, at, "value")).toBe("must be 0 or more");
    expect(fieldError(problems, at, "windowDays")).toBe("a window is at least 1 day");
    expect(fieldError(problems, at, "window")).toBe("bad window");
    expect(fieldError(problems, "conditions[1]", "value")).toBeUndefined();
    expect(otherProblems(problems, at, KIND_FIELDS.orders_in_window).map((p) => p.message)).toEqual(["no such segment"]);
    expect(groupProblems(problems, "conditions[2]").map((p) => p.message)).toEqual(["a group needs at least one condition"]);
    expect(groupProblems(problems, "").map((p) => p.message)).toEqual(["too many"]);
    expect(rulePath("rule.conditions[0].value")).toBe("conditions[0].value");
  });
});
