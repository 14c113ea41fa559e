// GET /api/v1/customers/:customerId — the customer's profile: details, metrics, prediction, segments and
// timeline (docs/api/openapi.yaml).
import { z } from "zod";
import { apiJson, apiLoader, apiMethodNotAllowed, notFound } from "~/api.server";
import { getCustomerProfile } from "~/core/customers/customers.server";

export const loader = apiLoader({ scope: "customers:read", query: z.object({}).strict() }, async ({ db, workspaceId, params, now }) => {
  const profile = params.customerId ? await getCustomerProfile(db, { workspaceId, customerId: params.customerId, now }) : null;
  return profile ? apiJson(profile) : notFound("There is no customer with this id in your workspace.");
});

export const action = apiMethodNotAllowed;
