// The flow page's results: attributed revenue over the last 30 days and, next to it, what the flow adds against
// its control group (treatment minus control, with 95 % intervals), the 90-day lifetime-value effect, the A/B tests
// (with their promotion, automatic or by hand), plus the "Keep a control group" setting that edits the draft's
// rules.holdout. FlowHistory lists the flow's audit entries.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineStack, Modal, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { formatCountLift, formatMinor, formatMoneyList, formatMoneyLift, formatRateLift, formatRateWithParts } from "~/core/analytics/format";
import { AB_METRIC_LABELS, MINIMUM_RELATIVE_EFFECT, type AbMetric, type AbVerdict } from "~/core/analytics/ab-test";
import type { ClvEffect } from "~/core/analytics/clv";
import type { IncrementalEffect, Rate } from "~/core/analytics/kpis";
import { assertUnreachable } from "~/core/assert";
import { SUGGESTED_HOLDOUT_PERCENT, type Holdout } from "~/core/flows/definition";
import type { Money } from "~/core/money";

export interface FlowResultsData {
  /** Attributed to this flow's emails (last touch within the workspace's window). */
  revenue: Money[];
  conversions: number;
  conversionRate: Rate;
  recipients: number;
  incremental: IncrementalEffect | null;
}

/** One A/B split's test as the page shows it (AbSplitResult, serialized). */
export interface AbTestView {
  nodeId: string;
  metric: AbMetric;
  currency: string | null;
  windowDays: number;
  verdict: AbVerdict;
  variants: { id: string; customers: number; mean: number | null; comparison: { interval: { low: number; high: number } | null } | null }[];
  plannedPerVariant: number | null;
  daysRemaining: number | null;
}

function formatMetric(metric: AbMetric, value: number | null, currency: string | null): string {
  if (value === null) return "—";
  return metric === "revenue_per_recipient" ? formatMinor(value, currency) : `${(value * 100).toFixed(1)}%`;
}

function verdictText(verdict: AbVerdict): string {
  switch (verdict.kind) {
    case "winner":
      return `Winner: ${verdict.variant}`;
    case "no_difference":
      return `No difference worth acting on (all within ±${MINIMUM_RELATIVE_EFFECT * 100} %)`;
    case "inconclusive":
      return `Inconclusive: ${verdict.reason}`;
    default:
      return assertUnreachable(verdict);
  }
}

/** A promotion of an A/B winner as the page shows it (PromotionRecord, serialized). */
export interface PromotionView {
  id: string;
  at: string;
  actor: string;
  nodeId: string;
  variant: string;
  version: number;
  automatic: boolean;
}

/** One entry of the flow's history (HistoryEntry, serialized). */
export interface HistoryEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  summary: string;
}

/** "2026-11-26 14:05 UTC": the same on the server and in the browser. */
const formatAt = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;

function promotedText(promotion: PromotionView): string {
  return `Promoted: variant "${promotion.variant}" goes to everyone since ${formatAt(promotion.at)} (version ${promotion.version}, ${promotion.automatic ? "automatically, when the test declared it the winner" : `by ${promotion.actor}`}).`;
}

/** The merchant's own promotion: a button under a decided test, and a dialog that says what it does first. */
function PromoteWinner(props: { nodeId: string; variant: string }) {
  const fetcher = useFetcher<{ ok: boolean; intent?: string; version?: number; errors?: Record<string, string[]> }>();
  const [open, setOpen] = useState(false);
  const done = fetcher.state === "idle" && fetcher.data?.ok === true && fetcher.data.intent === "promote-variant";
  const error = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? Object.values(fetcher.data.errors ?? {}).flat().join("; ") : null;
  useEffect(() => {
    if (done) setOpen(false);
  }, [done]);
  return (
    <>
      <InlineStack>
        <Button onClick={() => setOpen(true)} accessibilityLabel={`Promote variant ${props.variant} of ${props.nodeId}`}>{`Send everyone variant "${props.variant}"…`}</Button>
      </InlineStack>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title={`Promote variant "${props.variant}"?`}
        primaryAction={{ content: "Promote", loading: fetcher.state !== "idle", onAction: () => fetcher.submit({ intent: "promote-variant", nodeId: props.nodeId, variant: props.variant }, { method: "post" }) }}
        secondaryActions={[{ content: "Cancel", onAction: () => setOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            {error ? <Banner tone="critical" title="The variant was not promoted"><p>{error}</p></Banner> : null}
            <Text as="p">{`A new version of the flow is published in which everyone who reaches the split "${props.nodeId}" gets variant "${props.variant}"; the other variants get nobody (their steps stay, so you can restart the test). Customers already past the split keep their variant. The flow's history records that you did it.`}</Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
    </>
  );
}

function AbTests(props: { tests: AbTestView[]; promotions: PromotionView[]; canPromote: boolean }) {
  return (
    <BlockStack gap="300">
      {props.tests.map((test) => {
        const promotion = props.promotions.find((candidate) => candidate.nodeId === test.nodeId);
        return (
        <BlockStack gap="200" key={test.nodeId}>
          <Text as="h3" variant="headingSm">{`A/B test "${test.nodeId}" — ${AB_METRIC_LABELS[test.metric]}: ${verdictText(test.verdict)}`}</Text>
          {promotion ? <Banner tone="success"><p>{promotedText(promotion)}</p></Banner> : null}
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "text"]}
            headings={["Variant", "Customers", AB_METRIC_LABELS[test.metric], "Against the first (always-valid 95 % interval)"]}
            rows={test.variants.map((variant, index) => [
              variant.id,
              variant.customers,
              formatMetric(test.metric, variant.mean, test.currency),
              index === 0 ? "baseline" : variant.comparison?.interval ? `${formatMetric(test.metric, variant.comparison.interval.low, test.currency)} to ${formatMetric(test.metric, variant.comparison.interval.high, test.currency)}` : "not enough data yet",
            ])}
          />
          <Text as="p" tone="subdued" variant="bodySm">
            {test.verdict.kind !== "inconclusive"
              ? "The sequential test has decided: reading it on any day kept false winners under 5 %, so no fixed sample size was needed."
              : test.plannedPerVariant === null
              ? "The planner needs a baseline result before it can say how long this takes."
              : `To detect a ${MINIMUM_RELATIVE_EFFECT * 100} % lift with 80 % power a variant needs about ${test.plannedPerVariant} customers: ${test.daysRemaining === null ? "nobody reached this split recently" : test.daysRemaining === 0 ? "reached" : `about ${test.daysRemaining} more days at the recent traffic`}. The sequential test may be read any day without raising false winners above 5 %.`}
          </Text>
          {!promotion && props.canPromote && test.verdict.kind === "winner" ? <PromoteWinner nodeId={test.nodeId} variant={test.verdict.variant} /> : null}
        </BlockStack>
        );
      })}
    </BlockStack>
  );
}

/** Treatment against control over 90 days, for customers whose 90 days have passed. */
function LifetimeValue(props: { clv: ClvEffect }) {
  const { clv } = props;
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">Lifetime value effect (90 days after entering)</Text>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={["Group", "Customers", "Revenue per customer, 90 days", "Ordered twice or more"]}
        rows={[
          ["Sent the flow", clv.treatment.customers, formatMinor(clv.treatment.revenuePerCustomer, clv.currency), formatRateWithParts(clv.treatment.repeatPurchaseRate)],
          ["Control group (sent nothing)", clv.control.customers, formatMinor(clv.control.revenuePerCustomer, clv.currency), formatRateWithParts(clv.control.repeatPurchaseRate)],
          ["Difference", "", formatMoneyLift(clv.revenuePerCustomerLift, clv.currency), formatRateLift(clv.repeatPurchaseRateLift)],
        ]}
      />
      <Text as="p" tone="subdued" variant="bodySm">
        {`Customers who first entered between ${clv.cohortFrom.slice(0, 10)} and ${clv.cohortTo.slice(0, 10)}, so that their ${clv.windowDays} days have passed; every order in those days counts, whether an email led to it or not. Intervals are 95 % (Welch for revenue, Newcombe for the repeat rate).`}
      </Text>
    </BlockStack>
  );
}

/** The flow's history: what was done to it and by whom (AuditEntry rows), newest first. */
export function FlowHistory(props: { entries: HistoryEntryView[] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          History
        </Text>
        {props.entries.length === 0 ? (
          <Text as="p" tone="subdued">Nothing yet. Winners promoted in A/B tests, automatically or by hand, are listed here.</Text>
        ) : (
          <BlockStack gap="300" as="ul">
            {props.entries.map((entry) => (
              <li key={entry.id} style={{ listStyle: "none" }}>
                <BlockStack gap="050">
                  <Text as="p" variant="bodySm" tone="subdued">{`${formatAt(entry.at)} · ${entry.actor === "system" ? "Nudgeflow (automatic)" : entry.actor}`}</Text>
                  <Text as="p">{entry.summary}</Text>
                </BlockStack>
              </li>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

export function FlowResults(props: {
  results: FlowResultsData | null;
  abTests: AbTestView[];
  attributionWindowDays: number;
  /** The draft's control group (what publishing will apply). */
  holdout: Holdout | undefined;
  onHoldoutChange(holdout: Holdout | undefined): void;
  /** The 90-day comparison (null: nobody who entered with a control group has had 90 days yet). */
  clv?: ClvEffect | null;
  promotions?: PromotionView[];
  /** Whether the merchant may promote a winner (the flow has a live version). */
  canPromote?: boolean;
  /** The page's date range as it reads after "Results, " (default "last 30 days"). */
  rangeLabel?: string;
}) {
  const rangeLabel = props.rangeLabel ?? "last 30 days";
  const { results, holdout } = props;
  const incremental = results?.incremental ?? null;
  const percentText = holdout ? String(holdout.percent) : "";
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {`Results, ${rangeLabel}`}
        </Text>
        <InlineStack gap="800" wrap>
          <BlockStack gap="100">
            <Text as="p" tone="subdued">{`Attributed revenue (last click within ${props.attributionWindowDays} days)`}</Text>
            <Text as="p" variant="headingLg">
              {formatMoneyList(results?.revenue ?? [], "—")}
            </Text>
            <Text as="p" tone="subdued" variant="bodySm">{`${results?.conversions ?? 0} attributed orders; conversion ${formatRateWithParts(results?.conversionRate ?? { count: 0, of: 0, value: null })} of recipients`}</Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="p" tone="subdued">Incremental revenue (against the control group)</Text>
            <Text as="p" variant="headingLg">
              {incremental ? formatMoneyLift(incremental.incrementalRevenue, incremental.currency) : holdout ? "Not enough data yet" : "No control group"}
            </Text>
            <Text as="p" tone="subdued" variant="bodySm">
              {incremental
                ? `Incremental orders: ${formatCountLift(incremental.incrementalConversions)}`
                : holdout
                  ? `Nobody has entered a published version with a control group in this range (${rangeLabel}).`
                  : "Keep a control group below to measure what the flow adds."}
            </Text>
          </BlockStack>
        </InlineStack>
        {incremental ? (
          <BlockStack gap="200">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={["Group", "Customers", "Converted", "Revenue per customer"]}
              rows={[
                ["Sent the flow", incremental.treatment.customers, formatRateWithParts(incremental.treatment.conversionRate), formatMinor(incremental.treatment.revenuePerCustomer, incremental.currency)],
                ["Control group (sent nothing)", incremental.control.customers, formatRateWithParts(incremental.control.conversionRate), formatMinor(incremental.control.revenuePerCustomer, incremental.currency)],
                ["Difference", "", formatRateLift(incremental.conversionRateLift), formatMoneyLift(incremental.revenuePerCustomerLift, incremental.currency)],
              ]}
            />
            <Text as="p" tone="subdued" variant="bodySm">
              {`Customers who entered in this range (${rangeLabel}); their orders count for ${incremental.windowDays} days after entering (the flow's longest path plus the attribution window), in both groups alike. Intervals are 95 %: when one includes 0, the flow's effect could still be none.`}
            </Text>
          </BlockStack>
        ) : null}
        {props.clv ? (
          <LifetimeValue clv={props.clv} />
        ) : holdout ? (
          <Text as="p" tone="subdued" variant="bodySm">
            Lifetime value effect (90 days after entering): not enough data yet — nobody who entered with a control group has had 90 days yet.
          </Text>
        ) : null}
        {props.abTests.length > 0 ? <AbTests tests={props.abTests} promotions={props.promotions ?? []} canPromote={props.canPromote ?? false} /> : null}
        <BlockStack gap="200">
          <Checkbox
            label="Keep a control group"
            helpText="A share of customers enters the flow and goes through it, but is sent nothing, so you can see what the flow adds beyond what they would have done anyway. The same customer is always in the same group. Applies from the next publish."
            checked={holdout !== undefined}
            onChange={(checked) => props.onHoldoutChange(checked ? { percent: SUGGESTED_HOLDOUT_PERCENT } : undefined)}
          />
          {holdout ? (
            <div style={{ maxWidth: "12rem" }}>
              <TextField
                label="Control group size"
                type="number"
                min={0}
                max={50}
                step={1}
                suffix="%"
                autoComplete="off"
                value={percentText}
                onChange={(value) => {
                  const percent = Number(value);
                  if (value.trim() !== "" && Number.isFinite(percent)) props.onHoldoutChange({ percent });
                }}
                error={holdout.percent < 0 || holdout.percent > 50 ? "Between 0 and 50 %" : undefined}
                helpText={`${SUGGESTED_HOLDOUT_PERCENT} % is a good start.`}
              />
            </div>
          ) : null}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
