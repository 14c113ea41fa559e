// A segment's members as a CSV file, streamed as it is read (a header line, then one line per member).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { getSegment, segmentCsv } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const segmentId = params.segmentId ?? "";
  const segment = await getSegment(db, { workspaceId, segmentId });
  if (!segment) throw new Response("This segment does not exist, or belongs to another workspace.", { status: 404 });

  const lines = segmentCsv(db, { workspaceId, segmentId })[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await lines.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await lines.return?.();
    },
  });
  const slug = segment.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "segment";
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${slug}-members.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
