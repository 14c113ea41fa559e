// Workspaces, their stores and the people who sign in to the standalone admin.
import { isUniqueViolation, type Db, type DbTx } from "~/db.server";
import { isPlatform, type Platform } from "~/core/adapters/adapter";
import { ensureBuiltinSegments } from "~/core/segments/segments.server";
import { seedDemoCatalogue } from "./demo-catalogue.server";
import { seedDemoFlowResults } from "./demo-flow-results.server";
import { seedDemoHistory } from "./demo-history.server";
import { generatePassword, hashPassword, verifyPassword } from "./passwords.server";

export interface StoreRecord {
  id: string;
  workspaceId: string;
  platform: Platform;
  domain: string;
  name: string;
  currency: string;
  timezone: string;
  status: string;
}

function toStoreRecord(store: { id: string; workspaceId: string; platform: string; domain: string; name: string; currency: string; timezone: string; status: string }): StoreRecord {
  const platform = isPlatform(store.platform) ? store.platform : "demo";
  return { ...store, platform };
}

export async function findStore(db: DbTx, platform: Platform, domain: string): Promise<StoreRecord | null> {
  const store = await db.store.findUnique({ where: { platform_domain: { platform, domain } } });
  return store ? toStoreRecord(store) : null;
}

export async function getStore(db: DbTx, input: { workspaceId: string; storeId: string }): Promise<StoreRecord | null> {
  const store = await db.store.findFirst({ where: { id: input.storeId, workspaceId: input.workspaceId } });
  return store ? toStoreRecord(store) : null;
}

export interface ShopDetails {
  name?: string;
  email?: string | null;
  currency?: string;
  timezone?: string;
  /** The shop's postal address on one line (emails' footers); null or absent: keep what we have. */
  address?: string | null;
}

/**
 * The workspace and store of a Shopify shop, created on first sight (install, or a signed webhook that beat
 * the first admin visit) and reactivated on reinstall. Details from the Admin API refresh name, currency, zone.
 */
export async function ensureShopifyStore(db: Db, input: { shop: string; details?: ShopDetails; now: Date }): Promise<StoreRecord> {
  try {
    return await upsertShopifyStore(db, input);
  } catch (error) {
    // Two requests of one install (parallel loaders, a webhook) raced to create it: the other one won.
    if (isUniqueViolation(error)) return upsertShopifyStore(db, input);
    throw error;
  }
}

async function upsertShopifyStore(db: Db, input: { shop: string; details?: ShopDetails; now: Date }): Promise<StoreRecord> {
  const { shop, details = {}, now } = input;
  const existing = await db.store.findUnique({ where: { platform_domain: { platform: "shopify", domain: shop } } });
  const fields = {
    ...(details.name ? { name: details.name } : {}),
    ...(details.currency ? { currency: details.currency } : {}),
    ...(details.timezone ? { timezone: details.timezone } : {}),
    ...(details.address ? { address: details.address } : {}),
  };
  if (existing) {
    const reinstalled = existing.status !== "active";
    const store = await db.store.update({
      where: { id: existing.id },
      data: { ...fields, ...(reinstalled ? { status: "active", installedAt: now, uninstalledAt: null } : {}) },
    });
    if (details.email || details.name) {
      await db.workspace.updateMany({
        where: { id: existing.workspaceId, fromEmail: null },
        data: { fromEmail: details.email ?? null, fromName: details.name ?? null },
      });
    }
    return toStoreRecord(store);
  }
  const name = details.name ?? shop.replace(/\.myshopify\.com$/, "");
  const workspace = await db.workspace.create({
    data: {
      name,
      fromEmail: details.email ?? null,
      fromName: details.name ?? null,
      stores: { create: { platform: "shopify", domain: shop, name, installedAt: now, ...fields } },
    },
    include: { stores: true },
  });
  await ensureBuiltinSegments(db, { workspaceId: workspace.id, now });
  return toStoreRecord(workspace.stores[0]);
}

/** The app was removed from the shop: the store stops, and so does every sending it caused. */
export async function markStoreUninstalled(db: DbTx, input: { workspaceId: string; storeId: string; now: Date }) {
  await db.store.updateMany({
    where: { id: input.storeId, workspaceId: input.workspaceId },
    data: { status: "uninstalled", uninstalledAt: input.now },
  });
}

export const DEMO_EMAIL = "demo@nudgeflow.dev";
export const DEMO_STORE_DOMAIN = "demo-store.nudgeflow.dev";

/**
 * The demo workspace of the embedded default: a workspace, a simulated store and one user, and with `history` a
 * purchase history while it has no customers (demo-history.server.ts) and, with it, a welcome series with four weeks
 * of results (demo-flow-results.server.ts). Idempotent; each call sets the user's
 * password (the given one, or a fresh one) and returns it so the server can print it.
 */
export async function seedDemoWorkspace(db: Db, input: { password?: string; now: Date; history?: boolean }) {
  const password = input.password || generatePassword();
  const passwordHash = await hashPassword(password);
  const existing = await db.user.findUnique({ where: { email: DEMO_EMAIL } });
  if (existing) {
    await db.user.update({ where: { id: existing.id }, data: { passwordHash } });
    await seedCatalogueOf(db, existing.workspaceId, input.now);
    const seeded = input.history ? await seedDemoHistory(db, { workspaceId: existing.workspaceId, now: input.now }) : 0;
    // The welcome series' results come with the history (a workspace that already had customers gets neither).
    const journeys = seeded > 0 ? await seedDemoFlowResults(db, { workspaceId: existing.workspaceId, now: input.now }) : 0;
    // A history written straight to the tables is news to no segment: have the worker compute them afresh (silently).
    if (seeded + journeys > 0) await db.segment.updateMany({ where: { workspaceId: existing.workspaceId }, data: { computedAt: null } });
    return { workspaceId: existing.workspaceId, email: DEMO_EMAIL, password };
  }
  const workspace = await db.workspace.create({
    data: {
      name: "Demo store",
      isDemo: true,
      fromEmail: "hello@demo-store.nudgeflow.dev",
      fromName: "Demo store",
      stores: { create: { platform: "demo", domain: DEMO_STORE_DOMAIN, name: "Demo store", installedAt: input.now } },
      users: { create: { email: DEMO_EMAIL, name: "Demo merchant", passwordHash } },
    },
  });
  await seedCatalogueOf(db, workspace.id, input.now);
  // With `history` (the demo the server seeds): two years of customers and orders, and predictions fitted to them.
  if (input.history) await seedDemoHistory(db, { workspaceId: workspace.id, now: input.now });
  // And a welcome series that has run for four weeks with a control group and an A/B test (its Results card).
  if (input.history) await seedDemoFlowResults(db, { workspaceId: workspace.id, now: input.now });
  await ensureBuiltinSegments(db, { workspaceId: workspace.id, now: input.now });
  return { workspaceId: workspace.id, email: DEMO_EMAIL, password };
}

/** The demo store's catalogue and address (demo-catalogue.server.ts), when the workspace has its demo store. */
async function seedCatalogueOf(db: Db, workspaceId: string, now: Date) {
  const store = await db.store.findFirst({ where: { workspaceId, platform: "demo" }, select: { id: true, domain: true } });
  if (store) await seedDemoCatalogue(db, { workspaceId, storeId: store.id, domain: store.domain, now });
}

/** The user for an email and password, or null. Same answer time whether or not the email exists. */
export async function authenticateUser(db: Db, input: { email: string; password: string }) {
  const user = await db.user.findUnique({ where: { email: input.email.trim().toLowerCase() } });
  const valid = await verifyPassword(input.password, user?.passwordHash ?? "scrypt$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(86));
  return user && valid ? { id: user.id, workspaceId: user.workspaceId, email: user.email, name: user.name } : null;
}

export async function getUser(db: Db, input: { userId: string }) {
  return db.user.findUnique({ where: { id: input.userId }, select: { id: true, workspaceId: true, email: true, name: true } });
}

export async function getWorkspace(db: Db, input: { workspaceId: string }) {
  return db.workspace.findUnique({
    where: { id: input.workspaceId },
    select: { id: true, name: true, isDemo: true, fromEmail: true, fromName: true, stores: { select: { id: true, platform: true, domain: true, name: true, status: true, currency: true, timezone: true } } },
  });
}

/** Workspaces by creation, at most `take` (the CLI picks the only one when there is exactly one). */
export async function listWorkspaces(db: Db, input: { take: number }) {
  return db.workspace.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: input.take, select: { id: true, name: true, isDemo: true } });
}

export async function findWorkspaceIdForShop(db: Db, shop: string): Promise<string | null> {
  const store = await db.store.findUnique({ where: { platform_domain: { platform: "shopify", domain: shop } } });
  return store?.workspaceId ?? null;
}

/**
 * A standalone workspace (a merchant without Shopify) with its first user, who signs in with this email and
 * password. Fails with a unique violation when the email already has a user.
 */
export async function createWorkspaceWithUser(db: Db, input: { workspaceName: string; email: string; password: string; name?: string | null; now?: Date }) {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const workspace = await db.workspace.create({
    data: { name: input.workspaceName, users: { create: { email, name: input.name ?? null, passwordHash } } },
    include: { users: { select: { id: true } } },
  });
  await ensureBuiltinSegments(db, { workspaceId: workspace.id, now: input.now ?? workspace.createdAt });
  return { workspaceId: workspace.id, userId: workspace.users[0].id, email };
}

/**
 * A standalone workspace (a merchant without Shopify: WooCommerce and the other carts) with its first user, who
 * signs in at /login. The password is the given one or a new one, returned so the caller can show it once.
 */
export async function createStandaloneWorkspace(db: Db, input: { name: string; email: string; password?: string }) {
  const email = input.email.trim().toLowerCase();
  const password = input.password || generatePassword();
  const passwordHash = await hashPassword(password);
  try {
    const workspace = await db.workspace.create({
      data: { name: input.name, fromName: input.name, users: { create: { email, name: null, passwordHash } } },
    });
    return { ok: true as const, workspaceId: workspace.id, email, password };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false as const, error: `a user with the email ${email} already exists` };
    throw error;
  }
}
