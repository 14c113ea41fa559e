// The segment rule language: AND/OR groups of conditions over a customer's profile, metrics, orders, carts,
// email engagement, store, other segments and predictions. Isomorphic (the builder validates with it in the
// browser; the server compiles it to SQL in core/segments/compile.server.ts). Every time in a rule is relative
// to "now" or a calendar period in the store's time zone, so a rule means the same thing whenever it is read.
import { z } from "zod";
import { formatPath } from "~/core/flows/definition";

/** Number comparisons. */
export const Comparison = z.enum(["eq", "neq", "gt", "gte", "lt", "lte"]);
export type Comparison = z.infer<typeof Comparison>;

const Days = z.number().int().min(1, "a window is at least 1 day").max(3650, "a window is at most 3650 days (10 years)");
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date is YYYY-MM-DD");
const NonNegative = z.number().nonnegative("must be 0 or more");

/**
 * A period of orders/engagement: the last N days (rolling, ends now), or the current calendar month/year in the
 * store's time zone ("at least 3 orders this month").
 */
export const Window = z.union([
  z.object({ days: Days }).strict(),
  z.object({ calendar: z.enum(["this_month", "this_year"]) }).strict(),
]);
export type Window = z.infer<typeof Window>;

/** The part of the address after "@" is (or is not) this domain, e.g. gmail.com. */
export const EmailDomainCondition = z.object({
  kind: z.literal("email_domain"),
  op: z.enum(["is", "is_not"]),
  value: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, "an email domain such as example.com, without the @"),
});

/** Where the customer lives: any of the values (ISO country codes such as US, region codes such as CA-ON or ON, city names). */
export const LocationCondition = z.object({
  kind: z.literal("location"),
  field: z.enum(["country", "region", "city"]),
  op: z.enum(["is", "is_not"]),
  values: z.array(z.string().trim().min(1)).min(1, "name at least one place"),
});

/** The customer has (or has not) a tag; case is ignored. */
export const TagCondition = z.object({
  kind: z.literal("tag"),
  op: z.enum(["has", "has_not"]),
  value: z.string().trim().min(1, "name the tag").max(255),
});

/** Email-marketing consent. */
export const ConsentCondition = z.object({
  kind: z.literal("consent"),
  acceptsMarketing: z.boolean(),
});

/**
 * A number about the customer. Money (`total_spent`, `average_order_value`) is in major units of the store's
 * currency (500 means $500.00 in a USD store). `days_since_*` count whole days; a customer with no order has no
 * `days_since_last_order` (use `orders_count eq 0` for "never ordered").
 */
export const MetricCondition = z.object({
  kind: z.literal("metric"),
  metric: z.enum(["orders_count", "total_spent", "average_order_value", "days_since_last_order", "days_since_first_order", "days_since_created"]),
  op: Comparison,
  value: NonNegative,
});

/** A date about the customer compared with a calendar date (start of that day in the store's time zone). */
export const DateCondition = z.object({
  kind: z.literal("date"),
  field: z.enum(["created_at", "first_order_at", "last_order_at"]),
  op: z.enum(["before", "on_or_after"]),
  date: IsoDate,
});

/** Orders (not cancelled) in a window: how many, or how much was spent (major units of the store's currency). */
export const OrdersInWindowCondition = z.object({
  kind: z.literal("orders_in_window"),
  measure: z.enum(["count", "spend"]),
  window: Window,
  op: Comparison,
  value: NonNegative,
});

/** Bought (or never bought) a product, or anything in a category, ever or within a window. */
export const BoughtCondition = z
  .object({
    kind: z.literal("bought"),
    op: z.enum(["has", "has_not"]),
    productId: z.string().trim().min(1).optional(),
    category: z.string().trim().min(1).optional(),
    window: Window.optional(),
  })
  .refine((condition) => (condition.productId === undefined) !== (condition.category === undefined), {
    message: "name either a productId or a category",
    path: ["productId"],
  });

/**
 * Cart and checkout state. `open_cart`: a cart with items, active in the last `withinDays`, idle at least
 * `idleHours`, not ordered. `abandoned_checkout`: a checkout started in the last `withinDays`, idle at least
 * `idleHours`, neither completed nor ordered.
 */
export const CartStateCondition = z.object({
  kind: z.literal("cart_state"),
  state: z.enum(["open_cart", "abandoned_checkout"]),
  op: z.enum(["has", "has_not"]),
  idleHours: z.number().int().min(0).max(24 * 30).default(1),
  withinDays: Days.default(7),
});

/** Email engagement in the last N days: received a message, opened one (people only, machine opens excluded), clicked one. */
export const EngagementCondition = z.object({
  kind: z.literal("engagement"),
  action: z.enum(["received", "opened", "clicked"]),
  op: z.enum(["has", "has_not"]),
  days: Days,
});

/** The store the customer was first seen in. */
export const StoreCondition = z.object({
  kind: z.literal("store"),
  op: z.enum(["is", "is_not"]),
  storeIds: z.array(z.string().min(1)).min(1, "name at least one store"),
});

/** Membership of another segment of the same workspace (no cycles). */
export const SegmentCondition = z.object({
  kind: z.literal("segment"),
  op: z.enum(["in", "not_in"]),
  segmentId: z.string().min(1, "choose a segment"),
});

/**
 * What the purchase model expects (core/predictions): churn probability (0–1), expected spend in the next 12
 * months (major units), expected orders in the next 12 months, days until the next expected order. Customers
 * without a prediction match no prediction condition.
 */
export const PredictionCondition = z
  .object({
    kind: z.literal("prediction"),
    measure: z.enum(["churn_probability", "clv_12m", "expected_orders_12m", "days_until_next_order"]),
    op: Comparison,
    value: NonNegative,
  })
  .refine((condition) => condition.measure !== "churn_probability" || condition.value <= 1, {
    message: "a churn probability is between 0 and 1",
    path: ["value"],
  });

export const LeafCondition = z.discriminatedUnion("kind", [
  EmailDomainCondition,
  LocationCondition,
  TagCondition,
  ConsentCondition,
  MetricCondition,
  DateCondition,
  OrdersInWindowCondition,
  BoughtCondition,
  CartStateCondition,
  EngagementCondition,
  StoreCondition,
  SegmentCondition,
  PredictionCondition,
]);
export type LeafCondition = z.infer<typeof LeafCondition>;
export type ConditionKind = LeafCondition["kind"];

export interface RuleGroup {
  kind: "group";
  /** `all`: every condition holds (AND); `any`: at least one does (OR). */
  match: "all" | "any";
  conditions: (LeafCondition | RuleGroup)[];
}

/** Groups nest at most this deep (the root counts as 1): enough for (A and (B or C)), and readable. */
export const MAX_DEPTH = 4;
/** Conditions in a whole rule, at most. */
export const MAX_CONDITIONS = 50;

const GroupObject = z.object({
  kind: z.literal("group"),
  match: z.enum(["all", "any"]),
  // A getter makes the schema recursive; one discriminated union gives precise errors for each kind.
  get conditions(): z.ZodArray<z.ZodType<LeafCondition | RuleGroup>> {
    const item = z.discriminatedUnion("kind", [GroupObject, ...LeafCondition.options]) as unknown as z.ZodType<LeafCondition | RuleGroup>;
    return z.array(item).min(1, "a group needs at least one condition");
  },
});
export const RuleGroup: z.ZodType<RuleGroup> = GroupObject;

/** A segment's rule: one root group. */
export const SegmentRule = RuleGroup;
export type SegmentRule = RuleGroup;

export interface RuleProblem {
  /** Where, e.g. `conditions[1].conditions[0].value`. */
  path: string;
  message: string;
}

export type RuleValidation = { ok: true; rule: SegmentRule } | { ok: false; problems: RuleProblem[] };

function shapeProblems(rule: SegmentRule): RuleProblem[] {
  const problems: RuleProblem[] = [];
  let count = 0;
  const walk = (group: RuleGroup, depth: number, path: (string | number)[]) => {
    if (depth > MAX_DEPTH) problems.push({ path: formatPath(path), message: `groups nest at most ${MAX_DEPTH} deep` });
    group.conditions.forEach((condition, index) => {
      if (condition.kind === "group") walk(condition, depth + 1, [...path, "conditions", index]);
      else count += 1;
    });
  };
  walk(rule, 1, []);
  if (count > MAX_CONDITIONS) problems.push({ path: "(rule)", message: `a rule has at most ${MAX_CONDITIONS} conditions (this one has ${count})` });
  return problems;
}

/**
 * Parses a rule, returning every problem with the path where it is. Checks that need the database (the
 * segments and stores a rule names exist, no segment cycles) are the server's: core/segments/segments.server.ts.
 */
export function validateRule(input: unknown): RuleValidation {
  const parsed = SegmentRule.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) };
  const problems = shapeProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rule: parsed.data };
}

/** Every leaf condition of a rule, depth first. */
export function leavesOf(rule: RuleGroup): LeafCondition[] {
  return rule.conditions.flatMap((condition) => (condition.kind === "group" ? leavesOf(condition) : [condition]));
}

/** The segments a rule refers to (for dependency order and cycle checks). */
export function referencedSegments(rule: RuleGroup): string[] {
  return [...new Set(leavesOf(rule).flatMap((leaf) => (leaf.kind === "segment" ? [leaf.segmentId] : [])))];
}

/** The built-in segments: the seed's four, created in every workspace and editable like any other. */
export const BUILTIN_SEGMENTS = ["vips", "at_risk", "potential_advocates", "one_time_buyers"] as const;
export type BuiltinSegment = (typeof BUILTIN_SEGMENTS)[number];

export const BUILTIN_SEGMENT_DEFINITIONS: Record<BuiltinSegment, { name: string; description: string; rule: SegmentRule }> = {
  vips: {
    name: "VIPs",
    description: "Lifetime spend over 500 in the store's currency, or more than 5 orders.",
    rule: {
      kind: "group",
      match: "any",
      conditions: [
        { kind: "metric", metric: "total_spent", op: "gt", value: 500 },
        { kind: "metric", metric: "orders_count", op: "gt", value: 5 },
      ],
    },
  },
  at_risk: {
    name: "At-risk",
    description: "Used to buy regularly (3 or more orders) but nothing in the last 90 days.",
    rule: {
      kind: "group",
      match: "all",
      conditions: [
        { kind: "metric", metric: "orders_count", op: "gte", value: 3 },
        { kind: "metric", metric: "days_since_last_order", op: "gte", value: 90 },
      ],
    },
  },
  potential_advocates: {
    name: "Potential advocates",
    description: "Three or more orders within the last 30 days.",
    rule: {
      kind: "group",
      match: "all",
      conditions: [{ kind: "orders_in_window", measure: "count", window: { days: 30 }, op: "gte", value: 3 }],
    },
  },
  one_time_buyers: {
    name: "One-time buyers",
    description: "Exactly one order so far.",
    rule: { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "orders_count", op: "eq", value: 1 }] },
  },
};
