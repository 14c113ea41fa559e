// One set of models, two generated clients: SQLite (embedded default) and PostgreSQL (production),
// chosen at run time from DATABASE_URL. Code is written against the SQLite client's type and keeps to the
// API both share (no `mode: "insensitive"`, no `skipDuplicates`, no scalar lists, no @db.* types).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PgClient } from "~/generated/prisma/postgresql/client";
import { Prisma, PrismaClient as SqliteClient } from "~/generated/prisma/sqlite/client";

export type Db = SqliteClient;
/** A client or the client inside an interactive transaction. */
export type DbTx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
export { Prisma };

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function createDb(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Db {
  if (isPostgresUrl(url)) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: url }, { schema }) });
    return client as unknown as Db; // same models, same query API; see the comment above
  }
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url }) });
  return client;
}

/** True when a Prisma error is a unique-constraint violation (the idempotency keys rely on it). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}

declare global {
  var __nudgeflowDb: Db | undefined;
}

/** The process-wide client for routes and the worker (one per process, also across dev rebuilds). */
export function getDb(): Db {
  globalThis.__nudgeflowDb ??= createDb();
  return globalThis.__nudgeflowDb;
}
