// Home: the workspace's dashboard over a date range (totals, charts, the flows that earned most; ADR 0036), then
// the blueprint gallery: one click turns a ready-made flow on.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useLocation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  Divider,
  Icon,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
} from "@shopify/polaris";
import { CartAbandonedIcon, EmailIcon } from "@shopify/polaris-icons";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { chartStyles } from "~/components/charts/charts";
import { csvHref, RangeControls, RangeErrors, SeriesCharts, useLiveRevalidation } from "~/components/charts/dashboard";
import { errorMessages } from "~/components/format";
import { FlowStatusBadge } from "~/components/status-badges";
import { parseDashboardRange } from "~/core/analytics/dashboard";
import { workspaceDashboard } from "~/core/analytics/dashboard.server";
import { formatMoneyList, formatRate } from "~/core/analytics/format";
import { assertUnreachable } from "~/core/assert";
import { systemClock } from "~/core/clock";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { enableBlueprint, FlowError, listFlows } from "~/core/flows/manage.server";
import { DemoStoreError, simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";

export const meta: MetaFunction = () => [{ title: "Home · Nudgeflow" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("enable-blueprint"), blueprintId: z.string({ error: "Choose a blueprint to turn on." }) }),
    z.object({ intent: z.literal("simulate-checkout") }),
  ],
  { error: "Unknown action: this page can enable-blueprint or simulate-checkout." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const flows = await listFlows(getDb(), { workspaceId });
  // A bad range in the URL falls back to the last 30 days and says why (the page still renders).
  const requested = parseDashboardRange(new URL(request.url).searchParams);
  const dashboard = await workspaceDashboard(getDb(), { workspaceId, range: requested.range, now: systemClock.now() });
  const { range } = dashboard;
  return json({
    dashboard: {
      range: { range: range.range, firstDate: range.firstDate, lastDate: range.lastDate, label: range.label, timeZone: range.timeZone },
      rangeErrors: requested.ok ? [] : requested.errors,
      rules: dashboard.rules,
      totals: dashboard.totals,
      series: dashboard.series,
      topFlows: dashboard.topFlows,
    },
    blueprints: BLUEPRINTS.map((blueprint) => {
      const flow = flows.find((candidate) => candidate.blueprint === blueprint.id);
      return {
        id: blueprint.id,
        name: blueprint.name,
        summary: blueprint.summary,
        steps: blueprint.steps,
        note: blueprint.note,
        flow: flow ? { id: flow.id, status: flow.status } : null,
      };
    }),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const deps = { db: getDb(), clock: systemClock, scheduler: jobScheduler() };
  const input = submission.value;
  try {
    switch (input.intent) {
      case "enable-blueprint": {
        const { flowId } = await enableBlueprint(deps, { workspaceId, blueprintId: input.blueprintId });
        const name = BLUEPRINTS.find((blueprint) => blueprint.id === input.blueprintId)?.name ?? "The flow";
        return json({ ok: true as const, intent: input.intent, flowId, name });
      }
      case "simulate-checkout": {
        const { email } = await simulateAbandonedCheckout(deps, { workspaceId });
        return json({ ok: true as const, intent: input.intent, email });
      }
      default:
        return assertUnreachable(input);
    }
  } catch (error) {
    if (error instanceof FlowError) return json({ ok: false as const, errors: { blueprintId: [error.message] } }, { status: 400 });
    if (error instanceof DemoStoreError) return json({ ok: false as const, errors: { "": [error.message] } }, { status: 400 });
    throw error;
  }
}

export default function Home() {
  const { blueprints, dashboard } = useLoaderData<typeof loader>();
  const { workspace } = useAdminLayoutData();
  const gallery = useFetcher<typeof action>();
  const demo = useFetcher<typeof action>();
  const pendingId = gallery.state !== "idle" ? gallery.formData?.get("blueprintId") : null;
  const anyLive = blueprints.some((blueprint) => blueprint.flow?.status === "live");
  // New events change today's numbers: the loader runs again every 30 seconds while this tab is visible.
  useLiveRevalidation();

  return (
    <Page title="Home" subtitle="Turn on a ready-made flow: it starts working on the next shopper who qualifies.">
      <Layout>
        <ActionResult fetcher={gallery} failureTitle="The flow could not be turned on" />
        <ActionResult fetcher={demo} failureTitle="The checkout could not be simulated" />

        <Layout.Section>
          <Dashboard dashboard={dashboard} />
        </Layout.Section>

        <Layout.Section>
          <BlockStack gap="400">
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                Flow blueprints
              </Text>
              <Text as="p" tone="subdued">
                Proven journeys with their emails written. Turn one on as it is; you can pause it at any time.
              </Text>
            </BlockStack>
            {blueprints.map((blueprint) => (
              <BlueprintCard key={blueprint.id} blueprint={blueprint} fetcher={gallery} pending={pendingId === blueprint.id} />
            ))}
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <GettingStarted isDemo={workspace.isDemo} anyLive={anyLive} fetcher={demo} />
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

type DashboardData = ReturnType<typeof useLoaderData<typeof loader>>["dashboard"];

const count = new Intl.NumberFormat("en-US");

/**
 * The workspace's email over the chosen range: the seed's KPIs (all messages, in flows or not), attributed revenue
 * and recipients per day, and the flows that earned most. Numbers follow ADR 0015's attribution rules.
 */
function Dashboard({ dashboard }: { dashboard: DashboardData }) {
  const { totals, range, rules, series } = dashboard;
  const location = useLocation();
  const figures = [
    { label: "Attributed revenue", value: formatMoneyList(totals.revenue, "None yet") },
    { label: "Revenue per recipient", value: formatMoneyList(totals.revenuePerRecipient, "—") },
    { label: "Conversion rate", value: formatRate(totals.conversionRate) },
    { label: "Average order value", value: formatMoneyList(totals.averageOrderValue, "—") },
    { label: "Recipients", value: count.format(totals.recipients) },
    { label: "Emails sent", value: count.format(totals.emailsSent) },
    { label: "Open rate", value: formatRate(totals.openRate) },
    { label: "Click rate", value: formatRate(totals.clickRate) },
    { label: "Unsubscribe rate", value: formatRate(totals.unsubscribeRate) },
    { label: "Spam complaint rate", value: formatRate(totals.spamComplaintRate) },
  ];
  return (
    <BlockStack gap="400">
      <InlineStack align="space-between" blockAlign="end" gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Results, {range.label}
          </Text>
          <Text as="p" tone="subdued" variant="bodySm">
            Days in {range.timeZone}. Revenue counts orders placed within {rules.windowDays} days of a click
            {rules.includeOpens ? " or a person's open" : ""} on an email sent in the range. Updates every 30 seconds.
          </Text>
        </BlockStack>
        <RangeControls range={range} csvHref={csvHref(new URLSearchParams(location.search))} csvLabel="Export CSV of the daily numbers" />
      </InlineStack>
      <RangeErrors errors={dashboard.rangeErrors} />
      <Card>
        <section aria-label="Totals">
          <InlineGrid columns={{ xs: 2, sm: 3, md: 5 }} gap="400">
            {figures.map((figure) => (
              <BlockStack key={figure.label} gap="100">
                <Text as="span" variant="bodySm" tone="subdued">
                  {figure.label}
                </Text>
                <Text as="span" variant="headingLg" numeric>
                  {figure.value}
                </Text>
              </BlockStack>
            ))}
          </InlineGrid>
        </section>
      </Card>
      {totals.emailsSent === 0 ? (
        <Card>
          <Text as="p" tone="subdued">
            No emails sent in this range. Turn on a blueprint below: its results appear here as shoppers go through it.
          </Text>
        </Card>
      ) : (
        <SeriesCharts series={series} rangeLabel={range.label} subject="all email" />
      )}
      <Card padding="0">
        <BlockStack gap="0">
          <Box padding="400" paddingBlockEnd="200">
            <Text as="h3" variant="headingSm">
              Top flows
            </Text>
          </Box>
          {dashboard.topFlows.length === 0 ? (
            <Box padding="400" paddingBlockStart="0">
              <Text as="p" tone="subdued">
                No flow sent email in this range.
              </Text>
            </Box>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
              headings={["Flow", "Recipients", "Conversion rate", "Attributed revenue", "Revenue per recipient"]}
              rows={dashboard.topFlows.map((flow) => [
                <Link key={flow.flowId} to={`/app/flows/${flow.flowId}?${new URLSearchParams(location.search).toString()}`}>
                  {flow.name}
                </Link>,
                count.format(flow.recipients),
                formatRate(flow.conversionRate),
                formatMoneyList(flow.revenue, "—"),
                formatMoneyList(flow.revenuePerRecipient, "—"),
              ])}
            />
          )}
        </BlockStack>
      </Card>
    </BlockStack>
  );
}

type HomeFetcher = ReturnType<typeof useFetcher<typeof action>>;

/** The answer to the last submission of a fetcher, as a banner the merchant can dismiss. */
function ActionResult({ fetcher, failureTitle }: { fetcher: HomeFetcher; failureTitle: string }) {
  const [dismissed, setDismissed] = useState<unknown>(null);
  const result = fetcher.state === "idle" && fetcher.data !== dismissed ? fetcher.data : undefined;
  if (!result) return null;
  const dismiss = () => setDismissed(fetcher.data);
  return (
    <Layout.Section>
      {!result.ok ? (
        <Banner tone="critical" title={failureTitle} onDismiss={dismiss}>
          <List>
            {errorMessages(result.errors).map((message) => (
              <List.Item key={message}>{message}</List.Item>
            ))}
          </List>
        </Banner>
      ) : result.intent === "enable-blueprint" ? (
        <Banner tone="success" title={`${result.name} is live`} action={{ content: "View flows", url: "/app/flows" }} onDismiss={dismiss}>
          <p>New shoppers who qualify are enrolled from now on. Its emails appear in the Outbox as they go out.</p>
        </Banner>
      ) : (
        <Banner tone="success" title="A demo shopper left a checkout" action={{ content: "Open the Outbox", url: "/app/outbox" }} onDismiss={dismiss}>
          <p>
            {result.email} started a checkout an hour ago and did not buy. The first reminder is due now: it appears in
            the Outbox within a few seconds.
          </p>
        </Banner>
      )}
    </Layout.Section>
  );
}

type BlueprintView = ReturnType<typeof useLoaderData<typeof loader>>["blueprints"][number];

function BlueprintCard(props: { blueprint: BlueprintView; fetcher: ReturnType<typeof useFetcher<typeof action>>; pending: boolean }) {
  const { blueprint, fetcher } = props;
  const live = blueprint.flow?.status === "live";
  return (
    <Card padding="0">
      <Box padding="500">
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="start" wrap={false} gap="400">
            <InlineStack gap="300" blockAlign="center" wrap={false}>
              <Box background="bg-fill-success-secondary" borderRadius="200" padding="200">
                <Icon source={CartAbandonedIcon} tone="success" />
              </Box>
              <Text as="h3" variant="headingMd">
                {blueprint.name}
              </Text>
            </InlineStack>
            {blueprint.flow ? <FlowStatusBadge status={blueprint.flow.status} /> : <Badge tone="info">Recommended</Badge>}
          </InlineStack>
          <Text as="p">{blueprint.summary}</Text>
          <BlockStack gap="200">
            {blueprint.steps.map((step) => (
              <InlineStack key={step} gap="200" blockAlign="center" wrap={false}>
                <span style={{ flex: "none" }}>
                  <Icon source={EmailIcon} tone="subdued" />
                </span>
                <Text as="span" tone="subdued">
                  {step}
                </Text>
              </InlineStack>
            ))}
          </BlockStack>
        </BlockStack>
      </Box>
      {blueprint.note ? (
        <>
          <Divider />
          <Box padding="500" paddingBlock="300" background="bg-surface-secondary">
            <Text as="p" variant="bodySm" tone="subdued">
              {blueprint.note}
            </Text>
          </Box>
        </>
      ) : null}
      <Divider />
      <Box padding="400">
        <InlineStack align="end" gap="200">
          {live ? (
            <Button url="/app/flows">View flows</Button>
          ) : (
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="enable-blueprint" />
              <input type="hidden" name="blueprintId" value={blueprint.id} />
              <Button submit variant="primary" loading={props.pending} accessibilityLabel={`Turn on ${blueprint.name}`}>
                Turn on
              </Button>
            </fetcher.Form>
          )}
        </InlineStack>
      </Box>
    </Card>
  );
}

function GettingStarted({ isDemo, anyLive, fetcher }: { isDemo: boolean; anyLive: boolean; fetcher: HomeFetcher }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Getting started
        </Text>
        <List type="number">
          <List.Item>Turn on a blueprint.</List.Item>
          <List.Item>Shoppers who qualify are enrolled and wait for their first email.</List.Item>
          <List.Item>Follow them under Flows; every email is listed in the Outbox.</List.Item>
        </List>
        {isDemo ? (
          <>
            <Divider />
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Demo store
              </Text>
              <Text as="p" tone="subdued">
                This workspace&apos;s store is simulated: nothing here reaches a real shop, and without a SendGrid key
                emails stay in the Outbox. Play a shopper who leaves a checkout to see a flow at work.
              </Text>
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="simulate-checkout" />
                <BlockStack gap="100">
                  <Button submit disabled={!anyLive} loading={fetcher.state !== "idle"}>
                    Simulate an abandoned checkout
                  </Button>
                  {anyLive ? null : (
                    <Text as="p" variant="bodySm" tone="subdued">
                      Turn on Abandoned cart first: shoppers are enrolled only while a flow is live.
                    </Text>
                  )}
                </BlockStack>
              </fetcher.Form>
            </BlockStack>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}
