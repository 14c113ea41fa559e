// Publishable storefront keys and the browser origins allowed to use them. A key (`pk_` + 24 base62 characters)
// names a store to the storefront endpoints (the generic snippet's /storefront/v1/capture, the web pixel's
// /storefront/v1/pixel). It is public by design, like the App Proxy's path: it proves nothing about the shopper, it
// only says which store a browser is reporting for. What stops another site from reporting into a store is the
// origin list (CORS); what stops a flood is the rate limit. docs/decisions/0032-storefront-keys-and-web-pixel.md
import { randomInt } from "node:crypto";
import { z } from "zod";
import { isUniqueViolation, Prisma, type DbTx } from "~/db.server";

export const STOREFRONT_KEY_PREFIX = "pk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_RANDOM_LENGTH = 24;
/** What a well-formed key looks like; anything else is refused before the database is asked. */
export const STOREFRONT_KEY_PATTERN = /^pk_[0-9A-Za-z]{24}$/;
/** A store lists at most this many origins (a shop, its www twin, a few markets' domains, a staging site). */
export const MAX_STOREFRONT_ORIGINS = 20;

export class StorefrontKeyError extends Error {}

/** 24 characters from a CSPRNG, unbiased (randomInt rejects out-of-range draws): 62^24 ≈ 2^143 keys. */
function newStorefrontKey(): string {
  let key = STOREFRONT_KEY_PREFIX;
  for (let i = 0; i < KEY_RANDOM_LENGTH; i++) key += BASE62[randomInt(BASE62.length)];
  return key;
}

export function isStorefrontKeyShaped(value: string): boolean {
  return STOREFRONT_KEY_PATTERN.test(value);
}

/** Writes a fresh key, retrying on the (astronomically unlikely) collision with another store's key. */
async function writeNewKey(db: DbTx, storeId: string, onlyIfMissing: boolean): Promise<string | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const key = newStorefrontKey();
    try {
      const updated = await db.store.updateMany({ where: onlyIfMissing ? { id: storeId, storefrontKey: null } : { id: storeId }, data: { storefrontKey: key } });
      return updated.count === 1 ? key : null;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new StorefrontKeyError("could not make a unique storefront key");
}

/** The store's key, made once on first call. Two concurrent first calls agree: the second reads the first's key. */
export async function ensureStorefrontKey(db: DbTx, storeId: string): Promise<string> {
  const store = await db.store.findUnique({ where: { id: storeId }, select: { storefrontKey: true } });
  if (!store) throw new StorefrontKeyError(`there is no store ${storeId}`);
  if (store.storefrontKey) return store.storefrontKey;
  const written = await writeNewKey(db, storeId, true);
  if (written) return written;
  const again = await db.store.findUnique({ where: { id: storeId }, select: { storefrontKey: true } });
  if (!again?.storefrontKey) throw new StorefrontKeyError(`there is no store ${storeId}`);
  return again.storefrontKey;
}

/** Replaces the key: the old one stops working at once (snippets and the pixel must be given the new one). */
export async function rotateStorefrontKey(db: DbTx, storeId: string): Promise<string> {
  const store = await db.store.findUnique({ where: { id: storeId }, select: { id: true } });
  if (!store) throw new StorefrontKeyError(`there is no store ${storeId}`);
  const key = await writeNewKey(db, storeId, false);
  if (!key) throw new StorefrontKeyError(`there is no store ${storeId}`);
  return key;
}

const StoredOrigins = z.array(z.string());

/** The store's own site: https + the host part of its domain (a WooCommerce domain may carry a path). */
export function defaultStorefrontOrigin(domain: string): string {
  const host = domain.trim().toLowerCase().split("/")[0] ?? "";
  return `https://${host}`;
}

/**
 * The origins a browser may call the storefront endpoints from: the merchant's list when one is set, else the store's
 * own domain. (For Shopify that is the myshopify domain; a shop served on its own domain adds it in the admin.)
 */
export function storefrontOriginsOf(store: { domain: string; platform: string; storefrontOrigins: unknown }): string[] {
  const stored = StoredOrigins.safeParse(store.storefrontOrigins);
  if (stored.success && stored.data.length > 0) return stored.data;
  return [defaultStorefrontOrigin(store.domain)];
}

/** One origin as a browser sends it: scheme + host (+ port), lower case, no path, no trailing slash. */
function parseOrigin(line: string): { ok: true; origin: string } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(line);
  } catch {
    return { ok: false, error: "is not a URL (write it like https://shop.example.com)" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, error: "must start with https://" };
  // A browser's Origin header never has these; accepting them would suggest a limit that is not applied.
  if (url.username || url.password) return { ok: false, error: "must not contain a user name or password" };
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) return { ok: false, error: "must be an origin only, without a path, query or #fragment" };
  if (url.hostname.includes("*")) return { ok: false, error: "wildcards are not supported; list each domain" };
  const isLocal = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol === "http:" && !isLocal) return { ok: false, error: "must use https:// (http:// is allowed for localhost only)" };
  return { ok: true, origin: url.origin };
}

/**
 * Lines of origins as a merchant types them (one per line; blank lines and surrounding spaces ignored). Every bad line
 * is reported with its number, so one save fixes them all. An empty list is valid: it means "the store's own domain".
 */
export function parseStorefrontOrigins(lines: string): { ok: true; origins: string[] } | { ok: false; errors: string[] } {
  const origins: string[] = [];
  const errors: string[] = [];
  lines.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim().replace(/\/+$/, "");
    if (!line) return;
    const parsed = parseOrigin(line);
    if (!parsed.ok) errors.push(`Line ${index + 1} (“${raw.trim().slice(0, 100)}”): ${parsed.error}`);
    else if (!origins.includes(parsed.origin)) origins.push(parsed.origin);
  });
  if (origins.length > MAX_STOREFRONT_ORIGINS) errors.push(`At most ${MAX_STOREFRONT_ORIGINS} origins; ${origins.length} were given`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, origins };
}

/** Stores the list (already parsed); an empty list goes back to the default (the store's own domain). */
export async function setStorefrontOrigins(db: DbTx, storeId: string, origins: string[]): Promise<void> {
  const checked = parseStorefrontOrigins(origins.join("\n"));
  if (!checked.ok) throw new StorefrontKeyError(checked.errors.join("; "));
  const updated = await db.store.updateMany({ where: { id: storeId }, data: { storefrontOrigins: checked.origins.length > 0 ? checked.origins : Prisma.DbNull } });
  if (updated.count !== 1) throw new StorefrontKeyError(`there is no store ${storeId}`);
}
