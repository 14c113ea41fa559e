// Numbers, money, days and trends as the segment and customer pages show them.
import { formatMoney } from "~/core/money";

const integer = new Intl.NumberFormat("en-US");

export const formatCount = (value: number) => integer.format(value);

/** "1,234 of 5,000 customers" */
export function countOf(count: number, total: number): string {
  return `${formatCount(count)} of ${formatCount(total)} customer${total === 1 ? "" : "s"}`;
}

/** Minor units in a currency; a bare number when the currency is unknown (a customer who never ordered). */
export function formatAmount(minor: number, currency: string | null | undefined): string {
  if (currency) return formatMoney({ amount: minor, currency });
  return minor === 0 ? "—" : integer.format(minor / 100);
}

/** A calendar day in the store's time zone: "Mar 3, 2027". Assembled from parts, as formatDateTime does. */
export function formatDay(iso: string | null | undefined, timeZone = "UTC"): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "short", day: "numeric" }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" }).formatToParts(date);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("month")} ${part("day")}, ${part("year")}`;
}

/** A probability as a whole percentage: 0.347 → "35 %". */
export const formatPercent = (probability: number) => `${Math.round(probability * 100)} %`;

/** The change over a trend, as text for everyone (and the sparkline's alternative): "+12 in 30 days". */
export function trendText(trend: readonly { members: number }[]): string {
  if (trend.length === 0) return "No history yet";
  if (trend.length === 1) return "History starts today";
  const change = trend[trend.length - 1].members - trend[0].members;
  const days = trend.length;
  if (change === 0) return `No change in ${days} days`;
  return `${change > 0 ? "+" : "−"}${formatCount(Math.abs(change))} in ${days} days`;
}
