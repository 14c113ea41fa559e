// POST /api/v1/flows/:flowId/publish — makes the given definition, else the pending draft, the flow's live version;
// 400 with every problem when it does not validate (docs/api/openapi.yaml).
import { z } from "zod";
import { answerFlowErrors } from "~/api-flows.server";
import { apiAction, apiJson, apiOnly } from "~/api.server";
import { systemClock } from "~/core/clock";
import { publishPending } from "~/core/flows/manage.server";

const PublishBody = z
  .object({
    definition: z.record(z.string(), z.unknown(), "the flow definition document (a JSON object)").optional(),
    backfill: z.boolean("true or false").default(false),
  })
  .strict();

export const action = apiAction({ scope: "flows:write", body: PublishBody }, async ({ db, workspaceId, params, body }) =>
  answerFlowErrors(async () => apiJson(await publishPending({ db, clock: systemClock }, { workspaceId, flowId: params.flowId ?? "", ...body }))),
);

export const loader = apiOnly("POST");
