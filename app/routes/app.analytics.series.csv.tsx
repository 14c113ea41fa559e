// The dashboard's time series as a CSV file: the workspace's (Home), or one flow's with `flowId`, over the range in
// the search params (the same `range`, `from`, `to` as the pages; a bad range is a 400 saying why).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { parseDashboardRange } from "~/core/analytics/dashboard";
import { seriesExport } from "~/core/analytics/dashboard.server";
import { systemClock } from "~/core/clock";
import { getDb } from "~/db.server";
import { csvResponse } from "~/http.server";

const FlowFilter = z.string().trim().min(1).max(100).optional();

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const url = new URL(request.url);
  const range = parseDashboardRange(url.searchParams);
  if (!range.ok) return new Response(`Bad date range: ${range.errors.join("; ")}\n`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const flowId = FlowFilter.safeParse(url.searchParams.get("flowId") ?? undefined);
  if (!flowId.success) return new Response("flowId must be a flow's id.\n", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const exported = await seriesExport(getDb(), { workspaceId, range: range.range, now: systemClock.now(), flowId: flowId.data });
  if (!exported) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
  return csvResponse(exported.lines, exported.filename);
}
