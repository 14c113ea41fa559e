// What the /api/v1/flows routes share: the flow errors of core/flows/manage.server.ts as API answers. An invalid
// definition is 400 with every problem the validator found ({ path, message }, as `nudgeflow flows validate`
// prints them); a flow that is not in the key's workspace is the same 404 whether it exists elsewhere or not; a
// flow whose state forbids the change (nothing to publish, resuming a never-published flow) is 409.
import { apiError, notFound } from "~/api.server";
import { FlowError, FlowNotFoundError, FlowValidationError } from "~/core/flows/manage.server";

export const FLOW_NOT_FOUND = "There is no flow with this id in your workspace.";

/** Runs a flow call, answering its FlowErrors; anything else is thrown on (a 500). */
export async function answerFlowErrors(call: () => Promise<Response>, notFoundMessage = FLOW_NOT_FOUND): Promise<Response> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FlowValidationError) {
      const count = error.problems.length;
      return apiError(400, "invalid_definition", `The flow definition has ${count} problem${count === 1 ? "" : "s"}: ${error.message}`, { problems: error.problems });
    }
    if (error instanceof FlowNotFoundError) return notFound(notFoundMessage);
    if (error instanceof FlowError) return apiError(409, "conflict", capitalize(error.message));
    throw error;
  }
}

const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;
