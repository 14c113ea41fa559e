// The public unsubscribe page behind every email's link (no login: the signed token is the permission).
// GET shows a confirmation; POST applies it. RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click`
// to the same URL (the List-Unsubscribe header), and that unsubscribes at once too.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, BlockStack, Box, Button, Card, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { z } from "zod";
import { PolarisLink } from "~/components/polaris-link";
import { systemClock } from "~/core/clock";
import { applyUnsubscribe, describeUnsubscribe } from "~/core/messaging/unsubscribe.server";
import { getDb } from "~/db.server";
import { unsubscribeLinks } from "~/services.server";

const Params = z.object({ token: z.string().min(1).max(200) });

const UnsubscribeForm = z.union([
  z.object({ "List-Unsubscribe": z.literal("One-Click") }).transform(() => "one_click" as const),
  z.object({ intent: z.literal("unsubscribe") }).transform(() => "unsubscribe_link" as const),
]);

export const meta: MetaFunction = () => [{ title: "Unsubscribe" }, { name: "robots", content: "noindex" }];

async function messageIdFrom(params: LoaderFunctionArgs["params"]): Promise<string> {
  const parsed = Params.safeParse(params);
  const messageId = parsed.success ? await unsubscribeLinks().verify(parsed.data.token) : null;
  if (!messageId) throw new Response("This unsubscribe link is not valid. Use the link in the email you received.", { status: 400 });
  return messageId;
}

const NOT_FOUND = "We could not find the email this link belongs to.";

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await describeUnsubscribe(getDb(), { messageId: await messageIdFrom(params) });
  if (!page) throw new Response(NOT_FOUND, { status: 404 });
  return json(page);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const messageId = await messageIdFrom(params);
  const form = UnsubscribeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) throw new Response("Send List-Unsubscribe=One-Click, or use the button on this page.", { status: 400 });
  const done = await applyUnsubscribe({ db: getDb(), clock: systemClock }, { messageId, source: form.data });
  if (!done) throw new Response(NOT_FOUND, { status: 404 });
  return json({ unsubscribed: true, shopName: done.shopName });
}

export default function Unsubscribe() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().state === "submitting";
  if (result?.unsubscribed || page.alreadyUnsubscribed) {
    return (
      <Shell>
        <Text as="h1" variant="headingLg">
          You&apos;re unsubscribed
        </Text>
        <Text as="p">
          {`${page.maskedEmail} will get no more marketing emails from ${result?.shopName ?? page.shopName}. Emails about your orders still reach you.`}
        </Text>
      </Shell>
    );
  }
  return (
    <Shell>
      <Text as="h1" variant="headingLg">
        {`Unsubscribe from ${page.shopName}?`}
      </Text>
      <Text as="p">{`We'll stop sending marketing emails to ${page.maskedEmail}.`}</Text>
      <Form method="post">
        <input type="hidden" name="intent" value="unsubscribe" />
        <Button submit variant="primary" loading={submitting}>
          Unsubscribe
        </Button>
      </Form>
    </Shell>
  );
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <PolarisAppProvider i18n={en} linkComponent={PolarisLink}>
      <Box minHeight="100vh" background="bg" paddingBlockStart="2000" paddingInline="400">
        <Page narrowWidth>
          <Card padding="600">
            <BlockStack gap="400">{children}</BlockStack>
          </Card>
        </Page>
      </Box>
    </PolarisAppProvider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) throw error;
  return (
    <Shell>
      <Text as="h1" variant="headingLg">
        {error.status === 404 ? "Email not found" : "This link does not work"}
      </Text>
      <Text as="p">{typeof error.data === "string" ? error.data : "Something is wrong with this link."}</Text>
    </Shell>
  );
}
