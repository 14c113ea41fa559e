// Attribution and flow KPIs on a workspace history built through the real parts: the demo store's inbox feeds
// checkouts and orders, the worker (on a clock the test moves) sends the abandoned-cart emails through the SendGrid
// emulator, and SendGrid's events come back through the inbox to the messaging module's event processing. Then the
// analytics module is asked what earned which order, and the KPIs are checked against numbers worked out by hand.
// SQLite, and PostgreSQL when DATABASE_URL points at one.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { explainAttribution } from "~/core/analytics/attribution.server";
import { flowKpis } from "~/core/analytics/kpis.server";
import { readAttributionSettings, setAttributionSettings } from "~/core/analytics/settings.server";
import { ManualClock } from "~/core/clock";
import type { CanonicalEvent } from "~/core/events";
import { DEFAULT_RULES } from "~/core/flows/definition";
import { enableBlueprint, importFlow } from "~/core/flows/manage.server";
import { storeDelivery } from "~/core/ingest/receive.server";
import { silentLogger } from "~/core/logger.server";
import { MESSAGE_ID_ARG, createSendGridSender } from "~/core/messaging/sendgrid.server";
import { SENDGRID_EVENTS_TOPIC, SENDGRID_SOURCE, sendGridDeliveryKey } from "~/core/messaging/sendgrid-webhook.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker, type Worker } from "~/worker.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent, orderEvent } from "../support/events";

afterAll(dropAll);

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);

const RANGE = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-09T00:00:00Z") };
const SHOPPERS = ["a", "b", "c", "d", "e", "f"];
const emailOf = (shopper: string) => `${shopper}@example.com`;

/** An order of the checkout `token`, so the abandoned-cart goal (scoped to the checkout) sees it. */
function orderOf(token: string, at: string, totalPrice: number): CanonicalEvent {
  const event = orderEvent(`order-${token}`, emailOf(token), at, totalPrice);
  if (event.type !== "order.add") throw new Error("orderEvent makes order.add events");
  return { ...event, data: { order: { ...event.data.order, checkoutToken: token } } };
}

/** A flow with no email: checkouts over $50 wait two days (goal: any order); the others leave at an exit node. */
const BIG_BASKET = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [] },
  goal: { event: "order.add", scope: "customer", label: "order placed" },
  entry: "big-basket",
  nodes: [
    { id: "big-basket", type: "condition", match: "all", conditions: [{ path: "checkout.totalPrice", op: "gt", value: 5000 }], yes: "wait-2d", no: "exit" },
    { id: "wait-2d", type: "delay", duration: { hours: 48 }, anchor: "previous_step", next: null },
    { id: "exit", type: "exit" },
  ],
  rules: DEFAULT_RULES,
};

describe.each(databaseTargets())("attribution and KPIs on %s", (name, createUrl) => {
  let databaseUrl: string;
  let db: Db;
  let sendgrid: SendGridEmulator;
  let workspaceId: string;
  let clock: ManualClock;
  let worker: Worker;
  let abandonedCartId: string;
  let bigBasketId: string;

  const at = async (iso: string) => {
    clock.set(iso);
    await worker.tick();
    await worker.tick();
  };
  const post = async (iso: string, events: CanonicalEvent[]) => {
    clock.set(iso);
    await postDemoEvents({ db, clock }, { workspaceId, events });
    await worker.tick();
    await worker.tick();
  };

  /** What SendGrid received for the shopper's email of that node. */
  async function sent(shopper: string, nodeId: string) {
    const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: emailOf(shopper), nodeId } });
    const mail = sendgrid.messages.find((candidate) => (candidate.body.custom_args?.[MESSAGE_ID_ARG] ?? candidate.body.personalizations[0].custom_args?.[MESSAGE_ID_ARG]) === message.id);
    if (!mail) throw new Error(`SendGrid never received ${nodeId} for ${shopper}`);
    return mail;
  }

  /** SendGrid reports events (each at its own time) in one delivery to the event webhook's inbox. */
  async function sendgridReports(receivedAt: string, events: [shopper: string, nodeId: string, type: string, occurredAt: string, fields?: Record<string, unknown>][]) {
    const batch = await Promise.all(
      events.map(async ([shopper, nodeId, type, occurredAt, fields]) =>
        sendgrid.eventFor(await sent(shopper, nodeId), type, { timestamp: Date.parse(occurredAt) / 1000, ...fields }),
      ),
    );
    const rawBody = JSON.stringify(batch);
    clock.set(receivedAt);
    await storeDelivery(
      { db, clock },
      { source: SENDGRID_SOURCE, workspaceId: null, storeId: null, topic: SENDGRID_EVENTS_TOPIC, dedupeKey: sendGridDeliveryKey(rawBody), eventId: null, rawBody, headers: {} },
    );
    await worker.tick();
  }

  beforeAll(async () => {
    databaseUrl = await createUrl();
    db = openDb(databaseUrl);
    sendgrid = await startSendGridEmulator({ apiKey: "SG.analytics" });
    clock = new ManualClock("2026-03-02T09:00:00Z");
    worker = createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: createSendGridSender({ apiKey: "SG.analytics", baseUrl: sendgrid.url }) });
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "analytics-test-password", now: clock.now() }));
    ({ flowId: abandonedCartId } = await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" }));
    ({ flowId: bigBasketId } = await importFlow({ db, clock }, { workspaceId, name: "Big basket", definition: BIG_BASKET, publish: true }));

    // Day 0, 09:00: six shoppers leave $32 checkouts; g leaves $90 and orders it half an hour later.
    await post("2026-03-02T09:00:00Z", [...SHOPPERS.map((s) => checkoutEvent(s, "2026-03-02T09:00:00Z")), checkoutEvent("g", "2026-03-02T09:00:00Z", { totalPrice: 9000 })]);
    await post("2026-03-02T09:30:00Z", [orderOf("g", "2026-03-02T09:30:00Z", 9000)]);
    // 10:00: the first reminder (R) goes to a–f.
    await at("2026-03-02T10:00:00Z");
    // d orders at 12:00 and clicks the reminder afterwards; c's only "open" is Apple's proxy, then c orders at 15:00.
    await post("2026-03-02T12:00:00Z", [orderOf("d", "2026-03-02T12:00:00Z", 3200)]);
    await sendgridReports("2026-03-02T13:30:00Z", [
      ...SHOPPERS.map((s): [string, string, string, string] => [s, "email-reminder", "delivered", "2026-03-02T10:01:00Z"]),
      ["a", "email-reminder", "click", "2026-03-02T11:00:00Z", { url: "https://demo-store.nudgeflow.dev/checkouts/a/recover" }],
      ["b", "email-reminder", "click", "2026-03-02T11:00:00Z", { url: "https://demo-store.nudgeflow.dev/checkouts/b/recover" }],
      ["c", "email-reminder", "open", "2026-03-02T10:05:00Z", { sg_machine_open: true, useragent: "Mozilla/5.0" }],
      ["d", "email-reminder", "click", "2026-03-02T13:00:00Z"],
      ["e", "email-reminder", "click", "2026-03-02T10:30:00Z"],
      ["e", "email-reminder", "unsubscribe", "2026-03-02T10:40:00Z"],
      ["f", "email-reminder", "spamreport", "2026-03-02T10:50:00Z"],
    ]);
    await post("2026-03-02T15:00:00Z", [orderOf("c", "2026-03-02T15:00:00Z", 3200)]);
    // Day 1, 09:00: the incentive (I) to a and b; e and f are suppressed. a clicks it at 10:00 and orders at 12:00.
    await at("2026-03-03T09:00:00Z");
    await sendgridReports("2026-03-03T10:30:00Z", [
      ["a", "email-incentive", "delivered", "2026-03-03T09:01:00Z"],
      ["b", "email-incentive", "delivered", "2026-03-03T09:01:00Z"],
      ["a", "email-incentive", "click", "2026-03-03T10:00:00Z"],
    ]);
    await post("2026-03-03T12:00:00Z", [orderOf("a", "2026-03-03T12:00:00Z", 4500)]);
    // Day 3, 09:00: the last chance (L) to b, who opens it (a person, on a phone) at 10:00; b orders on day 6.
    await at("2026-03-05T09:00:00Z");
    await sendgridReports("2026-03-05T10:30:00Z", [
      ["b", "email-last-chance", "delivered", "2026-03-05T09:01:00Z"],
      ["b", "email-last-chance", "open", "2026-03-05T10:00:00Z", { sg_machine_open: false, useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15" }],
    ]);
    await post("2026-03-08T12:00:00Z", [orderOf("b", "2026-03-08T12:00:00Z", 6000)]);
  });

  afterAll(async () => {
    await sendgrid?.close();
  });

  it("built the history it meant to (emails, suppressions, events, orders)", async () => {
    const messages = await db.message.findMany({ where: { workspaceId }, select: { toEmail: true, nodeId: true, status: true } });
    const summary = messages.map((m) => `${m.toEmail[0]} ${m.nodeId} ${m.status}`).sort();
    expect(summary).toEqual([
      "a email-incentive sent", "a email-reminder sent",
      "b email-incentive sent", "b email-last-chance sent", "b email-reminder sent",
      "c email-reminder sent", "d email-reminder sent",
      "e email-incentive suppressed", "e email-last-chance suppressed", "e email-reminder sent",
      "f email-incentive suppressed", "f email-last-chance suppressed", "f email-reminder sent",
    ]);
    expect(await db.order.count({ where: { workspaceId } })).toBe(5);
    expect(await db.messageEvent.count({ where: { workspaceId, machineOpen: true } })).toBe(1);
    expect(await db.inboxEvent.count({ where: { source: SENDGRID_SOURCE, status: "processed" } })).toBe(3);
  });

  it("attributes each order to the last click inside the window, and explains every order", async () => {
    await setAttributionSettings(db, { workspaceId, windowDays: 5, includeOpens: false });

    // a clicked the reminder (day 0) and the incentive (day 1): the later click wins.
    const a = await explainAttribution(db, { workspaceId, orderId: "order-a" });
    expect(a.attributedTo).toMatchObject({ flowId: abandonedCartId, flowName: "Abandoned cart", nodeId: "email-incentive", subject: "10% off the items in your cart", touch: "click", touchedAt: "2026-03-03T10:00:00.000Z" });
    expect(a.reason).toMatch(/^Attributed to "10% off the items in your cart" \(Abandoned cart, email-incentive\): the last click within the 5-day window \(2 h before the order\)/);
    expect(a.touches.map((t) => [t.subject.slice(0, 14), t.verdict])).toEqual([["10% off the it", "won"], ["We saved your ", "superseded"]]);

    // b's click was 6 days before the order, outside the window; b's open does not count with clicks only.
    const b = await explainAttribution(db, { workspaceId, orderId: "order-b" });
    expect(b.attributedTo).toBeNull();
    expect(b.reason).toBe("No click within the 5-day window before the order.");
    expect(b.touches.map((t) => [t.type, t.verdict, t.note])).toEqual([
      ["open", "opens-not-counted", "opens do not count in this workspace (clicks only)"],
      ["click", "outside-window", "6 d 1 h before the order, outside the 5-day window"],
    ]);

    // d clicked after ordering; c only had a machine open; g never had an email.
    const d = await explainAttribution(db, { workspaceId, orderId: "order-d" });
    expect(d.attributedTo).toBeNull();
    expect(d.touches).toMatchObject([{ type: "click", verdict: "after-order", note: "1 h after the order" }]);
    const c = await explainAttribution(db, { workspaceId, orderId: "order-c" });
    expect(c.attributedTo).toBeNull();
    expect(c.touches).toMatchObject([{ type: "open", machineOpen: true, verdict: "machine-open" }]);
    expect((await explainAttribution(db, { workspaceId, orderId: "order-g" })).reason).toBe("The customer never clicked or opened one of our messages.");
  });

  it("computes a flow's KPIs, per node too, as worked out by hand", async () => {
    await setAttributionSettings(db, { workspaceId, windowDays: 5, includeOpens: false });
    const report = await flowKpis(db, { workspaceId, ...RANGE });
    const cart = report.flows.find((flow) => flow.flowId === abandonedCartId)!;

    // 9 emails left (6 R + 2 I + 1 L) to 6 people; 4 suppressed; all 9 delivered. One human open (b's L, c's machine
    // open excluded); clicks on a/b/d/e's R and a's I; e unsubscribed, f complained. One order earned: a's $45.
    expect(cart).toMatchObject({
      emailsSent: 9,
      recipients: 6,
      suppressed: 4,
      deliveryRate: { count: 9, of: 9, value: 1 },
      openRate: { count: 1, of: 9 },
      clickRate: { count: 5, of: 9 },
      unsubscribeRate: { count: 1, of: 9 },
      spamComplaintRate: { count: 1, of: 9 },
      conversions: 1,
      conversionRate: { count: 1, of: 6 },
      revenue: [{ amount: 4500, currency: "USD" }],
      revenuePerRecipient: [{ amount: 750, currency: "USD" }], // 4500 / 6
      averageOrderValue: [{ amount: 4500, currency: "USD" }],
    });
    const node = (id: string) => cart.nodes.find((n) => n.nodeId === id)!;
    expect(node("email-reminder")).toMatchObject({ emailsSent: 6, recipients: 6, clickRate: { count: 4, of: 6 }, conversions: 0, revenue: [], revenuePerRecipient: [] });
    expect(node("email-incentive")).toMatchObject({ emailsSent: 2, suppressed: 2, clickRate: { count: 1, of: 2 }, conversions: 1, conversionRate: { count: 1, of: 2 }, revenuePerRecipient: [{ amount: 2250, currency: "USD" }] });
    expect(node("email-last-chance")).toMatchObject({ emailsSent: 1, suppressed: 2, openRate: { count: 1, of: 1, value: 1 }, conversions: 0 });

    // Attrition: a, c, d and g reached the goal, b, e and f ran to the end; nobody left early.
    expect(cart.attrition).toEqual({ ended: 7, reachedGoal: 4, completed: 3, leftEarly: { count: 0, of: 7, value: 0 }, byReason: [] });
    const bigBasket = report.flows.find((flow) => flow.flowId === bigBasketId)!;
    expect(bigBasket.attrition).toEqual({ ended: 7, reachedGoal: 1, completed: 0, leftEarly: { count: 6, of: 7, value: 6 / 7 }, byReason: [{ reason: "reached an exit node", count: 6 }] });
    expect(bigBasket).toMatchObject({ emailsSent: 0, recipients: 0, openRate: { value: null }, conversionRate: { value: null }, revenue: [] });

    // Workspace totals: the same messages (Big basket sends none), both flows' journeys.
    expect(report.totals).toMatchObject({ emailsSent: 9, recipients: 6, conversions: 1, revenue: [{ amount: 4500, currency: "USD" }], attrition: { ended: 14, reachedGoal: 5, leftEarly: { count: 6, of: 14 } } });
  });

  it("recomputes everything when the settings change: human opens, then a longer window", async () => {
    // WHEN human opens count: b's open of L (3 d 2 h before b's $60 order) earns it.
    expect(await setAttributionSettings(db, { workspaceId, includeOpens: true })).toEqual({ windowDays: 5, includeOpens: true });
    const b = await explainAttribution(db, { workspaceId, orderId: "order-b" });
    expect(b.attributedTo).toMatchObject({ nodeId: "email-last-chance", touch: "open", touchedAt: "2026-03-05T10:00:00.000Z" });
    // ... but never a machine open.
    expect((await explainAttribution(db, { workspaceId, orderId: "order-c" })).attributedTo).toBeNull();
    let cart = (await flowKpis(db, { workspaceId, ...RANGE })).flows.find((flow) => flow.flowId === abandonedCartId)!;
    expect(cart).toMatchObject({
      conversions: 2,
      conversionRate: { count: 2, of: 6 },
      revenue: [{ amount: 10500, currency: "USD" }],
      revenuePerRecipient: [{ amount: 1750, currency: "USD" }], // 10500 / 6
      averageOrderValue: [{ amount: 5250, currency: "USD" }], // 10500 / 2
    });
    expect(cart.nodes.find((n) => n.nodeId === "email-last-chance")).toMatchObject({ conversions: 1, revenue: [{ amount: 6000, currency: "USD" }] });

    // WHEN clicks only, over 7 days: b's day-0 click (6 d 1 h before) now earns the order instead.
    await setAttributionSettings(db, { workspaceId, windowDays: 7, includeOpens: false });
    expect(await readAttributionSettings(db, { workspaceId })).toEqual({ windowDays: 7, includeOpens: false });
    expect((await explainAttribution(db, { workspaceId, orderId: "order-b" })).attributedTo).toMatchObject({ nodeId: "email-reminder", touch: "click" });
    cart = (await flowKpis(db, { workspaceId, ...RANGE })).flows.find((flow) => flow.flowId === abandonedCartId)!;
    expect(cart.nodes.find((n) => n.nodeId === "email-reminder")).toMatchObject({ conversions: 1, revenue: [{ amount: 6000, currency: "USD" }] });
    expect(cart.revenue).toEqual([{ amount: 10500, currency: "USD" }]);

    // A range before the history has nothing in it.
    const empty = await flowKpis(db, { workspaceId, from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") });
    expect(empty.totals).toMatchObject({ emailsSent: 0, recipients: 0, conversions: 0, revenue: [], conversionRate: { value: null } });
    await setAttributionSettings(db, { workspaceId, windowDays: 5, includeOpens: false });
  });

  // The CLI is wiring over the same core: run once, as a child process, on SQLite.
  it.runIf(name === "sqlite")("prints the KPIs and an explanation from the command line", { timeout: 60_000 }, async () => {
    const cli = async (...args: string[]) =>
      (await execFileAsync(process.execPath, ["--import", "tsx/esm", "bin/nudgeflow.ts", "analytics", ...args], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
      })).stdout;
    const kpis = await cli("--workspace", workspaceId, "--from", "2026-03-01", "--to", "2026-03-08");
    expect(kpis).toContain("Messages written 2026-03-01T00:00:00.000Z – 2026-03-09T00:00:00.000Z · attribution: last click within 5 days");
    expect(kpis).toContain("conversions 1 · conversion rate 16.7% (1 of 6)");
    expect(kpis).toContain("revenue $45.00 · per recipient $7.50 · average order $45.00");
    expect(kpis).toContain("journeys ended 7: goal 1, completed 0, left early 85.7% (6 of 7) (reached an exit node 6)");
    const explained = await cli("explain", "--workspace", workspaceId, "--order", "#order-b");
    expect(explained).toContain("No click within the 5-day window before the order.");
    expect(explained).toMatch(/2026-03-02T11:00:00.000Z {2}click outside-window +"We saved your items, Ada" \(Abandoned cart\): 6 d 1 h before the order/);
    expect(await cli("settings", "--workspace", workspaceId, "--include-opens")).toContain("the last click or human open within 5 days");
    expect(await cli("explain", "--workspace", workspaceId, "--order", "order-b")).toContain('Attributed to "Last chance: your cart is about to expire"');
    await setAttributionSettings(db, { workspaceId, windowDays: 5, includeOpens: false });
  });
});
