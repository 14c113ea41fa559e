// One email's whole path: the trigger that started the journey, the engine's decisions up to this send, the
// message (status, provider id, attempts, error) and everything reported about it since, in time order; then the
// email as the shopper gets it (the HTML in a sandboxed frame: no scripts, no navigation) and its text part.
import {
  json,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  isRouteErrorResponse,
  useLoaderData,
  useRouteError,
} from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import type { ReactNode } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { formatDateTime } from "~/components/format";
import { RouteErrorPage } from "~/components/route-error";
import { MessageStatusBadge } from "~/components/status-badges";
import { messagePath } from "~/core/messaging/message-path.server";
import { getDb } from "~/db.server";
import { clickLinks, unsubscribeLinks } from "~/services.server";

const Params = z.object({ messageId: z.string().min(1) });

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.path.message.subject ?? "Email"} · Outbox · Nudgeflow` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { messageId } = Params.parse(params);
  const path = await messagePath(getDb(), { workspaceId, messageId }, { clicks: clickLinks(), unsubscribe: unsubscribeLinks() });
  if (!path)
    throw new Response(
      "There is no email with this address in your workspace.",
      { status: 404 }
    );
  return json({ path });
}

export default function OutboxMessage() {
  const { path } = useLoaderData<typeof loader>();
  const { message, customer, flow, enrollment, trigger, trace, events } = path;
  const { timeZone } = useAdminLayoutData();
  const time = (iso: string) => formatDateTime(iso, timeZone);
  return (
    <Page
      title={message.subject}
      titleMetadata={<MessageStatusBadge status={message.status} />}
      backAction={{ content: "Outbox", url: "/app/outbox" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingSm">
                  How this email came about
                </Text>
                {trigger && enrollment ? (
                  <section aria-label="Trigger">
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingXs">
                        Trigger
                      </Text>
                      <Text as="p">
                        {trigger.backfill
                          ? `Enrolled by the flow's backfill (${trigger.description})`
                          : `Started by ${trigger.description}`}
                        {trigger.type ? (
                          <Text
                            as="span"
                            tone="subdued"
                          >{` · ${trigger.type}`}</Text>
                        ) : null}
                      </Text>
                      {trigger.title ? (
                        <Text as="p" tone="subdued">
                          {[trigger.title, trigger.detail]
                            .filter(Boolean)
                            .join(" · ")}
                        </Text>
                      ) : null}
                      <Text as="p" variant="bodySm" tone="subdued">
                        {`${time(trigger.occurredAt)} · entry ${
                          enrollment.entryNumber
                        } · journey ${enrollment.status}${
                          enrollment.exitReason
                            ? ` (${enrollment.exitReason})`
                            : ""
                        }`}
                      </Text>
                    </BlockStack>
                  </section>
                ) : (
                  <Text as="p" tone="subdued">
                    {message.kind === "test"
                      ? "A test send from the email editor: no journey behind it."
                      : "This email belongs to no journey."}
                  </Text>
                )}
                <InlineStack gap="400">
                  {customer ? (
                    <Link url={customer.href}>{`Customer: ${
                      customer.name ?? customer.email ?? customer.id
                    }`}</Link>
                  ) : null}
                  {flow ? (
                    <Link url={flow.href}>{`Flow: ${flow.name}`}</Link>
                  ) : null}
                </InlineStack>
                {trace.length ? (
                  <section aria-label="Journey trace">
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingXs">
                        Journey up to this email
                      </Text>
                      <TimeList>
                        {trace.map((step, index) => (
                          <TimeItem
                            key={`${step.at}-${index}`}
                            at={time(step.at)}
                            badge={
                              step.notable ? (
                                <Badge tone="attention">{step.kind}</Badge>
                              ) : null
                            }
                          >
                            {step.text}
                          </TimeItem>
                        ))}
                      </TimeList>
                    </BlockStack>
                  </section>
                ) : null}
              </BlockStack>
            </Card>
            <Card padding="0">
              <Box padding="400">
                <Text as="h2" variant="headingSm">
                  HTML
                </Text>
              </Box>
              <Box borderBlockStartWidth="025" borderColor="border">
                <iframe
                  title={`Email: ${message.subject}`}
                  srcDoc={message.html ?? "<p>The content of this email is no longer stored (erased).</p>"}
                  sandbox=""
                  style={{
                    display: "block",
                    width: "100%",
                    height: 640,
                    border: 0,
                    background: "#ffffff",
                  }}
                />
              </Box>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingSm">
                  Plain text
                </Text>
                <Box
                  background="bg-surface-secondary"
                  borderRadius="200"
                  padding="400"
                >
                  <pre
                    style={{
                      margin: 0,
                      whiteSpace: "pre-wrap",
                      wordBreak: "break-word",
                      fontFamily: "var(--p-font-family-mono)",
                      fontSize: 13,
                    }}
                  >
                    {message.text ?? "The content of this email is no longer stored (erased)."}
                  </pre>
                </Box>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingSm">
                  Message
                </Text>
                <Detail label="From">{message.from}</Detail>
                <Detail label="To">{message.toEmail}</Detail>
                <Detail label="Kind">{message.kind}</Detail>
                <Detail label="Written">{time(message.createdAt)}</Detail>
                <Detail label="Sent">
                  {message.sentAt && message.status === "sent"
                    ? time(message.sentAt)
                    : message.status === "outbox"
                    ? "Kept in the outbox (no email provider)"
                    : message.status === "suppressed"
                    ? message.error ?? "Not sent: the address is suppressed"
                    : message.status === "queued"
                    ? `Not sent yet (next try ${time(message.nextAttemptAt)})`
                    : "Not sent"}
                </Detail>
                <Detail label="Provider">{message.provider ?? "—"}</Detail>
                <Detail label="Provider id">
                  {message.providerMessageId ?? "—"}
                </Detail>
                <Detail label="Attempts">{String(message.attempts)}</Detail>
                {message.error ? (
                  <Detail label="Error">{message.error}</Detail>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <section aria-label="Delivery events">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingSm">
                    Delivery events
                  </Text>
                  {events.length === 0 ? (
                    <Text as="p" tone="subdued">
                      No delivery events yet.
                    </Text>
                  ) : (
                    <TimeList>
                      {events.map((event) => (
                        <TimeItem
                          key={event.id}
                          at={time(event.occurredAt)}
                          badge={
                            event.machineOpen ? (
                              <Badge>Machine open</Badge>
                            ) : null
                          }
                          detail={event.url ?? event.reason}
                        >
                          {event.label}
                        </TimeItem>
                      ))}
                    </TimeList>
                  )}
                </BlockStack>
              </section>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function TimeList({ children }: { children: ReactNode }) {
  return (
    <BlockStack gap="300" as="ul">
      {children}
    </BlockStack>
  );
}

function TimeItem({
  at,
  badge,
  detail,
  children,
}: {
  at: string;
  badge: ReactNode;
  detail?: string | null;
  children: string;
}) {
  return (
    <Box
      as="li"
      borderInlineStartWidth="050"
      borderColor="border"
      paddingInlineStart="300"
    >
      <BlockStack gap="050">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" fontWeight="semibold" breakWord>
            {children}
          </Text>
          {badge}
        </InlineStack>
        <Text as="span" tone="subdued" variant="bodySm">
          {at}
        </Text>
        {detail ? (
          <Text as="span" variant="bodySm" breakWord>
            {detail}
          </Text>
        ) : null}
      </BlockStack>
    </Box>
  );
}

function Detail({ label, children }: { label: string; children: string }) {
  return (
    <InlineGrid columns="90px 1fr" gap="200">
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
  if (isRouteErrorResponse(error) && error.status === 404)
    return <RouteErrorPage error={error} backUrl="/app/outbox" />;
  throw error;
}
