// What both segment builder routes (new and existing segment) load, and how they read the save form.
import { getWorkspace } from "~/core/workspaces/workspaces.server";
import { listSegments } from "~/core/segments/segments.server";
import type { RuleProblem } from "~/core/segments/rules";
import type { Db } from "~/db.server";

/** The choices the rule editor offers: other segments, the workspace's stores, and the currency for amounts. */
export async function builderOptions(db: Db, input: { workspaceId: string; exceptSegmentId?: string; now: Date }) {
  const [segments, workspace] = await Promise.all([listSegments(db, { workspaceId: input.workspaceId, now: input.now }), getWorkspace(db, { workspaceId: input.workspaceId })]);
  return {
    segments: segments.filter((segment) => segment.id !== input.exceptSegmentId).map((segment) => ({ id: segment.id, name: segment.name })),
    stores: (workspace?.stores ?? []).map((store) => ({ id: store.id, name: store.name })),
    currency: workspace?.stores[0]?.currency ?? "USD",
  };
}

export type SaveForm = { ok: true; name: string; description: string | null; rule: unknown } | { ok: false; problems: RuleProblem[] };

/** The builder's save form: name, description, and the rule as JSON (validated by core, which names each problem). */
export function readSaveForm(form: FormData): SaveForm {
  const name = form.get("name");
  const description = form.get("description");
  const ruleText = form.get("rule");
  if (typeof name !== "string" || typeof ruleText !== "string") return { ok: false, problems: [{ path: "(document)", message: "Send the segment's name and rule." }] };
  try {
    return { ok: true, name, description: typeof description === "string" && description.trim() ? description.trim() : null, rule: JSON.parse(ruleText) };
  } catch {
    return { ok: false, problems: [{ path: "(rule)", message: "The rule is not valid JSON." }] };
  }
}
