// Flows hear canonical events from ingest: a goal event exits the enrollments it completes, a trigger event
// enrolls the entity (once per journey; again only as the flow's re-entry rule allows). Every decision is traced.
// Runs inside ingest's transaction.
import { Prisma, type DbTx } from "~/db.server";
import { isMessageEventType, type CanonicalEvent, type CanonicalMessageEvent, type SegmentChangeEvent } from "~/core/events";
import { entryDecision, inHoldout, matchTrigger, type PreviousEntry } from "./engine";
import { triggerEntity, type FlowDefinition } from "./definition";
import { resetInactivityTimers, TIMER_NODE } from "./inactivity.server";
import { cartJourneyKeys, cartView, type EntityKey } from "./journey.server";
import { writeTrace } from "./trace.server";
import { createVersionCache, loadVersion, type VersionCache } from "./versions.server";

/**
 * What flows hear: a canonical event from a store, a derived segment change (`segmentEvent` in core/events), or
 * what happened to one of our emails (`message.*`, written by core/messaging).
 */
export type FlowEvent = CanonicalEvent | SegmentChangeEvent | CanonicalMessageEvent;

export interface FlowEventInput {
  workspaceId: string;
  event: FlowEvent;
  customerId: string | null;
  checkoutId: string | null;
  now: Date;
}

/** The active enrollments an order may complete: the customer's, and those of the order's checkout or cart. */
async function goalCandidates(tx: DbTx, input: FlowEventInput, order: { checkoutToken: string | null; cartToken: string | null }) {
  const { workspaceId, customerId } = input;
  const byCustomer = customerId ? await tx.enrollment.findMany({ where: { workspaceId, customerId, status: "active" } }) : [];
  const tokens = [...(order.checkoutToken ? [{ token: order.checkoutToken }] : []), ...(order.cartToken ? [{ cartToken: order.cartToken }] : [])];
  if (tokens.length === 0) return { byCustomer, entityIds: new Set<string>(), byEntity: [] };
  const checkouts = await tx.checkout.findMany({ where: { workspaceId, OR: tokens }, select: { id: true, cartToken: true } });
  const cartTokens = [...new Set([order.cartToken, ...checkouts.map((checkout) => checkout.cartToken)].filter((token): token is string => Boolean(token)))];
  const siblings = cartTokens.length > 0 ? await tx.checkout.findMany({ where: { workspaceId, cartToken: { in: cartTokens } }, select: { id: true } }) : [];
  const carts = cartTokens.length > 0 ? await tx.cart.findMany({ where: { workspaceId, token: { in: cartTokens } }, select: { id: true } }) : [];
  const checkoutIds = [...new Set([...checkouts, ...siblings].map((checkout) => checkout.id))];
  const cartIds = carts.map((cart) => cart.id);
  const byEntity = await tx.enrollment.findMany({
    where: { workspaceId, status: "active", OR: [{ entityType: "checkout", entityId: { in: checkoutIds } }, { entityType: "cart", entityId: { in: cartIds } }] },
  });
  return { byCustomer, byEntity, entityIds: new Set([...checkoutIds, ...cartIds]) };
}

/** Exits every active enrollment whose flow's goal this order meets (the customer's, or the entity's own). */
async function exitOnGoal(tx: DbTx, input: FlowEventInput, versions: VersionCache): Promise<string[]> {
  const { event, workspaceId } = input;
  if (event.type !== "order.add") return [];
  const { order } = event.data;
  const placedAt = new Date(order.placedAt);
  const { byCustomer, byEntity, entityIds } = await goalCandidates(tx, input, order);
  const seen = new Set<string>();
  const exited: string[] = [];
  for (const enrollment of [...byCustomer, ...byEntity]) {
    if (seen.has(enrollment.id)) continue;
    seen.add(enrollment.id);
    const definition = await loadVersion(tx, { workspaceId, versionId: enrollment.flowVersionId }, versions);
    if (!definition?.goal || definition.goal.event !== event.type || placedAt < enrollment.enteredAt) continue;
    // A waiting inactivity timer is no journey yet: the order resets it instead (resetInactivityTimers).
    if (enrollment.currentNodeId === TIMER_NODE) continue;
    const byCustomer = enrollment.customerId === input.customerId;
    const byEntity = entityIds.has(enrollment.entityId);
    const { scope } = definition.goal;
    const met = scope === "customer" || enrollment.entityType === "customer" ? byCustomer : scope === "entity" ? byEntity : byCustomer || byEntity;
    if (!met) continue;
    const reason = `goal: ${definition.goal.label}`;
    const result = await tx.enrollment.updateMany({
      where: { id: enrollment.id, status: "active" },
      data: { status: "exited", exitReason: reason, exitedAt: input.now, wakeAt: null, deferredReason: null },
    });
    if (result.count !== 1) continue;
    exited.push(enrollment.id);
    await writeTrace(tx, {
      workspaceId,
      flowId: enrollment.flowId,
      enrollmentId: enrollment.id,
      customerId: enrollment.customerId,
      at: input.now,
      kind: "goal",
      detail: {
        reason,
        event: event.type,
        order: order.name ?? order.externalId,
        scope: enrollment.entityType === "customer" ? "customer" : scope,
        metBy: byEntity && scope !== "customer" && enrollment.entityType !== "customer" ? "entity" : "customer",
      },
    });
  }
  return exited;
}

/**
 * Serializes enrollment decisions about one cart across concurrent transactions on PostgreSQL (a transaction-scoped
 * advisory lock), so a cart event and a checkout event of the same cart cannot both start a journey. SQLite
 * serializes writers itself.
 */
async function lockJourney(tx: DbTx, key: string): Promise<void> {
  try {
    await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
  } catch {
    // Not PostgreSQL (SQLite has no advisory locks and needs none): nothing to do.
  }
}

/** The latest journey under any of the keys, as re-entry sees it, and the highest entry number under `own`. */
async function previousEntry(tx: DbTx, flowId: string, own: EntityKey, siblings: EntityKey[]): Promise<{ previous: PreviousEntry | null; ownMax: number }> {
  let rows = await tx.enrollment.findMany({
    where: { flowId, OR: [own, ...siblings].map((key) => ({ entityType: key.type, entityId: key.id })) },
    select: { entityType: true, entityId: true, entryNumber: true, status: true, exitedAt: true, exitReason: true },
  });
  const isOwn = (row: { entityType: string; entityId: string }) => row.entityType === own.type && row.entityId === own.id;
  const ownMax = rows.filter(isOwn).reduce((max, row) => Math.max(max, row.entryNumber), 0);
  // An order closes a cart: a sibling journey that ended in its goal does not hold back a later checkout that
  // names the same cart token (a new purchase); the entity's own journeys follow the re-entry rule as always.
  rows = rows.filter((row) => isOwn(row) || !(row.status === "exited" && row.exitReason?.startsWith("goal: ")));
  if (rows.length === 0) return { previous: null, ownMax };
  const active = rows.find((row) => row.status === "active");
  if (active) return { previous: { entryNumber: active.entryNumber, status: "active", endedAt: null }, ownMax };
  const last = rows.reduce((best, row) => ((row.exitedAt?.getTime() ?? 0) > (best.exitedAt?.getTime() ?? 0) ? row : best));
  return { previous: { entryNumber: last.entryNumber, status: last.status, endedAt: last.exitedAt }, ownMax };
}

/**
 * Whether a flow's trigger listens for this event: its event types, or its segment and direction. A flow never
 * hears what happened to its own emails (`message.*` with its flowId): a flow triggered by "clicked an email"
 * would otherwise enter anew from its own sends (once re-entry allows) — a loop. Such events are ignored, not traced.
 */
export function triggeredBy(definition: FlowDefinition, event: FlowEvent, flowId: string): boolean {
  const { trigger } = definition;
  if (isMessageEventType(event.type) && "flowId" in event.data && event.data.flowId === flowId) return false;
  if (trigger.type === "event") return trigger.events.includes(event.type);
  // Inactivity is a timer that orders reset (resetInactivityTimers), not an event.
  if (trigger.type === "inactivity") return false;
  return (event.type === "segment.entered" || event.type === "segment.exited") && event.type === `segment.${trigger.on}` && event.data.segment.id === trigger.segmentId;
}

export interface LiveFlow {
  flow: { id: string };
  versionId: string;
  definition: FlowDefinition;
}

/** Enrolls the event's entity in every live flow it triggers, as the trigger, its entity and re-entry say. */
async function enrollOnTrigger(tx: DbTx, input: FlowEventInput, versions: VersionCache): Promise<string[]> {
  const { event, customerId, workspaceId } = input;
  if (!customerId) return [];
  const flows = await tx.flow.findMany({ where: { workspaceId, status: "live", liveVersionId: { not: null } }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
  if (flows.length === 0) return [];
  const live: LiveFlow[] = [];
  for (const flow of flows) {
    const versionId = flow.liveVersionId;
    const definition = versionId ? await loadVersion(tx, { workspaceId, versionId }, versions) : null;
    if (versionId && definition && triggeredBy(definition, event, flow.id)) live.push({ flow, versionId, definition });
  }
  return enrollInFlows(tx, input, live, "trigger.matched");
}

/**
 * Enrolls the event's entity in the given flows (whose triggers listen for the event): conditions, the journey's
 * key and re-entry decide; every decision is traced, a match as `matchedKind` (`trigger.backfill` when a flow's
 * backfill enrolls customers already in its segment).
 */
export async function enrollInFlows(tx: DbTx, input: FlowEventInput, live: LiveFlow[], matchedKind: "trigger.matched" | "trigger.backfill"): Promise<string[]> {
  const { event, customerId, checkoutId, workspaceId } = input;
  if (!customerId || live.length === 0) return [];
  const checkout = checkoutId ? await tx.checkout.findFirst({ where: { id: checkoutId, workspaceId } }) : null;
  // Cart journeys: decide about one cart at a time, before reading what is enrolled under it.
  const cartToken = event.type === "cart.create" || event.type === "cart.update" ? event.data.cart.token : checkout?.cartToken;
  if (cartToken && live.some(({ definition }) => triggerEntity(definition.trigger) === "cart")) await lockJourney(tx, `cart:${workspaceId}:${cartToken}`);
  const cart = event.type === "cart.create" || event.type === "cart.update"
    ? await tx.cart.findFirst({ where: { workspaceId, token: event.data.cart.token }, orderBy: { lastActivityAt: "desc" } })
    : checkout?.cartToken
      ? await tx.cart.findUnique({ where: { storeId_token: { storeId: checkout.storeId, token: checkout.cartToken } } })
      : null;
  const customer = await tx.customer.findFirst({ where: { id: customerId, workspaceId } });
  const context = { event, checkout, customer, cart: await cartView(tx, { workspaceId, checkout, cart, customerEmail: customer?.email ?? null }) };
  const eventAt = new Date(event.occurredAt);
  const segment = event.type === "segment.entered" || event.type === "segment.exited" ? event.data.segment.name : null;
  const enrolled: string[] = [];
  for (const { flow, versionId, definition } of live) {
    const trace = (kind: "trigger.matched" | "trigger.backfill" | "trigger.skipped" | "entered", detail: Record<string, string | number | null>, enrollmentId: string | null = null) =>
      writeTrace(tx, { workspaceId, flowId: flow.id, enrollmentId, customerId, at: input.now, kind, detail: { event: event.type, ...(segment !== null ? { segment } : {}), ...detail } });
    const match = matchTrigger(definition.trigger, context);
    if (!match.matched) {
      await trace("trigger.skipped", { reason: `condition failed: ${match.failed}` });
      continue;
    }
    const entity = triggerEntity(definition.trigger);
    let key: EntityKey | null;
    let siblings: EntityKey[] = [];
    if (entity === "customer") key = { type: "customer", id: customerId };
    else if (entity === "checkout") key = checkout ? { type: "checkout", id: checkout.id } : null;
    else {
      const keys = await cartJourneyKeys(tx, { checkout, cart });
      key = keys?.key ?? null;
      siblings = keys?.siblings ?? [];
    }
    if (!key) {
      await trace("trigger.skipped", { reason: `the event names no ${entity}` });
      continue;
    }
    const matched = { entityType: key.type, entityId: key.id };
    const { previous, ownMax } = await previousEntry(tx, flow.id, key, siblings);
    const decision = entryDecision(definition.rules.reentry, previous, eventAt);
    if (!decision.enter) {
      // A cart that changed hands (the shopper corrected the address they typed): its running journey follows it,
      // so the next email goes to the address the cart now belongs to, not the mistyped one.
      const followed = key.type === "cart" && cart?.customerId === customerId
        ? await tx.enrollment.updateMany({ where: { workspaceId, flowId: flow.id, entityType: "cart", entityId: key.id, status: "active", customerId: { not: customerId } }, data: { customerId } })
        : { count: 0 };
      await trace(matchedKind, matched);
      await trace("trigger.skipped", { reason: decision.reason, ...(followed.count > 0 ? { followed: "the cart changed hands: its journey now writes to this customer" } : {}) });
      continue;
    }
    const entryNumber = ownMax + 1;
    // The control group is decided once, here, by a hash of customer and flow: the same customer is always in it.
    const holdout = inHoldout(definition.rules.holdout, { customerId, flowId: flow.id });
    // Native upsert (INSERT … ON CONFLICT): a concurrent worker entering the same entry finds this one.
    const enrollment = await tx.enrollment.upsert({
      where: { flowId_entityType_entityId_entryNumber: { flowId: flow.id, entityType: key.type, entityId: key.id, entryNumber } },
      create: {
        workspaceId,
        flowId: flow.id,
        flowVersionId: versionId,
        customerId,
        entityType: key.type,
        entityId: key.id,
        entryNumber,
        currentNodeId: definition.entry,
        wakeAt: input.now,
        enteredAt: eventAt,
        holdout,
      },
      update: {},
    });
    await trace(matchedKind, matched, enrollment.id);
    await trace("entered", { entryNumber, entityType: key.type, entityId: key.id, ...(enrollment.holdout ? { holdout: "control group: goes through the flow, is sent nothing" } : {}) }, enrollment.id);
    enrolled.push(enrollment.id);
  }
  return enrolled;
}

/**
 * Routes one event to the workspace's flows. `versions`: pass one cache to every call of a batch (one transaction)
 * so each live version is read and parsed once, not once per event; which flows are live is read each time.
 */
export async function routeEventToFlows(tx: DbTx, input: FlowEventInput, versions: VersionCache = createVersionCache()) {
  const exited = await exitOnGoal(tx, input, versions);
  const enrolled = await enrollOnTrigger(tx, input, versions);
  // Inactivity timers: each order arms or postpones them.
  const armed = input.event.type === "order.add" && !input.event.data.order.cancelledAt
    ? await resetInactivityTimers(tx, { workspaceId: input.workspaceId, customerId: input.customerId, placedAt: new Date(input.event.data.order.placedAt), now: input.now })
    : [];
  return { exited, enrolled, armed };
}

/** The store is gone: every running journey of the workspace stops, and nothing queued goes out. */
export async function stopAllSending(tx: DbTx, input: { workspaceId: string; reason: string; now: Date }) {
  await tx.enrollment.updateMany({
    where: { workspaceId: input.workspaceId, status: "active" },
    data: { status: "exited", exitReason: input.reason, exitedAt: input.now, wakeAt: null },
  });
  await tx.message.updateMany({
    where: { workspaceId: input.workspaceId, status: "queued" },
    data: { status: "cancelled", error: input.reason },
  });
}
