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

/**
 * Parsed definitions of published versions, for one batch or transaction that routes many events (a SendGrid
 * batch, an inbox row, a segment re-evaluation). A version is frozen once published, so it is read and parsed once
 * per cache, not once per event; which version is live is still read per event, so a flow published or paused
 * mid-batch is seen by the events after it, as without a cache. Passed explicitly: its life is its caller's.
 */
export interface VersionCache {
  readonly definitions: Map<string, FlowDefinition>;
}

export function createVersionCache(): VersionCache {
  return { definitions: new Map() };
}

/** A published version's definition, parsed (it was valid when frozen; parsing guards against drift). */
export async function loadVersion(tx: DbTx, input: { workspaceId: string; versionId: string }, cache?: VersionCache): Promise<FlowDefinition | null> {
  const key = `${input.workspaceId}:${input.versionId}`;
  const cached = cache?.definitions.get(key);
  if (cached) return cached;
  const version = await tx.flowVersion.findFirst({ where: { id: input.versionId, workspaceId: input.workspaceId } });
  if (!version) return null;
  const parsed = StoredFlowDefinition.safeParse(withFrozenRules(version.definition));
  if (!parsed.success) return null;
  cache?.definitions.set(key, parsed.data);
  return parsed.data;
}
