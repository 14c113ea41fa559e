import { z } from "zod";

const EmailAddress = z.email();

/** Trimmed, lower-cased email, or null when there is none or it is not an address. */
export function normalizeEmail(value: string | null | undefined): string | null {
  const email = value?.trim().toLowerCase();
  return email && EmailAddress.safeParse(email).success ? email : null;
}

/** Cart tokens from the storefront carry `?key=…` (Shopify since 2024-06); webhooks carry the bare token. */
export function normalizeCartToken(token: string): string {
  return token.split("?")[0];
}

/** Any date-time string the platforms send, as a UTC ISO string; null when it is not a date. */
export function toIsoUtc(value: string | null | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
