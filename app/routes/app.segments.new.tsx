// A new segment: the builder with a starting rule; saving creates it and opens its page.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { requireAdmin } from "~/auth.server";
import { builderOptions, readSaveForm } from "~/segment-builder.server";
import { SegmentBuilder } from "~/components/segments/segment-builder";
import { systemClock } from "~/core/clock";
import type { SegmentRule } from "~/core/segments/rules";
import { createSegment } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "New segment · Nudgeflow" }];

/** Where a new rule starts: one condition the merchant adjusts. */
const STARTING_RULE: SegmentRule = { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "total_spent", op: "gt", value: 100 }] };

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  return json({ options: await builderOptions(getDb(), { workspaceId, now: systemClock.now() }) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const form = readSaveForm(await request.formData());
  if (!form.ok) return json(form, { status: 400 });
  const result = await createSegment(getDb(), { workspaceId, name: form.name, description: form.description, rule: form.rule, now: systemClock.now() });
  if (!result.ok) return json({ ok: false as const, problems: result.problems }, { status: 400 });
  return redirect(`/app/segments/${result.segment.id}?created=1`);
}

/** A live count changes nothing this page loaded: no need to load it again after each one. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formAction, defaultShouldRevalidate }) =>
  formAction === "/app/segments/preview" ? false : defaultShouldRevalidate;

export default function NewSegment() {
  const { options } = useLoaderData<typeof loader>();
  return (
    <SegmentBuilder
      title="New segment"
      backUrl="/app/segments"
      initial={{ name: "", description: "", rule: STARTING_RULE }}
      options={options}
      saveLabel="Create segment"
    />
  );
}
