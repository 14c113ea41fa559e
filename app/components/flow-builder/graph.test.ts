import { findBlueprint } from "~/core/flows/blueprints";
import { DEFAULT_RULES, type FlowDefinition } from "~/core/flows/definition";
import { diffDefinitions, isEmptyDiff } from "~/core/flows/draft-diff";
import { nodeSummary, plainLiquid } from "./describe";
import { ADDABLE_TYPES, appendAfter, deleteNode, draftProblems, insertOnOutput, layoutGraph, readDraft, readingOrder, replaceNode, TRIGGER_ID, type Draft } from "./graph";

const abandonedCart = (): Draft => JSON.parse(JSON.stringify(findBlueprint("abandoned-cart")!.definition));

const branching = (): Draft => ({
  schemaVersion: 1,
  trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [] },
  goal: null,
  entry: "check",
  rules: DEFAULT_RULES,
  nodes: [
    { id: "check", type: "condition", match: "all", conditions: [{ path: "checkout.email", op: "exists" }], yes: "ab", no: "done" },
    { id: "ab", type: "ab_split", variants: [{ id: "a", weight: 3, next: "done" }, { id: "b", weight: 1, next: null }] },
    { id: "done", type: "exit" },
  ],
});

describe("layoutGraph", () => {
  it("draws the trigger and every node top to bottom, with an edge per output that goes somewhere", () => {
    // GIVEN the abandoned-cart blueprint
    const graph = layoutGraph(abandonedCart());
    // THEN 7 nodes (trigger + 6 steps), 6 edges, each edge going downwards, in the blueprint's order
    expect(graph.nodes).toHaveLength(7);
    expect(graph.edges.map((edge) => `${edge.source}->${edge.target}`)).toEqual([
      `${TRIGGER_ID}->wait-1h`,
      "wait-1h->email-reminder",
      "email-reminder->wait-24h",
      "wait-24h->email-incentive",
      "email-incentive->wait-72h",
      "wait-72h->email-last-chance",
    ]);
    const y = new Map(graph.nodes.map((node) => [node.id, node.y]));
    for (const edge of graph.edges) expect(y.get(edge.target)!).toBeGreaterThan(y.get(edge.source)!);
    expect(readingOrder(graph)).toEqual([TRIGGER_ID, "wait-1h", "email-reminder", "wait-24h", "email-incentive", "wait-72h", "email-last-chance"]);
  });

  it("labels branches: yes/no, and A/B variants with their share", () => {
    const graph = layoutGraph(branching());
    expect(graph.edges.map((edge) => edge.label)).toEqual([null, "yes", "no", "a · 75%"]);
  });
});

describe("insertOnOutput / appendAfter", () => {
  it("inserts a delay between two steps and keeps every other field", () => {
    // GIVEN a draft with a field this builder does not know
    const draft = { ...abandonedCart(), futureField: { keep: true } } as Draft;
    // WHEN a delay is inserted on the edge email-reminder → wait-24h
    const result = insertOnOutput(draft, { source: "email-reminder", path: ["next"] }, "delay");
    // THEN the email goes to the new delay, which goes to wait-24h; the original is untouched
    if (!result.ok) throw new Error(result.reason);
    expect(result.nodeId).toBe("delay");
    const email = result.draft.nodes.find((node) => node.id === "email-reminder");
    expect(email).toMatchObject({ next: "delay" });
    expect(result.draft.nodes.find((node) => node.id === "delay")).toMatchObject({ type: "delay", next: "wait-24h" });
    expect((result.draft as Draft & { futureField: unknown }).futureField).toEqual({ keep: true });
    expect(draft.nodes.find((node) => node.id === "email-reminder")).toMatchObject({ next: "wait-24h" });
    expect(draftProblems(result.draft).count).toBe(0);
  });

  it("inserts after the trigger by moving the entry, and appends after the last step", () => {
    const first = insertOnOutput(abandonedCart(), { source: TRIGGER_ID, path: ["entry"] }, "condition");
    if (!first.ok) throw new Error(first.reason);
    expect(first.draft.entry).toBe("condition");
    expect(first.draft.nodes.at(-1)).toMatchObject({ id: "condition", yes: "wait-1h", no: null });

    const last = appendAfter(abandonedCart(), "email-last-chance", "exit");
    if (!last.ok) throw new Error(last.reason);
    expect(last.draft.nodes.find((node) => node.id === "email-last-chance")).toMatchObject({ next: "exit" });
  });

  it("refuses an exit between two steps, and gives new nodes unique ids", () => {
    expect(insertOnOutput(abandonedCart(), { source: "wait-1h", path: ["next"] }, "exit").ok).toBe(false);
    const once = insertOnOutput(abandonedCart(), { source: "wait-1h", path: ["next"] }, "delay");
    if (!once.ok) throw new Error(once.reason);
    const twice = insertOnOutput(once.draft, { source: "delay", path: ["next"] }, "delay");
    if (!twice.ok) throw new Error(twice.reason);
    expect(twice.nodeId).toBe("delay-2");
  });
});

describe("deleteNode", () => {
  it("reconnects the predecessor to the single successor", () => {
    const result = deleteNode(abandonedCart(), "wait-24h");
    if (!result.ok) throw new Error(result.reason);
    expect(result.draft.nodes.map((node) => node.id)).not.toContain("wait-24h");
    expect(result.draft.nodes.find((node) => node.id === "email-reminder")).toMatchObject({ next: "email-incentive" });
    expect(draftProblems(result.draft).count).toBe(0);
  });

  it("moves the entry when the first step goes, and ends paths that went to a deleted exit", () => {
    const first = deleteNode(abandonedCart(), "wait-1h");
    if (!first.ok) throw new Error(first.reason);
    expect(first.draft.entry).toBe("email-reminder");

    const exit = deleteNode(branching(), "done");
    if (!exit.ok) throw new Error(exit.reason);
    expect(exit.draft.nodes.find((node) => node.id === "check")).toMatchObject({ no: null });
    expect(exit.draft.nodes.find((node) => node.id === "ab")).toMatchObject({ variants: [{ id: "a", next: null }, { id: "b", next: null }] });
  });

  it("refuses a node whose branches lead to different steps, the trigger and the last step", () => {
    const refused = deleteNode(branching(), "check");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/2 different steps/);
    expect(deleteNode(branching(), TRIGGER_ID).ok).toBe(false);
    const lonely: Draft = { ...branching(), entry: "done", nodes: [{ id: "done", type: "exit" }] };
    expect(deleteNode(lonely, "done").ok).toBe(false);
  });
});

describe("draftProblems", () => {
  it("files schema problems under the node and field where they are", () => {
    const draft = abandonedCart();
    const email = draft.nodes.find((node) => node.id === "email-reminder")!;
    const broken = replaceNode(draft, email.id, { ...email, subject: "" } as FlowDefinition["nodes"][number]);
    const problems = draftProblems(broken);
    expect(problems.byNode["email-reminder"]).toEqual([{ field: "subject", message: "an email needs a subject" }]);
    expect(problems.general).toEqual([]);
  });

  it("adds every palette type with defaults the flow schema accepts; action nodes' problems land on their fields", () => {
    for (const type of ADDABLE_TYPES.filter((candidate) => candidate !== "exit")) {
      const draft = abandonedCart();
      const added = insertOnOutput(draft, { source: "wait-1h", path: ["next"] }, type);
      if (!added.ok) throw new Error(added.reason);
      expect({ type, problems: draftProblems(added.draft) }).toEqual({ type, problems: { byNode: {}, general: [], count: 0 } });
    }
    const draft = abandonedCart();
    const added = insertOnOutput(draft, { source: "wait-1h", path: ["next"] }, "webhook");
    if (!added.ok) throw new Error(added.reason);
    const hook = added.draft.nodes.find((node) => node.id === added.nodeId)!;
    const broken = replaceNode(added.draft, hook.id, { ...hook, url: "http://example.com/hook" } as FlowDefinition["nodes"][number]);
    expect(draftProblems(broken).byNode[hook.id]).toEqual([{ field: "url", message: "a webhook URL is https://… (without credentials)" }]);
    expect(nodeSummary(hook)).toBe("POST to https://example.com/nudgeflow-webhook");
  });

  it("opens loose JSON and refuses what is not a flow", () => {
    expect(readDraft({ entry: "x", nodes: [{ id: "x", type: "exit", extra: 1 }] })).not.toBeNull();
    expect(readDraft({ nodes: "no" })).toBeNull();
  });
});

describe("diffDefinitions", () => {
  it("lists nodes added, removed and changed by id, and settings that changed", () => {
    // GIVEN the live blueprint and a draft with a changed subject, a new delay, a removed step and a new entry
    const live = abandonedCart();
    let draft = abandonedCart();
    const email = draft.nodes.find((node) => node.id === "email-reminder")!;
    draft = replaceNode(draft, email.id, { ...email, subject: "Still thinking it over?" } as FlowDefinition["nodes"][number]);
    const inserted = insertOnOutput(draft, { source: "email-reminder", path: ["next"] }, "delay");
    if (!inserted.ok) throw new Error(inserted.reason);
    const removed = deleteNode(inserted.draft, "wait-72h");
    if (!removed.ok) throw new Error(removed.reason);
    // THEN
    expect(diffDefinitions(live, removed.draft)).toEqual({
      added: ["delay"],
      removed: ["wait-72h"],
      changed: ["email-reminder", "email-incentive"],
      settings: [],
    });
    expect(isEmptyDiff(diffDefinitions(live, JSON.parse(JSON.stringify(live))))).toBe(true);
    expect(diffDefinitions(null, live).added).toHaveLength(6);
  });

  it("ignores key order", () => {
    const live = { entry: "a", nodes: [{ id: "a", type: "exit" }] };
    expect(isEmptyDiff(diffDefinitions(live, { nodes: [{ type: "exit", id: "a" }], entry: "a" }))).toBe(true);
    expect(diffDefinitions(live, { entry: "b", nodes: [{ id: "a", type: "exit" }] }).settings).toEqual(["entry"]);
  });
});

describe("describe", () => {
  it("says what a node does in one line", () => {
    const draft = abandonedCart();
    expect(nodeSummary(draft.nodes[0])).toBe("Wait 1 hour after last checkout activity");
    expect(nodeSummary(draft.nodes[1])).toBe("Subject: We saved your items, {first_name}");
    expect(plainLiquid("Hi {{ customer.first_name | default: 'there' }}")).toBe("Hi {first_name}");
  });
});
