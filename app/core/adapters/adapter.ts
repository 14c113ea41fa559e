// The one interface every platform implements. Platform differences live only under core/adapters/<platform>/;
// everything downstream speaks canonical events.
import type { CanonicalEvent } from "~/core/events";

export const PLATFORMS = ["shopify", "demo"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What an adapter needs to know about the store a payload came from. */
export interface StoreContext {
  id: string;
  domain: string;
  currency: string;
  timezone: string;
}

/** Expected failures are values: a payload that verifies but cannot be mapped says why. */
export type MappingResult = { ok: true; events: CanonicalEvent[] } | { ok: false; error: string };

/** A store-side API the adapter may call to fill in what thin payloads lack. */
export interface StoreApi {
  /** Image URLs for product variants, keyed by the canonical variant id; missing ones are left out. */
  variantImages(variantIds: string[]): Promise<Map<string, string>>;
}

/** One verified delivery, its body already JSON-parsed. */
export interface Delivery {
  topic: string;
  payload: unknown;
  /** ISO time we received it: the time of events whose payload carries none. */
  receivedAt: string;
}

export interface PlatformAdapter {
  readonly platform: Platform;
  /** Maps one verified delivery to canonical events. */
  toCanonical(delivery: Delivery, store: StoreContext): MappingResult;
  /** Asks the store for what thin payloads lack (images); absent for platforms that send everything. */
  storeApi?(store: StoreContext): StoreApi | null;
}
