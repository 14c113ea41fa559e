// Dashboards on crafted data with answers worked out by hand: the series per local day in a time zone with a DST
// change inside the range (America/New_York springs forward on 2026-03-08), the funnel of one flow with each kind
// of attrition, and the totals the series must add up to. SQLite, and PostgreSQL when DATABASE_URL points at one.
import { dashboardSeries, flowFunnel, seriesCsv, workspaceDashboard } from "~/core/analytics/dashboard.server";
import { resolveRange } from "~/core/analytics/dashboard";
import { flowKpis } from "~/core/analytics/kpis.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const ZONE = "America/New_York";
const RANGE = { range: "custom", from: "2026-03-07", to: "2026-03-09" } as const;

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const line of lines) text += line;
  return text;
}

describe.each(databaseTargets())("dashboards on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let flowA: string;
  let flowB: string;

  beforeAll(async () => {
    db = openDb(await createUrl());
    // GIVEN a workspace whose store keeps New York time, with two flows
    const workspace = await db.workspace.create({ data: { name: "Dashboards" } });
    workspaceId = workspace.id;
    const store = await db.store.create({ data: { workspaceId, platform: "demo", domain: "dash.example", name: "Dash", currency: "USD", timezone: ZONE } });
    const flow = async (name: string) => {
      const created = await db.flow.create({ data: { workspaceId, name, status: "live" } });
      const version = await db.flowVersion.create({ data: { workspaceId, flowId: created.id, version: 1, definition: {}, publishedAt: new Date("2026-03-01T00:00:00Z") } });
      return { id: created.id, versionId: version.id };
    };
    const a = await flow("Flow A");
    const b = await flow("Flow B");
    flowA = a.id;
    flowB = b.id;

    const journey = (id: string, enteredAt: string, extra: { holdout?: boolean; status?: string; exitReason?: string; currentNodeId?: string; flow?: typeof a } = {}) =>
      db.enrollment.create({
        data: {
          id,
          workspaceId,
          flowId: (extra.flow ?? a).id,
          flowVersionId: (extra.flow ?? a).versionId,
          customerId: `cust-${id}`,
          entityType: "customer",
          entityId: id,
          enteredAt: new Date(enteredAt),
          holdout: extra.holdout ?? false,
          status: extra.status ?? "active",
          exitReason: extra.exitReason ?? null,
          exitedAt: extra.status === "exited" ? new Date(enteredAt) : null,
          currentNodeId: extra.currentNodeId ?? null,
        },
      });
    await journey("eA", "2026-03-07T05:00:00Z", { status: "exited", exitReason: "goal: order placed" });
    await journey("eB", "2026-03-07T19:00:00Z", { status: "completed" });
    await journey("eD", "2026-03-08T11:00:00Z", { status: "completed" });
    await journey("eF", "2026-03-08T14:00:00Z", { status: "exited", exitReason: "reached an exit node" });
    await journey("eG", "2026-03-09T10:00:00Z");
    await journey("eH", "2026-03-08T10:00:00Z", { holdout: true, status: "completed" });
    await journey("eOld", "2026-03-07T04:59:59Z", { status: "completed" }); // Mar 6, 23:59:59 in New York
    await journey("eTimer", "2026-03-08T10:00:00Z", { currentNodeId: "#inactivity" });
    await journey("eLate", "2026-03-10T04:00:00Z"); // Mar 10, 00:00 EDT
    await journey("eC", "2026-03-09T04:00:00Z", { flow: b, status: "completed" });
    await db.stepRun.create({
      data: { workspaceId, enrollmentId: "eG", nodeId: "email-1", nodeType: "email", ranAt: new Date("2026-03-09T12:00:00Z"), result: { skipped: "message budget 2 per 24 h: still no room after 24 h" } },
    });

    const message = (id: string, createdAt: string, to: string, extra: { flowId?: string; enrollmentId?: string; status?: string; kind?: string } = {}) =>
      db.message.create({
        data: {
          id,
          workspaceId,
          storeId: store.id,
          flowId: extra.flowId ?? flowA,
          enrollmentId: extra.enrollmentId ?? null,
          nodeId: "email-1",
          kind: extra.kind ?? "marketing",
          toEmail: to,
          fromEmail: "shop@dash.example",
          subject: `Message ${id}`,
          html: "<p>hi</p>",
          text: "hi",
          status: extra.status ?? "sent",
          nextAttemptAt: new Date(createdAt),
          createdAt: new Date(createdAt),
          sentAt: extra.status === "suppressed" ? null : new Date(createdAt),
        },
      });
    let eventNumber = 0;
    const event = (messageId: string, type: string, occurredAt: string, machineOpen = false) =>
      db.messageEvent.create({ data: { workspaceId, messageId, type, occurredAt: new Date(occurredAt), provider: "sendgrid", providerEventId: `ev-${++eventNumber}`, machineOpen } });
    const order = (id: string, email: string, placedAt: string, totalPrice: number, currency = "USD") =>
      db.order.create({ data: { workspaceId, storeId: store.id, externalId: id, email, currency, totalPrice, lineItems: [], placedAt: new Date(placedAt) } });

    // Before the range (Mar 6, 23:59:59 local): clicked, never counted.
    await message("m1", "2026-03-07T04:59:59Z", "z@example.com", { enrollmentId: "eOld" });
    await event("m1", "click", "2026-03-07T06:00:00Z");
    // Mar 7 (local midnight is 05:00Z): a is delivered, opens, clicks and orders $50; b only has a machine open.
    await message("m2", "2026-03-07T05:00:00Z", "a@example.com", { enrollmentId: "eA" });
    await event("m2", "delivered", "2026-03-07T05:00:05Z");
    await event("m2", "open", "2026-03-07T05:30:00Z");
    await event("m2", "click", "2026-03-07T06:00:00Z");
    await order("o-a", "a@example.com", "2026-03-07T10:00:00Z", 5000);
    await message("m3", "2026-03-07T20:00:00Z", "b@example.com", { enrollmentId: "eB" });
    await event("m3", "delivered", "2026-03-07T20:00:05Z");
    await event("m3", "open", "2026-03-07T20:00:06Z", true);
    // 04:30Z on Mar 8 is 23:30 on Mar 7 in New York; the same recipient as m2 (addresses are normalized).
    await message("m4", "2026-03-08T04:30:00Z", " A@Example.com", { enrollmentId: "eA" });
    // Mar 8: d is suppressed (not sent); f is delivered, clicks, unsubscribes and orders in euros.
    await message("m6", "2026-03-08T12:00:00Z", "d@example.com", { enrollmentId: "eD", status: "suppressed" });
    await message("m9", "2026-03-08T15:00:00Z", "f@example.com", { enrollmentId: "eF" });
    await event("m9", "delivered", "2026-03-08T15:00:05Z");
    await event("m9", "click", "2026-03-08T15:10:00Z");
    await event("m9", "unsubscribe", "2026-03-08T15:20:00Z");
    await order("o-f", "f@example.com", "2026-03-08T16:00:00Z", 1000, "EUR");
    // 04:30Z on Mar 9 is 00:30 EDT on Mar 9 (a fixed UTC−5 would say Mar 8): flow B's c clicks and orders $20.
    await message("m5", "2026-03-09T04:30:00Z", "c@example.com", { flowId: flowB, enrollmentId: "eC" });
    await event("m5", "click", "2026-03-09T05:00:00Z");
    await order("o-c", "c@example.com", "2026-03-09T12:00:00Z", 2000);
    // A test send and a message after the range count nowhere.
    await message("m7", "2026-03-09T15:00:00Z", "e@example.com", { kind: "test" });
    await event("m7", "click", "2026-03-09T15:01:00Z");
    await message("m8", "2026-03-10T04:00:00Z", "h@example.com", { enrollmentId: "eLate" });
  });

  it("buckets the range by local midnight across the DST change", () => {
    const range = resolveRange(RANGE, { now: new Date("2026-03-20T00:00:00Z"), timeZone: ZONE });
    expect(range.granularity).toBe("day");
    expect(range.buckets.map((bucket) => [bucket.date, bucket.from.toISOString(), bucket.to.toISOString()])).toEqual([
      ["2026-03-07", "2026-03-07T05:00:00.000Z", "2026-03-08T05:00:00.000Z"],
      ["2026-03-08", "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"], // a 23-hour day
      ["2026-03-09", "2026-03-09T04:00:00.000Z", "2026-03-10T04:00:00.000Z"],
    ]);
  });

  it("counts each local day's emails and what they earned", async () => {
    const range = resolveRange(RANGE, { now: new Date("2026-03-20T00:00:00Z"), timeZone: ZONE });
    const series = await dashboardSeries(db, { workspaceId, range });
    expect(series.currency).toBe("USD");
    expect(series.otherCurrencyOrders).toBe(1);
    const rows = series.points.map((point) => [point.date, point.emailsSent, point.recipients, point.delivered, point.opened, point.clicked, point.conversions, point.convertedRecipients, point.revenue]);
    expect(rows).toEqual([
      ["2026-03-07", 3, 2, 2, 1, 1, 1, 1, 5000],
      ["2026-03-08", 1, 1, 1, 0, 1, 1, 1, 0],
      ["2026-03-09", 1, 1, 1, 0, 1, 1, 1, 2000],
    ]);
    expect(series.points[0].openRate).toEqual({ count: 1, of: 2, value: 0.5 });
    expect(series.points[0].conversionRate).toEqual({ count: 1, of: 2, value: 0.5 });

    // One flow's series holds only its own emails.
    const onlyB = await dashboardSeries(db, { workspaceId, range, flowId: flowB });
    expect(onlyB.points.map((point) => [point.emailsSent, point.conversions, point.revenue])).toEqual([[0, 0, 0], [0, 0, 0], [1, 1, 2000]]);

    // The CSV says the same, a line per day.
    expect((await collect(seriesCsv(series))).split("\n")).toEqual([
      "date,granularity,emails_sent,recipients,delivered,human_opens,clicks,conversions,converted_recipients,revenue_usd,open_rate,click_rate,conversion_rate",
      "2026-03-07,day,3,2,2,1,1,1,1,50.00,0.5000,0.5000,0.5000",
      "2026-03-08,day,1,1,1,0,1,1,1,0.00,0.0000,1.0000,1.0000",
      "2026-03-09,day,1,1,1,0,1,1,1,20.00,0.0000,1.0000,1.0000",
      "",
    ]);
  });

  it("adds up to the range's totals (the seed's KPIs)", async () => {
    const dashboard = await workspaceDashboard(db, { workspaceId, range: RANGE, now: new Date("2026-03-20T00:00:00Z") });
    const { totals, series } = dashboard;
    expect(totals.emailsSent).toBe(5);
    expect(totals.recipients).toBe(4);
    expect(totals.suppressed).toBe(1);
    expect(totals.conversions).toBe(3);
    expect(totals.revenue).toEqual([{ currency: "USD", amount: 7000 }, { currency: "EUR", amount: 1000 }]);
    expect(totals.openRate).toEqual({ count: 1, of: 4, value: 0.25 });
    expect(totals.clickRate).toEqual({ count: 3, of: 4, value: 0.75 });
    expect(totals.unsubscribeRate).toEqual({ count: 1, of: 4, value: 0.25 });
    expect(totals.conversionRate).toEqual({ count: 3, of: 4, value: 0.75 });
    expect(totals.averageOrderValue).toEqual([{ currency: "USD", amount: 3500 }, { currency: "EUR", amount: 1000 }]);
    expect(totals.revenuePerRecipient).toEqual([{ currency: "USD", amount: 1750 }, { currency: "EUR", amount: 250 }]);
    // The series adds up to the totals: emails, conversions and revenue in its currency.
    const sum = (pick: (point: (typeof series.points)[number]) => number) => series.points.reduce((total, point) => total + pick(point), 0);
    expect(sum((point) => point.emailsSent)).toBe(totals.emailsSent);
    expect(sum((point) => point.conversions)).toBe(totals.conversions);
    expect(sum((point) => point.revenue)).toBe(7000);
    // Flow A earned most and comes first.
    expect(dashboard.topFlows.map((flow) => [flow.name, flow.emailsSent, flow.revenue])).toEqual([
      ["Flow A", 4, [{ currency: "USD", amount: 5000 }, { currency: "EUR", amount: 1000 }]],
      ["Flow B", 1, [{ currency: "USD", amount: 2000 }]],
    ]);
    // The totals are flowKpis' over the same instants.
    const kpis = await flowKpis(db, { workspaceId, from: dashboard.range.from, to: dashboard.range.to });
    expect(kpis.totals).toEqual(totals);
  });

  it("follows one flow's journeys from entry to conversion, with attrition", async () => {
    const range = resolveRange(RANGE, { now: new Date("2026-03-20T00:00:00Z"), timeZone: ZONE });
    const funnel = await flowFunnel(db, { workspaceId, flowId: flowA, range });
    expect(funnel).toEqual({
      entered: 5,
      sent: 3,
      delivered: 3,
      opened: 1,
      clicked: 2,
      converted: 2,
      controlGroup: 1,
      attrition: { unsubscribed: 1, suppressed: 1, budgetExpired: 1, exited: 1 },
      outcome: { active: 1, reachedGoal: 1, completed: 2, exited: 1 },
    });
    // A range that starts a day later leaves out Mar 7's journeys.
    const later = resolveRange({ range: "custom", from: "2026-03-08", to: "2026-03-09" }, { now: new Date("2026-03-20T00:00:00Z"), timeZone: ZONE });
    const trimmed = await flowFunnel(db, { workspaceId, flowId: flowA, range: later });
    expect([trimmed.entered, trimmed.sent, trimmed.converted]).toEqual([3, 1, 1]);
  });
});
