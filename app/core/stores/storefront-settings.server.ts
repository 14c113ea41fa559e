// What the admin's per-store "Storefront capture" page shows and changes. A Shopify store captures through the theme
// app embed (is it on in the live theme?) and the web pixel; every other store (WooCommerce, BigCommerce, Magento,
// a custom site, the demo store) through the generic snippet, which needs the store's publishable key and the
// origins allowed to post with it. Every read and write is scoped to the workspace: a store id from another
// workspace is "not found". docs/decisions/0033-generic-storefront-snippet.md
import {
  themeEditorEmbedUrl,
  themeEmbedStatus,
  type ThemeEmbedStatus,
} from "~/core/adapters/shopify/theme-embed.server";
import type { ShopifyAdmin } from "~/core/adapters/shopify/admin-client.server";
import type { Logger } from "~/core/logger.server";
import {
  activateWebPixel,
  type WebPixelActivation,
} from "~/core/storefront/web-pixel.server";
import {
  ensureStorefrontKey,
  parseStorefrontOrigins,
  rotateStorefrontKey,
  setStorefrontOrigins,
  storefrontOriginsOf,
} from "~/core/storefront/keys.server";
import type { Db } from "~/db.server";

export interface StorefrontSettingsDeps {
  db: Db;
  /** Null when the server runs without Shopify credentials (the embed's state is then unknown). */
  shopifyAdmin: ShopifyAdmin | null;
  /** The app's client id, for the theme editor's deep link. */
  shopifyApiKey: string | null;
}

/** The snippet's platforms: which storefront cart API it follows (data-platform). */
export const SNIPPET_PLATFORMS = [
  "woocommerce",
  "bigcommerce",
  "magento",
  "custom",
] as const;
export type SnippetPlatform = (typeof SNIPPET_PLATFORMS)[number];

export interface StorefrontSettings {
  store: {
    id: string;
    platform: string;
    domain: string;
    name: string;
    status: string;
    currency: string;
  };
  /** Shopify stores: the theme embed and the web pixel. */
  shopify: {
    embed: ThemeEmbedStatus;
    themeEditorUrl: string | null;
    webPixelId: string | null;
  } | null;
  /** Every other store: what the snippet needs. */
  snippet: {
    key: string;
    /** The merchant's list as saved (empty: the store's own domain only). */
    savedOrigins: string[];
    /** The origins the endpoint accepts now. */
    allowedOrigins: string[];
    scriptUrl: string;
    /** The tab the install instructions open on. */
    platform: SnippetPlatform;
  } | null;
}

async function findStore(
  db: Db,
  input: { workspaceId: string; storeId: string }
) {
  return db.store.findFirst({
    where: { id: input.storeId, workspaceId: input.workspaceId },
    select: {
      id: true,
      platform: true,
      domain: true,
      name: true,
      status: true,
      currency: true,
      storefrontOrigins: true,
      webPixelId: true,
    },
  });
}

const snippetPlatformOf = (platform: string): SnippetPlatform =>
  SNIPPET_PLATFORMS.find((name) => name === platform) ?? "custom";

/** The page's data; null when the workspace has no such store. Makes the store's key on first visit. */
export async function readStorefrontSettings(
  deps: StorefrontSettingsDeps,
  input: { workspaceId: string; storeId: string; appUrl: string }
): Promise<StorefrontSettings | null> {
  const store = await findStore(deps.db, input);
  if (!store) return null;
  const { storefrontOrigins, webPixelId, ...shown } = store;
  if (store.platform === "shopify") {
    return {
      store: shown,
      shopify: {
        embed: await themeEmbedStatus(deps.shopifyAdmin, store.domain),
        themeEditorUrl: deps.shopifyApiKey
          ? themeEditorEmbedUrl(store.domain, deps.shopifyApiKey)
          : null,
        webPixelId,
      },
      snippet: null,
    };
  }
  const saved = Array.isArray(storefrontOrigins)
    ? storefrontOrigins.filter(
        (origin): origin is string => typeof origin === "string"
      )
    : [];
  return {
    store: shown,
    shopify: null,
    snippet: {
      key: await ensureStorefrontKey(deps.db, store.id),
      savedOrigins: saved,
      allowedOrigins: storefrontOriginsOf(store),
      scriptUrl: `${input.appUrl.replace(
        /\/+$/,
        ""
      )}/storefront/v1/nudgeflow.js`,
      platform: snippetPlatformOf(store.platform),
    },
  };
}

export type SaveOriginsResult =
  | { ok: true; origins: string[] }
  | { ok: false; errors: string[] };

/** Saves the origins typed one per line; any bad line refuses the whole list (nothing saved) with every line's error. */
export async function saveStorefrontOrigins(
  deps: Pick<StorefrontSettingsDeps, "db">,
  input: { workspaceId: string; storeId: string; lines: string }
): Promise<SaveOriginsResult | null> {
  const store = await findStore(deps.db, input);
  if (!store || store.platform === "shopify") return null;
  const parsed = parseStorefrontOrigins(input.lines);
  if (!parsed.ok) return parsed;
  await setStorefrontOrigins(deps.db, store.id, parsed.origins);
  return { ok: true, origins: parsed.origins };
}

/** A new key for the store; the old one stops working at once. Null when the workspace has no such store. */
export async function rotateStoreStorefrontKey(
  deps: Pick<StorefrontSettingsDeps, "db">,
  input: { workspaceId: string; storeId: string }
): Promise<string | null> {
  const store = await findStore(deps.db, input);
  if (!store || store.platform === "shopify") return null;
  return rotateStorefrontKey(deps.db, store.id);
}

/**
 * Turns the Shopify store's web pixel on (again) from the admin, through the shop's offline session: the same
 * activation the install runs (core/storefront/web-pixel.server.ts). Null when the workspace has no such Shopify store.
 */
export async function activateStoreWebPixel(
  deps: StorefrontSettingsDeps & { logger: Logger },
  input: { workspaceId: string; storeId: string; appUrl: string }
): Promise<WebPixelActivation | null> {
  const store = await findStore(deps.db, input);
  if (!store || store.platform !== "shopify") return null;
  const admin = deps.shopifyAdmin;
  if (!admin)
    return {
      ok: false,
      error: "this server has no Shopify app credentials (SHOPIFY_API_KEY)",
    };
  return activateWebPixel(
    {
      db: deps.db,
      // The activation reads GraphQL's whole answer ({ data, errors }); the offline client throws on errors instead.
      graphql: async (query, variables) => {
        try {
          return { data: await admin.graphql(store.domain, query, variables) };
        } catch (error) {
          return {
            errors: [
              {
                message: error instanceof Error ? error.message : String(error),
              },
            ],
          };
        }
      },
      appUrl: input.appUrl,
      logger: deps.logger,
    },
    store.id
  );
}
