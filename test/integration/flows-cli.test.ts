// `nudgeflow flows …` as a child process against a fresh SQLite database: validate, import, list, export, and
// export → import → export giving the identical definition.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);

const branching = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [{ path: "checkout.email", op: "exists" }] },
  goal: { event: "order.add", scope: "customer" },
  rules: { consent: "marketing", quietHours: { start: "21:00", end: "08:00" } },
  entry: "morning",
  nodes: [
    { id: "morning", type: "wait_until", time: "10:00", weekdays: ["tue", "wed", "thu"], next: "test" },
    { id: "test", type: "ab_split", variants: [{ id: "a", weight: 1, next: "by-value" }, { id: "b", weight: 1, next: "by-value" }] },
    {
      id: "by-value",
      type: "split",
      branches: [{ id: "big", conditions: [{ path: "checkout.totalPrice", op: "gte", value: 10000 }], next: "big" }],
      else: "small",
    },
    { id: "big", type: "email", name: "Big", subject: "Big cart", html: "<p>Big</p>", text: "Big", next: null },
    { id: "small", type: "email", name: "Small", subject: "Small cart", html: "<p>Small</p>", text: "Small", next: null },
  ],
};

// The CLI against SQLite only: the child process proves the wiring; core is tested on both databases elsewhere.
const [[, createSqliteUrl]] = databaseTargets();

// Each call starts Node with tsx (about a second), so the default 5 s per test is too short.
describe("nudgeflow flows (CLI)", { timeout: 60_000 }, () => {
  let db: Db;
  let databaseUrl: string;
  let workspaceId: string;
  let dir: string;

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx/esm", "bin/nudgeflow.ts", "flows", ...args], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  }

  async function file(name: string, content: unknown) {
    const target = path.join(dir, name);
    await writeFile(target, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return target;
  }

  beforeAll(async () => {
    databaseUrl = await createSqliteUrl();
    db = openDb(databaseUrl);
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "cli-test-password", now: new Date("2026-03-01T00:00:00Z") }));
    dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-cli-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("validates a definition, listing each problem with its path, and exits 1", async () => {
    // GIVEN a definition with a dangling branch, an unreachable node and a bad time of day
    const broken = structuredClone(branching);
    broken.nodes[0].time = "10am";
    broken.nodes[2].else = "nowhere";
    broken.nodes.push({ id: "orphan", type: "email", name: "Orphan", subject: "x", html: "x", text: "x", next: null });
    const target = await file("broken.json", broken);

    // WHEN it is validated THEN every problem is named, with its path
    const result = await cli("validate", "--file", target);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nodes[0].time: a time of day is HH:MM on a 24-hour clock");
    expect(result.stderr).toContain('nodes[2].else: node "by-value" (else) goes to "nowhere", which does not exist');
    expect(result.stderr).toContain('nodes[5]: node "orphan" cannot be reached from the entry');

    // AND importing it writes nothing
    const imported = await cli("import", "--workspace", workspaceId, "--file", target, "--publish");
    expect(imported.code).toBe(1);
    expect(await db.flow.count({ where: { workspaceId } })).toBe(0);

    // AND a file that is not JSON says so
    expect((await cli("validate", "--file", await file("garbage.json", "{ nope"))).stderr).toContain("(document): not valid JSON");
  });

  it("imports, lists and exports; the export re-imports to an identical definition", async () => {
    // GIVEN a valid branching definition
    const target = await file("branching.json", branching);
    expect(await cli("validate", "--file", target)).toMatchObject({ code: 0, stdout: expect.stringContaining("is a valid flow definition (5 nodes)") });

    // WHEN it is imported and published, then exported
    const imported = await cli("import", "--workspace", workspaceId, "--file", target, "--name", "Branching", "--publish");
    expect(imported.code, imported.stderr).toBe(0);
    const flowId = /as flow (\S+) /.exec(imported.stdout)?.[1];
    expect(flowId).toBeTruthy();
    const listed = await cli("list", "--workspace", workspaceId);
    expect(listed.stdout).toMatch(new RegExp(`${flowId}\\tlive\\s*\\tv1\\t0 enrolled\\tBranching`));
    const exported = await cli("export", "--workspace", workspaceId, "--flow", flowId!);
    expect(exported.code, exported.stderr).toBe(0);

    // THEN the export is the definition with its defaults filled in
    const definition = JSON.parse(exported.stdout);
    expect(definition).toMatchObject({ ...branching, goal: { ...branching.goal, label: "order placed" } });

    // AND importing the export, then exporting that, gives the same text (and a draft without --publish)
    const again = await cli("import", "--workspace", workspaceId, "--file", await file("exported.json", exported.stdout));
    expect(again.stdout).toContain("(version 1, draft)");
    const secondId = /as flow (\S+) /.exec(again.stdout)?.[1];
    const reexported = await cli("export", "--workspace", workspaceId, "--flow", secondId!, "--version", "1");
    expect(reexported.stdout).toBe(exported.stdout);
  });

  it("round-trips the abandoned-cart blueprint", async () => {
    const target = await file("abandoned-cart.json", BLUEPRINTS[0].definition);
    const imported = await cli("import", "--workspace", workspaceId, "--file", target);
    const flowId = /as flow (\S+) /.exec(imported.stdout)?.[1];
    const exported = await cli("export", "--workspace", workspaceId, "--flow", flowId!);
    expect(JSON.parse(exported.stdout)).toEqual(BLUEPRINTS[0].definition);
  });

  it("names what is missing or unknown", async () => {
    expect(await cli("export", "--workspace", workspaceId, "--flow", "no-such-flow")).toMatchObject({ code: 1, stderr: expect.stringContaining('flow "no-such-flow" not found') });
    expect(await cli("list")).toMatchObject({ code: 2, stderr: expect.stringContaining("--workspace is required") });
    expect(await cli("frobnicate")).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown subcommand "flows frobnicate"') });
  });
});
