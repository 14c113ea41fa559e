// "New flow": creates an empty draft (checkout trigger, one exit step) and opens it in the builder. With
// `?segmentId=ID` (the segment pages link here), the draft starts when a customer enters that segment: a day's
// delay and an email, ready to edit; opening the link again opens the same untouched draft.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { systemClock } from "~/core/clock";
import { createDraftFlow, createSegmentFlow, FlowNotFoundError } from "~/core/flows/manage.server";
import { getDb } from "~/db.server";

async function segmentFlow(workspaceId: string, segmentId: string) {
  try {
    const { flowId } = await createSegmentFlow({ db: getDb(), clock: systemClock }, { workspaceId, segmentId });
    return redirect(`/app/flows/${flowId}`);
  } catch (error) {
    if (error instanceof FlowNotFoundError) throw new Response(error.message, { status: 404 });
    throw error;
  }
}

/** A plain GET has nothing to show here (the list has the "New flow" button); a segment's link creates its flow. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const segmentId = new URL(request.url).searchParams.get("segmentId");
  if (segmentId) return segmentFlow(workspaceId, segmentId);
  return redirect("/app/flows");
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  // The list's "New flow" posts nothing; a form may name the segment, as may the query string.
  const form = await request.formData().catch(() => null);
  const segmentId = form?.get("segmentId") ?? new URL(request.url).searchParams.get("segmentId");
  if (typeof segmentId === "string" && segmentId !== "") return segmentFlow(workspaceId, segmentId);
  const { flowId } = await createDraftFlow({ db: getDb(), clock: systemClock }, { workspaceId });
  return redirect(`/app/flows/${flowId}`);
}
