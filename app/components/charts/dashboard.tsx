// The dashboard's pieces shared by Home and the flow page: the date-range picker (a GET form: the range lives in
// the URL's search params, so a range can be bookmarked and works without JavaScript), the series charts, the
// funnel, and live updates (the loader runs again every 30 seconds while the tab is visible).
import { Form, useFetcher, useLocation, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { RANGE_PRESETS, type DashboardRange, type Granularity } from "~/core/analytics/dashboard";
import type { Rate } from "~/core/analytics/kpis";
import { minorUnitDigits } from "~/core/money";
import { FunnelStagesChart, TimeSeriesChart } from "./charts";

/** How often a visible dashboard asks its loader again (new events change today's numbers). */
export const LIVE_REFRESH_MS = 30_000;

/** Revalidates the page's loaders every `intervalMs` while the document is visible, and at once when it shows again. */
export function useLiveRevalidation(intervalMs = LIVE_REFRESH_MS): void {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const state = useRef(revalidator.state);
  state.current = revalidator.state;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === "visible" && state.current === "idle") revalidate.current();
    };
    const timer = window.setInterval(tick, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [intervalMs]);
}

const PRESET_LABELS: Record<(typeof RANGE_PRESETS)[number], string> = { "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days" };

/**
 * The range picker. Choosing a preset applies it at once; "Custom" shows two date fields and Apply. Other search
 * params of the page are kept.
 */
export function RangePicker(props: { range: DashboardRange; firstDate: string; lastDate: string; keep?: Record<string, string> }) {
  const { range } = props;
  const submit = useSubmit();
  const location = useLocation();
  const navigation = useNavigation();
  const [choice, setChoice] = useState<string>(range.range);
  const [from, setFrom] = useState(props.firstDate);
  const [to, setTo] = useState(props.lastDate);
  useEffect(() => {
    setChoice(range.range);
    setFrom(props.firstDate);
    setTo(props.lastDate);
  }, [range.range, props.firstDate, props.lastDate]);
  const loading = navigation.state === "loading" && navigation.location.pathname === location.pathname;
  const keep = Object.entries(props.keep ?? {});
  return (
    <Form method="get" replace preventScrollReset aria-label="Choose the date range">
      {keep.map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <input type="hidden" name="range" value={choice} />
      <InlineStack gap="200" blockAlign="end" wrap>
        <div style={{ minWidth: 180 }}>
          <Select
            label="Date range"
            options={[...RANGE_PRESETS.map((preset) => ({ label: PRESET_LABELS[preset], value: preset })), { label: "Custom", value: "custom" }]}
            value={choice}
            onChange={(value) => {
              setChoice(value);
              if (value !== "custom") submit(Object.fromEntries([...keep, ["range", value]]), { method: "get", replace: true, preventScrollReset: true });
            }}
          />
        </div>
        {choice === "custom" ? (
          <>
            <TextField label="From" type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
            <TextField label="To" type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
            <Button submit loading={loading}>
              Apply
            </Button>
          </>
        ) : (
          <noscript>
            <Button submit>Apply</Button>
          </noscript>
        )}
      </InlineStack>
    </Form>
  );
}

/** The points as the page receives them (SeriesPoint, serialized). */
export interface SeriesPointView {
  date: string;
  emailsSent: number;
  recipients: number;
  delivered: number;
  opened: number;
  clicked: number;
  conversions: number;
  convertedRecipients: number;
  revenue: number;
  conversionRate: Rate;
}

export interface SeriesView {
  granularity: Granularity;
  currency: string;
  otherCurrencyOrders: number;
  points: SeriesPointView[];
}

const DAY_LABEL = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
/** "Nov 3" for a day; "Week of Nov 3" for a week. */
export function pointLabel(date: string, granularity: Granularity): string {
  const [year, month, day] = date.split("-").map(Number);
  const text = DAY_LABEL.format(new Date(Date.UTC(year, month - 1, day)));
  return granularity === "week" ? `Week of ${text}` : text;
}

const count = new Intl.NumberFormat("en-US");
function moneyFormatter(currency: string, whole = false) {
  const digits = minorUnitDigits(currency);
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency, ...(whole ? { maximumFractionDigits: 0, minimumFractionDigits: 0 } : {}) });
  return (minor: number) => format.format(minor / 10 ** digits);
}
const percent = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);

/** Attributed revenue per day (bars) and recipients with conversions (lines), with their tables. */
export function SeriesCharts(props: { series: SeriesView; rangeLabel: string; subject: string; showConversionRate?: boolean }) {
  const { series } = props;
  const unit = series.granularity === "week" ? "week" : "day";
  const money = moneyFormatter(series.currency);
  const axisMoney = moneyFormatter(series.currency, true);
  const labels = series.points.map((point) => pointLabel(point.date, series.granularity));
  const totalRevenue = series.points.reduce((sum, point) => sum + point.revenue, 0);
  const best = series.points.reduce<SeriesPointView | null>((top, point) => (point.revenue > (top?.revenue ?? 0) ? point : top), null);
  const recipients = series.points.reduce((sum, point) => sum + point.recipients, 0);
  const conversions = series.points.reduce((sum, point) => sum + point.conversions, 0);
  const revenueSummary = `Attributed revenue per ${unit} of ${props.subject}, ${props.rangeLabel}: ${money(totalRevenue)} in all${best ? `, most on ${pointLabel(best.date, series.granularity)} (${money(best.revenue)})` : ""}.`;
  const peopleSummary = `Recipients and conversions per ${unit} of ${props.subject}, ${props.rangeLabel}: ${count.format(recipients)} recipients (counted per ${unit}) and ${count.format(conversions)} conversions.`;
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <Card>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Attributed revenue per {unit}
          </Text>
          <TimeSeriesChart
            kind="bar"
            testId="revenue-chart"
            summary={revenueSummary}
            formatValue={axisMoney}
            series={[{ name: "Attributed revenue", points: series.points.map((point, index) => ({ label: labels[index], value: point.revenue })) }]}
            table={{ headings: [unit === "day" ? "Day" : "Week", "Emails sent", "Conversions", "Attributed revenue"], rows: series.points.map((point, index) => [labels[index], count.format(point.emailsSent), count.format(point.conversions), money(point.revenue)]) }}
          />
          {series.otherCurrencyOrders > 0 ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {series.otherCurrencyOrders === 1 ? "1 order" : `${series.otherCurrencyOrders} orders`} in other currencies count in the totals, not in this chart ({series.currency} only).
            </Text>
          ) : null}
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Recipients and conversions per {unit}
          </Text>
          <TimeSeriesChart
            kind="line"
            testId="recipients-chart"
            summary={peopleSummary}
            formatValue={(value) => count.format(value)}
            series={[
              { name: "Recipients", points: series.points.map((point, index) => ({ label: labels[index], value: point.recipients })) },
              { name: "Conversions", points: series.points.map((point, index) => ({ label: labels[index], value: point.conversions })) },
            ]}
            table={{
              headings: [unit === "day" ? "Day" : "Week", "Recipients", "Human opens", "Clicks", "Converted", "Conversion rate"],
              rows: series.points.map((point, index) => [labels[index], count.format(point.recipients), count.format(point.opened), count.format(point.clicked), count.format(point.convertedRecipients), percent(point.conversionRate.value)]),
            }}
          />
        </BlockStack>
      </Card>
    </InlineGrid>
  );
}

/** The funnel as the page receives it (Funnel, serialized). */
export interface FunnelView {
  entered: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  controlGroup: number;
  attrition: { unsubscribed: number; suppressed: number; budgetExpired: number; exited: number };
  outcome: { active: number; reachedGoal: number; completed: number; exited: number };
}

export function FunnelCard({ funnel, rangeLabel }: { funnel: FunnelView; rangeLabel: string }) {
  const stages = [
    { label: "Entered", value: funnel.entered },
    { label: "Sent", value: funnel.sent },
    { label: "Delivered", value: funnel.delivered },
    { label: "Opened", value: funnel.opened },
    { label: "Clicked", value: funnel.clicked },
    { label: "Converted", value: funnel.converted },
  ];
  const share = (value: number) => (funnel.entered > 0 ? `${((value / funnel.entered) * 100).toFixed(1)}%` : "—");
  const attrition = [
    { label: "Unsubscribed", value: funnel.attrition.unsubscribed, note: "from one of the flow's emails" },
    { label: "Suppressed", value: funnel.attrition.suppressed, note: "an email skipped: the address is on the suppression list" },
    { label: "Budget expired", value: funnel.attrition.budgetExpired, note: "an email skipped: no room in the message budget in time" },
    { label: "Exited early", value: funnel.attrition.exited, note: "left before the goal (an exit step, a stopped trigger, …)" },
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Funnel, {rangeLabel}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            Journeys that entered in the range, step by step (a journey counts once per step: opened means a person opened
            one of its emails).{funnel.controlGroup > 0 ? ` ${count.format(funnel.controlGroup)} control-group journeys are sent nothing and left out.` : ""}
          </Text>
        </BlockStack>
        {funnel.entered === 0 ? (
          <Text as="p" tone="subdued">
            Nobody entered this flow in the range.
          </Text>
        ) : (
          <FunnelStagesChart
            testId="funnel-chart"
            stages={stages}
            summary={`Funnel of the journeys that entered, ${rangeLabel}: ${stages.map((stage) => `${stage.label.toLowerCase()} ${count.format(stage.value)}`).join(", ")}.`}
            table={{ headings: ["Step", "Journeys", "Of entered"], rows: stages.map((stage) => [stage.label, count.format(stage.value), share(stage.value)]) }}
          />
        )}
        <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
          {attrition.map((row) => (
            <BlockStack key={row.label} gap="050">
              <Text as="span" variant="bodySm" tone="subdued">
                {row.label}
              </Text>
              <Text as="span" variant="headingMd" numeric>
                {count.format(row.value)}
              </Text>
              <Text as="span" variant="bodySm" tone="subdued">
                {row.note}
              </Text>
            </BlockStack>
          ))}
        </InlineGrid>
        <Text as="p" variant="bodySm" tone="subdued">
          Now: {count.format(funnel.outcome.active)} in progress, {count.format(funnel.outcome.reachedGoal)} reached the goal,{" "}
          {count.format(funnel.outcome.completed)} completed without it, {count.format(funnel.outcome.exited)} exited early.
        </Text>
      </BlockStack>
    </Card>
  );
}

/** The link that downloads the series as CSV, for the range on screen. */
/** The range picker and the CSV export, as Home and the flow page show them. */
export function RangeControls(props: { range: { range: DashboardRange; firstDate: string; lastDate: string }; csvHref: string; csvLabel: string }) {
  return (
    <InlineStack gap="200" blockAlign="end">
      <RangePicker range={props.range.range} firstDate={props.range.firstDate} lastDate={props.range.lastDate} />
      <Button url={props.csvHref} download accessibilityLabel={props.csvLabel}>
        Export CSV
      </Button>
    </InlineStack>
  );
}

/** Why the range in the URL was not used (the page then shows the default range). */
export function RangeErrors({ errors }: { errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <Banner tone="warning" title="That date range could not be used: showing the last 30 days">
      <List>
        {errors.map((message) => (
          <List.Item key={message}>{message}</List.Item>
        ))}
      </List>
    </Banner>
  );
}

export function csvHref(search: URLSearchParams, flowId?: string): string {
  const params = new URLSearchParams(search);
  if (flowId) params.set("flowId", flowId);
  return `/app/analytics/series/csv?${params.toString()}`;
}

/** The flow page's dashboard as its loader and the live-update route send it (FlowDashboardView, serialized). */
export interface FlowDashboardData {
  range: { range: DashboardRange; firstDate: string; lastDate: string; label: string; timeZone: string };
  rangeErrors: string[];
  series: SeriesView;
  funnel: FunnelView;
}

/**
 * `initial` (from the page's loader), replaced by fresh numbers from `href` every `intervalMs` while the document is
 * visible. A fetcher rather than revalidating the page: on the flow page that would reload the builder's data too.
 */
export function usePolledData<T>(initial: T, href: string, intervalMs = LIVE_REFRESH_MS): T {
  // Untyped: the route answers the same JSON the page's loader embedded as `initial`.
  const fetcher = useFetcher();
  const load = useRef(fetcher.load);
  load.current = fetcher.load;
  const asked = useRef<string | null>(null);
  const [fresh, setFresh] = useState<{ href: string; data: T } | null>(null);
  useEffect(() => {
    // Labelled with the href it was asked for: an answer for a range the page has left is never shown.
    if (fetcher.state === "idle" && fetcher.data !== undefined && asked.current) setFresh({ href: asked.current, data: fetcher.data as T });
  }, [fetcher.state, fetcher.data]);
  useEffect(() => {
    setFresh(null);
    const tick = () => {
      if (document.visibilityState !== "visible") return;
      asked.current = href;
      load.current(href);
    };
    const timer = window.setInterval(tick, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [href, intervalMs]);
  return fresh && fresh.href === href ? fresh.data : initial;
}

/** The flow page's dashboard: the range, the flow's series and its funnel, kept up to date while visible. */
export function FlowDashboardSection(props: { flowId: string; dashboard: FlowDashboardData }) {
  const location = useLocation();
  const search = new URLSearchParams(location.search);
  const dashboard = usePolledData(props.dashboard, `/app/analytics/flows/${props.flowId}?${search.toString()}`);
  const { range, series, funnel } = dashboard;
  const sent = series.points.reduce((sum, point) => sum + point.emailsSent, 0);
  return (
    <section aria-label="Performance" data-testid="flow-dashboard">
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="end" gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Performance, {range.label}
            </Text>
            <Text as="p" tone="subdued" variant="bodySm">
              Days in {range.timeZone}; each day counts the emails sent that day and what they did since. Updates every 30 seconds.
            </Text>
          </BlockStack>
          <RangeControls range={range} csvHref={csvHref(search, props.flowId)} csvLabel="Export CSV of this flow's daily numbers" />
        </InlineStack>
        <RangeErrors errors={dashboard.rangeErrors} />
        {sent === 0 ? (
          <Card>
            <Text as="p" tone="subdued">
              This flow sent no email in this range.
            </Text>
          </Card>
        ) : (
          <SeriesCharts series={series} rangeLabel={range.label} subject="this flow" />
        )}
        <FunnelCard funnel={funnel} rangeLabel={range.label} />
      </BlockStack>
    </section>
  );
}
