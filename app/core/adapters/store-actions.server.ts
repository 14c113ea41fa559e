// The StoreActions of one store, whatever its platform: Shopify through the Admin GraphQL client, WooCommerce
// through its REST client (credentials opened with the secret box), the demo store locally (codes are made up
// and recorded in the step; nothing leaves the process). The runner asks for them when a flow acts on a store.
import type { SecretBox } from "~/core/crypto.server";
import { isPlatform, type StoreActions, type StoreConnection } from "./adapter";
import { connectorFor } from "./connectors.server";
import { shopifyActions } from "./shopify/actions.server";
import type { ShopifyAdmin } from "./shopify/admin-client.server";

export interface ActionStore {
  id: string;
  platform: string;
  domain: string;
  currency: string;
  timezone: string;
  apiUrl: string | null;
  credentials: string | null;
  status: string;
}

/** A store the runner can act on, or why not. */
export type StoreActionsFor = (store: ActionStore) => { ok: true; actions: StoreActions } | { ok: false; error: string };

/** The demo store: accepts every code and tag (the step records them); it has no customer tags of its own to keep. */
export const demoStoreActions: StoreActions = {
  async createDiscountCode(input) {
    return { ok: true, value: { code: input.code, externalId: `demo:${input.code}` } };
  },
  async tagCustomer() {
    return { ok: true, value: null };
  },
  async updateMarketingConsent() {
    return { ok: true, value: null };
  },
};

export function createStoreActionsFor(deps: { secretBox?: () => SecretBox; shopifyAdmin?: ShopifyAdmin | null; fetchImpl?: typeof fetch }): StoreActionsFor {
  return (store) => {
    if (store.status !== "active") return { ok: false, error: `store ${store.domain} is ${store.status}` };
    if (!isPlatform(store.platform)) return { ok: false, error: `store ${store.domain} is on an unknown platform (${store.platform})` };
    switch (store.platform) {
      case "demo":
        return { ok: true, actions: demoStoreActions };
      case "shopify":
        if (!deps.shopifyAdmin) return { ok: false, error: "this process has no Shopify app credentials (SHOPIFY_API_KEY)" };
        return { ok: true, actions: shopifyActions(deps.shopifyAdmin, store.domain, { currency: store.currency }) };
      default: {
        const connector = connectorFor(store.platform);
        if (!connector.actions) return { ok: false, error: `${store.platform} stores cannot be acted on yet` };
        if (store.credentials && !deps.secretBox) return { ok: false, error: "this process cannot open store credentials (no encryption key)" };
        let credentials: string | null;
        try {
          credentials = store.credentials && deps.secretBox ? deps.secretBox().open(store.credentials) : null;
        } catch (error) {
          return { ok: false, error: `the store's credentials cannot be opened: ${error instanceof Error ? error.message : String(error)}` };
        }
        const connection: StoreConnection = { ...store, credentials };
        return { ok: true, actions: connector.actions(connection) };
      }
    }
  };
}
