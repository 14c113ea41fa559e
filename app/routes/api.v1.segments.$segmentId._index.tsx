// GET /api/v1/segments/:segmentId — one segment: its rule, status and member count (docs/api/openapi.yaml).
import { z } from "zod";
import { apiJson, apiLoader, apiMethodNotAllowed, notFound } from "~/api.server";
import { getSegment } from "~/core/segments/segments.server";

export const loader = apiLoader({ scope: "segments:read", query: z.object({}).strict() }, async ({ db, workspaceId, params }) => {
  const segment = params.segmentId ? await getSegment(db, { workspaceId, segmentId: params.segmentId }) : null;
  return segment ? apiJson({ segment }) : notFound("There is no segment with this id in your workspace.");
});

export const action = apiMethodNotAllowed;
