/** Money is integer minor units plus an ISO 4217 code; never floating point. */
export interface Money {
  amount: number;
  currency: string;
}

/** Digits after the decimal point for a currency (JPY 0, USD 2, KWD 3), from the runtime's ICU data. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Parses a decimal string such as "421.88" into minor units without going through a float.
 * Returns null for anything that is not a plain non-negative or negative decimal.
 */
export function parseDecimalToMinor(value: string | number, currency: string): number | null {
  const text = typeof value === "number" ? String(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const digits = minorUnitDigits(currency);
  const padded = (fraction + "0".repeat(digits)).slice(0, digits);
  const rest = fraction.slice(digits);
  let minor = Number(whole) * 10 ** digits + Number(padded || "0");
  if (rest && Number(rest[0]) >= 5) minor += 1; // round half up on extra precision
  return sign ? -minor : minor;
}

export function formatMoney(money: Money, locale = "en-US"): string {
  const digits = minorUnitDigits(money.currency);
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(
    money.amount / 10 ** digits,
  );
}
