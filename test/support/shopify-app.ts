// The app under test, over real HTTP: the real app server (its own worker off) on a fresh database, in front of
// the Shopify and SendGrid emulators, and a worker in the test's process on a ManualClock the test moves, sending
// through the SendGrid emulator and reading the shop through the Shopify Admin API emulator.
//
//   let harness: ShopifyAppHarness;
//   beforeAll(async () => { harness = await startShopifyAppHarness({ databaseUrl: await createUrl(), clockStart: "…" }); });
//   afterAll(() => harness?.stop());
import { ManualClock } from "~/core/clock";
import { createLogger } from "~/core/logger.server";
import { createShopifyAdmin, shopifyStoreApi } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { createSendGridSender } from "~/core/messaging/sendgrid.server";
import type { Db } from "~/db.server";
import { createWorker, type Worker, type WorkerDeps } from "~/worker.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import {
  sessionTokenFor,
  startShopifyEmulator,
  type ShopifyEmulator,
  type ShopSeed,
  type WebhookDelivery,
} from "../emulators/shopify/server";
import { startAppServer, type AppServer } from "./app-server";
import { openDb } from "./databases";

export const API_KEY = "nudgeflow-test-api-key";
export const API_SECRET = "nudgeflow-test-api-secret-0123456789";
export const SCOPES = "read_customers,write_customers,read_orders,read_fulfillments,write_discounts,read_products";
export const SHOP = "nudge-test.myshopify.com";
export const SENDGRID_KEY = "SG.nudgeflow-test-key";
export const APP_URL = "https://nudgeflow.test";
/** A desktop Chrome, for requests the admin would otherwise answer as a bot's. */
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export interface ShopifyAppHarnessOptions {
  databaseUrl: string;
  /** Where the worker's ManualClock starts; default now. */
  clockStart?: string | Date;
  /**
   * The Shopify side (default on): the emulator, the app's SHOPIFY_* settings, and a worker that reads the store
   * through the Admin API and drops the shop's sessions on uninstall. `false` runs the standalone app.
   */
  shopify?: false | ShopifyOptions;
  /** The SendGrid emulator and the worker's sender (default on, with SENDGRID_KEY); `false` keeps email in the outbox. */
  sendgrid?: false | { apiKey?: string };
  /** More app server settings, given the emulators (e.g. SENDGRID_WEBHOOK_PUBLIC_KEY). */
  extraEnv?: (emulators: Pick<ShopifyAppHarness, "shopify" | "sendgrid">) => Record<string, string | undefined>;
  /** More worker dependencies, given the running app and its database (e.g. unsubscribe links). */
  workerDeps?: (running: Pick<ShopifyAppHarness, "app" | "db">) => Partial<WorkerDeps>;
}

export interface ShopifyOptions {
  /** Default SHOP. */
  shop?: string;
  /** Granted on install and set as the app's SCOPES; default SCOPES. */
  scopes?: string;
  /** The shop's state in the emulator (name, email, currency, time zone, variant images and product types). */
  seed?: ShopSeed;
  /** Whether the worker hydrates events through the Admin API (default true). */
  storeApi?: boolean;
  /** Whether the worker's sync phase reads the shop's catalogue and address through the Admin API (default false). */
  sync?: boolean;
}

export interface ShopifyAppHarness {
  /** Throws when started with `shopify: false`. */
  readonly shopify: ShopifyEmulator;
  /** Throws when started with `sendgrid: false`. */
  readonly sendgrid: SendGridEmulator;
  app: AppServer;
  db: Db;
  clock: ManualClock;
  worker: Worker;
  shop: string;
  /** A fresh session token (App Bridge's ID token) for the shop. */
  sessionToken(): Promise<string>;
  /** A signed webhook from the Shopify emulator to the app, for the shop. */
  deliver(topic: string, body: unknown, extra?: { webhookId?: string; hmac?: string }): Promise<WebhookDelivery>;
  /** Stops the app server, disconnects the database and closes the emulators. */
  stop(): Promise<void>;
}

export async function startShopifyAppHarness(options: ShopifyAppHarnessOptions): Promise<ShopifyAppHarness> {
  const shopifyOptions = options.shopify === false ? null : (options.shopify ?? {});
  const sendgridOptions = options.sendgrid === false ? null : (options.sendgrid ?? {});
  const shop = shopifyOptions?.shop ?? SHOP;
  const scopes = shopifyOptions?.scopes ?? SCOPES;
  const sendgridKey = sendgridOptions?.apiKey ?? SENDGRID_KEY;

  let shopify: ShopifyEmulator | undefined;
  let sendgrid: SendGridEmulator | undefined;
  let app: AppServer | undefined;
  let db: Db | undefined;
  const emulators = {
    get shopify(): ShopifyEmulator {
      if (!shopify) throw new Error("this harness was started without the Shopify emulator");
      return shopify;
    },
    get sendgrid(): SendGridEmulator {
      if (!sendgrid) throw new Error("this harness was started without the SendGrid emulator");
      return sendgrid;
    },
  };

  async function stop(): Promise<void> {
    await app?.stop();
    await db?.$disconnect();
    await shopify?.close();
    await sendgrid?.close();
  }

  try {
    if (shopifyOptions) {
      shopify = await startShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, scopes });
      if (shopifyOptions.seed) shopify.seedShop(shop, shopifyOptions.seed);
    }
    if (sendgridOptions) sendgrid = await startSendGridEmulator({ apiKey: sendgridKey });
    const shopifyEnv = shopify
      ? {
          SHOPIFY_API_KEY: API_KEY,
          SHOPIFY_API_SECRET: API_SECRET,
          SHOPIFY_APP_URL: APP_URL,
          SCOPES: scopes,
          SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
          SESSION_SECRET: "integration-test-session-secret",
        }
      : {};
    app = await startAppServer({
      env: {
        DATABASE_URL: options.databaseUrl,
        ...shopifyEnv,
        NUDGEFLOW_WORKER: "off", // the worker runs here, on a clock the test moves
        ...options.extraEnv?.(emulators),
      },
    });
    const database = openDb(options.databaseUrl);
    db = database;
    const clock = new ManualClock(options.clockStart ?? new Date());
    const shopifyDeps: Partial<WorkerDeps> = {};
    if (shopify) {
      if (shopifyOptions?.storeApi !== false) {
        const admin = createShopifyAdmin(
          { apiKey: API_KEY, apiSecret: API_SECRET, appUrl: APP_URL, scopes: scopes.split(","), adminApiOrigin: shopify.url },
          createSessionStorage(database),
        );
        shopifyDeps.storeApiFor = (store) => (store.platform === "shopify" ? shopifyStoreApi(admin, store.domain) : null);
        if (shopifyOptions?.sync) shopifyDeps.shopifyAdmin = admin;
      }
      shopifyDeps.onShopifyUninstall = async (uninstalled) => {
        await database.session.deleteMany({ where: { shop: uninstalled } });
      };
    }
    const worker = createWorker({
      db: database,
      clock,
      logger: createLogger({ level: "warn" }),
      defaultFrom: "Nudgeflow <hello@nudgeflow.test>",
      sender: sendgrid ? createSendGridSender({ apiKey: sendgridKey, baseUrl: sendgrid.url }) : null,
      ...shopifyDeps,
      ...options.workerDeps?.({ app, db: database }),
    });
    const running = app;

    return {
      get shopify() {
        return emulators.shopify;
      },
      get sendgrid() {
        return emulators.sendgrid;
      },
      app: running,
      db: database,
      clock,
      worker,
      shop,
      sessionToken: () => sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop }),
      deliver: (topic, body, extra = {}) => emulators.shopify.deliverWebhook({ appUrl: running.url, topic, shop, body, ...extra }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
