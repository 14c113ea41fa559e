// Flows: every flow of the workspace, its status and numbers; pause and resume.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, IndexTable, Layout, Link, List, Page, Text } from "@shopify/polaris";
import { AutomationIcon } from "@shopify/polaris-icons";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { EmptyCard } from "~/components/empty-card";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { errorMessages, formatDateTime } from "~/components/format";
import { FlowStatusBadge } from "~/components/status-badges";
import { formatMoneyList, formatRate } from "~/core/analytics/format";
import { flowKpis, lastDays } from "~/core/analytics/kpis.server";
import { systemClock } from "~/core/clock";
import { FlowError, listFlows, setFlowStatus } from "~/core/flows/manage.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Flows · Nudgeflow" }];

const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("set-status"),
      flowId: z.string({ error: "Say which flow to change." }),
      status: z.enum(["live", "paused"], { error: "Status must be live or paused." }),
    }),
  ],
  { error: "Unknown action: the only action on this page is set-status." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  // The last 30 days of each flow's emails and the orders attributed to them (computed now, ADR 0015).
  const report = await flowKpis(db, { workspaceId, ...lastDays(systemClock.now(), 30) });
  const flows = (await listFlows(db, { workspaceId })).map((flow) => {
    const kpis = report.flows.find((row) => row.flowId === flow.id);
    return {
      ...flow,
      kpis: kpis
        ? { recipients: kpis.recipients, conversionRate: kpis.conversionRate, revenue: kpis.revenue, revenuePerRecipient: kpis.revenuePerRecipient }
        : null,
    };
  });
  return json({ flows });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const { flowId, status } = submission.value;
  try {
    await setFlowStatus({ db: getDb() }, { workspaceId, flowId, status });
    return json({ ok: true as const, flowId, status });
  } catch (error) {
    if (error instanceof FlowError) return json({ ok: false as const, errors: { flowId: [error.message] } }, { status: 400 });
    throw error;
  }
}

const number = new Intl.NumberFormat("en-US");

export default function Flows() {
  const { flows } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const fetcher = useFetcher<typeof action>();
  const [dismissed, setDismissed] = useState<unknown>(null);
  const failure = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok && fetcher.data !== dismissed ? fetcher.data : null;
  const pendingFlowId = fetcher.state !== "idle" ? fetcher.formData?.get("flowId") : null;
  // "New flow" posts to /app/flows/new, which creates an empty draft and redirects to its builder.
  const submit = useSubmit();
  const navigation = useNavigation();
  const creating = navigation.state !== "idle" && navigation.formAction === "/app/flows/new";
  const newFlow = () => submit(null, { method: "post", action: "/app/flows/new" });

  return (
    <Page
      title="Flows"
      subtitle="Automated journeys and how they are doing. Recipients, conversion and revenue: the last 30 days, orders attributed to each flow's emails."
      primaryAction={{ content: "New flow", onAction: newFlow, loading: creating }}
      secondaryActions={[{ content: "Browse blueprints", url: "/app" }]}
    >
      <Layout>
        {failure ? (
          <Layout.Section>
            <Banner tone="critical" title="The flow could not be changed" onDismiss={() => setDismissed(fetcher.data)}>
              <List>
                {errorMessages(failure.errors).map((message) => (
                  <List.Item key={message}>{message}</List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {flows.length === 0 ? (
            <EmptyCard icon={AutomationIcon} heading="No flows yet" action={{ content: "Browse blueprints", url: "/app" }}>
              Turn on a blueprint from the gallery on Home, such as Abandoned cart, and it will be listed here with
              its enrollments and emails sent.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "flow", plural: "flows" }}
                itemCount={flows.length}
                selectable={false}
                headings={[
                  { title: "Flow" },
                  { title: "Status" },
                  { title: "Version", alignment: "end" },
                  { title: "Enrolled", alignment: "end" },
                  { title: "Active", alignment: "end" },
                  { title: "Emails sent", alignment: "end" },
                  { title: "Recipients", alignment: "end" },
                  { title: "Conversion", alignment: "end" },
                  { title: "Revenue", alignment: "end" },
                  { title: "Per recipient", alignment: "end" },
                  { title: "Actions", hidden: true },
                ]}
              >
                {flows.map((flow, index) => {
                  const next = flow.status === "live" ? "paused" : "live";
                  return (
                    <IndexTable.Row id={flow.id} key={flow.id} position={index}>
                      <IndexTable.Cell>
                        <BlockStack gap="050">
                          <Link url={`/app/flows/${flow.id}`} monochrome removeUnderline accessibilityLabel={`Open ${flow.name} in the builder`}>
                            <Text as="span" variant="bodyMd" fontWeight="semibold">
                              {flow.name}
                            </Text>
                          </Link>
                          <Text as="span" variant="bodySm" tone="subdued">
                            Created {formatDateTime(flow.createdAt, timeZone)}
                          </Text>
                        </BlockStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <FlowStatusBadge status={flow.status} />
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {flow.version === null ? "—" : `v${flow.version}`}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {number.format(flow.enrolled)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {number.format(flow.active)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {number.format(flow.sent)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {number.format(flow.kpis?.recipients ?? 0)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          <span title={flow.kpis ? `${flow.kpis.conversionRate.count} of ${flow.kpis.conversionRate.of} recipients ordered` : undefined}>
                            {flow.kpis ? formatRate(flow.kpis.conversionRate) : "—"}
                          </span>
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {formatMoneyList(flow.kpis?.revenue ?? [])}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {formatMoneyList(flow.kpis?.revenuePerRecipient ?? [])}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        {flow.status === "draft" ? null : (
                          <fetcher.Form method="post">
                            <input type="hidden" name="intent" value="set-status" />
                            <input type="hidden" name="flowId" value={flow.id} />
                            <input type="hidden" name="status" value={next} />
                            <Button submit size="slim" loading={pendingFlowId === flow.id} accessibilityLabel={`${next === "paused" ? "Pause" : "Resume"} ${flow.name}`}>
                              {next === "paused" ? "Pause" : "Resume"}
                            </Button>
                          </fetcher.Form>
                        )}
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  );
                })}
              </IndexTable>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
