// Steps that act outside our database: create a discount code at the store, tag the customer, call a webhook.
// An outside call cannot join a transaction, so such a step runs in three moves:
//   1. lease: the enrollment's wakeAt is pushed LEASE_MS ahead, guarded on (node, wakeAt) — a second worker that
//      read the same row loses the guard and leaves the step alone;
//   2. call out, with an idempotency key derived from the enrollment and node (the discount code itself, the
//      webhook's X-Nudgeflow-Delivery id; tags are idempotent);
//   3. commit the StepRun (unique on enrollment + node), the effects in our database and the move to the next
//      node in one transaction — or, for a passing failure, a trace row for the attempt and a wake-up after backoff.
// A worker that dies between 2 and 3 leaves the lease to expire; the next attempt repeats the call under the same
// key (a code that "already exists" is the one we made). The StepRun is still written exactly once.
import type { Db, DbTx } from "~/db.server";
import { derivedId } from "~/core/ids";
import type { Logger } from "~/core/logger.server";
import { formatMoney } from "~/core/money";
import type { SecretBox } from "~/core/crypto.server";
import { createStoreActionsFor, type ActionStore, type StoreActionsFor } from "~/core/adapters/store-actions.server";
import { reevaluateCustomers } from "~/core/segments/segments.server";
import { durationMs, triggerEventTypes, type ActionNode, type DiscountCodeNode, type FlowDefinition, type TagCustomerNode, type WebhookNode } from "./definition";
import { sha256Hex } from "./hash";
import { loadEntity } from "./journey.server";
import { writeTrace, type TraceDetail, type TraceKind } from "./trace.server";
import { deliverWebhook, workspaceWebhookSecret, type WebhookTransport } from "./webhook.server";

/** How long a worker holds a step while it calls out (a webhook times out after 10 s). */
export const LEASE_MS = 2 * 60_000;
/** Waits before attempt 2, 3, …: 1 min, 5 min, 30 min, 2 h, then 6 h. */
const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000];
/** Store actions (codes, tags) are tried this many times when the store fails in passing. */
const STORE_ACTION_ATTEMPTS = 3;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export interface ActionDeps {
  db: Db;
  logger: Logger;
  /** The store's actions (default: demo and WooCommerce stores; Shopify needs the app's admin client). */
  storeActionsFor?: StoreActionsFor;
  /** Opens store credentials and seals the workspace's webhook secret. */
  secretBox?: () => SecretBox;
  /** The network side of webhooks (tests: their CA and loopback server). Never from a flow definition. */
  webhooks?: WebhookTransport;
}

type EnrollmentRow = NonNullable<Awaited<ReturnType<Db["enrollment"]["findUnique"]>>>;
type StepValue = string | number | boolean | null;
type StepResult = { [key: string]: StepValue };

type Outcome =
  | { ok: true; result: StepResult; effects?: (tx: DbTx) => Promise<void> }
  | { ok: false; error: string; retryable?: boolean; retryAfterMs?: number; detail?: StepResult };

/** What `runAction` did: `stop` when the enrollment must not be advanced further now. */
export type ActionRun = "moved" | "stop";

export function backoffMs(attempt: number): number {
  return BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)];
}

const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

/** `PREFIX-XXXXXXXX`: the suffix derived from the enrollment and node (unguessable without the ids, the same on a retry). */
export function discountCodeFor(prefix: string, enrollmentId: string, nodeId: string): string {
  const digest = sha256Hex(`discount\u0000${enrollmentId}\u0000${nodeId}`);
  let suffix = "";
  for (let index = 0; index < 8; index += 1) suffix += CODE_ALPHABET[Number.parseInt(digest.slice(index * 4, index * 4 + 4), 16) % CODE_ALPHABET.length];
  return `${prefix.toUpperCase()}-${suffix}`;
}

function describeDiscount(node: Pick<DiscountCodeNode, "kind" | "value">, currency: string): string {
  return node.kind === "percent" ? `${node.value}%` : formatMoney({ amount: node.value, currency });
}

export function createActionRunner(deps: ActionDeps) {
  const { db, logger } = deps;
  const storeActionsFor = deps.storeActionsFor ?? createStoreActionsFor({ secretBox: deps.secretBox });

  function trace(tx: DbTx, enrollment: EnrollmentRow, now: Date, kind: TraceKind, detail: TraceDetail) {
    return writeTrace(tx, { workspaceId: enrollment.workspaceId, flowId: enrollment.flowId, enrollmentId: enrollment.id, customerId: enrollment.customerId, at: now, kind, detail });
  }

  /** The store a journey acts on: its entity's, else where the customer came from, else the workspace's first. */
  async function storeFor(enrollment: EnrollmentRow): Promise<ActionStore | null> {
    const { storeId } = await loadEntity(db, enrollment);
    const customer = await db.customer.findFirst({ where: { id: enrollment.customerId, workspaceId: enrollment.workspaceId }, select: { originStoreId: true } });
    const identity = await db.customerIdentity.findFirst({ where: { workspaceId: enrollment.workspaceId, customerId: enrollment.customerId }, orderBy: { createdAt: "asc" }, select: { storeId: true } });
    for (const id of [storeId, identity?.storeId, customer?.originStoreId]) {
      if (!id) continue;
      const store = await db.store.findFirst({ where: { id, workspaceId: enrollment.workspaceId } });
      if (store) return store;
    }
    return db.store.findFirst({ where: { workspaceId: enrollment.workspaceId, status: "active" }, orderBy: { createdAt: "asc" } });
  }

  async function externalIdAt(enrollment: EnrollmentRow, storeId: string): Promise<string | null> {
    const identity = await db.customerIdentity.findFirst({ where: { workspaceId: enrollment.workspaceId, customerId: enrollment.customerId, storeId }, select: { externalId: true } });
    return identity?.externalId ?? null;
  }

  async function discountCode(enrollment: EnrollmentRow, node: DiscountCodeNode, arrivedAt: Date): Promise<Outcome> {
    const store = await storeFor(enrollment);
    if (!store) return { ok: false, error: "the workspace has no store to create the code in" };
    const resolved = storeActionsFor(store);
    if (!resolved.ok) return { ok: false, error: `cannot create codes in ${store.domain}: ${resolved.error}` };
    const customer = await db.customer.findFirst({ where: { id: enrollment.customerId, workspaceId: enrollment.workspaceId }, select: { email: true } });
    const code = discountCodeFor(node.prefix, enrollment.id, node.id);
    // Counted from when the journey reached the node, so a retried attempt asks for the same expiry.
    const expiresAt = new Date(arrivedAt.getTime() + durationMs(node.expiresAfter)).toISOString();
    const created = await resolved.actions.createDiscountCode({
      code,
      kind: node.kind,
      value: node.value,
      email: customer?.email ?? null,
      customerExternalId: await externalIdAt(enrollment, store.id),
      title: `Nudgeflow ${code}`,
      startsAt: arrivedAt.toISOString(),
      expiresAt,
      usageLimit: 1,
    });
    const result: StepResult = { code, kind: node.kind, value: node.value, display: describeDiscount(node, store.currency), expiresAt, platform: store.platform, storeId: store.id };
    if (created.ok) return { ok: true, result: { ...result, code: created.value.code, externalId: created.value.externalId } };
    // The store already has this code: our own earlier attempt went through before we could record it.
    if (created.conflict) return { ok: true, result: { ...result, externalId: null, note: "already created by an earlier attempt" } };
    return { ok: false, error: `${store.platform} store ${store.domain}: ${created.error}`, retryable: Boolean(created.retryable), detail: created.unsupported ? { unsupported: true } : undefined };
  }

  async function tagCustomer(enrollment: EnrollmentRow, node: TagCustomerNode, now: Date): Promise<Outcome> {
    const identities = await db.customerIdentity.findMany({ where: { workspaceId: enrollment.workspaceId, customerId: enrollment.customerId } });
    const stores = identities.length > 0 ? await db.store.findMany({ where: { workspaceId: enrollment.workspaceId, id: { in: identities.map((identity) => identity.storeId) } } }) : [];
    const result: StepResult = { action: node.action, tags: node.tags.join(", ") };
    for (const store of stores) {
      const externalId = identities.find((identity) => identity.storeId === store.id)?.externalId;
      const resolved = storeActionsFor(store);
      if (!externalId) continue;
      const key = `store.${store.platform}`;
      if (!resolved.ok) {
        result[key] = `not tagged: ${resolved.error}`;
        continue;
      }
      const tagged = await resolved.actions.tagCustomer({ customerExternalId: externalId, tags: node.tags, remove: node.action === "remove" });
      if (tagged.ok) result[key] = node.action === "add" ? "tagged" : "untagged";
      else if (tagged.unsupported) result[key] = `unsupported: ${tagged.error}`;
      else if (tagged.retryable) return { ok: false, error: `${store.platform} store ${store.domain}: ${tagged.error}`, retryable: true };
      else result[key] = `failed: ${tagged.error}`;
    }
    if (stores.length === 0) result.store = "the customer has no store account: tagged in Nudgeflow only";
    const { workspaceId, customerId } = enrollment;
    return {
      ok: true,
      result,
      // Our profile's tags, and the segments that read them, move in the step's own transaction.
      effects: async (tx) => {
        if (node.action === "add") {
          for (const tag of node.tags) {
            await tx.customerTag.upsert({ where: { customerId_tag: { customerId, tag } }, create: { workspaceId, customerId, tag }, update: {} });
          }
        } else {
          await tx.customerTag.deleteMany({ where: { workspaceId, customerId, tag: { in: node.tags } } });
        }
        await reevaluateCustomers(tx, { workspaceId, customerIds: [customerId], now, cause: "event" });
      },
    };
  }

  async function webhook(enrollment: EnrollmentRow, definition: FlowDefinition, node: WebhookNode, arrivedAt: Date, now: Date): Promise<Outcome> {
    if (!deps.secretBox) return { ok: false, error: "this process has no encryption key to keep the workspace's webhook secret (ENCRYPTION_KEY)" };
    const secret = await workspaceWebhookSecret(db, { workspaceId: enrollment.workspaceId, secretBox: deps.secretBox() });
    const customer = await db.customer.findFirst({ where: { id: enrollment.customerId, workspaceId: enrollment.workspaceId } });
    const flow = await db.flow.findFirst({ where: { id: enrollment.flowId, workspaceId: enrollment.workspaceId }, select: { id: true, name: true } });
    const types = triggerEventTypes(definition.trigger);
    const event = types.length > 0
      ? await db.event.findFirst({
          where: { workspaceId: enrollment.workspaceId, customerId: enrollment.customerId, type: { in: types }, occurredAt: enrollment.enteredAt },
          orderBy: { createdAt: "asc" },
          select: { type: true, occurredAt: true, data: true },
        })
      : null;
    const deliveryId = derivedId("whd", enrollment.id, node.id);
    const body = JSON.stringify(webhookBody({ deliveryId, arrivedAt, workspaceId: enrollment.workspaceId, flow, nodeId: node.id, enrollment, customer, event, trigger: definition.trigger.type }));
    const outcome = await deliverWebhook({ url: node.url, body, secret, deliveryId, now }, deps.webhooks);
    if (outcome.ok) return { ok: true, result: { deliveryId, status: outcome.status, url: node.url } };
    return { ok: false, error: outcome.error, retryable: outcome.retryable, retryAfterMs: outcome.retryAfterMs, detail: { deliveryId, ...(outcome.status ? { status: outcome.status } : {}) } };
  }

  async function previousAttempts(enrollment: EnrollmentRow, nodeId: string): Promise<number> {
    const rows = await db.enrollmentTrace.findMany({ where: { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, kind: "attempt" }, select: { detail: true } });
    return rows.filter((row) => typeof row.detail === "object" && row.detail !== null && (row.detail as Record<string, unknown>).nodeId === nodeId).length;
  }

  /**
   * Runs an action step as described at the top. Returns `stop` when the enrollment waits (a lease held elsewhere,
   * a retry later) or ended, `moved` when it went on to the next node.
   */
  async function runAction(
    enrollment: EnrollmentRow,
    definition: FlowDefinition,
    node: ActionNode,
    now: Date,
    guardMoved: () => Error,
    /** Told when the enrollment is next due (the lease's end, a retry): the scale-out scheduler. */
    onWake: (at: Date) => void = () => undefined,
  ): Promise<ActionRun> {
    // Someone holds the step (a lease) or it waits for its next attempt.
    if (enrollment.wakeAt && enrollment.wakeAt > now) return "stop";
    const leaseEnd = new Date(now.getTime() + LEASE_MS);
    const leased = await db.enrollment.updateMany({
      where: { id: enrollment.id, status: "active", currentNodeId: enrollment.currentNodeId, wakeAt: enrollment.wakeAt },
      data: { wakeAt: leaseEnd },
    });
    if (leased.count !== 1) return "stop";
    // Should this worker die during the call, the step is due again when the lease ends.
    onWake(leaseEnd);
    const arrivedAt = enrollment.lastStepAt ?? enrollment.enteredAt;
    const attempt = (await previousAttempts(enrollment, node.id)) + 1;
    const maxAttempts = node.type === "webhook" ? node.maxAttempts : STORE_ACTION_ATTEMPTS;
    let outcome: Outcome;
    try {
      outcome =
        node.type === "discount_code" ? await discountCode(enrollment, node, arrivedAt)
        : node.type === "tag_customer" ? await tagCustomer(enrollment, node, now)
        : await webhook(enrollment, definition, node, arrivedAt, now);
    } catch (error) {
      outcome = { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
    }
    const base = { nodeId: node.id, nodeType: node.type };
    const guard = { id: enrollment.id, status: "active", currentNodeId: enrollment.currentNodeId };

    if (!outcome.ok && outcome.retryable && attempt < maxAttempts) {
      const wait = Math.min(Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempt)), MAX_RETRY_AFTER_MS);
      const retryAt = new Date(now.getTime() + wait);
      const failure = outcome;
      await db.$transaction(async (tx) => {
        const moved = await tx.enrollment.updateMany({ where: guard, data: { wakeAt: retryAt } });
        if (moved.count !== 1) throw guardMoved();
        await trace(tx, enrollment, now, "attempt", { ...base, attempt, maxAttempts, error: failure.error, retryAt: retryAt.toISOString(), ...failure.detail });
      });
      onWake(retryAt);
      logger.warn({ workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, nodeId: node.id, attempt, error: outcome.error }, "action step failed; retrying later");
      return "stop";
    }

    const result: StepResult = outcome.ok ? { ...outcome.result, attempts: attempt } : { failed: outcome.error, attempts: attempt, ...outcome.detail };
    const exit = !outcome.ok && "onFailure" in node && node.onFailure === "exit";
    const effects = outcome.ok ? outcome.effects : undefined;
    await db.$transaction(async (tx) => {
      const code = node.type === "discount_code" && outcome.ok && typeof result.code === "string" ? result.code.trim().toUpperCase() : null;
      await tx.stepRun.create({ data: { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, nodeId: node.id, nodeType: node.type, ranAt: now, result, discountCode: code } });
      const reason = `${node.type} "${node.id}" failed`;
      const moved = await tx.enrollment.updateMany({
        where: guard,
        data: exit
          ? { status: "exited", exitReason: reason, exitedAt: now, wakeAt: null, deferredReason: null }
          : { currentNodeId: node.next, lastStepAt: now, wakeAt: now, deferredReason: null },
      });
      if (moved.count !== 1) throw guardMoved();
      await effects?.(tx);
      await trace(tx, enrollment, now, "action", { ...base, ...result });
      if (exit) await trace(tx, enrollment, now, "exit", { nodeId: node.id, reason });
    });
    logger.info({ workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id, nodeId: node.id, ok: outcome.ok }, "action step ran");
    return exit ? "stop" : "moved";
  }

  return { runAction };
}

/** The documented webhook body (docs/flows.md#outbound-webhooks). */
export function webhookBody(input: {
  deliveryId: string;
  arrivedAt: Date;
  workspaceId: string;
  flow: { id: string; name: string } | null;
  nodeId: string;
  enrollment: EnrollmentRow;
  customer: { id: string; email: string | null; firstName: string | null; lastName: string | null; acceptsMarketing: boolean; ordersCount: number; totalSpent: number; currency: string | null; lastOrderAt: Date | null } | null;
  event: { type: string; occurredAt: Date; data: unknown } | null;
  trigger: string;
}) {
  const { enrollment, customer, event } = input;
  return {
    id: input.deliveryId,
    type: "flow.webhook",
    createdAt: input.arrivedAt.toISOString(),
    workspaceId: input.workspaceId,
    flow: { id: enrollment.flowId, name: input.flow?.name ?? null, nodeId: input.nodeId },
    enrollment: { id: enrollment.id, entryNumber: enrollment.entryNumber, enteredAt: enrollment.enteredAt.toISOString(), entityType: enrollment.entityType, entityId: enrollment.entityId },
    customer: customer
      ? {
          id: customer.id,
          email: customer.email,
          firstName: customer.firstName,
          lastName: customer.lastName,
          acceptsMarketing: customer.acceptsMarketing,
          ordersCount: customer.ordersCount,
          totalSpent: customer.totalSpent,
          currency: customer.currency,
          lastOrderAt: customer.lastOrderAt?.toISOString() ?? null,
        }
      : null,
    event: event ? { type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data } : { type: input.trigger, occurredAt: enrollment.enteredAt.toISOString(), data: null },
  };
}

/** The latest discount code a journey made, as emails read it (`discount.code`, `discount.value`, `discount.expires_at`). */
export async function journeyDiscount(db: Db | DbTx, input: { workspaceId: string; enrollmentId: string; timeZone: string }): Promise<{ code: string; value: string; expiresAt: string; expiresAtIso: string } | null> {
  const steps = await db.stepRun.findMany({ where: { workspaceId: input.workspaceId, enrollmentId: input.enrollmentId, nodeType: "discount_code" }, orderBy: { ranAt: "desc" } });
  for (const step of steps) {
    const result = step.result as Record<string, unknown> | null;
    if (result && typeof result.code === "string" && !result.failed) {
      const iso = typeof result.expiresAt === "string" ? result.expiresAt : "";
      const expiresAt = iso ? new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: input.timeZone }).format(new Date(iso)) : "";
      return { code: result.code, value: typeof result.display === "string" ? result.display : String(result.value ?? ""), expiresAt, expiresAtIso: iso };
    }
  }
  return null;
}

