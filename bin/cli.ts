// What the command-line modules share: a usage mistake (bad or missing options) exits 2 with the usage text; a
// failure the user can fix (an unknown id) exits 1 with its message; the workspace is --workspace, or the only
// one there is; tables for human output.
import { formatMoney } from "~/core/money";
import { getWorkspace, listWorkspaces } from "~/core/workspaces/workspaces.server";
import { createDb, type Db } from "~/db.server";

export class UsageError extends Error {}

/** Expected failures (nothing found, refused input): printed without a stack trace, exit code 1. */
export class CommandError extends Error {}

/** Our own usage errors and node:util parseArgs' (unknown option, missing value: ERR_PARSE_ARGS_*). */
export function isUsageError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  );
}

/**
 * Runs one command and turns its expected failures into exit codes: a usage mistake exits 2 with `usage`; a
 * CommandError, or one of the module's own `expected` error classes, exits 1 with its message. Anything else is a
 * bug and is thrown. The body's own exit code (when it returns one) is passed through; otherwise 0.
 */
export async function runCommand(
  usage: string,
  body: () => Promise<number | void>,
  expected: readonly (abstract new (...args: never[]) => Error)[] = [],
): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (error) {
    if (error instanceof CommandError || expected.some((kind) => error instanceof kind)) {
      console.error((error as Error).message);
      return 1;
    }
    if (isUsageError(error)) {
      console.error(`${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}

export async function withDb<T>(databaseUrl: string, use: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(databaseUrl);
  try {
    return await use(db);
  } finally {
    await db.$disconnect();
  }
}

/**
 * The workspace a command acts on: `--workspace ID` when given (it must exist), else the only workspace in the
 * database. With none or several, an error that says what to do.
 */
export async function resolveWorkspaceId(db: Db, given: string | undefined): Promise<string> {
  if (given) {
    if (!(await getWorkspace(db, { workspaceId: given }))) throw new CommandError(`There is no workspace ${given}.`);
    return given;
  }
  const shown = 10;
  const workspaces = await listWorkspaces(db, { take: shown + 1 });
  if (workspaces.length === 1) return workspaces[0].id;
  if (workspaces.length === 0) {
    throw new CommandError("There is no workspace yet: `nudgeflow demo` seeds the demo one, `nudgeflow workspace create` makes one.");
  }
  const list = workspaces.slice(0, shown).map((workspace) => `  ${workspace.id}  ${workspace.name}${workspace.isDemo ? " (demo)" : ""}`);
  if (workspaces.length > shown) list.push("  …");
  throw new UsageError(`There are several workspaces: choose one with --workspace ID.\n${list.join("\n")}`);
}

/** A plain text table: a header row, then one row per item, columns padded to their widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** YYYY-MM-DD (UTC), or "—". */
export function formatDay(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : "—";
}

/** JSON for machines: Dates as ISO strings, two-space indent. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** The one positional argument a command takes (an id). */
export function onePositional(positionals: readonly string[], name: string): string {
  if (positionals.length !== 1) throw new UsageError(`give one ${name}${positionals.length > 1 ? ` (got ${positionals.length})` : ""}`);
  return positionals[0];
}

/** Minor units as money when the currency is known ("$612.00"), else the bare number. */
export function formatAmount(amount: number, currency: string | null): string {
  return currency ? formatMoney({ amount, currency }) : String(amount);
}
