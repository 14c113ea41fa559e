// Flow rules through the worker on the demo store with a manual clock: goals scoped to the trigger's entity,
// one abandoned-cart journey per cart (started as a cart or as a checkout), re-entry after N days, the
// cross-flow message budget with priorities and expiry, transactional messages, and the trace with its CLI.
import { runSettingsCommand, runTraceCommand } from "../../bin/trace";
import { ManualClock } from "~/core/clock";
import { silentLogger } from "~/core/logger.server";
import { messageContentOf, type StoredMessageContent } from "~/core/messaging/content.server";
import type { CanonicalEvent } from "~/core/events";
import { setMessageBudget } from "~/core/flows/budget.server";
import { enableBlueprint, importFlow } from "~/core/flows/manage.server";
import { listTrace } from "~/core/flows/trace.server";
import { suppressAddress } from "~/core/messaging/suppression.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db, DbTx } from "~/db.server";
import { routeEventToFlows } from "~/core/flows/enroll.server";
import { applyToProfiles } from "~/core/profiles/apply.server";
import { createWorker } from "~/worker.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { checkoutEvent, eventCustomer, orderEvent } from "../support/events";

afterAll(dropAll);

const email = (id: string, next: string | null = null) => ({ id, type: "email", name: id, subject: `About ${id}`, html: "<p>{{ checkout.recovery_url }} {% for item in checkout.line_items %}{{ item.title }};{% endfor %}</p>", text: "{{ shop.name }}", next });
/** A message's own HTML and text, wherever they are stored (on the row, or once for the step: ADR 0035). */
async function contentOf(db: Db, message: StoredMessageContent): Promise<{ html: string; text: string }> {
  const content = await messageContentOf({ db }, message);
  if (!content) throw new Error(`message ${message.id} has no content`);
  return content;
}
const LINE = { productId: "7", variantId: "77", sku: null, title: "Matcha bowl", variantTitle: null, quantity: 1, price: 2600, imageUrl: null };

/** A storefront capture: the cart with its contents and the shopper who typed their email. */
function cartEvent(token: string, at: string, address: string): CanonicalEvent {
  return {
    type: "cart.update",
    version: 1,
    occurredAt: at,
    data: { cart: { token, currency: "USD", totalPrice: 2600, lineItems: [LINE], createdAt: at, updatedAt: at, customer: { ...eventCustomer(address, false) }, contentsKnown: true } },
  };
}

/** A checkout made from cart `cartToken`. */
function checkoutFromCart(token: string, cartToken: string, at: string, address: string): CanonicalEvent {
  const event = checkoutEvent(token, at, { email: address, acceptsMarketing: false });
  if (event.type !== "checkout.create") throw new Error("unreachable");
  return { ...event, data: { checkout: { ...event.data.checkout, cartToken } } };
}

/** An order of a checkout or a cart. */
function orderOf(externalId: string, address: string, at: string, tokens: { checkoutToken?: string; cartToken?: string }): CanonicalEvent {
  const event = orderEvent(externalId, address, at);
  if (event.type !== "order.add") throw new Error("unreachable");
  return { ...event, data: { order: { ...event.data.order, checkoutToken: tokens.checkoutToken ?? null, cartToken: tokens.cartToken ?? null } } };
}

describe.each(databaseTargets())("flow rules on %s", (_name, createUrl) => {
  let db: Db;
  let databaseUrl: string;
  let workspaceId: string;

  const worker = (clock: ManualClock) => createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
  const post = (clock: ManualClock, ...events: CanonicalEvent[]) => postDemoEvents({ db, clock }, { workspaceId, events });
  const messagesTo = (address: string) => db.message.findMany({ where: { workspaceId, toEmail: address }, orderBy: [{ createdAt: "asc" }, { nodeId: "asc" }] });
  const enrollmentsOf = async (address: string) => {
    const person = await db.customer.findFirstOrThrow({ where: { workspaceId, email: address } });
    return db.enrollment.findMany({ where: { workspaceId, customerId: person.id }, orderBy: [{ createdAt: "asc" }, { entryNumber: "asc" }] });
  };

  /** Publishes a flow; with `only`, earlier tests' flows are paused first. */
  async function publish(name: string, definition: Record<string, unknown>, clock: ManualClock, options: { only?: boolean; priority?: number } = {}) {
    if (options.only ?? true) await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    const full = { schemaVersion: 1, trigger: { type: "event", events: ["checkout.create"], entity: "checkout" }, goal: null, ...definition };
    const imported = await importFlow({ db, clock }, { workspaceId, name, definition: full, publish: true });
    if (options.priority !== undefined) await db.flow.update({ where: { id: imported.flowId }, data: { priority: options.priority } });
    return imported;
  }

  beforeAll(async () => {
    databaseUrl = await createUrl();
    db = openDb(databaseUrl);
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "flow-rules-test-password", now: new Date("2026-04-01T00:00:00Z") }));
  });

  afterEach(async () => {
    await setMessageBudget(db, { workspaceId, budget: null });
  });

  it("entity-scoped goal: an order of this checkout exits its journey, an order of another checkout does not", async () => {
    // GIVEN a flow keyed by checkout whose goal is the checkout's own order, and one shopper with two checkouts
    const clock = new ManualClock("2026-04-02T10:00:00Z");
    await publish("Checkout reminder", {
      goal: { event: "order.add", scope: "entity" },
      rules: { consent: "transactional" },
      entry: "wait",
      nodes: [{ id: "wait", type: "delay", duration: { hours: 1 }, next: "reminder" }, email("reminder")],
    }, clock);
    const now = clock.now().toISOString();
    await post(clock, checkoutEvent("goal-a", now, { email: "two-carts@example.com" }), checkoutEvent("goal-b", now, { email: "two-carts@example.com" }));
    await worker(clock).tick();

    // WHEN the shopper orders checkout A
    clock.advance({ minutes: 30 });
    await post(clock, orderOf("goal-order-1", "two-carts@example.com", clock.now().toISOString(), { checkoutToken: "goal-a" }));
    clock.advance({ minutes: 30 });
    await worker(clock).tick();

    // THEN A's journey exited on its goal and B's still sent its reminder
    const [a, b] = await enrollmentsOf("two-carts@example.com");
    expect(a).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
    expect(b).toMatchObject({ status: "completed" });
    expect((await messagesTo("two-carts@example.com")).map((m) => m.enrollmentId)).toEqual([b.id]);
    const trace = await listTrace(db, { workspaceId, enrollmentId: a.id });
    expect(trace.at(-1)).toMatchObject({ kind: "goal", detail: { scope: "entity", order: "#goal-order-1" } });
  });

  it("entity-scoped goal is re-checked before each step: a converted checkout's next step exits", async () => {
    // GIVEN a checkout journey waiting for its email, and its order recorded while the flow was paused
    const clock = new ManualClock("2026-04-03T10:00:00Z");
    const { flowId } = await publish("Checkout reminder, paused", {
      goal: { event: "order.add", scope: "entity", label: "checkout ordered" },
      rules: { consent: "transactional" },
      entry: "wait",
      nodes: [{ id: "wait", type: "delay", duration: { hours: 1 }, next: "reminder" }, email("reminder")],
    }, clock);
    await post(clock, checkoutEvent("recheck", clock.now().toISOString()));
    await worker(clock).tick();
    // (an order row that reached the database without passing the flows, e.g. imported history)
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    await db.order.create({ data: { workspaceId, storeId: store.id, externalId: "recheck-order", checkoutToken: "recheck", currency: "USD", totalPrice: 3200, lineItems: [], placedAt: clock.now() } });

    // WHEN the hour passes THEN the step does not run: the goal is met
    clock.advance({ hours: 1 });
    await worker(clock).tick();
    const [enrollment] = await db.enrollment.findMany({ where: { flowId } });
    expect(enrollment).toMatchObject({ status: "exited", exitReason: "goal: checkout ordered" });
    expect(await messagesTo("recheck@example.com")).toHaveLength(0);
  });

  it("abandoned cart: a cart that never reaches checkout gets the reminder with the cart's link and lines", async () => {
    // GIVEN the abandoned-cart blueprint, and a storefront capture of an identified shopper's cart
    const clock = new ManualClock("2026-04-06T10:00:00Z");
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    await post(clock, cartEvent("cart-only-1", clock.now().toISOString(), "cart-only@example.com"));
    await worker(clock).tick();
    const [enrollment] = await enrollmentsOf("cart-only@example.com");
    expect(enrollment).toMatchObject({ entityType: "cart", status: "active", entryNumber: 1 });

    // WHEN an hour passes
    clock.advance({ hours: 1 });
    await worker(clock).tick();

    // THEN the reminder links to the store's cart page and lists the cart's lines
    const [message] = await messagesTo("cart-only@example.com");
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    expect(message).toMatchObject({ nodeId: "email-reminder", kind: "marketing" });
    const { html } = await contentOf(db, message);
    expect(html).toContain(`https://${store.domain}/cart`);
    expect(html).toContain("Matcha bowl");
  });

  it("abandoned cart: a cart that becomes a checkout stays one journey, then uses the checkout and exits on its order", async () => {
    // GIVEN a captured cart enrolled in the blueprint
    const clock = new ManualClock("2026-04-07T10:00:00Z");
    await post(clock, cartEvent("cart-then-checkout", clock.now().toISOString(), "cart-first@example.com"));
    await worker(clock).tick();

    // WHEN the shopper starts a checkout from that cart, and edits it
    clock.advance({ minutes: 10 });
    await post(clock, checkoutFromCart("chk-from-cart", "cart-then-checkout", clock.now().toISOString(), "cart-first@example.com"));
    await worker(clock).tick();

    // THEN there is still one journey, and the trace says why the checkout did not start another
    const enrollments = await enrollmentsOf("cart-first@example.com");
    expect(enrollments.map((e) => [e.entityType, e.status])).toEqual([["cart", "active"]]);
    const trace = await listTrace(db, { workspaceId, email: "cart-first@example.com" });
    expect(trace.filter((entry) => entry.kind === "trigger.skipped").map((entry) => entry.detail.reason)).toEqual([expect.stringMatching(/^already in this flow \(entry 1, active\)/)]);

    // WHEN an hour passes since the checkout's activity THEN the reminder uses the checkout's recovery link
    clock.advance({ minutes: 50 });
    await worker(clock).tick();
    expect(await messagesTo("cart-first@example.com")).toHaveLength(0); // counted from the checkout's activity
    clock.advance({ minutes: 10 });
    await worker(clock).tick();
    const [message] = await messagesTo("cart-first@example.com");
    expect((await contentOf(db, message)).html).toContain("https://shop.example/checkouts/chk-from-cart/recover");

    // WHEN the checkout is ordered THEN the cart's journey exits on its goal
    await post(clock, orderOf("cart-order-1", "cart-first@example.com", clock.now().toISOString(), { checkoutToken: "chk-from-cart" }));
    await worker(clock).tick();
    expect((await enrollmentsOf("cart-first@example.com"))[0]).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
  });

  it("abandoned cart: the shopper ordering anything else ends the journey too", async () => {
    // GIVEN a captured cart enrolled in the blueprint
    const clock = new ManualClock("2026-04-07T12:00:00Z");
    await post(clock, cartEvent("cart-other-order", clock.now().toISOString(), "other-order@example.com"));
    await worker(clock).tick();
    expect((await enrollmentsOf("other-order@example.com"))[0]).toMatchObject({ status: "active" });

    // WHEN the same shopper places an order that is not this cart's
    clock.advance({ minutes: 20 });
    await post(clock, orderOf("unrelated-order-1", "other-order@example.com", clock.now().toISOString(), {}));
    await worker(clock).tick();

    // THEN the journey exits on its goal, and no reminder goes out
    expect((await enrollmentsOf("other-order@example.com"))[0]).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
    clock.advance({ hours: 2 });
    await worker(clock).tick();
    expect(await messagesTo("other-order@example.com")).toHaveLength(0);
  });

  it("abandoned cart: a checkout first, then a capture of its cart, is one journey too", async () => {
    const clock = new ManualClock("2026-04-08T10:00:00Z");
    await post(clock, checkoutFromCart("chk-first", "cart-after", clock.now().toISOString(), "checkout-first@example.com"));
    await worker(clock).tick();
    clock.advance({ minutes: 5 });
    await post(clock, cartEvent("cart-after", clock.now().toISOString(), "checkout-first@example.com"));
    await worker(clock).tick();
    expect((await enrollmentsOf("checkout-first@example.com")).map((e) => e.entityType)).toEqual(["checkout"]);

    // AND an order naming only the cart token exits it (the entity's cart converted)
    await post(clock, orderOf("cart-order-2", "checkout-first@example.com", clock.now().toISOString(), { cartToken: "cart-after" }));
    await worker(clock).tick();
    expect((await enrollmentsOf("checkout-first@example.com"))[0]).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
  });

  it("abandoned cart: a cart capture and its checkout processed at once by two workers still make one journey", async () => {
    const clock = new ManualClock("2026-04-09T10:00:00Z");
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    const now = clock.now().toISOString();
    for (let i = 0; i < 6; i += 1) {
      // two deliveries, so two workers can take one each
      await post(clock, cartEvent(`race-cart-${i}`, now, `race-${i}@example.com`));
      await post(clock, checkoutFromCart(`race-chk-${i}`, `race-cart-${i}`, now, `race-${i}@example.com`));
    }
    await Promise.all([worker(clock).tick(), worker(clock).tick(), worker(clock).tick()]);
    for (let i = 0; i < 6; i += 1) expect(await enrollmentsOf(`race-${i}@example.com`)).toHaveLength(1);
  });

  it.runIf(_name === "postgresql")("abandoned cart: a checkout decided while its cart's enrollment is uncommitted waits for it (advisory lock)", async () => {
    // GIVEN the blueprint live, and a transaction that has enrolled a cart but not committed yet
    const clock = new ManualClock("2026-04-09T12:00:00Z");
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
    const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
    const scope = { workspaceId, storeId: store.id };
    const now = clock.now();
    await db.customer.create({ data: { workspaceId, email: "lock@example.com", firstName: "Ada", acceptsMarketing: false } }); // known already, nothing to fill in
    const ingest = (tx: DbTx, event: CanonicalEvent) =>
      applyToProfiles(tx, scope, event).then((change) => routeEventToFlows(tx, { workspaceId, event, customerId: change.customerId, checkoutId: change.checkoutId, now }));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let enrolledCart = () => {};
    const cartDone = new Promise<void>((resolve) => (enrolledCart = resolve));
    const first = db.$transaction(async (tx) => {
      await ingest(tx, cartEvent("lock-cart", now.toISOString(), "lock@example.com"));
      enrolledCart();
      await gate;
    }, { timeout: 20_000 });
    await cartDone;

    // WHEN the checkout of the same cart is processed meanwhile
    let secondDone = false;
    const second = db.$transaction((tx) => ingest(tx, checkoutFromCart("lock-chk", "lock-cart", now.toISOString(), "lock@example.com")), { timeout: 20_000 })
      .finally(() => (secondDone = true));
    // (it waits on the journey's advisory lock until the cart's transaction commits)
    for (let poll = 0; poll < 200 && !secondDone; poll += 1) {
      const [{ waiting }] = await db.$queryRaw<{ waiting: number }[]>`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`;
      if (waiting > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    await Promise.all([first, second]);

    // THEN one journey: the cart's
    expect((await enrollmentsOf("lock@example.com")).map((e) => e.entityType)).toEqual(["cart"]);
  });

  it("re-entry after N days: a new trigger enters again only once the last journey ended N days ago", async () => {
    // GIVEN a customer-keyed flow that allows re-entry after 2 days
    const clock = new ManualClock("2026-04-10T10:00:00Z");
    await publish("Browse again", {
      trigger: { type: "event", events: ["checkout.create"], entity: "customer" },
      rules: { consent: "transactional", reentry: { mode: "after", days: 2 } },
      entry: "hello",
      nodes: [email("hello")],
    }, clock);
    const address = "again@example.com";
    await post(clock, checkoutEvent("again-1", clock.now().toISOString(), { email: address }));
    await worker(clock).tick();

    // WHEN the customer triggers it again one day later, and then three days later
    clock.advance({ days: 1 });
    await post(clock, checkoutEvent("again-2", clock.now().toISOString(), { email: address }));
    await worker(clock).tick();
    expect(await enrollmentsOf(address)).toHaveLength(1);
    clock.advance({ days: 2 });
    await post(clock, checkoutEvent("again-3", clock.now().toISOString(), { email: address }));
    await worker(clock).tick();

    // THEN the second trigger was refused with its reason, the third made entry 2
    const enrollments = await enrollmentsOf(address);
    expect(enrollments.map((e) => [e.entryNumber, e.status])).toEqual([[1, "completed"], [2, "completed"]]);
    expect(await messagesTo(address)).toHaveLength(2);
    const skipped = (await listTrace(db, { workspaceId, email: address })).filter((entry) => entry.kind === "trigger.skipped");
    expect(skipped.map((entry) => entry.detail.reason)).toEqual([expect.stringMatching(/^re-entry after 2 days: entry 1 ended 2026-04-10T10:00:00.000Z, not before 2026-04-12T10:00:00.000Z/)]);
  });

  it("re-entry never (the default): a second trigger for the same entity is refused", async () => {
    const clock = new ManualClock("2026-04-14T10:00:00Z");
    await publish("Once per customer", {
      trigger: { type: "event", events: ["checkout.create"], entity: "customer" },
      rules: { consent: "transactional" },
      entry: "hello",
      nodes: [email("hello")],
    }, clock);
    await post(clock, checkoutEvent("once-1", clock.now().toISOString(), { email: "once@example.com" }));
    await worker(clock).tick();
    clock.advance({ days: 30 });
    await post(clock, checkoutEvent("once-2", clock.now().toISOString(), { email: "once@example.com" }));
    await worker(clock).tick();
    expect(await enrollmentsOf("once@example.com")).toHaveLength(1);
  });

  it("message budget: 1 per 16 h across flows, the higher-priority flow first, the other deferred, never dropped", async () => {
    // GIVEN a budget of one marketing email per 16 hours and two marketing flows emailing at once on a checkout
    const clock = new ManualClock("2026-04-20T10:00:00Z");
    expect(await runSettingsCommand(["budget", "--workspace", workspaceId, "--max", "1", "--window-hours", "16"], { databaseUrl })).toBe(0);
    const low = await publish("Low priority", { entry: "low", nodes: [email("low")] }, clock, { priority: 50 });
    const high = await publish("High priority", { entry: "high", nodes: [email("high")] }, clock, { only: false, priority: 10 });
    // AND a transactional flow, which the budget neither holds back nor counts
    await publish("Receipt-like", { rules: { consent: "transactional", kind: "transactional" }, entry: "receipt", nodes: [email("receipt")] }, clock, { only: false, priority: 90 });

    // WHEN the shopper (who accepts marketing) starts a checkout
    await post(clock, checkoutEvent("budget", clock.now().toISOString()));
    await worker(clock).tick();

    // THEN the high-priority email and the transactional one are written; the low-priority one waits 16 h
    expect((await messagesTo("budget@example.com")).map((m) => [m.nodeId, m.kind])).toEqual([["high", "marketing"], ["receipt", "transactional"]]);
    const waiting = await db.enrollment.findFirstOrThrow({ where: { flowId: low.flowId } });
    expect(waiting).toMatchObject({ status: "active", currentNodeId: "low", deferredReason: "message budget 1 per 16 h" });
    expect(waiting.wakeAt?.toISOString()).toBe("2026-04-21T02:00:00.000Z");

    // WHEN the window opens THEN it is sent, recording the deferral
    clock.set("2026-04-21T02:00:00Z");
    await worker(clock).tick();
    const sent = await messagesTo("budget@example.com");
    expect(sent.map((m) => [m.nodeId, m.createdAt.toISOString()])).toContainEqual(["low", "2026-04-21T02:00:00.000Z"]);
    const step = await db.stepRun.findFirstOrThrow({ where: { enrollmentId: waiting.id, nodeId: "low" } });
    expect(step.result).toEqual({ messageId: expect.any(String), deferred: "message budget 1 per 16 h" });
    expect(await db.enrollment.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ status: "completed", deferredReason: null });
    expect(high.flowId).toBeTruthy();

    // AND the trace tells the story through the CLI
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      expect(await runTraceCommand(["--workspace", workspaceId, "--customer", "budget@example.com"], { databaseUrl })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = lines.join("\n");
    expect(text).toContain("Low priority · enrollment");
    expect(text).toMatch(/deferred\s+email "low" deferred until 2026-04-21T02:00:00.000Z: message budget 1 per 16 h/);
    expect(text).toMatch(/send\s+email "high" queued as msg_\S+ \(marketing\)/);
    expect(text).toMatch(/entered\s+entered \(entry 1, checkout /);
    expect(text).toContain("completed");
  });

  it("message budget expiry: an email still over budget after budgetExpiryHours is skipped, with the reason", async () => {
    const clock = new ManualClock("2026-04-23T10:00:00Z");
    await setMessageBudget(db, { workspaceId, budget: { maxMessages: 1, windowHours: 24 } });
    await publish("First", { entry: "first", nodes: [email("first")] }, clock, { priority: 1 });
    const { flowId } = await publish("Expiring", { rules: { consent: "marketing", budgetExpiryHours: 6 }, entry: "expiring", nodes: [email("expiring")] }, clock, { only: false, priority: 2 });
    await post(clock, checkoutEvent("expiry", clock.now().toISOString()));
    await worker(clock).tick();
    const enrollment = await db.enrollment.findFirstOrThrow({ where: { flowId } });
    expect(enrollment.wakeAt?.toISOString()).toBe("2026-04-23T16:00:00.000Z"); // the expiry comes before the room

    clock.set("2026-04-23T16:00:00Z");
    await worker(clock).tick();
    expect((await messagesTo("expiry@example.com")).map((m) => m.nodeId)).toEqual(["first"]);
    const step = await db.stepRun.findFirstOrThrow({ where: { enrollmentId: enrollment.id } });
    expect(step.result).toEqual({ skipped: "message budget 1 per 24 h: still no room after 6 h" });
    expect((await listTrace(db, { workspaceId, enrollmentId: enrollment.id })).map((entry) => entry.kind)).toEqual(["trigger.matched", "entered", "deferred", "skipped", "completed"]);
  });

  it("transactional messages ignore a marketing unsubscribe but not a bounce", async () => {
    // GIVEN a transactional flow and a marketing flow, and two shoppers: one unsubscribed, one whose address bounced
    const clock = new ManualClock("2026-04-25T10:00:00Z");
    await publish("Order update", { rules: { consent: "transactional", kind: "transactional" }, entry: "update", nodes: [email("update")] }, clock);
    await publish("Promo", { entry: "promo", nodes: [email("promo")] }, clock, { only: false });
    const now = clock.now();
    await suppressAddress(db, { workspaceId, email: "unsubscribed@example.com", reason: "unsubscribe", source: "unsubscribe_link", now });
    await suppressAddress(db, { workspaceId, email: "bounced@example.com", reason: "bounce", source: "sendgrid", now });

    // WHEN both start checkouts and the worker dispatches
    await post(clock, checkoutEvent("unsubscribed", now.toISOString()), checkoutEvent("bounced", now.toISOString()));
    await worker(clock).tick();

    // THEN the unsubscribed shopper still gets the transactional email, not the promo; the bounced one gets neither
    const statuses = async (address: string) => Object.fromEntries((await messagesTo(address)).map((m) => [m.nodeId, m.status]));
    expect(await statuses("unsubscribed@example.com")).toEqual({ update: "outbox", promo: "suppressed" });
    expect(await statuses("bounced@example.com")).toEqual({ update: "suppressed", promo: "suppressed" });
  });

  it("traces a trigger that did not match, naming the condition", async () => {
    const clock = new ManualClock("2026-04-27T10:00:00Z");
    await publish("Big carts", {
      trigger: { type: "event", events: ["checkout.create"], entity: "checkout", conditions: [{ path: "checkout.totalPrice", op: "gte", value: 10000 }] },
      rules: { consent: "transactional" },
      entry: "hello",
      nodes: [email("hello")],
    }, clock);
    await post(clock, checkoutEvent("small", clock.now().toISOString(), { totalPrice: 900 }));
    await worker(clock).tick();
    const trace = await listTrace(db, { workspaceId, email: "small@example.com" });
    expect(trace.map((entry) => entry.text)).toContain("trigger checkout.create did not enroll: condition failed: checkout.totalPrice gte 10000");
  });
});
