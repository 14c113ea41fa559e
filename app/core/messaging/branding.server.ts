// Reading and saving a workspace's email branding (Workspace.settings.branding); other settings keys are kept.
import type { Db, DbTx } from "~/db.server";
import { Branding, brandingFrom } from "./branding";

function settingsObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export async function readBranding(db: Db | DbTx, input: { workspaceId: string }): Promise<Branding> {
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true } });
  return brandingFrom(workspace?.settings);
}

export type SaveBrandingResult = { ok: true; branding: Branding } | { ok: false; problems: { path: string; message: string }[] };

export async function saveBranding(db: Db, input: { workspaceId: string; branding: unknown }): Promise<SaveBrandingResult> {
  const parsed = Branding.safeParse(input.branding);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) };
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { settings: true } });
  await db.workspace.update({ where: { id: input.workspaceId }, data: { settings: { ...settingsObject(workspace.settings), branding: parsed.data } } });
  return { ok: true, branding: parsed.data };
}
