import type { PlatformAdapter } from "../adapter";
import { shopifyToCanonical } from "./to-canonical";

export const shopifyAdapter: PlatformAdapter = {
  platform: "shopify",
  toCanonical: shopifyToCanonical,
};
