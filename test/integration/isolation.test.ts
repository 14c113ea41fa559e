// Tenancy over real HTTP: two standalone workspaces, each signed in through the real /login action, each with a
// flow, messages, a failed inbox event and privacy requests. For every admin route and action that takes an id,
// A's session gets 404 (or a refusal) for B's id and B's rows stay unchanged; every list shows only one's own rows.
// Also the non-Shopify privacy path: export and erase by email from the admin Privacy page.
import { systemClock } from "~/core/clock";
import { enableBlueprint } from "~/core/flows/manage.server";
import { createSegment } from "~/core/segments/segments.server";
import { requestCustomerExport } from "~/core/privacy/privacy.server";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import { databaseTargets, dropAll } from "../support/databases";
import { BROWSER_UA, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

interface Tenant {
  workspaceId: string;
  cookie: string;
  flowId: string;
  messageId: string;
  inboxId: string;
  requestId: string;
  customerId: string;
  segmentId: string;
  suppressionId: string;
}

describe.each(databaseTargets())("workspace isolation on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  const tenants: Record<"a" | "b", Tenant> = {} as Record<"a" | "b", Tenant>;

  async function seed(key: "a" | "b"): Promise<Tenant> {
    const email = `owner-${key}@isolation.example`;
    const password = `password-${key}-0123456789`;
    const { workspaceId } = await createWorkspaceWithUser(harness.db, { workspaceName: `Workspace ${key}`, email, password });
    const now = systemClock.now();
    const { flowId } = await enableBlueprint({ db: harness.db, clock: systemClock }, { workspaceId, blueprintId: "abandoned-cart" });
    const messageId = `isolation-message-${key}`;
    await harness.db.message.create({
      data: { id: messageId, workspaceId, toEmail: `shopper-${key}@isolation.example`, fromEmail: "shop@example.com", subject: `Hello ${key}`, html: `<p>${key}</p>`, text: key, status: "outbox", nextAttemptAt: now, createdAt: now },
    });
    const customer = await harness.db.customer.create({ data: { workspaceId, email: `shopper-${key}@isolation.example`, firstName: key.toUpperCase() } });
    const segment = await createSegment(harness.db, {
      workspaceId,
      name: `Isolation example ${key}`,
      rule: { kind: "group", match: "all", conditions: [{ kind: "email_domain", op: "is", value: "isolation.example" }] },
      now,
    });
    if (!segment.ok) throw new Error(JSON.stringify(segment.problems));
    const inbox = await harness.db.inboxEvent.create({
      data: { workspaceId, source: "demo", topic: "checkouts/update", dedupeKey: `isolation-${key}`, payload: "{not json", headers: {}, status: "failed", error: "not JSON", attempts: 1, receivedAt: now, nextAttemptAt: now },
    });
    const request = await requestCustomerExport({ db: harness.db }, { workspaceId, email: `shopper-${key}@isolation.example`, now });
    const suppression = await harness.db.suppression.create({ data: { workspaceId, email: `shopper-${key}@isolation.example`, reason: "manual", source: "admin", createdAt: now } });
    // Signed in through the real form.
    const login = await fetch(`${harness.app.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": BROWSER_UA },
      body: new URLSearchParams({ email, password, redirectTo: "/app" }),
    });
    expect(login.status, harness.app.output()).toBe(302);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
    expect(cookie).toMatch(/^__nudgeflow=/);
    return { workspaceId, cookie, flowId, messageId, inboxId: inbox.id, requestId: request.id, customerId: customer.id, segmentId: segment.segment.id, suppressionId: suppression.id };
  }

  beforeAll(async () => {
    harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), shopify: false, sendgrid: false });
    tenants.a = await seed("a");
    tenants.b = await seed("b");
  });
  afterAll(() => harness?.stop());

  function as(tenant: Tenant, path: string, init: RequestInit = {}) {
    return fetch(`${harness.app.url}${path}`, { redirect: "manual", ...init, headers: { Cookie: tenant.cookie, "User-Agent": BROWSER_UA, ...(init.headers ?? {}) } });
  }
  function post(tenant: Tenant, path: string, form: Record<string, string>) {
    return as(tenant, path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
  }

  it("lists only one's own rows on every list page", async () => {
    for (const [self, other] of [["a", "b"], ["b", "a"]] as const) {
      for (const route of ["app.flows._index", "app.outbox._index", "app.events._index", "app.privacy._index", "app.segments._index", "app.customers._index", "app.suppressions._index"]) {
        const path = `/${route.replace(/\._index$/, "").replaceAll(".", "/")}?_data=${encodeURIComponent(`routes/${route}`)}`;
        const response = await as(tenants[self], path);
        expect(response.status, `${route}: ${harness.app.output().slice(-2000)}`).toBe(200);
        const text = await response.text();
        const mine = {
          "app.flows._index": tenants[self].flowId,
          "app.outbox._index": tenants[self].messageId,
          "app.events._index": tenants[self].inboxId,
          "app.privacy._index": tenants[self].requestId,
          "app.segments._index": tenants[self].segmentId,
          "app.customers._index": tenants[self].customerId,
          "app.suppressions._index": tenants[self].suppressionId,
        }[route];
        expect(text, route).toContain(mine);
        for (const id of Object.values(tenants[other]).filter((value) => value !== tenants[other].cookie)) expect(text, `${route} shows ${other}'s ${id}`).not.toContain(id);
        expect(text).not.toContain(`shopper-${other}@isolation.example`);
      }
    }
  });

  it("refuses A's session every route and action that names B's rows, and leaves them unchanged", async () => {
    const { a, b } = tenants;
    // outbox message page
    expect((await as(a, `/app/outbox/${b.messageId}`)).status).toBe(404);
    expect((await as(a, `/app/outbox/${b.messageId}?_data=${encodeURIComponent("routes/app.outbox.$messageId")}`)).status).toBe(404);
    // flow builder page (app.flows.$flowId)
    expect((await as(a, `/app/flows/${b.flowId}`)).status).toBe(404);
    expect((await as(b, `/app/flows/${b.flowId}`)).status).toBe(200);
    // privacy download
    expect((await as(a, `/app/privacy/${b.requestId}`)).status).toBe(404);
    // events replay
    expect((await post(a, "/app/events?index", { intent: "replay", id: b.inboxId })).status).toBe(404);
    expect(await harness.db.inboxEvent.findUniqueOrThrow({ where: { id: b.inboxId } })).toMatchObject({ status: "failed", workspaceId: b.workspaceId });
    // flows set-status (the route answers a flow it cannot find with 400 and the reason)
    const flowBefore = await harness.db.flow.findUniqueOrThrow({ where: { id: b.flowId } });
    const setStatus = await post(a, "/app/flows?index", { intent: "set-status", flowId: b.flowId, status: "paused" });
    expect([400, 404]).toContain(setStatus.status);
    expect(await harness.db.flow.findUniqueOrThrow({ where: { id: b.flowId } })).toMatchObject({ status: flowBefore.status, updatedAt: flowBefore.updatedAt });
    // privacy actions by email act on one's own workspace only
    expect((await post(a, "/app/privacy?index", { intent: "erase", email: "shopper-b@isolation.example", confirm: "erase" })).status).toBe(200);
    expect(await harness.db.customer.count({ where: { workspaceId: b.workspaceId, email: "shopper-b@isolation.example" } })).toBe(1);
    expect(await harness.db.message.findUniqueOrThrow({ where: { id: b.messageId } })).toMatchObject({ toEmail: "shopper-b@isolation.example" });
    // segment page, its CSV, its actions, and the customer profile
    expect((await as(a, `/app/segments/${b.segmentId}`)).status).toBe(404);
    expect((await as(a, `/app/segments/${b.segmentId}/csv`)).status).toBe(404);
    const segmentBefore = await harness.db.segment.findUniqueOrThrow({ where: { id: b.segmentId } });
    const rename = await post(a, `/app/segments/${b.segmentId}`, { intent: "save", name: "Taken over", rule: JSON.stringify(segmentBefore.rule) });
    expect(rename.status).toBe(404);
    expect((await post(a, `/app/segments/${b.segmentId}`, { intent: "archive" })).status).toBe(404);
    expect(await harness.db.segment.findUniqueOrThrow({ where: { id: b.segmentId } })).toMatchObject({ name: segmentBefore.name, status: "active", updatedAt: segmentBefore.updatedAt });
    expect((await as(a, `/app/customers/${b.customerId}`)).status).toBe(404);
    // a rule or a filter naming B's segment finds nothing of B's
    const preview = await post(a, `/app/segments/preview?_data=${encodeURIComponent("routes/app.segments.preview")}`, {
      rule: JSON.stringify({ kind: "group", match: "all", conditions: [{ kind: "segment", op: "in", segmentId: b.segmentId }] }),
    });
    const previewed = await preview.text();
    expect(previewed).not.toContain("shopper-b@isolation.example");
    expect(previewed).toMatch(/segment/i);
    const filtered = await (await as(a, `/app/customers?segment=${b.segmentId}&_data=${encodeURIComponent("routes/app.customers._index")}`)).text();
    expect(filtered).not.toContain("shopper-b@isolation.example");
    expect(filtered).not.toContain(b.customerId);
    // the suppression list: B's entry cannot be removed by A, A's export and import stay in A's workspace
    expect((await post(a, "/app/suppressions?index", { intent: "remove", id: b.suppressionId })).status).toBe(404);
    expect(await harness.db.suppression.findUnique({ where: { id: b.suppressionId } })).toMatchObject({ workspaceId: b.workspaceId });
    const listPage = await as(a, "/app/suppressions?reason=manual");
    expect(listPage.status, harness.app.output().slice(-2000)).toBe(200);
    expect(await listPage.text()).toContain("shopper-a@isolation.example");
    const exported = await (await as(a, "/app/suppressions/csv")).text();
    expect(exported).toContain("shopper-a@isolation.example");
    expect(exported).not.toContain("shopper-b@isolation.example");
    expect((await post(a, "/app/suppressions?index", { intent: "import", csv: "imported-by-a@isolation.example" })).status).toBe(200);
    expect(await harness.db.suppression.count({ where: { email: "imported-by-a@isolation.example", workspaceId: b.workspaceId } })).toBe(0);
    expect(await harness.db.suppression.count({ where: { email: "imported-by-a@isolation.example", workspaceId: a.workspaceId } })).toBe(1);
    // and B's own session still reaches all of it
    expect((await as(b, `/app/outbox/${b.messageId}`)).status).toBe(200);
    expect((await as(b, `/app/privacy/${b.requestId}`)).status).toBe(200);
    expect((await as(b, `/app/segments/${b.segmentId}`)).status).toBe(200);
    expect((await as(b, `/app/customers/${b.customerId}`)).status).toBe(200);
  });

  it("keeps each workspace's email delivery settings to itself", async () => {
    const { a, b } = tenants;
    const settings = `/app/settings/email?_data=${encodeURIComponent("routes/app.settings.email")}`;
    await harness.db.workspace.update({ where: { id: b.workspaceId }, data: { fromEmail: "sender-b@isolation.example", sendgridApiKey: "v1.sealed-key-of-b", senderVerifiedAt: new Date() } });
    const before = await harness.db.workspace.findUniqueOrThrow({ where: { id: b.workspaceId } });
    // A's page shows A's settings only.
    const shown = await (await as(a, settings)).text();
    expect(shown).not.toContain("sender-b@isolation.example");
    expect(JSON.parse(shown).settings).toMatchObject({ delivery: "outbox", apiKeyHint: null, fromEmail: null });
    // A's save and key removal act on A's workspace (taken from the session, never from the form), not on B's.
    const saved = await post(a, settings, { intent: "save", fromEmail: "sender-a@isolation.example", fromName: "", apiKey: "", region: "global", workspaceId: b.workspaceId });
    expect(saved.status).toBe(200);
    expect((await post(a, settings, { intent: "remove-key", workspaceId: b.workspaceId })).status).toBe(200);
    expect(await harness.db.workspace.findUniqueOrThrow({ where: { id: b.workspaceId } })).toEqual(before);
    expect(await harness.db.workspace.findUniqueOrThrow({ where: { id: a.workspaceId }, select: { fromEmail: true } })).toEqual({ fromEmail: "sender-a@isolation.example" });
  });

  it("exports and erases a customer by email from the admin Privacy page (non-Shopify workspaces)", async () => {
    const { a } = tenants;
    const exported = await post(a, `/app/privacy?index&_data=${encodeURIComponent("routes/app.privacy._index")}`, { intent: "export", email: "shopper-a@isolation.example" });
    expect(exported.status).toBe(200);
    const { id } = await exported.json();
    const download = await as(a, `/app/privacy/${id}`);
    expect(download.status).toBe(200);
    expect((await download.json()).messages.map((message: { id: string }) => message.id)).toEqual([a.messageId]);

    expect((await post(a, "/app/privacy?index", { intent: "erase", email: "shopper-a@isolation.example" })).status).toBe(400); // not confirmed
    expect((await post(a, "/app/privacy?index", { intent: "erase", email: "shopper-a@isolation.example", confirm: "erase" })).status).toBe(200);
    expect(await harness.db.message.findUniqueOrThrow({ where: { id: a.messageId } })).toMatchObject({ toEmail: "[redacted]" });
    expect(await harness.db.customer.count({ where: { email: "shopper-a@isolation.example" } })).toBe(0);
    expect((await as(a, `/app/privacy/${id}`)).status).toBe(404); // the export went with the customer
    expect((await as(a, "/app/privacy")).status).toBe(200);
  });
});
