import { BLUEPRINTS } from "./blueprints";
import { FlowDefinition } from "./definition";

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
