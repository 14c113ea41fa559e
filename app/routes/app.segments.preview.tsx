// The builder's live count: how many customers a rule (as being edited, not saved) matches now, and a sample.
// A resource route (no page) called by a debounced fetcher; it echoes the rule it answered so the builder can
// tell a current answer from a late one.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/auth.server";
import { systemClock } from "~/core/clock";
import { previewSegment } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

const PREVIEW_SAMPLE_SIZE = 10;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  throw new Response("Send the rule with POST.", { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const form = await request.formData();
  const ruleText = form.get("rule");
  if (typeof ruleText !== "string") return json({ for: null, ok: false as const, problems: [{ path: "(rule)", message: "Send the rule as JSON in the field `rule`." }] }, { status: 400 });
  let rule: unknown;
  try {
    rule = JSON.parse(ruleText);
  } catch {
    return json({ for: ruleText, ok: false as const, problems: [{ path: "(rule)", message: "The rule is not valid JSON." }] }, { status: 400 });
  }
  // An existing segment's own id: a rule may not refer to itself or to a segment that refers back to it.
  const segmentId = form.get("segmentId");
  const result = await previewSegment(getDb(), {
    workspaceId,
    rule,
    now: systemClock.now(),
    sampleSize: PREVIEW_SAMPLE_SIZE,
    segmentId: typeof segmentId === "string" && segmentId ? segmentId : undefined,
  });
  if (!result.ok) return json({ for: ruleText, ok: false as const, problems: result.problems });
  return json({ for: ruleText, ok: true as const, count: result.count, total: result.total, sample: result.sample });
}
