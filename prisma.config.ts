// Prisma CLI configuration for both providers; the provider is chosen from DATABASE_URL:
//   postgres://… or postgresql://…  → PostgreSQL (prisma/postgresql/schema.prisma + migrations)
//   file:… (or unset)               → SQLite     (prisma/sqlite/schema.prisma + migrations)
// `engine: "js"` keeps every command offline (wasm schema engine + JS driver adapters). Each workaround
// below is a Prisma 6.19.3 defect met on these machines; see docs/decisions/0002-prisma-two-providers.md.
// With this file Prisma does not load .env: export DATABASE_URL yourself.
/* eslint-disable @typescript-eslint/no-explicit-any */
import path from "node:path";
import { defineConfig } from "prisma/config";

// The wasm engine leaves long timers referenced (10 s advisory-lock timeout on PostgreSQL, 60 s after
// `migrate dev` on SQLite), so the CLI would linger after finishing. This file is loaded only by the CLI.
const nativeSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...a: any[]) => void, ms?: number, ...args: any[]) => {
  const timer = nativeSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 10_000) timer.unref?.();
  return timer;
}) as typeof globalThis.setTimeout;

const url = process.env.DATABASE_URL || "file:./prisma/dev.sqlite"; // relative to the current directory
process.env.DATABASE_URL = url; // the schema's env("DATABASE_URL") must resolve, to a URL of the same provider
const provider = /^postgres(ql)?:\/\//i.test(url) ? "postgresql" : "sqlite";

// pg_catalog column types adapter-pg 6.19 cannot map ("Column type 'name' could not be deserialized"):
// report them to the schema engine as text (oid 25).
const PG_CATALOG_TEXT_OIDS = new Set([18, 19, 22, 24, 30, 194, 2205, 2206, 4089]);

function patchPgCatalogTypes<T extends object>(queryable: T): T {
  const q = queryable as any;
  const performIO = q.performIO.bind(q);
  q.performIO = async (query: unknown) => {
    const result = await performIO(query);
    for (const field of result.fields ?? []) if (PG_CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = 25;
    return result;
  };
  if (typeof q.startTransaction === "function") {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (...args: unknown[]) => patchPgCatalogTypes(await startTransaction(...args));
  }
  return queryable;
}

async function postgresAdapter() {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { parseIntoClientConfig } = await import("pg-connection-string");
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  // Discrete fields, not { connectionString }: pg lets connectionString override `database`, which would make
  // the shadow-database replay run against the main database.
  const config = {
    ...parseIntoClientConfig(url),
    allowExitOnIdle: true,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  };
  const factory = new PrismaPg(config, { schema });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => patchPgCatalogTypes(await connect());
  // adapter-pg drops the shadow database before closing its pool (and leaks it): close first, then drop.
  factory.connectToShadowDb = async () => {
    const main = await connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = patchPgCatalogTypes(await new PrismaPg({ ...config, database }, { schema }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await main.dispose();
    };
    return shadow;
  };
  return factory;
}

async function sqliteAdapter() {
  const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
  const factory = new PrismaBetterSQLite3({ url });
  // The shadow replay sends multi-statement SQL through executeRaw, which better-sqlite3 refuses (P3006).
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const shadow = await connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length === 0 && /;\s*\S/.test(query.sql)) {
        await shadow.executeScript(query.sql);
        return 0;
      }
      return executeRaw(query);
    };
    return shadow;
  };
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", provider, "schema.prisma"),
  migrations: { path: path.join("prisma", provider, "migrations") },
  adapter: provider === "postgresql" ? postgresAdapter : sqliteAdapter,
});
