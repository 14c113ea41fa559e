// The one interface every platform implements. Platform differences live only under core/adapters/<platform>/;
// everything downstream speaks canonical events.
import type { CanonicalEvent } from "~/core/events";

export const PLATFORMS = ["shopify", "woocommerce", "demo"] as const;
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
  /**
   * What the store knows of product variants, keyed by the canonical variant id; unknown ones are left out. Each
   * field is null when the store has none (no image; no product type).
   */
  variantDetails(variantIds: string[]): Promise<Map<string, VariantDetails>>;
}

/** A variant's image (its own, else its product's) and its product's category (Shopify: the product type). */
export interface VariantDetails {
  imageUrl: string | null;
  category: string | null;
}

/** One verified delivery, its body already JSON-parsed. */
export interface Delivery {
  topic: string;
  payload: unknown;
  /** ISO time we received it: the time of events whose payload carries none. */
  receivedAt: string;
}

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** A store with what it takes to call its API: `credentials` is the opened (decrypted) secret, as stored. */
export interface StoreConnection extends StoreContext {
  apiUrl: string | null;
  credentials: string | null;
}

export const SYNC_RESOURCES = ["customers", "orders", "products"] as const;
export type SyncResource = (typeof SYNC_RESOURCES)[number];

/** One record read from the store's API, as the inbox will hold it (mapped later by `toCanonical`). */
export interface SyncRecord {
  /** The topic the record is stored under, as if a webhook had brought it. */
  topic: string;
  externalId: string;
  /** The record's version at the source (its modification time): with the id, the inbox dedupe key. */
  version: string;
  payload: unknown;
}

export interface SyncPage {
  records: SyncRecord[];
  /** Records the page held before any filtering: 0 means the listing is exhausted. */
  fetched: number;
  /** Pages in the whole listing, when the platform says. */
  totalPages: number | null;
}

/**
 * Connectors' errors carry `credentialsRejected: true` when the store refuses our credentials (revoked or changed
 * keys): the store is marked disconnected until the merchant connects it again; nothing already stored is lost.
 */
export function isCredentialsRejected(error: unknown): boolean {
  return error instanceof Error && "credentialsRejected" in error && error.credentialsRejected === true;
}

/** Backfill and reconcile: records modified after a cursor, a page at a time. */
export interface SyncSource {
  readonly resources: readonly SyncResource[];
  /**
   * Page `page` (1-based) of `resource` modified after `since` (ISO UTC; null: all history). Pages are asked for
   * in order, one run at a time (a cursor-paginated API may remember where the previous page ended).
   */
  listPage(resource: SyncResource, input: { since: string | null; page: number }): Promise<SyncPage>;
  /** The store's postal address on one line (emails' footers), read on each sync; null when the store has none. */
  storeAddress?(): Promise<string | null>;
}

/** Expected failures are values; `unsupported` says the platform cannot do it at all. */
export type ActionResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: string;
      unsupported?: true;
      /** A passing failure (network, 5xx, throttling): the same request may succeed later. */
      retryable?: true;
      /** The thing already exists (a discount code of that name): a retried request that had in fact gone through. */
      conflict?: true;
    };

export interface DiscountCodeRequest {
  code: string;
  /** `percent` (value 10 = 10 %) or `fixed` (value in minor units of the store's currency). */
  kind: "percent" | "fixed";
  value: number;
  /** Limit it to one customer's email, when given (platforms that restrict by email: WooCommerce). */
  email?: string | null;
  /** Limit it to the platform's customer, when given (platforms that restrict by customer: Shopify). */
  customerExternalId?: string | null;
  /** The discount's name in the store's admin (default: the code). */
  title?: string | null;
  /** ISO; default now. */
  startsAt?: string | null;
  expiresAt?: string | null;
  usageLimit?: number | null;
}

/** What a flow can ask of a store; each platform does what it allows. */
export interface StoreActions {
  createDiscountCode(input: DiscountCodeRequest): Promise<ActionResult<{ code: string; externalId: string }>>;
  tagCustomer(input: { customerExternalId: string; tags: string[]; remove?: boolean }): Promise<ActionResult<null>>;
  /**
   * Email-marketing consent at the store (write-back of an unsubscribe or resubscribe). `customerExternalId` is the
   * store's customer id when we know one; `changedAt` (ISO) is when the customer changed it, not when we write it.
   */
  updateMarketingConsent(input: { customerExternalId: string | null; email: string; subscribed: boolean; changedAt: string }): Promise<ActionResult<null>>;
}

export interface PlatformAdapter {
  readonly platform: Platform;
  /** Maps one verified delivery to canonical events. */
  toCanonical(delivery: Delivery, store: StoreContext): MappingResult;
  /** Asks the store for what thin payloads lack (images); absent for platforms that send everything. */
  storeApi?(store: StoreContext): StoreApi | null;
}

/**
 * The network side of a platform (server only; see connectors.server.ts): reading records for backfill and
 * reconcile, and acting on the store. Absent members: the platform does not have it (yet).
 */
export interface PlatformConnector {
  readonly platform: Platform;
  /** Reads the store's records for backfill and reconcile. */
  syncSource?(store: StoreConnection): SyncSource;
  /** Acts on the store (discount codes, tags, consent) where the platform allows. */
  actions?(store: StoreConnection): StoreActions;
}
