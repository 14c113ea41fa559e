import type { Db } from "~/db.server";

export interface MessageSummary {
  id: string;
  toEmail: string;
  subject: string;
  status: string;
  provider: string | null;
  flowName: string | null;
  nodeId: string | null;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Messages of a workspace, newest first: the outbox when no email provider is configured. */
export async function listMessages(db: Db, input: { workspaceId: string; limit?: number }): Promise<MessageSummary[]> {
  const messages = await db.message.findMany({
    where: { workspaceId: input.workspaceId },
    orderBy: { createdAt: "desc" },
    take: input.limit ?? 100,
  });
  const flows = await db.flow.findMany({
    where: { workspaceId: input.workspaceId, id: { in: messages.flatMap((message) => (message.flowId ? [message.flowId] : [])) } },
    select: { id: true, name: true },
  });
  return messages.map((message) => ({
    id: message.id,
    toEmail: message.toEmail,
    subject: message.subject,
    status: message.status,
    provider: message.provider,
    flowName: flows.find((flow) => flow.id === message.flowId)?.name ?? null,
    nodeId: message.nodeId,
    error: message.error,
    createdAt: message.createdAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
  }));
}
