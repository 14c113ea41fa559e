// The per-store "Storefront capture" settings over real parts: a Shopify shop installed through the Shopify emulator,
// whose main theme's config/settings_data.json the test writes, read back through the Admin GraphQL API (embed
// active, disabled, absent, a preset-named `current`, the /* … */ header, unreadable JSON, an API that refuses →
// unknown), the page itself as the embedded admin renders it; and a WooCommerce store's snippet key and allowed
// origins (a bad line refuses the whole list with each line's error and saves nothing; rotation retires the old key),
// never across workspaces. SQLite, and PostgreSQL when DATABASE_URL points at one. Needs `remix build` first.
import { Session } from "@shopify/shopify-api";
import {
  createShopifyAdmin,
  type ShopifyAdmin,
} from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import {
  embedStatusFromSettingsData,
  themeEmbedStatus,
  themeEditorEmbedUrl,
} from "~/core/adapters/shopify/theme-embed.server";
import { silentLogger as logger } from "~/core/logger.server";
import {
  activateStoreWebPixel,
  readStorefrontSettings,
  rotateStoreStorefrontKey,
  saveStorefrontOrigins,
} from "~/core/stores/storefront-settings.server";
import { storefrontOriginsOf } from "~/core/storefront/keys.server";
import { databaseTargets, dropAll } from "../support/databases";
import {
  API_KEY,
  API_SECRET,
  APP_URL,
  BROWSER_UA,
  SCOPES,
  SHOP,
  startShopifyAppHarness,
  type ShopifyAppHarness,
} from "../support/shopify-app";

afterAll(dropAll);

/** What the app asks for since issue 8: the theme's files, and the web pixel. */
const GRANTED = [
  ...new Set([
    ...SCOPES.split(","),
    "read_themes",
    "write_pixels",
    "read_customer_events",
  ]),
].join(",");
const SHOPIFY_HEADER = `/*
 * IMPORTANT: The contents of this file are auto-generated.
 *
 * This file may be updated by the Shopify admin theme editor
 * or related systems. Please exercise caution as any changes
 * made to this file may be overwritten.
 */
`;
const OUR_BLOCK_TYPE =
  "shopify://apps/nudgeflow/blocks/cart-capture/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";

/** A settings_data.json as Shopify writes it: the notice, then `current` with the app embeds under `blocks`. */
function settingsData(
  blocks: Record<string, unknown>,
  options: { header?: boolean } = {}
): string {
  const body = JSON.stringify(
    {
      current: {
        colors_solid_button_labels: "#ffffff",
        sections: {},
        content_for_index: [],
        blocks,
      },
    },
    null,
    2
  );
  return (options.header === false ? "" : SHOPIFY_HEADER) + body;
}

describe.each(databaseTargets())(
  "storefront capture settings on %s",
  (_name, createUrl) => {
    let harness: ShopifyAppHarness;
    let admin: ShopifyAdmin;
    let workspaceId: string;
    let shopifyStoreId: string;

    const deps = () => ({
      db: harness.db,
      shopifyAdmin: admin,
      shopifyApiKey: API_KEY,
    });
    const theme = () => {
      const shop = harness.shopify.shops.get(SHOP);
      if (!shop?.mainTheme)
        throw new Error("the emulator has no main theme for the shop");
      return shop.mainTheme;
    };

    beforeAll(async () => {
      harness = await startShopifyAppHarness({
        databaseUrl: await createUrl(),
        shopify: { scopes: GRANTED },
        sendgrid: false,
      });
      admin = createShopifyAdmin(
        {
          apiKey: API_KEY,
          apiSecret: API_SECRET,
          appUrl: APP_URL,
          scopes: GRANTED.split(","),
          adminApiOrigin: harness.shopify.url,
        },
        createSessionStorage(harness.db)
      );
      // The merchant opens the embedded app: token exchange, the workspace and the store.
      const host = Buffer.from(
        `admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`
      ).toString("base64url");
      const installed = await fetch(
        `${
          harness.app.url
        }/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`,
        { headers: { "User-Agent": BROWSER_UA } }
      );
      expect(installed.status, harness.app.output()).toBe(200);
      const store = await harness.db.store.findUniqueOrThrow({
        where: { platform_domain: { platform: "shopify", domain: SHOP } },
      });
      workspaceId = store.workspaceId;
      shopifyStoreId = store.id;
    });

    afterAll(() => harness?.stop());

    describe("the cart-capture embed in the main theme", () => {
      it("is active when our block is in settings_data.json and not disabled, behind Shopify's comment header", async () => {
        // GIVEN the merchant turned the embed on in Dawn (another app's embed beside it, switched off)
        theme().settingsData = settingsData({
          "17012345678901234567": {
            type: OUR_BLOCK_TYPE,
            disabled: false,
            settings: { enabled: true, email_prompt: false },
          },
          "17098765432109876543": {
            type: "shopify://apps/other-app/blocks/chat/11111111-2222-3333-4444-555555555555",
            disabled: true,
            settings: {},
          },
        });

        // WHEN the admin asks
        const settings = await readStorefrontSettings(deps(), {
          workspaceId,
          storeId: shopifyStoreId,
          appUrl: APP_URL,
        });

        // THEN it is active in the main theme, with the deep link to the theme editor's App embeds; no snippet for Shopify
        expect(settings?.shopify).toEqual({
          embed: { state: "active", themeName: "Dawn" },
          themeEditorUrl: `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/cart-capture`,
          // The install turned the pixel on (ADR 0032); the page shows the id Shopify gave it
          webPixelId: harness.shopify.shops.get(SHOP)?.webPixel?.id,
        });
        expect(settings?.shopify?.webPixelId).toEqual(expect.any(String));
        expect(settings?.snippet).toBeNull();
        const asked = harness.shopify.graphqlRequests.filter(
          (request) => request.operationName === "NudgeflowMainThemeSettings"
        );
        expect(asked.at(-1)).toMatchObject({ shop: SHOP, status: 200 });
      });

      it("is not active when the block is disabled, when its own setting is off, or when it was never added", async () => {
        theme().settingsData = settingsData({
          a: {
            type: OUR_BLOCK_TYPE,
            disabled: true,
            settings: { enabled: true },
          },
        });
        expect(await themeEmbedStatus(admin, SHOP)).toEqual({
          state: "not_active",
          themeName: "Dawn",
          reason:
            "the Nudgeflow cart capture embed is turned off in Dawn's App embeds",
        });

        theme().settingsData = settingsData({
          a: {
            type: OUR_BLOCK_TYPE,
            disabled: false,
            settings: { enabled: false },
          },
        });
        expect(await themeEmbedStatus(admin, SHOP)).toMatchObject({
          state: "not_active",
          reason: expect.stringContaining(
            "“Capture carts” setting is unchecked"
          ),
        });

        theme().settingsData = settingsData({
          a: {
            type: "shopify://apps/other-app/blocks/cart-capture-lite/x",
            disabled: false,
          },
        });
        expect(await themeEmbedStatus(admin, SHOP)).toEqual({
          state: "not_active",
          themeName: "Dawn",
          reason:
            "the Nudgeflow cart capture embed has never been turned on in Dawn",
        });

        // A theme that never had an app embed has no `blocks` at all; one without the file has no settings yet.
        theme().settingsData = `${SHOPIFY_HEADER}{"current":{"sections":{}}}`;
        expect(await themeEmbedStatus(admin, SHOP)).toMatchObject({
          state: "not_active",
        });
        theme().settingsData = null;
        expect(await themeEmbedStatus(admin, SHOP)).toMatchObject({
          state: "not_active",
          reason:
            "Dawn has no config/settings_data.json, so no app embed is on",
        });
      });

      it("reads files with or without the comment header, and a `current` that names a preset", async () => {
        theme().settingsData = settingsData(
          { a: { type: OUR_BLOCK_TYPE, disabled: false } },
          { header: false }
        );
        expect(await themeEmbedStatus(admin, SHOP)).toEqual({
          state: "active",
          themeName: "Dawn",
        });

        expect(
          embedStatusFromSettingsData(
            `\uFEFF/* notice */\n{"current":"Default","presets":{"Default":{"blocks":{"b":{"type":"${OUR_BLOCK_TYPE}","disabled":false}}}}}`,
            "Sense"
          )
        ).toEqual({
          state: "active",
          themeName: "Sense",
        });
      });

      it("says unknown, with the reason, when the file is not JSON or Shopify refuses the query", async () => {
        theme().settingsData = `${SHOPIFY_HEADER}{"current": {"blocks": `;
        expect(await themeEmbedStatus(admin, SHOP)).toMatchObject({
          state: "unknown",
          themeName: "Dawn",
          reason: expect.stringContaining("is not JSON we can read"),
        });

        // A shop whose stored token Shopify does not accept (revoked, or an uninstall we have not heard of yet)
        const other = "revoked-shop.myshopify.com";
        harness.shopify.seedShop(other);
        await createSessionStorage(harness.db).storeSession(
          new Session({
            id: `offline_${other}`,
            shop: other,
            state: "",
            isOnline: false,
            accessToken: "shpat_not-a-token-shopify-issued",
            scope: GRANTED,
          })
        );
        expect(await themeEmbedStatus(admin, other)).toMatchObject({
          state: "unknown",
          themeName: null,
          reason: expect.stringContaining(
            "Shopify did not answer the theme query"
          ),
        });

        // A shop the app was never installed on, and a server without Shopify credentials
        expect(
          await themeEmbedStatus(admin, "never-installed.myshopify.com")
        ).toMatchObject({
          state: "unknown",
          reason: expect.stringContaining("no offline session"),
        });
        expect(await themeEmbedStatus(null, SHOP)).toEqual({
          state: "unknown",
          themeName: null,
          reason:
            "this server has no Shopify app credentials (SHOPIFY_API_KEY)",
        });
      });

      it("shows the state and the theme editor link on the embedded admin page", async () => {
        theme().settingsData = settingsData({
          a: { type: OUR_BLOCK_TYPE, disabled: true },
        });
        const host = Buffer.from(
          `admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`
        ).toString("base64url");
        const page = await fetch(
          `${
            harness.app.url
          }/app/stores/${shopifyStoreId}?embedded=1&shop=${SHOP}&host=${host}&id_token=${await harness.sessionToken()}`,
          { headers: { "User-Agent": BROWSER_UA } }
        );
        const html = await page.text();
        expect(page.status, html.slice(0, 500)).toBe(200);
        expect(html).toContain("Not active");
        expect(html).toContain("is turned off in Dawn&#x27;s App embeds");
        expect(html).toContain(
          themeEditorEmbedUrl(SHOP, API_KEY).replace(/&/g, "&amp;")
        );
      });
    });

    describe("the web pixel", () => {
      it("is turned on again from the admin when Shopify lost it, and says why when it cannot be", async () => {
        // GIVEN a shop whose pixel is gone on both sides (an uninstall and reinstall, a failed first activation)
        const emulated = harness.shopify.shops.get(SHOP);
        if (!emulated) throw new Error("the emulator lost the shop");
        emulated.webPixel = null;
        await harness.db.store.update({
          where: { id: shopifyStoreId },
          data: { webPixelId: null },
        });
        expect(
          (
            await readStorefrontSettings(deps(), {
              workspaceId,
              storeId: shopifyStoreId,
              appUrl: APP_URL,
            })
          )?.shopify?.webPixelId
        ).toBeNull();

        // WHEN the merchant turns it on from the store's page
        const activated = await activateStoreWebPixel(
          { ...deps(), logger },
          { workspaceId, storeId: shopifyStoreId, appUrl: APP_URL }
        );

        // THEN Shopify has the pixel with the store's key and our URL, and the store keeps its id
        const pixel = harness.shopify.shops.get(SHOP)?.webPixel;
        expect(activated).toEqual({ ok: true, id: pixel?.id, created: true });
        const store = await harness.db.store.findUniqueOrThrow({
          where: { id: shopifyStoreId },
        });
        expect(store.webPixelId).toBe(pixel?.id);
        expect(JSON.parse(pixel?.settings ?? "{}")).toEqual({
          storefrontKey: store.storefrontKey,
          appUrl: APP_URL,
        });

        // Without Shopify credentials it says so; another workspace's or a non-Shopify store is not found
        expect(
          await activateStoreWebPixel(
            { ...deps(), shopifyAdmin: null, logger },
            { workspaceId, storeId: shopifyStoreId, appUrl: APP_URL }
          )
        ).toEqual({
          ok: false,
          error: "this server has no Shopify app credentials (SHOPIFY_API_KEY)",
        });
        expect(
          await activateStoreWebPixel(
            { ...deps(), logger },
            {
              workspaceId: "someone-else",
              storeId: shopifyStoreId,
              appUrl: APP_URL,
            }
          )
        ).toBeNull();
      });
    });

    describe("a WooCommerce store's snippet key and allowed origins", () => {
      let storeId: string;
      let otherWorkspaceStoreId: string;

      beforeAll(async () => {
        const store = await harness.db.store.create({
          data: {
            workspaceId,
            platform: "woocommerce",
            domain: "shop.example.com",
            name: "Woo shop",
            apiUrl: "https://shop.example.com",
          },
        });
        storeId = store.id;
        const stranger = await harness.db.workspace.create({
          data: { name: "Someone else" },
        });
        otherWorkspaceStoreId = (
          await harness.db.store.create({
            data: {
              workspaceId: stranger.id,
              platform: "woocommerce",
              domain: "stranger.example",
              name: "Stranger",
            },
          })
        ).id;
      });

      it("makes the key once, and shows the install data for the store's platform", async () => {
        const first = await readStorefrontSettings(deps(), {
          workspaceId,
          storeId,
          appUrl: "https://app.nudgeflow.test/",
        });
        expect(first?.shopify).toBeNull();
        expect(first?.snippet).toMatchObject({
          savedOrigins: [],
          allowedOrigins: ["https://shop.example.com"],
          scriptUrl: "https://app.nudgeflow.test/storefront/v1/nudgeflow.js",
          platform: "woocommerce",
        });
        expect(first?.snippet?.key).toMatch(/^pk_[0-9A-Za-z]{24}$/);
        const again = await readStorefrontSettings(deps(), {
          workspaceId,
          storeId,
          appUrl: APP_URL,
        });
        expect(again?.snippet?.key).toBe(first?.snippet?.key);
        // Another workspace's store does not exist for this one
        expect(
          await readStorefrontSettings(deps(), {
            workspaceId,
            storeId: otherWorkspaceStoreId,
            appUrl: APP_URL,
          })
        ).toBeNull();
      });

      it("refuses a list with bad lines, naming each, and saves nothing; saves a good list; empty goes back to the default", async () => {
        // WHEN one good origin and two bad lines are saved
        const refused = await saveStorefrontOrigins(deps(), {
          workspaceId,
          storeId,
          lines:
            "https://shop.example.com\nhttp://shop.example.com\n\nhttps://shop.example.com/cart",
        });

        // THEN each bad line is named with its number, and the store keeps its default
        expect(refused).toEqual({
          ok: false,
          errors: [
            expect.stringMatching(/^Line 2 .*must use https:\/\//),
            expect.stringMatching(/^Line 4 .*origin only/),
          ],
        });
        expect(
          (await harness.db.store.findUniqueOrThrow({ where: { id: storeId } }))
            .storefrontOrigins
        ).toBeNull();

        // WHEN a good list is saved (spaces, a trailing slash and a duplicate are forgiven)
        const saved = await saveStorefrontOrigins(deps(), {
          workspaceId,
          storeId,
          lines:
            "  https://Shop.Example.com/ \nhttps://www.shop.example.com\nhttps://shop.example.com\n",
        });
        expect(saved).toEqual({
          ok: true,
          origins: ["https://shop.example.com", "https://www.shop.example.com"],
        });
        const store = await harness.db.store.findUniqueOrThrow({
          where: { id: storeId },
        });
        expect(storefrontOriginsOf(store)).toEqual([
          "https://shop.example.com",
          "https://www.shop.example.com",
        ]);
        expect(
          (
            await readStorefrontSettings(deps(), {
              workspaceId,
              storeId,
              appUrl: APP_URL,
            })
          )?.snippet?.savedOrigins
        ).toEqual(["https://shop.example.com", "https://www.shop.example.com"]);

        // WHEN the list is emptied THEN only the store's own address is allowed again
        expect(
          await saveStorefrontOrigins(deps(), {
            workspaceId,
            storeId,
            lines: "\n  \n",
          })
        ).toEqual({ ok: true, origins: [] });
        expect(
          storefrontOriginsOf(
            await harness.db.store.findUniqueOrThrow({ where: { id: storeId } })
          )
        ).toEqual(["https://shop.example.com"]);

        // Not across workspaces, and not for a Shopify store (it has no snippet)
        expect(
          await saveStorefrontOrigins(deps(), {
            workspaceId,
            storeId: otherWorkspaceStoreId,
            lines: "https://evil.example",
          })
        ).toBeNull();
        expect(
          (
            await harness.db.store.findUniqueOrThrow({
              where: { id: otherWorkspaceStoreId },
            })
          ).storefrontOrigins
        ).toBeNull();
        expect(
          await saveStorefrontOrigins(deps(), {
            workspaceId,
            storeId: shopifyStoreId,
            lines: "https://evil.example",
          })
        ).toBeNull();
      });

      it("rotates the key: a new one replaces the old at once; never another workspace's", async () => {
        const before = (
          await readStorefrontSettings(deps(), {
            workspaceId,
            storeId,
            appUrl: APP_URL,
          })
        )?.snippet?.key;
        const rotated = await rotateStoreStorefrontKey(deps(), {
          workspaceId,
          storeId,
        });
        expect(rotated).toMatch(/^pk_[0-9A-Za-z]{24}$/);
        expect(rotated).not.toBe(before);
        expect(
          await harness.db.store.count({ where: { storefrontKey: before } })
        ).toBe(0);
        expect(
          (
            await readStorefrontSettings(deps(), {
              workspaceId,
              storeId,
              appUrl: APP_URL,
            })
          )?.snippet?.key
        ).toBe(rotated);

        const strangerKey = (
          await harness.db.store.findUniqueOrThrow({
            where: { id: otherWorkspaceStoreId },
          })
        ).storefrontKey;
        expect(
          await rotateStoreStorefrontKey(deps(), {
            workspaceId,
            storeId: otherWorkspaceStoreId,
          })
        ).toBeNull();
        expect(
          (
            await harness.db.store.findUniqueOrThrow({
              where: { id: otherWorkspaceStoreId },
            })
          ).storefrontKey
        ).toBe(strangerKey);
      });
    });
  }
);
