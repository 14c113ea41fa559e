// An empty list that says what to do next. (Polaris' EmptyState wants an illustration from Shopify's CDN;
// the admin also runs offline, so this one draws an icon instead.)
import { BlockStack, Box, Button, Card, Icon, InlineStack, Text, type IconProps } from "@shopify/polaris";
import type { ReactNode } from "react";

export function EmptyCard(props: {
  icon: IconProps["source"];
  heading: string;
  children: ReactNode;
  action?: { content: string; url: string };
}) {
  return (
    <Card>
      <Box paddingBlock="1000" paddingInline="400">
        <BlockStack gap="400" inlineAlign="center">
          <Box background="bg-fill-secondary" borderRadius="full" padding="400">
            <Icon source={props.icon} tone="subdued" />
          </Box>
          <BlockStack gap="200" inlineAlign="center">
            <Text as="h2" variant="headingMd" alignment="center">
              {props.heading}
            </Text>
            <Box maxWidth="440px">
              <Text as="p" tone="subdued" alignment="center">
                {props.children}
              </Text>
            </Box>
          </BlockStack>
          {props.action ? (
            <InlineStack align="center">
              <Button url={props.action.url} variant="primary">
                {props.action.content}
              </Button>
            </InlineStack>
          ) : null}
        </BlockStack>
      </Box>
    </Card>
  );
}
