// Privacy: the workspace's data requests and erasures (Shopify's compliance webhooks, or made here for stores on
// other platforms), with each data request's export to download.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, IndexTable, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { LockIcon } from "@shopify/polaris-icons";
import { useCallback, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { EmptyCard } from "~/components/empty-card";
import { errorMessages, formatDateTime } from "~/components/format";
import { systemClock } from "~/core/clock";
import { eraseCustomer, listPrivacyRequests, PrivacyError, requestCustomerExport } from "~/core/privacy/privacy.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Privacy · Nudgeflow" }];

const Email = z.email({ error: (issue) => (issue.input === undefined ? "Enter the customer's email address." : "Enter a valid email address.") });
const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("export"), email: Email }),
    z.object({ intent: z.literal("erase"), email: Email, confirm: z.literal("erase", { error: "Type erase to confirm." }) }),
  ],
  { error: "Unknown action: this page can export or erase a customer's data." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  return json({ requests: await listPrivacyRequests(getDb(), { workspaceId }) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const input = { workspaceId, email: submission.value.email, now: systemClock.now() };
  try {
    const created = submission.value.intent === "export" ? await requestCustomerExport({ db: getDb() }, input) : await eraseCustomer({ db: getDb() }, input);
    return json({ ok: true as const, intent: submission.value.intent, id: created.id });
  } catch (error) {
    if (error instanceof PrivacyError) return json({ ok: false as const, errors: { email: [error.message] } }, { status: 400 });
    throw error;
  }
}

const KIND_LABEL: Record<string, string> = {
  data_request: "Data request",
  customer_redact: "Customer erasure",
  store_redact: "Store erasure",
};

export default function Privacy() {
  const { requests } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const fetcher = useFetcher<typeof action>();
  const [email, setEmail] = useState("");
  const [confirm, setConfirm] = useState("");
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  // Fetched rather than linked: inside the Shopify admin, App Bridge adds the session token to fetch requests only.
  const download = useCallback(async (id: string) => {
    setDownloadError(null);
    const response = await fetch(`/app/privacy/${encodeURIComponent(id)}`);
    if (!response.ok) {
      setDownloadError(`The export could not be downloaded (${response.status}).`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `nudgeflow-data-request-${id}.json`;
    link.click();
    URL.revokeObjectURL(url);
  }, []);

  return (
    <Page title="Privacy" subtitle="Customers' data requests and erasures, and what was done about them.">
      <Layout>
        {result ? (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success" title={result.intent === "export" ? "Export ready" : "Customer erased"}>
                <p>{result.intent === "export" ? "Download it from the list below." : "Their personal data is gone; totals and dates stay, anonymised."}</p>
              </Banner>
            ) : (
              <Banner tone="critical" title="The request could not be made">
                <List>
                  {errorMessages(result.errors).map((message) => (
                    <List.Item key={message}>{message}</List.Item>
                  ))}
                </List>
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        {downloadError ? (
          <Layout.Section>
            <Banner tone="critical" onDismiss={() => setDownloadError(null)}>
              <p>{downloadError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <FormLayout>
              <Text as="p" tone="subdued">
                Shopify sends these requests itself. For stores on other platforms, export or erase a customer here by email.
              </Text>
              <TextField label="Customer email" type="email" autoComplete="off" value={email} onChange={setEmail} />
              <TextField
                label="To erase, type erase"
                autoComplete="off"
                value={confirm}
                onChange={setConfirm}
                helpText="Erasure cannot be undone. An unsubscribe or bounce keeps being honoured."
              />
              <InlineStack gap="200">
                <Button loading={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "export"} onClick={() => fetcher.submit({ intent: "export", email }, { method: "post" })}>
                  Export data
                </Button>
                <Button
                  tone="critical"
                  disabled={confirm !== "erase"}
                  loading={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "erase"}
                  onClick={() => fetcher.submit({ intent: "erase", email, confirm }, { method: "post" })}
                >
                  Erase customer
                </Button>
              </InlineStack>
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          {requests.length === 0 ? (
            <EmptyCard icon={LockIcon} heading="No privacy requests yet">
              Data requests and erasures for your customers, from Shopify or made here, are listed with what was done.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "request", plural: "requests" }}
                itemCount={requests.length}
                selectable={false}
                headings={[{ title: "Request" }, { title: "Customer" }, { title: "Status" }, { title: "Received" }, { title: "Outcome" }]}
              >
                {requests.map((request, index) => (
                  <IndexTable.Row id={request.id} key={request.id} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {KIND_LABEL[request.kind] ?? request.kind}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{request.subject ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={request.status === "completed" ? "success" : request.status === "failed" ? "critical" : "attention"}>{request.status}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{formatDateTime(request.requestedAt, timeZone)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {request.downloadable ? (
                        <Button size="slim" onClick={() => void download(request.id)}>
                          Download JSON
                        </Button>
                      ) : request.counts ? (
                        <BlockStack>
                          <Text as="span" variant="bodySm" tone="subdued">
                            {Object.entries(request.counts)
                              .filter(([, count]) => count > 0)
                              .map(([table, count]) => `${table}: ${count}`)
                              .join(", ") || "nothing held"}
                          </Text>
                        </BlockStack>
                      ) : (
                        "—"
                      )}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
