// A plain registry of the platforms' network sides (sync sources, store actions), beside registry.ts's mappers.
import { assertUnreachable } from "~/core/assert";
import type { Platform, PlatformConnector } from "./adapter";
import { wooCommerceConnector } from "./woocommerce/connector.server";

const NONE = (platform: Platform): PlatformConnector => ({ platform });

export function connectorFor(platform: Platform): PlatformConnector {
  switch (platform) {
    case "woocommerce":
      return wooCommerceConnector;
    case "shopify": // backfill through bulk operations and store actions arrive with the Shopify-depth slice
    case "demo":
      return NONE(platform);
    default:
      return assertUnreachable(platform);
  }
}
