// The customer page's "Journeys" card: each enrollment with its flow, status, entry and exit (and the control group
// when it is in one), a disclosure button opening its trace — the decisions in the words `nudgeflow trace` prints.
import { Badge, BlockStack, Box, Button, Card, Collapsible, Divider, InlineStack, Link, Text, type BadgeProps } from "@shopify/polaris";
import { useState } from "react";
import { formatDateTime } from "~/components/format";

/** A CustomerJourney as the loader serializes it (dates as ISO strings). */
export interface JourneyView {
  enrollmentId: string;
  flow: { id: string; name: string; href: string };
  status: string;
  entryNumber: number;
  holdout: boolean;
  enteredAt: string;
  exitedAt: string | null;
  summary: string;
  nextStepAt: string | null;
  trace: { at: string; kind: string; text: string; notable: boolean; href: string | null }[];
  traceCount: number;
}

const STATUS: Record<string, { label: string; tone?: BadgeProps["tone"] }> = {
  active: { label: "Active", tone: "info" },
  completed: { label: "Completed", tone: "success" },
  exited: { label: "Exited" },
};

export function JourneysCard(props: { journeys: JourneyView[]; enrollmentCount: number; timeZone: string }) {
  const { journeys, enrollmentCount, timeZone } = props;
  return (
    <Card padding="0">
      <Box padding="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Journeys
          </Text>
          {enrollmentCount > journeys.length ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {`The newest ${journeys.length} of ${enrollmentCount} journeys.`}
            </Text>
          ) : null}
        </BlockStack>
      </Box>
      {journeys.length === 0 ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Text as="p" tone="subdued">
            Not in any flow yet. Each time a flow enrolls this customer, the journey and every decision about it appear here.
          </Text>
        </Box>
      ) : (
        <ul aria-label="Journeys, newest first" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {journeys.map((journey) => (
            <li key={journey.enrollmentId}>
              <Divider />
              <Journey journey={journey} timeZone={timeZone} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function Journey({ journey, timeZone }: { journey: JourneyView; timeZone: string }) {
  const [open, setOpen] = useState(false);
  const status = STATUS[journey.status] ?? { label: journey.status };
  const traceId = `journey-trace-${journey.enrollmentId}`;
  const toggle = `${open ? "Hide" : "Show"} trace (${journey.traceCount})`;
  const when = [
    `Entered ${formatDateTime(journey.enteredAt, timeZone)}`,
    journey.entryNumber > 1 ? `entry ${journey.entryNumber}` : null,
    journey.exitedAt ? `ended ${formatDateTime(journey.exitedAt, timeZone)}` : null,
    journey.nextStepAt ? `next step ${formatDateTime(journey.nextStepAt, timeZone)}` : null,
  ].filter((part): part is string => Boolean(part));
  return (
    <Box paddingInline="400" paddingBlock="300">
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Link url={journey.flow.href} removeUnderline>
            {journey.flow.name}
          </Link>
          <Badge tone={status.tone}>{status.label}</Badge>
          {journey.holdout ? <Badge tone="magic">Control group</Badge> : null}
        </InlineStack>
        <Text as="p">{journey.summary}</Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {when.join(" · ")}
        </Text>
        {journey.holdout ? (
          <Text as="p" variant="bodySm" tone="subdued">
            In the flow’s control group: goes through the flow, is sent nothing, so the flow’s effect can be measured.
          </Text>
        ) : null}
        <InlineStack>
          <Button
            variant="plain"
            disclosure={open ? "up" : "down"}
            ariaExpanded={open}
            ariaControls={traceId}
            // Starts with the visible words (label in name), then says which journey: there is one button per journey.
            accessibilityLabel={`${toggle} of ${journey.flow.name}`}
            onClick={() => setOpen((value) => !value)}
          >
            {toggle}
          </Button>
        </InlineStack>
        <Collapsible id={traceId} open={open} transition={false}>
          <section aria-label={`Trace of ${journey.flow.name}`}>
            <BlockStack gap="200">
              {journey.traceCount > journey.trace.length ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  {`The last ${journey.trace.length} of ${journey.traceCount} decisions; \`nudgeflow trace --enrollment ${journey.enrollmentId}\` prints them all.`}
                </Text>
              ) : null}
              {journey.trace.length === 0 ? (
                <Text as="p" tone="subdued">
                  No decisions recorded for this journey.
                </Text>
              ) : (
                <ol style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {journey.trace.map((line, index) => (
                    <Box as="li" key={`${line.at}-${index}`} borderInlineStartWidth="050" borderColor="border" paddingInlineStart="300" paddingBlockEnd="200">
                      <BlockStack gap="050">
                        <InlineStack gap="200" blockAlign="center">
                          {line.href ? (
                            <Link url={line.href}>{line.text}</Link>
                          ) : (
                            <Text as="span" breakWord>
                              {line.text}
                            </Text>
                          )}
                          {line.notable ? <Badge tone="attention">{line.kind}</Badge> : null}
                        </InlineStack>
                        <Text as="span" variant="bodySm" tone="subdued">
                          {formatDateTime(line.at, timeZone)}
                        </Text>
                      </BlockStack>
                    </Box>
                  ))}
                </ol>
              )}
            </BlockStack>
          </section>
        </Collapsible>
      </BlockStack>
    </Box>
  );
}
