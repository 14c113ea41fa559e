// GET /app/orders/:orderId/attribution (JSON): why this order was attributed to a message, or why to none, under the
// workspace's current rules. Loaded when the merchant opens "Why this attribution?" on a customer's timeline.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { AttributionError, explainAttribution } from "~/core/analytics/attribution.server";
import { getDb } from "~/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  try {
    return json({ explanation: await explainAttribution(getDb(), { workspaceId, orderId: params.orderId ?? "" }) });
  } catch (error) {
    if (error instanceof AttributionError) throw new Response("This order does not exist, or belongs to another workspace.", { status: 404 });
    throw error;
  }
}
