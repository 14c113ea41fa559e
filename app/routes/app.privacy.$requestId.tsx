// A data request's export as a JSON download, for the merchant to pass on to the customer. Workspace-scoped:
// another workspace's request, or one whose export was erased since, is a 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { getPrivacyExport } from "~/core/privacy/privacy.server";
import { getDb } from "~/db.server";

const Params = z.object({ requestId: z.string().min(1) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { requestId } = Params.parse(params);
  const found = await getPrivacyExport(getDb(), { workspaceId, requestId });
  if (!found) throw new Response("There is no export with this address in your workspace.", { status: 404 });
  const day = found.requestedAt.toISOString().slice(0, 10);
  return new Response(JSON.stringify(found.export, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="nudgeflow-data-request-${day}-${found.id}.json"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
