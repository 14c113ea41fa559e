// Failed events: deliveries that arrived and verified but could not be processed, with the reason; replayable.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, Button, Card, IndexTable, Layout, List, Page, Text } from "@shopify/polaris";
import { CheckCircleIcon, ReplayIcon } from "@shopify/polaris-icons";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { EmptyCard } from "~/components/empty-card";
import { errorMessages, formatDateTime } from "~/components/format";
import { systemClock } from "~/core/clock";
import { listFailedEvents, replayInboxEvent } from "~/core/ingest/queries.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Failed events · Nudgeflow" }];

const Intent = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("replay"), id: z.string({ error: "Say which event to replay." }) })],
  { error: "Unknown action: the only action on this page is replay." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  return json({ events: await listFailedEvents(getDb(), { workspaceId }) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const replayed = await replayInboxEvent({ db: getDb(), clock: systemClock }, { workspaceId, id: submission.value.id });
  if (!replayed) {
    return json(
      { ok: false as const, errors: { id: ["this event is not a failed event of this workspace (already replayed, or unknown)."] } },
      { status: 404 },
    );
  }
  return json({ ok: true as const, id: submission.value.id });
}

export default function FailedEvents() {
  const { events } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const fetcher = useFetcher<typeof action>();
  const [dismissed, setDismissed] = useState<unknown>(null);
  const result = fetcher.state === "idle" && fetcher.data !== dismissed ? fetcher.data : undefined;
  const pendingId = fetcher.state !== "idle" ? fetcher.formData?.get("id") : null;

  return (
    <Page title="Failed events" subtitle="Deliveries from your store that could not be processed, and why.">
      <Layout>
        {result ? (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success" title="Event queued for replay" onDismiss={() => setDismissed(fetcher.data)}>
                <p>It is processed again in a moment; if it fails again it comes back to this list with the new reason.</p>
              </Banner>
            ) : (
              <Banner tone="critical" title="The event could not be replayed" onDismiss={() => setDismissed(fetcher.data)}>
                <List>
                  {errorMessages(result.errors).map((message) => (
                    <List.Item key={message}>{message}</List.Item>
                  ))}
                </List>
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {events.length === 0 ? (
            <EmptyCard icon={CheckCircleIcon} heading="No failed events: every delivery was processed.">
              When a delivery cannot be processed (an unexpected payload, a store we do not know), it is kept here
              with the reason, and you can replay it once the cause is fixed.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "failed event", plural: "failed events" }}
                itemCount={events.length}
                selectable={false}
                headings={[
                  { title: "Source" },
                  { title: "Topic" },
                  { title: "Reason" },
                  { title: "Attempts", alignment: "end" },
                  { title: "Received" },
                  { title: "Actions", hidden: true },
                ]}
              >
                {events.map((event, index) => (
                  <IndexTable.Row id={event.id} key={event.id} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {event.source}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" variant="bodyMd">
                        <code>{event.topic}</code>
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <div style={{ maxWidth: 420, whiteSpace: "normal" }}>
                        <Text as="span" tone="critical" breakWord>
                          {event.error ?? "No reason recorded"}
                        </Text>
                      </div>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {event.attempts}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{formatDateTime(event.receivedAt, timeZone)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <fetcher.Form method="post">
                        <input type="hidden" name="intent" value="replay" />
                        <input type="hidden" name="id" value={event.id} />
                        <Button submit size="slim" icon={ReplayIcon} loading={pendingId === event.id}>
                          Replay
                        </Button>
                      </fetcher.Form>
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
