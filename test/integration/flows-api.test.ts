// Flows through the HTTP API on real databases, with the same core calls as `nudgeflow flows` and the admin.
// Core: publishing from the API takes the sent document (keeping the builder's draft), else the builder's draft
// (cleared), else an imported version that never went live. HTTP (the real app server): the export → import
// round trip gives an identical definition; an invalid document is 400 with the validator's problems and creates
// nothing; publish, pause and resume change the flow; flows:read / flows:write are checked (401, 403); another
// workspace's flow is the same 404 as a missing one; every answer is checked against docs/api/openapi.yaml.
import { createApiKey } from "~/core/api-keys/api-keys.server";
import { ManualClock } from "~/core/clock";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { validateDefinition } from "~/core/flows/definition";
import { enableBlueprint, exportFlow, getFlowDetail, importFlow, listFlowsPage, publishPending, saveDraft } from "~/core/flows/manage.server";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { startAppServer, type AppServer } from "../support/app-server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkSchema, loadOpenApi, responseSchema } from "../support/openapi";

afterAll(dropAll);

const clock = new ManualClock("2026-06-01T12:00:00Z");
const [cartBlueprint, orderBlueprint] = BLUEPRINTS;

async function workspace(db: Db, key: string) {
  const { workspaceId } = await createWorkspaceWithUser(db, { workspaceName: `Flows ${key}`, email: `owner-${key}@flows-api.example`, password: `password-${key}-0123456789` });
  return workspaceId;
}

/** A copy of a definition with its first delay changed, to tell versions apart. */
function withFirstDelayHours(definition: unknown, hours: number): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(definition));
  const delay = copy.nodes.find((node: { type: string }) => node.type === "delay");
  delay.duration = { hours };
  return copy;
}

/** A document with two precise problems: an unknown event type and an edge to a node that does not exist. */
function brokenDefinition(): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(cartBlueprint.definition));
  copy.trigger.events = ["checkout.explode"];
  copy.nodes[0].next = "no-such-node";
  return copy;
}

describe.each(databaseTargets())("publishing from the API (core) on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;

  beforeAll(async () => {
    db = openDb(await createUrl());
    workspaceId = await workspace(db, "core");
  });

  it("publishes an imported version as it is, then the builder's draft (cleared), and a sent document keeping the draft", async () => {
    const deps = { db, clock };
    const { flowId } = await importFlow(deps, { workspaceId, name: "Imported", definition: cartBlueprint.definition, publish: false });
    expect((await getFlowDetail(db, { workspaceId, flowId })).draft).toMatchObject({ source: "imported", version: 1, problems: [] });

    // the imported version 1 goes live as it is: no second version
    expect((await publishPending(deps, { workspaceId, flowId })).published).toEqual({ version: 1, backfill: null });
    expect((await getFlowDetail(db, { workspaceId, flowId })).versions.map((version) => [version.version, version.live])).toEqual([[1, true]]);
    await expect(publishPending(deps, { workspaceId, flowId })).rejects.toThrow(/nothing to publish/);

    // the builder's draft is published and cleared
    await saveDraft(deps, { workspaceId, flowId, definitionJson: JSON.stringify(withFirstDelayHours(cartBlueprint.definition, 2)) });
    const fromDraft = await publishPending(deps, { workspaceId, flowId });
    expect(fromDraft).toMatchObject({ published: { version: 2 }, draft: null, live: { version: 2 } });

    // a sent document is published and a draft typed meanwhile is kept
    await saveDraft(deps, { workspaceId, flowId, definitionJson: JSON.stringify(withFirstDelayHours(cartBlueprint.definition, 5)) });
    const sent = await publishPending(deps, { workspaceId, flowId, definition: withFirstDelayHours(cartBlueprint.definition, 3) });
    expect(sent).toMatchObject({ published: { version: 3 }, draft: { source: "builder", version: null }, flow: { hasDraft: true, liveVersion: 3 } });
    expect((await exportFlow(db, { workspaceId, flowId })).nodes.find((node) => node.type === "delay")).toMatchObject({ duration: { hours: 3 } });
  });

  it("pages flows by id, trigger from the live version, drafts flagged", async () => {
    const other = await workspace(db, "core-paging");
    const live = await enableBlueprint({ db, clock }, { workspaceId: other, blueprintId: orderBlueprint.id });
    const draft = await importFlow({ db, clock }, { workspaceId: other, name: "Draft", definition: cartBlueprint.definition, publish: false });
    const first = await listFlowsPage(db, { workspaceId: other, take: 1 });
    const second = await listFlowsPage(db, { workspaceId: other, cursor: first.nextCursor, take: 1 });
    expect(second.nextCursor).toBeNull();
    const byId = Object.fromEntries([...first.flows, ...second.flows].map((flow) => [flow.id, flow]));
    expect(Object.keys(byId).sort()).toEqual([live.flowId, draft.flowId].sort());
    expect(byId[live.flowId]).toMatchObject({ status: "live", liveVersion: 1, hasDraft: false, trigger: orderBlueprint.definition.trigger });
    expect(byId[draft.flowId]).toMatchObject({ status: "draft", liveVersion: null, hasDraft: true, trigger: { type: "event", events: cartBlueprint.definition.trigger.type === "event" ? cartBlueprint.definition.trigger.events : [] } });
  });
});

describe.each(databaseTargets())("HTTP API v1 flows on %s", (_name, createUrl) => {
  const openapi = loadOpenApi();
  let app: AppServer;
  let db: Db;
  let a: string;
  let b: string;
  let liveFlowA: string;
  let flowB: string;
  let writerA: string;
  let readerA: string;
  let segmentsOnlyA: string;
  let writerB: string;

  beforeAll(async () => {
    const url = await createUrl();
    db = openDb(url);
    a = await workspace(db, "a");
    b = await workspace(db, "b");
    liveFlowA = (await enableBlueprint({ db, clock }, { workspaceId: a, blueprintId: cartBlueprint.id })).flowId;
    flowB = (await enableBlueprint({ db, clock }, { workspaceId: b, blueprintId: cartBlueprint.id })).flowId;
    const now = new Date();
    writerA = (await createApiKey(db, { workspaceId: a, name: "CI", scopes: ["flows:read", "flows:write"], now })).key;
    readerA = (await createApiKey(db, { workspaceId: a, name: "default scopes", now })).key;
    segmentsOnlyA = (await createApiKey(db, { workspaceId: a, name: "segments", scopes: ["segments:read"], now })).key;
    writerB = (await createApiKey(db, { workspaceId: b, name: "CI of B", scopes: ["flows:read", "flows:write"], now })).key;
    app = await startAppServer({ env: { DATABASE_URL: url, DEMO_PASSWORD: "flows-api-test", NUDGEFLOW_WORKER: "off", LOG_LEVEL: "warn" } });
  });
  afterAll(async () => app?.stop());

  async function call(method: "GET" | "POST" | "PUT", path: string, key: string | null, body?: unknown) {
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${app.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 300)}\n${app.output().slice(-2000)}`);
    }
    return { status: response.status, headers: response.headers, body: json };
  }

  /** The answer, after checking it against the document's schema for this method, path and status. */
  async function checked(method: "GET" | "POST", documentPath: string, path: string, key: string | null, expectedStatus: number, body?: unknown) {
    const response = await call(method, path, key, body);
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(expectedStatus);
    expect(checkSchema(openapi, responseSchema(openapi, method, documentPath, expectedStatus), response.body), `${method} ${path}`).toEqual([]);
    return response.body as Record<string, unknown> & { flow: { id: string; status: string; liveVersion: number | null } };
  }

  const flowCount = (workspaceId: string) => db.flow.count({ where: { workspaceId } });

  it("refuses requests without a key (401) and keys without the flows scope (403); default keys only read", async () => {
    const missing = await call("GET", "/api/v1/flows", null);
    expect(missing).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await checked("POST", "/api/v1/flows", "/api/v1/flows", null, 401, { name: "x", definition: cartBlueprint.definition });
    await checked("POST", "/api/v1/flows/{flowId}/pause", `/api/v1/flows/${liveFlowA}/pause`, null, 401);

    const noFlows = await checked("GET", "/api/v1/flows", "/api/v1/flows", segmentsOnlyA, 403);
    expect(noFlows).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("flows:read") } });
    // a key made without naming scopes reads flows but cannot change them
    await checked("GET", "/api/v1/flows", "/api/v1/flows", readerA, 200);
    const before = await flowCount(a);
    const readOnly = await checked("POST", "/api/v1/flows", "/api/v1/flows", readerA, 403, { name: "x", definition: cartBlueprint.definition });
    expect(readOnly).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("flows:write") } });
    await checked("POST", "/api/v1/flows/{flowId}/pause", `/api/v1/flows/${liveFlowA}/pause`, readerA, 403);
    expect(await flowCount(a)).toBe(before);
    expect((await db.flow.findUniqueOrThrow({ where: { id: liveFlowA } })).status).toBe("live");
  });

  it("exports a flow and imports the export as a draft whose definition is identical", async () => {
    const exported = await checked("GET", "/api/v1/flows/{flowId}/definition", `/api/v1/flows/${liveFlowA}/definition`, writerA, 200);
    // what `nudgeflow flows export` prints, parsed
    expect(exported).toEqual(JSON.parse(JSON.stringify(await exportFlow(db, { workspaceId: a, flowId: liveFlowA }))));

    const created = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 201, { name: "Copy of the cart flow", definition: exported });
    expect(created).toMatchObject({
      flow: { name: "Copy of the cart flow", status: "draft", liveVersion: null, hasDraft: true, trigger: exported.trigger },
      live: null,
      draft: { source: "imported", version: 1, problems: [] },
      versions: [{ version: 1, live: false }],
    });
    const copyId = created.flow.id;
    const reexported = await call("GET", `/api/v1/flows/${copyId}/definition?version=1`, writerA);
    expect(reexported.status).toBe(200);
    expect(JSON.stringify(reexported.body)).toBe(JSON.stringify(exported));
    expect((await db.flow.findUniqueOrThrow({ where: { id: copyId } })).workspaceId).toBe(a);

    await checked("GET", "/api/v1/flows/{flowId}/definition", `/api/v1/flows/${copyId}/definition?version=2`, writerA, 404);
    await checked("GET", "/api/v1/flows/{flowId}/definition", `/api/v1/flows/${copyId}/definition?version=zero`, writerA, 400);
  });

  it("refuses an invalid definition with the validator's problems and creates nothing", async () => {
    const before = await flowCount(a);
    const document = brokenDefinition();
    const refused = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 400, { name: "Broken", definition: document });
    const expected = validateDefinition(document);
    expect(expected.ok).toBe(false);
    const problems = expected.ok ? [] : expected.problems;
    expect(problems.map((problem) => problem.path)).toEqual(expect.arrayContaining(["trigger.events[0]"]));
    expect(refused).toEqual({ error: { code: "invalid_definition", message: expect.stringContaining(`${problems.length} problem`), problems } });
    expect(await flowCount(a)).toBe(before);

    // a body that is not the import shape is an invalid request naming each field
    const shape = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 400, { definition: [], colour: "red" });
    expect((shape.error as { details: { parameter: string }[] }).details.map((detail) => detail.parameter).sort()).toEqual(["colour", "definition", "name"]);
    const notJson = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 400, "{ not json");
    expect(notJson).toMatchObject({ error: { code: "invalid_request", details: [{ parameter: "(body)" }] } });
    expect(await flowCount(a)).toBe(before);
  });

  it("publishes the imported draft, then a sent document; refuses an invalid one; pauses and resumes", async () => {
    const created = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 201, { name: "Order thanks", definition: orderBlueprint.definition });
    const flowId = created.flow.id;
    const resumeDraft = await checked("POST", "/api/v1/flows/{flowId}/resume", `/api/v1/flows/${flowId}/resume`, writerA, 409);
    expect(resumeDraft).toMatchObject({ error: { code: "conflict", message: expect.stringMatching(/publish/i) } });

    const published = await checked("POST", "/api/v1/flows/{flowId}/publish", `/api/v1/flows/${flowId}/publish`, writerA, 200);
    expect(published).toMatchObject({ flow: { status: "live", liveVersion: 1, hasDraft: false }, published: { version: 1, backfill: null }, draft: null });
    expect(await db.flow.findUniqueOrThrow({ where: { id: flowId } })).toMatchObject({ status: "live" });
    await checked("POST", "/api/v1/flows/{flowId}/publish", `/api/v1/flows/${flowId}/publish`, writerA, 409);

    const changed = JSON.parse(JSON.stringify(orderBlueprint.definition));
    changed.trigger.conditions = [];
    const second = await checked("POST", "/api/v1/flows/{flowId}/publish", `/api/v1/flows/${flowId}/publish`, writerA, 200, { definition: changed });
    expect(second).toMatchObject({ flow: { liveVersion: 2 }, published: { version: 2 }, live: { version: 2 } });
    expect((await call("GET", `/api/v1/flows/${flowId}/definition`, writerA)).body).toMatchObject({ trigger: { conditions: [] } });

    const invalid = await checked("POST", "/api/v1/flows/{flowId}/publish", `/api/v1/flows/${flowId}/publish`, writerA, 400, { definition: brokenDefinition() });
    expect(invalid).toMatchObject({ error: { code: "invalid_definition", problems: expect.arrayContaining([expect.objectContaining({ path: "trigger.events[0]" })]) } });
    expect(await db.flowVersion.count({ where: { flowId } })).toBe(2);

    const paused = await checked("POST", "/api/v1/flows/{flowId}/pause", `/api/v1/flows/${flowId}/pause`, writerA, 200);
    expect(paused.flow).toMatchObject({ status: "paused", liveVersion: 2 });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("paused");
    const listed = await checked("GET", "/api/v1/flows/{flowId}", `/api/v1/flows/${flowId}`, writerA, 200);
    expect(listed.flow.status).toBe("paused");
    const resumed = await checked("POST", "/api/v1/flows/{flowId}/resume", `/api/v1/flows/${flowId}/resume`, writerA, 200);
    expect(resumed.flow).toMatchObject({ status: "live", liveVersion: 2 });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("live");
  });

  it("answers another workspace's flow exactly as a missing one (404) and leaves it untouched", async () => {
    for (const [method, documentPath, suffix] of [
      ["GET", "/api/v1/flows/{flowId}", ""],
      ["GET", "/api/v1/flows/{flowId}/definition", "/definition"],
      ["POST", "/api/v1/flows/{flowId}/publish", "/publish"],
      ["POST", "/api/v1/flows/{flowId}/pause", "/pause"],
      ["POST", "/api/v1/flows/{flowId}/resume", "/resume"],
    ] as const) {
      const theirs = await checked(method, documentPath, `/api/v1/flows/${flowB}${suffix}`, writerA, 404);
      expect(theirs).toEqual(await checked(method, documentPath, `/api/v1/flows/no-such-flow${suffix}`, writerA, 404));
    }
    const b404 = await checked("POST", "/api/v1/flows/{flowId}/publish", `/api/v1/flows/${flowB}/publish`, writerA, 404, { definition: orderBlueprint.definition });
    expect(b404).toMatchObject({ error: { code: "not_found" } });
    expect(await db.flow.findUniqueOrThrow({ where: { id: flowB } })).toMatchObject({ status: "live" });
    expect(await db.flowVersion.count({ where: { flowId: flowB } })).toBe(1);

    // the list holds A's flows only, page by page; B's own key sees B's flow
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await checked("GET", "/api/v1/flows", `/api/v1/flows?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, writerA, 200);
      seen.push(...(page.flows as { id: string }[]).map((flow) => flow.id));
      cursor = page.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual((await db.flow.findMany({ where: { workspaceId: a }, orderBy: { id: "asc" }, select: { id: true } })).map((flow) => flow.id));
    expect(seen).not.toContain(flowB);
    const theirList = await checked("GET", "/api/v1/flows", "/api/v1/flows", writerB, 200);
    expect((theirList.flows as { id: string; trigger: unknown }[]).map((flow) => flow.id)).toEqual([flowB]);
  });

  it("refuses a trigger naming another workspace's segment as if it did not exist; imports with publish go live", async () => {
    const segmentB = await db.segment.create({ data: { workspaceId: b, name: "B's regulars", rule: { match: "all", conditions: [] } } });
    const definition = { schemaVersion: 1, trigger: { type: "segment", segmentId: segmentB.id, on: "entered", conditions: [] }, goal: null, entry: "exit", nodes: [{ id: "exit", type: "exit" }] };
    const before = await flowCount(a);
    const refused = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerA, 400, { name: "Welcome B's regulars", definition, publish: true });
    expect(refused).toMatchObject({ error: { code: "invalid_definition", problems: [{ path: "trigger.segmentId", message: `segment "${segmentB.id}" does not exist in this workspace` }] } });
    expect(await flowCount(a)).toBe(before);

    const ownImport = await checked("POST", "/api/v1/flows", "/api/v1/flows", writerB, 201, { name: "Welcome regulars", definition, publish: true });
    expect(ownImport).toMatchObject({ flow: { status: "live", liveVersion: 1, hasDraft: false, trigger: { type: "segment", segmentId: segmentB.id } }, live: { version: 1 }, draft: null });
  });

  it("answers 405 naming the methods a path takes", async () => {
    const getPublish = await call("GET", `/api/v1/flows/${liveFlowA}/publish`, writerA);
    expect(getPublish).toMatchObject({ status: 405, body: { error: { code: "method_not_allowed" } } });
    expect(getPublish.headers.get("allow")).toBe("POST");
    const put = await call("PUT", "/api/v1/flows", writerA, {});
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    const postDefinition = await call("POST", `/api/v1/flows/${liveFlowA}/definition`, writerA, {});
    expect(postDefinition.status).toBe(405);
    expect(postDefinition.headers.get("allow")).toBe("GET");
  });

  it("rate-limits each key across reads and writes: 429 with Retry-After past the burst", async () => {
    const { key } = await createApiKey(db, { workspaceId: a, name: "flood", scopes: ["flows:read", "flows:write"], now: new Date() });
    const responses = await Promise.all(
      Array.from({ length: 80 }, (_, index) =>
        fetch(`${app.url}${index % 2 ? "/api/v1/flows" : `/api/v1/flows/${liveFlowA}/resume`}`, { method: index % 2 ? "GET" : "POST", headers: { Authorization: `Bearer ${key}` } }),
      ),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(60);
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited[0].json()).toMatchObject({ error: { code: "rate_limited" } });
    await Promise.all(responses.filter((response) => response !== limited[0]).map((response) => response.body?.cancel()));
    expect((await call("GET", "/api/v1/flows", writerA)).status).toBe(200);
  });
});
