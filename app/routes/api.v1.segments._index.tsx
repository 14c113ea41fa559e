// GET /api/v1/segments — the workspace's segments with their member counts and 30-day trend (docs/api/openapi.yaml).
import { z } from "zod";
import { apiJson, apiLoader, apiMethodNotAllowed, QueryParams } from "~/api.server";
import { listSegments } from "~/core/segments/segments.server";

const Query = z.object({ includeArchived: QueryParams.boolean }).strict();

export const loader = apiLoader({ scope: "segments:read", query: Query }, async ({ db, workspaceId, query, now }) =>
  apiJson({ segments: await listSegments(db, { workspaceId, includeArchived: query.includeArchived ?? false, now }) }),
);

export const action = apiMethodNotAllowed;
