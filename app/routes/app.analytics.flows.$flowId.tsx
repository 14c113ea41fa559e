// One flow's dashboard (series and funnel) as JSON, for the flow page's live updates: the page asks again every
// 30 seconds while it is visible, without reloading the builder's own data. Same range params as the page.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { flowDashboardView } from "~/core/analytics/dashboard.server";
import { systemClock } from "~/core/clock";
import { getDb } from "~/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const view = await flowDashboardView(getDb(), { workspaceId, flowId: params.flowId ?? "", search: new URL(request.url).searchParams, now: systemClock.now() });
  if (!view) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
  return json(view, { headers: { "Cache-Control": "private, no-store" } });
}
