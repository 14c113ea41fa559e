// The public preference page behind every email's unsubscribe link (no login: the signed token is the permission).
// GET shows the address (partly hidden) and where it stands; POST unsubscribes, or takes back the customer's own
// unsubscribe (never a bounce, a spam report or the shop's block). RFC 8058 one-click: mail clients POST
// `List-Unsubscribe=One-Click` to the same URL (the List-Unsubscribe header), and that unsubscribes at once too.
// Either change is written back to the customer's stores by the worker (ADR 0028).
import { json, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Banner, BlockStack, Box, Button, Card, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { z } from "zod";
import { PolarisLink } from "~/components/polaris-link";
import { systemClock } from "~/core/clock";
import { applyResubscribe, applyUnsubscribe, describeUnsubscribe } from "~/core/messaging/unsubscribe.server";
import { getDb } from "~/db.server";
import { unsubscribeLinks } from "~/services.server";

const Params = z.object({ token: z.string().min(1).max(200) });

const PreferenceForm = z.union([
  z.object({ "List-Unsubscribe": z.literal("One-Click") }).transform(() => ({ intent: "unsubscribe" as const, source: "one_click" as const })),
  z.object({ intent: z.literal("unsubscribe") }).transform(() => ({ intent: "unsubscribe" as const, source: "unsubscribe_link" as const })),
  z.object({ intent: z.literal("resubscribe") }).transform(() => ({ intent: "resubscribe" as const })),
]);

/** The page names a person's address (masked) and acts on it: never indexed, never cached. */
const PRIVATE_HEADERS = { "X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store" };

export const meta: MetaFunction = () => [{ title: "Email preferences" }, { name: "robots", content: "noindex, nofollow" }];
export const headers: HeadersFunction = () => PRIVATE_HEADERS;

async function messageIdFrom(params: LoaderFunctionArgs["params"]): Promise<string> {
  const parsed = Params.safeParse(params);
  const messageId = parsed.success ? await unsubscribeLinks().verify(parsed.data.token) : null;
  if (!messageId) throw new Response("This unsubscribe link is not valid. Use the link in the email you received.", { status: 400, headers: PRIVATE_HEADERS });
  return messageId;
}

const NOT_FOUND = "We could not find the email this link belongs to.";

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await describeUnsubscribe(getDb(), { messageId: await messageIdFrom(params) });
  if (!page) throw new Response(NOT_FOUND, { status: 404, headers: PRIVATE_HEADERS });
  return json(page, { headers: PRIVATE_HEADERS });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const messageId = await messageIdFrom(params);
  const form = PreferenceForm.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) throw new Response("Send List-Unsubscribe=One-Click, or use the buttons on this page.", { status: 400, headers: PRIVATE_HEADERS });
  const deps = { db: getDb(), clock: systemClock };
  if (form.data.intent === "unsubscribe") {
    const done = await applyUnsubscribe(deps, { messageId, source: form.data.source });
    if (!done) throw new Response(NOT_FOUND, { status: 404, headers: PRIVATE_HEADERS });
    return json({ outcome: "unsubscribed" as const, why: null }, { headers: PRIVATE_HEADERS });
  }
  const outcome = await applyResubscribe(deps, { messageId });
  if (!outcome) throw new Response(NOT_FOUND, { status: 404, headers: PRIVATE_HEADERS });
  return json({ outcome: outcome.kind, why: outcome.kind === "refused" ? outcome.why : null }, { headers: PRIVATE_HEADERS });
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "25 November 2026", the same on the server and in any browser (no locale data involved: hydration matches). */
function formatDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export default function EmailPreferences() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().state === "submitting";
  const { shopName, maskedEmail, status } = page;
  const ordersStillCome = "Emails about your orders still reach you.";

  switch (status.kind) {
    case "receiving":
      return (
        <Shell>
          <Text as="h1" variant="headingLg">
            {result?.outcome === "resubscribed" ? "You're subscribed again" : `Unsubscribe from ${shopName}?`}
          </Text>
          {result?.outcome === "resubscribed" ? (
            <Banner tone="success">{`${maskedEmail} will get marketing emails from ${shopName} again. You can unsubscribe here at any time.`}</Banner>
          ) : null}
          <Text as="p">{`Status: subscribed. ${maskedEmail} gets marketing emails from ${shopName}.`}</Text>
          <Text as="p" tone="subdued">{`If you unsubscribe, we'll stop sending marketing emails to ${maskedEmail}. ${ordersStillCome}`}</Text>
          <Form method="post">
            <input type="hidden" name="intent" value="unsubscribe" />
            <Button submit variant="primary" loading={submitting}>
              Unsubscribe from marketing emails
            </Button>
          </Form>
        </Shell>
      );
    case "unsubscribed":
      return (
        <Shell>
          <Text as="h1" variant="headingLg">
            You&apos;re unsubscribed
          </Text>
          {result?.outcome === "refused" && result.why ? <Banner tone="critical">{`We could not subscribe you again: ${result.why}.`}</Banner> : null}
          <Text as="p">{`${maskedEmail} will get no more marketing emails from ${shopName} (unsubscribed on ${formatDay(status.since)}). ${ordersStillCome}`}</Text>
          <Text as="p" tone="subdued">
            Unsubscribed by mistake? You can subscribe again.
          </Text>
          <Form method="post">
            <input type="hidden" name="intent" value="resubscribe" />
            <Button submit loading={submitting}>
              Resubscribe
            </Button>
          </Form>
        </Shell>
      );
    case "blocked":
      return (
        <Shell>
          <Text as="h1" variant="headingLg">
            You&apos;re unsubscribed
          </Text>
          {result?.outcome === "refused" && result.why ? <Banner tone="critical">{`We could not subscribe you again: ${result.why}.`}</Banner> : null}
          <Text as="p">{`${maskedEmail} gets no marketing emails from ${shopName}: ${status.why} (since ${formatDay(status.since)}).`}</Text>
          <Text as="p" tone="subdued">{`This page cannot undo that. To get ${shopName}'s emails again, contact the shop.`}</Text>
        </Shell>
      );
  }
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
