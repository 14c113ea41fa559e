// POST /api/v1/flows/:flowId/resume — turns a paused flow back on; running enrollments go on, as the admin's
// Resume button does (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiAction, apiJson, apiOnly } from "~/api.server";
import { changeFlowStatus } from "~/core/flows/manage.server";

export const action = apiAction({ scope: "flows:write", body: z.object({}).strict() }, async ({ db, workspaceId, params }) =>
  answerFlowErrors(async () => apiJson(await changeFlowStatus({ db }, { workspaceId, flowId: params.flowId ?? "", status: "live" }))),
);

export const loader = apiOnly("POST");
