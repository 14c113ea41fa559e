import { dependencyLevels, dependentsOf } from "./context.server";
import type { SegmentRule } from "./rules";

const refersTo = (...ids: string[]): SegmentRule => ({
  kind: "group",
  match: "all",
  conditions: ids.length ? ids.map((segmentId) => ({ kind: "segment" as const, op: "in" as const, segmentId })) : [{ kind: "consent", acceptsMarketing: true }],
});

describe("dependency order", () => {
  const segments = [
    { id: "c", rule: refersTo("b") },
    { id: "b", rule: refersTo("a") },
    { id: "a", rule: refersTo() },
    { id: "d", rule: refersTo("a", "missing") },
    { id: "x", rule: refersTo("y") },
    { id: "y", rule: refersTo("x") },
  ];

  it("evaluates a segment after those it names, and leaves cycles out", () => {
    expect(dependencyLevels(segments).map((level) => level.map((segment) => segment.id))).toEqual([["a"], ["b", "d"], ["c"]]);
  });

  it("finds dependents transitively, in order", () => {
    expect(dependentsOf(segments, "a").map((segment) => segment.id)).toEqual(["b", "d", "c"]);
    expect(dependentsOf(segments, "c")).toEqual([]);
  });
});
