// GET /api/v1/flows/:flowId/definition?version=N — the flow's definition document, exactly what
// `nudgeflow flows export` prints: the given version, else the live one, else the newest. POSTing it to
// /api/v1/flows makes an identical flow (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiJson, apiLoader, apiMethodNotAllowed } from "~/api.server";
import { exportFlow } from "~/core/flows/manage.server";

const Query = z.object({ version: z.coerce.number().int("a whole number").min(1, "at least 1").optional() }).strict();

export const loader = apiLoader({ scope: "flows:read", query: Query }, async ({ db, workspaceId, params, query }) =>
  answerFlowErrors(
    async () => apiJson(await exportFlow(db, { workspaceId, flowId: params.flowId ?? "", version: query.version })),
    query.version === undefined ? undefined : `There is no flow with this id in your workspace, or it has no version ${query.version}.`,
  ),
);

export const action = apiMethodNotAllowed;
