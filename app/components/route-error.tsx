// What a page shows when its loader or action failed: a Polaris page with a critical banner, never a blank screen.
import { isRouteErrorResponse } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page, Text } from "@shopify/polaris";

export function describeRouteError(error: unknown): { title: string; detail: string } {
  if (isRouteErrorResponse(error)) {
    const detail = typeof error.data === "string" && error.data && !error.data.trimStart().startsWith("<") ? error.data : error.statusText;
    if (error.status === 404) return { title: "Not found", detail: detail || "This page does not exist." };
    return { title: `Request failed (${error.status})`, detail: detail || "The server could not handle this request." };
  }
  const detail = error instanceof Error && error.message ? error.message : "An unexpected error occurred.";
  return { title: "Something went wrong", detail };
}

export function RouteErrorPage({ error, backUrl }: { error: unknown; backUrl?: string }) {
  const { title, detail } = describeRouteError(error);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page title={title} backAction={backUrl ? { content: "Back", url: backUrl } : undefined}>
      <Layout>
        <Layout.Section>
          <Banner tone={notFound ? "warning" : "critical"}>
            <BlockStack gap="200">
              <Text as="p">{detail}</Text>
              {notFound ? null : (
                <Text as="p" tone="subdued">
                  Try again in a moment. If it keeps happening, the server log has the details.
                </Text>
              )}
            </BlockStack>
          </Banner>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
