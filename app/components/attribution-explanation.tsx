// "Why this attribution?" under an order: which email earned it under the workspace's current rules and why, or why
// none did (outside the window, a machine open, opens not counted, no click at all). The verdict is explainAttribution's
// (core/analytics/attribution.server.ts), loaded when the disclosure is first opened, so it always follows the rules
// in force (/app/settings/attribution).
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Collapsible, InlineStack, Link, Spinner, Text } from "@shopify/polaris";
import { useId, useState } from "react";
import type { AttributionExplanation } from "~/core/analytics/attribution.server";
import type { TouchVerdict } from "~/core/analytics/attribution";
import { formatDateTime } from "./format";

const VERDICT_LABEL: Record<TouchVerdict, string> = {
  won: "Earned the order",
  superseded: "A later touch counts",
  "after-order": "After the order",
  "outside-window": "Outside the window",
  "machine-open": "Machine open",
  "opens-not-counted": "Opens not counted",
  "order-cancelled": "Order cancelled",
  "discount-code": "The flow's discount code counts first",
};

/** A disclosure button that loads and shows the order's explanation. */
export function AttributionDisclosure(props: { orderId: string; orderLabel: string; timeZone: string }) {
  const [open, setOpen] = useState(false);
  const loader = useFetcher<{ explanation: AttributionExplanation }>();
  const panelId = useId();
  const toggle = () => {
    if (!open && loader.state === "idle" && !loader.data) loader.load(`/app/orders/${encodeURIComponent(props.orderId)}/attribution`);
    setOpen((value) => !value);
  };
  return (
    <BlockStack gap="100">
      <InlineStack>
        <Button variant="plain" disclosure={open ? "up" : "down"} ariaExpanded={open} ariaControls={panelId} accessibilityLabel={`Why this attribution? ${props.orderLabel}`} onClick={toggle}>
          Why this attribution?
        </Button>
      </InlineStack>
      <Collapsible id={panelId} open={open} transition={false}>
        <section aria-label={`Attribution of ${props.orderLabel}`}>
          {loader.data ? (
            <AttributionExplanationView explanation={loader.data.explanation} timeZone={props.timeZone} />
          ) : loader.state !== "idle" ? (
            <Spinner size="small" accessibilityLabel="Loading the explanation" />
          ) : open ? (
            <Text as="p" tone="critical">
              The explanation could not be loaded. Close and open again to retry.
            </Text>
          ) : null}
        </section>
      </Collapsible>
    </BlockStack>
  );
}

/** The verdict: the winning email (linked to its outbox page) and flow, or the reason there is none; then each touch. */
export function AttributionExplanationView({ explanation, timeZone }: { explanation: AttributionExplanation; timeZone: string }) {
  const { attributedTo, rules, touches } = explanation;
  return (
    <Box paddingBlockStart="100" paddingInlineStart="300" borderInlineStartWidth="050" borderColor="border">
      <BlockStack gap="200">
        {attributedTo ? (
          <InlineStack gap="200" blockAlign="center">
            <Badge tone="success">Attributed</Badge>
            <Link url={`/app/outbox/${encodeURIComponent(attributedTo.messageId)}`}>{`Email: ${attributedTo.subject}`}</Link>
            {attributedTo.flowId ? <Link url={`/app/flows/${encodeURIComponent(attributedTo.flowId)}`}>{`Flow: ${attributedTo.flowName ?? attributedTo.flowId}`}</Link> : null}
            {attributedTo.discountCode ? <Badge tone="info">{`Discount code ${attributedTo.discountCode}`}</Badge> : null}
          </InlineStack>
        ) : (
          <InlineStack>
            <Badge>No attribution</Badge>
          </InlineStack>
        )}
        <Text as="p">{explanation.reason}</Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {`Rules in force: the last ${rules.includeOpens ? "click or open by a person" : "click"} within ${rules.windowDays} ${rules.windowDays === 1 ? "day" : "days"} before the order.`}{" "}
          <Link url="/app/settings/attribution">Change the rules</Link>
        </Text>
        {touches.length > 0 ? (
          <ul aria-label="Clicks and opens, newest first" style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {touches.slice(0, 10).map((touch, index) => (
              <li key={`${touch.messageId}-${touch.occurredAt}-${index}`}>
                <Text as="p" variant="bodySm">
                  {`${touch.type === "click" ? "Click" : "Open"} on “${touch.subject}”, ${formatDateTime(touch.occurredAt, timeZone)}: ${VERDICT_LABEL[touch.verdict]} (${touch.note})`}
                </Text>
              </li>
            ))}
          </ul>
        ) : null}
      </BlockStack>
    </Box>
  );
}
