// Runs due enrollments: asks the pure engine what to do, then does it. Each step is written as a StepRun whose
// unique (enrollment, node) key makes it happen at most once, whatever crashes, retries or second workers do:
// the step's effects (the message row, the move to the next node) commit in the same transaction.
import { isUniqueViolation, type Db, type DbTx } from "~/db.server";
import { assertUnreachable } from "~/core/assert";
import type { Clock } from "~/core/clock";
import { derivedId } from "~/core/ids";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Logger } from "~/core/logger.server";
import { z } from "zod";
import { LineItem } from "~/core/events";
import { readBranding } from "~/core/messaging/branding.server";
import { triggerShape, usesRecommendations } from "~/core/messaging/email/blocks";
import { emailContext } from "~/core/messaging/email/context";
import { renderEmailNode } from "~/core/messaging/email/render.server";
import { catalogueForEmail } from "~/core/catalogue/email.server";
import { createRecommender } from "~/core/catalogue/recommendations.server";
import type { ClickLinks } from "~/core/messaging/links.server";
import { parseMailbox } from "~/core/messaging/sender";
import { messageContentToWrite } from "~/core/messaging/content.server";
import { skipReasonFor } from "~/core/messaging/suppression.server";
import type { UnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { nextStep, type Decision, type EnrollmentFacts } from "./engine";
import { findNode, triggerEventTypes, type FlowDefinition } from "./definition";
import { budgetFacts } from "./budget.server";
import { createActionRunner, journeyDiscount, type ActionDeps } from "./actions.server";
import { TIMER_NODE, wakeInactivityTimer } from "./inactivity.server";
import { entityConverted, loadEntity } from "./journey.server";
import { writeTrace, type TraceDetail, type TraceKind } from "./trace.server";
import { loadVersion } from "./versions.server";

export interface RunnerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Sender when the workspace has none: "Name <address>". */
  defaultFrom: string;
  /** Signed unsubscribe links for `{{ unsubscribe_url }}` (messaging); none → the variable renders empty. */
  unsubscribe?: UnsubscribeLinks;
  /** Signed click-tracking links (`/r/…`) for the links of every email's HTML; none → links are left as they are. */
  clicks?: ClickLinks;
  /** Told when an enrollment's next wake-up or a queued message is written (BullMQ scale-out); none → polling. */
  scheduler?: Scheduler;
  /** The stores' actions for discount-code and tag nodes (default: demo and WooCommerce stores only). */
  storeActionsFor?: ActionDeps["storeActionsFor"];
  /** Opens store credentials and seals the workspace's webhook secret (webhook nodes need it). */
  secretBox?: ActionDeps["secretBox"];
  /** The network side of webhook nodes (tests: a trusted CA, their loopback server's address). */
  webhooks?: ActionDeps["webhooks"];
}

/** What a step records in its trace (StepRun.result). */
type StepResult = { [key: string]: string | number | boolean | null };

/** At most this many steps per enrollment per wake-up; a longer path goes on at the next tick. */
const MAX_STEPS_PER_WAKE = 25;

type EnrollmentRow = NonNullable<Awaited<ReturnType<Db["enrollment"]["findUnique"]>>>;

async function factsFor(tx: DbTx, enrollment: EnrollmentRow, definition: FlowDefinition, now: Date): Promise<EnrollmentFacts> {
  const { workspaceId } = enrollment;
  const entity = await loadEntity(tx, enrollment);
  const { checkout } = entity;
  const customer = await tx.customer.findFirst({ where: { id: enrollment.customerId, workspaceId } });
  const order = await tx.order.findFirst({
    where: { workspaceId, customerId: enrollment.customerId, placedAt: { gte: enrollment.enteredAt } },
    select: { id: true },
  });
  const placedOrderSinceEntering = Boolean(order || checkout?.orderId);
  const store = await tx.store.findFirst({
    where: entity.storeId ? { id: entity.storeId, workspaceId } : { workspaceId },
    orderBy: { createdAt: "asc" },
    select: { timezone: true },
  });
  // The trigger event is read only where a condition may look at it.
  const node = enrollment.currentNodeId ? findNode(definition, enrollment.currentNodeId) : undefined;
  const trigger = node?.type === "condition" || node?.type === "split"
    ? await tx.event.findFirst({
        where: { workspaceId, customerId: enrollment.customerId, type: { in: triggerEventTypes(definition.trigger) }, occurredAt: enrollment.enteredAt },
        orderBy: { createdAt: "asc" },
        select: { type: true, occurredAt: true, data: true },
      })
    : null;
  const goal = definition.goal;
  const byEntity = () => entityConverted(tx, { workspaceId, entity, since: enrollment.enteredAt });
  const goalReached = !goal
    ? false
    : goal.scope === "customer" || enrollment.entityType === "customer"
      ? placedOrderSinceEntering
      : goal.scope === "entity"
        ? await byEntity()
        : placedOrderSinceEntering || (await byEntity());
  return {
    goalReached: goal && goalReached ? goal.label : null,
    entityActivityAt: entity.activityAt,
    timeZone: store?.timezone ?? "UTC",
    acceptsMarketing: customer?.acceptsMarketing ?? false,
    // The address sendEmail would write to; the dispatcher checks again at send time (a change in between).
    suppressed: node?.type === "email"
      ? await skipReasonFor(tx, { workspaceId, email: checkout?.email ?? customer?.email ?? null, kind: definition.rules.kind === "transactional" ? "transactional" : "marketing" })
      : null,
    budget: node?.type === "email" && definition.rules.kind !== "transactional"
      ? await budgetFacts(tx, { workspaceId, customerId: enrollment.customerId, now })
      : null,
    context: {
      customer,
      checkout,
      cart: entity.cart,
      event: trigger,
      enrollment: { enteredAt: enrollment.enteredAt, placedOrderSinceEntering, entryNumber: enrollment.entryNumber },
    },
  };
}

const StoredLineItems = z.array(LineItem);

/** Line items as stored by profiles (from validated events); parsed again rather than trusted. */
function lineItemsOf(value: unknown): LineItem[] {
  const parsed = StoredLineItems.safeParse(value);
  return parsed.success ? parsed.data : [];
}

export function createFlowRunner(deps: RunnerDeps) {
  const { db, clock, logger } = deps;
  const actions = createActionRunner(deps);
  // Recommendations keep a short-lived per-workspace snapshot of best sellers (core/catalogue, ADR 0029).
  const recommender = createRecommender({ db, clock });

  /** Moves an enrollment and fails if someone else moved it first (rolls the transaction back). */
  async function moveEnrollment(tx: DbTx, enrollment: EnrollmentRow, data: Parameters<Db["enrollment"]["updateMany"]>[0]["data"]) {
    const result = await tx.enrollment.updateMany({
      where: { id: enrollment.id, status: "active", currentNodeId: enrollment.currentNodeId },
      data,
    });
    if (result.count !== 1) throw new EnrollmentMovedError();
  }

  function trace(tx: DbTx, enrollment: EnrollmentRow, now: Date, kind: TraceKind, detail: TraceDetail) {
    return writeTrace(tx, { workspaceId: enrollment.workspaceId, flowId: enrollment.flowId, enrollmentId: enrollment.id, customerId: enrollment.customerId, at: now, kind, detail });
  }

  /** Records a step that has no effect besides moving on (a delay passed, a branch taken, an email skipped). */
  async function runStep(
    enrollment: EnrollmentRow,
    now: Date,
    step: { nodeId: string; nodeType: string; next: string | null; result?: StepResult; trace: { kind: TraceKind; detail: TraceDetail } },
  ) {
    await db.$transaction(async (tx) => {
      await tx.stepRun.create({
        data: { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, nodeId: step.nodeId, nodeType: step.nodeType, ranAt: now, ...(step.result ? { result: step.result } : {}) },
      });
      await moveEnrollment(tx, enrollment, { currentNodeId: step.next, lastStepAt: now, wakeAt: now, deferredReason: null });
      await trace(tx, enrollment, now, step.trace.kind, { nodeId: step.nodeId, nodeType: step.nodeType, ...step.result, ...step.trace.detail });
    });
  }

  /** Writes the step's email; with `suppressedBecause`, as a suppressed message that is never sent (the step is skipped). */
  async function sendEmail(enrollment: EnrollmentRow, definition: FlowDefinition, decision: Extract<Decision, { kind: "send-email" }>, now: Date, suppressedBecause: string | null = null) {
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: enrollment.workspaceId } });
    const customer = await db.customer.findFirstOrThrow({ where: { id: enrollment.customerId, workspaceId: enrollment.workspaceId } });
    const { checkout, cart, storeId } = await loadEntity(db, enrollment);
    const store = storeId ? await db.store.findFirst({ where: { id: storeId, workspaceId: enrollment.workspaceId } }) : null;
    const kind = definition.rules.kind ?? "marketing";
    const messageId = derivedId("msg", enrollment.id, decision.node.id);
    const to = checkout?.email ?? customer.email;
    const fallback = parseMailbox(deps.defaultFrom);
    const from = { email: workspace.fromEmail ?? fallback.email, name: workspace.fromName ?? fallback.name };
    // The checkout when the journey reached one (its recovery link restores it anywhere), else the cart (the
    // store's cart page restores it in the shopper's browser).
    const basket = checkout
      ? { currency: checkout.currency, totalPrice: checkout.totalPrice, subtotalPrice: checkout.subtotalPrice, recoveryUrl: checkout.recoveryUrl, lineItems: lineItemsOf(checkout.lineItems) }
      : cart
        ? { currency: cart.currency, totalPrice: cart.totalPrice, subtotalPrice: cart.totalPrice, recoveryUrl: store ? `https://${store.domain}/cart` : null, lineItems: lineItemsOf(cart.lineItems) }
        : null;
    const discount = await journeyDiscount(db, { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, timeZone: store?.timezone ?? "UTC" });
    // Order and customer journeys see `order.*`: the trigger's order, else the customer's latest.
    const order = triggerShape(definition.trigger).order
      ? await db.order.findFirst({
          where: enrollment.entityType === "order" ? { id: enrollment.entityId, workspaceId: enrollment.workspaceId } : { workspaceId: enrollment.workspaceId, customerId: customer.id, placedAt: { lte: now } },
          orderBy: { placedAt: "desc" },
        })
      : null;
    // Order and customer journeys name no store: the shop is the order's, else the customer's store of origin.
    const shopStore = store ?? (await db.store.findFirst({ where: { workspaceId: enrollment.workspaceId, id: order?.storeId ?? customer.originStoreId ?? undefined }, orderBy: { createdAt: "asc" } }));
    // The catalogue: recommendations for the basket (else the order) when the email shows them; product pages.
    const catalogue = to
      ? await catalogueForEmail({ db, recommender }, {
          workspaceId: enrollment.workspaceId,
          storeId: shopStore?.id ?? null,
          customerId: customer.id,
          lineItems: [...(basket?.lineItems ?? []), ...(order ? lineItemsOf(order.lineItems) : [])],
          recommend: usesRecommendations(decision.node),
        })
      : null;
    // Never throws on a template (templates are checked when the flow is saved); failures are logged.
    const rendered = to
      ? await renderEmailNode(decision.node, emailContext({
          discount,
          ...catalogue,
          shop: { name: shopStore?.name ?? workspace.name, email: workspace.fromEmail, url: shopStore ? `https://${shopStore.domain}` : null, address: shopStore?.address ?? null },
          unsubscribeUrl: (await deps.unsubscribe?.urlFor(messageId)) ?? null,
          customer: { firstName: customer.firstName, lastName: customer.lastName, email: to },
          basket,
          order: order ? { name: order.name, currency: order.currency, totalPrice: order.totalPrice, lineItems: lineItemsOf(order.lineItems), placedAt: order.placedAt } : null,
        }), { branding: await readBranding(db, { workspaceId: enrollment.workspaceId }), trackLink: await deps.clicks?.forMessage(messageId) })
      : null;
    if (rendered?.warnings.length) logger.warn({ workspaceId: enrollment.workspaceId, flowId: enrollment.flowId, nodeId: decision.node.id, warnings: rendered.warnings }, "email template rendered with problems");
    // Shareable content is stored once per step (MessageContent) and the row keeps only its key (ADR 0035).
    const content = rendered && to
      ? await messageContentToWrite(db, { id: messageId, workspaceId: enrollment.workspaceId, kind, fromEmail: from.email, fromName: from.name, subject: rendered.subject, html: rendered.html, text: rendered.text })
      : null;
    await db.$transaction(async (tx) => {
      await tx.stepRun.create({
        data: {
          workspaceId: enrollment.workspaceId,
          enrollmentId: enrollment.id,
          nodeId: decision.node.id,
          nodeType: "email",
          ranAt: now,
          result: rendered
            ? suppressedBecause
              ? { skipped: suppressedBecause, messageId }
              : { messageId, ...(decision.deferred ? { deferred: decision.deferred } : {}) }
            : { skipped: "no email address" },
        },
      });
      if (rendered && to && content) {
        await tx.message.create({
          data: {
            id: messageId,
            kind,
            workspaceId: enrollment.workspaceId,
            storeId: store?.id ?? null,
            customerId: customer.id,
            flowId: enrollment.flowId,
            enrollmentId: enrollment.id,
            nodeId: decision.node.id,
            toEmail: to,
            fromEmail: from.email,
            fromName: from.name,
            subject: rendered.subject,
            ...content,
            status: suppressedBecause ? "suppressed" : "queued",
            ...(suppressedBecause ? { error: `Not sent: ${suppressedBecause}` } : {}),
            nextAttemptAt: now,
            createdAt: now,
          },
        });
      }
      await moveEnrollment(tx, enrollment, { currentNodeId: decision.next, lastStepAt: now, wakeAt: now, deferredReason: null });
      await trace(tx, enrollment, now, rendered && to && !suppressedBecause ? "send" : "skipped", rendered && to
        ? suppressedBecause
          ? { nodeId: decision.node.id, reason: suppressedBecause, messageId, kind }
          : { nodeId: decision.node.id, messageId, kind, ...(decision.deferred ? { deferred: decision.deferred } : {}) }
        : { nodeId: decision.node.id, reason: "no email address" });
    });
    if (rendered && to && !suppressedBecause) deps.scheduler?.notify("dispatch", messageId, now);
  }

  /** Runs one enrollment as far as it can go now. */
  async function advance(enrollmentId: string): Promise<void> {
    for (let step = 0; step < MAX_STEPS_PER_WAKE; step += 1) {
      const now = clock.now();
      const enrollment = await db.enrollment.findUnique({ where: { id: enrollmentId } });
      if (!enrollment || enrollment.status !== "active") return;
      const definition = await loadVersion(db, { workspaceId: enrollment.workspaceId, versionId: enrollment.flowVersionId });
      if (!definition) {
        await db.enrollment.update({ where: { id: enrollment.id }, data: { status: "exited", exitReason: "flow version is missing or invalid", exitedAt: now, wakeAt: null } });
        return;
      }
      if (enrollment.currentNodeId === TIMER_NODE) {
        // An inactivity timer: fire, postpone or end it; a started journey goes on from its entry.
        if (definition.trigger.type !== "inactivity") {
          await db.enrollment.updateMany({ where: { id: enrollment.id, status: "active" }, data: { status: "exited", exitReason: "the flow no longer has an inactivity trigger", exitedAt: now, wakeAt: null } });
          return;
        }
        const trigger = definition.trigger;
        const outcome = await db.$transaction((tx) => wakeInactivityTimer(tx, enrollment, { ...definition, trigger }, now));
        if (outcome.kind === "waiting") deps.scheduler?.notify("step", enrollment.id, outcome.until);
        if (outcome.kind !== "started") return;
        continue;
      }
      const decision = nextStep(definition, enrollment, await factsFor(db, enrollment, definition, now), now);
      const context = { workspaceId: enrollment.workspaceId, flowId: enrollment.flowId, enrollmentId: enrollment.id };
      try {
        switch (decision.kind) {
          case "exit":
            await db.$transaction(async (tx) => {
              const result = await tx.enrollment.updateMany({
                where: { id: enrollment.id, status: "active" },
                data: { status: "exited", exitReason: decision.reason, exitedAt: now, wakeAt: null, deferredReason: null },
              });
              if (result.count === 1) {
                await trace(tx, enrollment, now, decision.reason.startsWith("goal: ") ? "goal" : "exit", { reason: decision.reason, nodeId: enrollment.currentNodeId });
              }
            });
            logger.info({ ...context, reason: decision.reason }, "enrollment exited");
            return;
          case "complete":
            await db.$transaction(async (tx) => {
              const result = await tx.enrollment.updateMany({ where: { id: enrollment.id, status: "active" }, data: { status: "completed", exitedAt: now, wakeAt: null, deferredReason: null } });
              if (result.count === 1) await trace(tx, enrollment, now, "completed", {});
            });
            return;
          case "wait": {
            const deferredReason = decision.reason ?? null;
            await db.$transaction(async (tx) => {
              const result = await tx.enrollment.updateMany({
                where: { id: enrollment.id, status: "active", currentNodeId: enrollment.currentNodeId },
                data: { wakeAt: decision.until, deferredReason },
              });
              // A deferral is traced once per reason and wake-up time, not at every look.
              const changed = deferredReason !== enrollment.deferredReason || decision.until.getTime() !== enrollment.wakeAt?.getTime();
              if (result.count === 1 && deferredReason && changed) {
                await trace(tx, enrollment, now, "deferred", { nodeId: enrollment.currentNodeId, reason: deferredReason, until: decision.until.toISOString() });
              }
            });
            deps.scheduler?.notify("step", enrollment.id, decision.until);
            if (decision.reason) logger.info({ ...context, nodeId: enrollment.currentNodeId, until: decision.until, reason: decision.reason }, "step deferred");
            return;
          }
          case "pass-delay": {
            const nodeType = findNode(definition, decision.nodeId)?.type ?? "delay";
            await runStep(enrollment, now, { nodeId: decision.nodeId, nodeType, next: decision.next, trace: { kind: "step", detail: {} } });
            break;
          }
          case "branch":
            await runStep(enrollment, now, { nodeId: decision.nodeId, nodeType: decision.nodeType, next: decision.next, result: decision.taken, trace: { kind: "branch", detail: {} } });
            break;
          case "skip-email":
            // The suppression list's skip still writes the message (status suppressed, the reason): the outbox and
            // the KPIs count what the list stopped; it is never dispatched.
            if (decision.suppressed) await sendEmail(enrollment, definition, { kind: "send-email", node: decision.node, next: decision.next }, now, decision.reason);
            else await runStep(enrollment, now, { nodeId: decision.node.id, nodeType: "email", next: decision.next, result: { skipped: decision.reason }, trace: { kind: "skipped", detail: { reason: decision.reason } } });
            logger.info({ ...context, nodeId: decision.node.id, reason: decision.reason }, "email step skipped");
            break;
          case "skip-action":
            await runStep(enrollment, now, { nodeId: decision.node.id, nodeType: decision.node.type, next: decision.next, result: { skipped: decision.reason }, trace: { kind: "skipped", detail: { reason: decision.reason } } });
            break;
          case "send-email":
            await sendEmail(enrollment, definition, decision, now);
            logger.info({ ...context, nodeId: decision.node.id }, "email step ran");
            break;
          case "act": {
            // Discount codes, tags, webhooks: leased, called out, committed once (actions.server.ts).
            const ran = await actions.runAction(enrollment, definition, decision.node, now, () => new EnrollmentMovedError(), (at) => deps.scheduler?.notify("step", enrollment.id, at));
            if (ran === "stop") return;
            break;
          }
          default:
            assertUnreachable(decision);
        }
      } catch (error) {
        // Someone else ran this step or moved the enrollment first: look again from the database.
        if (isUniqueViolation(error) || error instanceof EnrollmentMovedError) continue;
        throw error;
      }
    }
    // The path goes on at the next wake-up, which is now.
    deps.scheduler?.notify("step", enrollmentId, clock.now());
  }

  /** Runs one due enrollment; a failure is logged and the enrollment looked at again in a minute. */
  async function runOne(enrollment: { id: string; workspaceId: string }): Promise<void> {
    try {
      await advance(enrollment.id);
    } catch (error) {
      logger.error({ workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, err: error }, "enrollment step failed; it will be retried");
      const retryAt = new Date(clock.now().getTime() + 60_000);
      await db.enrollment.updateMany({ where: { id: enrollment.id, status: "active" }, data: { wakeAt: retryAt } });
      deps.scheduler?.notify("step", enrollment.id, retryAt);
    }
  }

  /** Runs every due enrollment of live flows; returns how many it looked at. */
  async function runDue(limit = 100): Promise<number> {
    // Higher-priority flows first (lower number): when the message budget has room for one email and several
    // flows' emails are due for the same customer, the higher-priority flow takes it.
    const due = await db.enrollment.findMany({
      where: { status: "active", wakeAt: { lte: clock.now() }, flow: { status: "live" } },
      orderBy: [{ flow: { priority: "asc" } }, { wakeAt: "asc" }],
      take: limit,
      select: { id: true, workspaceId: true },
    });
    for (const enrollment of due) await runOne(enrollment);
    return due.length;
  }

  return { runDue, runOne, advance };
}

class EnrollmentMovedError extends Error {}
