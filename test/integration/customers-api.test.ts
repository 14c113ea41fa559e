// Customers and the HTTP API on real databases. Core: a profile and its timeline from real rows, the list's search
// (any case, wildcards taken literally), filters and cursor pages, all scoped to one workspace. HTTP (the real app
// server): API keys (missing, unknown, revoked → 401; missing scope → 403), another workspace's ids → 404 exactly
// like missing ones, a per-key rate limit (429 + Retry-After), 400 for bad parameters, and every answer checked
// against the shapes in docs/api/openapi.yaml.
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "~/core/api-keys/api-keys.server";
import { getCustomerProfile, listCustomers, type CustomerRow } from "~/core/customers/customers.server";
import type { Db } from "~/db.server";
import { startAppServer, type AppServer } from "../support/app-server";
import { seedCustomerStory, STORY_NOW, type CustomerStory } from "../support/customer-story";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkSchema, loadOpenApi, responseSchema } from "../support/openapi";

afterAll(dropAll);

const ids = (customers: CustomerRow[]) => customers.map((customer) => customer.id);

describe.each(databaseTargets())("customers (core) on %s", (_name, createUrl) => {
  let db: Db;
  let a: CustomerStory;
  let b: CustomerStory;

  beforeAll(async () => {
    db = openDb(await createUrl());
    a = await seedCustomerStory(db, { key: "a" });
    b = await seedCustomerStory(db, { key: "b" });
  });

  it("builds Ada's profile: details, metrics from now, prediction, segments", async () => {
    // WHEN Ada's profile is read 30 days after her last order
    const profile = await getCustomerProfile(db, { workspaceId: a.workspaceId, customerId: a.customers.ada, now: STORY_NOW });

    // THEN details, metrics and prediction come from her rows
    expect(profile?.customer).toMatchObject({
      id: a.customers.ada,
      email: "ada-a@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      acceptsMarketing: true,
      country: "GB",
      region: "ENG",
      city: "London",
      tags: ["newsletter", "vip"],
      originStore: { id: a.storeId, name: "Main Street a" },
    });
    expect(profile?.metrics).toEqual({
      ordersCount: 2,
      totalSpent: 25_000,
      averageOrderValue: 12_500,
      currency: "USD",
      firstOrderAt: new Date("2026-03-01T10:00:00Z"),
      lastOrderAt: new Date("2026-05-02T12:00:00Z"),
      daysSinceLastOrder: 30,
    });
    expect(profile?.prediction).toMatchObject({ churnProbability: 0.2, churnLow: 0.1, churnHigh: 0.35, clv12m: 30_000, currency: "USD", nextOrderAt: new Date("2026-07-01T00:00:00Z") });
    expect(profile?.segments.map((segment) => [segment.segmentId, segment.name])).toEqual([[a.segmentId, "Big spenders"]]);
  });

  it("merges Ada's timeline newest first, in words, with admin links", async () => {
    const profile = await getCustomerProfile(db, { workspaceId: a.workspaceId, customerId: a.customers.ada, now: STORY_NOW });
    const timeline = profile?.timeline ?? [];
    const times = timeline.map((entry) => entry.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(timeline.map(({ at, kind, title, detail, href }) => ({ at: at.toISOString(), kind, title, detail, href }))).toEqual([
      { at: "2026-05-02T12:00:01.000Z", kind: "segment", title: "Entered segment “Big spenders”", detail: "Spent $250.00 (over $100.00)", href: `/app/segments/${a.segmentId}` },
      { at: "2026-05-02T12:00:00.000Z", kind: "order", title: "Order #1002 · $150.00", detail: "1 item · paid", href: null },
      { at: "2026-05-02T12:00:00.000Z", kind: "enrollment", title: "Reached the goal of flow “Win-back”", detail: "order placed", href: `/app/flows/${a.flowId}` },
      { at: "2026-05-01T11:05:00.000Z", kind: "message_event", title: "Clicked a link in “Come back, Ada”", detail: "https://shop.example/cart", href: `/app/outbox/${a.messageId}` },
      { at: "2026-05-01T11:00:00.000Z", kind: "message_event", title: "Opened “Come back, Ada”", detail: null, href: `/app/outbox/${a.messageId}` },
      { at: "2026-05-01T10:00:05.000Z", kind: "message", title: "Sent email “Come back, Ada”", detail: "flow “Win-back”", href: `/app/outbox/${a.messageId}` },
      { at: "2026-04-30T09:31:00.000Z", kind: "enrollment", title: "Entered flow “Win-back”", detail: "triggered by a checkout update", href: `/app/flows/${a.flowId}` },
      { at: "2026-04-30T09:30:00.000Z", kind: "event", title: "Updated a checkout", detail: "2 items · $150.00", href: null },
      // the order.add event of #1001 is not repeated: the order is listed
      { at: "2026-03-01T10:00:00.000Z", kind: "order", title: "Order #1001 · $100.00", detail: "2 items · paid", href: null },
    ]);
  });

  it("has no profile for another workspace's customer, nor for a missing one", async () => {
    expect(await getCustomerProfile(db, { workspaceId: a.workspaceId, customerId: b.customers.ada, now: STORY_NOW })).toBeNull();
    expect(await getCustomerProfile(db, { workspaceId: a.workspaceId, customerId: "no-such-customer", now: STORY_NOW })).toBeNull();
    const bob = await getCustomerProfile(db, { workspaceId: a.workspaceId, customerId: a.customers.bob, now: STORY_NOW });
    expect(bob).toMatchObject({ metrics: { ordersCount: 0, averageOrderValue: null, daysSinceLastOrder: null }, prediction: null, segments: [], timeline: [] });
  });

  it("searches email and names in any case, and takes wildcards literally", async () => {
    const search = async (text: string) => ids((await listCustomers(db, { workspaceId: a.workspaceId, search: text })).customers);
    expect(await search("LOVE")).toEqual([a.customers.ada]);
    expect(await search("ada lov")).toEqual([a.customers.ada]); // first and last name together
    expect(await search("EXAMPLE.COM")).toEqual([a.customers.ada]);
    expect(await search("carol")).toEqual([a.customers.carol]); // stored as CAROL
    expect(await search("dave")).toEqual([a.customers.nameless]); // no email, no last name
    expect(await search("_")).toEqual([a.customers.bob]); // only Mc_Test, not "any one character"
    expect(await search("%")).toEqual([]);
    expect(await search("  ")).toHaveLength(4); // blank: no search
  });

  it("filters by segment, consent and orders, within the workspace only", async () => {
    const list = async (filters: { segmentId?: string; acceptsMarketing?: boolean; hasOrders?: boolean }) =>
      ids((await listCustomers(db, { workspaceId: a.workspaceId, ...filters })).customers).sort();
    const { ada, bob, carol, nameless } = a.customers;
    expect(await list({ segmentId: a.segmentId })).toEqual([ada]);
    expect(await list({ segmentId: b.segmentId })).toEqual([]);
    expect(await list({ acceptsMarketing: true })).toEqual([ada, carol].sort());
    expect(await list({ acceptsMarketing: false })).toEqual([bob, nameless].sort());
    expect(await list({ hasOrders: true })).toEqual([ada, carol].sort());
    expect(await list({ hasOrders: false, acceptsMarketing: false })).toEqual([bob, nameless].sort());
    expect(await list({})).toEqual([ada, bob, carol, nameless].sort());
  });

  it("pages by id with a cursor until nextCursor is null", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listCustomers(db, { workspaceId: a.workspaceId, cursor, take: 3 });
      seen.push(...ids(page.customers));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(Object.values(a.customers).sort());
    expect((await listCustomers(db, { workspaceId: a.workspaceId, take: 4 })).nextCursor).toBeNull();
  });
});

describe.each(databaseTargets())("API keys (core) on %s", (_name, createUrl) => {
  let db: Db;
  let a: CustomerStory;
  let b: CustomerStory;

  beforeAll(async () => {
    db = openDb(await createUrl());
    a = await seedCustomerStory(db, { key: "a" });
    b = await seedCustomerStory(db, { key: "b" });
  });

  it("authenticates a live key for its scopes, writes lastUsedAt at most once a minute, refuses revoked keys", async () => {
    const t0 = new Date("2026-06-01T12:00:00Z");
    const { key, apiKey } = await createApiKey(db, { workspaceId: a.workspaceId, name: "sync", scopes: ["customers:read"], now: t0 });
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const auth = (scope: "customers:read" | "segments:read", seconds: number, header = `Bearer ${key}`) => authenticateApiKey(db, { authorization: header, scope, now: at(seconds) });
    const lastUsed = async () => (await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt?.toISOString();

    expect(await auth("customers:read", 1)).toEqual({ ok: true, workspaceId: a.workspaceId, apiKeyId: apiKey.id, scopes: ["customers:read"] });
    expect(await lastUsed()).toBe(at(1).toISOString());
    await auth("customers:read", 59);
    expect(await lastUsed()).toBe(at(1).toISOString()); // within the minute: not written again
    await auth("customers:read", 62);
    expect(await lastUsed()).toBe(at(62).toISOString());

    expect(await auth("segments:read", 70)).toMatchObject({ ok: false, status: 403, code: "forbidden" });
    expect(await auth("customers:read", 70, `bearer   ${key}`)).toMatchObject({ ok: true }); // the scheme is case-insensitive
    expect(await auth("customers:read", 70, key)).toMatchObject({ ok: false, status: 401 }); // no scheme
    expect(await auth("customers:read", 70, `Bearer ${key.slice(0, -1)}x`)).toMatchObject({ ok: false, status: 401 });

    // revoking through another workspace does nothing; through its own, at once
    expect(await revokeApiKey(db, { workspaceId: b.workspaceId, apiKeyId: apiKey.id, now: at(80) })).toBe(false);
    expect(await auth("customers:read", 81)).toMatchObject({ ok: true });
    expect(await revokeApiKey(db, { workspaceId: a.workspaceId, apiKeyId: apiKey.id, now: at(90) })).toBe(true);
    expect(await auth("customers:read", 91)).toMatchObject({ ok: false, status: 401, message: "This API key has been revoked." });
    expect((await listApiKeys(db, { workspaceId: a.workspaceId })).map((row) => [row.id, row.revokedAt?.toISOString()])).toEqual([[apiKey.id, at(90).toISOString()]]);
    expect(await listApiKeys(db, { workspaceId: b.workspaceId })).toEqual([]);
  });
});

describe.each(databaseTargets())("HTTP API v1 on %s", (_name, createUrl) => {
  const openapi = loadOpenApi();
  let app: AppServer;
  let db: Db;
  let a: CustomerStory;
  let b: CustomerStory;
  let keyA: string;
  let segmentsOnlyKey: string;
  let revokedKey: string;
  let keyB: string;

  beforeAll(async () => {
    const url = await createUrl();
    db = openDb(url);
    a = await seedCustomerStory(db, { key: "a" });
    b = await seedCustomerStory(db, { key: "b" });
    const now = new Date();
    keyA = (await createApiKey(db, { workspaceId: a.workspaceId, name: "all of A", now })).key;
    keyB = (await createApiKey(db, { workspaceId: b.workspaceId, name: "all of B", now })).key;
    segmentsOnlyKey = (await createApiKey(db, { workspaceId: a.workspaceId, name: "segments only", scopes: ["segments:read"], now })).key;
    const revoked = await createApiKey(db, { workspaceId: a.workspaceId, name: "revoked", now });
    await revokeApiKey(db, { workspaceId: a.workspaceId, apiKeyId: revoked.apiKey.id, now });
    revokedKey = revoked.key;
    app = await startAppServer({ env: { DATABASE_URL: url, DEMO_PASSWORD: "customers-api-test", NUDGEFLOW_WORKER: "off", LOG_LEVEL: "warn" } });
  });
  afterAll(async () => app?.stop());

  async function get(path: string, key: string | null) {
    const response = await fetch(`${app.url}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${path} answered ${response.status} with non-JSON: ${text.slice(0, 300)}\n${app.output().slice(-2000)}`);
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** The answer, after checking it against the document's schema for this path and status. */
  async function getChecked(documentPath: string, path: string, key: string | null, expectedStatus: number) {
    const response = await get(path, key);
    expect(response.status, JSON.stringify(response.body)).toBe(expectedStatus);
    expect(checkSchema(openapi, responseSchema(openapi, "get", documentPath, expectedStatus), response.body), path).toEqual([]);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    return response.body as Record<string, unknown>;
  }

  it("refuses requests without a live key (401) and keys without the scope (403)", async () => {
    const missing = await get("/api/v1/segments", null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ error: { code: "unauthorized" } });
    await getChecked("/api/v1/segments", "/api/v1/segments", "nf_not-a-key-of-ours", 401);
    await getChecked("/api/v1/segments", "/api/v1/segments", "sk_live_something", 401);
    const revoked = await getChecked("/api/v1/segments", "/api/v1/segments", revokedKey, 401);
    expect(revoked).toEqual({ error: { code: "unauthorized", message: "This API key has been revoked." } });

    const forbidden = await getChecked("/api/v1/customers", "/api/v1/customers", segmentsOnlyKey, 403);
    expect(forbidden).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("customers:read") } });
    await getChecked("/api/v1/customers/{customerId}", `/api/v1/customers/${a.customers.ada}`, segmentsOnlyKey, 403);
    await getChecked("/api/v1/segments", "/api/v1/segments", segmentsOnlyKey, 200);
  });

  it("lists the key's workspace's segments, one segment and its members", async () => {
    const list = await getChecked("/api/v1/segments", "/api/v1/segments", keyA, 200);
    const segments = list.segments as { id: string; name: string; workspaceId: string }[];
    expect(segments.map((segment) => segment.id)).toContain(a.segmentId);
    expect(segments.every((segment) => segment.workspaceId === a.workspaceId)).toBe(true);

    const one = await getChecked("/api/v1/segments/{segmentId}", `/api/v1/segments/${a.segmentId}`, keyA, 200);
    expect(one.segment).toMatchObject({ id: a.segmentId, name: "Big spenders", memberCount: 1, status: "active" });

    const members = await getChecked("/api/v1/segments/{segmentId}/members", `/api/v1/segments/${a.segmentId}/members?limit=10`, keyA, 200);
    expect(members).toMatchObject({ members: [{ customerId: a.customers.ada, email: "ada-a@example.com", totalSpent: 25_000, currency: "USD" }], nextCursor: null });
  });

  it("answers another workspace's ids exactly as missing ones: 404", async () => {
    for (const [documentPath, theirs, missing] of [
      ["/api/v1/segments/{segmentId}", `/api/v1/segments/${b.segmentId}`, "/api/v1/segments/no-such-segment"],
      ["/api/v1/segments/{segmentId}/members", `/api/v1/segments/${b.segmentId}/members`, "/api/v1/segments/no-such-segment/members"],
      ["/api/v1/customers/{customerId}", `/api/v1/customers/${b.customers.ada}`, "/api/v1/customers/no-such-customer"],
      ["/api/v1/customers", `/api/v1/customers?segment=${b.segmentId}`, "/api/v1/customers?segment=no-such-segment"],
    ]) {
      const other = await getChecked(documentPath, theirs, keyA, 404);
      expect(other).toEqual(await getChecked(documentPath, missing, keyA, 404));
      expect(JSON.stringify(other)).not.toContain("b@");
    }
    // and B's own key reaches them
    await getChecked("/api/v1/customers/{customerId}", `/api/v1/customers/${b.customers.ada}`, keyB, 200);
  });

  it("lists customers with search, filters and cursor pages", async () => {
    const found = await getChecked("/api/v1/customers", "/api/v1/customers?search=LOVELACE", keyA, 200);
    expect(found).toMatchObject({ customers: [{ id: a.customers.ada, email: "ada-a@example.com", ordersCount: 2 }], nextCursor: null });
    const members = await getChecked("/api/v1/customers", `/api/v1/customers?segment=${a.segmentId}&acceptsMarketing=true`, keyA, 200);
    expect((members.customers as { id: string }[]).map((customer) => customer.id)).toEqual([a.customers.ada]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await getChecked("/api/v1/customers", `/api/v1/customers?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, keyA, 200);
      seen.push(...(page.customers as { id: string }[]).map((customer) => customer.id));
      cursor = page.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(Object.values(a.customers).sort());
  });

  it("serves the profile with its timeline", async () => {
    const profile = await getChecked("/api/v1/customers/{customerId}", `/api/v1/customers/${a.customers.ada}`, keyA, 200);
    expect(profile).toMatchObject({
      customer: { id: a.customers.ada, tags: ["newsletter", "vip"], originStore: { id: a.storeId, name: "Main Street a" } },
      metrics: { ordersCount: 2, averageOrderValue: 12_500, lastOrderAt: "2026-05-02T12:00:00.000Z" },
      prediction: { churnProbability: 0.2, clv12m: 30_000 },
      segments: [{ segmentId: a.segmentId, name: "Big spenders" }],
    });
    const timeline = profile.timeline as { title: string; href: string | null }[];
    expect(timeline[0]).toMatchObject({ title: "Entered segment “Big spenders”", href: `/app/segments/${a.segmentId}` });
    expect(timeline.map((entry) => entry.title)).toContain("Sent email “Come back, Ada”");
  });

  it("answers 400 naming each bad parameter, 405 to other methods, a JSON 404 for unknown paths", async () => {
    const bad = await getChecked("/api/v1/customers", "/api/v1/customers?limit=0&hasOrders=maybe&colour=red", keyA, 400);
    const parameters = ((bad.error as { details: { parameter: string }[] }).details).map((detail) => detail.parameter).sort();
    expect(parameters).toEqual(["colour", "hasOrders", "limit"]);
    const tooMany = await get("/api/v1/segments/x/members?limit=501", keyA);
    expect(tooMany.status).toBe(400);

    const post = await fetch(`${app.url}/api/v1/segments`, { method: "POST", headers: { Authorization: `Bearer ${keyA}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect(await get("/api/v1/no-such-endpoint", keyA)).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("marks the key used, at most once a minute", async () => {
    const key = await createApiKey(db, { workspaceId: a.workspaceId, name: "usage", now: new Date() });
    expect(key.apiKey.lastUsedAt).toBeNull();
    await get("/api/v1/segments", key.key);
    const first = (await db.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await get("/api/v1/segments", key.key);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } })).lastUsedAt).toEqual(first);
  });

  it("rate-limits each key: 429 with Retry-After past the burst, other keys unaffected", async () => {
    const { key } = await createApiKey(db, { workspaceId: a.workspaceId, name: "flood", now: new Date() });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 90 }, () => fetch(`${app.url}/api/v1/segments`, { headers: { Authorization: `Bearer ${key}` } })));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const statuses = responses.map((response) => response.status);
    const ok = statuses.filter((status) => status === 200).length;
    const limited = responses.filter((response) => response.status === 429);
    expect(ok + limited.length).toBe(90);
    expect(ok).toBeGreaterThanOrEqual(60); // the burst
    expect(ok).toBeLessThanOrEqual(60 + Math.ceil(elapsedSeconds) + 1); // plus one a second
    expect(limited.length).toBeGreaterThan(0);
    const retryAfter = Number(limited[0].headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const body = await limited[0].json();
    expect(checkSchema(openapi, responseSchema(openapi, "get", "/api/v1/segments", 429), body)).toEqual([]);
    expect(body).toMatchObject({ error: { code: "rate_limited" } });
    await Promise.all(responses.filter((response) => response !== limited[0]).map((response) => response.body?.cancel()));
    // another key of the same workspace still gets through
    expect((await get("/api/v1/segments", keyA)).status).toBe(200);
  });
});
