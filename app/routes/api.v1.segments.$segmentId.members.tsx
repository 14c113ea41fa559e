// GET /api/v1/segments/:segmentId/members?cursor=&limit= — a segment's members now, by customer id, a page at a
// time (docs/api/openapi.yaml).
import { z } from "zod";
import { apiJson, apiLoader, apiMethodNotAllowed, notFound, QueryParams } from "~/api.server";
import { getSegment, segmentMembers } from "~/core/segments/segments.server";

const Query = z.object({ cursor: QueryParams.cursor, limit: QueryParams.limit }).strict();

export const loader = apiLoader({ scope: "segments:read", query: Query }, async ({ db, workspaceId, params, query }) => {
  const segment = params.segmentId ? await getSegment(db, { workspaceId, segmentId: params.segmentId }) : null;
  if (!segment) return notFound("There is no segment with this id in your workspace.");
  const page = await segmentMembers(db, { workspaceId, segmentId: segment.id, cursor: query.cursor ?? null, take: query.limit });
  return apiJson({ members: page.members, nextCursor: page.nextCursor });
});

export const action = apiMethodNotAllowed;
