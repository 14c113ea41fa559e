// One customer: who they are, what they bought, what the model expects of them (with its uncertainty), the
// segments they are in and why, their journeys through flows (each decision of each, as `nudgeflow trace` words
// it), and everything that happened, newest first.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, Divider, InlineGrid, InlineStack, Layout, Link, Page, Text, type BadgeProps } from "@shopify/polaris";
import type { ReactNode } from "react";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { AttributionDisclosure } from "~/components/attribution-explanation";
import { formatDateTime } from "~/components/format";
import { formatAmount, formatCount, formatDay, formatPercent } from "~/components/segments/format";
import { JourneysCard } from "~/components/customers/journeys-card";
import { customerName } from "~/components/segments/segment-builder";
import { systemClock } from "~/core/clock";
import { getCustomerProfile } from "~/core/customers/customers.server";
import { customerJourneys } from "~/core/customers/journeys.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? customerName(data.profile.customer) : "Customer"} · Nudgeflow` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const customerId = params.customerId ?? "";
  const [profile, journeys] = await Promise.all([
    getCustomerProfile(getDb(), { workspaceId, customerId, now: systemClock.now() }),
    customerJourneys(getDb(), { workspaceId, customerId }),
  ]);
  if (!profile || !journeys) throw new Response("This customer does not exist, or belongs to another workspace.", { status: 404 });
  return json({ profile, journeys });
}

const TIMELINE_KIND: Record<string, { label: string; tone?: BadgeProps["tone"] }> = {
  event: { label: "Activity" },
  order: { label: "Order", tone: "success" },
  message: { label: "Email", tone: "info" },
  message_event: { label: "Email", tone: "info" },
  enrollment: { label: "Flow", tone: "attention" },
  segment: { label: "Segment", tone: "magic" },
};

export default function CustomerProfilePage() {
  const { profile, journeys } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const { customer, metrics, prediction, segments, timeline } = profile;
  const name = customerName(customer);
  const place = [customer.city, customer.region, customer.country].filter(Boolean).join(", ");

  return (
    <Page
      title={name}
      subtitle={customer.firstName || customer.lastName ? (customer.email ?? undefined) : undefined}
      titleMetadata={customer.acceptsMarketing ? <Badge tone="success">Subscribed</Badge> : <Badge>Not subscribed</Badge>}
      backAction={{ content: "Customers", url: "/app/customers" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Orders and spend
                </Text>
                <InlineGrid columns={{ xs: 2, md: 3 }} gap="400">
                  <Figure label="Orders" value={formatCount(metrics.ordersCount)} />
                  <Figure label="Total spent" value={formatAmount(metrics.totalSpent, metrics.currency)} />
                  <Figure label="Average order" value={metrics.averageOrderValue === null ? "—" : formatAmount(metrics.averageOrderValue, metrics.currency)} />
                  <Figure label="First order" value={formatDay(metrics.firstOrderAt, timeZone)} />
                  <Figure label="Last order" value={formatDay(metrics.lastOrderAt, timeZone)} />
                  <Figure
                    label="Days since last order"
                    value={metrics.daysSinceLastOrder === null ? "—" : formatCount(metrics.daysSinceLastOrder)}
                  />
                </InlineGrid>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Predictions
                  </Text>
                  {prediction ? (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {`Computed ${formatDateTime(prediction.computedAt, timeZone)}`}
                    </Text>
                  ) : null}
                </InlineStack>
                {prediction ? (
                  <>
                    <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                      <Figure
                        label="Churn probability"
                        value={formatPercent(prediction.churnProbability)}
                        detail={`80 % interval: ${formatPercent(prediction.churnLow)} – ${formatPercent(prediction.churnHigh)}`}
                      />
                      <Figure
                        label="Expected spend, next 12 months"
                        value={formatAmount(prediction.clv12m, prediction.currency ?? metrics.currency)}
                        detail={`80 % interval: ${formatAmount(prediction.clvLow, prediction.currency ?? metrics.currency)} – ${formatAmount(prediction.clvHigh, prediction.currency ?? metrics.currency)}`}
                      />
                      <Figure
                        label="Next order expected"
                        value={prediction.nextOrderAt ? formatDay(prediction.nextOrderAt, timeZone) : "None within a year"}
                        // A missing end of the range is beyond the model's 12-month horizon.
                        detail={
                          prediction.nextOrderLow
                            ? `80 % interval: ${formatDay(prediction.nextOrderLow, timeZone)} – ${prediction.nextOrderHigh ? formatDay(prediction.nextOrderHigh, timeZone) : "beyond 12 months"}`
                            : undefined
                        }
                      />
                    </InlineGrid>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {`About ${prediction.expectedOrders12m.toFixed(1)} orders expected in the next 12 months. Each figure is the model's best estimate; the interval holds the true value 8 times in 10.`}
                    </Text>
                  </>
                ) : (
                  <BlockStack gap="100">
                    <Text as="p" fontWeight="semibold">
                      Not enough data yet
                    </Text>
                    <Text as="p" tone="subdued">
                      Predictions appear once the store’s purchase model has been fitted (daily) and this customer has an
                      order history to go on.
                    </Text>
                  </BlockStack>
                )}
              </BlockStack>
            </Card>

            <JourneysCard journeys={journeys.journeys} enrollmentCount={journeys.enrollmentCount} timeZone={timeZone} />

            <Card padding="0">
              <Box padding="400">
                <Text as="h2" variant="headingMd">
                  Timeline
                </Text>
              </Box>
              {timeline.length === 0 ? (
                <Box paddingInline="400" paddingBlockEnd="400">
                  <Text as="p" tone="subdued">
                    Nothing yet. Orders, carts, emails, flows and segment changes appear here as they happen.
                  </Text>
                </Box>
              ) : (
                <ol aria-label="Timeline, newest first" style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {timeline.map((entry, index) => {
                    const kind = TIMELINE_KIND[entry.kind] ?? { label: entry.kind };
                    return (
                      <li key={`${entry.at}-${index}`}>
                        <Divider />
                        <Box paddingInline="400" paddingBlock="300">
                          <InlineStack gap="300" wrap={false} blockAlign="start">
                            <Box minWidth="84px">
                              <Badge tone={kind.tone}>{kind.label}</Badge>
                            </Box>
                            <BlockStack gap="050">
                              {entry.href ? (
                                <Link url={entry.href} removeUnderline>
                                  {entry.title}
                                </Link>
                              ) : (
                                <Text as="span" fontWeight="medium">
                                  {entry.title}
                                </Text>
                              )}
                              {entry.detail ? (
                                <Text as="span" variant="bodySm" tone="subdued">
                                  {entry.detail}
                                </Text>
                              ) : null}
                              <Text as="span" variant="bodySm" tone="subdued">
                                {formatDateTime(entry.at, timeZone)}
                              </Text>
                              {entry.orderId ? <AttributionDisclosure orderId={entry.orderId} orderLabel={entry.title} timeZone={timeZone} /> : null}
                            </BlockStack>
                          </InlineStack>
                        </Box>
                      </li>
                    );
                  })}
                </ol>
              )}
            </Card>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Details
                </Text>
                <Detail label="Email">{customer.email ?? "Not known yet"}</Detail>
                {customer.phone ? <Detail label="Phone">{customer.phone}</Detail> : null}
                <Detail label="Location">{place || "—"}</Detail>
                <Detail label="First seen in">{customer.originStore?.name ?? "—"}</Detail>
                <Detail label="Customer since">{formatDay(customer.createdAt, timeZone)}</Detail>
                <Detail label="Tags">
                  {customer.tags.length ? (
                    <InlineStack gap="100">
                      {customer.tags.map((tag) => (
                        <Badge key={tag}>{tag}</Badge>
                      ))}
                    </InlineStack>
                  ) : (
                    "—"
                  )}
                </Detail>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Segments
                </Text>
                {segments.length === 0 ? (
                  <Text as="p" tone="subdued">
                    Not in any segment right now.
                  </Text>
                ) : (
                  <ul aria-label="Segments" style={{ listStyle: "none", margin: 0, padding: 0 }}>
                    {segments.map((segment) => (
                      <li key={segment.segmentId}>
                        <Box paddingBlock="200" borderBlockEndWidth="025" borderColor="border-secondary">
                          <BlockStack gap="050">
                            <InlineStack gap="200" blockAlign="center">
                              <Link url={`/app/segments/${segment.segmentId}`} removeUnderline>
                                {segment.name}
                              </Link>
                              {segment.builtin ? <Badge tone="info">Built-in</Badge> : null}
                            </InlineStack>
                            {segment.why ? <Text as="span">{segment.why}</Text> : null}
                            <Text as="span" variant="bodySm" tone="subdued">
                              {`Since ${formatDateTime(segment.enteredAt, timeZone)}`}
                            </Text>
                          </BlockStack>
                        </Box>
                      </li>
                    ))}
                  </ul>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

function Figure(props: { label: string; value: string; detail?: string }) {
  return (
    <BlockStack gap="050">
      <Text as="p" variant="bodySm" tone="subdued">
        {props.label}
      </Text>
      <Text as="p" variant="headingLg">
        {props.value}
      </Text>
      {props.detail ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {props.detail}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Detail(props: { label: string; children: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="p" variant="bodySm" tone="subdued">
        {props.label}
      </Text>
      {typeof props.children === "string" ? <Text as="p">{props.children}</Text> : props.children}
    </BlockStack>
  );
}
