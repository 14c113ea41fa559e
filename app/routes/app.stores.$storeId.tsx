// A store's storefront capture: for Shopify, whether the cart-capture app embed is on in the live theme (with the
// theme editor's deep link) and the web pixel; for every other store, the generic snippet's key (rotatable), the
// origins allowed to use it, and the install instructions per platform. core/stores/storefront-settings.server.ts
import {
  json,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { RouteErrorPage } from "~/components/route-error";
import { InstallInstructions } from "~/components/storefront/install-instructions";
import {
  createShopifyAdmin,
  type ShopifyAdmin,
} from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { createLogger } from "~/core/logger.server";
import {
  activateStoreWebPixel,
  readStorefrontSettings,
  rotateStoreStorefrontKey,
  saveStorefrontOrigins,
  type StorefrontSettingsDeps,
} from "~/core/stores/storefront-settings.server";
import { getDb } from "~/db.server";
import { env, publicAppUrl, shopifyCredentials } from "~/env.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `Storefront capture · ${
      data?.settings.store.name ?? "Store"
    } · Nudgeflow`,
  },
];

let shopifyAdmin: ShopifyAdmin | null | undefined;
function settingsDeps(): StorefrontSettingsDeps {
  const credentials = shopifyCredentials();
  if (shopifyAdmin === undefined)
    shopifyAdmin = credentials
      ? createShopifyAdmin(credentials, createSessionStorage(getDb()))
      : null;
  return {
    db: getDb(),
    shopifyAdmin,
    shopifyApiKey: credentials?.apiKey ?? null,
  };
}

const Params = z.object({ storeId: z.string().min(1).max(64) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { storeId } = Params.parse(params);
  const settings = await readStorefrontSettings(settingsDeps(), {
    workspaceId,
    storeId,
    appUrl: publicAppUrl(),
  });
  if (!settings)
    throw new Response("This store does not exist in your workspace.", {
      status: 404,
    });
  return json({ settings });
}

const Intent = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save-origins"),
    origins: z
      .string()
      .max(20_000, "That is far too long for a list of origins.")
      .default(""),
  }),
  z.object({
    intent: z.literal("rotate-key"),
    confirm: z.literal("rotate", { error: "Confirm the rotation first." }),
  }),
  z.object({ intent: z.literal("activate-pixel") }),
]);

type ActionData =
  | { intent: "save-origins"; ok: true; origins: string[] }
  | { intent: "save-origins"; ok: false; errors: string[] }
  | { intent: "rotate-key"; ok: true; key: string }
  | { intent: "activate-pixel"; ok: true; id: string }
  | { intent: "activate-pixel"; ok: false; errors: string[] }
  | { intent: "invalid"; ok: false; errors: string[] };

export async function action({ request, params }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { storeId } = Params.parse(params);
  const form = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success)
    return json<ActionData>(
      {
        intent: "invalid",
        ok: false,
        errors: form.error.issues.map((issue) => issue.message),
      },
      { status: 400 }
    );
  const deps = settingsDeps();
  switch (form.data.intent) {
    case "save-origins": {
      const saved = await saveStorefrontOrigins(deps, {
        workspaceId,
        storeId,
        lines: form.data.origins,
      });
      if (!saved)
        throw new Response("This store does not exist in your workspace.", {
          status: 404,
        });
      return saved.ok
        ? json<ActionData>({
            intent: "save-origins",
            ok: true,
            origins: saved.origins,
          })
        : json<ActionData>(
            { intent: "save-origins", ok: false, errors: saved.errors },
            { status: 400 }
          );
    }
    case "rotate-key": {
      const key = await rotateStoreStorefrontKey(deps, {
        workspaceId,
        storeId,
      });
      if (!key)
        throw new Response("This store does not exist in your workspace.", {
          status: 404,
        });
      return json<ActionData>({ intent: "rotate-key", ok: true, key });
    }
    case "activate-pixel": {
      // The pixel posts to the Shopify app's URL (the one Shopify knows), as on install.
      const appUrl = shopifyCredentials()?.appUrl ?? publicAppUrl();
      const activated = await activateStoreWebPixel(
        { ...deps, logger: createLogger({ level: env().LOG_LEVEL }) },
        { workspaceId, storeId, appUrl }
      );
      if (!activated)
        throw new Response("This store does not exist in your workspace.", {
          status: 404,
        });
      return activated.ok
        ? json<ActionData>({
            intent: "activate-pixel",
            ok: true,
            id: activated.id,
          })
        : json<ActionData>(
            { intent: "activate-pixel", ok: false, errors: [activated.error] },
            { status: 502 }
          );
    }
  }
}

const EMBED_BADGE = {
  active: { tone: "success", label: "Active" },
  not_active: { tone: "attention", label: "Not active" },
  unknown: { tone: undefined, label: "Unknown" },
} as const;

type Settings = ReturnType<typeof useLoaderData<typeof loader>>["settings"];

function WebPixel({ webPixelId }: { webPixelId: string | null }) {
  const activator = useFetcher<typeof action>();
  const result =
    activator.state === "idle" && activator.data?.intent === "activate-pixel"
      ? activator.data
      : null;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Web pixel
          </Text>
          <Badge tone={webPixelId ? "success" : "attention"}>
            {webPixelId ? "Active" : "Not active"}
          </Badge>
        </InlineStack>
        <Text as="p">
          {webPixelId
            ? `Checkout events (started, contact details, completed) reach Nudgeflow, including the email a shopper types at checkout. Pixel ${webPixelId}.`
            : "Checkout events do not reach Nudgeflow yet: the pixel is turned on when the app is installed, and that did not happen or failed."}
        </Text>
        {result && !result.ok ? (
          <Banner tone="critical" title="The web pixel could not be turned on">
            <p>{result.errors.join(" ")}</p>
          </Banner>
        ) : null}
        {result?.ok ? <Banner tone="success" title="Web pixel on" /> : null}
        <activator.Form method="post">
          <input type="hidden" name="intent" value="activate-pixel" />
          <Button
            submit
            variant={webPixelId ? "secondary" : "primary"}
            loading={activator.state !== "idle"}
          >
            {webPixelId
              ? "Turn the web pixel on again"
              : "Turn the web pixel on"}
          </Button>
        </activator.Form>
      </BlockStack>
    </Card>
  );
}

function ShopifyCapture({
  shopify,
}: {
  shopify: NonNullable<Settings["shopify"]>;
}) {
  const { embed } = shopify;
  const badge = EMBED_BADGE[embed.state];
  return (
    <Layout.Section>
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h2" variant="headingMd">
                Cart capture app embed
              </Text>
              <Badge tone={badge.tone}>{badge.label}</Badge>
            </InlineStack>
            {embed.state === "active" ? (
              <Text as="p">{`The embed is on in your live theme, ${embed.themeName}: carts and typed emails are reported as shoppers browse.`}</Text>
            ) : (
              <Text as="p">{`Not reporting carts${
                embed.state === "unknown" ? " as far as we can tell" : ""
              }: ${embed.reason}.`}</Text>
            )}
            <Text as="p" tone="subdued">
              App embeds are off after install. Turn it on under Online Store →
              Themes → Customize → App embeds, and save the theme.
            </Text>
            {shopify.themeEditorUrl ? (
              <InlineStack>
                <Button
                  url={shopify.themeEditorUrl}
                  external
                  variant={embed.state === "active" ? "secondary" : "primary"}
                >
                  Turn on in the theme editor
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        </Card>
        <WebPixel webPixelId={shopify.webPixelId} />
      </BlockStack>
    </Layout.Section>
  );
}

function SnippetKey({
  snippet,
}: {
  snippet: NonNullable<Settings["snippet"]>;
}) {
  const rotator = useFetcher<typeof action>();
  const [confirming, setConfirming] = useState(false);
  const rotated =
    rotator.state === "idle" &&
    rotator.data?.intent === "rotate-key" &&
    rotator.data.ok;
  useEffect(() => {
    if (rotated) setConfirming(false);
  }, [rotated]);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Storefront key
        </Text>
        <Text as="p" tone="subdued">
          The snippet sends it to say which store a cart belongs to. It is
          public (it sits in your pages' source); the allowed origins below
          decide which sites may use it.
        </Text>
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <Text as="p" fontWeight="semibold">
            <span data-testid="storefront-key">{snippet.key}</span>
          </Text>
        </Box>
        {rotated ? (
          <Banner tone="success" title="Key rotated">
            <p>
              The old key stopped working. Replace the tag on your storefront
              with the one below.
            </p>
          </Banner>
        ) : null}
        {confirming ? (
          <Banner tone="warning" title="Rotate the storefront key?">
            <BlockStack gap="200">
              <p>
                The current key stops working at once: carts are not captured
                until the snippet on your storefront carries the new key.
              </p>
              <rotator.Form method="post">
                <input type="hidden" name="intent" value="rotate-key" />
                <input type="hidden" name="confirm" value="rotate" />
                <InlineStack gap="200">
                  <Button
                    submit
                    tone="critical"
                    variant="primary"
                    loading={rotator.state !== "idle"}
                  >
                    Rotate now
                  </Button>
                  <Button onClick={() => setConfirming(false)}>Cancel</Button>
                </InlineStack>
              </rotator.Form>
            </BlockStack>
          </Banner>
        ) : (
          <InlineStack>
            <Button onClick={() => setConfirming(true)}>Rotate key…</Button>
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}

function AllowedOrigins({
  snippet,
  domain,
}: {
  snippet: NonNullable<Settings["snippet"]>;
  domain: string;
}) {
  const saver = useFetcher<typeof action>();
  const [lines, setLines] = useState(snippet.savedOrigins.join("\n"));
  const result =
    saver.state === "idle" && saver.data?.intent === "save-origins"
      ? saver.data
      : null;
  const errors = result && !result.ok ? result.errors : [];
  return (
    <Card>
      <saver.Form method="post">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Allowed origins
          </Text>
          <input type="hidden" name="intent" value="save-origins" />
          <TextField
            label="Sites allowed to send carts with this key"
            name="origins"
            value={lines}
            onChange={setLines}
            multiline={4}
            autoComplete="off"
            placeholder={`https://${domain.split("/")[0]}\nhttps://www.${
              domain.split("/")[0]
            }`}
            helpText={`One origin per line, like https://shop.example.com (no path). Leave empty to allow only your store's own address, ${
              snippet.allowedOrigins.length === 1 &&
              snippet.savedOrigins.length === 0
                ? snippet.allowedOrigins[0]
                : `https://${domain.split("/")[0]}`
            }.`}
            error={
              errors.length ? (
                <BlockStack gap="100">
                  {errors.map((error) => (
                    <span key={error}>{error}</span>
                  ))}
                </BlockStack>
              ) : undefined
            }
          />
          {result?.ok ? (
            <Banner tone="success" title="Origins saved">
              <p>
                {result.origins.length
                  ? `Carts are accepted from ${result.origins.join(", ")}.`
                  : "Carts are accepted from your store's own address only."}
              </p>
            </Banner>
          ) : null}
          <Text as="p" tone="subdued">
            {`Accepted now: ${snippet.allowedOrigins.join(", ")}`}
          </Text>
          <InlineStack>
            <Button submit variant="primary" loading={saver.state !== "idle"}>
              Save origins
            </Button>
          </InlineStack>
        </BlockStack>
      </saver.Form>
    </Card>
  );
}

export default function StoreStorefrontPage() {
  const { settings } = useLoaderData<typeof loader>();
  const { store, shopify, snippet } = settings;
  return (
    <Page
      title="Storefront capture"
      subtitle={`${store.name} · ${store.domain}`}
      backAction={{ content: "Stores", url: "/app/stores" }}
    >
      <Layout>
        {store.status !== "active" ? (
          <Layout.Section>
            <Banner tone="warning" title={`This store is ${store.status}`}>
              <p>
                Nothing it reports is processed until it is connected again.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {shopify ? <ShopifyCapture shopify={shopify} /> : null}
        {snippet ? (
          <>
            <Layout.Section>
              <BlockStack gap="400">
                <SnippetKey snippet={snippet} />
                <AllowedOrigins snippet={snippet} domain={store.domain} />
              </BlockStack>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Install the snippet
                  </Text>
                  <Text as="p" tone="subdued">
                    One small deferred script on your storefront follows the
                    cart and the email a shopper types, so abandoned carts can
                    be recovered before checkout. It never blocks your pages and
                    stays under 10 KB.
                  </Text>
                  <InstallInstructions
                    scriptUrl={snippet.scriptUrl}
                    storefrontKey={snippet.key}
                    initialPlatform={snippet.platform}
                    currency={store.currency}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        ) : null}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage error={useRouteError()} backUrl="/app/stores" />;
}
