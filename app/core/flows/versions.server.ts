import type { DbTx } from "~/db.server";
import { FlowDefinition } from "./definition";

/** A published version's definition, parsed (it was valid when frozen; parsing guards against drift). */
export async function loadVersion(tx: DbTx, input: { workspaceId: string; versionId: string }): Promise<FlowDefinition | null> {
  const version = await tx.flowVersion.findFirst({ where: { id: input.versionId, workspaceId: input.workspaceId } });
  if (!version) return null;
  const parsed = FlowDefinition.safeParse(version.definition);
  return parsed.success ? parsed.data : null;
}
