// Acknowledge, store, then work: a verified delivery becomes an inbox row (raw body, dedupe key) and nothing
// more happens on the request path. The worker processes the row later.
import { isUniqueViolation, type Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { Scheduler } from "~/core/jobs/scheduler";
import { ensureShopifyStore, findStore } from "~/core/workspaces/workspaces.server";

export interface Delivery {
  topic: string;
  /** Deterministic per delivery: a redelivery of the same one has the same key. */
  dedupeKey: string;
  /** Shared by all deliveries of one merchant action, when the platform says. */
  eventId: string | null;
  rawBody: string;
  headers: Record<string, string>;
}

export type Receipt = { stored: true; id: string } | { stored: false; duplicateOf: string };

/** What storing a delivery needs; the scheduler (BullMQ scale-out) wakes a worker for the new row. */
export interface ReceiveDeps {
  db: Db;
  clock: Clock;
  scheduler?: Scheduler;
}

export async function storeDelivery(
  deps: ReceiveDeps,
  input: Delivery & { source: string; workspaceId: string | null; storeId: string | null },
): Promise<Receipt> {
  const now = deps.clock.now();
  try {
    const row = await deps.db.inboxEvent.create({
      data: {
        workspaceId: input.workspaceId,
        storeId: input.storeId,
        source: input.source,
        topic: input.topic,
        dedupeKey: input.dedupeKey,
        eventId: input.eventId,
        payload: input.rawBody,
        headers: input.headers,
        receivedAt: now,
        nextAttemptAt: now,
      },
    });
    deps.scheduler?.notify("inbox", row.id, now);
    return { stored: true, id: row.id };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await deps.db.inboxEvent.findUniqueOrThrow({
      where: { source_dedupeKey: { source: input.source, dedupeKey: input.dedupeKey } },
      select: { id: true },
    });
    return { stored: false, duplicateOf: existing.id };
  }
}

/**
 * A Shopify webhook whose HMAC has been verified. The shop is genuine (only Shopify knows our secret), so its
 * workspace is created if this delivery beat the merchant's first visit to the app.
 */
export async function receiveShopifyWebhook(deps: ReceiveDeps, input: Delivery & { shop: string }): Promise<Receipt> {
  // Only a missing store is created here; an uninstalled one stays so (late deliveries and shop/redact arrive after
  // uninstall): reinstalling goes through authentication (afterAuth), never through a webhook.
  const store = (await findStore(deps.db, "shopify", input.shop)) ?? (await ensureShopifyStore(deps.db, { shop: input.shop, now: deps.clock.now() }));
  return storeDelivery(deps, { ...input, source: "shopify", workspaceId: store.workspaceId, storeId: store.id });
}
