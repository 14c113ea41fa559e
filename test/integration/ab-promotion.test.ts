// Promoting an A/B test's winner (issue 9.4): the worker's periodic work promotes a split set to `autoPromote` once
// the sequential test declares a winner on crafted journeys — a new live version sending everyone the winner, one
// audit entry, journeys already running untouched — and never twice, nor on an undecided test; the merchant can
// promote by hand. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { flowResults } from "~/core/analytics/flow-results.server";
import { flowHistory } from "~/core/analytics/promotion-history.server";
import { PROMOTION_CHECK_EVERY_MS, createPromotionSweepState, promoteAbVariant, runWinnerPromotions } from "~/core/analytics/promotion.server";
import { ManualClock } from "~/core/clock";
import { StoredFlowDefinition } from "~/core/flows/definition";
import { FlowError, importFlow } from "~/core/flows/manage.server";
import { silentLogger } from "~/core/logger.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker, type Worker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent } from "../support/events";

afterAll(dropAll);

const DAY_MS = 86_400_000;

/** A checkout journey split in two: a day's wait, then the plain email or the offer. */
function splitFlow(options: { autoPromote: boolean }) {
  return {
    schemaVersion: 1,
    trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [] },
    goal: null,
    entry: "split",
    nodes: [
      { id: "split", type: "ab_split", variants: [{ id: "plain", weight: 1, next: "wait-plain" }, { id: "offer", weight: 1, next: "wait-offer" }], ...(options.autoPromote ? { autoPromote: true } : {}) },
      { id: "wait-plain", type: "delay", duration: { days: 1 }, next: "email-plain" },
      { id: "wait-offer", type: "delay", duration: { days: 1 }, next: "email-offer" },
      { id: "email-plain", type: "email", name: "Plain", subject: "Your cart", html: "<p>Your cart</p>", text: "Your cart", next: null },
      { id: "email-offer", type: "email", name: "Offer", subject: "10 % off your cart", html: "<p>10 % off</p>", text: "10 % off", next: null },
    ],
    rules: { consent: "transactional", quietHours: null },
  };
}

describe.each(databaseTargets())("A/B winner promotion on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let clock: ManualClock;
  let worker: Worker;
  let number = 0;

  beforeAll(async () => {
    db = openDb(await createUrl());
    clock = new ManualClock("2026-07-01T00:00:00Z");
    worker = createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "ab-promotion-test-password", now: clock.now() }));
  });

  /**
   * Crafted journeys through the split on 2026-06-20: `buyers` of `customers` order $50 the next day. The split's
   * test reads them like any (flow-results.server.ts).
   */
  async function craft(flowId: string, variant: string, customers: number, buyers: number) {
    const { liveVersionId } = await db.flow.findUniqueOrThrow({ where: { id: flowId } });
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    const ranAt = new Date("2026-06-20T12:00:00Z");
    const ids = Array.from({ length: customers }, () => `crafted-${(number += 1)}`);
    await db.customer.createMany({ data: ids.map((id) => ({ id: `${workspaceId}-${id}`, workspaceId, email: `${id}@example.com` })) });
    await db.enrollment.createMany({
      data: ids.map((id) => ({ id: `${workspaceId}-enr-${id}`, workspaceId, flowId, flowVersionId: liveVersionId ?? "", customerId: `${workspaceId}-${id}`, entityType: "customer", entityId: `${workspaceId}-${id}`, status: "completed", currentNodeId: null, enteredAt: ranAt })),
    });
    await db.stepRun.createMany({ data: ids.map((id) => ({ workspaceId, enrollmentId: `${workspaceId}-enr-${id}`, nodeId: "split", nodeType: "ab_split", result: { variant, bucket: 0 }, ranAt })) });
    await db.order.createMany({
      data: ids.slice(0, buyers).map((id) => ({ workspaceId, storeId: store.id, externalId: `order-${id}`, customerId: `${workspaceId}-${id}`, currency: "USD", totalPrice: 5000, lineItems: [], placedAt: new Date(ranAt.getTime() + DAY_MS) })),
    });
  }

  async function liveDefinition(flowId: string) {
    const flow = await db.flow.findUniqueOrThrow({ where: { id: flowId } });
    const version = await db.flowVersion.findUniqueOrThrow({ where: { id: flow.liveVersionId ?? "" } });
    return { version: version.version, versionId: version.id, definition: StoredFlowDefinition.parse(version.definition) };
  }

  const weights = (definition: { nodes: { id: string; type: string }[] }) => {
    const split = definition.nodes.find((node) => node.id === "split");
    return split && "variants" in split && Array.isArray(split.variants) ? Object.fromEntries(split.variants.map((variant: { id: string; weight: number }) => [variant.id, variant.weight])) : null;
  };

  it("promotes a decided winner once, from the worker, with an audit entry and a new live version; running journeys keep theirs", async () => {
    // GIVEN a live flow whose split promotes its winner, and 20 shoppers who entered it just now (on version 1)
    const { flowId } = await importFlow({ db, clock }, { workspaceId, name: "Auto promote", definition: splitFlow({ autoPromote: true }), publish: true });
    const first = await liveDefinition(flowId);
    await postDemoEvents({ db, clock }, { workspaceId, events: Array.from({ length: 20 }, (_, index) => checkoutEvent(`running-${index}`, "2026-07-01T00:00:00Z")) });
    await worker.tick();
    const running = await db.enrollment.findMany({ where: { workspaceId, flowId }, include: { steps: true } });
    expect(running).toHaveLength(20);
    expect(running.every((enrollment) => enrollment.status === "active" && enrollment.flowVersionId === first.versionId)).toBe(true);
    const variantOf = (enrollment: (typeof running)[number]) => (enrollment.steps.find((step) => step.nodeId === "split")?.result as { variant?: string } | null)?.variant;
    const onPlain = running.filter((enrollment) => variantOf(enrollment) === "plain");
    expect(onPlain.length).toBeGreaterThan(0);
    // Nothing decided yet: no promotion.
    expect(await db.auditEntry.count({ where: { workspaceId, subjectId: flowId } })).toBe(0);

    // and then crafted journeys that decide the test: plain 15 of 150 buy $50 (mean $5.00), offer 75 of 150 ($25.00)
    await craft(flowId, "plain", 150, 15);
    await craft(flowId, "offer", 150, 75);
    const { abTests } = await flowResults(db, { workspaceId, flowId, now: clock.now() });
    expect(abTests[0].verdict).toEqual({ kind: "winner", variant: "offer" });

    // WHEN the worker runs again within the hour: this version was looked at a moment ago, so not yet
    clock.advance({ minutes: 30 });
    await worker.tick();
    expect((await liveDefinition(flowId)).version).toBe(1);

    // WHEN the hour has passed
    clock.set(new Date(Date.parse("2026-07-01T00:00:00Z") + PROMOTION_CHECK_EVERY_MS));
    await worker.tick();

    // THEN version 2 is live and sends everyone the offer; the plain branch is kept with weight 0
    const second = await liveDefinition(flowId);
    expect(second.version).toBe(2);
    expect(weights(second.definition)).toEqual({ plain: 0, offer: 1 });
    expect(second.definition.nodes.map((node) => node.id)).toEqual(first.definition.nodes.map((node) => node.id));
    expect((await db.flow.findUniqueOrThrow({ where: { id: flowId } })).status).toBe("live");
    // and one audit entry says so, with the figures
    const entries = await db.auditEntry.findMany({ where: { workspaceId } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "system", action: "flow.ab_winner_promoted", subjectType: "flow", subjectId: flowId, at: clock.now() });
    expect(entries[0].summary).toContain('Variant "offer" won the A/B test "split" on revenue per recipient');
    expect(entries[0].summary).toContain("version 2");
    expect(entries[0].detail).toMatchObject({
      nodeId: "split",
      variant: "offer",
      fromVersion: 1,
      version: 2,
      versionId: second.versionId,
      test: { metric: "revenue_per_recipient", verdict: { kind: "winner", variant: "offer" }, currency: "USD", variants: [{ id: "plain" }, { id: "offer" }] },
    });
    // The flow page says it was promoted; its history lists it.
    const results = await flowResults(db, { workspaceId, flowId, now: clock.now() });
    expect(results.promotions).toEqual([expect.objectContaining({ nodeId: "split", variant: "offer", version: 2, automatic: true })]);
    expect((await flowHistory(db, { workspaceId, flowId })).map((entry) => entry.action)).toEqual(["flow.ab_winner_promoted"]);

    // WHEN the worker goes on, hours and a day later
    clock.advance({ hours: 2 });
    await worker.tick();
    clock.advance({ days: 1 });
    for (let i = 0; i < 3; i += 1) await worker.tick();

    // THEN nothing is promoted twice
    expect(await db.auditEntry.count({ where: { workspaceId } })).toBe(1);
    expect(await db.flowVersion.count({ where: { flowId } })).toBe(2);
    // and the 20 journeys that were running finished version 1, each in its own variant: plain ones got the plain email
    const finished = await db.enrollment.findMany({ where: { id: { in: running.map((enrollment) => enrollment.id) } } });
    expect(finished.every((enrollment) => enrollment.flowVersionId === first.versionId && enrollment.status === "completed")).toBe(true);
    const messages = await db.message.findMany({ where: { workspaceId, flowId }, select: { enrollmentId: true, nodeId: true } });
    for (const enrollment of running) {
      expect(messages.filter((message) => message.enrollmentId === enrollment.id).map((message) => message.nodeId)).toEqual([`email-${variantOf(enrollment)}`]);
    }

    // and a shopper who enters now follows version 2: the offer
    await postDemoEvents({ db, clock }, { workspaceId, events: [checkoutEvent("after-promotion", clock.now().toISOString())] });
    await worker.tick();
    const late = await db.enrollment.findFirstOrThrow({ where: { workspaceId, flowId, id: { notIn: running.map((enrollment) => enrollment.id) }, status: "active" }, include: { steps: true } });
    expect(late.flowVersionId).toBe(second.versionId);
    expect(late.steps.find((step) => step.nodeId === "split")?.result).toMatchObject({ variant: "offer" });
  });

  it("promotes nothing on an inconclusive test or \"no difference\", nor a winner of a split that does not ask for it", async () => {
    // GIVEN auto-promoting splits whose variants are alike (inconclusive with 150 each; "no difference" with 6,000
    // each: the always-valid interval then lies within ±20 %), and a decided split without autoPromote
    const { flowId: alike } = await importFlow({ db, clock }, { workspaceId, name: "Alike", definition: splitFlow({ autoPromote: true }), publish: true });
    await craft(alike, "plain", 150, 15);
    await craft(alike, "offer", 150, 16);
    const { flowId: same } = await importFlow({ db, clock }, { workspaceId, name: "Same", definition: splitFlow({ autoPromote: true }), publish: true });
    await craft(same, "plain", 6000, 600);
    await craft(same, "offer", 6000, 600);
    const { flowId: manual } = await importFlow({ db, clock }, { workspaceId, name: "Manual only", definition: splitFlow({ autoPromote: false }), publish: true });
    await craft(manual, "plain", 150, 15);
    await craft(manual, "offer", 150, 75);
    const alikeTest = (await flowResults(db, { workspaceId, flowId: alike, now: clock.now() })).abTests[0];
    expect(alikeTest.verdict.kind).toBe("inconclusive");
    expect((await flowResults(db, { workspaceId, flowId: same, now: clock.now() })).abTests[0].verdict).toEqual({ kind: "no_difference" });
    expect((await flowResults(db, { workspaceId, flowId: manual, now: clock.now() })).abTests[0].verdict).toEqual({ kind: "winner", variant: "offer" });

    // WHEN the promotion phase runs with a fresh memory
    const promoted = await runWinnerPromotions({ db, clock, logger: silentLogger }, createPromotionSweepState());

    // THEN neither flow changes
    expect(promoted).toBe(0);
    expect(await db.auditEntry.count({ where: { workspaceId, subjectId: { in: [alike, same, manual] } } })).toBe(0);
    expect(await db.flowVersion.count({ where: { flowId: { in: [alike, same, manual] } } })).toBe(3);
  });

  it("lets the merchant promote by hand, recorded under their name, and refuses a second promotion", async () => {
    // GIVEN the decided split without autoPromote, and a draft the merchant is editing that still has the split
    const flow = await db.flow.findFirstOrThrow({ where: { workspaceId, name: "Manual only" } });
    const draft = { ...splitFlow({ autoPromote: false }), nodes: splitFlow({ autoPromote: false }).nodes.map((node) => (node.id === "email-plain" ? { ...node, subject: "Edited in the draft" } : node)) };
    await db.flow.update({ where: { id: flow.id }, data: { draftDefinition: draft } });
    clock.advance({ minutes: 5 });

    // WHEN the merchant promotes the winner
    const result = await promoteAbVariant({ db, clock }, { workspaceId, flowId: flow.id, nodeId: "split", variantId: "offer", actor: "merchant@example.com" });

    // THEN version 2 is live with the offer for everyone, the history names the merchant and the test's verdict
    expect(result.version).toBe(2);
    const live = await liveDefinition(flow.id);
    expect(live.version).toBe(2);
    expect(weights(live.definition)).toEqual({ plain: 0, offer: 1 });
    const [entry] = await flowHistory(db, { workspaceId, flowId: flow.id });
    expect(entry).toMatchObject({ actor: "merchant@example.com", action: "flow.ab_winner_promoted", at: clock.now().toISOString() });
    expect(entry.summary).toBe(result.summary);
    expect(entry.summary).toContain('merchant@example.com promoted variant "offer" of the A/B test "split"');
    expect(entry.summary).toContain('The test had declared "offer" the winner on revenue per recipient');
    // the draft follows (so publishing it later does not quietly restart the test) and keeps the merchant's edit
    const after = await db.flow.findUniqueOrThrow({ where: { id: flow.id } });
    const draftAfter = after.draftDefinition as { nodes: { id: string; subject?: string; variants?: { id: string; weight: number }[] }[] };
    expect(draftAfter.nodes.find((node) => node.id === "split")?.variants?.map((variant) => variant.weight)).toEqual([0, 1]);
    expect(draftAfter.nodes.find((node) => node.id === "email-plain")?.subject).toBe("Edited in the draft");
    const results = await flowResults(db, { workspaceId, flowId: flow.id, now: clock.now() });
    expect(results.promotions).toEqual([expect.objectContaining({ variant: "offer", version: 2, automatic: false, actor: "merchant@example.com" })]);

    // WHEN promoted again, or a variant that does not exist, or in another workspace's flow
    await expect(promoteAbVariant({ db, clock }, { workspaceId, flowId: flow.id, nodeId: "split", variantId: "plain", actor: "merchant@example.com" })).rejects.toThrow(
      new FlowError('A/B split "split" already sends everyone one variant'),
    );
    const { flowId: other } = await importFlow({ db, clock }, { workspaceId, name: "Other", definition: splitFlow({ autoPromote: false }), publish: true });
    await expect(promoteAbVariant({ db, clock }, { workspaceId, flowId: other, nodeId: "split", variantId: "nope", actor: "merchant@example.com" })).rejects.toThrow('A/B split "split" has no variant "nope"');
    await expect(promoteAbVariant({ db, clock }, { workspaceId, flowId: other, nodeId: "missing", variantId: "offer", actor: "merchant@example.com" })).rejects.toThrow('the live version has no A/B split "missing"');
    await expect(promoteAbVariant({ db, clock }, { workspaceId: "another-workspace", flowId: other, nodeId: "split", variantId: "offer", actor: "merchant@example.com" })).rejects.toThrow("flow not found");
    // THEN nothing more was written
    expect(await db.auditEntry.count({ where: { workspaceId, subjectId: { in: [flow.id, other] } } })).toBe(1);
    expect(await db.flowVersion.count({ where: { flowId: { in: [flow.id, other] } } })).toBe(3);
  });
});
