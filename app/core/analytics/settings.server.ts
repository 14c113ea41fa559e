// The workspace's attribution rules (Workspace.settings.attribution): how many days before an order a click (or,
// when enabled, a human open) still earns it. Read at query time, so a change applies to every report at once.
import { z } from "zod";
import type { Db, DbTx } from "~/db.server";

export const AttributionSettings = z.object({
  windowDays: z.number().int().min(1).max(90),
  /** Also count opens made by a person (never machine opens: Apple Mail Privacy Protection, scanners). */
  includeOpens: z.boolean(),
});
export type AttributionSettings = z.infer<typeof AttributionSettings>;

export const DEFAULT_ATTRIBUTION: AttributionSettings = { windowDays: 5, includeOpens: false };

/** The settings keys this module reads; other keys are kept as they are. */
const StoredSettings = z.object({ attribution: AttributionSettings.partial().nullable().optional() });

function settingsObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

export class AttributionSettingError extends Error {}

/** The attribution rules in force: the workspace's own, else the defaults (5 days, clicks only). */
export async function readAttributionSettings(db: Db | DbTx, input: { workspaceId: string }): Promise<AttributionSettings> {
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true } });
  const parsed = StoredSettings.safeParse(settingsObject(workspace?.settings));
  return { ...DEFAULT_ATTRIBUTION, ...(parsed.success ? (parsed.data.attribution ?? {}) : {}) };
}

/** Changes the attribution window and/or whether human opens count. Returns the rules now in force. */
export async function setAttributionSettings(
  db: Db,
  input: { workspaceId: string; windowDays?: number; includeOpens?: boolean },
): Promise<AttributionSettings> {
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true } });
  if (!workspace) throw new AttributionSettingError(`workspace "${input.workspaceId}" not found`);
  const current = await readAttributionSettings(db, input);
  const next = AttributionSettings.safeParse({
    windowDays: input.windowDays ?? current.windowDays,
    includeOpens: input.includeOpens ?? current.includeOpens,
  });
  if (!next.success) throw new AttributionSettingError(next.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  await db.workspace.update({ where: { id: input.workspaceId }, data: { settings: { ...settingsObject(workspace.settings), attribution: next.data } } });
  return next.data;
}
