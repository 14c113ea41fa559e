// Segments: every active segment of the workspace with its size now, its last 30 days and when it was computed.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, IndexTable, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import { PersonSegmentIcon } from "@shopify/polaris-icons";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { EmptyCard } from "~/components/empty-card";
import { formatDateTime } from "~/components/format";
import { formatCount, trendText } from "~/components/segments/format";
import { Sparkline } from "~/components/segments/sparkline";
import { systemClock } from "~/core/clock";
import { listSegments } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Segments · Nudgeflow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  // The trend's 30 days end today. (The first look at a workspace creates the seed's four segments.)
  const segments = await listSegments(getDb(), { workspaceId, now: systemClock.now() });
  return json({
    segments: segments.map((segment) => ({
      id: segment.id,
      name: segment.name,
      description: segment.description,
      builtin: segment.builtin,
      memberCount: segment.memberCount,
      computedAt: segment.computedAt,
      trend: segment.trend.map((point) => point.members),
      trendText: trendText(segment.trend),
    })),
  });
}

export default function Segments() {
  const { segments } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();

  return (
    <Page
      title="Segments"
      subtitle="Groups of customers that update themselves as people browse, buy and engage."
      primaryAction={{ content: "Create segment", url: "/app/segments/new" }}
      secondaryActions={[{ content: "Customers", url: "/app/customers" }]}
    >
      <Layout>
        <Layout.Section>
          {segments.length === 0 ? (
            <EmptyCard icon={PersonSegmentIcon} heading="No segments yet" action={{ content: "Create segment", url: "/app/segments/new" }}>
              A segment is a rule such as “spent over $500” or “no order in 90 days”. Create one and watch who is in
              it; use it to start a flow when someone enters.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "segment", plural: "segments" }}
                itemCount={segments.length}
                selectable={false}
                headings={[{ title: "Segment" }, { title: "Members", alignment: "end" }, { title: "Last 30 days" }, { title: "Computed" }]}
              >
                {segments.map((segment, index) => (
                  <IndexTable.Row id={segment.id} key={segment.id} position={index}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <InlineStack gap="200" blockAlign="center">
                          <Link url={`/app/segments/${segment.id}`} monochrome removeUnderline dataPrimaryLink>
                            <Text as="span" fontWeight="semibold">
                              {segment.name}
                            </Text>
                          </Link>
                          {segment.builtin ? <Badge tone="info">Built-in</Badge> : null}
                        </InlineStack>
                        {segment.description ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {segment.description}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatCount(segment.memberCount)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="200" blockAlign="center" wrap={false}>
                        <Sparkline points={segment.trend} />
                        <Text as="span" variant="bodySm" tone="subdued">
                          {segment.trendText}
                        </Text>
                      </InlineStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone={segment.computedAt ? undefined : "subdued"}>
                        {segment.computedAt ? formatDateTime(segment.computedAt, timeZone) : "Not computed yet"}
                      </Text>
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
