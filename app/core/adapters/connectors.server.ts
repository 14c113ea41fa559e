// A plain registry of the platforms' network sides (sync sources, store actions), beside registry.ts's mappers.
import { assertUnreachable } from "~/core/assert";
import type { Platform, PlatformConnector } from "./adapter";
import type { ShopifyAdmin } from "./shopify/admin-client.server";
import { shopifyConnector } from "./shopify/connector.server";
import { wooCommerceConnector } from "./woocommerce/connector.server";

const NONE = (platform: Platform): PlatformConnector => ({ platform });

/** What some connectors need from the process: Shopify's admin client (sessions hold its tokens). */
export interface ConnectorDeps {
  shopifyAdmin?: ShopifyAdmin | null;
}

export function connectorFor(platform: Platform, deps: ConnectorDeps = {}): PlatformConnector {
  switch (platform) {
    case "woocommerce":
      return wooCommerceConnector;
    case "shopify": // the catalogue sync when this process has the app's credentials; customers and orders by webhook
      return shopifyConnector(deps.shopifyAdmin);
    case "demo":
      return NONE(platform);
    default:
      return assertUnreachable(platform);
  }
}
