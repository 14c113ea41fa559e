// One email as the shopper gets it: the HTML in a sandboxed frame (no scripts, no navigation), and the text part.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { formatDateTime } from "~/components/format";
import { RouteErrorPage } from "~/components/route-error";
import { MessageStatusBadge } from "~/components/status-badges";
import { getMessage, type MessageEventSummary } from "~/core/messaging/queries.server";
import { getDb } from "~/db.server";

const Params = z.object({ messageId: z.string().min(1) });

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.message.subject ?? "Email"} · Outbox · Nudgeflow` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { messageId } = Params.parse(params);
  const message = await getMessage(getDb(), { workspaceId, messageId });
  if (!message) throw new Response("There is no email with this address in your workspace.", { status: 404 });
  return json({
    message: {
      ...message,
      from: message.fromName ? `${message.fromName} <${message.fromEmail}>` : message.fromEmail,
      createdAt: message.createdAt.toISOString(),
      sentAt: message.sentAt?.toISOString() ?? null,
    },
  });
}

export default function OutboxMessage() {
  const { message } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  return (
    <Page
      title={message.subject}
      titleMetadata={<MessageStatusBadge status={message.status} />}
      backAction={{ content: "Outbox", url: "/app/outbox" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card padding="0">
              <Box padding="400">
                <Text as="h2" variant="headingSm">
                  HTML
                </Text>
              </Box>
              <Box borderBlockStartWidth="025" borderColor="border">
                <iframe
                  title={`Email: ${message.subject}`}
                  srcDoc={message.html}
                  sandbox=""
                  style={{ display: "block", width: "100%", height: 640, border: 0, background: "#ffffff" }}
                />
              </Box>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingSm">
                  Plain text
                </Text>
                <Box background="bg-surface-secondary" borderRadius="200" padding="400">
                  <pre style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-word", fontFamily: "var(--p-font-family-mono)", fontSize: 13 }}>
                    {message.text}
                  </pre>
                </Box>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingSm">
                Details
              </Text>
              <Detail label="From">{message.from}</Detail>
              <Detail label="To">{message.toEmail}</Detail>
              <Detail label="Created">{formatDateTime(message.createdAt, timeZone)}</Detail>
              <Detail label="Sent">
                {message.sentAt && message.status === "sent"
                  ? formatDateTime(message.sentAt, timeZone)
                  : message.status === "outbox"
                    ? "Kept in the outbox (no email provider)"
                    : message.status === "suppressed"
                      ? (message.error ?? "Not sent: the address is suppressed")
                      : "Not sent yet"}
              </Detail>
            </BlockStack>
          </Card>
          <Box paddingBlockStart="400">
            <MessageTimeline events={message.events} timeZone={timeZone} />
          </Box>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

const EVENT_LABEL: Record<string, string> = {
  processed: "Accepted by SendGrid",
  delivered: "Delivered",
  deferred: "Delivery delayed",
  bounce: "Bounced",
  dropped: "Dropped",
  open: "Opened",
  click: "Clicked",
  spamreport: "Reported as spam",
  unsubscribe: "Unsubscribed",
  group_unsubscribe: "Unsubscribed (group)",
};

/** The message's events, oldest first: a small timeline. */
function MessageTimeline({ events, timeZone }: { events: MessageEventSummary[]; timeZone: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingSm">
          Activity
        </Text>
        {events.length === 0 ? (
          <Text as="p" tone="subdued">
            No delivery events yet.
          </Text>
        ) : (
          <BlockStack gap="300" as="ul">
            {events.map((event) => (
              <Box as="li" key={event.id} borderInlineStartWidth="050" borderColor="border" paddingInlineStart="300">
                <BlockStack gap="050">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="span" fontWeight="semibold">
                      {EVENT_LABEL[event.type] ?? event.type}
                    </Text>
                    {event.machineOpen ? <Badge>Machine open</Badge> : null}
                  </InlineStack>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {formatDateTime(event.occurredAt, timeZone)}
                  </Text>
                  {event.url || event.reason ? (
                    <Text as="span" variant="bodySm" breakWord>
                      {event.url ?? event.reason ?? ""}
                    </Text>
                  ) : null}
                </BlockStack>
              </Box>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

function Detail({ label, children }: { label: string; children: string }) {
  return (
    <InlineGrid columns="80px 1fr" gap="200">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" breakWord>
        {children}
      </Text>
    </InlineGrid>
  );
}

/** A missing email is answered here, inside the admin; anything else goes up to the layout's boundary. */
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <RouteErrorPage error={error} backUrl="/app/outbox" />;
  throw error;
}
