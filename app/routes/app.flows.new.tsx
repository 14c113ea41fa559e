// "New flow": creates an empty draft (checkout trigger, one exit step) and opens it in the builder.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { systemClock } from "~/core/clock";
import { createDraftFlow } from "~/core/flows/manage.server";
import { getDb } from "~/db.server";

/** A GET has nothing to show here: the list has the "New flow" button. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return redirect("/app/flows");
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { flowId } = await createDraftFlow({ db: getDb(), clock: systemClock }, { workspaceId });
  return redirect(`/app/flows/${flowId}`);
}
