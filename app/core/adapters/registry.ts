import { assertUnreachable } from "~/core/assert";
import type { Platform, PlatformAdapter } from "./adapter";
import { demoAdapter } from "./demo/adapter";
import { shopifyAdapter } from "./shopify/adapter";
import { wooCommerceAdapter } from "./woocommerce/adapter";

/** A plain registry: one adapter per platform. */
export function adapterFor(platform: Platform): PlatformAdapter {
  switch (platform) {
    case "shopify":
      return shopifyAdapter;
    case "woocommerce":
      return wooCommerceAdapter;
    case "demo":
      return demoAdapter;
    default:
      return assertUnreachable(platform);
  }
}
