// The segment builder's form state: a rule as the merchant is typing it. Every field is kept as the text in its
// input (so "1." or an empty box survive re-renders); `toRule` turns the draft into the rule the language
// validates, and problems come back with rule paths (`conditions[1].value`) that `fieldError` maps to fields.
import { MAX_DEPTH, type ConditionKind, type LeafCondition, type RuleGroup, type RuleProblem, type Window } from "~/core/segments/rules";

export interface DraftLeaf {
  /** For React keys only; never part of the rule. */
  id: string;
  kind: ConditionKind;
  fields: Record<string, string>;
}

export interface DraftGroup {
  id: string;
  kind: "group";
  match: "all" | "any";
  conditions: DraftNode[];
}

export type DraftNode = DraftLeaf | DraftGroup;

let nextId = 0;
const newId = () => `d${++nextId}`;

export const CONDITION_KINDS: { kind: ConditionKind; label: string }[] = [
  { kind: "metric", label: "Orders and spend" },
  { kind: "orders_in_window", label: "Orders in a period" },
  { kind: "date", label: "Date" },
  { kind: "bought", label: "Bought a product" },
  { kind: "cart_state", label: "Cart or checkout" },
  { kind: "engagement", label: "Email engagement" },
  { kind: "consent", label: "Email consent" },
  { kind: "email_domain", label: "Email domain" },
  { kind: "location", label: "Location" },
  { kind: "tag", label: "Tag" },
  { kind: "store", label: "Store of origin" },
  { kind: "segment", label: "Other segment" },
  { kind: "prediction", label: "Prediction" },
];

/** What a new condition of each kind starts as: a complete, sensible rule the merchant then adjusts. */
const DEFAULT_FIELDS: Record<ConditionKind, Record<string, string>> = {
  email_domain: { op: "is", value: "" },
  location: { field: "country", op: "is", values: "" },
  tag: { op: "has", value: "" },
  consent: { acceptsMarketing: "true" },
  metric: { metric: "total_spent", op: "gt", value: "100" },
  date: { field: "created_at", op: "on_or_after", date: "" },
  orders_in_window: { measure: "count", op: "gte", value: "2", window: "days", windowDays: "30" },
  bought: { op: "has", target: "productId", item: "", window: "ever", windowDays: "90" },
  cart_state: { state: "abandoned_checkout", op: "has", idleHours: "1", withinDays: "7" },
  engagement: { action: "opened", op: "has", days: "30" },
  store: { op: "is", storeIds: "" },
  segment: { op: "in", segmentId: "" },
  prediction: { measure: "churn_probability", op: "gt", value: "0.7" },
};

export function newCondition(kind: ConditionKind, fields?: Record<string, string>): DraftLeaf {
  return { id: newId(), kind, fields: { ...DEFAULT_FIELDS[kind], ...fields } };
}

export function newGroup(match: "all" | "any" = "all", conditions: DraftNode[] = [newCondition("metric")]): DraftGroup {
  return { id: newId(), kind: "group", match, conditions };
}

// ── draft → rule ──

/** A number when the text is one; otherwise the text itself, so the rule is rejected at that field. */
export function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : text;
}

export const isNumberText = (text: string) => typeof parseNumber(text) === "number";

function toWindow(fields: Record<string, string>): Window | undefined {
  if (fields.window === "this_month" || fields.window === "this_year") return { calendar: fields.window };
  if (fields.window === "days") return { days: parseNumber(fields.windowDays ?? "") } as Window;
  return undefined;
}

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

/** The condition a leaf stands for; fields that are not valid yet are passed through for the validator to name. */
function toCondition(leaf: DraftLeaf): Record<string, unknown> {
  const f = leaf.fields;
  switch (leaf.kind) {
    case "email_domain":
      return { kind: leaf.kind, op: f.op, value: f.value };
    case "location":
      return { kind: leaf.kind, field: f.field, op: f.op, values: list(f.values) };
    case "tag":
      return { kind: leaf.kind, op: f.op, value: f.value };
    case "consent":
      return { kind: leaf.kind, acceptsMarketing: f.acceptsMarketing === "true" };
    case "metric":
      return { kind: leaf.kind, metric: f.metric, op: f.op, value: parseNumber(f.value) };
    case "date":
      return { kind: leaf.kind, field: f.field, op: f.op, date: f.date };
    case "orders_in_window":
      return { kind: leaf.kind, measure: f.measure, window: toWindow(f), op: f.op, value: parseNumber(f.value) };
    case "bought": {
      const window = toWindow(f);
      return { kind: leaf.kind, op: f.op, [f.target === "category" ? "category" : "productId"]: f.item, ...(window ? { window } : {}) };
    }
    case "cart_state":
      return { kind: leaf.kind, state: f.state, op: f.op, idleHours: parseNumber(f.idleHours), withinDays: parseNumber(f.withinDays) };
    case "engagement":
      return { kind: leaf.kind, action: f.action, op: f.op, days: parseNumber(f.days) };
    case "store":
      return { kind: leaf.kind, op: f.op, storeIds: list(f.storeIds) };
    case "segment":
      return { kind: leaf.kind, op: f.op, segmentId: f.segmentId };
    case "prediction":
      return { kind: leaf.kind, measure: f.measure, op: f.op, value: parseNumber(f.value) };
  }
}

/** The rule the draft stands for (unvalidated: give it to `validateRule`). */
export function toRule(group: DraftGroup): unknown {
  return {
    kind: "group",
    match: group.match,
    conditions: group.conditions.map((node) => (node.kind === "group" ? toRule(node) : toCondition(node))),
  };
}

// ── rule → draft ──

function windowFields(window: Window | undefined): Record<string, string> {
  if (!window) return { window: "ever", windowDays: "90" };
  if ("calendar" in window) return { window: window.calendar, windowDays: "30" };
  return { window: "days", windowDays: String(window.days) };
}

function fromCondition(condition: LeafCondition): DraftLeaf {
  switch (condition.kind) {
    case "email_domain":
    case "tag":
      return newCondition(condition.kind, { op: condition.op, value: condition.value });
    case "location":
      return newCondition(condition.kind, { field: condition.field, op: condition.op, values: condition.values.join(", ") });
    case "consent":
      return newCondition(condition.kind, { acceptsMarketing: String(condition.acceptsMarketing) });
    case "metric":
      return newCondition(condition.kind, { metric: condition.metric, op: condition.op, value: String(condition.value) });
    case "date":
      return newCondition(condition.kind, { field: condition.field, op: condition.op, date: condition.date });
    case "orders_in_window":
      return newCondition(condition.kind, { measure: condition.measure, op: condition.op, value: String(condition.value), ...windowFields(condition.window) });
    case "bought":
      return newCondition(condition.kind, {
        op: condition.op,
        target: condition.category !== undefined ? "category" : "productId",
        item: condition.category ?? condition.productId ?? "",
        ...windowFields(condition.window),
      });
    case "cart_state":
      return newCondition(condition.kind, { state: condition.state, op: condition.op, idleHours: String(condition.idleHours), withinDays: String(condition.withinDays) });
    case "engagement":
      return newCondition(condition.kind, { action: condition.action, op: condition.op, days: String(condition.days) });
    case "store":
      return newCondition(condition.kind, { op: condition.op, storeIds: condition.storeIds.join(",") });
    case "segment":
      return newCondition(condition.kind, { op: condition.op, segmentId: condition.segmentId });
    case "prediction":
      return newCondition(condition.kind, { measure: condition.measure, op: condition.op, value: String(condition.value) });
  }
}

export function fromRule(rule: RuleGroup): DraftGroup {
  return {
    id: newId(),
    kind: "group",
    match: rule.match,
    conditions: rule.conditions.map((node) => (node.kind === "group" ? fromRule(node) : fromCondition(node))),
  };
}

// ── edits (immutable; a position is the list of indices from the root group) ──

export type Position = readonly number[];

function mapAt(group: DraftGroup, position: Position, change: (node: DraftNode) => DraftNode | null): DraftGroup {
  const [index, ...rest] = position;
  const conditions = group.conditions.flatMap((node, i) => {
    if (i !== index) return [node];
    if (rest.length === 0) {
      const changed = change(node);
      return changed ? [changed] : [];
    }
    return node.kind === "group" ? [mapAt(node, rest, change)] : [node];
  });
  return { ...group, conditions };
}

export function replaceAt(root: DraftGroup, position: Position, node: DraftNode): DraftGroup {
  return mapAt(root, position, () => node);
}

export function removeAt(root: DraftGroup, position: Position): DraftGroup {
  return mapAt(root, position, () => null);
}

/** Appends to the group at `position` (the root when empty). */
export function appendTo(root: DraftGroup, position: Position, node: DraftNode): DraftGroup {
  if (position.length === 0) return { ...root, conditions: [...root.conditions, node] };
  return mapAt(root, position, (group) => (group.kind === "group" ? { ...group, conditions: [...group.conditions, node] } : group));
}

export function setMatch(root: DraftGroup, position: Position, match: "all" | "any"): DraftGroup {
  if (position.length === 0) return { ...root, match };
  return mapAt(root, position, (group) => (group.kind === "group" ? { ...group, match } : group));
}

/** Groups may be added inside a group at this depth (the root is depth 1). */
export const canNest = (depth: number) => depth < MAX_DEPTH;

// ── problems ──

/** The rule path of a position: [1, 0] → `conditions[1].conditions[0]`. */
export function pathOf(position: Position): string {
  return position.map((index) => `conditions[${index}]`).join(".");
}

/** A problem path of the server's answer, relative to the rule (`rule.conditions[0]` → `conditions[0]`). */
export function rulePath(path: string): string {
  if (path === "rule") return "";
  return path.startsWith("rule.") ? path.slice("rule.".length) : path;
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** The rule paths each field of the form owns, per kind (the rest of a condition's problems show on the condition). */
export const FIELD_PATHS: Record<string, string[]> = {
  value: ["value"],
  values: ["values"],
  op: ["op"],
  date: ["date"],
  window: ["window"],
  windowDays: ["window.days"],
  item: ["productId", "category"],
  idleHours: ["idleHours"],
  withinDays: ["withinDays"],
  days: ["days"],
  storeIds: ["storeIds"],
  segmentId: ["segmentId"],
};

/** The form fields of each kind (the rule paths they own are in FIELD_PATHS). */
export const KIND_FIELDS: Record<ConditionKind, readonly string[]> = {
  email_domain: ["op", "value"],
  location: ["field", "op", "values"],
  tag: ["op", "value"],
  consent: ["acceptsMarketing"],
  metric: ["metric", "op", "value"],
  date: ["field", "op", "date"],
  orders_in_window: ["measure", "window", "windowDays", "op", "value"],
  bought: ["op", "item", "window", "windowDays"],
  cart_state: ["op", "state", "idleHours", "withinDays"],
  engagement: ["op", "action", "days"],
  store: ["op", "storeIds"],
  segment: ["op", "segmentId"],
  prediction: ["measure", "op", "value"],
};

/** The messages for one field of the condition at `conditionPath`. */
export function fieldError(problems: readonly RuleProblem[], conditionPath: string, field: string): string | undefined {
  const owned = (FIELD_PATHS[field] ?? [field]).map((sub) => `${conditionPath}.${sub}`);
  // `window.days` belongs to its own field, not to the window select.
  const exclude = field === "window" ? [`${conditionPath}.window.days`] : [];
  const messages = problems.filter((p) => owned.some((prefix) => under(p.path, prefix)) && !exclude.some((prefix) => under(p.path, prefix))).map((p) => p.message);
  return messages.length ? [...new Set(messages)].join("; ") : undefined;
}

/** Problems at a condition that none of its shown fields owns (e.g. a store that no longer exists). */
export function otherProblems(problems: readonly RuleProblem[], conditionPath: string, fields: readonly string[]): RuleProblem[] {
  const owned = fields.flatMap((field) => (FIELD_PATHS[field] ?? [field]).map((sub) => `${conditionPath}.${sub}`));
  return problems.filter((p) => under(p.path, conditionPath) && !owned.some((prefix) => under(p.path, prefix)));
}

/** Problems about a group itself (`conditions[0].conditions`: "a group needs at least one condition", depth). */
export function groupProblems(problems: readonly RuleProblem[], groupPath: string): RuleProblem[] {
  const own = groupPath ? [groupPath, `${groupPath}.conditions`, `${groupPath}.match`] : ["conditions", "match", "(rule)", "(document)", ""];
  return problems.filter((p) => own.includes(p.path));
}
