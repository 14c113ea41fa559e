// A flow's history (AuditEntry rows about it), and the winner promotions among them, for the flow page.
import { z } from "zod";
import type { Db, DbTx } from "~/db.server";
import { PROMOTION_ACTION, SYSTEM_ACTOR } from "./promotion";

/** What a promotion's audit entry keeps in `detail` (the figures are there too; these are what the page needs). */
export const PromotionDetail = z.looseObject({
  nodeId: z.string(),
  variant: z.string(),
  fromVersion: z.number().int(),
  version: z.number().int(),
  versionId: z.string(),
});

export interface HistoryEntry {
  id: string;
  at: string;
  /** "system" or who did it. */
  actor: string;
  action: string;
  summary: string;
}

export interface PromotionRecord extends HistoryEntry {
  nodeId: string;
  variant: string;
  /** The version published with the winner sent to everyone. */
  version: number;
  automatic: boolean;
}

/** The flow's audit entries, newest first (at most `take`). */
export async function flowHistory(db: Db | DbTx, input: { workspaceId: string; flowId: string; take?: number }): Promise<HistoryEntry[]> {
  const rows = await db.auditEntry.findMany({
    where: { workspaceId: input.workspaceId, subjectType: "flow", subjectId: input.flowId },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: input.take ?? 50,
    select: { id: true, at: true, actor: true, action: true, summary: true },
  });
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}

/** The flow's winner promotions, newest first. */
export async function promotionsOf(db: Db | DbTx, input: { workspaceId: string; flowId: string }): Promise<PromotionRecord[]> {
  const rows = await db.auditEntry.findMany({
    where: { workspaceId: input.workspaceId, subjectType: "flow", subjectId: input.flowId, action: PROMOTION_ACTION },
    orderBy: [{ at: "desc" }, { id: "desc" }],
  });
  return rows.flatMap((row) => {
    const detail = PromotionDetail.safeParse(row.detail);
    if (!detail.success) return [];
    return [{ id: row.id, at: row.at.toISOString(), actor: row.actor, action: row.action, summary: row.summary, nodeId: detail.data.nodeId, variant: detail.data.variant, version: detail.data.version, automatic: row.actor === SYSTEM_ACTOR }];
  });
}
