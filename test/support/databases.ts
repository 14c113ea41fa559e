// Real databases for integration tests: a fresh SQLite file per call (copied from a template migrated once per
// process), and a fresh PostgreSQL database per call when DATABASE_URL points at a PostgreSQL server.
//
//   describe.each(databaseTargets())("on %s", (_name, createUrl) => {
//     let db: Db;
//     beforeAll(async () => { db = openDb(await createUrl()); });
//     afterAll(dropAll);
//   });
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { createDb, isPostgresUrl, type Db } from "~/db.server";

export type DatabaseName = "sqlite" | "postgresql";
export type DatabaseTarget = [name: DatabaseName, createUrl: () => Promise<string>];

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

let tempDir: string | undefined;
let sqliteTemplate: Promise<string> | undefined;
const pgDatabases: { adminUrl: string; name: string }[] = [];
const openClients: Db[] = [];

/** The databases this run tests against: SQLite always, PostgreSQL when DATABASE_URL is a postgres URL. */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [["sqlite", createSqliteDatabase]];
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl && isPostgresUrl(adminUrl)) targets.push(["postgresql", () => createPostgresDatabase(adminUrl)]);
  return targets;
}

/** A Prisma client for `url`, disconnected by dropAll(). */
export function openDb(url: string): Db {
  const db = createDb(url);
  openClients.push(db);
  return db;
}

/**
 * Disconnects the clients openDb made, drops the PostgreSQL databases and deletes the SQLite files (template
 * included; a later createUrl() migrates a new one). Call it in afterAll: vitest ends its workers with SIGTERM,
 * so no exit hook would run.
 */
export async function dropAll(): Promise<void> {
  await Promise.allSettled(openClients.splice(0).map((db) => db.$disconnect()));
  for (const { adminUrl, name } of pgDatabases.splice(0)) {
    await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
  const dir = tempDir;
  tempDir = undefined;
  sqliteTemplate = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
}

async function createSqliteDatabase(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const template = path.join(ensureTempDir(), "template.sqlite");
    await migrate(`file:${template}`);
    return template;
  })();
  const file = path.join(ensureTempDir(), `db-${randomBytes(6).toString("hex")}.sqlite`);
  await copyFile(await sqliteTemplate, file);
  return `file:${file}`;
}

async function createPostgresDatabase(adminUrl: string): Promise<string> {
  const name = `nf_test_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  pgDatabases.push({ adminUrl, name });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

async function migrate(databaseUrl: string): Promise<void> {
  try {
    await run(path.join(repoRoot, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? `${String(error.stderr)}` : "";
    throw new Error(`prisma migrate deploy failed for ${databaseUrl}\n${output}`, { cause: error });
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The directory for this process's SQLite files, until dropAll() removes it. */
function ensureTempDir(): string {
  tempDir ??= mkdtempSync(path.join(os.tmpdir(), "nudgeflow-test-"));
  return tempDir;
}
