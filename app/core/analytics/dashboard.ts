// Dashboard date ranges and time buckets, pure and isomorphic: the page's range picker, the loaders and the CSV
// export read the same URL search params (`range=7d|30d|90d`, or `range=custom&from=YYYY-MM-DD&to=YYYY-MM-DD`), and
// calendar days are those of the workspace's time zone (DST included), so a day's bar holds that local day.
import { z } from "zod";
import { instantAt, localTime } from "~/core/flows/zoned-time";

export const RANGE_PRESETS = ["7d", "30d", "90d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const PRESET_DAYS: Record<RangePreset, number> = { "7d": 7, "30d": 30, "90d": 90 };
export const DEFAULT_PRESET: RangePreset = "30d";
/** Up to this many days a point is a day; above it, a week (Monday to Sunday, clipped to the range). */
export const MAX_DAILY_DAYS = 92;
/** The longest custom range (two years of weekly points). */
export const MAX_RANGE_DAYS = 731;

const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-01.").refine((value) => {
  const [year, month, day] = value.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}, "That date does not exist.");

/** The range as the URL says it. */
export const DashboardRange = z.discriminatedUnion(
  "range",
  [
    z.object({ range: z.enum(RANGE_PRESETS) }),
    z
      .object({ range: z.literal("custom"), from: LocalDate, to: LocalDate })
      .refine((value) => value.from <= value.to, { message: "The start date must not be after the end date.", path: ["to"] })
      .refine((value) => daysBetween(value.from, value.to) + 1 <= MAX_RANGE_DAYS, { message: `A range can span at most ${MAX_RANGE_DAYS} days.`, path: ["to"] }),
  ],
  { error: "must be 7d, 30d, 90d or custom (with from and to)." },
);
export type DashboardRange = z.infer<typeof DashboardRange>;

export type RangeParse = { ok: true; range: DashboardRange } | { ok: false; range: DashboardRange; errors: string[] };

/**
 * The range in `params`; no `range` means the default (last 30 days). A bad range is reported with its reasons and
 * the default is used instead, so the page still renders and says what was wrong.
 */
export function parseDashboardRange(params: URLSearchParams): RangeParse {
  const raw = params.get("range") ?? DEFAULT_PRESET;
  const parsed = DashboardRange.safeParse(raw === "custom" ? { range: raw, from: params.get("from") ?? "", to: params.get("to") ?? "" } : { range: raw });
  if (parsed.success) return { ok: true, range: parsed.data };
  return { ok: false, range: { range: DEFAULT_PRESET }, errors: parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)) };
}

/** The URL search params of a range (what links and the CSV export carry). */
export function rangeSearchParams(range: DashboardRange): URLSearchParams {
  return new URLSearchParams(range.range === "custom" ? { range: "custom", from: range.from, to: range.to } : { range: range.range });
}

export type Granularity = "day" | "week";

export interface Bucket {
  /** The local date the bucket starts on (YYYY-MM-DD). */
  date: string;
  from: Date;
  to: Date;
}

export interface ResolvedRange {
  range: DashboardRange;
  timeZone: string;
  /** First and last local dates, inclusive. */
  firstDate: string;
  lastDate: string;
  days: number;
  /** [from, to): local midnight of firstDate to local midnight after lastDate. */
  from: Date;
  to: Date;
  granularity: Granularity;
  buckets: Bucket[];
  /** "last 30 days", or "Nov 1, 2026 – Nov 20, 2026": reads after "Results, ". */
  label: string;
}

function daysBetween(from: string, to: string): number {
  const [a, b] = [from, to].map((value) => {
    const [year, month, day] = value.split("-").map(Number);
    return Date.UTC(year, month - 1, day);
  });
  return Math.round((b - a) / 86_400_000);
}

/** A local date plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The local date of an instant in the zone. */
export function localDate(instant: Date, timeZone: string): string {
  const local = localTime(instant, timeZone);
  return `${String(local.year).padStart(4, "0")}-${String(local.month).padStart(2, "0")}-${String(local.day).padStart(2, "0")}`;
}

/** Local midnight at the start of a date, as an instant. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [year, month, day] = date.split("-").map(Number);
  return instantAt({ year, month, day }, 0, timeZone);
}

/** Monday = 0 … Sunday = 6 of a local date. */
function weekdayIndex(date: string): number {
  const [year, month, day] = date.split("-").map(Number);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

const shortDate = (date: string) => {
  const [year, month, day] = date.split("-").map(Number);
  return new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, day)));
};

/**
 * The range's local dates, instants and buckets. A preset of N days is the N local days ending today (today
 * included, so far); a custom range is its dates, inclusive.
 */
export function resolveRange(range: DashboardRange, input: { now: Date; timeZone: string }): ResolvedRange {
  const { timeZone } = input;
  const today = localDate(input.now, timeZone);
  const firstDate = range.range === "custom" ? range.from : addDays(today, -(PRESET_DAYS[range.range] - 1));
  const lastDate = range.range === "custom" ? range.to : today;
  const days = daysBetween(firstDate, lastDate) + 1;
  const granularity: Granularity = days > MAX_DAILY_DAYS ? "week" : "day";
  const starts: string[] = [firstDate];
  for (let date = addDays(firstDate, 1); date <= lastDate; date = addDays(date, 1)) {
    if (granularity === "day" || weekdayIndex(date) === 0) starts.push(date);
  }
  const end = addDays(lastDate, 1);
  const buckets = starts.map((date, index) => ({ date, from: startOfLocalDate(date, timeZone), to: startOfLocalDate(starts[index + 1] ?? end, timeZone) }));
  const label = range.range === "custom" ? `${shortDate(firstDate)} – ${shortDate(lastDate)}` : `last ${days} days`;
  return { range, timeZone, firstDate, lastDate, days, from: buckets[0].from, to: buckets[buckets.length - 1].to, granularity, buckets, label };
}

/** The index of the bucket holding `instant`, or -1 outside the range. Buckets are sorted and contiguous. */
export function bucketIndex(buckets: readonly { from: Date; to: Date }[], instant: Date): number {
  const at = instant.getTime();
  let low = 0;
  let high = buckets.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (at < buckets[middle].from.getTime()) high = middle - 1;
    else if (at >= buckets[middle].to.getTime()) low = middle + 1;
    else return middle;
  }
  return -1;
}
