// GET /api/v1/customers?search=&segment=&acceptsMarketing=&hasOrders=&cursor=&limit= — customers by id, a page
// at a time, searched and filtered (docs/api/openapi.yaml).
import { z } from "zod";
import { apiJson, apiLoader, apiMethodNotAllowed, notFound, QueryParams } from "~/api.server";
import { listCustomers } from "~/core/customers/customers.server";
import { getSegment } from "~/core/segments/segments.server";

const Query = z
  .object({
    search: z.string().trim().max(200, "at most 200 characters").optional(),
    segment: z.string().min(1, "a segment id").optional(),
    acceptsMarketing: QueryParams.boolean,
    hasOrders: QueryParams.boolean,
    cursor: QueryParams.cursor,
    limit: QueryParams.limit,
  })
  .strict();

export const loader = apiLoader({ scope: "customers:read", query: Query }, async ({ db, workspaceId, query }) => {
  if (query.segment && !(await getSegment(db, { workspaceId, segmentId: query.segment }))) {
    return notFound("There is no segment with this id in your workspace.");
  }
  const page = await listCustomers(db, {
    workspaceId,
    search: query.search,
    segmentId: query.segment,
    acceptsMarketing: query.acceptsMarketing,
    hasOrders: query.hasOrders,
    cursor: query.cursor ?? null,
    take: query.limit,
  });
  return apiJson(page);
});

export const action = apiMethodNotAllowed;
