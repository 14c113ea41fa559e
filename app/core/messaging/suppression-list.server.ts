// The suppression list as the merchant manages it (/app/suppressions): a page at a time with search and a reason
// filter, a CSV export, a CSV import that keeps every good line and says why each bad one was refused, and removal
// of the entries a merchant may lift (their own blocks and unsubscribes; never a bounce or a spam report).
// Everything is scoped to one workspace. Erased customers' entries are one-way digests: listed as "(erased)".
import type { Db, DbTx } from "~/db.server";
import { normalizeEmail } from "~/core/events/normalize";
import { ERASED_LABEL, isSuppressionReason, MAX_IMPORT_BYTES, REASON_LABEL, SUPPRESSION_REASONS, type SuppressionReason } from "./suppression-reasons";
import { describeSuppression, suppressionDigest } from "./suppression.server";

const DIGEST_PREFIX = "sha256:";
export { ERASED_LABEL };
/** Reasons the merchant may remove: a block they made, or an unsubscribe (it does not subscribe anybody again). */
export const REMOVABLE_REASONS: readonly SuppressionReason[] = ["manual", "unsubscribe"];
export { MAX_IMPORT_BYTES };
/** The most lines an import takes (split bigger lists). */
export const MAX_IMPORT_LINES = 100_000;
const BATCH = 500;

export interface SuppressionListEntry {
  id: string;
  /** Null for an erased customer's entry (a digest). */
  email: string | null;
  reason: string;
  reasonLabel: string;
  source: string;
  createdAt: string;
  detail: string | null;
  /** `unsubscribed (unsubscribe link, 2026-11-25)`. */
  description: string;
  removable: boolean;
}

function toEntry(row: { id: string; email: string; reason: string; source: string; createdAt: Date; detail: string | null }): SuppressionListEntry {
  return {
    id: row.id,
    email: row.email.startsWith(DIGEST_PREFIX) ? null : row.email,
    reason: row.reason,
    reasonLabel: isSuppressionReason(row.reason) ? REASON_LABEL[row.reason] : row.reason,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    detail: row.detail,
    description: describeSuppression(row),
    removable: isRemovable(row.reason),
  };
}

function isRemovable(reason: string): boolean {
  return isSuppressionReason(reason) && REMOVABLE_REASONS.includes(reason);
}

export interface SuppressionListQuery {
  workspaceId: string;
  /** Part of an address (case does not matter). */
  search?: string;
  reason?: SuppressionReason;
  /** The last id of the previous page. */
  cursor?: string | null;
  take: number;
}

function whereOf(input: Pick<SuppressionListQuery, "workspaceId" | "search" | "reason">) {
  const search = input.search?.trim().toLowerCase();
  return {
    workspaceId: input.workspaceId,
    ...(input.reason ? { reason: input.reason } : {}),
    // Digests never match a search: nobody can find an erased address by typing it.
    ...(search ? { AND: [{ email: { contains: search } }, { NOT: { email: { startsWith: DIGEST_PREFIX } } }] } : {}),
  };
}

/** One page of the list, newest first, and the cursor of the next page (null on the last). */
export async function listSuppressions(db: Db, input: SuppressionListQuery): Promise<{ entries: SuppressionListEntry[]; nextCursor: string | null }> {
  const rows = await db.suppression.findMany({
    where: whereOf(input),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.take + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.take);
  return { entries: page.map(toEntry), nextCursor: rows.length > input.take ? (page.at(-1)?.id ?? null) : null };
}

/** A cell of our CSV: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvField(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const CSV_HEADER = "email,reason,source,created_at,detail";

/** The whole list (or the filtered part) as CSV, a line at a time, oldest first. */
export async function* suppressionCsv(db: Db, input: Pick<SuppressionListQuery, "workspaceId" | "search" | "reason">): AsyncIterable<string> {
  yield `${CSV_HEADER}\r\n`;
  let cursor: string | null = null;
  for (;;) {
    const rows: { id: string; email: string; reason: string; source: string; createdAt: Date; detail: string | null }[] = await db.suppression.findMany({
      where: whereOf(input),
      orderBy: { id: "asc" },
      take: BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of rows) {
      const email = row.email.startsWith(DIGEST_PREFIX) ? ERASED_LABEL : row.email;
      yield [email, row.reason, row.source, row.createdAt.toISOString(), row.detail].map(csvField).join(",") + "\r\n";
    }
    if (rows.length < BATCH) return;
    cursor = rows[rows.length - 1].id;
  }
}

export interface RejectedLine {
  /** 1-based, as an editor shows it. */
  line: number;
  text: string;
  problem: string;
}

export interface ImportReport {
  added: number;
  /** Good lines whose address was already on the list (or appeared twice in the file): nothing to change. */
  alreadyListed: number;
  rejected: RejectedLine[];
}

export class SuppressionImportError extends Error {}

/** One CSV line's cells (RFC 4180 quoting, within the line); null when a quote is left open. */
function csvCells(line: string): string[] | null {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (char === ",") {
      cells.push(cell.trim());
      cell = "";
    } else cell += char;
  }
  if (quoted) return null;
  cells.push(cell.trim());
  return cells;
}

interface GoodLine {
  email: string;
  reason: SuppressionReason;
}

/**
 * Reads `email[,reason]` lines (a header line naming `email` and `reason` columns is recognised, so an export can
 * be imported again; without one, the first column is the address and the second the reason, default `manual`).
 * Each line is judged on its own: a bad address or an unknown reason is reported with its line number and the rest
 * is kept. Throws SuppressionImportError when the file as a whole cannot be read (too big, no lines).
 */
export function parseSuppressionCsv(text: string): { good: (GoodLine & { line: number })[]; rejected: RejectedLine[] } {
  if (Buffer.byteLength(text, "utf8") > MAX_IMPORT_BYTES) throw new SuppressionImportError(`The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into smaller files.`);
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  if (lines.length > MAX_IMPORT_LINES) throw new SuppressionImportError(`The file has more than ${MAX_IMPORT_LINES.toLocaleString("en-US")} lines; split it into smaller files.`);
  let columns = { email: 0, reason: 1 };
  const good: (GoodLine & { line: number })[] = [];
  const rejected: RejectedLine[] = [];
  let seenContent = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const cells = csvCells(raw);
    const reject = (problem: string) => rejected.push({ line, text: raw.slice(0, 200), problem });
    if (!cells) return reject("a quoted value is not closed");
    if (!seenContent) {
      seenContent = true;
      const names = cells.map((cell) => cell.toLowerCase());
      if (names.includes("email")) {
        columns = { email: names.indexOf("email"), reason: names.indexOf("reason") };
        return;
      }
    }
    const address = cells[columns.email] ?? "";
    const email = normalizeEmail(address);
    if (!email) return reject(address ? `"${address}" is not an email address` : "the email address is missing");
    const given = (columns.reason >= 0 ? (cells[columns.reason] ?? "") : "").toLowerCase();
    if (given && !isSuppressionReason(given)) return reject(`unknown reason "${cells[columns.reason]}" (use one of ${SUPPRESSION_REASONS.join(", ")}, or leave it empty for manual)`);
    good.push({ line, email, reason: given && isSuppressionReason(given) ? given : "manual" });
  });
  if (!seenContent) throw new SuppressionImportError("The file has no lines. Put one email address per line, optionally followed by a comma and a reason.");
  return { good, rejected };
}

/** Imports a CSV into the workspace's list (source `import`): every good line is kept, every bad one reported. */
export async function importSuppressions(db: Db, input: { workspaceId: string; csv: string; now: Date }): Promise<ImportReport> {
  const { good, rejected } = parseSuppressionCsv(input.csv);
  const unique = new Map<string, GoodLine>();
  for (const entry of good) if (!unique.has(entry.email)) unique.set(entry.email, entry);
  let added = 0;
  const entries = [...unique.values()];
  for (let start = 0; start < entries.length; start += BATCH) {
    const batch = entries.slice(start, start + BATCH);
    added += await db.$transaction(async (tx) => addMissing(tx, input.workspaceId, batch, input.now));
  }
  return { added, alreadyListed: good.length - added, rejected };
}

async function addMissing(tx: DbTx, workspaceId: string, batch: GoodLine[], now: Date): Promise<number> {
  // An address already listed, or listed as an erased customer's digest, stays as it is (the first reason is kept).
  const keys = batch.flatMap((entry) => [entry.email, suppressionDigest(workspaceId, entry.email)]);
  const existing = new Set((await tx.suppression.findMany({ where: { workspaceId, email: { in: keys } }, select: { email: true } })).map((row) => row.email));
  const fresh = batch.filter((entry) => !existing.has(entry.email) && !existing.has(suppressionDigest(workspaceId, entry.email)));
  if (fresh.length === 0) return 0;
  await tx.suppression.createMany({ data: fresh.map((entry) => ({ workspaceId, email: entry.email, reason: entry.reason, source: "import", createdAt: now })) });
  return fresh.length;
}

export type RemoveOutcome = { ok: true; email: string | null } | { ok: false; error: string };

/**
 * Removes one entry of the workspace's list, if the merchant may: a block by hand or an unsubscribe (removing an
 * unsubscribe does not give consent back: marketing flows that need consent still skip the customer). Null when
 * the workspace has no such entry.
 */
export async function removeSuppression(db: Db, input: { workspaceId: string; id: string }): Promise<RemoveOutcome | null> {
  const row = await db.suppression.findFirst({ where: { id: input.id, workspaceId: input.workspaceId } });
  if (!row) return null;
  if (!isRemovable(row.reason)) {
    const label = isSuppressionReason(row.reason) ? REASON_LABEL[row.reason] : row.reason;
    return { ok: false, error: `This entry cannot be removed (${label}): the address or the recipient refused mail, and sending to it again would harm your sender reputation.` };
  }
  await db.suppression.deleteMany({ where: { id: row.id, workspaceId: input.workspaceId } });
  return { ok: true, email: row.email.startsWith(DIGEST_PREFIX) ? null : row.email };
}
