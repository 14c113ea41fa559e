// The worker: processes the inbox, runs due flow steps, dispatches queued email. The embedded default runs it
// in the web process on a polling loop over the database (the database is the source of truth for every
// enrollment and wake-up); `nudgeflow worker` runs it alone. With REDIS_URL the same work runs as BullMQ jobs
// instead (core/jobs, docs/decisions/0024): `maintain` is then the periodic job, the rest are wake-ups.
import { dispatchDueMessages, reconcileInterruptedSends, type DispatchDeps } from "~/core/messaging/dispatch.server";
import { runConsentUpdates } from "~/core/messaging/consent-updates.server";
import { createStoreActionsFor } from "~/core/adapters/store-actions.server";
import { createFlowRunner, type RunnerDeps } from "~/core/flows/runner.server";
import { createInboxProcessor, type InboxDeps } from "~/core/ingest/process.server";
import { runSegmentMaintenance } from "~/core/segments/maintenance.server";
import { runPredictionMaintenance } from "~/core/predictions/predictions.server";
import { runDueSyncs, type SyncDeps } from "~/core/sync/sync.server";
import { createPromotionSweepState, runWinnerPromotions } from "~/core/analytics/promotion.server";

export type WorkerDeps = InboxDeps &
  DispatchDeps &
  RunnerDeps & {
    /** Opens stored store credentials for the sync phase (backfill, reconcile); without it stores are not synced. */
    secretBox?: SyncDeps["secretBox"];
    /** Shopify's admin client: the sync phase then reads Shopify stores' catalogues and addresses too. */
    shopifyAdmin?: SyncDeps["shopifyAdmin"];
  };

/** Passes per tick: inbox → enrollment → step → message can all happen in one tick. */
const MAX_PASSES = 10;

export function createWorker(deps: WorkerDeps) {
  const inbox = createInboxProcessor(deps);
  const runner = createFlowRunner(deps);
  const promotions = createPromotionSweepState();

  /** The periodic work besides due items (store syncs, predictions, segments); returns how many it handled. */
  async function maintain(): Promise<number> {
    let total = 0;
    // Sync phase: stores whose backfill or reconcile is due write their records to the inbox, processed below.
    if (deps.secretBox || deps.shopifyAdmin) {
      try {
        total += (await runDueSyncs({ db: deps.db, clock: deps.clock, logger: deps.logger, secretBox: deps.secretBox, shopifyAdmin: deps.shopifyAdmin })).length;
      } catch (error) {
        deps.logger.error({ err: error }, "store sync phase failed");
      }
    }
    // Predictions: a workspace without a model, or with one older than a day, is refitted (a few per tick).
    try {
      total += await runPredictionMaintenance(deps);
    } catch (error) {
      deps.logger.error({ err: error }, "prediction maintenance failed");
    }
    // Sends a dead worker left half done: settled from the provider's events, never sent twice.
    try {
      total += await reconcileInterruptedSends(deps);
    } catch (error) {
      deps.logger.error({ err: error }, "reconciling interrupted sends failed");
    }
    // Consent write-back: unsubscribes and resubscribes told to the stores, with retries (ADR 0028).
    try {
      total += await runConsentUpdates({ ...deps, storeActionsFor: deps.storeActionsFor ?? createStoreActionsFor({ secretBox: deps.secretBox }) });
    } catch (error) {
      deps.logger.error({ err: error }, "consent write-back failed");
    }
    // Segments: time-relative rules move customers as their boundaries pass; a daily full recompute repairs drift.
    try {
      total += await runSegmentMaintenance(deps);
    } catch (error) {
      deps.logger.error({ err: error }, "segment maintenance failed");
    }
    // A/B splits set to promote their winner: looked at hourly per live version; a decided test publishes a version.
    try {
      total += await runWinnerPromotions(deps, promotions);
    } catch (error) {
      deps.logger.error({ err: error }, "A/B winner promotion failed");
    }
    return total;
  }

  /** Does all the work that is due now; returns how many items it handled. */
  async function tick(): Promise<number> {
    let total = await maintain();
    for (let pass = 0; pass < MAX_PASSES; pass += 1) {
      const handled = (await inbox.processDue()) + (await runner.runDue()) + (await dispatchDueMessages(deps));
      total += handled;
      if (handled === 0) break;
    }
    return total;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  function start(pollMs: number) {
    stopped = false;
    const loop = () => {
      running = tick()
        .catch((error) => deps.logger.error({ err: error }, "worker tick failed"))
        .finally(() => {
          if (!stopped) timer = setTimeout(loop, pollMs);
        });
    };
    loop();
  }

  /** Stops polling and waits for the tick in flight, so no step is cut in half. */
  async function stop() {
    stopped = true;
    clearTimeout(timer);
    await running;
  }

  return { tick, maintain, start, stop };
}
export type Worker = ReturnType<typeof createWorker>;
