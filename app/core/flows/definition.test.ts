import { BLUEPRINTS } from "./blueprints";
import { FlowDefinition, validateDefinition, validateDefinitionJson } from "./definition";

const valid = BLUEPRINTS[0].definition;
const problems = (definition: unknown) => {
  const result = FlowDefinition.safeParse(definition);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("FlowDefinition", () => {
  it("accepts the blueprint", () => {
    expect(problems(valid)).toEqual([]);
  });

  it("names a next node that does not exist", () => {
    const nodes = valid.nodes.map((node) => (node.id === "email-reminder" ? { ...node, next: "nowhere" } : node));
    expect(problems({ ...valid, nodes })).toContain('node "email-reminder" goes to "nowhere", which does not exist');
  });

  it("finds unreachable nodes and loops", () => {
    const unreachable = { ...valid, nodes: [...valid.nodes, { id: "orphan", type: "exit" }] };
    expect(problems(unreachable)).toContain('node "orphan" cannot be reached from the entry');
    const loop = { ...valid, nodes: valid.nodes.map((node) => (node.id === "email-last-chance" ? { ...node, next: "wait-1h" } : node)) };
    expect(problems(loop)).toContain('the path loops back to "wait-1h"');
  });

  it("refuses delays out of range and emails without a subject", () => {
    const nodes = valid.nodes.map((node) =>
      node.id === "wait-1h" ? { ...node, duration: { days: 400 } } : node.id === "email-reminder" ? { ...node, subject: "" } : node,
    );
    expect(problems({ ...valid, nodes })).toEqual(expect.arrayContaining(["a delay is at most 365 days", "an email needs a subject"]));
  });

  it("refuses duplicate ids and a missing entry", () => {
    const duplicate = { ...valid, entry: "missing", nodes: [...valid.nodes, { ...valid.nodes[0] }] };
    expect(problems(duplicate)).toEqual(expect.arrayContaining(['duplicate node id "wait-1h"', 'entry node "missing" does not exist']));
  });
});

describe("FlowDefinition with branches", () => {
  const base = { schemaVersion: 1, trigger: { type: "event", events: ["checkout.create"], entity: "checkout" }, goal: null };
  const email = (id: string, next: string | null = null) => ({ id, type: "email", name: id, subject: "s", html: "h", text: "t", next });
  const issues = (definition: unknown) => {
    const result = validateDefinition(definition);
    return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
  };

  it("checks every branch's target and reports its path", () => {
    const definition = {
      ...base,
      entry: "split",
      nodes: [
        { id: "split", type: "split", branches: [{ id: "vip", conditions: [{ path: "customer.ordersCount", op: "gt", value: 1 }], next: "nowhere" }], else: "cond" },
        { id: "cond", type: "condition", conditions: [{ path: "customer.acceptsMarketing", op: "eq", value: true }], yes: "a", no: "gone" },
        email("a"),
      ],
    };
    expect(issues(definition)).toEqual([
      'nodes[0].branches[0].next: node "split" (vip) goes to "nowhere", which does not exist',
      'nodes[1].no: node "cond" (no) goes to "gone", which does not exist',
    ]);
  });

  it("finds cycles through a branch and nodes reachable from none", () => {
    const definition = {
      ...base,
      entry: "cond",
      nodes: [
        { id: "cond", type: "condition", conditions: [{ path: "customer.ordersCount", op: "gt", value: 0 }], yes: "a", no: null },
        email("a", "cond"),
        email("orphan"),
      ],
    };
    expect(issues(definition)).toEqual(['nodes[1].next: the path loops back to "cond"', 'nodes[2]: node "orphan" cannot be reached from the entry']);
  });

  it("refuses empty splits, A/B weights summing to 0, duplicate labels, bad times and time zones", () => {
    const definition = {
      ...base,
      entry: "split",
      nodes: [
        { id: "split", type: "split", branches: [], else: "ab" },
        { id: "ab", type: "ab_split", variants: [{ id: "x", weight: 0, next: "wait" }, { id: "x", weight: 0, next: null }] },
        { id: "wait", type: "wait_until", time: "9:00", weekdays: ["mon", "mon"], timeZone: "Europe/Atlantis", next: null },
      ],
      rules: { quietHours: { start: "21:00", end: "21:00" } },
    };
    expect(issues(definition)).toEqual([
      "nodes[2].time: a time of day is HH:MM on a 24-hour clock, 00:00 to 23:59",
      "nodes[2].weekdays: each weekday once",
      'nodes[2].timeZone: "Europe/Atlantis" is not an IANA time zone (such as America/New_York)',
      "rules.quietHours.end: quiet hours start and end must differ",
      'nodes[0].branches: split "split" needs at least one branch besides else',
      'nodes[1].variants: A/B split "ab" has weights that sum to 0: give at least one variant a weight',
      'nodes[1].variants[1].id: node "ab" has two variants named "x"',
    ]);
  });

  it("names fields of the wrong kind (graph checks wait until the shape is right)", () => {
    const definition = { ...base, entry: "a", nodes: [email("a")], rules: { consent: "sometimes", quietHours: { start: "21:00", end: "24:00" } } };
    expect(issues(definition)).toEqual([
      'rules.consent: Invalid option: expected one of "marketing"|"transactional"',
      "rules.quietHours.end: a time of day is HH:MM on a 24-hour clock, 00:00 to 23:59",
    ]);
  });

  it("fills in the rules' defaults: marketing consent, no quiet hours", () => {
    const result = validateDefinition({ ...base, entry: "a", nodes: [email("a")] });
    expect(result.ok && result.definition.rules).toEqual({ consent: "marketing", quietHours: null });
  });

  it("reports a file that is not JSON", () => {
    const result = validateDefinitionJson("{ nope");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ path: "(document)", message: expect.stringMatching(/^not valid JSON/) });
  });
});
