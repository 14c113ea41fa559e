// The demo workspace `npm start` seeds (with its history) includes a welcome series that has run for four weeks with
// a control group and an A/B split: its Results card, computed by the public core functions, shows attributed
// revenue, an incremental revenue estimate with a 95 % interval, and a decided A/B test (issue 9's "done when").
// SQLite, and PostgreSQL when DATABASE_URL points at one.
import { flowResults } from "~/core/analytics/flow-results.server";
import { flowKpis, lastDays } from "~/core/analytics/kpis.server";
import { inHoldout } from "~/core/flows/engine";
import { DEMO_RESULTS_FLOW_NAME } from "~/core/workspaces/demo-flow-results.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const NOW = new Date("2026-04-01T09:00:00Z");

describe.each(databaseTargets())("demo flow results on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let flowId: string;

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "demo-flow-results-test", now: NOW, history: true }));
    flowId = (await db.flow.findFirstOrThrow({ where: { workspaceId, name: DEMO_RESULTS_FLOW_NAME }, select: { id: true } })).id;
  }, 60_000);

  it("is a live flow whose control group was assigned by the sticky hash", async () => {
    const flow = await db.flow.findUniqueOrThrow({ where: { id: flowId } });
    expect(flow.status).toBe("live");
    const enrollments = await db.enrollment.findMany({ where: { flowId }, select: { customerId: true, holdout: true } });
    expect(enrollments.length).toBeGreaterThan(1000);
    for (const enrollment of enrollments) expect(enrollment.holdout).toBe(inHoldout({ percent: 20 }, { customerId: enrollment.customerId, flowId }));
    const held = enrollments.filter((enrollment) => enrollment.holdout).length / enrollments.length;
    expect(held).toBeGreaterThan(0.15);
    expect(held).toBeLessThan(0.25);
    // Control journeys were sent nothing; machine opens are among the provider events.
    expect(await db.message.count({ where: { flowId, enrollmentId: { in: (await db.enrollment.findMany({ where: { flowId, holdout: true }, select: { id: true } })).map((row) => row.id) } } })).toBe(0);
    expect(await db.messageEvent.count({ where: { workspaceId, type: "open", machineOpen: true } })).toBeGreaterThan(0);
  });

  it("shows attributed revenue, incremental revenue with its 95 % interval, and a decided A/B test", async () => {
    const results = await flowResults(db, { workspaceId, flowId, now: NOW });
    expect(results.kpis?.revenue[0]?.currency).toBe("USD");
    expect(results.kpis?.revenue[0]?.amount).toBeGreaterThan(0);
    const incremental = results.kpis?.incremental;
    expect(incremental?.control.customers).toBeGreaterThanOrEqual(30);
    const revenue = incremental?.incrementalRevenue;
    expect(revenue?.kind).toBe("estimate");
    if (revenue?.kind !== "estimate") throw new Error("no estimate");
    expect(revenue.low).toBeLessThan(revenue.value);
    expect(revenue.value).toBeLessThan(revenue.high);
    // The emails add revenue, and the interval says so (it excludes zero).
    expect(revenue.low).toBeGreaterThan(0);
    expect(results.abTests).toHaveLength(1);
    expect(results.abTests[0].verdict).toEqual({ kind: "winner", variant: "b" });
    // The workspace-wide report agrees with the flow page.
    const report = await flowKpis(db, { workspaceId, ...lastDays(NOW, 30) });
    expect(report.flows.find((flow) => flow.flowId === flowId)?.incremental).toEqual(incremental);
  });

  it("shows the lifetime-value effect for the sign-ups whose 90 days have passed", async () => {
    const { clv } = await flowResults(db, { workspaceId, flowId, now: NOW });
    expect(clv?.currency).toBe("USD");
    expect(clv?.control.customers).toBeGreaterThanOrEqual(30);
    expect(clv?.treatment.customers).toBeGreaterThan(clv?.control.customers ?? 0);
    expect(clv?.revenuePerCustomerLift.kind).toBe("estimate");
    expect(clv?.repeatPurchaseRateLift.kind).toBe("estimate");
    // The welcome adds revenue over 90 days, and more customers come back.
    if (clv?.revenuePerCustomerLift.kind !== "estimate") throw new Error("no estimate");
    expect(clv.revenuePerCustomerLift.low).toBeGreaterThan(0);
    expect(clv.treatment.repeatPurchaseRate.value ?? 0).toBeGreaterThan(clv.control.repeatPurchaseRate.value ?? 1);
  });

  it("seeds once: a second start leaves the flow and its journeys as they were", async () => {
    const before = await db.enrollment.count({ where: { workspaceId } });
    await seedDemoWorkspace(db, { password: "demo-flow-results-test", now: NOW, history: true });
    expect(await db.enrollment.count({ where: { workspaceId } })).toBe(before);
    expect(await db.flow.count({ where: { workspaceId, name: DEMO_RESULTS_FLOW_NAME } })).toBe(1);
  });
});
