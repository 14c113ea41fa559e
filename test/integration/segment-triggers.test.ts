// Flows triggered by segments (issue 4 item 2, issue 6): a customer entering or leaving a segment enrolls them in
// a live flow with that segment trigger, through the same path as any customer-keyed flow (conditions, re-entry,
// consent); a segment-entered flow can enroll the segment's current members once when it is published, previewed
// first; a trigger naming a segment the workspace does not have is refused. Demo store, manual clock, worker.
import { ManualClock } from "~/core/clock";
import { segmentEvent, type CanonicalEvent } from "~/core/events";
import { routeEventToFlows } from "~/core/flows/enroll.server";
import { createSegmentFlow, diffAgainstLive, FlowValidationError, getFlowForBuilder, importFlow, publishDraft, saveDraft } from "~/core/flows/manage.server";
import { previewSegmentBackfill } from "~/core/flows/segment-trigger.server";
import { silentLogger } from "~/core/logger.server";
import { reevaluateCustomers } from "~/core/segments/segments.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent, orderEvent } from "../support/events";

afterAll(dropAll);

const email = (id: string, next: string | null = null) => ({ id, type: "email", name: id, subject: `About ${id}`, html: "<p>{{ shop.name }}</p>", text: "{{ shop.name }}", next });

describe.each(databaseTargets())("segment triggers on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;

  const worker = (clock: ManualClock) => createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
  const post = async (clock: ManualClock, ...events: CanonicalEvent[]) => {
    await postDemoEvents({ db, clock }, { workspaceId, events });
    await worker(clock).tick();
  };
  const sentTo = (address: string) => db.message.findMany({ where: { workspaceId, toEmail: address }, orderBy: { createdAt: "asc" } });
  const customerId = async (address: string) => (await db.customer.findFirstOrThrow({ where: { workspaceId, email: address } })).id;
  const segmentRow = (name: string, rule: unknown = { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "orders_count", op: "gte", value: 2 }] }) =>
    db.segment.create({ data: { workspaceId, name, rule: rule as object, status: "active" } });

  /** A live flow as the only live one (earlier tests' flows are paused), triggered by the given segment change. */
  async function publishOnly(name: string, trigger: Record<string, unknown>, clock: ManualClock, extra: Record<string, unknown> = {}) {
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    return importFlow({ db, clock }, {
      workspaceId,
      name,
      publish: true,
      definition: {
        schemaVersion: 1,
        trigger,
        goal: null,
        entry: "wait",
        nodes: [{ id: "wait", type: "delay", duration: { days: 1 }, next: "hello" }, email("hello")],
        ...extra,
      },
    });
  }

  /** Routes a derived segment event for a customer, as segments-core does after writing the Event row. */
  async function segmentChange(clock: ManualClock, input: { segment: { id: string; name: string }; customerId: string; change: "entered" | "exited" }) {
    const now = clock.now();
    const data = { segment: input.segment, why: null, cause: "event" as const };
    return db.$transaction(async (tx) => {
      await tx.event.create({ data: { workspaceId, customerId: input.customerId, type: `segment.${input.change}`, version: 1, occurredAt: now, data } });
      return routeEventToFlows(tx, { workspaceId, event: segmentEvent({ change: input.change, data, occurredAt: now }), customerId: input.customerId, checkoutId: null, now });
    });
  }

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "segment-triggers-test-password", now: new Date("2026-04-01T00:00:00Z") }));
  });

  it("a customer entering the segment through their order is enrolled and emailed a day later", async () => {
    // GIVEN a "Repeat buyers" segment (2+ orders) and a live flow on entering it
    const clock = new ManualClock("2026-04-02T09:00:00Z");
    const segment = await segmentRow("Repeat buyers");
    const other = await segmentRow("Someone else's", { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "orders_count", op: "gte", value: 50 }] });
    const { flowId } = await publishOnly("Thank repeat buyers", { type: "segment", segmentId: segment.id, on: "entered" }, clock);
    await publishOnly("Other segment", { type: "segment", segmentId: other.id, on: "entered" }, clock).then(({ flowId: id }) => db.flow.update({ where: { id }, data: { status: "live" } }));
    await db.flow.update({ where: { id: flowId }, data: { status: "live" } });
    // AND a customer with two orders
    await post(clock, orderEvent("rb-1", "repeat@example.com", "2026-03-20T10:00:00Z"), orderEvent("rb-2", "repeat@example.com", clock.now().toISOString()));
    const ada = await customerId("repeat@example.com");

    // WHEN the segments re-evaluate the customer after the order (ingest does it in the order's transaction; asking
    // again changes nothing)
    await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId, customerIds: [ada], now: clock.now(), cause: "event" }));
    expect(await db.segmentMembership.count({ where: { segmentId: segment.id, customerId: ada } })).toBe(1);
    expect(await db.segmentMembership.count({ where: { segmentId: other.id, customerId: ada } })).toBe(0);

    // THEN the customer is enrolled in the flow on that segment only, the trace says which segment moved them
    const enrollments = await db.enrollment.findMany({ where: { workspaceId, customerId: ada } });
    expect(enrollments.map((row) => ({ flowId: row.flowId, entityType: row.entityType, entityId: row.entityId }))).toEqual([{ flowId, entityType: "customer", entityId: ada }]);
    const matched = await db.enrollmentTrace.findFirstOrThrow({ where: { workspaceId, flowId, kind: "trigger.matched" } });
    expect(matched.detail).toMatchObject({ event: "segment.entered", segment: "Repeat buyers", entityType: "customer" });
    // AND the email goes out a day later, not before
    await worker(clock).tick();
    expect(await sentTo("repeat@example.com")).toHaveLength(0);
    clock.advance({ days: 1 });
    await worker(clock).tick();
    expect((await sentTo("repeat@example.com")).map((message) => message.nodeId)).toEqual(["hello"]);
  });

  it("a flow on leaving the segment hears only exits of its own segment; re-entry stays off", async () => {
    const clock = new ManualClock("2026-04-05T09:00:00Z");
    const segment = await segmentRow("Subscribers of the month");
    const { flowId } = await publishOnly("Sorry to see you go", { type: "segment", segmentId: segment.id, on: "exited" }, clock);
    await post(clock, orderEvent("ex-1", "leaver@example.com", clock.now().toISOString()));
    const leaver = await customerId("leaver@example.com");
    const named = { id: segment.id, name: segment.name };

    // WHEN the customer enters (nothing), another segment's exit arrives (nothing), then they leave this one
    expect((await segmentChange(clock, { segment: named, customerId: leaver, change: "entered" })).enrolled).toEqual([]);
    expect((await segmentChange(clock, { segment: { id: "seg_other", name: "Other" }, customerId: leaver, change: "exited" })).enrolled).toEqual([]);
    const first = await segmentChange(clock, { segment: named, customerId: leaver, change: "exited" });

    // THEN exactly one journey, keyed by the customer; leaving again later does not start a second one
    expect(first.enrolled).toHaveLength(1);
    clock.advance({ days: 3 });
    expect((await segmentChange(clock, { segment: named, customerId: leaver, change: "exited" })).enrolled).toEqual([]);
    const skipped = await db.enrollmentTrace.findMany({ where: { workspaceId, flowId, kind: "trigger.skipped" } });
    expect(skipped.map((row) => (row.detail as { reason: string }).reason)).toEqual([expect.stringContaining("already in this flow")]);
  });

  it("consent applies as in any marketing flow: a customer who has not accepted marketing is enrolled but not emailed", async () => {
    const clock = new ManualClock("2026-04-08T09:00:00Z");
    const segment = await segmentRow("Browsers");
    await publishOnly("Browsers' nudge", { type: "segment", segmentId: segment.id, on: "entered" }, clock, { rules: { consent: "marketing" } });
    await post(clock, checkoutEvent("quiet", clock.now().toISOString(), { acceptsMarketing: false }));
    const quiet = await customerId("quiet@example.com");
    expect((await segmentChange(clock, { segment: { id: segment.id, name: segment.name }, customerId: quiet, change: "entered" })).enrolled).toHaveLength(1);
    clock.advance({ days: 1 });
    await worker(clock).tick();
    expect(await sentTo("quiet@example.com")).toHaveLength(0);
    const step = await db.stepRun.findFirstOrThrow({ where: { workspaceId, nodeId: "hello", enrollment: { customerId: quiet } } });
    expect(step.result).toEqual({ skipped: "no marketing consent" });
  });

  it("publishing a segment-entered flow previews the segment's members and enrolls them only when asked, once", async () => {
    // GIVEN a segment with three members now, one of whom is already in the flow from an earlier version
    const clock = new ManualClock("2026-04-10T09:00:00Z");
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    const segment = await segmentRow("Loyal", { kind: "group", match: "all", conditions: [{ kind: "tag", op: "has", value: "loyal" }] });
    const tagged = (address: string, tags: string[]): CanonicalEvent => ({
      type: "customer.update",
      version: 1,
      occurredAt: clock.now().toISOString(),
      data: { customer: { externalId: null, email: address, firstName: null, lastName: null, phone: null, acceptsMarketing: true, tags, createdAt: null, updatedAt: clock.now().toISOString() } },
    });
    await post(clock, tagged("one@example.com", ["Loyal"]), tagged("two@example.com", ["loyal", "vip"]), tagged("three@example.com", ["LOYAL"]), tagged("outsider@example.com", ["new"]));
    const members = await Promise.all(["one@example.com", "two@example.com", "three@example.com"].map(customerId));
    expect((await db.segmentMembership.findMany({ where: { segmentId: segment.id } })).map((row) => row.customerId).sort()).toEqual([...members].sort());
    const segmentEventsBefore = await db.event.count({ where: { workspaceId, type: "segment.entered" } });
    const { flowId } = await createSegmentFlow({ db, clock }, { workspaceId, segmentId: segment.id });

    // WHEN the merchant opens the publish dialog
    const preview = await diffAgainstLive(db, { workspaceId, flowId });
    // THEN it offers the segment's three members
    expect(preview.problems).toEqual([]);
    expect(preview.backfill).toEqual({ segmentId: segment.id, segmentName: "Loyal", members: 3 });

    // WHEN they publish without the backfill (the default), nobody is enrolled
    const plain = await publishDraft({ db, clock }, { workspaceId, flowId });
    expect(plain.backfill).toBeNull();
    expect(await db.enrollment.count({ where: { flowId } })).toBe(0);
    // AND a member entering through a segment event joins as usual
    await segmentChange(clock, { segment: { id: segment.id, name: "Loyal" }, customerId: members[0], change: "entered" });

    // WHEN they publish again choosing "also enroll them"
    clock.advance({ minutes: 5 });
    const definition = JSON.stringify((await getFlowForBuilder(db, { workspaceId, flowId })).definition);
    const withBackfill = await publishDraft({ db, clock }, { workspaceId, flowId, definitionJson: definition, backfill: true });

    // THEN the two members not yet in the flow are enrolled (the third is skipped by re-entry), traced as a backfill
    expect(withBackfill.backfill).toEqual({ members: 3, enrolled: 2 });
    const enrolled = await db.enrollment.findMany({ where: { flowId }, orderBy: { customerId: "asc" } });
    expect(enrolled.map((row) => row.customerId).sort()).toEqual([...members].sort());
    const backfilled = await db.enrollmentTrace.findMany({ where: { flowId, kind: "trigger.backfill", enrollmentId: { not: null } } });
    expect(backfilled.map((row) => row.customerId).sort()).toEqual([members[1], members[2]].sort());
    expect(backfilled[0].detail).toMatchObject({ event: "segment.entered", segment: "Loyal" });
    // AND no Event row was made up for them: a backfill is not a segment change
    expect(await db.event.count({ where: { workspaceId, type: "segment.entered" } })).toBe(segmentEventsBefore + 1); // the one real entry above
    // AND the outsider is not in the flow; a segment-exited trigger offers no backfill
    const outsider = await customerId("outsider@example.com");
    expect(enrolled.some((row) => row.customerId === outsider)).toBe(false);
    expect(await previewSegmentBackfill(db, { workspaceId, definition: { trigger: { type: "segment", segmentId: segment.id, on: "exited" } } })).toBeNull();
    // AND the first email of each goes out a day later
    clock.advance({ days: 1 });
    await worker(clock).tick();
    expect(await sentTo("two@example.com")).toHaveLength(1);
  });

  it("refuses a trigger naming a segment this workspace does not have, or an archived one, at trigger.segmentId", async () => {
    const clock = new ManualClock("2026-04-12T09:00:00Z");
    const definition = (segmentId: string) => ({
      schemaVersion: 1,
      trigger: { type: "segment", segmentId, on: "entered" },
      goal: null,
      entry: "hello",
      nodes: [email("hello")],
    });
    // Import (the CLI's path) writes nothing
    const before = await db.flow.count({ where: { workspaceId } });
    const rejected = await importFlow({ db, clock }, { workspaceId, name: "Ghost", definition: definition("seg_missing"), publish: true }).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(FlowValidationError);
    expect((rejected as FlowValidationError).problems).toEqual([{ path: "trigger.segmentId", message: 'segment "seg_missing" does not exist in this workspace' }]);
    expect(await db.flow.count({ where: { workspaceId } })).toBe(before);
    // Another workspace's segment is as unknown as a missing one
    const elsewhere = await db.workspace.create({ data: { name: "Elsewhere" } });
    const foreign = await db.segment.create({ data: { workspaceId: elsewhere.id, name: "Theirs", rule: { kind: "group", match: "all", conditions: [] } } });
    await expect(importFlow({ db, clock }, { workspaceId, name: "Foreign", definition: definition(foreign.id), publish: true })).rejects.toThrow(/does not exist in this workspace/);
    // The builder: the draft is saved with the problem listed, and publishing refuses it
    const archived = await db.segment.create({ data: { workspaceId, name: "Old news", rule: { kind: "group", match: "all", conditions: [] }, status: "archived" } });
    const { flowId } = await createSegmentFlow({ db, clock }, { workspaceId, segmentId: (await segmentRow("Soon archived")).id });
    const saved = await saveDraft({ db, clock }, { workspaceId, flowId, definitionJson: JSON.stringify(definition(archived.id)) });
    expect(saved.problems).toEqual([{ path: "trigger.segmentId", message: 'segment "Old news" is archived: choose an active segment' }]);
    await expect(publishDraft({ db, clock }, { workspaceId, flowId })).rejects.toThrow(/trigger\.segmentId: segment "Old news" is archived/);
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).liveVersionId).toBeNull();
  });

  it("/app/flows/new?segmentId makes one draft per segment until it is edited, and refuses unknown segments", async () => {
    const clock = new ManualClock("2026-04-14T09:00:00Z");
    const segment = await segmentRow("Big spenders");
    const first = await createSegmentFlow({ db, clock }, { workspaceId, segmentId: segment.id });
    const again = await createSegmentFlow({ db, clock }, { workspaceId, segmentId: segment.id });
    expect(first.created).toBe(true);
    expect(again).toEqual({ flowId: first.flowId, created: false });
    const flow = await getFlowForBuilder(db, { workspaceId, flowId: first.flowId });
    expect(flow.flow.name).toBe("When a customer enters Big spenders");
    expect(flow.problems).toEqual([]);
    expect(flow.segments.map((row) => row.name)).toContain("Big spenders");
    expect(flow.definition).toMatchObject({ trigger: { type: "segment", segmentId: segment.id, on: "entered" }, nodes: [{ type: "delay", duration: { days: 1 } }, { type: "email" }] });
    await expect(createSegmentFlow({ db, clock }, { workspaceId, segmentId: "seg_missing" })).rejects.toThrow(/does not exist/);
  });
});
