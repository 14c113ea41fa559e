// POST /api/v1/flows/:flowId/pause — stops new enrollments and holds running ones where they are, as the admin's
// Pause button does (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiAction, apiJson, apiOnly } from "~/api.server";
import { changeFlowStatus } from "~/core/flows/manage.server";

export const action = apiAction({ scope: "flows:write", body: z.object({}).strict() }, async ({ db, workspaceId, params }) =>
  answerFlowErrors(async () => apiJson(await changeFlowStatus({ db }, { workspaceId, flowId: params.flowId ?? "", status: "paused" }))),
);

export const loader = apiOnly("POST");
