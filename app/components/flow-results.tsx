// The flow page's results: attributed revenue over the last 30 days and, next to it, what the flow adds against
// its control group (treatment minus control, with 95 % intervals), plus the "Keep a control group" setting that
// edits the draft's rules.holdout.
import { BlockStack, Card, Checkbox, DataTable, InlineStack, Text, TextField } from "@shopify/polaris";
import { formatCountLift, formatMinor, formatMoneyList, formatMoneyLift, formatRateLift, formatRateWithParts } from "~/core/analytics/format";
import { AB_METRIC_LABELS, MINIMUM_RELATIVE_EFFECT, type AbMetric, type AbVerdict } from "~/core/analytics/ab-test";
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

function AbTests(props: { tests: AbTestView[] }) {
  return (
    <BlockStack gap="300">
      {props.tests.map((test) => (
        <BlockStack gap="200" key={test.nodeId}>
          <Text as="h3" variant="headingSm">{`A/B test "${test.nodeId}" — ${AB_METRIC_LABELS[test.metric]}: ${verdictText(test.verdict)}`}</Text>
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
        </BlockStack>
      ))}
    </BlockStack>
  );
}

export function FlowResults(props: {
  results: FlowResultsData | null;
  abTests: AbTestView[];
  attributionWindowDays: number;
  /** The draft's control group (what publishing will apply). */
  holdout: Holdout | undefined;
  onHoldoutChange(holdout: Holdout | undefined): void;
}) {
  const { results, holdout } = props;
  const incremental = results?.incremental ?? null;
  const percentText = holdout ? String(holdout.percent) : "";
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Results, last 30 days
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
                  ? "Nobody has entered a published version with a control group in the last 30 days."
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
              {`Customers who entered in the last 30 days; their orders count for ${incremental.windowDays} days after entering (the flow's longest path plus the attribution window), in both groups alike. Intervals are 95 %: when one includes 0, the flow's effect could still be none.`}
            </Text>
          </BlockStack>
        ) : null}
        {props.abTests.length > 0 ? <AbTests tests={props.abTests} /> : null}
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
