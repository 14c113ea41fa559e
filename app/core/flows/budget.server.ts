// The cross-flow message budget: at most N marketing emails per customer per window of H hours, across every
// flow of the workspace (Workspace.settings.messageBudget). An email step over budget waits until the window has
// room (or its flow's budgetExpiryHours pass, then it is skipped); it is never dropped silently.
import { z } from "zod";
import type { Db, DbTx } from "~/db.server";
import { budgetRoomAt, describeBudget, type BudgetFacts, type MessageBudget } from "./engine";

export const MessageBudgetSetting = z.object({
  maxMessages: z.number().int().min(1).max(1000),
  windowHours: z.number().int().min(1).max(24 * 90),
});

/** The workspace settings this module reads; other keys are kept as they are. */
const BudgetSettings = z.object({ messageBudget: MessageBudgetSetting.nullable().optional() });

/** Messages that never went out do not use the budget. */
const NOT_SENT = ["suppressed", "cancelled", "failed"];

function settingsObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

export async function readMessageBudget(db: Db | DbTx, input: { workspaceId: string }): Promise<MessageBudget | null> {
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true } });
  const parsed = BudgetSettings.safeParse(settingsObject(workspace?.settings));
  return parsed.success ? (parsed.data.messageBudget ?? null) : null;
}

export class BudgetSettingError extends Error {}

/** Sets (or, with null, removes) the workspace's message budget. Returns the budget now in force. */
export async function setMessageBudget(db: Db, input: { workspaceId: string; budget: MessageBudget | null }): Promise<MessageBudget | null> {
  const budget = input.budget === null ? null : MessageBudgetSetting.safeParse(input.budget);
  if (budget && !budget.success) throw new BudgetSettingError(budget.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { settings: true } });
  if (!workspace) throw new BudgetSettingError(`workspace "${input.workspaceId}" not found`);
  const value = budget ? budget.data : null;
  await db.workspace.update({ where: { id: input.workspaceId }, data: { settings: { ...settingsObject(workspace.settings), messageBudget: value } } });
  return value;
}

/** Where the customer stands against the budget now: null when the workspace has none. */
export async function budgetFacts(db: Db | DbTx, input: { workspaceId: string; customerId: string; now: Date }): Promise<BudgetFacts | null> {
  const budget = await readMessageBudget(db, input);
  if (!budget) return null;
  const messages = await db.message.findMany({
    where: {
      workspaceId: input.workspaceId,
      customerId: input.customerId,
      kind: "marketing",
      status: { notIn: NOT_SENT },
      createdAt: { gt: new Date(input.now.getTime() - budget.windowHours * 3_600_000), lte: input.now },
    },
    select: { createdAt: true },
  });
  return { rule: describeBudget(budget), roomAt: budgetRoomAt(budget, messages.map((message) => message.createdAt), input.now) };
}
