// Four weeks of a welcome series that has already run in the demo workspace, so a fresh `npm start` shows what the
// flow page's Results card is for (issue 9): attributed revenue, the incremental effect against a control group with
// its 95 % interval, and an A/B test the sequential rule has decided; plus the months before, slower, whose customers
// have had 90 days (the lifetime-value effect). Journeys are simulated, not run through the
// engine (that would take minutes), but with the engine's own assignments (holdoutBucket/inHoldout, abBucket/
// variantForBucket) and written in bulk like the rest of the demo (demo-history.server.ts). Nothing here computes a
// result: the page reads these rows with flowResults/flowKpis like any other flow's.
import type { Db } from "~/db.server";
import { seededRandom } from "~/core/analytics/stats/random";
import { blueprintEmail } from "~/core/flows/blueprints";
import { FlowDefinition } from "~/core/flows/definition";
import { abBucket, HOLDOUT_REASON, inHoldout, variantForBucket } from "~/core/flows/engine";
import { publishFlow } from "~/core/flows/manage.server";
import { derivedId } from "~/core/ids";
import { DEMO_PRODUCTS } from "./demo-history.server";

export const DEMO_RESULTS_FLOW_NAME = "Welcome series (demo results)";

const DAY_MS = 86_400_000;
/** Sign-ups over the last four weeks: enough for both groups to clear the comparison's minimum and the test's. */
const ENTRANTS = 1600;
const SIMULATED_DAYS = 28;
/**
 * Chances of ordering within the outcome window. The control group orders anyway at a base rate; the emails add to
 * it, variant B (a first-order offer) more than A. Large enough differences that four weeks decide the test.
 */
const CONVERSION = { control: 0.04, a: 0.07, b: 0.28 } as const;
/**
 * Before those four weeks, a slower stream of sign-ups over four months (ending before the flow page's 30 days, so
 * its results above are untouched): the ones who signed up more than 90 days ago feed the lifetime-value comparison
 * (clv.server.ts). They also come back: the chance of another order within 90 days, for buyers and for others —
 * higher for customers who were sent the welcome.
 */
const EARLIER_ENTRANTS = 1400;
const EARLIER_FROM_DAYS = 150;
const EARLIER_TO_DAYS = 31;
const REPEAT = { control: { buyer: 0.2, other: 0.02 }, treatment: { buyer: 0.35, other: 0.04 } } as const;

const SHOP_URL = "{{ shop.url }}";
const FOOTER = "You are receiving this because you signed up at {{ shop.name }}.";

const welcomeEmail = (id: string, name: string, subject: string, intro: string) => ({
  id,
  type: "email" as const,
  name,
  subject,
  preheader: "Welcome to {{ shop.name }}.",
  ...blueprintEmail({ heading: "Welcome", intro, items: null, button: { label: "Visit the shop", href: SHOP_URL }, footer: FOOTER }),
  next: null,
});

const DEMO_WELCOME = FlowDefinition.parse({
  schemaVersion: 1,
  trigger: { type: "event", events: ["customer.add"], entity: "customer", conditions: [{ path: "customer.email", op: "exists" }] },
  goal: null,
  // 20 %, not the 5 % suggested to merchants: the demo has a few hundred sign-ups, and a 5 % control group of them
  // (about 80) would give an interval too wide to show anything but "maybe". A real shop trades effect for evidence.
  rules: { consent: "transactional", quietHours: null, holdout: { percent: 20 } },
  entry: "ab-welcome",
  nodes: [
    { id: "ab-welcome", type: "ab_split", variants: [{ id: "a", weight: 1, next: "email-welcome-a" }, { id: "b", weight: 1, next: "email-welcome-b" }] },
    welcomeEmail("email-welcome-a", "Welcome", "Welcome to {{ shop.name }}", "Thanks for signing up. Here is what we are about."),
    welcomeEmail("email-welcome-b", "Welcome with 10% off", "Welcome: 10% off your first order", "Thanks for signing up. Your first order is 10% off with the code HELLO10."),
  ],
});

/**
 * Creates the demo's welcome series with its results when the workspace has none (idempotent: keyed by the flow's
 * name). Returns the number of journeys written.
 */
export async function seedDemoFlowResults(db: Db, input: { workspaceId: string; now: Date }): Promise<number> {
  const { workspaceId, now } = input;
  if (await db.flow.findFirst({ where: { workspaceId, name: DEMO_RESULTS_FLOW_NAME }, select: { id: true } })) return 0;
  const store = await db.store.findFirst({ where: { workspaceId, platform: "demo" }, select: { id: true } });
  if (!store) return 0;
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { fromEmail: true, fromName: true } });
  const start = now.getTime() - SIMULATED_DAYS * DAY_MS;
  const earlierStart = now.getTime() - EARLIER_FROM_DAYS * DAY_MS;
  const flow = await db.flow.create({ data: { workspaceId, name: DEMO_RESULTS_FLOW_NAME, status: "draft" } });
  const { versionId } = await publishFlow({ db, clock: { now: () => new Date(earlierStart - DAY_MS) } }, { workspaceId, flowId: flow.id, definition: DEMO_WELCOME });
  const split = DEMO_WELCOME.nodes[0];
  if (split.type !== "ab_split") throw new Error("the demo welcome series starts with its A/B split");
  const emailOf = new Map(DEMO_WELCOME.nodes.flatMap((node) => (node.type === "email" ? [[node.id, node] as const] : [])));

  const random = seededRandom(20_261_126);
  const customers: { id: string; email: string; firstName: string; createdAt: Date; acceptsMarketing: boolean }[] = [];
  const enrollments: { id: string; workspaceId: string; flowId: string; flowVersionId: string; customerId: string; entityType: string; entityId: string; status: string; currentNodeId: null; enteredAt: Date; lastStepAt: Date; holdout: boolean; exitedAt: Date; createdAt: Date }[] = [];
  const steps: { workspaceId: string; enrollmentId: string; nodeId: string; nodeType: string; result: { variant: string; bucket: number } | { messageId: string } | { skipped: string }; ranAt: Date }[] = [];
  const messages: { id: string; workspaceId: string; storeId: string; customerId: string; flowId: string; enrollmentId: string; nodeId: string; kind: string; toEmail: string; fromEmail: string; fromName: string | null; subject: string; html: string; text: string; status: string; provider: string; providerMessageId: string; attempts: number; nextAttemptAt: Date; createdAt: Date; sentAt: Date }[] = [];
  const events: { workspaceId: string; messageId: string; type: string; occurredAt: Date; provider: string; providerEventId: string; url?: string; machineOpen: boolean }[] = [];
  const orders: { id: string; customerId: string; email: string; placedAt: Date; items: (typeof DEMO_PRODUCTS)[number][] }[] = [];
  const at = (time: number) => new Date(Math.round(time));

  // The four weeks' sign-ups first, then the earlier stream's: the four weeks draw the same numbers as ever.
  for (let index = 0; index < ENTRANTS + EARLIER_ENTRANTS; index += 1) {
    const earlier = index >= ENTRANTS;
    const customerId = `${workspaceId}-welcome-${index + 1}`;
    const email = `welcome.${index + 1}@example.com`;
    // Sign-ups spread over the four weeks, a little busier lately; the earlier ones evenly over their months.
    const enteredAt = earlier
      ? earlierStart + random() * (EARLIER_FROM_DAYS - EARLIER_TO_DAYS) * DAY_MS
      : start + Math.sqrt(random()) * (SIMULATED_DAYS * DAY_MS - 3_600_000);
    customers.push({ id: customerId, email, firstName: `Guest ${index + 1}`, createdAt: at(enteredAt), acceptsMarketing: true });
    const holdout = inHoldout(DEMO_WELCOME.rules.holdout, { customerId, flowId: flow.id });
    const enrollmentId = derivedId("enr", flow.id, customerId);
    enrollments.push({ id: enrollmentId, workspaceId, flowId: flow.id, flowVersionId: versionId, customerId, entityType: "customer", entityId: customerId, status: "completed", currentNodeId: null, enteredAt: at(enteredAt), lastStepAt: at(enteredAt + 60_000), holdout, exitedAt: at(enteredAt + 60_000), createdAt: at(enteredAt) });
    const bucket = abBucket({ customerId, flowId: flow.id, nodeId: split.id });
    const variant = variantForBucket(split.variants, bucket);
    steps.push({ workspaceId, enrollmentId, nodeId: split.id, nodeType: "ab_split", result: { variant: variant.id, bucket }, ranAt: at(enteredAt) });
    const node = variant.next ? emailOf.get(variant.next) : undefined;
    if (!node) throw new Error(`the demo variant "${variant.id}" leads to no email`);
    const sentAt = enteredAt + 60_000;
    let clickedAt: number | null = null;
    const converts = random() < (holdout ? CONVERSION.control : CONVERSION[variant.id === "b" ? "b" : "a"]);
    if (holdout) {
      steps.push({ workspaceId, enrollmentId, nodeId: node.id, nodeType: "email", result: { skipped: HOLDOUT_REASON }, ranAt: at(sentAt) });
    } else {
      const messageId = derivedId("msg", enrollmentId, node.id);
      steps.push({ workspaceId, enrollmentId, nodeId: node.id, nodeType: "email", result: { messageId }, ranAt: at(sentAt) });
      const subject = node.subject.replace("{{ shop.name }}", "Demo store");
      messages.push({ id: messageId, workspaceId, storeId: store.id, customerId, flowId: flow.id, enrollmentId, nodeId: node.id, kind: "transactional", toEmail: email, fromEmail: workspace.fromEmail ?? "hello@demo-store.nudgeflow.dev", fromName: workspace.fromName, subject, html: `<p>${subject}</p>`, text: subject, status: "sent", provider: "sendgrid", providerMessageId: `demo-${messageId}`, attempts: 1, nextAttemptAt: at(sentAt), createdAt: at(sentAt), sentAt: at(sentAt) });
      const event = (type: string, time: number, extra: { url?: string; machineOpen?: boolean } = {}) => {
        if (time < now.getTime()) events.push({ workspaceId, messageId, type, occurredAt: at(time), provider: "sendgrid", providerEventId: `demo-${messageId}-${type}-${events.length}`, machineOpen: false, ...extra });
      };
      if (random() < 0.03) {
        event("bounce", sentAt + 30_000);
      } else {
        event("delivered", sentAt + 20_000);
        // A mail privacy proxy opens about one email in five on arrival: counted as machine opens, never as people.
        if (random() < 0.2) event("open", sentAt + 60_000, { machineOpen: true });
        // Most buyers came through the email (a click the order is attributed to); some browse on their own.
        const clicks = random() < (converts ? 0.7 : 0.1);
        const opened = clicks || random() < 0.4;
        const openedAt = sentAt + 300_000 + random() * DAY_MS;
        if (opened) event("open", openedAt);
        if (clicks) {
          clickedAt = openedAt + 30_000 + random() * 3_600_000;
          event("click", clickedAt, { url: "https://demo-store.nudgeflow.dev/" });
        }
      }
    }
    if (converts) {
      // Within four days of signing up (inside the outcome window); soon after the click when there was one.
      const placedAt = clickedAt === null ? enteredAt + (0.05 + random() * 3.5) * DAY_MS : clickedAt + (0.01 + random() * 1.5) * DAY_MS;
      if (placedAt < now.getTime()) {
        const items = [DEMO_PRODUCTS[Math.floor(random() * DEMO_PRODUCTS.length)]];
        if (random() < 0.4) items.push(DEMO_PRODUCTS[Math.floor(random() * DEMO_PRODUCTS.length)]);
        orders.push({ id: `${workspaceId}-welcome-order-${orders.length + 1}`, customerId, email, placedAt: at(placedAt), items });
      }
    }
    if (earlier) {
      const chance = REPEAT[holdout ? "control" : "treatment"][converts ? "buyer" : "other"];
      if (random() < chance) {
        const placedAt = enteredAt + (10 + random() * 75) * DAY_MS;
        if (placedAt < now.getTime()) orders.push({ id: `${workspaceId}-welcome-order-${orders.length + 1}`, customerId, email, placedAt: at(placedAt), items: [DEMO_PRODUCTS[Math.floor(random() * DEMO_PRODUCTS.length)]] });
      }
    }
  }

  const totalOf = (items: (typeof DEMO_PRODUCTS)[number][]) => items.reduce((sum, item) => sum + item.price, 0);
  const ordersOf = new Map<string, (typeof orders)[number][]>();
  for (const order of orders) ordersOf.set(order.customerId, [...(ordersOf.get(order.customerId) ?? []), order]);
  await db.customer.createMany({
    data: customers.map((customer) => {
      const own = ordersOf.get(customer.id) ?? [];
      return {
        id: customer.id,
        workspaceId,
        email: customer.email,
        firstName: customer.firstName,
        acceptsMarketing: customer.acceptsMarketing,
        originStoreId: store.id,
        ordersCount: own.length,
        totalSpent: own.reduce((sum, order) => sum + totalOf(order.items), 0),
        currency: "USD",
        firstOrderAt: own[0]?.placedAt ?? null,
        lastOrderAt: own[own.length - 1]?.placedAt ?? null,
        createdAt: customer.createdAt,
      };
    }),
  });
  await db.enrollment.createMany({ data: enrollments });
  await db.stepRun.createMany({ data: steps });
  await db.message.createMany({ data: messages });
  await db.messageEvent.createMany({ data: events });
  await db.order.createMany({
    data: orders.map((order, position) => ({
      id: order.id,
      workspaceId,
      storeId: store.id,
      externalId: `W${position + 1}`,
      name: `#W${position + 1}`,
      customerId: order.customerId,
      email: order.email,
      currency: "USD",
      totalPrice: totalOf(order.items),
      lineItems: order.items.map((item) => ({ productId: item.productId, variantId: item.variantId, sku: null, title: item.title, variantTitle: item.variantTitle, quantity: 1, price: item.price, imageUrl: null, category: item.category })),
      financialStatus: "paid",
      placedAt: order.placedAt,
      createdAt: order.placedAt,
    })),
  });
  await db.orderLine.createMany({
    data: orders.flatMap((order) =>
      order.items.map((item, position) => ({ workspaceId, orderId: order.id, position, productId: item.productId, variantId: item.variantId, sku: null, title: item.title, category: item.category, quantity: 1, price: item.price })),
    ),
  });
  return enrollments.length;
}
