// GET /api/v1/flows/:flowId — one flow: its summary, live version, pending draft (with its problems) and versions
// (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiJson, apiLoader, apiMethodNotAllowed } from "~/api.server";
import { getFlowDetail } from "~/core/flows/manage.server";

export const loader = apiLoader({ scope: "flows:read", query: z.object({}).strict() }, async ({ db, workspaceId, params }) =>
  answerFlowErrors(async () => apiJson(await getFlowDetail(db, { workspaceId, flowId: params.flowId ?? "" }))),
);

export const action = apiMethodNotAllowed;
