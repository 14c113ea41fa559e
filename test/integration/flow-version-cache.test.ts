// Routing a batch of events to flows with one VersionCache (a SendGrid batch, an inbox row, a segment
// re-evaluation): each live version is read and parsed once, yet which flows are live — and at which version — is
// read per event, so a flow published, republished or paused mid-batch is seen by the events after it, exactly as
// without a cache. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import type { CanonicalMessageEvent } from "~/core/events";
import { routeEventToFlows } from "~/core/flows/enroll.server";
import { importFlow, publishFlow, setFlowStatus } from "~/core/flows/manage.server";
import { createVersionCache, type VersionCache } from "~/core/flows/versions.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const email = (id: string) => ({ id, type: "email", name: id, subject: id, html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next: null });
const clickFlow = (entry: string) => ({
  schemaVersion: 1,
  goal: null,
  trigger: { type: "event", events: ["message.clicked"], entity: "customer" },
  rules: { consent: "transactional" },
  entry,
  nodes: [email(entry)],
});

describe.each(databaseTargets())("one version cache for a batch on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  const clock = new ManualClock("2026-05-04T10:00:00Z");

  const click = (): CanonicalMessageEvent => ({
    type: "message.clicked",
    version: 1,
    occurredAt: clock.now().toISOString(),
    data: { messageId: "msg_other", flowId: null, nodeId: null, enrollmentId: null, provider: "sendgrid", url: "https://shop.example/p" },
  });
  const routeClick = (customerId: string, versions: VersionCache) =>
    db.$transaction((tx) => routeEventToFlows(tx, { workspaceId, event: click(), customerId, checkoutId: null, now: clock.now() }, versions));
  const enrollmentsOf = (customerId: string) =>
    db.enrollment.findMany({ where: { workspaceId, customerId }, select: { flowId: true, flowVersionId: true, currentNodeId: true }, orderBy: { flowId: "asc" } });

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ id: workspaceId } = await db.workspace.create({ data: { name: "Version cache" } }));
  });

  it("sees a flow republished, paused or published between two events routed with the same cache", async () => {
    const first = await db.customer.create({ data: { workspaceId, email: "first@example.com" } });
    const second = await db.customer.create({ data: { workspaceId, email: "second@example.com" } });
    const republished = await importFlow({ db, clock }, { workspaceId, name: "Republished", publish: true, definition: clickFlow("before") });
    const paused = await importFlow({ db, clock }, { workspaceId, name: "Paused", publish: true, definition: clickFlow("paused") });
    const versionOne = (await db.flow.findUniqueOrThrow({ where: { id: republished.flowId } })).liveVersionId;
    const versions = createVersionCache();

    // GIVEN the first event of a batch, routed with the batch's cache
    const firstRouted = await routeClick(first.id, versions);
    expect(firstRouted.enrolled).toHaveLength(2);
    expect(versions.definitions.size).toBe(2);

    // WHEN, mid-batch, one flow gets a new version, another is paused and a third goes live
    const { versionId: versionTwo } = await publishFlow({ db, clock }, { workspaceId, flowId: republished.flowId, definition: clickFlow("after") });
    await setFlowStatus({ db }, { workspaceId, flowId: paused.flowId, status: "paused" });
    const added = await importFlow({ db, clock }, { workspaceId, name: "Added", publish: true, definition: clickFlow("added") });
    const secondRouted = await routeClick(second.id, versions);

    // THEN the first customer entered the versions live then, the second those live now
    const sortByFlow = <T extends { flowId: string }>(rows: T[]) => [...rows].sort((a, b) => a.flowId.localeCompare(b.flowId));
    expect(await enrollmentsOf(first.id)).toEqual(
      sortByFlow([
        { flowId: republished.flowId, flowVersionId: versionOne, currentNodeId: "before" },
        { flowId: paused.flowId, flowVersionId: expect.any(String), currentNodeId: "paused" },
      ]),
    );
    expect(secondRouted.enrolled).toHaveLength(2);
    expect(await enrollmentsOf(second.id)).toEqual(
      sortByFlow([
        { flowId: republished.flowId, flowVersionId: versionTwo, currentNodeId: "after" },
        { flowId: added.flowId, flowVersionId: expect.any(String), currentNodeId: "added" },
      ]),
    );
    // The cache kept what it had read and added the two new versions
    expect(versions.definitions.size).toBe(4);
  });
});
