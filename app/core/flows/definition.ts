// The flow definition format: one JSON document that the builder edits, the CLI imports and exports, and the
// engine runs. Isomorphic. Publishing freezes a copy as a FlowVersion.
import { z } from "zod";
import { CANONICAL_EVENT_TYPES } from "~/core/events";

export const NodeId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "node ids are 1-64 letters, digits, - or _");

const MAX_DELAY_MS = 365 * 86_400_000;
export const Duration = z
  .object({
    minutes: z.number().int().nonnegative().optional(),
    hours: z.number().int().nonnegative().optional(),
    days: z.number().int().nonnegative().optional(),
  })
  .refine((d) => durationMs(d) >= 60_000, "a delay is at least one minute")
  .refine((d) => durationMs(d) <= MAX_DELAY_MS, "a delay is at most 365 days");
export type Duration = z.infer<typeof Duration>;

export function durationMs(duration: { minutes?: number; hours?: number; days?: number }): number {
  return ((duration.days ?? 0) * 24 * 60 + (duration.hours ?? 0) * 60 + (duration.minutes ?? 0)) * 60_000;
}

export const DelayNode = z.object({
  id: NodeId,
  type: z.literal("delay"),
  duration: Duration,
  /**
   * What the delay counts from: the previous step, or the trigger entity's last activity (a checkout that is
   * still being edited keeps pushing the wake-up back).
   */
  anchor: z.enum(["previous_step", "trigger_activity"]).default("previous_step"),
  next: NodeId.nullable(),
});

export const EmailNode = z.object({
  id: NodeId,
  type: z.literal("email"),
  name: z.string().min(1).max(100),
  /** Liquid templates, rendered with the recipient's data at send time (HTML output escaped by default). */
  subject: z.string().min(1, "an email needs a subject").max(200),
  preheader: z.string().max(200).default(""),
  html: z.string().min(1, "an email needs a body"),
  text: z.string().min(1, "an email needs a plain-text part"),
  next: NodeId.nullable(),
});

export const ExitNode = z.object({ id: NodeId, type: z.literal("exit") });

export const FlowNode = z.discriminatedUnion("type", [DelayNode, EmailNode, ExitNode]);
export type FlowNode = z.infer<typeof FlowNode>;
export type EmailNode = z.infer<typeof EmailNode>;
export type DelayNode = z.infer<typeof DelayNode>;

const TriggerEventType = z.enum(CANONICAL_EVENT_TYPES as [string, ...string[]]);

/** A condition on the trigger's context (`checkout.email`, `customer.ordersCount`, …). */
export const Condition = z.object({
  path: z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z]+)*$/, "a dotted path such as checkout.email"),
  op: z.enum(["exists", "not_exists", "eq", "neq", "gt", "gte", "lt", "lte"]),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type Condition = z.infer<typeof Condition>;

export const Trigger = z.object({
  type: z.literal("event"),
  events: z.array(TriggerEventType).min(1),
  /** What one enrollment is about: one per checkout, or one per customer. */
  entity: z.enum(["checkout", "customer"]),
  conditions: z.array(Condition).default([]),
});
export type Trigger = z.infer<typeof Trigger>;

/** Reaching the goal exits the enrollment; it is checked when the event arrives and again before every step. */
export const Goal = z.object({
  event: z.literal("order.add"),
  /** Whose order counts: the customer's (any order from now on). */
  scope: z.literal("customer"),
  label: z.string().min(1).default("order placed"),
});
export type Goal = z.infer<typeof Goal>;

export const FlowDefinition = z
  .object({
    schemaVersion: z.literal(1),
    trigger: Trigger,
    goal: Goal.nullable(),
    /** Re-entry: never, for the skeleton (one enrollment per entity per flow). */
    entry: NodeId,
    nodes: z.array(FlowNode).min(1),
  })
  .superRefine((definition, ctx) => {
    for (const problem of graphProblems(definition)) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
  });
export type FlowDefinition = z.infer<typeof FlowDefinition>;

interface GraphProblem {
  message: string;
  path: (string | number)[];
}

function nextOf(node: FlowNode): string | null {
  return node.type === "exit" ? null : node.next;
}

/** Structural checks: ids unique, every `next` exists, every node reachable, no cycles. */
export function graphProblems(definition: { entry: string; nodes: FlowNode[] }): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const byId = new Map<string, FlowNode>();
  definition.nodes.forEach((node, index) => {
    if (byId.has(node.id)) problems.push({ message: `duplicate node id "${node.id}"`, path: ["nodes", index, "id"] });
    byId.set(node.id, node);
  });
  if (!byId.has(definition.entry)) problems.push({ message: `entry node "${definition.entry}" does not exist`, path: ["entry"] });
  definition.nodes.forEach((node, index) => {
    const next = nextOf(node);
    if (next !== null && !byId.has(next)) problems.push({ message: `node "${node.id}" goes to "${next}", which does not exist`, path: ["nodes", index, "next"] });
  });
  // Walk from the entry; revisiting a node on the current path is a cycle.
  const reached = new Set<string>();
  let current: string | null = byId.has(definition.entry) ? definition.entry : null;
  while (current !== null) {
    if (reached.has(current)) {
      problems.push({ message: `the path loops back to "${current}"`, path: ["nodes"] });
      break;
    }
    reached.add(current);
    const node = byId.get(current);
    current = node ? nextOf(node) : null;
    if (current !== null && !byId.has(current)) break;
  }
  definition.nodes.forEach((node, index) => {
    if (!reached.has(node.id) && byId.has(definition.entry)) problems.push({ message: `node "${node.id}" cannot be reached from the entry`, path: ["nodes", index] });
  });
  return problems;
}

export function findNode(definition: FlowDefinition, id: string): FlowNode | undefined {
  return definition.nodes.find((node) => node.id === id);
}
