// Time arithmetic for segment rules, done in TypeScript so the SQL only compares columns with bound instants
// (no dialect date functions): whole-day comparisons become instant ranges, calendar periods become their start
// in the store's time zone. Isomorphic and pure.
import { instantAt, localTime } from "~/core/flows/zoned-time";
import type { Comparison, Window } from "./rules";

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/**
 * A whole-number measure `k` compared with `value`, as the half-open range [lo, hi) of integers it allows (null:
 * unbounded), or "none" when no integer matches (eq 2.5). `neq` is not a range: callers negate `eq`.
 */
export type IntRange = { lo: number | null; hi: number | null } | "none";

export function integerRange(op: Exclude<Comparison, "neq">, value: number): IntRange {
  switch (op) {
    case "gte":
      return { lo: Math.ceil(value), hi: null };
    case "gt":
      return { lo: Math.floor(value) + 1, hi: null };
    case "lte":
      return { lo: null, hi: Math.floor(value) + 1 };
    case "lt":
      return { lo: null, hi: Math.ceil(value) };
    case "eq":
      return Number.isInteger(value) ? { lo: value, hi: value + 1 } : "none";
  }
}

/** Numbers compare as SQL would: the reference the unit tests and explanations use. */
export function compare(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case "eq":
      return actual === value;
    case "neq":
      return actual !== value;
    case "gt":
      return actual > value;
    case "gte":
      return actual >= value;
    case "lt":
      return actual < value;
    case "lte":
      return actual <= value;
  }
}

/** Whole days from `from` to `to` (floored): "days since" when `to` is now, "days until" when `from` is now. */
export function wholeDays(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

/** The instant the zone's clocks read midnight at the start of the given local date (just after a DST gap at 00:00). */
export function zonedMidnight(year: number, month: number, day: number, zone: string): Date {
  return instantAt({ year, month, day }, 0, zone);
}

/** Start of a YYYY-MM-DD date in the zone. */
export function startOfDate(date: string, zone: string): Date {
  const [year, month, day] = date.split("-").map(Number);
  return zonedMidnight(year, month, day, zone);
}

/** The start of the calendar month or year containing `now` (periodsBack 1: the one before). */
export function periodStart(calendar: "this_month" | "this_year", now: Date, zone: string, periodsBack = 0): Date {
  const local = localTime(now, zone);
  if (calendar === "this_year") return zonedMidnight(local.year - periodsBack, 1, 1, zone);
  const monthIndex = local.year * 12 + (local.month - 1) - periodsBack;
  return zonedMidnight(Math.floor(monthIndex / 12), (monthIndex % 12) + 1, 1, zone);
}

/** The first instant inside a window that ends now: N days ago, or the start of the current calendar period. */
export function windowStart(window: Window, now: Date, zone: string): Date {
  return "days" in window ? new Date(now.getTime() - window.days * DAY_MS) : periodStart(window.calendar, now, zone);
}

export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
