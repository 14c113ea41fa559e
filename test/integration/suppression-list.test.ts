// The suppression list as the merchant manages it, on a real database: CSV import keeps every good line and reports
// each bad one with its line number and why; export writes every entry (erased customers as "(erased)"), safe to open
// in a spreadsheet, and imports again; the list pages with search and a reason filter; only blocks and unsubscribes
// can be removed. SQLite, and PostgreSQL when DATABASE_URL points at one.
import {
  importSuppressions,
  listSuppressions,
  parseSuppressionCsv,
  removeSuppression,
  suppressionCsv,
  SuppressionImportError,
} from "~/core/messaging/suppression-list.server";
import { suppressAddress, suppressionDigest, suppressionOf } from "~/core/messaging/suppression.server";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

async function csvOf(db: Db, input: Parameters<typeof suppressionCsv>[1]): Promise<string> {
  let text = "";
  for await (const line of suppressionCsv(db, input)) text += line;
  return text;
}

describe.each(databaseTargets())("suppression list on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let otherWorkspaceId: string;
  const now = new Date("2026-11-25T10:00:00Z");

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await createWorkspaceWithUser(db, { workspaceName: "List", email: "owner@list.example", password: "list-test-password-0123" }));
    ({ workspaceId: otherWorkspaceId } = await createWorkspaceWithUser(db, { workspaceName: "Other", email: "owner@other.example", password: "other-test-password-0123" }));
  });

  it("imports a CSV: every good line is kept, every bad line reported with its number and the reason", async () => {
    // GIVEN one entry already on the list, and a file with a header, good lines, duplicates and bad lines
    await suppressAddress(db, { workspaceId, email: "known@example.com", reason: "bounce", source: "sendgrid", now });
    const csv = [
      "Email,Reason",
      "ann@example.com",
      "  BOB@Example.com , unsubscribe",
      "not-an-address,manual",
      "carl@example.com,unsubscribed",
      "",
      '"dora@example.com","spamreport"',
      "known@example.com,manual",
      "ann@example.com,bounce",
      ",manual",
      '"eve@example.com,manual',
    ].join("\r\n");

    // WHEN it is imported
    const report = await importSuppressions(db, { workspaceId, csv, now });

    // THEN the three new addresses are added with their reasons (manual by default), the known one is kept as it was
    expect(report.added).toBe(3);
    expect(report.alreadyListed).toBe(2);
    expect(report.rejected).toEqual([
      { line: 4, text: "not-an-address,manual", problem: '"not-an-address" is not an email address' },
      { line: 5, text: "carl@example.com,unsubscribed", problem: 'unknown reason "unsubscribed" (use one of bounce, spamreport, unsubscribe, group_unsubscribe, manual, or leave it empty for manual)' },
      { line: 10, text: ",manual", problem: "the email address is missing" },
      { line: 11, text: '"eve@example.com,manual', problem: "a quoted value is not closed" },
    ]);
    const rows = await db.suppression.findMany({ where: { workspaceId }, orderBy: { email: "asc" } });
    expect(rows.map((row) => [row.email, row.reason, row.source])).toEqual([
      ["ann@example.com", "manual", "import"],
      ["bob@example.com", "unsubscribe", "import"],
      ["dora@example.com", "spamreport", "import"],
      ["known@example.com", "bounce", "sendgrid"],
    ]);
    expect(await suppressionOf(db, { workspaceId, email: "bob@example.com" })).toMatch(/unsubscribed/);
    expect(await db.suppression.count({ where: { workspaceId: otherWorkspaceId } })).toBe(0);
  });

  it("refuses a file it cannot read as a whole, with the reason", () => {
    expect(() => parseSuppressionCsv("\r\n\r\n")).toThrow(SuppressionImportError);
    expect(() => parseSuppressionCsv("\r\n\r\n")).toThrow(/no lines/);
    expect(() => parseSuppressionCsv("a@example.com\n".repeat(100_001))).toThrow(/more than 100,000 lines/);
  });

  it("exports every entry as CSV (erased customers as (erased), formulas defused) and the export imports again", async () => {
    // GIVEN an erased customer's digest and an entry whose detail a spreadsheet would run as a formula
    await db.suppression.create({ data: { workspaceId, email: suppressionDigest(workspaceId, "gone@example.com"), reason: "unsubscribe", source: "unsubscribe_link", createdAt: now } });
    await suppressAddress(db, { workspaceId, email: "frank@example.com", reason: "bounce", source: "sendgrid", detail: '=HYPERLINK("http://evil.example"), "550"', now });

    const csv = await csvOf(db, { workspaceId });
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("email,reason,source,created_at,detail");
    expect(lines).toHaveLength(7);
    expect(lines).toContain("(erased),unsubscribe,unsubscribe_link,2026-11-25T10:00:00.000Z,");
    expect(lines).toContain(`frank@example.com,bounce,sendgrid,2026-11-25T10:00:00.000Z,"'=HYPERLINK(""http://evil.example""), ""550"""`);
    expect(csv).not.toContain("gone@example.com");
    expect(csv).not.toContain("sha256:");
    // Filtered exports hold only what the filter shows.
    expect((await csvOf(db, { workspaceId, reason: "bounce" })).trimEnd().split("\r\n")).toHaveLength(3);

    // WHEN the export is imported into another workspace: every address comes across with its reason; the erased line is reported
    const report = await importSuppressions(db, { workspaceId: otherWorkspaceId, csv, now });
    expect(report).toMatchObject({ added: 5, alreadyListed: 0 });
    expect(report.rejected).toEqual([{ line: expect.any(Number), text: expect.stringContaining("(erased)"), problem: '"(erased)" is not an email address' }]);
    expect(await db.suppression.findFirst({ where: { workspaceId: otherWorkspaceId, email: "frank@example.com" } })).toMatchObject({ reason: "bounce", source: "import" });
  });

  it("pages the list with search and a reason filter, and shows erased entries as (erased)", async () => {
    const all = await listSuppressions(db, { workspaceId, take: 4 });
    expect(all.entries).toHaveLength(4);
    expect(all.nextCursor).not.toBeNull();
    const rest = await listSuppressions(db, { workspaceId, take: 4, cursor: all.nextCursor });
    expect(rest.nextCursor).toBeNull();
    const seen = [...all.entries, ...rest.entries];
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(6);
    expect(seen.filter((entry) => entry.email === null)).toHaveLength(1);

    expect((await listSuppressions(db, { workspaceId, take: 50, search: "BOB" })).entries.map((entry) => entry.email)).toEqual(["bob@example.com"]);
    expect((await listSuppressions(db, { workspaceId, take: 50, search: "sha256" })).entries).toEqual([]);
    const bounces = await listSuppressions(db, { workspaceId, take: 50, reason: "bounce" });
    expect(bounces.entries.map((entry) => entry.email).sort()).toEqual(["frank@example.com", "known@example.com"]);
    expect(bounces.entries.every((entry) => !entry.removable)).toBe(true);
  });

  it("removes a block or an unsubscribe, never a bounce or a spam report, and only in its own workspace", async () => {
    const entry = async (email: string) => db.suppression.findFirstOrThrow({ where: { workspaceId, email } });
    expect(await removeSuppression(db, { workspaceId, id: (await entry("ann@example.com")).id })).toEqual({ ok: true, email: "ann@example.com" });
    expect(await removeSuppression(db, { workspaceId, id: (await entry("bob@example.com")).id })).toEqual({ ok: true, email: "bob@example.com" });
    const bounce = await removeSuppression(db, { workspaceId, id: (await entry("known@example.com")).id });
    expect(bounce).toMatchObject({ ok: false, error: expect.stringMatching(/cannot be removed \(bounced\)/) });
    expect(await removeSuppression(db, { workspaceId, id: (await entry("dora@example.com")).id })).toMatchObject({ ok: false });
    const theirs = await db.suppression.findFirstOrThrow({ where: { workspaceId: otherWorkspaceId, reason: "manual" } });
    expect(await removeSuppression(db, { workspaceId, id: theirs.id })).toBeNull();
    expect(await db.suppression.findUnique({ where: { id: theirs.id } })).not.toBeNull();
    expect((await db.suppression.findMany({ where: { workspaceId }, select: { email: true } })).map((row) => row.email)).not.toContain("ann@example.com");
    expect(await suppressionOf(db, { workspaceId, email: "known@example.com", kind: "transactional" })).toMatch(/bounced/);
  });
});
