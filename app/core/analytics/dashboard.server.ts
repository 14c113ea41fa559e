// Dashboards (ADR 0036): time series per local day (or week) over a date range, a funnel per flow, and the
// workspace's totals, for Home, the flow page and the CSV export.
//
// Every point counts the emails *sent* in its bucket and what they did whenever it happened (delivery, human opens,
// clicks, and the orders attributed to them under the workspace's current rules, ADR 0015): the definitions of
// flowKpis (kpis.server.ts), so the sum of the points' emails, conversions and revenue equals the range's totals.
// The counting is done in SQL, one GROUP BY over the bucket expression, with the same text on SQLite and
// PostgreSQL: buckets are bound instants computed in TypeScript for the workspace's time zone (dashboard.ts), so
// no dialect's date functions (which SQLite lacks for zones) are involved. Attribution stays in TypeScript.
import { Prisma, type Db } from "~/db.server";
import { TIMER_NODE } from "~/core/flows/inactivity.server";
import { minorUnitDigits } from "~/core/money";
import { attributeOrders, type OrderAttribution } from "./attribution.server";
import { bucketIndex, parseDashboardRange, resolveRange, type DashboardRange, type Granularity, type ResolvedRange } from "./dashboard";
import { flowKpis, type FlowKpis } from "./kpis.server";
import { rate, type Attrition, type MessageKpis, type Rate } from "./kpis";
import { readAttributionSettings, type AttributionSettings } from "./settings.server";

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) out.push(items.slice(start, start + CHUNK));
  return out;
}

/** Counts come back as number (SQLite), bigint or numeric text (PostgreSQL). */
const count = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** The workspace's calendar: its first active store's time zone (the first store at all, else UTC). */
export async function workspaceTimeZone(db: Db, workspaceId: string): Promise<{ timeZone: string; currency: string }> {
  const store =
    (await db.store.findFirst({ where: { workspaceId, status: "active" }, orderBy: { createdAt: "asc" }, select: { currency: true, timezone: true } })) ??
    (await db.store.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { currency: true, timezone: true } }));
  return { timeZone: store?.timezone ?? "UTC", currency: store?.currency ?? "USD" };
}

export interface SeriesPoint {
  /** The local date the point starts on (a day, or the Monday of a week clipped to the range). */
  date: string;
  from: string;
  to: string;
  emailsSent: number;
  /** Distinct addresses sent to in the bucket. */
  recipients: number;
  delivered: number;
  /** Delivered messages a person opened (machine opens never count). */
  opened: number;
  clicked: number;
  /** Attributed orders of the bucket's messages. */
  conversions: number;
  /** The bucket's recipients with an attributed order. */
  convertedRecipients: number;
  /** Attributed revenue in the series' currency, minor units. */
  revenue: number;
  openRate: Rate;
  clickRate: Rate;
  conversionRate: Rate;
}

export interface Series {
  granularity: Granularity;
  timeZone: string;
  /** The currency of `revenue`: the range's main one (the largest attributed revenue), else the store's. */
  currency: string;
  /** Attributed orders in other currencies: counted as conversions, left out of the revenue line. */
  otherCurrencyOrders: number;
  points: SeriesPoint[];
}

interface SeriesRow {
  bucket: unknown;
  sent: unknown;
  recipients: unknown;
  delivered: unknown;
  opened: unknown;
  clicked: unknown;
}

/** `CASE WHEN col < b1 THEN 0 WHEN col < b2 THEN 1 … ELSE n-1 END`: the bucket of a timestamp already in range. */
function bucketExpression(column: Prisma.Sql, range: ResolvedRange): Prisma.Sql {
  const last = range.buckets.length - 1;
  if (last === 0) return Prisma.sql`0`;
  const whens = range.buckets.slice(0, last).map((bucket, index) => Prisma.sql`WHEN ${column} < ${bucket.to} THEN ${Prisma.raw(String(index))}`);
  return Prisma.sql`CASE ${Prisma.join(whens, " ")} ELSE ${Prisma.raw(String(last))} END`;
}

/**
 * Provider events of the messages (alias m, joined by the caller) since `since`, read through the
 * (workspaceId, type, occurredAt) index; each event finds its message by primary key. (A correlated EXISTS per
 * message made SQLite scan every event of a type for each message; a join to a grouped subquery got a nested loop
 * on PostgreSQL when its row estimates were low.) Counted per message with COUNT(DISTINCT …) by the caller.
 */
function eventsSince(workspaceId: string, since: Date): Prisma.Sql {
  // Providers stamp events in whole seconds; a day of margin keeps an event stamped just before its message's row.
  const from = new Date(since.getTime() - 86_400_000);
  return Prisma.sql`e."workspaceId" = ${workspaceId} AND e."type" IN ('delivered', 'open', 'click', 'unsubscribe', 'group_unsubscribe', 'spamreport') AND e."occurredAt" >= ${from}`;
}
/** Any sign of delivery: a delivery event, a person's open, a click, an unsubscribe, a complaint (not a machine open). */
const IS_DELIVERY_SIGN = Prisma.sql`(e."type" <> 'open' OR e."machineOpen" = false)`;
const IS_HUMAN_OPEN = Prisma.sql`(e."type" = 'open' AND e."machineOpen" = false)`;
const IS_CLICK = Prisma.sql`(e."type" = 'click')`;
const IS_UNSUBSCRIBE = Prisma.sql`(e."type" IN ('unsubscribe', 'group_unsubscribe'))`;
const SENT_STATUSES = Prisma.sql`('sent', 'outbox')`;

/** Attributed orders with the bucket and flow of the message that earned them (messages outside the range: none). */
async function attributedInRange(db: Db, input: { workspaceId: string; range: ResolvedRange; settings: AttributionSettings; flowId?: string; anySendTime?: boolean }) {
  const orders = await attributeOrders(db, { workspaceId: input.workspaceId, placedFrom: input.range.from, settings: input.settings });
  const relevant = input.flowId ? orders.filter((order) => order.flowId === input.flowId) : orders;
  const messages = new Map<string, { createdAt: Date; enrollmentId: string | null; kind: string }>();
  for (const ids of chunks([...new Set(relevant.map((order) => order.messageId))])) {
    const rows = await db.message.findMany({
      where: { workspaceId: input.workspaceId, id: { in: ids }, createdAt: { gte: input.range.from, ...(input.anySendTime ? {} : { lt: input.range.to }) } },
      select: { id: true, createdAt: true, enrollmentId: true, kind: true },
    });
    for (const row of rows) messages.set(row.id, row);
  }
  return relevant.flatMap((order) => {
    const message = messages.get(order.messageId);
    if (!message || message.kind === "test") return [];
    return [{ order, bucket: bucketIndex(input.range.buckets, message.createdAt), enrollmentId: message.enrollmentId }];
  });
}

function mainCurrency(orders: readonly OrderAttribution[], fallback: string): string {
  const totals = new Map<string, number>();
  for (const order of orders) totals.set(order.revenue.currency, (totals.get(order.revenue.currency) ?? 0) + order.revenue.amount);
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? fallback;
}

/** The time series of the workspace's email (every message, in flows or not), or of one flow's, over the range. */
export async function dashboardSeries(
  db: Db,
  input: { workspaceId: string; range: ResolvedRange; flowId?: string; settings?: AttributionSettings; currency?: string },
): Promise<Series> {
  const { workspaceId, range, flowId } = input;
  const settings = input.settings ?? (await readAttributionSettings(db, { workspaceId }));
  const bucket = bucketExpression(Prisma.sql`m."createdAt"`, range);
  const sentHere = Prisma.sql`m."workspaceId" = ${workspaceId} AND m."createdAt" >= ${range.from} AND m."createdAt" < ${range.to}
    AND m."kind" <> 'test' AND m."status" IN ${SENT_STATUSES} ${flowId ? Prisma.sql`AND m."flowId" = ${flowId}` : Prisma.empty}`;
  const sent = await db.$queryRaw<Pick<SeriesRow, "bucket" | "sent" | "recipients">[]>(Prisma.sql`
    SELECT ${bucket} AS "bucket", COUNT(*) AS "sent", COUNT(DISTINCT LOWER(TRIM(m."toEmail"))) AS "recipients"
    FROM "Message" m WHERE ${sentHere} GROUP BY 1`);
  const engaged = await db.$queryRaw<Pick<SeriesRow, "bucket" | "delivered" | "opened" | "clicked">[]>(Prisma.sql`
    SELECT ${bucket} AS "bucket", COUNT(DISTINCT CASE WHEN ${IS_DELIVERY_SIGN} THEN m."id" END) AS "delivered",
      COUNT(DISTINCT CASE WHEN ${IS_HUMAN_OPEN} THEN m."id" END) AS "opened", COUNT(DISTINCT CASE WHEN ${IS_CLICK} THEN m."id" END) AS "clicked"
    FROM "MessageEvent" e JOIN "Message" m ON m."id" = e."messageId"
    WHERE ${eventsSince(workspaceId, range.from)} AND ${sentHere} GROUP BY 1`);
  const engagedByBucket = new Map(engaged.map((row) => [count(row.bucket), row]));
  const rows = sent.map((row) => ({ ...row, ...(engagedByBucket.get(count(row.bucket)) ?? { delivered: 0, opened: 0, clicked: 0 }), bucket: row.bucket }));
  const byBucket = new Map(rows.map((row) => [count(row.bucket), row]));

  const attributed = await attributedInRange(db, { workspaceId, range, settings, flowId });
  const currency = mainCurrency(attributed.map((entry) => entry.order), input.currency ?? (await workspaceTimeZone(db, workspaceId)).currency);
  const conversions = range.buckets.map(() => ({ orders: 0, revenue: 0, recipients: new Set<string>() }));
  let otherCurrencyOrders = 0;
  for (const { order, bucket: index } of attributed) {
    const point = conversions[index];
    if (!point) continue;
    point.orders += 1;
    point.recipients.add(order.recipient);
    if (order.revenue.currency === currency) point.revenue += order.revenue.amount;
    else otherCurrencyOrders += 1;
  }

  const points = range.buckets.map((entry, index): SeriesPoint => {
    const row = byBucket.get(index);
    const sent = count(row?.sent);
    const recipients = count(row?.recipients);
    const delivered = count(row?.delivered);
    const opened = count(row?.opened);
    const clicked = count(row?.clicked);
    const converted = conversions[index];
    return {
      date: entry.date,
      from: entry.from.toISOString(),
      to: entry.to.toISOString(),
      emailsSent: sent,
      recipients,
      delivered,
      opened,
      clicked,
      conversions: converted.orders,
      convertedRecipients: converted.recipients.size,
      revenue: converted.revenue,
      openRate: rate(opened, delivered),
      clickRate: rate(clicked, delivered),
      conversionRate: rate(converted.recipients.size, recipients),
    };
  });
  return { granularity: range.granularity, timeZone: range.timeZone, currency, otherCurrencyOrders, points };
}

/** One flow's journeys that entered in the range, step by step, and how those that left early left. */
export interface Funnel {
  /** Treatment journeys that entered in the range (control-group journeys are sent nothing: counted apart). */
  entered: number;
  /** Journeys with at least one email sent … */
  sent: number;
  delivered: number;
  /** … opened by a person (machine opens never count) … */
  opened: number;
  clicked: number;
  /** … with an order attributed to one of their emails. */
  converted: number;
  /** Control-group journeys that entered in the range. */
  controlGroup: number;
  attrition: {
    /** Unsubscribed from one of the journey's emails. */
    unsubscribed: number;
    /** An email skipped because the address was on the suppression list. */
    suppressed: number;
    /** An email skipped because the message budget had no room before it expired. */
    budgetExpired: number;
    /** Exited before the goal (an exit node, an inactivity trigger that stopped, a redacted customer, …). */
    exited: number;
  };
  /** Where the journeys are now. */
  outcome: { active: number; reachedGoal: number; completed: number; exited: number };
}

interface FunnelRow {
  holdout: unknown;
  entered: unknown;
  sent: unknown;
  delivered: unknown;
  opened: unknown;
  clicked: unknown;
  unsubscribed: unknown;
  suppressed: unknown;
  budget: unknown;
  active: unknown;
  goal: unknown;
  completed: unknown;
  exited: unknown;
}

/**
 * The funnel of one flow for the journeys that entered in [from, to) (a waiting inactivity timer is not a journey
 * yet). Each stage counts journeys, not emails: a journey is "opened" when a person opened any of its emails.
 */
export async function flowFunnel(db: Db, input: { workspaceId: string; flowId: string; range: ResolvedRange; settings?: AttributionSettings }): Promise<Funnel> {
  const { workspaceId, flowId, range } = input;
  const settings = input.settings ?? (await readAttributionSettings(db, { workspaceId }));
  // Per journey, what its emails did: one pass over the flow's messages since the range began (a journey's messages
  // are never older than its entry), then joined to the journeys that entered.
  const enteredHere = Prisma.sql`n."workspaceId" = ${workspaceId} AND n."flowId" = ${flowId} AND n."enteredAt" >= ${range.from} AND n."enteredAt" < ${range.to}
    AND (n."currentNodeId" IS NULL OR n."currentNodeId" <> ${TIMER_NODE})`;
  // A journey's messages are never older than its entry: the flow's messages since the range began, each finding its
  // journey by primary key in a scalar subquery (null: the journey did not enter in the range). Message has no index
  // on enrollmentId, so the messages must drive; a subquery in the select list is never turned into a join that a
  // planner short of statistics could start from the journeys.
  const journeyOf = Prisma.sql`(SELECT n."holdout" FROM "Enrollment" n WHERE n."id" = m."enrollmentId" AND ${enteredHere})`;
  const ofFlow = Prisma.sql`m."workspaceId" = ${workspaceId} AND m."flowId" = ${flowId} AND m."createdAt" >= ${range.from} AND m."kind" <> 'test' AND m."enrollmentId" IS NOT NULL`;
  const journeys = await db.$queryRaw<Pick<FunnelRow, "holdout" | "entered" | "budget" | "active" | "goal" | "completed" | "exited">[]>(Prisma.sql`
    SELECT n."holdout" AS "holdout", COUNT(*) AS "entered",
      SUM(CASE WHEN EXISTS (SELECT 1 FROM "StepRun" s WHERE s."enrollmentId" = n."id" AND s."nodeType" = 'email'
        AND CAST(s."result" AS TEXT) LIKE '%message budget%still no room after%') THEN 1 ELSE 0 END) AS "budget",
      SUM(CASE WHEN n."status" = 'active' THEN 1 ELSE 0 END) AS "active",
      SUM(CASE WHEN n."status" = 'exited' AND n."exitReason" LIKE 'goal: %' THEN 1 ELSE 0 END) AS "goal",
      SUM(CASE WHEN n."status" = 'completed' THEN 1 ELSE 0 END) AS "completed",
      SUM(CASE WHEN n."status" = 'exited' AND (n."exitReason" IS NULL OR n."exitReason" NOT LIKE 'goal: %') THEN 1 ELSE 0 END) AS "exited"
    FROM "Enrollment" n WHERE ${enteredHere} GROUP BY n."holdout"`);
  const messages = await db.$queryRaw<Pick<FunnelRow, "holdout" | "sent" | "suppressed">[]>(Prisma.sql`
    SELECT x."holdout" AS "holdout", COUNT(DISTINCT CASE WHEN x."status" IN ${SENT_STATUSES} THEN x."journey" END) AS "sent",
      COUNT(DISTINCT CASE WHEN x."status" = 'suppressed' THEN x."journey" END) AS "suppressed"
    FROM (SELECT m."enrollmentId" AS "journey", m."status" AS "status", ${journeyOf} AS "holdout" FROM "Message" m WHERE ${ofFlow}) x
    WHERE x."holdout" IS NOT NULL GROUP BY x."holdout"`);
  const engaged = await db.$queryRaw<Pick<FunnelRow, "holdout" | "delivered" | "opened" | "clicked" | "unsubscribed">[]>(Prisma.sql`
    SELECT x."holdout" AS "holdout", COUNT(DISTINCT CASE WHEN x."sign" = 1 THEN x."journey" END) AS "delivered",
      COUNT(DISTINCT CASE WHEN x."opened" = 1 THEN x."journey" END) AS "opened", COUNT(DISTINCT CASE WHEN x."clicked" = 1 THEN x."journey" END) AS "clicked",
      COUNT(DISTINCT CASE WHEN x."unsubscribed" = 1 THEN x."journey" END) AS "unsubscribed"
    FROM (
      SELECT m."enrollmentId" AS "journey", ${journeyOf} AS "holdout", CASE WHEN ${IS_DELIVERY_SIGN} THEN 1 ELSE 0 END AS "sign",
        CASE WHEN ${IS_HUMAN_OPEN} THEN 1 ELSE 0 END AS "opened", CASE WHEN ${IS_CLICK} THEN 1 ELSE 0 END AS "clicked",
        CASE WHEN ${IS_UNSUBSCRIBE} THEN 1 ELSE 0 END AS "unsubscribed"
      FROM "MessageEvent" e JOIN "Message" m ON m."id" = e."messageId"
      WHERE ${eventsSince(workspaceId, range.from)} AND ${ofFlow} AND m."status" IN ${SENT_STATUSES}
    ) x
    WHERE x."holdout" IS NOT NULL GROUP BY x."holdout"`);
  const isHoldout = (value: unknown) => value === true || value === 1 || value === 1n || value === "1" || value === "true";
  const group = (holdout: boolean): Partial<FunnelRow> => ({
    ...journeys.find((row) => isHoldout(row.holdout) === holdout),
    ...messages.find((row) => isHoldout(row.holdout) === holdout),
    ...engaged.find((row) => isHoldout(row.holdout) === holdout),
  });
  const treated = group(false);
  const control = group(true);

  // Converted: treatment journeys of the range with an order attributed to one of their emails (sent whenever).
  const attributed = await attributedInRange(db, { workspaceId, range, settings, flowId, anySendTime: true });
  const enrollmentIds = [...new Set(attributed.flatMap((entry) => (entry.enrollmentId ? [entry.enrollmentId] : [])))];
  let converted = 0;
  for (const ids of chunks(enrollmentIds)) {
    converted += await db.enrollment.count({ where: { workspaceId, flowId, id: { in: ids }, holdout: false, enteredAt: { gte: range.from, lt: range.to } } });
  }
  const exited = count(treated?.exited);
  return {
    entered: count(treated?.entered),
    sent: count(treated?.sent),
    delivered: count(treated?.delivered),
    opened: count(treated?.opened),
    clicked: count(treated?.clicked),
    converted,
    controlGroup: count(control?.entered),
    attrition: { unsubscribed: count(treated?.unsubscribed), suppressed: count(treated?.suppressed), budgetExpired: count(treated?.budget), exited },
    outcome: { active: count(treated?.active), reachedGoal: count(treated?.goal), completed: count(treated?.completed), exited },
  };
}

export interface TopFlow {
  flowId: string;
  name: string;
  status: string;
  recipients: number;
  emailsSent: number;
  conversions: number;
  conversionRate: Rate;
  revenue: FlowKpis["revenue"];
  revenuePerRecipient: FlowKpis["revenuePerRecipient"];
}

export interface WorkspaceDashboard {
  range: ResolvedRange;
  rules: AttributionSettings;
  /** The seed's KPIs over the range, every message of the workspace (flowKpis' totals). */
  totals: MessageKpis & { attrition: Attrition };
  series: Series;
  /** Flows that sent email in the range, the best earners first. */
  topFlows: TopFlow[];
}

/** Home's dashboard: totals, the series and the flows that earned most, over the range in the workspace's calendar. */
export async function workspaceDashboard(db: Db, input: { workspaceId: string; range: DashboardRange; now: Date }): Promise<WorkspaceDashboard> {
  const { workspaceId } = input;
  const calendar = await workspaceTimeZone(db, workspaceId);
  const range = resolveRange(input.range, { now: input.now, timeZone: calendar.timeZone });
  const report = await flowKpis(db, { workspaceId, from: range.from, to: range.to });
  const series = await dashboardSeries(db, { workspaceId, range, settings: report.rules, currency: calendar.currency });
  const amountIn = (flow: FlowKpis) => flow.revenue.find((money) => money.currency === series.currency)?.amount ?? 0;
  const topFlows = report.flows
    .filter((flow) => flow.emailsSent > 0)
    .sort((a, b) => amountIn(b) - amountIn(a) || b.recipients - a.recipients || a.name.localeCompare(b.name))
    .slice(0, 10)
    .map((flow) => ({
      flowId: flow.flowId,
      name: flow.name,
      status: flow.status,
      recipients: flow.recipients,
      emailsSent: flow.emailsSent,
      conversions: flow.conversions,
      conversionRate: flow.conversionRate,
      revenue: flow.revenue,
      revenuePerRecipient: flow.revenuePerRecipient,
    }));
  return { range, rules: report.rules, totals: report.totals, series, topFlows };
}

export interface FlowDashboard {
  range: ResolvedRange;
  series: Series;
  funnel: Funnel;
}

/** The flow page's dashboard: the flow's series and funnel over the range. */
export async function flowDashboard(db: Db, input: { workspaceId: string; flowId: string; range: DashboardRange; now: Date }): Promise<FlowDashboard> {
  const { workspaceId, flowId } = input;
  const calendar = await workspaceTimeZone(db, workspaceId);
  const range = resolveRange(input.range, { now: input.now, timeZone: calendar.timeZone });
  const settings = await readAttributionSettings(db, { workspaceId });
  const series = await dashboardSeries(db, { workspaceId, flowId, range, settings, currency: calendar.currency });
  const funnel = await flowFunnel(db, { workspaceId, flowId, range, settings });
  return { range, series, funnel };
}

/** The series as CSV lines (a header, then one line per point), for the export. */
export async function* seriesCsv(series: Series): AsyncGenerator<string> {
  const header = ["date", "granularity", "emails_sent", "recipients", "delivered", "human_opens", "clicks", "conversions", "converted_recipients", `revenue_${series.currency.toLowerCase()}`, "open_rate", "click_rate", "conversion_rate"];
  yield `${header.join(",")}\n`;
  const digits = minorUnitDigits(series.currency);
  const fraction = (value: number | null) => (value === null ? "" : value.toFixed(4));
  for (const point of series.points) {
    yield `${[point.date, series.granularity, point.emailsSent, point.recipients, point.delivered, point.opened, point.clicked, point.conversions, point.convertedRecipients, (point.revenue / 10 ** digits).toFixed(digits), fraction(point.openRate.value), fraction(point.clickRate.value), fraction(point.conversionRate.value)].join(",")}\n`;
  }
}

/**
 * The CSV export of the workspace's series, or of one flow's (null when the flow is not the workspace's): the file
 * name says what and when, e.g. "nudgeflow-welcome-series-2026-10-28-to-2026-11-26-daily.csv".
 */
export async function seriesExport(
  db: Db,
  input: { workspaceId: string; range: DashboardRange; now: Date; flowId?: string },
): Promise<{ filename: string; lines: AsyncIterable<string> } | null> {
  const { workspaceId, flowId } = input;
  const flow = flowId ? await db.flow.findFirst({ where: { id: flowId, workspaceId }, select: { name: true } }) : null;
  if (flowId && !flow) return null;
  const calendar = await workspaceTimeZone(db, workspaceId);
  const range = resolveRange(input.range, { now: input.now, timeZone: calendar.timeZone });
  const series = await dashboardSeries(db, { workspaceId, flowId, range, currency: calendar.currency });
  const subject = flow ? flow.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "flow" : "all-email";
  return { filename: `nudgeflow-${subject}-${range.firstDate}-to-${range.lastDate}-${range.granularity === "week" ? "weekly" : "daily"}.csv`, lines: seriesCsv(series) };
}

/**
 * The flow page's dashboard as the page receives it: the range as the URL said (or why it could not be used); null
 * when the flow is not the workspace's.
 */
export async function flowDashboardView(db: Db, input: { workspaceId: string; flowId: string; search: URLSearchParams; now: Date }) {
  const flow = await db.flow.findFirst({ where: { id: input.flowId, workspaceId: input.workspaceId }, select: { id: true } });
  if (!flow) return null;
  const requested = parseDashboardRange(input.search);
  const { range, series, funnel } = await flowDashboard(db, { workspaceId: input.workspaceId, flowId: input.flowId, range: requested.range, now: input.now });
  return {
    range: { range: range.range, firstDate: range.firstDate, lastDate: range.lastDate, label: range.label, timeZone: range.timeZone, from: range.from.toISOString(), to: range.to.toISOString() },
    rangeErrors: requested.ok ? [] : requested.errors,
    series,
    funnel,
  };
}
export type FlowDashboardView = NonNullable<Awaited<ReturnType<typeof flowDashboardView>>>;
