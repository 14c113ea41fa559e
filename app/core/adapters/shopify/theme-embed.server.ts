// Is the cart-capture app embed switched on in the shop's live theme? Shopify has no field that says so: app embeds
// are off after install, and the merchant's choice lives in the main theme's config/settings_data.json, as a block
// whose type is `shopify://apps/<app>/blocks/cart-capture/<uuid>` and which is not `disabled`. We read that file
// through the Admin GraphQL API (themes(roles: [MAIN]) → files; needs read_themes). The answer is advisory (the admin
// shows it next to the theme editor link), so every failure becomes "unknown" with the reason, never an error page.
import type { ShopifyAdmin } from "./admin-client.server";

/** The embed block's handle: the file name of extensions/cart-capture/blocks/cart-capture.liquid. */
export const CART_CAPTURE_BLOCK_HANDLE = "cart-capture";

export const MAIN_THEME_SETTINGS_QUERY = `query NudgeflowMainThemeSettings {
  themes(first: 1, roles: [MAIN]) {
    nodes {
      id
      name
      files(filenames: ["config/settings_data.json"], first: 1) {
        nodes {
          filename
          body {
            __typename
            ... on OnlineStoreThemeFileBodyText { content }
            ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
          }
        }
      }
    }
  }
}`;

interface ThemeFileNode {
  filename: string;
  body: {
    __typename?: string;
    content?: string;
    contentBase64?: string;
  } | null;
}
interface MainThemeSettingsData {
  themes: {
    nodes: {
      id: string;
      name: string;
      files: { nodes: ThemeFileNode[] } | null;
    }[];
  } | null;
}

export type ThemeEmbedStatus =
  | { state: "active"; themeName: string }
  | { state: "not_active"; themeName: string | null; reason: string }
  | { state: "unknown"; themeName: string | null; reason: string };

/** The deep link that opens the theme editor's App embeds with ours selected (works for embeds only). */
export function themeEditorEmbedUrl(shop: string, apiKey: string): string {
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(
    apiKey
  )}/${CART_CAPTURE_BLOCK_HANDLE}`;
}

/** Shopify writes settings_data.json with a leading /* … *\/ notice ("IMPORTANT: The contents of this file are auto-generated…"). */
export function stripLeadingComment(content: string): string {
  return content.replace(/^\uFEFF?\s*\/\*[\s\S]*?\*\/\s*/, "");
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What settings_data.json says about our embed: active when some block of type …/blocks/cart-capture/… is not
 * disabled (and its own "enabled" checkbox is not off). `current` is usually the settings object; older themes name
 * a preset instead ("current": "Default" → presets.Default).
 */
export function embedStatusFromSettingsData(
  content: string,
  themeName: string
): ThemeEmbedStatus {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripLeadingComment(content));
  } catch (error) {
    return {
      state: "unknown",
      themeName,
      reason: `the theme's config/settings_data.json is not JSON we can read (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }
  if (!isRecord(parsed))
    return {
      state: "unknown",
      themeName,
      reason: "the theme's config/settings_data.json is not a JSON object",
    };
  let current = parsed.current;
  if (typeof current === "string")
    current = isRecord(parsed.presets) ? parsed.presets[current] : undefined;
  const blocks =
    isRecord(current) && isRecord(current.blocks) ? current.blocks : {};
  const ours = Object.values(blocks).filter(
    (block): block is Record<string, unknown> =>
      isRecord(block) &&
      typeof block.type === "string" &&
      block.type.includes(`/blocks/${CART_CAPTURE_BLOCK_HANDLE}/`)
  );
  if (ours.length === 0)
    return {
      state: "not_active",
      themeName,
      reason: `the Nudgeflow cart capture embed has never been turned on in ${themeName}`,
    };
  const on = ours.filter((block) => block.disabled !== true);
  if (on.length === 0)
    return {
      state: "not_active",
      themeName,
      reason: `the Nudgeflow cart capture embed is turned off in ${themeName}'s App embeds`,
    };
  const enabled = on.some(
    (block) => !(isRecord(block.settings) && block.settings.enabled === false)
  );
  if (!enabled)
    return {
      state: "not_active",
      themeName,
      reason: `the embed is on in ${themeName}, but its “Capture carts” setting is unchecked`,
    };
  return { state: "active", themeName };
}

/** The embed's state in the shop's main theme, read now; "unknown" with the reason when Shopify cannot tell us. */
export async function themeEmbedStatus(
  admin: ShopifyAdmin | null,
  shop: string
): Promise<ThemeEmbedStatus> {
  if (!admin)
    return {
      state: "unknown",
      themeName: null,
      reason: "this server has no Shopify app credentials (SHOPIFY_API_KEY)",
    };
  let data: MainThemeSettingsData;
  try {
    data = await admin.graphql<MainThemeSettingsData>(
      shop,
      MAIN_THEME_SETTINGS_QUERY
    );
  } catch (error) {
    return {
      state: "unknown",
      themeName: null,
      reason: `Shopify did not answer the theme query: ${
        error instanceof Error ? error.message : String(error)
      }`,
    };
  }
  const theme = data.themes?.nodes[0];
  if (!theme)
    return {
      state: "not_active",
      themeName: null,
      reason: "the shop has no published theme",
    };
  const file = theme.files?.nodes.find(
    (node) => node.filename === "config/settings_data.json"
  );
  if (!file)
    return {
      state: "not_active",
      themeName: theme.name,
      reason: `${theme.name} has no config/settings_data.json, so no app embed is on`,
    };
  const body = file.body;
  const content =
    typeof body?.content === "string"
      ? body.content
      : typeof body?.contentBase64 === "string"
      ? Buffer.from(body.contentBase64, "base64").toString("utf8")
      : null;
  if (content === null)
    return {
      state: "unknown",
      themeName: theme.name,
      reason: `Shopify gave ${
        theme.name
      }'s config/settings_data.json in a form we do not read (${
        body?.__typename ?? "no body"
      })`,
    };
  return embedStatusFromSettingsData(content, theme.name);
}
