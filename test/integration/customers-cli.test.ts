// `nudgeflow segments|customers|apikeys …` as child processes against a fresh SQLite database: --json outputs
// parsed and checked against the rows, the CSV export, keys created once / listed / revoked, the default
// workspace (the only one) and the errors with none or several.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { seedCustomerStory, type CustomerStory } from "../support/customer-story";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);

// The CLI against SQLite only: the child process proves the wiring; core is tested on both databases elsewhere.
const [[, createSqliteUrl]] = databaseTargets();

// Each call starts Node with tsx and applies migrations (a few seconds on a busy machine).
describe("nudgeflow segments, customers, apikeys (CLI)", { timeout: 180_000 }, () => {
  let db: Db;
  let databaseUrl: string;
  let story: CustomerStory;
  let dir: string;

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx/esm", "bin/nudgeflow.ts", ...args], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  }

  async function json(...args: string[]) {
    const result = await cli(...args, "--json");
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  }

  beforeAll(async () => {
    databaseUrl = await createSqliteUrl();
    db = openDb(databaseUrl);
    dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-customers-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("says how to get a workspace when there is none", async () => {
    const result = await cli("segments", "list");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("There is no workspace yet");
  });

  it("lists segments and members of the only workspace, as JSON and as a table", async () => {
    story = await seedCustomerStory(db, { key: "cli" });
    const { segments } = await json("segments", "list");
    const segment = segments.find((row: { id: string }) => row.id === story.segmentId);
    expect(segment).toMatchObject({ name: "Big spenders", memberCount: 1, workspaceId: story.workspaceId });

    const table = await cli("segments", "list");
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+MEMBERS\s+STATUS\s+BUILT IN\s+COMPUTED\s+NAME$/);
    expect(table.stdout).toMatch(new RegExp(`^${story.segmentId}\\s+1\\s+active\\s+—\\s+\\S+\\s+Big spenders$`, "m"));

    const members = await json("segments", "members", story.segmentId, "--limit", "5");
    expect(members).toMatchObject({ members: [{ customerId: story.customers.ada, email: "ada-cli@example.com", ordersCount: 2, totalSpent: 25_000 }], nextCursor: null });
    expect((await cli("segments", "members", story.segmentId)).stdout).toMatch(new RegExp(`^${story.customers.ada}\\s+2\\s+\\$250\\.00\\s+2026-05-02\\s+ada-cli@example\\.com\\s+Ada Lovelace$`, "m"));
  });

  it("exports a segment as CSV to a file", async () => {
    const out = path.join(dir, "big-spenders.csv");
    const result = await cli("segments", "export", story.segmentId, "--out", out);
    expect(result.code, result.stderr).toBe(0);
    const lines = (await readFile(out, "utf8")).split(/\r?\n/).filter(Boolean);
    expect(lines).toHaveLength(2); // header + Ada
    expect(lines[1]).toContain("ada-cli@example.com");
  });

  it("lists and shows customers", async () => {
    const page = await json("customers", "list", "--search", "lovelace");
    expect(page).toEqual({ customers: [expect.objectContaining({ id: story.customers.ada, email: "ada-cli@example.com", acceptsMarketing: true, lastOrderAt: "2026-05-02T12:00:00.000Z" })], nextCursor: null });
    const inSegment = await json("customers", "list", "--segment", story.segmentId);
    expect(inSegment.customers.map((row: { id: string }) => row.id)).toEqual([story.customers.ada]);
    const all = await json("customers", "list", "--limit", "3");
    expect(all.customers).toHaveLength(3);
    expect(all.nextCursor).toBe(all.customers[2].id);

    const profile = await json("customers", "show", story.customers.ada);
    expect(profile.customer).toMatchObject({ id: story.customers.ada, tags: ["newsletter", "vip"], city: "London" });
    expect(profile.metrics).toMatchObject({ ordersCount: 2, averageOrderValue: 12_500 });
    expect(profile.segments).toMatchObject([{ segmentId: story.segmentId, name: "Big spenders" }]);
    expect(profile.timeline.map((entry: { title: string }) => entry.title)).toContain("Clicked a link in “Come back, Ada”");

    const text = await cli("customers", "show", story.customers.ada);
    expect(text.stdout).toContain("Ada Lovelace");
    expect(text.stdout).toMatch(/orders 2 · spent \$250\.00 · average order \$125\.00/);
    expect(text.stdout).toContain("churn probability 0.20");
    expect(text.stdout).toContain("Big spenders");
    expect(text.stdout).toContain("Reached the goal of flow “Win-back”");

    expect(await cli("customers", "show", "no-such-customer")).toMatchObject({ code: 1, stderr: expect.stringContaining("There is no customer no-such-customer") });
    expect(await cli("customers", "list", "--segment", "no-such-segment")).toMatchObject({ code: 1 });
  });

  it("creates a key shown once (only its hash stored), lists it and revokes it", async () => {
    const created = await json("apikeys", "create", "--name", "Warehouse sync", "--scopes", "segments:read");
    expect(created.key).toMatch(/^nf_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({ name: "Warehouse sync", scopes: ["segments:read"], prefix: created.key.slice(0, 11), revokedAt: null });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } });
    expect(row.hash).toBe(createHash("sha256").update(created.key).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const human = await cli("apikeys", "create", "--name", "Reporting");
    expect(human.stdout).toMatch(/^ {2}nf_[A-Za-z0-9_-]{43}$/m);
    expect(human.stdout).toContain("segments:read customers:read flows:read:"); // the read scopes, not flows:write

    const { apiKeys } = await json("apikeys", "list");
    expect(apiKeys.map((key: { name: string }) => key.name).sort()).toEqual(["Reporting", "Warehouse sync"]);
    expect(JSON.stringify(apiKeys)).not.toContain(created.key);

    expect(await cli("apikeys", "revoke", created.apiKey.id)).toMatchObject({ code: 0, stdout: expect.stringContaining("revoked") });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } })).revokedAt).toBeInstanceOf(Date);
    expect((await cli("apikeys", "list")).stdout).toMatch(new RegExp(`^${created.apiKey.id}\\s+nf_\\S+…\\s+revoked \\d{4}-\\d{2}-\\d{2}`, "m"));

    expect(await cli("apikeys", "create", "--name", "x", "--scopes", "events:write")).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown scope "events:write"') });
    expect(await cli("apikeys", "create")).toMatchObject({ code: 2, stderr: expect.stringContaining("--name is required") });
    expect(await cli("apikeys", "revoke", "no-such-key")).toMatchObject({ code: 1 });
  });

  it("asks for --workspace once there are several, and checks the one given", async () => {
    await createWorkspaceWithUser(db, { workspaceName: "Second shop", email: "second@story.example", password: "password-second-0123" });
    const several = await cli("segments", "list");
    expect(several.code).toBe(2);
    expect(several.stderr).toContain("There are several workspaces: choose one with --workspace ID.");
    expect(several.stderr).toContain(story.workspaceId);

    const chosen = await json("customers", "list", "--workspace", story.workspaceId);
    expect(chosen.customers).toHaveLength(4);
    expect(await cli("customers", "list", "--workspace", "no-such-workspace")).toMatchObject({ code: 1, stderr: expect.stringContaining("There is no workspace no-such-workspace") });
    expect(await cli("segments", "frobnicate")).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown segments command "frobnicate"') });
  });
});
