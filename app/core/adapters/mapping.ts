// What every adapter's payload → canonical mapping needs: parse a payload part, convert money and dates with
// the field named on failure, build validated canonical events, and turn mapping failures into values.
import type { z } from "zod";
import { CanonicalEvent, toIsoUtc, type Address, type CanonicalEventType, type EventOfType } from "~/core/events";
import { parseDecimalToMinor } from "~/core/money";
import type { MappingResult } from "./adapter";
import { describeZodError } from "./describe-error";

/** An expected failure: the payload verified but does not say what we need. Its message names the field. */
export class MappingError extends Error {}

export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new MappingError(describeZodError(result.error));
  return result.data;
}

export function minorUnits(value: string | number, currency: string, field: string): number {
  const amount = parseDecimalToMinor(value, currency);
  if (amount === null) throw new MappingError(`${field}: not a decimal amount: ${JSON.stringify(value)}`);
  return amount;
}

/** A date-time the platform must send, as UTC ISO; `toIso` reads the platform's own format. */
export function requiredDate(
  value: string | null | undefined,
  field: string,
  toIso: (value: string | null | undefined) => string | null = toIsoUtc,
): string {
  const result = toIso(value);
  if (!result) throw new MappingError(`${field}: not a date-time: ${JSON.stringify(value)}`);
  return result;
}

/** Builds a canonical event and validates it: what an adapter emits is checked against the schema too. */
export function canonicalEvent<T extends CanonicalEventType>(type: T, occurredAt: string, data: EventOfType<T>["data"]): CanonicalEvent {
  const result = CanonicalEvent.safeParse({ type, version: 1, occurredAt, data });
  if (!result.success) throw new MappingError(describeZodError(result.error));
  return result.data;
}

/** Runs a mapping; a MappingError becomes `{ ok: false, error }`, anything else stays an exception. */
export function mapped(map: () => CanonicalEvent[]): MappingResult {
  try {
    return { ok: true, events: map() };
  } catch (error) {
    if (error instanceof MappingError) return { ok: false, error: error.message };
    throw error;
  }
}

/**
 * An address as the canonical entity holds it: the country as an upper-case ISO alpha-2 code (anything else is
 * dropped rather than guessed), region and city trimmed; null when none of the three is said.
 */
export function canonicalAddress(parts: { country?: string | null; region?: string | null; city?: string | null } | null | undefined): Address | null {
  if (!parts) return null;
  const text = (value: string | null | undefined) => value?.trim() || null;
  const code = text(parts.country)?.toUpperCase() ?? null;
  const address = { country: code && /^[A-Z]{2}$/.test(code) ? code : null, region: text(parts.region), city: text(parts.city) };
  return address.country || address.region || address.city ? address : null;
}

/** The first address that says anything, in order of preference. */
export function firstAddress(...candidates: (Address | null)[]): Address | null {
  return candidates.find((address) => address !== null) ?? null;
}

/**
 * A tag list as platforms send it (Shopify: one comma-separated string; an array elsewhere) → trimmed, non-empty
 * tags. null/undefined stays null: the source did not say.
 */
export function tagList(value: string | string[] | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const tags = (Array.isArray(value) ? value : value.split(",")).map((tag) => tag.trim()).filter((tag) => tag !== "");
  return [...new Set(tags)];
}
