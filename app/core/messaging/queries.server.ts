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

/** One message with its rendered content and what happened to it since, for the outbox preview. */
export async function getMessage(db: Db, input: { workspaceId: string; messageId: string }) {
  const message = await db.message.findFirst({
    where: { id: input.messageId, workspaceId: input.workspaceId },
    select: { id: true, toEmail: true, fromEmail: true, fromName: true, subject: true, html: true, text: true, status: true, error: true, createdAt: true, sentAt: true },
  });
  return message ? { ...message, events: await listMessageEvents(db, input) } : null;
}

export interface MessageEventSummary {
  id: string;
  type: string;
  occurredAt: string;
  url: string | null;
  reason: string | null;
  machineOpen: boolean;
}

/** What happened to a message after it left (provider events, unsubscribes), oldest first. */
export async function listMessageEvents(db: Db, input: { workspaceId: string; messageId: string }): Promise<MessageEventSummary[]> {
  const events = await db.messageEvent.findMany({
    where: { workspaceId: input.workspaceId, messageId: input.messageId },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }],
    take: 200,
    select: { id: true, type: true, occurredAt: true, url: true, reason: true, machineOpen: true },
  });
  return events.map((event) => ({ ...event, occurredAt: event.occurredAt.toISOString() }));
}
