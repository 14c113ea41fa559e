// How KPIs read in the admin and the CLI. Isomorphic.
import { formatMoney, type Money } from "~/core/money";
import type { Rate } from "./kpis";

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
