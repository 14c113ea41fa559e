// GET /api/v1/flows?cursor=&limit= — the workspace's flows by id, a page at a time: status, trigger, live version.
// POST /api/v1/flows — imports a definition document (what GET …/definition answers) as a new flow, a draft unless
// `publish` is true, like `nudgeflow flows import` (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiAction, apiJson, apiLoader, QueryParams } from "~/api.server";
import { systemClock } from "~/core/clock";
import { importFlowDocument, listFlowsPage } from "~/core/flows/manage.server";

const Query = z.object({ cursor: QueryParams.cursor, limit: QueryParams.limit }).strict();

export const loader = apiLoader({ scope: "flows:read", query: Query }, async ({ db, workspaceId, query }) =>
  apiJson(await listFlowsPage(db, { workspaceId, cursor: query.cursor ?? null, take: query.limit })),
);

const ImportBody = z
  .object({
    name: z.string("the flow's name").trim().min(1, "the flow's name").max(200, "at most 200 characters"),
    definition: z.record(z.string(), z.unknown(), "the flow definition document (a JSON object)"),
    publish: z.boolean("true or false").default(false),
  })
  .strict();

export const action = apiAction({ scope: "flows:write", body: ImportBody, allow: "GET, POST" }, async ({ db, workspaceId, body }) =>
  answerFlowErrors(async () => apiJson(await importFlowDocument({ db, clock: systemClock }, { workspaceId, ...body }), { status: 201 })),
);
