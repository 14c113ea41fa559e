// The inbox processor: inbox row → adapter → canonical events → profiles, the event timeline, flows.
// One transaction per row, so a row is processed entirely or not at all, and re-processing is harmless.
// A payload that cannot be understood is kept, marked failed with its reason, and can be replayed.
import type { Db, DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Logger } from "~/core/logger.server";
import type { StoreApi, StoreContext } from "~/core/adapters/adapter";
import { PLATFORMS, type Platform } from "~/core/adapters/adapter";
import { lineItemsOf, needsDetails, withDetails } from "~/core/adapters/line-items";
import { adapterFor } from "~/core/adapters/registry";
import { STOREFRONT_SOURCE, storefrontToCanonical } from "~/core/storefront/to-canonical";
import type { CanonicalEvent } from "~/core/events";
import { applyToProfiles } from "~/core/profiles/apply.server";
import { routeEventToFlows, stopAllSending } from "~/core/flows/enroll.server";
import { createVersionCache } from "~/core/flows/versions.server";
import { markStoreUninstalled } from "~/core/workspaces/workspaces.server";
import { handlePrivacyEvent } from "~/core/privacy/privacy.server";
import { recordSendGridEvents } from "~/core/messaging/message-events.server";
import { SENDGRID_SOURCE } from "~/core/messaging/sendgrid-webhook.server";
import { reevaluateCustomers } from "~/core/segments/membership.server";
import { predictCustomer } from "~/core/predictions/predictions.server";

export interface InboxDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The store's API for filling in thin payloads; null when it cannot be reached (demo, not connected). */
  storeApiFor?: (store: StoreContext & { platform: Platform }) => StoreApi | null;
  /** Called when a Shopify shop uninstalls, to drop its sessions (the library's storage). */
  onShopifyUninstall?: (shop: string) => Promise<void>;
  /** Told about retries and the enrollments a row started, once its transaction has committed (BullMQ scale-out). */
  scheduler?: Scheduler;
}

const MAX_ATTEMPTS = 5;

function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

function retryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** (attempt - 1), 30 * 60_000);
}

/**
 * Email events change engagement (opens, clicks) and consent (unsubscribes, complaints): the segments of the
 * customers whose messages this delivery recorded events for are re-evaluated.
 */
async function reevaluateEngagedCustomers(tx: DbTx, input: { inboxEventId: string; now: Date }) {
  const recorded = await tx.messageEvent.findMany({ where: { inboxEventId: input.inboxEventId }, select: { message: { select: { workspaceId: true, customerId: true } } } });
  const byWorkspace = new Map<string, Set<string>>();
  for (const { message } of recorded) {
    if (message.customerId) byWorkspace.set(message.workspaceId, (byWorkspace.get(message.workspaceId) ?? new Set()).add(message.customerId));
  }
  for (const [workspaceId, customerIds] of byWorkspace) await reevaluateCustomers(tx, { workspaceId, customerIds: [...customerIds], now: input.now, cause: "event" });
}

export function createInboxProcessor(deps: InboxDeps) {
  const { db, clock, logger } = deps;

  async function fail(id: string, reason: string) {
    await db.inboxEvent.update({ where: { id }, data: { status: "failed", error: reason, processedAt: clock.now() } });
  }

  /** Images and categories for line items, when the store can tell; a failure here never blocks the event. */
  async function hydrate(events: CanonicalEvent[], api: StoreApi | null, context: Record<string, unknown>) {
    const missing = events.flatMap((event) => lineItemsOf(event).filter(needsDetails).map((item) => item.variantId ?? ""));
    if (!api || missing.length === 0) return events;
    try {
      const details = await api.variantDetails(missing);
      return events.map((event) => withDetails(event, details));
    } catch (error) {
      logger.warn({ ...context, err: error }, "could not fetch product details (images, categories); continuing without them");
      return events;
    }
  }

  /** Unexpected failures (database, network): try again later, and give up visibly after a few attempts. */
  async function retryLater(row: { id: string }, attempt: number, error: unknown, context: Record<string, unknown>) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.error({ ...context, attempt, err: error }, "inbox event processing failed");
    if (attempt >= MAX_ATTEMPTS) return fail(row.id, `gave up after ${attempt} attempts: ${reason}`);
    const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(attempt));
    await db.inboxEvent.update({ where: { id: row.id }, data: { error: reason, nextAttemptAt } });
    deps.scheduler?.notify("inbox", row.id, nextAttemptAt);
  }

  /**
   * A delivery from the email provider, not a store: its events belong to our messages (each names its message,
   * which names its workspace), so no adapter is involved; messaging maps them.
   */
  async function processEmailEvents(row: { id: string; payload: string; workspaceId: string | null }, attempt: number, context: Record<string, unknown>) {
    try {
      const outcome = await db.$transaction(async (tx) => {
        const now = clock.now();
        const recorded = await recordSendGridEvents(tx, { rawBody: row.payload, inboxEventId: row.id, now, workspaceId: row.workspaceId });
        if (recorded.ok) {
          await reevaluateEngagedCustomers(tx, { inboxEventId: row.id, now });
          await tx.inboxEvent.update({ where: { id: row.id }, data: { status: "processed", processedAt: now, error: null } });
        }
        return recorded;
      });
      if (!outcome.ok) return fail(row.id, outcome.error);
      // Journeys their message.* events started (a flow triggered by a click, say) are due at once.
      for (const id of outcome.enrolled) deps.scheduler?.notify("step", id, clock.now());
      logger.info({ ...context, ...outcome.result }, "email events processed");
    } catch (error) {
      await retryLater(row, attempt, error, context);
    }
  }

  async function processRow(id: string): Promise<void> {
    const row = await db.inboxEvent.findUnique({ where: { id } });
    if (!row || row.status !== "pending") return;
    // Claim it: a second worker that read the same row finds the attempt count moved and leaves it.
    const claimed = await db.inboxEvent.updateMany({ where: { id, status: "pending", attempts: row.attempts }, data: { attempts: row.attempts + 1 } });
    if (claimed.count !== 1) return;
    const attempt = row.attempts + 1;
    const context = { workspaceId: row.workspaceId, inboxEventId: row.id, topic: row.topic };
    if (row.source === SENDGRID_SOURCE) return processEmailEvents(row, attempt, context);

    const store = row.storeId && row.workspaceId ? await db.store.findFirst({ where: { id: row.storeId, workspaceId: row.workspaceId } }) : null;
    if (!store || !row.workspaceId) return fail(row.id, "the delivery is not tied to a known store");
    if (!isPlatform(store.platform)) return fail(row.id, `no adapter for platform "${store.platform}"`);

    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch (error) {
      return fail(row.id, `the payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const storeContext = { id: store.id, domain: store.domain, currency: store.currency, timezone: store.timezone };
    const delivery = { topic: row.topic, payload, receivedAt: row.receivedAt.toISOString() };
    // Storefront captures and pixel events look the same on every platform: mapped by core/storefront, not an adapter.
    const mapped = row.source === STOREFRONT_SOURCE ? storefrontToCanonical(delivery, storeContext) : adapterFor(store.platform).toCanonical(delivery, storeContext);
    if (!mapped.ok) return fail(row.id, mapped.error);

    try {
      const events = await hydrate(mapped.events, deps.storeApiFor?.({ ...storeContext, platform: store.platform }) ?? null, context);
      const workspaceId = row.workspaceId;
      let uninstalled = false;
      const enrolled: { id: string; at: Date }[] = [];
      await db.$transaction(async (tx) => {
        const now = clock.now();
        const touched = new Set<string>();
        // The row's events share one read of each live flow version.
        const versions = createVersionCache();
        for (const [position, event] of events.entries()) {
          const change = await applyToProfiles(tx, { workspaceId, storeId: store.id }, event);
          if (change.customerId) touched.add(change.customerId);
          await tx.event.upsert({
            where: { inboxEventId_position: { inboxEventId: row.id, position } },
            create: {
              workspaceId,
              storeId: store.id,
              customerId: change.customerId,
              type: event.type,
              version: event.version,
              occurredAt: new Date(event.occurredAt),
              data: event.data,
              inboxEventId: row.id,
              position,
            },
            update: {},
          });
          // An order changes the buyer's forecast; recomputed here, before segments are re-evaluated, so rules on
          // predictions (churn probability, CLV) see the new numbers.
          if (change.customerId && ["order.add", "order.update", "order.paid", "order.cancel"].includes(event.type)) {
            await predictCustomer(tx, { workspaceId, customerId: change.customerId, now });
          }
          if (event.type === "store.uninstall") {
            await markStoreUninstalled(tx, { workspaceId, storeId: store.id, now });
            await stopAllSending(tx, { workspaceId, reason: "store uninstalled", now });
            uninstalled = true;
            continue;
          }
          // Compliance requests (data request, customer and shop erasure) are acted on here, in this transaction.
          if (await handlePrivacyEvent(tx, { workspaceId, storeId: store.id, event, inboxEventId: row.id, now })) continue;
          const routed = await routeEventToFlows(tx, { workspaceId, event, customerId: change.customerId, checkoutId: change.checkoutId, now }, versions);
          for (const id of routed.enrolled) enrolled.push({ id, at: now });
        }
        // Segments follow the customers this delivery touched, in the same transaction (their events reach flows too).
        await reevaluateCustomers(tx, { workspaceId, customerIds: [...touched], now, cause: "event" });
        await tx.inboxEvent.update({ where: { id: row.id }, data: { status: "processed", processedAt: now, error: null } });
      });
      for (const { id, at } of enrolled) deps.scheduler?.notify("step", id, at);
      if (uninstalled && store.platform === "shopify") await deps.onShopifyUninstall?.(store.domain);
      logger.debug({ ...context, events: events.length }, "inbox event processed");
    } catch (error) {
      await retryLater(row, attempt, error, context);
    }
  }

  /** Processes pending rows in the order they arrived; returns how many it looked at. */
  async function processDue(limit = 100): Promise<number> {
    const due = await db.inboxEvent.findMany({
      // A new delivery is due at once, whoever stamped it; a retry waits for its backoff.
      where: { status: "pending", OR: [{ attempts: 0 }, { nextAttemptAt: { lte: clock.now() } }] },
      orderBy: { receivedAt: "asc" },
      take: limit,
      select: { id: true },
    });
    for (const row of due) await processRow(row.id);
    return due.length;
  }

  return { processDue, processRow };
}
