// The Shopify app: an embedded public app on token exchange (Shopify-managed install) with expiring offline
// tokens, sessions in our database. Built only when Shopify credentials are configured.
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { routeShopifyRequestsTo } from "~/core/adapters/shopify/admin-origin.server";
import { SHOPIFY_API_VERSION, shopAddressLine, type ShopDetails } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { ensureShopifyStore } from "~/core/workspaces/workspaces.server";
import { activateWebPixel } from "~/core/storefront/web-pixel.server";
import { createLogger } from "~/core/logger.server";
import { systemClock } from "~/core/clock";
import { getDb } from "~/db.server";
import { env, shopifyCredentials } from "~/env.server";

const SHOP_QUERY = `#graphql
  query NudgeflowShop { shop { name email currencyCode ianaTimezone myshopifyDomain billingAddress { formatted } } }`;

function createShopifyApp() {
  const credentials = shopifyCredentials();
  if (!credentials) return null;
  const app = shopifyApp({
    apiKey: credentials.apiKey,
    apiSecretKey: credentials.apiSecret,
    apiVersion: SHOPIFY_API_VERSION,
    scopes: credentials.scopes,
    appUrl: credentials.appUrl,
    authPathPrefix: "/auth",
    sessionStorage: createSessionStorage(getDb()),
    distribution: AppDistribution.AppStore,
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      // Runs once per new session: the shop becomes a workspace with a store, named from the Admin API.
      afterAuth: async ({ session, admin }) => {
        const response = await admin.graphql(SHOP_QUERY);
        const { data } = (await response.json()) as { data?: { shop?: ShopDetails & { email: string } } };
        const shop = data?.shop;
        const store = await ensureShopifyStore(getDb(), {
          shop: session.shop,
          now: systemClock.now(),
          details: shop ? { name: shop.name, email: shop.email, currency: shop.currencyCode, timezone: shop.ianaTimezone, address: shopAddressLine(shop) } : undefined,
        });
        // The web pixel reports checkout identity (ADR 0032); a failure is logged and shown in the admin, never fatal.
        await activateWebPixel(
          { db: getDb(), graphql: async (query, variables) => (await admin.graphql(query, { variables })).json(), appUrl: credentials.appUrl, logger: createLogger({ level: env().LOG_LEVEL }) },
          store.id,
        );
      },
    },
  });
  if (credentials.adminApiOrigin) routeShopifyRequestsTo(credentials.adminApiOrigin);
  return app;
}

declare global {
  var __nudgeflowShopify: ReturnType<typeof createShopifyApp> | undefined;
}

/** The Shopify app, or null when no credentials are configured (standalone and demo only). */
export function getShopify() {
  if (globalThis.__nudgeflowShopify === undefined) globalThis.__nudgeflowShopify = createShopifyApp();
  return globalThis.__nudgeflowShopify;
}

/** For routes that only make sense with Shopify configured: 404 otherwise. */
export function requireShopify() {
  const shopify = getShopify();
  if (!shopify) throw new Response("Shopify is not configured on this server", { status: 404 });
  return shopify;
}
