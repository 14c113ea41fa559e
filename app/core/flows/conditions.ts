import { assertUnreachable } from "~/core/assert";
import type { Condition } from "./definition";

/** The value at a dotted path of a plain object, or undefined. */
export function valueAt(context: unknown, path: string): unknown {
  let value: unknown = context;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function compare(actual: unknown, expected: unknown): number | null {
  if (typeof actual === "number" && typeof expected === "number") return actual - expected;
  if (actual instanceof Date && typeof expected === "string") return actual.getTime() - Date.parse(expected);
  if (typeof actual === "string" && typeof expected === "string") return actual.localeCompare(expected);
  return null;
}

export function conditionHolds(condition: Condition, context: unknown): boolean {
  const actual = valueAt(context, condition.path);
  const present = actual !== undefined && actual !== null && actual !== "";
  switch (condition.op) {
    case "exists":
      return present;
    case "not_exists":
      return !present;
    case "eq":
      return actual === condition.value;
    case "neq":
      return actual !== condition.value;
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const difference = compare(actual, condition.value);
      if (difference === null) return false;
      return condition.op === "gt" ? difference > 0 : condition.op === "gte" ? difference >= 0 : condition.op === "lt" ? difference < 0 : difference <= 0;
    }
    default:
      return assertUnreachable(condition.op);
  }
}

export function allConditionsHold(conditions: Condition[], context: unknown): boolean {
  return conditions.every((condition) => conditionHolds(condition, context));
}

/** Conditions combined as a node says: all of them, or any one. */
export function conditionsMatch(match: "all" | "any", conditions: Condition[], context: unknown): boolean {
  return match === "all" ? allConditionsHold(conditions, context) : conditions.some((condition) => conditionHolds(condition, context));
}
