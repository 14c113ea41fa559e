// The segment rule language: AND/OR groups of conditions over a customer's profile, metrics, orders, carts,
// email engagement, store, other segments and predictions. Isomorphic (the builder validates with it in the
// browser; the server compiles it to SQL in core/segments/compile.server.ts). Every time in a rule is relative
// to "now" or a calendar period in the store's time zone, so a rule means the same thing whenever it is read.
import { z } from "zod";
import { formatPath } from "~/core/flows/definition";
import { formatMoney, minorUnitDigits } from "~/core/money";

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
 * Cart and checkout state. `open_cart`: a cart with items, last active within the last `withinDays` and idle at
 * least `idleHours`, not ordered (no checkout of it completed, no order by its customer since its last activity).
 * `abandoned_checkout`: a checkout last active within the last `withinDays`, idle at least `idleHours`, neither
 * completed nor ordered.
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

// ---------------------------------------------------------------------------------------------------------------
// Words for rules: the builder's summary (describeRule) and the server's one-line explanations share them.

export interface RuleNames {
  /** Segment id → name. */
  segments?: Record<string, string>;
  /** Store id → name. */
  stores?: Record<string, string>;
}

type Flavour = "count" | "money" | "plain";

/** "more than 5", "over $500.00", "at least 3"… */
export function comparisonWords(op: Comparison, value: string, flavour: Flavour = "plain"): string {
  switch (op) {
    case "gt":
      return flavour === "count" ? `more than ${value}` : `over ${value}`;
    case "gte":
      return `at least ${value}`;
    case "lt":
      return flavour === "count" ? `fewer than ${value}` : `under ${value}`;
    case "lte":
      return `at most ${value}`;
    case "eq":
      return `exactly ${value}`;
    case "neq":
      return `other than ${value}`;
  }
}

/** A major-units amount as money when the currency is known ("$500.00"), else as the number ("500"). */
export function majorAmount(value: number, currency?: string): string {
  if (!currency) return String(value);
  return formatMoney({ amount: Math.round(value * 10 ** minorUnitDigits(currency)), currency });
}

export function windowWords(window: Window): string {
  if ("days" in window) return window.days === 1 ? "in the last day" : `in the last ${window.days} days`;
  return window.calendar === "this_month" ? "this month" : "this year";
}

function plural(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}

function either(values: string[]): string {
  return values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}

const METRIC_SUBJECT = {
  days_since_last_order: "last order",
  days_since_first_order: "first order",
  days_since_created: "created",
} as const;

const DATE_SUBJECT = { created_at: "created", first_order_at: "first order", last_order_at: "last order" } as const;

const PREDICTION_SUBJECT = {
  churn_probability: "churn probability",
  clv_12m: "expected 12-month spend",
  expected_orders_12m: "expected orders in 12 months",
  days_until_next_order: "next order expected in",
} as const;

/** One condition in words, without the customer's values: "more than 5 orders". */
export function describeCondition(leaf: LeafCondition, names: RuleNames = {}, currency?: string): string {
  switch (leaf.kind) {
    case "email_domain":
      return `email domain ${leaf.op === "is" ? "is" : "is not"} ${leaf.value}`;
    case "location":
      return `${leaf.field} ${leaf.op === "is" ? "is" : "is not"} ${either(leaf.values)}`;
    case "tag":
      return `${leaf.op === "has" ? "tagged" : "not tagged"} "${leaf.value}"`;
    case "consent":
      return leaf.acceptsMarketing ? "accepts email marketing" : "does not accept email marketing";
    case "metric":
      switch (leaf.metric) {
        case "orders_count":
          return `${comparisonWords(leaf.op, String(leaf.value), "count")} ${plural(leaf.value, "order")}`;
        case "total_spent":
          return `lifetime spend ${comparisonWords(leaf.op, majorAmount(leaf.value, currency), "money")}`;
        case "average_order_value":
          return `average order ${comparisonWords(leaf.op, majorAmount(leaf.value, currency), "money")}`;
        default:
          return `${METRIC_SUBJECT[leaf.metric]} ${comparisonWords(leaf.op, `${leaf.value} ${plural(leaf.value, "day")}`, "plain")} ago`;
      }
    case "date":
      return `${DATE_SUBJECT[leaf.field]} ${leaf.op === "before" ? "before" : "on or after"} ${leaf.date}`;
    case "orders_in_window":
      return leaf.measure === "count"
        ? `${comparisonWords(leaf.op, String(leaf.value), "count")} ${plural(leaf.value, "order")} ${windowWords(leaf.window)}`
        : `spend ${comparisonWords(leaf.op, majorAmount(leaf.value, currency), "money")} ${windowWords(leaf.window)}`;
    case "bought": {
      const what = leaf.productId !== undefined ? `product ${leaf.productId}` : `from category "${leaf.category ?? ""}"`;
      return `${leaf.op === "has" ? "bought" : "never bought"} ${what}${leaf.window ? ` ${windowWords(leaf.window)}` : ""}`;
    }
    case "cart_state": {
      const thing = leaf.state === "open_cart" ? "open cart" : "abandoned checkout";
      return `${leaf.op === "has" ? "has an" : "has no"} ${thing} (idle ${leaf.idleHours} h or more, active in the last ${leaf.withinDays} ${plural(leaf.withinDays, "day")})`;
    }
    case "engagement": {
      const verb = { received: ["received", "receive"], opened: ["opened", "open"], clicked: ["clicked", "click"] }[leaf.action];
      const period = leaf.days === 1 ? "in the last day" : `in the last ${leaf.days} days`;
      return leaf.op === "has" ? `${verb[0]} an email ${period}` : `did not ${verb[1]} an email ${period}`;
    }
    case "store":
      return `${leaf.op === "is" ? "first seen in" : "not first seen in"} ${either(leaf.storeIds.map((id) => names.stores?.[id] ?? id))}`;
    case "segment":
      return `${leaf.op === "in" ? "in" : "not in"} "${names.segments?.[leaf.segmentId] ?? leaf.segmentId}"`;
    case "prediction":
      switch (leaf.measure) {
        case "clv_12m":
          return `${PREDICTION_SUBJECT.clv_12m} ${comparisonWords(leaf.op, majorAmount(leaf.value, currency), "money")}`;
        case "days_until_next_order":
          return `${PREDICTION_SUBJECT.days_until_next_order} ${comparisonWords(leaf.op, `${leaf.value} ${plural(leaf.value, "day")}`)}`;
        default:
          return `${PREDICTION_SUBJECT[leaf.measure]} ${comparisonWords(leaf.op, String(leaf.value))}`;
      }
  }
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A rule in words for the builder: "Lifetime spend over 500 or more than 5 orders". */
export function describeRule(rule: RuleGroup, names: RuleNames = {}, options: { currency?: string } = {}): string {
  const walk = (group: RuleGroup, nested: boolean): string => {
    const parts = group.conditions.map((condition) => (condition.kind === "group" ? walk(condition, true) : describeCondition(condition, names, options.currency)));
    const text = parts.join(group.match === "all" ? " and " : " or ");
    return nested && parts.length > 1 ? `(${text})` : text;
  };
  return capitalize(walk(rule, false));
}
