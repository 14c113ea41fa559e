// The builder's model, free of React: the flow definition as a graph to draw (laid out top to bottom with dagre),
// the edits the canvas makes (insert on an edge, append, delete, set a field) and the validation problems of
// each node. Every edit returns a new document and keeps the fields it does not touch, including ones added to
// the format after this file was written.
import { graphlib, layout } from "@dagrejs/dagre";
import { z } from "zod";
import { FlowDefinition, outputsOf, type FlowNode } from "~/core/flows/definition";

/** A draft: shaped like a definition, but possibly invalid (an empty subject, a dangling branch). */
export type Draft = FlowDefinition;
export type NodeType = FlowNode["type"];

/** The trigger is drawn as the first node of the canvas; its one output is the definition's entry. */
export const TRIGGER_ID = "__trigger";

export const NODE_WIDTH = 296;
export const NODE_HEIGHT = 76;

export const NODE_TYPE_LABELS: Record<NodeType, string> = {
  delay: "Delay",
  wait_until: "Wait until",
  email: "Email",
  condition: "Condition",
  split: "Split",
  ab_split: "A/B split",
  discount_code: "Discount code",
  tag_customer: "Tag customer",
  webhook: "Webhook",
  exit: "Exit",
};

/** What the add menus offer, in order. */
export const ADDABLE_TYPES: NodeType[] = ["delay", "wait_until", "email", "condition", "split", "ab_split", "discount_code", "tag_customer", "webhook", "exit"];

const NODE_TYPES = Object.keys(NODE_TYPE_LABELS) as [NodeType, ...NodeType[]];
const LooseDraft = z.looseObject({
  entry: z.string(),
  nodes: z.array(z.looseObject({ id: z.string(), type: z.enum(NODE_TYPES) })),
});

/** The loader's raw JSON as a draft the canvas can open; null when it is not a flow document at all. */
export function readDraft(input: unknown): Draft | null {
  const parsed = LooseDraft.safeParse(input);
  // The canvas tolerates invalid field values (that is what the panel shows as problems); it needs ids and types.
  return parsed.success ? (input as Draft) : null;
}

// ─── Outputs ────────────────────────────────────────────────────────────────────────────────────────────────

/** Where an output lives: the trigger's (the entry), or a node's output at a path inside it. */
export interface OutputRef {
  source: string;
  path: (string | number)[];
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function setAt(target: unknown, path: (string | number)[], value: unknown): void {
  let cursor = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  cursor[path[path.length - 1]] = value;
}

function getAt(target: unknown, path: (string | number)[]): unknown {
  let cursor = target as Record<string | number, unknown> | undefined;
  for (const key of path) cursor = cursor?.[key] as Record<string | number, unknown> | undefined;
  return cursor;
}

function targetOf(draft: Draft, ref: OutputRef): string | null {
  if (ref.source === TRIGGER_ID) return draft.entry;
  const node = draft.nodes.find((candidate) => candidate.id === ref.source);
  const value = node ? getAt(node, ref.path) : null;
  return typeof value === "string" ? value : null;
}

function setTarget(draft: Draft, ref: OutputRef, target: string | null): void {
  if (ref.source === TRIGGER_ID) {
    draft.entry = target ?? "";
    return;
  }
  const node = draft.nodes.find((candidate) => candidate.id === ref.source);
  if (node) setAt(node, ref.path, target);
}

/** Outputs of a node that may be half-edited: a missing list reads as no outputs. */
function safeOutputs(node: FlowNode) {
  try {
    return outputsOf(node);
  } catch {
    return [];
  }
}

// ─── Layout ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface GraphNode {
  id: string;
  /** The trigger or a flow node. */
  node: FlowNode | null;
  x: number;
  y: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Shown on the edge for branches: yes, no, a branch id, else, a variant with its share. */
  label: string | null;
  output: OutputRef;
}

export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The label of an output as drawn on its edge; null for a plain `next`. */
export function outputLabel(node: FlowNode, label: string): string | null {
  if (node.type === "ab_split") {
    const variants = Array.isArray(node.variants) ? node.variants : [];
    const total = variants.reduce((sum, variant) => sum + (Number(variant.weight) || 0), 0);
    const variant = variants.find((candidate) => candidate.id === label);
    const share = total > 0 && variant ? Math.round(((Number(variant.weight) || 0) / total) * 100) : 0;
    return `${label} · ${share}%`;
  }
  return label === "next" ? null : label;
}

/** The definition as nodes (trigger first) and edges, positioned top to bottom by dagre. */
export function layoutGraph(draft: Draft): FlowGraph {
  const ids = new Set(draft.nodes.map((node) => node.id));
  const edges: GraphEdge[] = [];
  if (ids.has(draft.entry)) {
    edges.push({ id: `${TRIGGER_ID}->${draft.entry}`, source: TRIGGER_ID, target: draft.entry, label: null, output: { source: TRIGGER_ID, path: ["entry"] } });
  }
  for (const node of draft.nodes) {
    for (const output of safeOutputs(node)) {
      if (output.next === null || !ids.has(output.next)) continue;
      edges.push({
        id: `${node.id}:${output.path.join(".")}->${output.next}`,
        source: node.id,
        target: output.next,
        label: outputLabel(node, output.label),
        output: { source: node.id, path: output.path },
      });
    }
  }

  const graph = new graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: 56, ranksep: 64, edgesep: 24, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  graph.setNode(TRIGGER_ID, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of draft.nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  // Labelled edges get room for their label between the ranks.
  for (const edge of edges) graph.setEdge(edge.source, edge.target, { width: edge.label ? 72 : 0, height: edge.label ? 24 : 0 }, edge.id);
  layout(graph);

  const position = (id: string) => {
    const point = graph.node(id);
    return { x: Math.round(point.x - NODE_WIDTH / 2), y: Math.round(point.y - NODE_HEIGHT / 2) };
  };
  return {
    nodes: [{ id: TRIGGER_ID, node: null, ...position(TRIGGER_ID) }, ...draft.nodes.map((node) => ({ id: node.id, node, ...position(node.id) }))],
    edges,
  };
}

/** Reading order on the canvas (top to bottom, then left to right): where Tab and the arrow keys go next. */
export function readingOrder(graph: FlowGraph): string[] {
  return [...graph.nodes].sort((a, b) => a.y - b.y || a.x - b.x).map((node) => node.id);
}

// ─── Edits ──────────────────────────────────────────────────────────────────────────────────────────────────

/** An id for a new node, from its type: `delay`, `delay-2`, … */
export function uniqueId(draft: Draft, type: NodeType): string {
  const base = type.replace("_", "-");
  const taken = new Set(draft.nodes.map((node) => node.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A new node of a type with sensible defaults, its main output going to `next`. */
export function newNode(type: NodeType, id: string, next: string | null): FlowNode {
  switch (type) {
    case "delay":
      return { id, type, duration: { hours: 1 }, anchor: "previous_step", next };
    case "wait_until":
      return { id, type, time: "09:00", weekdays: ["mon", "tue", "wed", "thu", "fri"], next };
    case "email":
      return { id, type, name: "New email", subject: "A note from {{ shop.name }}", preheader: "", html: "<p>Hello {{ customer.first_name }},</p>", text: "Hello {{ customer.first_name }},", next };
    case "condition":
      return { id, type, match: "all", conditions: [{ path: "customer.acceptsMarketing", op: "eq", value: true }], yes: next, no: null };
    case "split":
      return { id, type, branches: [{ id: "branch-1", match: "all", conditions: [{ path: "checkout.email", op: "exists" }], next: null }], else: next };
    case "ab_split":
      return { id, type, variants: [{ id: "a", weight: 50, next }, { id: "b", weight: 50, next: null }] };
    case "discount_code":
      return { id, type, prefix: "THANKS", kind: "percent", value: 10, expiresAfter: { days: 7 }, onFailure: "continue", next };
    case "tag_customer":
      return { id, type, action: "add", tags: ["nudgeflow"], next };
    case "webhook":
      return { id, type, url: "https://example.com/nudgeflow-webhook", maxAttempts: 5, onFailure: "continue", next };
    case "exit":
      return { id, type };
  }
}

export type EditResult = { ok: true; draft: Draft; nodeId: string } | { ok: false; reason: string };

/** Inserts a new node on an output: the output goes to the new node, the new node goes on where it went. */
export function insertOnOutput(draft: Draft, ref: OutputRef, type: NodeType): EditResult {
  const target = targetOf(draft, ref);
  if (type === "exit" && target !== null) return { ok: false, reason: "An exit ends the path: add it at the end of a path, not between two steps." };
  const next = clone(draft);
  const id = uniqueId(next, type);
  next.nodes.push(newNode(type, id, type === "exit" ? null : target));
  setTarget(next, ref, id);
  return { ok: true, draft: next, nodeId: id };
}

/** Adds a node after another (the trigger included), on its first output that goes nowhere, else its first output. */
export function appendAfter(draft: Draft, sourceId: string, type: NodeType): EditResult {
  if (sourceId === TRIGGER_ID) return insertOnOutput(draft, { source: TRIGGER_ID, path: ["entry"] }, type);
  const source = draft.nodes.find((node) => node.id === sourceId);
  if (!source) return { ok: false, reason: `There is no step "${sourceId}".` };
  const outputs = safeOutputs(source);
  if (outputs.length === 0) return { ok: false, reason: "Nothing comes after an exit: choose the step before it, or delete the exit first." };
  const open = outputs.find((output) => output.next === null) ?? outputs[0];
  return insertOnOutput(draft, { source: sourceId, path: open.path }, type);
}

/**
 * Deletes a node and reconnects what pointed at it to its single successor. A node whose outputs lead to more
 * than one step cannot be deleted this way (which branch would survive?): the reason says so.
 */
export function deleteNode(draft: Draft, id: string): EditResult {
  if (id === TRIGGER_ID) return { ok: false, reason: "The trigger starts the flow and cannot be deleted." };
  const node = draft.nodes.find((candidate) => candidate.id === id);
  if (!node) return { ok: false, reason: `There is no step "${id}".` };
  const successors = [...new Set(safeOutputs(node).flatMap((output) => (output.next === null ? [] : [output.next])))];
  if (successors.length > 1) {
    return { ok: false, reason: `This step's branches lead to ${successors.length} different steps. Delete the steps in all but one branch first.` };
  }
  if (draft.nodes.length === 1) return { ok: false, reason: "A flow needs at least one step: add another before deleting this one." };
  const successor = successors[0] ?? null;
  if (draft.entry === id && successor === null) return { ok: false, reason: "This is the only step after the trigger: add another step before deleting it." };
  const next = clone(draft);
  next.nodes = next.nodes.filter((candidate) => candidate.id !== id);
  if (next.entry === id) next.entry = successor ?? "";
  for (const other of next.nodes) {
    for (const output of safeOutputs(other)) if (output.next === id) setAt(other, output.path, successor);
  }
  return { ok: true, draft: next, nodeId: successor ?? (next.entry || TRIGGER_ID) };
}

/** Replaces one node by id (the panel's edits), keeping its place in the list. */
export function replaceNode(draft: Draft, id: string, node: FlowNode): Draft {
  return { ...draft, nodes: draft.nodes.map((candidate) => (candidate.id === id ? node : candidate)) };
}

// ─── Problems ───────────────────────────────────────────────────────────────────────────────────────────────

export interface FieldProblem {
  /** The field inside the node: `subject`, `duration`, `conditions[0].path`; "" for the node as a whole. */
  field: string;
  message: string;
}

export interface DraftProblems {
  byNode: Record<string, FieldProblem[]>;
  /** Problems outside any node: trigger, goal, entry, rules. */
  general: { path: string; message: string }[];
  count: number;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : text === "" ? String(key) : `.${String(key)}`;
  return text;
}

/** Validates the draft with the flow schema and files each problem under its node (by id) and field. */
export function draftProblems(draft: Draft): DraftProblems {
  const parsed = FlowDefinition.safeParse(draft);
  const result: DraftProblems = { byNode: {}, general: [], count: 0 };
  if (parsed.success) return result;
  for (const issue of parsed.error.issues) {
    result.count++;
    const [head, index, ...rest] = issue.path;
    const node = head === "nodes" && typeof index === "number" ? draft.nodes[index] : undefined;
    if (node) (result.byNode[node.id] ??= []).push({ field: fieldPath(rest), message: issue.message });
    else result.general.push({ path: fieldPath(issue.path) || "(document)", message: issue.message });
  }
  return result;
}
