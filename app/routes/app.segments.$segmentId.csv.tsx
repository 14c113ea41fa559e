// A segment's members as a CSV file, streamed as it is read (a header line, then one line per member).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { getSegment, segmentCsv } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";
import { csvResponse } from "~/http.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const segmentId = params.segmentId ?? "";
  const segment = await getSegment(db, { workspaceId, segmentId });
  if (!segment) throw new Response("This segment does not exist, or belongs to another workspace.", { status: 404 });

  const slug = segment.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "segment";
  return csvResponse(segmentCsv(db, { workspaceId, segmentId }), `${slug}-members.csv`);
}
