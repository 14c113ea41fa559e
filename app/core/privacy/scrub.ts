// Scrubbing personal data out of stored JSON (event data, engine traces, step results) while keeping its shape,
// so counts, totals, dates and types stay usable for aggregates. Pure and isomorphic.

/** What replaces erased personal text. */
export const REDACTED = "[redacted]";

/**
 * Keys whose values are personal data wherever they appear (canonical entities, traces, raw platform payloads).
 * Anything under an address-like key goes as a whole.
 */
const PERSONAL_KEYS = new Set([
  "email",
  "contact_email",
  "toemail",
  "firstname",
  "first_name",
  "lastname",
  "last_name",
  "phone",
  "recoveryurl",
  "abandoned_checkout_url",
  "note",
  "customer_locale",
  "browser_ip",
  "ip",
  "useragent",
  "user_agent",
  // A customer's tags can say anything about them (the merchant's words).
  "tags",
]);
const ADDRESS_KEY = /address/i;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isJsonObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of `value` with personal fields set to null and every string mentioning one of `needles` (the
 * customer's email, phone, …; compared case-insensitively) replaced with the marker. Numbers, dates and flags stay.
 */
export function scrubPersonalData(value: unknown, needles: readonly string[] = []): Json {
  const lowered = needles.map((needle) => needle.toLowerCase()).filter((needle) => needle.length >= 3);
  function walk(node: unknown, key: string | null): Json {
    if (key !== null && (PERSONAL_KEYS.has(key.toLowerCase()) || ADDRESS_KEY.test(key))) return null;
    if (typeof node === "string") {
      const text = node.toLowerCase();
      return lowered.some((needle) => text.includes(needle)) ? REDACTED : node;
    }
    if (typeof node === "number" || typeof node === "boolean" || node === null) return node;
    if (Array.isArray(node)) return node.map((item) => walk(item, null));
    if (isJsonObject(node)) {
      const out: { [key: string]: Json } = {};
      for (const [childKey, child] of Object.entries(node)) {
        if (child === undefined) continue;
        out[childKey] = walk(child, childKey);
      }
      return out;
    }
    return null;
  }
  return walk(value, null);
}

/** True when any string in `value` mentions one of `needles` (case-insensitive). */
export function mentions(value: unknown, needles: readonly string[]): boolean {
  const lowered = needles.map((needle) => needle.toLowerCase()).filter((needle) => needle.length >= 3);
  if (lowered.length === 0) return false;
  const text = JSON.stringify(value ?? null).toLowerCase();
  return lowered.some((needle) => text.includes(needle));
}
