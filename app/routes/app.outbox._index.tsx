// Outbox: every email the flows produced, newest first. Without a SendGrid key, this is where they stay.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, IndexTable, Layout, Link, Page, Text } from "@shopify/polaris";
import { EmailIcon } from "@shopify/polaris-icons";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { EmptyCard } from "~/components/empty-card";
import { formatDateTime } from "~/components/format";
import { MessageStatusBadge } from "~/components/status-badges";
import { listMessages } from "~/core/messaging/queries.server";
import { getDb } from "~/db.server";
import { env } from "~/env.server";

export const meta: MetaFunction = () => [{ title: "Outbox · Nudgeflow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  return json({
    messages: await listMessages(getDb(), { workspaceId }),
    sendingEnabled: Boolean(env().SENDGRID_API_KEY),
  });
}

export default function Outbox() {
  const { messages, sendingEnabled } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();

  return (
    <Page title="Outbox" subtitle="Every email your flows have written, newest first.">
      <Layout>
        <Layout.Section>
          {sendingEnabled ? (
            <Banner tone="info" title="Emails are sent through SendGrid">
              <p>Each email is listed here with its delivery status; open one to see exactly what the shopper received.</p>
            </Banner>
          ) : (
            <Banner tone="warning" title="Emails are kept here, not sent">
              <p>
                No SendGrid API key is configured, so emails are kept in this outbox instead of being sent. Set
                SENDGRID_API_KEY (and MAIL_FROM) on the server to deliver them.
              </p>
            </Banner>
          )}
        </Layout.Section>
        <Layout.Section>
          {messages.length === 0 ? (
            <EmptyCard icon={EmailIcon} heading="No emails yet" action={{ content: "Browse blueprints", url: "/app" }}>
              When a live flow reaches an email step for a shopper, the email appears here. Turn on a blueprint on
              Home to get started.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "email", plural: "emails" }}
                itemCount={messages.length}
                selectable={false}
                headings={[{ title: "To" }, { title: "Subject" }, { title: "Flow" }, { title: "Status" }, { title: "Created" }]}
              >
                {messages.map((message, index) => (
                  <IndexTable.Row id={message.id} key={message.id} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {message.toEmail}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <Link url={`/app/outbox/${message.id}`} monochrome removeUnderline dataPrimaryLink>
                          {message.subject}
                        </Link>
                        {message.error ? (
                          <Text as="span" variant="bodySm" tone="critical">
                            {message.error}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone={message.flowName ? undefined : "subdued"}>
                        {message.flowName ?? "—"}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <MessageStatusBadge status={message.status} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>{formatDateTime(message.createdAt, timeZone)}</IndexTable.Cell>
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
