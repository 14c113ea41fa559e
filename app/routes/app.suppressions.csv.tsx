// The suppression list (or its filtered part) as a CSV file, streamed as it is read: email, reason, source,
// created_at, detail. Erased customers' entries read "(erased)".
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { suppressionCsv } from "~/core/messaging/suppression-list.server";
import { SUPPRESSION_REASONS } from "~/core/messaging/suppression-reasons";
import { getDb } from "~/db.server";
import { csvResponse } from "~/http.server";

const Filters = z.object({
  q: z.string().trim().max(200).catch(""),
  reason: z.enum(SUPPRESSION_REASONS).or(z.literal("")).catch(""),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const url = new URL(request.url);
  const filters = Filters.parse({ q: url.searchParams.get("q") ?? "", reason: url.searchParams.get("reason") ?? "" });
  return csvResponse(suppressionCsv(getDb(), { workspaceId, search: filters.q || undefined, reason: filters.reason || undefined }), "suppression-list.csv");
}
