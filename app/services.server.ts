// Wiring: builds the worker's and routes' dependencies from the environment. The only place (with bin/)
// that turns configuration into objects; core receives them.
import { createShopifyAdmin, shopifyStoreApi } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { systemClock } from "~/core/clock";
import { createLogger } from "~/core/logger.server";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
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
    sender: config.SENDGRID_API_KEY ? createSendGridSender({ apiKey: config.SENDGRID_API_KEY, baseUrl: config.SENDGRID_API_BASE_URL }) : null,
    secretBox,
    storeApiFor: (store) => (store.platform === "shopify" && shopifyAdmin ? shopifyStoreApi(shopifyAdmin, store.domain) : null),
    onShopifyUninstall: async (shop) => {
      await db.session.deleteMany({ where: { shop } });
    },
  };
}

let links: UnsubscribeLinks | undefined;

/** The process's signer and checker of unsubscribe links (the worker signs, the unsubscribe route checks). */
export function unsubscribeLinks(): UnsubscribeLinks {
  links ??= createUnsubscribeLinks({ db: getDb(), appUrl: publicAppUrl(), secret: env().UNSUBSCRIBE_SECRET });
  return links;
}
