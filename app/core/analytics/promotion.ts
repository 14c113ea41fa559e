// Promoting an A/B test's winner, the pure part: which splits are still testing, and the definition in which one
// variant gets everyone. Promotion keeps the split and sets the other variants' weights to 0 (ADR 0037): node ids,
// branches and traces stay as they were, the graph needs no surgery, and the merchant can restore the test.
import type { AbSplitNode, FlowDefinition } from "~/core/flows/definition";

export const PROMOTION_ACTION = "flow.ab_winner_promoted";
/** The actor of what the worker does on its own. */
export const SYSTEM_ACTOR = "system";

/** A split still runs a test while at least two of its variants get customers. */
export function isTesting(node: Pick<AbSplitNode, "variants">): boolean {
  return node.variants.filter((variant) => variant.weight > 0).length >= 2;
}

export type PromotedDefinition = { ok: true; definition: FlowDefinition } | { ok: false; reason: string };

/** The definition with `variantId` of split `nodeId` sent to everyone (its weight kept, at least 1; the others 0). */
export function promoteVariant(definition: FlowDefinition, input: { nodeId: string; variantId: string }): PromotedDefinition {
  const node = definition.nodes.find((candidate) => candidate.id === input.nodeId);
  if (!node || node.type !== "ab_split") return { ok: false, reason: `the live version has no A/B split "${input.nodeId}"` };
  if (!node.variants.some((variant) => variant.id === input.variantId)) return { ok: false, reason: `A/B split "${input.nodeId}" has no variant "${input.variantId}"` };
  if (!isTesting(node)) return { ok: false, reason: `A/B split "${input.nodeId}" already sends everyone one variant` };
  const promoted: AbSplitNode = {
    ...node,
    variants: node.variants.map((variant) => ({ ...variant, weight: variant.id === input.variantId ? Math.max(1, variant.weight) : 0 })),
  };
  return { ok: true, definition: { ...definition, nodes: definition.nodes.map((candidate) => (candidate.id === node.id ? promoted : candidate)) } };
}
