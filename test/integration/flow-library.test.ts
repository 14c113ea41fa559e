// The Flows list's housekeeping against real databases (ADR 0038): an archived flow enrolls nobody (like paused),
// unarchive brings it back paused, never live; duplicate makes a draft; an invalid import writes nothing.
import { ManualClock } from "~/core/clock";
import { silentLogger } from "~/core/logger.server";
import { archiveFlow, duplicateFlow, FlowImportError, flowForExport, importFlowFile, unarchiveFlow } from "~/core/flows/library.server";
import { enableBlueprint, FlowError, setFlowStatus } from "~/core/flows/manage.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent } from "../support/events";

afterAll(dropAll);

describe.each(databaseTargets())("flow library on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  const clock = new ManualClock("2026-04-02T10:00:00Z");

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "flow-library-test-password", now: new Date("2026-04-01T00:00:00Z") }));
  });
  afterAll(() => db?.$disconnect());
  /** Posts a checkout and lets the worker route it to flows, as in production. */
  async function abandonCheckout(token: string, address: string) {
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent(token, clock.now().toISOString(), { email: address })] });
    await createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null }).tick();
  }

  it("archives a live flow so it enrolls nobody, refuses to resume it, and unarchives it paused", async () => {
    // GIVEN the abandoned-cart flow, live, then archived
    const { flowId } = await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    await archiveFlow({ db }, { workspaceId, flowId });

    // WHEN a shopper abandons a checkout
    await abandonCheckout("archived-chk", "archived@example.com");

    // THEN nobody is enrolled, resuming is refused, and unarchiving makes it paused (not live)
    expect(await db.enrollment.count({ where: { workspaceId, flowId } })).toBe(0);
    await expect(setFlowStatus({ db }, { workspaceId, flowId, status: "live" })).rejects.toThrow(FlowError);
    expect(await unarchiveFlow({ db }, { workspaceId, flowId })).toMatchObject({ status: "paused" });
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("paused");

    // AND once resumed it enrolls the next shopper
    await setFlowStatus({ db }, { workspaceId, flowId, status: "live" });
    await abandonCheckout("live-chk", "live@example.com");
    expect(await db.enrollment.count({ where: { workspaceId, flowId } })).toBe(1);
  });

  it("duplicates as an unlinked draft, exports, and imports only a valid file", async () => {
    const original = await db.flow.findFirstOrThrow({ where: { workspaceId, blueprint: "abandoned-cart" } });
    const copy = await duplicateFlow({ db, clock }, { workspaceId, flowId: original.id });
    expect(await db.flow.findUniqueOrThrow({ where: { id: copy.flowId } })).toMatchObject({ name: "Copy of Abandoned cart", status: "draft", blueprint: null, liveVersionId: null });

    const file = await flowForExport(db, { workspaceId, flowId: original.id });
    expect(file.fileName).toBe("abandoned-cart.json");
    const before = await db.flow.count({ where: { workspaceId } });
    const broken = JSON.stringify({ ...file.definition, nodes: [...file.definition.nodes, { id: "bad", type: "delay" }] });
    const refused = await importFlowFile({ db, clock }, { workspaceId, fileName: "broken.json", text: broken }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FlowImportError);
    expect((refused as FlowImportError).problems.map((problem) => problem.path)).toContain("nodes[6].duration");
    await expect(importFlowFile({ db, clock }, { workspaceId, fileName: "x.json", text: "{" })).rejects.toThrow(/not valid JSON/);
    expect(await db.flow.count({ where: { workspaceId } })).toBe(before);

    const imported = await importFlowFile({ db, clock }, { workspaceId, fileName: "Cart again.json", text: JSON.stringify(file.definition) });
    expect(await db.flow.findUniqueOrThrow({ where: { id: imported.flowId } })).toMatchObject({ name: "Cart again", status: "draft", liveVersionId: null });
  });
});
