// Charts drawn with Shopify's Polaris Viz (ADR 0036), each with the same numbers as a table for people who do not
// see the chart: a one-sentence summary captions the figure for screen readers, and "Show the numbers" (a native
// <details>, working without JavaScript) opens a Polaris data table. The drawing itself is a visual duplicate,
// hidden from assistive technology and taken out of the tab order: Polaris Viz 16's own ARIA fails axe-core
// (svg-img-alt, aria-required-children, aria-prohibited-attr), and the table says the same thing better. Polaris Viz measures its container in the
// browser, so the chart itself is drawn after hydration; the server renders a skeleton of the same height.
import { DataTable, SkeletonDisplayText, Text } from "@shopify/polaris";
import { BarChart, FunnelChartNext, LineChart, PolarisVizProvider, type DataSeries } from "@shopify/polaris-viz";
import { useEffect, useRef, useState, type ReactNode, type RefObject } from "react";

/** Add `links` to a route that draws charts: Polaris Viz's own stylesheet. */
export { default as chartStyles } from "@shopify/polaris-viz/build/esm/styles.css";

const CHART_HEIGHT = 260;
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export interface ChartTable {
  headings: string[];
  rows: (string | number)[][];
  /** Right-aligned numeric columns (all but the first by default). */
  numeric?: boolean[];
}

interface FigureProps {
  /** What the chart shows, in one sentence (the figure's caption for screen readers). */
  summary: string;
  table: ChartTable;
  chart: () => ReactNode;
  testId?: string;
  height?: number;
}

/** Keeps whatever the library makes focusable inside `element` out of the tab order (it is aria-hidden). */
function useOutOfTabOrder(element: RefObject<HTMLElement>, active: boolean) {
  useEffect(() => {
    const root = element.current;
    if (!active || !root) return;
    const unfocus = () => {
      // Only where it changes something: setting the same value again would wake the observer forever.
      for (const node of root.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]')) {
        if (node.getAttribute("tabindex") !== "-1") node.setAttribute("tabindex", "-1");
      }
    };
    unfocus();
    const observer = new MutationObserver(unfocus);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex", "href"] });
    return () => observer.disconnect();
  }, [element, active]);
}

function ChartFigure({ summary, table, chart, testId, height = CHART_HEIGHT }: FigureProps) {
  const mounted = useMounted();
  const drawing = useRef<HTMLDivElement>(null);
  useOutOfTabOrder(drawing, mounted);
  const numeric = table.numeric ?? table.headings.map((_heading, index) => index > 0);
  return (
    <figure style={{ margin: 0 }} data-testid={testId}>
      <figcaption>
        <Text as="span" visuallyHidden>
          {summary}
        </Text>
      </figcaption>
      <div ref={drawing} aria-hidden="true" style={{ height }} data-chart-drawn={mounted ? "true" : "false"}>
        {mounted ? (
          <PolarisVizProvider defaultTheme="Light">{chart()}</PolarisVizProvider>
        ) : (
          <div style={{ paddingBlock: 16 }}>
            <SkeletonDisplayText size="extraLarge" maxWidth="100%" />
          </div>
        )}
      </div>
      <details>
        <summary style={{ cursor: "pointer", paddingBlock: 8 }}>
          <Text as="span" variant="bodySm" tone="subdued">
            Show the numbers
          </Text>
        </summary>
        <DataTable
          columnContentTypes={numeric.map((isNumber) => (isNumber ? "numeric" : "text"))}
          headings={table.headings}
          rows={table.rows}
          increasedTableDensity
        />
      </details>
    </figure>
  );
}

export interface SeriesInput {
  name: string;
  points: { label: string; value: number | null }[];
}

const toData = (series: readonly SeriesInput[]): DataSeries[] =>
  series.map((entry) => ({ name: entry.name, data: entry.points.map((point) => ({ key: point.label, value: point.value })) }));

/** Series over time as bars (amounts per day) or lines (rates); the same figure, caption and table either way. */
export function TimeSeriesChart(props: { kind: "bar" | "line"; series: SeriesInput[]; formatValue: (value: number) => string; summary: string; table: ChartTable; testId?: string }) {
  const { series, formatValue } = props;
  const Chart = props.kind === "bar" ? BarChart : LineChart;
  return (
    <ChartFigure
      summary={props.summary}
      table={props.table}
      testId={props.testId}
      chart={() => (
        <Chart
          data={toData(series)}
          theme="Light"
          isAnimated={false}
          showLegend={series.length > 1}
          yAxisOptions={{ labelFormatter: (value) => formatValue(Number(value ?? 0)) }}
          tooltipOptions={{ valueFormatter: (value) => formatValue(Number(value ?? 0)) }}
        />
      )}
    />
  );
}

/** Stages of a funnel, largest first; each bar says how many reached it and what share of the first stage. */
export function FunnelStagesChart(props: { stages: { label: string; value: number }[]; summary: string; table: ChartTable; testId?: string }) {
  return (
    <ChartFigure
      summary={props.summary}
      table={props.table}
      testId={props.testId}
      height={300}
      chart={() => (
        <FunnelChartNext
          data={[{ name: "Journeys", data: props.stages.map((stage) => ({ key: stage.label, value: stage.value })) }]}
          theme="Light"
          isAnimated={false}
          tooltipLabels={{ reached: "Reached this step", dropped: "Did not" }}
          percentageFormatter={(value) => `${value.toFixed(1)}%`}
          labelFormatter={(value) => WHOLE.format(Number(value ?? 0))}
        />
      )}
    />
  );
}
