// The flow definition format: one JSON document that the builder edits, the CLI imports and exports, and the
// engine runs. Isomorphic. Publishing freezes a copy as a FlowVersion. Documented in docs/flows.md; its JSON
// Schema is docs/flow-definition.schema.json (`nudgeflow flows schema`).
import { z } from "zod";
import { assertUnreachable } from "~/core/assert";
import { CANONICAL_EVENT_TYPES, CANONICAL_MESSAGE_EVENT_TYPES } from "~/core/events";
import { EmailContent, emailTemplateProblems, triggerShape } from "~/core/messaging/email/blocks";
import { isTimeZone, WEEKDAYS } from "./zoned-time";

export const NodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "node ids are 1-64 letters, digits, - or _");
/** Where an output goes: a node id, or null to end the path there. */
const Next = NodeId.nullable();
/** The name of a branch or variant, recorded in the trace when it is taken. */
export const BranchId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "branch and variant ids are 1-64 letters, digits, - or _");

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

/** A time of day on a 24-hour clock. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day is HH:MM on a 24-hour clock, 00:00 to 23:59");
/** An IANA time zone name such as America/New_York; when omitted, the store's time zone. */
export const TimeZone = z.string().refine(isTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone (such as America/New_York)` });
export const Weekday = z.enum(WEEKDAYS);

export const DelayNode = z.object({
  id: NodeId,
  type: z.literal("delay"),
  duration: Duration,
  /**
   * What the delay counts from: the previous step, or the trigger entity's last activity (a checkout that is
   * still being edited keeps pushing the wake-up back).
   */
  anchor: z.enum(["previous_step", "trigger_activity"]).default("previous_step"),
  next: Next,
});

/** Waits for the next allowed weekday at a time of day (counted from when the enrollment reaches the node). */
export const WaitUntilNode = z.object({
  id: NodeId,
  type: z.literal("wait_until"),
  time: TimeOfDay,
  weekdays: z
    .array(Weekday)
    .min(1, "allow at least one weekday")
    .refine((days) => new Set(days).size === days.length, "each weekday once")
    .default([...WEEKDAYS]),
  /** Defaults to the store's time zone. */
  timeZone: TimeZone.optional(),
  next: Next,
});

/**
 * An email step. Its body is either `content`, a block document (docs/email.md: rendered to responsive HTML with
 * MJML and to plain text, branded per workspace), or the older hand-written `html` and `text` — exactly one of
 * the two. Every Liquid string is checked against the trigger's variables when the flow is validated.
 */
export const EmailNode = z
  .object({
    id: NodeId,
    type: z.literal("email"),
    name: z.string().min(1).max(100),
    /** Liquid templates, rendered with the recipient's data at send time (HTML output escaped by default). */
    subject: z.string().min(1, "an email needs a subject").max(200),
    preheader: z.string().max(200).default(""),
    /** The hand-written form: a Liquid HTML body and its plain-text part (both, or neither when `content`). */
    html: z.string().min(1, "an email needs a body").optional(),
    text: z.string().min(1, "an email needs a plain-text part").optional(),
    /** The block form: `{ version: 1, blocks: [...] }`. */
    content: EmailContent.optional(),
    next: Next,
  })
  .superRefine((node, ctx) => {
    if (node.content) {
      if (node.html !== undefined || node.text !== undefined) {
        ctx.addIssue({ code: "custom", message: "an email has blocks (content) or html and text, not both: remove html and text", path: ["content"] });
      }
      return;
    }
    if (node.html === undefined) ctx.addIssue({ code: "custom", message: "an email needs a body: blocks (content), or html and text", path: ["html"] });
    if (node.text === undefined) ctx.addIssue({ code: "custom", message: "an email needs a plain-text part (text), or blocks (content)", path: ["text"] });
  });

/**
 * A condition on a context of dotted paths. Trigger conditions see `event`, `checkout` and `customer`; nodes
 * also see `enrollment` (`enrollment.placedOrderSinceEntering`, `enrollment.enteredAt`).
 */
export const Condition = z.object({
  path: z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z]+)*$/, "a dotted path such as checkout.email"),
  op: z.enum(["exists", "not_exists", "eq", "neq", "gt", "gte", "lt", "lte"]),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type Condition = z.infer<typeof Condition>;

/** How a list of conditions combines: every one holds, or at least one does. */
const Match = z.enum(["all", "any"]).default("all");

/** Yes/no on conditions over the customer, the trigger event, the checkout and the enrollment. */
export const ConditionNode = z.object({
  id: NodeId,
  type: z.literal("condition"),
  match: Match,
  conditions: z.array(Condition).min(1, "a condition node needs at least one condition"),
  yes: Next,
  no: Next,
});

export const SplitBranch = z.object({
  id: BranchId,
  match: Match,
  conditions: z.array(Condition).min(1, "a branch needs at least one condition"),
  next: Next,
});

/** Multi-way: the first branch whose conditions hold is taken; none → `else`. */
export const SplitNode = z.object({
  id: NodeId,
  type: z.literal("split"),
  branches: z.array(SplitBranch),
  else: Next,
});

export const AbVariant = z.object({
  id: BranchId,
  /** Relative weight; a variant with weight 0 gets nobody. */
  weight: z.number().int().nonnegative().max(10_000),
  next: Next,
});

/** A/B(/n) split: each customer is assigned a variant by a hash of customer, flow and node, so always the same one. */
export const AbSplitNode = z.object({
  id: NodeId,
  type: z.literal("ab_split"),
  variants: z.array(AbVariant),
  /**
   * What decides the test, compared per recipient with a sequential test (docs/analytics.md): revenue per recipient
   * (absent), conversion rate, or click rate. The first variant is the baseline the others are compared with.
   */
  metric: z.enum(["revenue_per_recipient", "conversion_rate", "click_rate"]).optional(),
  /**
   * When the sequential test declares a winner, publish a new version that sends everyone the winning variant
   * (the others' weights become 0) and record it in the flow's history (docs/analytics.md). Absent: the merchant
   * promotes by hand.
   */
  autoPromote: z.boolean().optional(),
});

export const ExitNode = z.object({ id: NodeId, type: z.literal("exit") });

/** What an action node does when the store or the endpoint fails for good: go on along `next`, or end the journey. */
const OnFailure = z.enum(["continue", "exit"]).default("continue");

/**
 * Creates a discount code for this recipient at the store (its adapter's `createDiscountCode`): `prefix` + a
 * random suffix, single use, limited to the customer's email, expiring `expiresAfter` after creation. Later
 * emails read it as `{{ discount.code }}`, `{{ discount.value }}`, `{{ discount.expires_at }}`.
 */
export const DiscountCodeNode = z.object({
  id: NodeId,
  type: z.literal("discount_code"),
  /** Readable start of the code (letters and digits), e.g. WELCOME → WELCOME-7KQ2MX9D. */
  prefix: z.string().regex(/^[A-Za-z0-9]{1,20}$/, "a code prefix is 1-20 letters or digits"),
  kind: z.enum(["percent", "fixed"]),
  /** Percent: 1-100. Fixed: minor units of the store's currency (1000 = 10.00). */
  value: z.number().int().positive("a discount is worth more than 0"),
  expiresAfter: z
    .object({ hours: z.number().int().nonnegative().optional(), days: z.number().int().nonnegative().optional() })
    .refine((d) => durationMs(d) >= 3_600_000, "a code lasts at least one hour")
    .refine((d) => durationMs(d) <= MAX_DELAY_MS, "a code lasts at most 365 days"),
  onFailure: OnFailure,
  next: Next,
}).refine((node) => node.kind !== "percent" || node.value <= 100, { message: "a percentage is at most 100", path: ["value"] });

export const CustomerTagName = z.string().trim().min(1).max(40).regex(/^[^,]+$/, "a tag has no commas");

/** Adds or removes tags on the customer: at the store where the platform has customer tags, and in our profile. */
export const TagCustomerNode = z.object({
  id: NodeId,
  type: z.literal("tag_customer"),
  action: z.enum(["add", "remove"]).default("add"),
  tags: z.array(CustomerTagName).min(1, "name at least one tag").max(20),
  next: Next,
});

/**
 * POSTs a signed JSON body to an https endpoint (`X-Nudgeflow-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
 * "t.body">` with the workspace's webhook secret). Private, loopback and link-local addresses are refused;
 * network errors, 5xx and 429 are retried with backoff up to `maxAttempts`.
 */
export const WebhookNode = z.object({
  id: NodeId,
  type: z.literal("webhook"),
  url: z
    .string()
    .max(2000)
    .refine((text) => {
      try {
        const url = new URL(text);
        return url.protocol === "https:" && !url.username && !url.password;
      } catch {
        return false;
      }
    }, "a webhook URL is https://… (without credentials)"),
  /** Tried this many times in all (1-10) before the step gives up. */
  maxAttempts: z.number().int().min(1).max(10).default(5),
  onFailure: OnFailure,
  next: Next,
});

export const FlowNode = z.discriminatedUnion("type", [DelayNode, WaitUntilNode, EmailNode, ConditionNode, SplitNode, AbSplitNode, DiscountCodeNode, TagCustomerNode, WebhookNode, ExitNode]);
export type FlowNode = z.infer<typeof FlowNode>;
export type EmailNode = z.infer<typeof EmailNode>;
export type DelayNode = z.infer<typeof DelayNode>;
export type WaitUntilNode = z.infer<typeof WaitUntilNode>;
export type ConditionNode = z.infer<typeof ConditionNode>;
export type SplitNode = z.infer<typeof SplitNode>;
export type AbSplitNode = z.infer<typeof AbSplitNode>;
export type AbVariant = z.infer<typeof AbVariant>;
export type DiscountCodeNode = z.infer<typeof DiscountCodeNode>;
export type TagCustomerNode = z.infer<typeof TagCustomerNode>;
export type WebhookNode = z.infer<typeof WebhookNode>;
/** Nodes that act on the store or the outside world (the runner leases the step, calls out, then commits). */
export type ActionNode = DiscountCodeNode | TagCustomerNode | WebhookNode;

// Store events about shoppers, and what happened to our emails (message.delivered, message.clicked, …:
// customer-keyed). Catalogue events (product.*) concern no customer, so they could never enroll anyone.
const TriggerEventType = z.enum([...CANONICAL_EVENT_TYPES.filter((type) => !type.startsWith("product.")), ...CANONICAL_MESSAGE_EVENT_TYPES] as [string, ...string[]]);

/** Canonical events enroll: one journey per checkout, customer or cart. */
export const EventTrigger = z.object({
  type: z.literal("event"),
  events: z.array(TriggerEventType).min(1),
  /**
   * What one enrollment is about: one per checkout, one per customer, or one per cart. A `cart` journey is keyed
   * by the cart's (normalized) token: cart events and checkout events that carry that cart token belong to the
   * same journey, so a cart that later becomes a checkout is enrolled once. A checkout without a cart token is
   * its own journey.
   */
  entity: z.enum(["checkout", "customer", "cart"]),
  conditions: z.array(Condition).default([]),
}).refine((trigger) => trigger.entity === "customer" || !trigger.events.some((type) => type.startsWith("message.")), {
  message: "an email event (message.*) is about a customer: set entity to \"customer\"",
  path: ["entity"],
});
export type EventTrigger = z.infer<typeof EventTrigger>;

/**
 * A customer entering (or leaving) a segment enrolls them: the derived `segment.entered` / `segment.exited`
 * events. Customer-keyed. Conditions see `customer` and `event` (`event.data.segment.name`, `event.data.why`,
 * `event.data.cause`: event, time, recompute or backfill). The segment must exist in the workspace when the
 * flow is saved, imported or published (checked there: the document alone cannot know).
 */
export const SegmentTrigger = z.object({
  type: z.literal("segment"),
  segmentId: z.string().min(1, "choose a segment"),
  on: z.enum(["entered", "exited"]),
  conditions: z.array(Condition).default([]),
});
export type SegmentTrigger = z.infer<typeof SegmentTrigger>;

/**
 * N days since the customer's last order: a per-customer timer that each order resets (not a daily scan).
 * Customer-keyed. When the timer runs out the conditions are checked (they see `customer`) and the journey starts.
 */
export const InactivityTrigger = z.object({
  type: z.literal("inactivity"),
  days: z.number().int().min(1, "at least one day").max(3650),
  conditions: z.array(Condition).default([]),
});
export type InactivityTrigger = z.infer<typeof InactivityTrigger>;

export const Trigger = z.discriminatedUnion("type", [EventTrigger, SegmentTrigger, InactivityTrigger], {
  error: 'a trigger is { "type": "event", … }, { "type": "segment", … } or { "type": "inactivity", … }',
});
export type Trigger = z.infer<typeof Trigger>;

/** What one enrollment is keyed by: segment triggers are about a customer. */
export function triggerEntity(trigger: Trigger): EventTrigger["entity"] {
  return trigger.type === "event" ? trigger.entity : "customer";
}

/** The event types that start the flow (also how the trigger event is found again for conditions). */
export function triggerEventTypes(trigger: Trigger): string[] {
  if (trigger.type === "inactivity") return [];
  return trigger.type === "event" ? trigger.events : [`segment.${trigger.on}`];
}

/** The segments a definition names (its trigger's), to check against the workspace. */
export function referencedSegmentIds(definition: { trigger: Trigger }): string[] {
  return definition.trigger.type === "segment" ? [definition.trigger.segmentId] : [];
}

/** Reaching the goal exits the enrollment; it is checked when the event arrives and again before every step. */
export const Goal = z.object({
  event: z.literal("order.add"),
  /**
   * Whose order counts. `customer`: any order by the customer from entering on. `entity`: only an order of the
   * trigger's own entity (this checkout, by the order's checkout token or its cart token; this cart, by the
   * order's cart token or a checkout made from it); for customer-keyed flows the same as `customer`.
   * `customer_or_entity`: either — the customer ordered anything, or the entity converted (a guest order placed
   * under another email still counts).
   */
  scope: z.enum(["customer", "entity", "customer_or_entity"]),
  label: z.string().min(1).default("order placed"),
});
export type Goal = z.infer<typeof Goal>;

/** A daily window in which no email goes out: an email due inside it waits for the window's end. */
export const QuietHours = z
  .object({
    start: TimeOfDay,
    end: TimeOfDay,
    /** Defaults to the store's time zone. */
    timeZone: TimeZone.optional(),
  })
  .refine((window) => window.start !== window.end, { message: "quiet hours start and end must differ", path: ["end"] });
export type QuietHours = z.infer<typeof QuietHours>;

export const Reentry = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("never") }),
  z.object({ mode: z.literal("after"), days: z.number().int().min(1, "re-entry waits at least one day").max(3650) }),
]);
export type Reentry = z.infer<typeof Reentry>;

/**
 * A control group: this share of the flow's customers (sticky per customer and flow) enter and go through the
 * flow — delays, branches, goals and exits as for anyone — but are sent nothing, so that what the flow adds can
 * be measured against them (docs/analytics.md). 5 % is the suggested default.
 */
export const Holdout = z.object({
  percent: z
    .number({ error: "a holdout is { \"percent\": 0-50 }" })
    .min(0, "a holdout percentage is at least 0")
    .max(50, "a holdout keeps at most 50 % of customers out")
    .refine((percent) => Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-9, "a holdout percentage has at most two decimals"),
});
export type Holdout = z.infer<typeof Holdout>;
export const SUGGESTED_HOLDOUT_PERCENT = 5;

export const FlowRules = z.object({
  /**
   * `marketing`: email steps are skipped (and recorded as such) for customers who have not accepted marketing.
   * `transactional`: email steps go to everyone the trigger enrolls.
   */
  consent: z.enum(["marketing", "transactional"]).default("marketing"),
  /**
   * What the flow's messages are. `marketing` (absent): they honour unsubscribes and count against (and wait for)
   * the workspace's message budget. `transactional` (order confirmations, shipping updates): written as
   * transactional messages, sent despite a marketing unsubscribe (never to a bounced or spam-reporting address),
   * outside the budget; needs `consent: "transactional"`.
   */
  kind: z.enum(["marketing", "transactional"]).optional(),
  quietHours: QuietHours.nullable().default(null),
  /**
   * Whether an entity enrolls again once its journey has ended: `never` (one journey per entity), or `after` at
   * least `days` days since the last one ended (entry 2, 3, …). A running journey is never entered twice.
   * Absent: `never`.
   */
  reentry: Reentry.optional(),
  /**
   * Marketing flows only: an email held back by the workspace's message budget for this many hours (counted
   * from when the journey reached it) is skipped, the reason recorded. Absent: it waits as long as it takes.
   */
  budgetExpiryHours: z.number().int().min(1).max(24 * 365).optional(),
  /** Keep a control group that is sent nothing (emails and discount codes skipped). Absent: no holdout. */
  holdout: Holdout.optional(),
});
export type FlowRules = z.infer<typeof FlowRules>;
export const DEFAULT_RULES: FlowRules = { consent: "marketing", quietHours: null };

const FlowDefinitionShape = z
  .object({
    schemaVersion: z.literal(1),
    trigger: Trigger,
    goal: Goal.nullable(),
    entry: NodeId,
    nodes: z.array(FlowNode).min(1),
    rules: FlowRules.default(DEFAULT_RULES),
  })
  .superRefine((definition, ctx) => {
    if (definition.rules.kind === "transactional" && definition.rules.consent !== "transactional") {
      ctx.addIssue({ code: "custom", message: "a transactional flow cannot require marketing consent: set consent to \"transactional\"", path: ["rules", "consent"] });
    }
    for (const problem of graphProblems(definition)) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
  });

/**
 * A definition as published versions are read back (the runner, export): the document's shape and graph, without
 * the template checks, so a version frozen before a check existed (or naming a variable since renamed) still runs
 * (its unknown variables render empty).
 */
export const StoredFlowDefinition = FlowDefinitionShape;

/** A definition as saved, imported and published: also every email's Liquid against the trigger's variables. */
export const FlowDefinition = FlowDefinitionShape.superRefine((definition, ctx) => {
  const shape = triggerShape(definition.trigger);
  definition.nodes.forEach((node, index) => {
    if (node.type !== "email") return;
    for (const problem of emailTemplateProblems(node, shape)) ctx.addIssue({ code: "custom", message: problem.message, path: ["nodes", index, ...problem.path] });
  });
});
export type FlowDefinition = z.infer<typeof FlowDefinition>;

export interface GraphProblem {
  message: string;
  path: (string | number)[];
}

/** One outgoing edge of a node: its label (next, yes, no, a branch or variant id), target and place in the node. */
export interface NodeOutput {
  label: string;
  next: string | null;
  path: (string | number)[];
}

export function outputsOf(node: FlowNode): NodeOutput[] {
  switch (node.type) {
    case "delay":
    case "wait_until":
    case "email":
    case "discount_code":
    case "tag_customer":
    case "webhook":
      return [{ label: "next", next: node.next, path: ["next"] }];
    case "condition":
      return [
        { label: "yes", next: node.yes, path: ["yes"] },
        { label: "no", next: node.no, path: ["no"] },
      ];
    case "split":
      return [
        ...node.branches.map((branch, index) => ({ label: branch.id, next: branch.next, path: ["branches", index, "next"] })),
        { label: "else", next: node.else, path: ["else"] },
      ];
    case "ab_split":
      return node.variants.map((variant, index) => ({ label: variant.id, next: variant.next, path: ["variants", index, "next"] }));
    case "exit":
      return [];
    default:
      return assertUnreachable(node);
  }
}

/** Problems inside one node that its field schemas cannot see: branch lists, duplicate labels, weights. */
function nodeProblems(node: FlowNode, index: number): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const duplicates = (ids: string[], what: string, list: string) =>
    ids.forEach((id, position) => {
      if (ids.indexOf(id) !== position) problems.push({ message: `node "${node.id}" has two ${what} named "${id}"`, path: ["nodes", index, list, position, "id"] });
    });
  if (node.type === "split") {
    if (node.branches.length === 0) problems.push({ message: `split "${node.id}" needs at least one branch besides else`, path: ["nodes", index, "branches"] });
    duplicates(node.branches.map((branch) => branch.id), "branches", "branches");
  }
  if (node.type === "ab_split") {
    if (node.variants.length < 2) problems.push({ message: `A/B split "${node.id}" needs at least two variants`, path: ["nodes", index, "variants"] });
    else if (node.variants.every((variant) => variant.weight === 0)) {
      problems.push({ message: `A/B split "${node.id}" has weights that sum to 0: give at least one variant a weight`, path: ["nodes", index, "variants"] });
    }
    duplicates(node.variants.map((variant) => variant.id), "variants", "variants");
  }
  return problems;
}

/** Structural checks: ids unique, every output goes to a node that exists, every node reachable, no cycles. */
export function graphProblems(definition: { entry: string; nodes: FlowNode[] }): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const byId = new Map<string, { node: FlowNode; index: number }>();
  definition.nodes.forEach((node, index) => {
    if (byId.has(node.id)) problems.push({ message: `duplicate node id "${node.id}"`, path: ["nodes", index, "id"] });
    else byId.set(node.id, { node, index });
    problems.push(...nodeProblems(node, index));
  });
  const entryExists = byId.has(definition.entry);
  if (!entryExists) problems.push({ message: `entry node "${definition.entry}" does not exist`, path: ["entry"] });
  definition.nodes.forEach((node, index) => {
    for (const output of outputsOf(node)) {
      if (output.next !== null && !byId.has(output.next)) {
        const via = output.label === "next" ? "" : ` (${output.label})`;
        problems.push({ message: `node "${node.id}"${via} goes to "${output.next}", which does not exist`, path: ["nodes", index, ...output.path] });
      }
    }
  });
  if (!entryExists) return problems;

  // Depth-first from the entry over every output; an edge back to a node on the current path is a cycle.
  const reached = new Set<string>();
  const onPath = new Set<string>();
  const visit = (id: string) => {
    const entry = byId.get(id);
    if (!entry) return;
    reached.add(id);
    onPath.add(id);
    for (const output of outputsOf(entry.node)) {
      if (output.next === null) continue;
      if (onPath.has(output.next)) {
        problems.push({ message: `the path loops back to "${output.next}"`, path: ["nodes", entry.index, ...output.path] });
      } else if (!reached.has(output.next)) {
        visit(output.next);
      }
    }
    onPath.delete(id);
  };
  visit(definition.entry);
  definition.nodes.forEach((node, index) => {
    if (!reached.has(node.id)) problems.push({ message: `node "${node.id}" cannot be reached from the entry`, path: ["nodes", index] });
  });
  return problems;
}

export function findNode(definition: FlowDefinition, id: string): FlowNode | undefined {
  return definition.nodes.find((node) => node.id === id);
}

/** A validation problem for people: `nodes[3].next: node "a" goes to "b", which does not exist`. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : text === "" ? String(key) : `.${String(key)}`;
  return text || "(document)";
}

export type ValidationResult = { ok: true; definition: FlowDefinition } | { ok: false; problems: DefinitionProblem[] };

/** Parses a definition, returning every problem with the path where it is. */
export function validateDefinition(input: unknown): ValidationResult {
  const parsed = FlowDefinition.safeParse(input);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) };
}

/** The same for a JSON document's text (a file the CLI reads): a syntax error is a problem too. */
export function validateDefinitionJson(text: string): ValidationResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: "(document)", message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  return validateDefinition(input);
}
