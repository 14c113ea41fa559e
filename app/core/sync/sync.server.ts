// Backfill and reconcile: each store's records read through its API, a page at a time, from the cursor its
// SyncState keeps (a modification time; none on the first run: all history). Each record becomes an inbox row
// under the platform's own topic, so the same adapter mapping, profiles and flows handle it as if a webhook had
// brought it. Dedupe keys name the record and its version: a record already seen is stored once.
import type { Clock } from "~/core/clock";
import type { SecretBox } from "~/core/crypto.server";
import type { Logger } from "~/core/logger.server";
import { isCredentialsRejected, isPlatform, PLATFORMS, SYNC_RESOURCES, type Platform, type StoreConnection, type SyncResource, type SyncSource } from "~/core/adapters/adapter";
import { connectorFor } from "~/core/adapters/connectors.server";
import type { ShopifyAdmin } from "~/core/adapters/shopify/admin-client.server";
import { storeDelivery } from "~/core/ingest/receive.server";
import type { Db } from "~/db.server";

export interface SyncDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Opens stored credentials; a function so processes without stores to sync never need the key. */
  secretBox?: () => SecretBox;
  /** Shopify's admin client: with it, Shopify stores' catalogues are synced too. */
  shopifyAdmin?: ShopifyAdmin | null;
}

/** A reconcile every 15 minutes catches what webhooks missed (WooCommerce never retries a failed delivery). */
export const SYNC_INTERVAL_MS = 15 * 60_000;
/** A failed sync is tried again after 5 minutes. */
export const SYNC_RETRY_MS = 5 * 60_000;
/** A run that has said nothing for an hour died with its process: it may start again. */
const STALE_RUN_MS = 60 * 60_000;
/** Re-read a little before the cursor: records modified in the cursor's own second are not lost (dedupe drops repeats). */
const CURSOR_OVERLAP_MS = 60_000;
const MAX_PAGES = 100_000;

export interface SyncRun {
  storeId: string;
  resource: SyncResource;
  ok: boolean;
  pages: number;
  /** Inbox rows written (records not seen before at this version). */
  stored: number;
  error?: string;
}

function singular(resource: SyncResource): string {
  return { orders: "order", customers: "customer", products: "product" }[resource];
}

function laterOf(a: string | null, b: string): string {
  if (!a) return b;
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  if (Number.isNaN(tb)) return a;
  return Number.isNaN(ta) || tb > ta ? b : a;
}

async function syncResource(
  deps: SyncDeps,
  store: StoreConnection & { workspaceId: string; platform: string },
  source: SyncSource,
  resource: SyncResource,
): Promise<SyncRun> {
  const { db, clock, logger } = deps;
  const key = { storeId_resource: { storeId: store.id, resource } };
  const state = await db.syncState.upsert({ where: key, create: { workspaceId: store.workspaceId, storeId: store.id, resource }, update: {} });
  await db.syncState.update({ where: key, data: { status: "running", lastRunAt: clock.now() } });
  const since = state.cursor ? new Date(Date.parse(state.cursor) - CURSOR_OVERLAP_MS).toISOString() : null;
  let cursor = state.cursor;
  let pages = 0;
  let stored = 0;
  try {
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const result = await source.listPage(resource, { since, page });
      pages = page;
      for (const record of result.records) {
        const receipt = await storeDelivery(
          { db, clock },
          {
            source: store.platform,
            workspaceId: store.workspaceId,
            storeId: store.id,
            topic: record.topic,
            dedupeKey: `sync:${store.id}:${singular(resource)}:${record.externalId}:${record.version}`,
            eventId: null,
            rawBody: JSON.stringify(record.payload),
            headers: { "x-nudgeflow-sync": resource },
          },
        );
        if (receipt.stored) stored += 1;
        cursor = laterOf(cursor, record.version);
      }
      if (result.fetched === 0 || (result.totalPages !== null && page >= result.totalPages)) break;
    }
    await db.syncState.update({ where: key, data: { status: "idle", error: null, cursor, lastRunAt: clock.now() } });
    logger.info({ workspaceId: store.workspaceId, storeId: store.id, resource, pages, stored }, "store sync done");
    return { storeId: store.id, resource, ok: true, pages, stored };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Keep what was read: the cursor does not move, so the retry reads it again (and dedupe skips it).
    await db.syncState.update({ where: key, data: { status: "failed", error: reason, lastRunAt: clock.now() } });
    if (isCredentialsRejected(error)) {
      await db.store.updateMany({ where: { id: store.id, workspaceId: store.workspaceId }, data: { status: "disconnected" } });
    }
    logger.warn({ workspaceId: store.workspaceId, storeId: store.id, resource, err: error }, "store sync failed");
    return { storeId: store.id, resource, ok: false, pages, stored, error: reason };
  }
}

type StoreRow = NonNullable<Awaited<ReturnType<Db["store"]["findFirst"]>>>;

function connectionOf(deps: SyncDeps, store: StoreRow): StoreConnection & { workspaceId: string; platform: string } {
  return {
    id: store.id,
    workspaceId: store.workspaceId,
    platform: store.platform,
    domain: store.domain,
    currency: store.currency,
    timezone: store.timezone,
    apiUrl: store.apiUrl,
    credentials: store.credentials ? openCredentials(deps, store.credentials) : null,
  };
}

function openCredentials(deps: SyncDeps, sealed: string): string {
  if (!deps.secretBox) throw new Error("this process cannot open store credentials (no encryption key)");
  return deps.secretBox().open(sealed);
}

function sourceFor(deps: SyncDeps, store: StoreRow): SyncSource | null {
  if (!isPlatform(store.platform)) return null;
  const connector = connectorFor(store.platform, deps);
  return connector.syncSource ? connector.syncSource(connectionOf(deps, store)) : null;
}

/**
 * The store's postal address, as the store states it now (emails' footers): kept when it says one. A failure is
 * logged and leaves the address as it was; it never fails the sync.
 */
async function syncStoreAddress(deps: SyncDeps, store: StoreRow, source: SyncSource) {
  if (!source.storeAddress) return;
  try {
    const address = await source.storeAddress();
    if (address && address !== store.address) {
      await deps.db.store.updateMany({ where: { id: store.id, workspaceId: store.workspaceId }, data: { address } });
    }
  } catch (error) {
    deps.logger.warn({ workspaceId: store.workspaceId, storeId: store.id, err: error }, "could not read the store's address");
  }
}

/** Syncs the given resources of one store now (the CLI's "sync now", the worker's due syncs). */
export async function syncStore(deps: SyncDeps, input: { workspaceId: string; storeId: string; resources?: SyncResource[] }): Promise<SyncRun[]> {
  const store = await deps.db.store.findFirst({ where: { id: input.storeId, workspaceId: input.workspaceId } });
  if (!store) throw new Error(`no store ${input.storeId} in workspace ${input.workspaceId}`);
  let source: SyncSource | null;
  try {
    source = sourceFor(deps, store);
  } catch (error) {
    // Credentials that cannot be opened or read: recorded on each resource, like any failed run.
    const reason = error instanceof Error ? error.message : String(error);
    const runs: SyncRun[] = [];
    for (const resource of input.resources ?? SYNC_RESOURCES) {
      await deps.db.syncState.upsert({
        where: { storeId_resource: { storeId: store.id, resource } },
        create: { workspaceId: store.workspaceId, storeId: store.id, resource, status: "failed", error: reason, lastRunAt: deps.clock.now() },
        update: { status: "failed", error: reason, lastRunAt: deps.clock.now() },
      });
      runs.push({ storeId: store.id, resource, ok: false, pages: 0, stored: 0, error: reason });
    }
    return runs;
  }
  if (!source) return [];
  const connection = connectionOf(deps, store);
  const runs: SyncRun[] = [];
  for (const resource of source.resources) {
    if (input.resources && !input.resources.includes(resource)) continue;
    runs.push(await syncResource(deps, connection, source, resource));
  }
  await syncStoreAddress(deps, store, source);
  return runs;
}

function isDue(state: { status: string; lastRunAt: Date | null } | undefined, now: number): boolean {
  if (!state || !state.lastRunAt) return true;
  const since = now - state.lastRunAt.getTime();
  switch (state.status) {
    case "running":
      return since >= STALE_RUN_MS;
    case "failed":
      return since >= SYNC_RETRY_MS;
    default:
      return since >= SYNC_INTERVAL_MS;
  }
}

/** What each platform's sync reads (due checks happen before any source, and its credentials, is opened). */
const RESOURCES_OF: Record<Platform, readonly SyncResource[]> = {
  woocommerce: ["customers", "orders", "products"],
  shopify: ["products"],
  demo: [],
};

/** The worker's sync phase: every connected store whose resources are due (never run, interval passed, retry). */
export async function runDueSyncs(deps: SyncDeps): Promise<SyncRun[]> {
  const platforms = PLATFORMS.filter((platform) => connectorFor(platform, deps).syncSource);
  const stores = await deps.db.store.findMany({ where: { status: "active", platform: { in: platforms } }, orderBy: { createdAt: "asc" } });
  const now = deps.clock.now().getTime();
  const runs: SyncRun[] = [];
  for (const store of stores) {
    const states = await deps.db.syncState.findMany({ where: { storeId: store.id, workspaceId: store.workspaceId } });
    const resources = isPlatform(store.platform) ? RESOURCES_OF[store.platform] : [];
    const due = resources.filter((resource) => isDue(states.find((state) => state.resource === resource), now));
    if (due.length === 0) continue;
    runs.push(...(await syncStore(deps, { workspaceId: store.workspaceId, storeId: store.id, resources: due })));
  }
  return runs;
}

/** What the Stores page shows for each resource of each store. */
export async function listSyncStates(db: Db, input: { workspaceId: string }) {
  return db.syncState.findMany({
    where: { workspaceId: input.workspaceId },
    select: { storeId: true, resource: true, status: true, error: true, lastRunAt: true, cursor: true },
  });
}

/** The workspace's stores with each resource's sync state, for the Stores page and `nudgeflow stores list`. */
export async function listStoresWithSync(db: Db, input: { workspaceId: string }) {
  const [stores, states] = await Promise.all([
    db.store.findMany({
      where: { workspaceId: input.workspaceId },
      orderBy: { createdAt: "asc" },
      select: { id: true, platform: true, domain: true, name: true, status: true, installedAt: true },
    }),
    listSyncStates(db, input),
  ]);
  return stores.map((store) => ({
    ...store,
    syncs: states
      .filter((state) => state.storeId === store.id)
      .map(({ resource, status, error, lastRunAt, cursor }) => ({ resource, status, error, lastRunAt, cursor })),
  }));
}
