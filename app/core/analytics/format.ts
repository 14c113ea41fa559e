// How KPIs read in the admin and the CLI. Isomorphic.
import { formatMoney, minorUnitDigits, type Money } from "~/core/money";
import type { Estimate, Rate } from "./kpis";

/** "16.7%", or "—" when there is nothing to divide by. */
export function formatRate(rate: Rate): string {
  return rate.value === null ? "—" : `${(rate.value * 100).toFixed(1)}%`;
}

/** "16.7% (1 of 6)": the rate with its parts. */
export function formatRateWithParts(rate: Rate): string {
  return rate.value === null ? `— (0 of ${rate.of})` : `${formatRate(rate)} (${rate.count} of ${rate.of})`;
}

/** "$45.00", "$45.00 + €5.00" for several currencies, or `empty` when there is none. */
export function formatMoneyList(amounts: readonly Money[], empty = "—"): string {
  return amounts.length === 0 ? empty : amounts.map((money) => formatMoney(money)).join(" + ");
}

/** How a difference with its interval reads: "+6.0 (95 % CI -3.2 to +13.9)", or the reason there is none yet. */
function formatEstimate(estimate: Estimate, format: (value: number) => string): string {
  if (estimate.kind === "not_enough_data") return capitalize(estimate.reason);
  return `${format(estimate.value)} (95 % CI ${format(estimate.low)} to ${format(estimate.high)})`;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const signed = new Intl.NumberFormat("en-US", { signDisplay: "exceptZero", minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A difference of rates in percentage points: "+10.0 pts (95 % CI -5.4 pts to +23.2 pts)". */
export function formatRateLift(estimate: Estimate): string {
  return formatEstimate(estimate, (value) => `${signed.format(value * 100)} pts`);
}

/** A difference of counts: "+6.0 (95 % CI -3.2 to +13.9)". */
export function formatCountLift(estimate: Estimate): string {
  return formatEstimate(estimate, (value) => signed.format(value));
}

/** A difference of money in minor units: "+$330.00 (95 % CI -$107.13 to +$767.13)". */
export function formatMoneyLift(estimate: Estimate, currency: string | null): string {
  if (!currency) return estimate.kind === "not_enough_data" ? capitalize(estimate.reason) : "Not enough data yet: no revenue in either group";
  const digits = minorUnitDigits(currency);
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency, signDisplay: "exceptZero" });
  return formatEstimate(estimate, (value) => money.format(Math.round(value) / 10 ** digits));
}

/** Minor units (possibly fractional, as a mean is) as money: "$10.50". */
export function formatMinor(amount: number | null, currency: string | null): string {
  if (amount === null || !currency) return "—";
  return formatMoney({ amount: Math.round(amount), currency });
}
