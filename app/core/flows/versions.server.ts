import type { DbTx } from "~/db.server";
import { StoredFlowDefinition, type FlowDefinition } from "./definition";

/**
 * Versions frozen before flow rules existed carry no `rules`: they were published to send to everyone the
 * trigger enrolls, so they keep doing that (transactional, no quiet hours) instead of taking today's default.
 */
function withFrozenRules(stored: unknown): unknown {
  if (typeof stored !== "object" || stored === null || Array.isArray(stored) || "rules" in stored) return stored;
  return { ...stored, rules: { consent: "transactional", quietHours: null } };
}

/** A published version's definition, parsed (it was valid when frozen; parsing guards against drift). */
export async function loadVersion(tx: DbTx, input: { workspaceId: string; versionId: string }): Promise<FlowDefinition | null> {
  const version = await tx.flowVersion.findFirst({ where: { id: input.versionId, workspaceId: input.workspaceId } });
  if (!version) return null;
  const parsed = StoredFlowDefinition.safeParse(withFrozenRules(version.definition));
  return parsed.success ? parsed.data : null;
}
