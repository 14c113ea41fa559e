// Wiring: builds the worker's and routes' dependencies from the environment. The only place (with bin/)
// that turns configuration into objects; core receives them.
import { createShopifyAdmin, shopifyStoreApi } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { createStoreActionsFor } from "~/core/adapters/store-actions.server";
import { systemClock } from "~/core/clock";
import { createJobQueues, type JobQueues } from "~/core/jobs/queues.server";
import { noopScheduler, type Scheduler } from "~/core/jobs/scheduler";
import { createLogger } from "~/core/logger.server";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
import { createSenderDirectory } from "~/core/messaging/senders.server";
import type { EmailSettingsDeps } from "~/core/messaging/email-settings.server";
import { createClickLinks, type ClickLinks } from "~/core/messaging/links.server";
import { createUnsubscribeLinks, type UnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { getDb } from "~/db.server";
import { env, publicAppUrl, shopifyCredentials } from "~/env.server";
import { secretBox } from "~/secrets.server";
import type { WorkerDeps } from "~/worker.server";

export function createWorkerDeps(): WorkerDeps {
  const config = env();
  const db = getDb();
  const credentials = shopifyCredentials();
  const shopifyAdmin = credentials ? createShopifyAdmin(credentials, createSessionStorage(db)) : null;
  return {
    db,
    clock: systemClock,
    logger: createLogger({ level: config.LOG_LEVEL }),
    defaultFrom: config.MAIL_FROM,
    unsubscribe: unsubscribeLinks(),
    clicks: clickLinks(),
    sender: config.SENDGRID_API_KEY ? createSendGridSender({ apiKey: config.SENDGRID_API_KEY, baseUrl: config.SENDGRID_API_BASE_URL }) : null,
    // A workspace with its own SendGrid key sends through it (Settings → Email delivery); the rest use `sender`.
    senders: createSenderDirectory({ db, secretBox: lazySecretBox, sendgrid: sendGridBaseUrls(), logger: createLogger({ level: config.LOG_LEVEL }) }),
    secretBox,
    scheduler: jobScheduler(),
    storeApiFor: (store) => (store.platform === "shopify" && shopifyAdmin ? shopifyStoreApi(shopifyAdmin, store.domain) : null),
    // The sync phase reads Shopify stores' catalogues and addresses through it.
    shopifyAdmin,
    // Discount-code and tag nodes: Shopify through the admin client, WooCommerce with its opened credentials.
    storeActionsFor: createStoreActionsFor({ secretBox, shopifyAdmin }),
    onShopifyUninstall: async (shop) => {
      await db.session.deleteMany({ where: { shop } });
    },
  };
}

declare global {
  var __nudgeflowJobQueues: JobQueues | null | undefined;
}

/** The process's BullMQ queues when REDIS_URL is set (scale-out), else null (the polling loop does the work). */
export function jobQueues(): JobQueues | null {
  if (globalThis.__nudgeflowJobQueues === undefined) {
    const config = env();
    globalThis.__nudgeflowJobQueues = config.REDIS_URL
      ? createJobQueues({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, clock: systemClock, logger: createLogger({ level: config.LOG_LEVEL }) })
      : null;
  }
  return globalThis.__nudgeflowJobQueues;
}

/** Where routes and the worker announce new due work (an inbox row, a wake-up, a queued email); no-op without Redis. */
export function jobScheduler(): Scheduler {
  return jobQueues()?.scheduler ?? noopScheduler;
}

let links: UnsubscribeLinks | undefined;

/** The process's signer and checker of unsubscribe links (the worker signs, the unsubscribe route checks). */
export function unsubscribeLinks(): UnsubscribeLinks {
  links ??= createUnsubscribeLinks({ db: getDb(), appUrl: publicAppUrl(), secret: env().UNSUBSCRIBE_SECRET });
  return links;
}

let clicks: ClickLinks | undefined;

/** The process's signer and checker of click-tracking links (the worker signs, the /r/ route checks). */
export function clickLinks(): ClickLinks {
  clicks ??= createClickLinks({ db: getDb(), appUrl: publicAppUrl(), secret: env().UNSUBSCRIBE_SECRET });
  return clicks;
}

/** The secret box opened on first use (it throws without ENCRYPTION_KEY in production, so not at boot). */
const lazySecretBox = { seal: (plaintext: string) => secretBox().seal(plaintext), open: (sealed: string) => secretBox().open(sealed) };

/** Each SendGrid region's API (the emulator in tests): a workspace's own account is called at its region's. */
function sendGridBaseUrls(): EmailSettingsDeps["sendgrid"] {
  const config = env();
  return { global: config.SENDGRID_API_BASE_URL, eu: config.SENDGRID_EU_API_BASE_URL };
}

/** What the email settings page needs: the database, the secret box, SendGrid's regions and our public URL. */
export function emailSettingsDeps(): EmailSettingsDeps {
  return { db: getDb(), clock: systemClock, secretBox: lazySecretBox, sendgrid: sendGridBaseUrls(), appUrl: publicAppUrl(), defaultSenderConfigured: Boolean(env().SENDGRID_API_KEY) };
}
