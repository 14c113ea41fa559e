// `nudgeflow analytics …`: per-flow KPIs over a date range, why an order was (or was not) attributed, and the
// attribution settings. Wiring only: the numbers come from core/analytics.
import { parseArgs } from "node:util";
import { AttributionError, explainAttribution } from "~/core/analytics/attribution.server";
import { formatCountLift, formatMoneyList, formatMoneyLift, formatRateLift, formatRateWithParts } from "~/core/analytics/format";
import type { MessageKpis } from "~/core/analytics/kpis";
import { flowKpis } from "~/core/analytics/kpis.server";
import { AttributionSettingError, readAttributionSettings, setAttributionSettings } from "~/core/analytics/settings.server";
import { systemClock } from "~/core/clock";
import { formatMoney } from "~/core/money";
import type { Db } from "~/db.server";
import { runCommand, UsageError, withDb } from "./cli";

export const ANALYTICS_USAGE = `Usage:
  nudgeflow analytics --workspace ID [--from DATE --to DATE]
      KPIs per flow and per email node for the messages written in [from, to] (default: the last 30 days):
      recipients, delivery, open (human opens only), click, unsubscribe and spam-complaint rates, attributed orders,
      conversion rate, revenue, revenue per recipient, average order value, and journeys that left before the goal.
      DATE is YYYY-MM-DD (UTC; --to includes that day) or an ISO timestamp.
  nudgeflow analytics explain --workspace ID --order ORDER
      Which email earned the order (our id, the store's id or its name, e.g. #1001), or why none did.
  nudgeflow analytics settings --workspace ID [--window-days N] [--include-opens | --clicks-only]
      The attribution rules (default: a click within 5 days). Reports recompute with the new rules at once.`;

const DAY_MS = 86_400_000;

function parseDate(value: string, name: string, endOfDay: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} is a date (YYYY-MM-DD) or an ISO timestamp`);
  return dateOnly && endOfDay ? new Date(date.getTime() + DAY_MS) : date;
}

function kpiLines(kpis: MessageKpis, indent: string): string[] {
  return [
    `${indent}emails sent ${kpis.emailsSent} · recipients ${kpis.recipients} · suppressed ${kpis.suppressed}`,
    `${indent}delivered ${formatRateWithParts(kpis.deliveryRate)} · opened ${formatRateWithParts(kpis.openRate)} · clicked ${formatRateWithParts(kpis.clickRate)}`,
    `${indent}unsubscribed ${formatRateWithParts(kpis.unsubscribeRate)} · spam complaints ${formatRateWithParts(kpis.spamComplaintRate)}`,
    `${indent}conversions ${kpis.conversions} · conversion rate ${formatRateWithParts(kpis.conversionRate)}`,
    `${indent}revenue ${formatMoneyList(kpis.revenue, "0")} · per recipient ${formatMoneyList(kpis.revenuePerRecipient)} · average order ${formatMoneyList(kpis.averageOrderValue)}`,
  ];
}

async function printKpis(db: Db, values: { workspace: string; from?: string; to?: string }) {
  const to = values.to ? parseDate(values.to, "to", true) : systemClock.now();
  const from = values.from ? parseDate(values.from, "from", false) : new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw new UsageError("--from must be before --to");
  const report = await flowKpis(db, { workspaceId: values.workspace, from, to });
  const rules = `last ${report.rules.includeOpens ? "click or human open" : "click"} within ${report.rules.windowDays} days`;
  console.log(`Messages written ${report.from} – ${report.to} · attribution: ${rules}\n`);
  console.log("All flows");
  for (const line of kpiLines(report.totals, "  ")) console.log(line);
  for (const flow of report.flows) {
    console.log(`\n${flow.name} (${flow.flowId}, ${flow.status})`);
    for (const line of kpiLines(flow, "  ")) console.log(line);
    const { attrition } = flow;
    const reasons = attrition.byReason.map((row) => `${row.reason} ${row.count}`).join(", ");
    console.log(`  journeys ended ${attrition.ended}: goal ${attrition.reachedGoal}, completed ${attrition.completed}, left early ${formatRateWithParts(attrition.leftEarly)}${reasons ? ` (${reasons})` : ""}`);
    const effect = flow.incremental;
    if (effect) {
      // Against the control group (docs/analytics.md): customers who entered in the range, orders within the window.
      console.log(`  vs control group (orders within ${effect.windowDays} days of entering): treatment ${effect.treatment.customers} converted ${formatRateWithParts(effect.treatment.conversionRate)}, control ${effect.control.customers} converted ${formatRateWithParts(effect.control.conversionRate)}`);
      console.log(`    conversion ${formatRateLift(effect.conversionRateLift)} · incremental orders ${formatCountLift(effect.incrementalConversions)} · incremental revenue ${formatMoneyLift(effect.incrementalRevenue, effect.currency)}`);
    }
    for (const node of flow.nodes) {
      console.log(`  ${node.nodeId} · "${node.subject}"`);
      for (const line of kpiLines(node, "    ")) console.log(line);
    }
  }
}

async function printExplanation(db: Db, values: { workspace: string; order: string }) {
  const explanation = await explainAttribution(db, { workspaceId: values.workspace, orderId: values.order });
  const { order } = explanation;
  console.log(`Order ${order.name ?? order.externalId} (${order.id}) · ${formatMoney(order.revenue)} · placed ${order.placedAt}${order.cancelled ? " · cancelled" : ""}`);
  console.log(`Rules: a ${explanation.rules.includeOpens ? "click or human open" : "click"} within ${explanation.rules.windowDays} days before the order\n`);
  console.log(explanation.reason);
  if (explanation.touches.length > 0) {
    console.log("\nClicks and opens on this customer's emails, newest first:");
    for (const touch of explanation.touches) {
      console.log(`  ${touch.occurredAt}  ${touch.type.padEnd(5)} ${touch.verdict.padEnd(17)} "${touch.subject}"${touch.flowName ? ` (${touch.flowName})` : ""}: ${touch.note}`);
    }
  }
}

export async function runAnalyticsCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [first, ...rest] = args;
  const subcommand = first === "explain" || first === "settings" ? first : "kpis";
  return runCommand(
    ANALYTICS_USAGE,
    async () => {
      const { values } = parseArgs({
        args: subcommand === "kpis" ? args : rest,
        options: {
          workspace: { type: "string" },
          from: { type: "string" },
          to: { type: "string" },
          order: { type: "string" },
          "window-days": { type: "string" },
          "include-opens": { type: "boolean" },
          "clicks-only": { type: "boolean" },
        },
        strict: true,
      });
      const workspace = values.workspace;
      if (!workspace) throw new UsageError("--workspace is required");
      await withDb(options.databaseUrl, async (db) => {
        switch (subcommand) {
          case "kpis":
            return printKpis(db, { workspace, from: values.from, to: values.to });
          case "explain":
            if (!values.order) throw new UsageError("--order is required");
            return printExplanation(db, { workspace, order: values.order });
          case "settings": {
            if (values["include-opens"] && values["clicks-only"]) throw new UsageError("give --include-opens or --clicks-only, not both");
            const windowDays = values["window-days"] === undefined ? undefined : Number(values["window-days"]);
            const includeOpens = values["include-opens"] ? true : values["clicks-only"] ? false : undefined;
            const rules = windowDays === undefined && includeOpens === undefined
              ? await readAttributionSettings(db, { workspaceId: workspace })
              : await setAttributionSettings(db, { workspaceId: workspace, windowDays, includeOpens });
            console.log(`Attribution: the last ${rules.includeOpens ? "click or human open" : "click"} within ${rules.windowDays} days before an order.`);
            return;
          }
        }
      });
    },
    [AttributionError, AttributionSettingError],
  );
}
