// The segment engine on real databases: every rule operator and window against hand-computed expectations (full
// and incremental evaluation must agree), the built-ins, incremental == full over random event streams through the
// inbox, time-relative rules moving at the right simulated instant, silent baselines, segment events, explanations
// and invalid rules.
import { ManualClock } from "~/core/clock";
import { SegmentChangeData, type CanonicalEvent } from "~/core/events";
import { publishFlow } from "~/core/flows/manage.server";
import { segmentFlowDefinition, segmentFlowName } from "~/core/flows/segment-trigger.server";
import { createInboxProcessor } from "~/core/ingest/process.server";
import { createLogger } from "~/core/logger.server";
import { redactCustomer } from "~/core/privacy/privacy.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import {
  createSegment,
  customerSegments,
  ensureBuiltinSegments,
  explainMembership,
  listSegments,
  previewSegment,
  reevaluateCustomers,
  recomputeSegment,
  runSegmentMaintenance,
  segmentCsv,
  segmentMembers,
  updateSegment,
} from "~/core/segments/segments.server";
import type { SegmentRule } from "~/core/segments/rules";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);
const logger = createLogger({ level: "silent" });

type Name = "ann" | "bob" | "cyd" | "dee" | "eve";

interface Fixture {
  workspaceId: string;
  storeA: string;
  storeB: string;
  ids: Record<Name, string>;
  names: Map<string, Name>;
}

async function addOrder(db: Db, f: { workspaceId: string; storeId: string; customerId: string }, input: { at: Date; total: number; cancelled?: boolean; lines?: { productId: string; category: string }[] }) {
  const order = await db.order.create({
    data: {
      workspaceId: f.workspaceId,
      storeId: f.storeId,
      externalId: `o-${Math.random().toString(36).slice(2)}`,
      customerId: f.customerId,
      currency: "USD",
      totalPrice: input.total,
      lineItems: [],
      placedAt: input.at,
      cancelledAt: input.cancelled ? input.at : null,
    },
  });
  for (const [position, line] of (input.lines ?? []).entries()) {
    await db.orderLine.create({ data: { workspaceId: f.workspaceId, orderId: order.id, position, productId: line.productId, category: line.category, title: line.productId, quantity: 1, price: input.total } });
  }
}

/** Customer metrics from the orders, as profiles keep them. */
async function refreshMetrics(db: Db, workspaceId: string, customerId: string) {
  const orders = await db.order.findMany({ where: { workspaceId, customerId, cancelledAt: null }, orderBy: { placedAt: "asc" } });
  await db.customer.update({
    where: { id: customerId },
    data: {
      ordersCount: orders.length,
      totalSpent: orders.reduce((sum, order) => sum + order.totalPrice, 0),
      currency: orders.length ? "USD" : null,
      firstOrderAt: orders[0]?.placedAt ?? null,
      lastOrderAt: orders.at(-1)?.placedAt ?? null,
    },
  });
}

/**
 * Five customers with hand-picked facts (now = 2026-06-15 12:00 UTC, store in New York):
 * ann  gmail, US/NY/Brooklyn, tag vip, consent, store A, created 500 d ago; 7 orders (300…10 d ago), $612.00, p-tea 10 d ago
 * bob  example.com, CA/ON/Toronto, no consent, store B, created 200 d ago; 1 order 100 d ago $40 (p-mug, Mugs); a machine open
 * cyd  gmail, tag Wholesale, consent, store A, created 30 d ago; orders $30 on 2026-06-01T02:00Z (May 31 in NY), 10 d, 5 d ago; a cancelled $500
 * dee  no email, created 400 d ago; no orders; a cart with items idle 3 h; churn 0.8, CLV $120
 * eve  example.com, consent, store B, created 600 d ago; 4 orders (300, 200, 150, 95 d ago) $100 each; checkout idle 2 h;
 *      a message 2 d ago opened by a person 1 d ago; CLV $500, 2.5 expected orders, next order in 5 d
 */
async function buildFixture(db: Db): Promise<Fixture> {
  const workspace = await db.workspace.create({ data: { name: "Segments" } });
  const workspaceId = workspace.id;
  const storeA = (await db.store.create({ data: { workspaceId, platform: "demo", domain: `a-${workspaceId}`, name: "Store A", currency: "USD", timezone: "America/New_York", createdAt: ago(1000) } })).id;
  const storeB = (await db.store.create({ data: { workspaceId, platform: "demo", domain: `b-${workspaceId}`, name: "Store B", currency: "EUR", timezone: "UTC", createdAt: ago(10) } })).id;
  const make = (data: { email: string | null; country?: string; region?: string; city?: string; acceptsMarketing: boolean; originStoreId?: string; createdAt: Date }) =>
    db.customer.create({ data: { workspaceId, ...data } }).then((customer) => customer.id);
  const ids: Record<Name, string> = {
    ann: await make({ email: "ann@gmail.com", country: "US", region: "NY", city: "Brooklyn", acceptsMarketing: true, originStoreId: storeA, createdAt: ago(500) }),
    bob: await make({ email: "bob@example.com", country: "CA", region: "ON", city: "Toronto", acceptsMarketing: false, originStoreId: storeB, createdAt: ago(200) }),
    cyd: await make({ email: "cyd@gmail.com", acceptsMarketing: true, originStoreId: storeA, createdAt: ago(30) }),
    dee: await make({ email: null, acceptsMarketing: false, createdAt: ago(400) }),
    eve: await make({ email: "eve@example.com", acceptsMarketing: true, originStoreId: storeB, createdAt: ago(600) }),
  };
  const at = (name: Name) => ({ workspaceId, storeId: storeA, customerId: ids[name] });
  for (const days of [300, 250, 200, 150, 100, 50]) await addOrder(db, at("ann"), { at: ago(days), total: 8700 });
  await addOrder(db, at("ann"), { at: ago(10), total: 9000, lines: [{ productId: "p-tea", category: "Tea" }] });
  await addOrder(db, at("bob"), { at: ago(100), total: 4000, lines: [{ productId: "p-mug", category: "Mugs" }] });
  await addOrder(db, at("cyd"), { at: new Date("2026-06-01T02:00:00.000Z"), total: 3000 });
  await addOrder(db, at("cyd"), { at: ago(10), total: 3000 });
  await addOrder(db, at("cyd"), { at: ago(5), total: 3000 });
  await addOrder(db, at("cyd"), { at: ago(2), total: 50000, cancelled: true });
  for (const days of [300, 200, 150, 95]) await addOrder(db, at("eve"), { at: ago(days), total: 10000 });
  for (const name of Object.keys(ids) as Name[]) await refreshMetrics(db, workspaceId, ids[name]);

  await db.customerTag.create({ data: { workspaceId, customerId: ids.ann, tag: "vip" } });
  await db.customerTag.create({ data: { workspaceId, customerId: ids.cyd, tag: "wholesale" } });
  await db.cart.create({
    data: { workspaceId, storeId: storeA, token: "cart-dee", customerId: ids.dee, currency: "USD", totalPrice: 1500, lineItems: [{ title: "Tea" }], lastActivityAt: new Date(NOW.getTime() - 3 * 3_600_000) },
  });
  await db.checkout.create({
    data: { workspaceId, storeId: storeB, token: "co-eve", customerId: ids.eve, email: "eve@example.com", currency: "USD", totalPrice: 2000, subtotalPrice: 2000, lineItems: [], lastActivityAt: new Date(NOW.getTime() - 2 * 3_600_000) },
  });
  const message = (id: string, customerId: string, createdAt: Date, status: string) =>
    db.message.create({ data: { id, workspaceId, customerId, toEmail: "x@example.com", fromEmail: "shop@example.com", subject: "Hi", html: "", text: "", status, nextAttemptAt: createdAt, createdAt } });
  await message(`m-eve-${workspaceId}`, ids.eve, ago(2), "sent");
  await message(`m-bob-${workspaceId}`, ids.bob, ago(40), "outbox");
  await db.messageEvent.create({ data: { workspaceId, messageId: `m-eve-${workspaceId}`, type: "open", occurredAt: ago(1), provider: "sendgrid", providerEventId: `e1-${workspaceId}` } });
  await db.messageEvent.create({ data: { workspaceId, messageId: `m-bob-${workspaceId}`, type: "open", occurredAt: ago(1), provider: "sendgrid", providerEventId: `e2-${workspaceId}`, machineOpen: true } });
  const prediction = { churnLow: 0, churnHigh: 1, clvLow: 0, clvHigh: 0, currency: "USD", computedAt: NOW };
  await db.customerPrediction.create({ data: { ...prediction, workspaceId, customerId: ids.dee, churnProbability: 0.8, clv12m: 12000, expectedOrders12m: 0.4, nextOrderAt: null } });
  await db.customerPrediction.create({ data: { ...prediction, workspaceId, customerId: ids.eve, churnProbability: 0.3, clv12m: 50000, expectedOrders12m: 2.5, nextOrderAt: new Date(NOW.getTime() + 5 * DAY) } });
  return { workspaceId, storeA, storeB, ids, names: new Map(Object.entries(ids).map(([name, id]) => [id, name as Name])) };
}

/** segment.entered / segment.exited Event rows of one segment, oldest first (JSON filters differ by database: filtered here). */
async function segmentEventsIn(db: Db, workspaceId: string, segmentId: string) {
  const rows = await db.event.findMany({ where: { workspaceId, type: { in: ["segment.entered", "segment.exited"] } }, orderBy: [{ occurredAt: "asc" }, { type: "asc" }] });
  return rows.flatMap((row) => {
    const data = SegmentChangeData.parse(row.data);
    return data.segment.id === segmentId ? [{ type: row.type, customerId: row.customerId, occurredAt: row.occurredAt, data }] : [];
  });
}

const rule = (...conditions: unknown[]): SegmentRule => ({ kind: "group", match: "all", conditions }) as SegmentRule;

describe.each(databaseTargets())("segments on %s", (_name, createUrl) => {
  let db: Db;
  let f: Fixture;
  const segmentEvents = (workspaceId: string, segmentId: string) => segmentEventsIn(db, workspaceId, segmentId);

  beforeAll(async () => {
    db = openDb(await createUrl());
    f = await buildFixture(db);
  });

  async function membersOf(segmentId: string): Promise<Name[]> {
    const rows = await db.segmentMembership.findMany({ where: { segmentId } });
    return rows.map((row) => f.names.get(row.customerId) ?? ("?" as Name)).sort();
  }

  async function segmentFor(ruleValue: unknown): Promise<string> {
    const result = await createSegment(db, { workspaceId: f.workspaceId, name: `rule ${Math.random()}`, rule: ruleValue, now: NOW });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.segment.id;
  }

  const cases: [string, () => unknown, Name[]][] = [
    ["email domain is", () => rule({ kind: "email_domain", op: "is", value: "gmail.com" }), ["ann", "cyd"]],
    ["email domain is not", () => rule({ kind: "email_domain", op: "is_not", value: "GMAIL.com" }), ["bob", "dee", "eve"]],
    ["country is (case ignored)", () => rule({ kind: "location", field: "country", op: "is", values: ["us"] }), ["ann"]],
    ["region with country prefix", () => rule({ kind: "location", field: "region", op: "is", values: ["CA-ON"] }), ["bob"]],
    ["city is not", () => rule({ kind: "location", field: "city", op: "is_not", values: ["brooklyn"] }), ["bob", "cyd", "dee", "eve"]],
    ["tag has (case ignored)", () => rule({ kind: "tag", op: "has", value: "WHOLESALE" }), ["cyd"]],
    ["tag has not", () => rule({ kind: "tag", op: "has_not", value: "vip" }), ["bob", "cyd", "dee", "eve"]],
    ["consent yes", () => rule({ kind: "consent", acceptsMarketing: true }), ["ann", "cyd", "eve"]],
    ["consent no", () => rule({ kind: "consent", acceptsMarketing: false }), ["bob", "dee"]],
    ["orders count gt", () => rule({ kind: "metric", metric: "orders_count", op: "gt", value: 5 }), ["ann"]],
    ["orders count eq 0", () => rule({ kind: "metric", metric: "orders_count", op: "eq", value: 0 }), ["dee"]],
    ["orders count neq", () => rule({ kind: "metric", metric: "orders_count", op: "neq", value: 1 }), ["ann", "cyd", "dee", "eve"]],
    ["orders count lt fraction", () => rule({ kind: "metric", metric: "orders_count", op: "lt", value: 3.5 }), ["bob", "cyd", "dee"]],
    ["total spent gt (major units)", () => rule({ kind: "metric", metric: "total_spent", op: "gt", value: 500 }), ["ann"]],
    ["total spent gte", () => rule({ kind: "metric", metric: "total_spent", op: "gte", value: 90 }), ["ann", "cyd", "eve"]],
    ["total spent lte", () => rule({ kind: "metric", metric: "total_spent", op: "lte", value: 40 }), ["bob", "dee"]],
    ["average order gte, to the cent", () => rule({ kind: "metric", metric: "average_order_value", op: "gte", value: 87.42 }), ["ann", "eve"]],
    ["average order gte, one cent more", () => rule({ kind: "metric", metric: "average_order_value", op: "gte", value: 87.43 }), ["eve"]],
    ["days since last order gte", () => rule({ kind: "metric", metric: "days_since_last_order", op: "gte", value: 90 }), ["bob", "eve"]],
    ["days since last order lt", () => rule({ kind: "metric", metric: "days_since_last_order", op: "lt", value: 10 }), ["cyd"]],
    ["days since last order eq", () => rule({ kind: "metric", metric: "days_since_last_order", op: "eq", value: 10 }), ["ann"]],
    ["days since first order lte", () => rule({ kind: "metric", metric: "days_since_first_order", op: "lte", value: 14 }), ["cyd"]],
    ["days since created gte (boundary day included)", () => rule({ kind: "metric", metric: "days_since_created", op: "gte", value: 400 }), ["ann", "dee", "eve"]],
    ["created before a date", () => rule({ kind: "date", field: "created_at", op: "before", date: "2025-06-01" }), ["ann", "dee", "eve"]],
    ["first order on or after, store time zone", () => rule({ kind: "date", field: "first_order_at", op: "on_or_after", date: "2026-05-31" }), ["cyd"]],
    ["first order on or after, next day", () => rule({ kind: "date", field: "first_order_at", op: "on_or_after", date: "2026-06-01" }), []],
    ["3+ orders in 30 days (cancelled excluded)", () => rule({ kind: "orders_in_window", measure: "count", window: { days: 30 }, op: "gte", value: 3 }), ["cyd"]],
    ["orders this month in New York", () => rule({ kind: "orders_in_window", measure: "count", window: { calendar: "this_month" }, op: "eq", value: 2 }), ["cyd"]],
    ["no orders in 30 days", () => rule({ kind: "orders_in_window", measure: "count", window: { days: 30 }, op: "lt", value: 1 }), ["bob", "dee", "eve"]],
    ["spend in 30 days gt", () => rule({ kind: "orders_in_window", measure: "spend", window: { days: 30 }, op: "gt", value: 50 }), ["ann", "cyd"]],
    ["spend this year lte 0", () => rule({ kind: "orders_in_window", measure: "spend", window: { calendar: "this_year" }, op: "lte", value: 0 }), ["dee"]],
    ["bought a product", () => rule({ kind: "bought", op: "has", productId: "p-tea" }), ["ann"]],
    ["bought a category within 90 days", () => rule({ kind: "bought", op: "has", category: "Mugs", window: { days: 90 } }), []],
    ["never bought a category", () => rule({ kind: "bought", op: "has_not", category: "Mugs" }), ["ann", "cyd", "dee", "eve"]],
    ["open cart", () => rule({ kind: "cart_state", state: "open_cart", op: "has" }), ["dee"]],
    ["open cart idle 4 h", () => rule({ kind: "cart_state", state: "open_cart", op: "has", idleHours: 4 }), []],
    ["abandoned checkout", () => rule({ kind: "cart_state", state: "abandoned_checkout", op: "has" }), ["eve"]],
    ["abandoned checkout idle 3 h", () => rule({ kind: "cart_state", state: "abandoned_checkout", op: "has", idleHours: 3 }), []],
    ["received in 7 days", () => rule({ kind: "engagement", action: "received", op: "has", days: 7 }), ["eve"]],
    ["received in 60 days", () => rule({ kind: "engagement", action: "received", op: "has", days: 60 }), ["bob", "eve"]],
    ["opened (machine opens excluded)", () => rule({ kind: "engagement", action: "opened", op: "has", days: 7 }), ["eve"]],
    ["not clicked", () => rule({ kind: "engagement", action: "clicked", op: "has_not", days: 30 }), ["ann", "bob", "cyd", "dee", "eve"]],
    ["store is", () => rule({ kind: "store", op: "is", storeIds: [f.storeA] }), ["ann", "cyd"]],
    ["store is not", () => rule({ kind: "store", op: "is_not", storeIds: [f.storeA] }), ["bob", "dee", "eve"]],
    ["churn gt", () => rule({ kind: "prediction", measure: "churn_probability", op: "gt", value: 0.7 }), ["dee"]],
    ["clv gte (major units)", () => rule({ kind: "prediction", measure: "clv_12m", op: "gte", value: 100 }), ["dee", "eve"]],
    ["expected orders gt", () => rule({ kind: "prediction", measure: "expected_orders_12m", op: "gt", value: 1 }), ["eve"]],
    ["next order within 7 days", () => rule({ kind: "prediction", measure: "days_until_next_order", op: "lte", value: 7 }), ["eve"]],
    [
      "nested any inside all",
      () => rule({ kind: "consent", acceptsMarketing: true }, { kind: "group", match: "any", conditions: [{ kind: "tag", op: "has", value: "wholesale" }, { kind: "metric", metric: "orders_count", op: "gt", value: 5 }] }),
      ["ann", "cyd"],
    ],
  ];

  it.each(cases)("%s", async (_label, makeRule, expected) => {
    // GIVEN the fixture WHEN a segment is created (full, set-based evaluation)
    const ruleValue = makeRule();
    const segmentId = await segmentFor(ruleValue);
    // THEN its members are the hand-computed ones, and the live count agrees
    expect(await membersOf(segmentId)).toEqual(expected);
    const preview = await previewSegment(db, { workspaceId: f.workspaceId, rule: ruleValue, now: NOW, sampleSize: 10 });
    expect(preview.ok && { count: preview.count, total: preview.total }).toEqual({ count: expected.length, total: 5 });
    // AND incremental evaluation (per customer) finds nothing to change
    const changes = await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId: f.workspaceId, customerIds: Object.values(f.ids), now: NOW, cause: "event" }));
    expect(changes.filter((change) => change.segmentId === segmentId)).toEqual([]);
  });

  it("creates the four built-ins once, with the seed's members", async () => {
    await ensureBuiltinSegments(db, { workspaceId: f.workspaceId, now: NOW });
    await ensureBuiltinSegments(db, { workspaceId: f.workspaceId, now: NOW });
    const builtins = await db.segment.findMany({ where: { workspaceId: f.workspaceId, builtin: { not: null } } });
    expect(builtins.map((segment) => segment.builtin).sort()).toEqual(["at_risk", "one_time_buyers", "potential_advocates", "vips"]);
    const byBuiltin = Object.fromEntries(await Promise.all(builtins.map(async (segment) => [segment.builtin, await membersOf(segment.id)])));
    expect(byBuiltin).toEqual({ vips: ["ann"], at_risk: ["eve"], potential_advocates: ["cyd"], one_time_buyers: ["bob"] });
    expect(builtins.find((segment) => segment.builtin === "vips")?.memberCount).toBe(1);
  });

  it("explains membership in one line from the customer's values", async () => {
    await ensureBuiltinSegments(db, { workspaceId: f.workspaceId, now: NOW });
    const vips = await db.segment.findFirstOrThrow({ where: { workspaceId: f.workspaceId, builtin: "vips" } });
    expect(await explainMembership(db, { workspaceId: f.workspaceId, segmentId: vips.id, customerId: f.ids.ann, now: NOW })).toBe(
      "Spent $612.00 (over $500.00) and 7 orders (more than 5)",
    );
    expect(await explainMembership(db, { workspaceId: f.workspaceId, segmentId: vips.id, customerId: f.ids.bob, now: NOW })).toBeNull();
    const atRisk = await db.segment.findFirstOrThrow({ where: { workspaceId: f.workspaceId, builtin: "at_risk" } });
    expect(await explainMembership(db, { workspaceId: f.workspaceId, segmentId: atRisk.id, customerId: f.ids.eve, now: NOW })).toBe(
      "4 orders (at least 3) and last order 95 days ago (at least 90 days)",
    );
    const advocates = await db.segment.findFirstOrThrow({ where: { workspaceId: f.workspaceId, builtin: "potential_advocates" } });
    expect(await explainMembership(db, { workspaceId: f.workspaceId, segmentId: advocates.id, customerId: f.ids.cyd, now: NOW })).toBe(
      "3 orders in the last 30 days (at least 3)",
    );
    const mine = await customerSegments(db, { workspaceId: f.workspaceId, customerId: f.ids.ann, now: NOW });
    expect(mine.find((row) => row.builtin === "vips")?.why).toMatch(/^Spent \$612\.00/);
  });

  it("refers to other segments, evaluated after them", async () => {
    await ensureBuiltinSegments(db, { workspaceId: f.workspaceId, now: NOW });
    const vips = await db.segment.findFirstOrThrow({ where: { workspaceId: f.workspaceId, builtin: "vips" } });
    const notVip = await segmentFor(rule({ kind: "segment", op: "not_in", segmentId: vips.id }, { kind: "consent", acceptsMarketing: true }));
    expect(await membersOf(notVip)).toEqual(["cyd", "eve"]);
    // WHEN cyd becomes a VIP through an order and is re-evaluated incrementally
    await addOrder(db, { workspaceId: f.workspaceId, storeId: f.storeA, customerId: f.ids.cyd }, { at: ago(1), total: 60000 });
    await refreshMetrics(db, f.workspaceId, f.ids.cyd);
    const changes = await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId: f.workspaceId, customerIds: [f.ids.cyd], now: NOW, cause: "event" }));
    // THEN she enters VIPs and, in the same pass, leaves the segment that excludes VIPs
    expect(changes).toEqual(expect.arrayContaining([{ segmentId: vips.id, customerId: f.ids.cyd, change: "entered" }, { segmentId: notVip, customerId: f.ids.cyd, change: "exited" }]));
    expect(await membersOf(notVip)).toEqual(["eve"]);
    const events = await segmentEvents(f.workspaceId, vips.id);
    expect(events.map((event) => [event.type, event.customerId, event.data])).toEqual([
      ["segment.entered", f.ids.cyd, { segment: { id: vips.id, name: "VIPs" }, why: "Spent $690.00 (over $500.00)", cause: "event" }],
    ]);
    expect((await segmentEvents(f.workspaceId, notVip)).map((event) => [event.type, event.customerId])).toEqual([["segment.exited", f.ids.cyd]]);
    expect((await db.segment.findUniqueOrThrow({ where: { id: vips.id } })).memberCount).toBe(2);
  });

  it("rejects invalid rules with precise problems, cycles included", async () => {
    const bad = await createSegment(db, { workspaceId: f.workspaceId, name: "", rule: rule({ kind: "metric", metric: "orders_count", op: "gt", value: -1 }, { kind: "store", op: "is", storeIds: ["nope"] }), now: NOW });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems).toEqual(expect.arrayContaining([{ path: "name", message: "name the segment" }, { path: "rule.conditions[0].value", message: "must be 0 or more" }]));
    const unknown = await createSegment(db, { workspaceId: f.workspaceId, name: "x", rule: rule({ kind: "store", op: "is", storeIds: [f.storeA, "nope"] }, { kind: "segment", op: "in", segmentId: "missing" }), now: NOW });
    expect(!unknown.ok && unknown.problems).toEqual([
      { path: "rule.conditions[0].storeIds[1]", message: "no such store in this workspace" },
      { path: "rule.conditions[1].segmentId", message: "no such segment in this workspace" },
    ]);
    const a = await segmentFor(rule({ kind: "consent", acceptsMarketing: true }));
    const b = await segmentFor(rule({ kind: "segment", op: "in", segmentId: a }));
    const cycle = await updateSegment(db, { workspaceId: f.workspaceId, segmentId: a, rule: rule({ kind: "segment", op: "in", segmentId: b }), now: NOW });
    expect(!cycle.ok && cycle.problems).toEqual([{ path: "rule.conditions[0].segmentId", message: expect.stringContaining("a cycle") }]);
    const self = await updateSegment(db, { workspaceId: f.workspaceId, segmentId: a, rule: rule({ kind: "segment", op: "in", segmentId: a }), now: NOW });
    expect(!self.ok && self.problems).toEqual([{ path: "rule.conditions[0].segmentId", message: "a segment cannot refer to itself" }]);
  });

  it("computes a new or edited rule's baseline silently", async () => {
    const before = await db.event.count({ where: { workspaceId: f.workspaceId, type: { startsWith: "segment." } } });
    const created = await createSegment(db, { workspaceId: f.workspaceId, name: "Gmail", rule: rule({ kind: "email_domain", op: "is", value: "gmail.com" }), now: NOW });
    expect(created.ok && created.segment.memberCount).toBe(2);
    if (!created.ok) return;
    const edited = await updateSegment(db, { workspaceId: f.workspaceId, segmentId: created.segment.id, rule: rule({ kind: "email_domain", op: "is", value: "example.com" }), now: NOW });
    expect(edited.ok && edited.segment.memberCount).toBe(2);
    expect(await membersOf(created.segment.id)).toEqual(["bob", "eve"]);
    expect(await db.event.count({ where: { workspaceId: f.workspaceId, type: { startsWith: "segment." } } })).toBe(before);
    // Lists, members, CSV
    const list = await listSegments(db, { workspaceId: f.workspaceId, now: NOW });
    expect(list.find((segment) => segment.id === created.segment.id)?.trend.at(-1)).toEqual({ day: "2026-06-15", members: 2 });
    const page = await segmentMembers(db, { workspaceId: f.workspaceId, segmentId: created.segment.id, take: 1 });
    expect(page.members).toHaveLength(1);
    expect(page.nextCursor).toBe(page.members[0].customerId);
    let csv = "";
    for await (const line of segmentCsv(db, { workspaceId: f.workspaceId, segmentId: created.segment.id })) csv += line;
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(3);
    expect(csv).toContain("eve@example.com,,,4,400.00,USD,");
  });

  it("repairs drift in a full recompute, with events", async () => {
    const segmentId = await segmentFor(rule({ kind: "consent", acceptsMarketing: false }));
    // Drift: a change nobody re-evaluated
    await db.customer.update({ where: { id: f.ids.ann }, data: { acceptsMarketing: false } });
    await db.segmentMembership.delete({ where: { segmentId_customerId: { segmentId, customerId: f.ids.bob } } });
    const result = await recomputeSegment(db, { workspaceId: f.workspaceId, segmentId, now: NOW });
    expect(result).toEqual({ entered: 2, exited: 0, members: 3 });
    const events = (await segmentEvents(f.workspaceId, segmentId)).filter((event) => event.type === "segment.entered");
    expect(events.map((event) => f.names.get(event.customerId ?? "")).sort()).toEqual(["ann", "bob"]);
    await db.customer.update({ where: { id: f.ids.ann }, data: { acceptsMarketing: true } });
  });

  it("never takes an erased customer in again, though their totals still match the rule", async () => {
    // GIVEN two big spenders in a "spent over $500" segment (a workspace of their own: the fixture's totals stay 5)
    const workspaceId = (await db.workspace.create({ data: { name: "Erasure" } })).id;
    await db.store.create({ data: { workspaceId, platform: "demo", domain: `erasure-${workspaceId}`, name: "Store", currency: "USD", timezone: "UTC" } });
    const spender = (email: string) =>
      db.customer.create({ data: { workspaceId, email, ordersCount: 3, totalSpent: 90000, currency: "USD", firstOrderAt: ago(60), lastOrderAt: ago(5), createdAt: ago(90) } }).then((customer) => customer.id);
    const kept = await spender("kept@example.com");
    const erased = await spender("erased@example.com");
    const spenders = rule({ kind: "metric", metric: "total_spent", op: "gt", value: 500 });
    const created = await createSegment(db, { workspaceId, name: "Spenders", rule: spenders, now: NOW });
    if (!created.ok) throw new Error(JSON.stringify(created.problems));
    const members = async (segmentId: string) => (await db.segmentMembership.findMany({ where: { segmentId } })).map((row) => row.customerId).sort();
    expect(await members(created.segment.id)).toEqual([kept, erased].sort());

    // WHEN one of them is erased (a privacy redaction: the profile stays, anonymised, with its totals)
    await db.$transaction((tx) => redactCustomer(tx, { workspaceId, email: "erased@example.com", now: NOW }));
    const anonymised = await db.customer.findUniqueOrThrow({ where: { id: erased } });
    expect({ email: anonymised.email, totalSpent: anonymised.totalSpent, redactedAt: anonymised.redactedAt }).toEqual({ email: null, totalSpent: 90000, redactedAt: NOW });

    // THEN the full recompute (drift repair) does not put them back, nor does incremental evaluation or a new baseline
    expect(await recomputeSegment(db, { workspaceId, segmentId: created.segment.id, now: NOW })).toEqual({ entered: 0, exited: 0, members: 1 });
    expect(await members(created.segment.id)).toEqual([kept]);
    expect(await db.$transaction((tx) => reevaluateCustomers(tx, { workspaceId, customerIds: [kept, erased], now: NOW, cause: "event" }))).toEqual([]);
    const again = await createSegment(db, { workspaceId, name: "Spenders again", rule: spenders, now: NOW });
    expect(again.ok && again.segment.memberCount).toBe(1);
    // AND a membership a race left behind (a re-evaluation that read the row before the redaction committed) goes at the next recompute
    await db.segmentMembership.create({ data: { segmentId: created.segment.id, customerId: erased, workspaceId, enteredAt: NOW } });
    expect(await recomputeSegment(db, { workspaceId, segmentId: created.segment.id, now: NOW })).toEqual({ entered: 0, exited: 0, members: 1 });
    expect(await members(created.segment.id)).toEqual([kept]);
    // AND the live count leaves them out (the total still counts every profile)
    const preview = await previewSegment(db, { workspaceId, rule: spenders, now: NOW, sampleSize: 10 });
    expect(preview.ok && { count: preview.count, total: preview.total, sample: preview.sample.map((row) => row.customerId) }).toEqual({ count: 1, total: 2, sample: [kept] });
  });
});

describe.each(databaseTargets())("segments over time on %s", (_name, createUrl) => {
  let db: Db;
  const segmentEvents = (workspaceId: string, segmentId: string) => segmentEventsIn(db, workspaceId, segmentId);

  beforeAll(async () => {
    db = openDb(await createUrl());
  });

  async function demoWorkspace(clock: ManualClock) {
    const workspace = await db.workspace.create({ data: { name: "Time", stores: { create: { platform: "demo", domain: `demo-${Math.random()}`, name: "Demo", createdAt: clock.now() } } } });
    return workspace.id;
  }

  function orderEvent(input: { externalId: string; email: string; at: Date; total: number; cancelled?: boolean }): CanonicalEvent {
    return {
      type: input.cancelled ? "order.cancel" : "order.add",
      version: 1,
      occurredAt: input.at.toISOString(),
      data: {
        order: {
          externalId: input.externalId,
          name: null,
          checkoutToken: null,
          cartToken: null,
          email: input.email,
          customer: { externalId: null, email: input.email, firstName: null, lastName: null, phone: null, acceptsMarketing: true },
          currency: "USD",
          totalPrice: input.total,
          lineItems: [],
          financialStatus: "paid",
          placedAt: input.at.toISOString(),
          cancelledAt: input.cancelled ? input.at.toISOString() : null,
        },
      },
    };
  }

  it("moves a customer into At-risk at the instant the 90th day passes, not before", async () => {
    const start = new Date("2026-01-01T00:00:00.000Z");
    const clock = new ManualClock(start);
    const workspaceId = await demoWorkspace(clock);
    await ensureBuiltinSegments(db, { workspaceId, now: clock.now() });
    const inbox = createInboxProcessor({ db, clock, logger });
    for (const [index, days] of [20, 10, 0].entries()) {
      await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent({ externalId: `r-${index}`, email: "rita@example.com", at: ago(days, start), total: 2000 })] });
    }
    await inbox.processDue();
    const atRisk = await db.segment.findFirstOrThrow({ where: { workspaceId, builtin: "at_risk" } });
    const rita = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "rita@example.com" } });
    const isMember = async () => (await db.segmentMembership.count({ where: { segmentId: atRisk.id, customerId: rita.id } })) === 1;
    // The last order's instant + 90 days is the boundary.
    clock.set(new Date(start.getTime() + 90 * DAY - 1));
    await runSegmentMaintenance({ db, clock, logger });
    expect(await isMember()).toBe(false);
    clock.advance({ ms: 2 });
    await runSegmentMaintenance({ db, clock, logger });
    expect(await isMember()).toBe(true);
    const [event] = await segmentEvents(workspaceId, atRisk.id);
    expect(event.type).toBe("segment.entered");
    expect(event.data).toEqual({ segment: { id: atRisk.id, name: "At-risk" }, why: "3 orders (at least 3) and last order 90 days ago (at least 90 days)", cause: "time" });
    expect(event.occurredAt).toEqual(clock.now());
    // AND a new order brings her back at once (incremental, through the inbox)
    await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent({ externalId: "r-new", email: "rita@example.com", at: clock.now(), total: 2000 })] });
    await inbox.processDue();
    expect(await isMember()).toBe(false);
    expect((await segmentEvents(workspaceId, atRisk.id)).map((row) => [row.type, row.data.cause])).toEqual([
      ["segment.entered", "time"],
      ["segment.exited", "event"],
    ]);
  });

  it("follows a prediction refit: segments on predictions are recomputed in full, with events", async () => {
    const own = openDb(await createUrl()); // its own database: the maintenance pass looks at every workspace
    const clock = new ManualClock("2026-03-01T00:00:00.000Z");
    const workspace = await own.workspace.create({ data: { name: "Refit", stores: { create: { platform: "demo", domain: "refit.example", name: "Demo" } } } });
    const customer = await own.customer.create({ data: { workspaceId: workspace.id, email: "paz@example.com", ordersCount: 2, totalSpent: 5000, currency: "USD" } });
    const forecast = { workspaceId: workspace.id, customerId: customer.id, churnLow: 0, churnHigh: 1, expectedOrders12m: 1, clv12m: 1000, clvLow: 0, clvHigh: 2000, currency: "USD", computedAt: clock.now() };
    await own.customerPrediction.create({ data: { ...forecast, churnProbability: 0.3 } });
    const created = await createSegment(own, { workspaceId: workspace.id, name: "Likely to churn", rule: rule({ kind: "prediction", measure: "churn_probability", op: "gt", value: 0.7 }), now: clock.now() });
    if (!created.ok) throw new Error(JSON.stringify(created.problems));
    const members = () => own.segmentMembership.count({ where: { segmentId: created.segment.id } });
    expect(await members()).toBe(0);
    // A refit an hour later (written as fitWorkspaceModel writes it) raises the churn probability.
    clock.advance({ hours: 1 });
    await own.customerPrediction.update({ where: { customerId: customer.id }, data: { churnProbability: 0.9, computedAt: clock.now() } });
    await own.predictionModel.create({ data: { workspaceId: workspace.id, params: {}, customers: 1, fittedAt: clock.now() } });
    await runSegmentMaintenance({ db: own, clock, logger });
    expect(await members()).toBe(1);
    const events = await own.event.findMany({ where: { workspaceId: workspace.id, type: "segment.entered" } });
    expect(events.map((event) => SegmentChangeData.parse(event.data).cause)).toEqual(["recompute"]);
    // Another tick with no newer fit changes nothing.
    await runSegmentMaintenance({ db: own, clock, logger });
    expect(await own.event.count({ where: { workspaceId: workspace.id, type: { startsWith: "segment." } } })).toBe(1);
  });

  it("hands segment.entered to flows triggered by the segment, in the same transaction", async () => {
    const clock = new ManualClock("2026-02-01T00:00:00.000Z");
    const workspaceId = await demoWorkspace(clock);
    await ensureBuiltinSegments(db, { workspaceId, now: clock.now() });
    const vips = await db.segment.findFirstOrThrow({ where: { workspaceId, builtin: "vips" } });
    const flow = await db.flow.create({ data: { workspaceId, name: segmentFlowName(vips.name) } });
    await publishFlow({ db, clock }, { workspaceId, flowId: flow.id, definition: segmentFlowDefinition(vips) });
    // WHEN one order makes a customer a VIP
    await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent({ externalId: "big", email: "vic@example.com", at: clock.now(), total: 75000 })] });
    await createInboxProcessor({ db, clock, logger }).processDue();
    // THEN one segment.entered Event row, and the flow enrolled her
    const vic = await db.customer.findFirstOrThrow({ where: { workspaceId, email: "vic@example.com" } });
    expect((await segmentEvents(workspaceId, vips.id)).map((event) => [event.type, event.customerId])).toEqual([["segment.entered", vic.id]]);
    expect(await db.enrollment.findMany({ where: { flowId: flow.id }, select: { customerId: true, entityType: true } })).toEqual([{ customerId: vic.id, entityType: "customer" }]);
  });

  it("moves Potential advocates out when the third order leaves the 30-day window", async () => {
    const start = new Date("2026-03-01T00:00:00.000Z");
    const clock = new ManualClock(start);
    const workspaceId = await demoWorkspace(clock);
    await ensureBuiltinSegments(db, { workspaceId, now: clock.now() });
    const inbox = createInboxProcessor({ db, clock, logger });
    for (const [index, days] of [12, 6, 1].entries()) {
      await postDemoEvents({ db, clock }, { workspaceId, events: [orderEvent({ externalId: `p-${index}`, email: "pat@example.com", at: ago(days, start), total: 1000 })] });
    }
    await inbox.processDue();
    const advocates = await db.segment.findFirstOrThrow({ where: { workspaceId, builtin: "potential_advocates" } });
    expect(advocates.memberCount).toBe(1);
    // The oldest order (12 days before start) leaves the window 30 days after it was placed.
    clock.set(new Date(start.getTime() + 18 * DAY - 60_000));
    await runSegmentMaintenance({ db, clock, logger });
    expect((await db.segment.findUniqueOrThrow({ where: { id: advocates.id } })).memberCount).toBe(1);
    clock.advance({ minutes: 2 });
    await runSegmentMaintenance({ db, clock, logger });
    expect((await db.segment.findUniqueOrThrow({ where: { id: advocates.id } })).memberCount).toBe(0);
    expect((await segmentEvents(workspaceId, advocates.id)).map((row) => [row.type, row.data.cause])).toEqual([
      ["segment.entered", "event"],
      ["segment.exited", "time"],
    ]);
  });

  it("incremental membership equals a from-scratch recompute over random event streams", async () => {
    let seed = 20261125;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const start = new Date("2026-01-01T00:00:00.000Z");
    const clock = new ManualClock(start);
    const workspaceId = await demoWorkspace(clock);
    await ensureBuiltinSegments(db, { workspaceId, now: clock.now() });
    const rules: unknown[] = [
      rule({ kind: "orders_in_window", measure: "spend", window: { days: 14 }, op: "gte", value: 50 }),
      rule({ kind: "orders_in_window", measure: "count", window: { calendar: "this_month" }, op: "lt", value: 2 }, { kind: "metric", metric: "orders_count", op: "gte", value: 1 }),
      rule({ kind: "metric", metric: "days_since_last_order", op: "lte", value: 20 }),
      { kind: "group", match: "any", conditions: [{ kind: "metric", metric: "average_order_value", op: "gt", value: 40 }, { kind: "orders_in_window", measure: "count", window: { days: 45 }, op: "eq", value: 0 }] },
    ];
    for (const [index, value] of rules.entries()) expect((await createSegment(db, { workspaceId, name: `random ${index}`, rule: value, now: clock.now() })).ok).toBe(true);
    const inbox = createInboxProcessor({ db, clock, logger });
    const emails = Array.from({ length: 50 }, (_, index) => `shopper${index}@example.com`);
    const placed: { externalId: string; email: string; at: Date; total: number }[] = [];
    // About three simulated months in steps of 12 hours: orders, some cancellations, a maintenance tick every day.
    for (let step = 0; step < 3 * 30 * 2; step += 1) {
      clock.advance({ hours: 12 });
      const events: CanonicalEvent[] = [];
      if (random() < 0.8) {
        const order = { externalId: `x-${step}`, email: emails[Math.floor(random() * emails.length)], at: new Date(clock.now().getTime() - Math.floor(random() * 3_600_000)), total: 500 + Math.floor(random() * 9000) };
        placed.push(order);
        events.push(orderEvent(order));
      }
      if (random() < 0.08 && placed.length > 0) events.push(orderEvent({ ...placed[Math.floor(random() * placed.length)], cancelled: true }));
      if (events.length > 0) {
        await postDemoEvents({ db, clock }, { workspaceId, events });
        await inbox.processDue();
      }
      if (step % 2 === 0) await runSegmentMaintenance({ db, clock, logger });
    }
    await runSegmentMaintenance({ db, clock, logger });
    const segments = await db.segment.findMany({ where: { workspaceId, status: "active" } });
    expect(segments).toHaveLength(8);
    let moved = 0;
    for (const segment of segments) {
      const incremental = (await db.segmentMembership.findMany({ where: { segmentId: segment.id } })).map((row) => row.customerId).sort();
      const fresh = await createSegment(db, { workspaceId, name: `fresh ${segment.name}`, rule: segment.rule, now: clock.now() });
      if (!fresh.ok) throw new Error("fresh copy failed");
      const scratch = (await db.segmentMembership.findMany({ where: { segmentId: fresh.segment.id } })).map((row) => row.customerId).sort();
      expect(incremental, segment.name).toEqual(scratch);
      expect(segment.memberCount, segment.name).toBe(incremental.length);
      expect(await recomputeSegment(db, { workspaceId, segmentId: segment.id, now: clock.now() })).toEqual({ entered: 0, exited: 0, members: incremental.length });
      moved += (await segmentEvents(workspaceId, segment.id)).length;
    }
    // The stream did move people in and out (the test would be empty otherwise).
    expect(moved).toBeGreaterThan(40);
  }, 300_000);
});
