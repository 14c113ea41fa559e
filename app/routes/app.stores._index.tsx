// Stores: the workspace's stores with their status and last sync (each linking to its storefront capture page,
// app.stores.$storeId.tsx), and the form that connects a WooCommerce store.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, IndexTable, Layout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { formatDateTime } from "~/components/format";
import { connectWooCommerceStore } from "~/core/adapters/woocommerce/connect.server";
import { systemClock } from "~/core/clock";
import { listStoresWithSync } from "~/core/sync/sync.server";
import { getDb } from "~/db.server";
import { publicAppUrl } from "~/env.server";
import { secretBox } from "~/secrets.server";

export const meta: MetaFunction = () => [{ title: "Stores · Nudgeflow" }];

const ConnectForm = z.object({
  intent: z.literal("connect-woocommerce"),
  siteUrl: z.string({ error: "Enter the address of your WooCommerce site." }),
  consumerKey: z.string({ error: "Enter the consumer key (ck_…)." }),
  consumerSecret: z.string({ error: "Enter the consumer secret (cs_…)." }),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const stores = await listStoresWithSync(getDb(), { workspaceId });
  return json({ stores });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: ConnectForm });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const { siteUrl, consumerKey, consumerSecret } = submission.value;
  const result = await connectWooCommerceStore(
    { db: getDb(), clock: systemClock, secretBox: secretBox() },
    { workspaceId, siteUrl, consumerKey, consumerSecret, appUrl: publicAppUrl() },
  );
  // The keys are never sent back: only which field was wrong and why.
  if (!result.ok) return json({ ok: false as const, errors: { [result.field ?? ""]: [result.error] } }, { status: 400 });
  return json({ ok: true as const, domain: result.domain, reconnected: result.reconnected });
}

const PLATFORM_NAMES: Record<string, string> = { shopify: "Shopify", woocommerce: "WooCommerce", demo: "Demo store" };

function StatusBadge({ status }: { status: string }) {
  const tone = status === "active" ? "success" : status === "disconnected" ? "critical" : undefined;
  return <Badge tone={tone}>{status}</Badge>;
}

export default function Stores() {
  const { stores } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const fetcher = useFetcher<typeof action>();
  const [siteUrl, setSiteUrl] = useState("");
  const [consumerKey, setConsumerKey] = useState("");
  const [consumerSecret, setConsumerSecret] = useState("");
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const errors: Record<string, string[] | null | undefined> = result && !result.ok ? result.errors : {};
  const fieldError = (name: string) => errors[name]?.[0];

  useEffect(() => {
    if (result?.ok) {
      setSiteUrl("");
      setConsumerKey("");
      setConsumerSecret("");
    }
  }, [result]);

  return (
    <Page title="Stores" subtitle="Where your customers, carts and orders come from.">
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "store", plural: "stores" }}
              itemCount={stores.length}
              selectable={false}
              headings={[{ title: "Store" }, { title: "Platform" }, { title: "Status" }, { title: "Last sync" }, { title: "Storefront" }]}
            >
              {stores.map((store, index) => {
                const last = store.syncs.reduce<(typeof store.syncs)[number] | null>((latest, sync) => (!latest || (sync.lastRunAt ?? "") > (latest.lastRunAt ?? "") ? sync : latest), null);
                const failed = store.syncs.find((sync) => sync.status === "failed");
                return (
                  <IndexTable.Row id={store.id} key={store.id} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {store.domain}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{PLATFORM_NAMES[store.platform] ?? store.platform}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <StatusBadge status={store.status} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {store.syncs.length === 0 ? (
                        <Text as="span" tone="subdued">
                          {store.platform === "woocommerce" ? "—" : "webhooks only"}
                        </Text>
                      ) : failed ? (
                        <Text as="span" tone="critical">
                          {`${failed.resource}: failed — ${failed.error ?? "unknown error"}`}
                        </Text>
                      ) : last?.lastRunAt ? (
                        <Text as="span">{`${formatDateTime(last.lastRunAt, timeZone)} · ${store.syncs.some((sync) => sync.status === "running") ? "running" : "up to date"}`}</Text>
                      ) : (
                        <Text as="span" tone="subdued">
                          first sync pending
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Link url={`/app/stores/${store.id}`} accessibilityLabel={`Storefront capture for ${store.domain}`}>
                        Storefront capture
                      </Link>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Connect a WooCommerce store
              </Text>
              <Text as="p" tone="subdued">
                In WordPress, open WooCommerce → Settings → Advanced → REST API, add a key with Read/Write permission, and
                paste it here. Nudgeflow registers its webhooks on your site and imports your customers and orders.
              </Text>
              {result?.ok ? (
                <Banner tone="success" title={`${result.domain} is ${result.reconnected ? "reconnected" : "connected"}`}>
                  <p>Its customers and orders are being imported; new orders arrive as they happen.</p>
                </Banner>
              ) : null}
              {fieldError("") ? <Banner tone="critical" title={fieldError("") ?? ""} /> : null}
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="connect-woocommerce" />
                <FormLayout>
                  <TextField label="Site URL" name="siteUrl" value={siteUrl} onChange={setSiteUrl} placeholder="https://shop.example" autoComplete="url" error={fieldError("siteUrl")} />
                  <TextField label="Consumer key" name="consumerKey" value={consumerKey} onChange={setConsumerKey} placeholder="ck_…" autoComplete="off" error={fieldError("consumerKey")} />
                  <TextField label="Consumer secret" name="consumerSecret" type="password" value={consumerSecret} onChange={setConsumerSecret} placeholder="cs_…" autoComplete="off" error={fieldError("consumerSecret")} />
                  <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                    Connect store
                  </Button>
                </FormLayout>
              </fetcher.Form>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
