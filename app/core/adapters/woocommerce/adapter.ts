import type { PlatformAdapter } from "../adapter";
import { wooCommerceToCanonical } from "./to-canonical";

export const wooCommerceAdapter: PlatformAdapter = {
  platform: "woocommerce",
  toCanonical: wooCommerceToCanonical,
};
