// Wall-clock time in an IANA time zone, with Intl only (isomorphic, no dependency): the next allowed weekday at
// a time of day, and whether an instant falls inside a daily window such as quiet hours.

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "21:30" → minutes since midnight (1290). The schema has checked the format. */
export function minuteOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(":").map(Number);
  return hours * 60 + minutes;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

/** The wall-clock reading of an instant in a zone. */
export function localTime(instant: Date, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year, month, day, minute, second } = parts;
  const hour = parts.hour % 24;
  return { year, month, day, hour, minute, second, weekday: WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] };
}

/** The instant at which the zone's clocks read `minutes` past midnight of the given date. */
export function instantAt(date: { year: number; month: number; day: number }, minutes: number, zone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const offsetAt = (instant: number) => {
    const local = localTime(new Date(instant), zone);
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - Math.floor(instant / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  const reads = (instant: number) => {
    const local = localTime(new Date(instant), zone);
    return local.hour * 60 + local.minute === minutes;
  };
  if (reads(first) && reads(second)) return new Date(Math.min(first, second)); // a repeated hour: the first one
  if (reads(first)) return new Date(first);
  if (reads(second)) return new Date(second);
  return new Date(Math.max(first, second)); // a skipped hour (spring forward): just after the gap
}

/** The first instant at or after `from` when the zone's clocks read `hhmm` on one of `weekdays`. */
export function nextLocalTime(from: Date, hhmm: string, weekdays: readonly Weekday[], zone: string): Date {
  const start = localTime(from, zone);
  const minutes = minuteOfDay(hhmm);
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = new Date(Date.UTC(start.year, start.month - 1, start.day + offset));
    if (!weekdays.includes(WEEKDAYS[day.getUTCDay()])) continue;
    const candidate = instantAt({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() }, minutes, zone);
    if (candidate >= from) return candidate;
  }
  throw new Error(`no ${hhmm} on ${weekdays.join(",")} within a week of ${from.toISOString()} in ${zone}`);
}

/** When `instant` falls inside the daily window [start, end) (wrapping midnight when start > end), its end; else null. */
export function windowEnd(instant: Date, window: { start: string; end: string }, zone: string): Date | null {
  const local = localTime(instant, zone);
  const now = local.hour * 60 + local.minute;
  const start = minuteOfDay(window.start);
  const end = minuteOfDay(window.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  return inside ? nextLocalTime(instant, window.end, WEEKDAYS, zone) : null;
}
