// `nudgeflow trace …` (a timeline of every flow decision about a customer or one enrollment) and
// `nudgeflow settings budget …` (the workspace's cross-flow message budget). Wiring only.
import { parseArgs } from "node:util";
import { BudgetSettingError, readMessageBudget, setMessageBudget } from "~/core/flows/budget.server";
import { listTrace } from "~/core/flows/trace.server";
import { isUsageError, UsageError, withDb } from "./cli";

export const TRACE_USAGE = `Usage: nudgeflow trace --workspace ID (--customer EMAIL | --enrollment ID)

  Every flow decision, oldest first: triggers matched or not (and the condition that failed), entries, branches
  and variants, deferrals and why, skipped emails and why, emails queued (message id), goal exits, completions —
  in the same words as the Journeys card of the customer's page in the admin.`;

export const SETTINGS_USAGE = `Usage: nudgeflow settings budget --workspace ID (--max N --window-hours H | --off)

  The cross-flow message budget: at most N marketing emails per customer in any H hours. An email over budget
  waits until the window has room (higher-priority flows first); --off removes the budget. Without --max/--off,
  prints the budget in force.`;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`--${name} is a positive whole number`);
  return number;
}

function pad(text: string, width: number) {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

export async function runTraceCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  try {
    const { values } = parseArgs({ args, options: { workspace: { type: "string" }, customer: { type: "string" }, enrollment: { type: "string" } }, strict: true });
    if (!values.workspace) throw new UsageError("--workspace is required");
    if (!values.customer === !values.enrollment) throw new UsageError("give --customer EMAIL or --enrollment ID");
    const workspaceId = values.workspace;
    const entries = await withDb(options.databaseUrl, (db) => listTrace(db, { workspaceId, email: values.customer, enrollmentId: values.enrollment }));
    if (entries.length === 0) {
      console.log("Nothing traced.");
      return 0;
    }
    let enrollment: string | null | undefined;
    for (const entry of entries) {
      if (entry.enrollmentId !== enrollment && entry.enrollmentId) console.log(`\n${entry.flowName} · enrollment ${entry.enrollmentId}`);
      if (!entry.enrollmentId) console.log(`\n${entry.flowName}`);
      enrollment = entry.enrollmentId;
      console.log(`  ${entry.at.toISOString()}  ${pad(entry.kind, 16)} ${entry.text}`);
    }
    return 0;
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`${error.message}\n\n${TRACE_USAGE}`);
      return 2;
    }
    throw error;
  }
}

export async function runSettingsCommand(args: string[], options: { databaseUrl: string }): Promise<number> {
  const [subcommand, ...rest] = args;
  try {
    if (subcommand !== "budget") throw new UsageError(subcommand ? `unknown subcommand "settings ${subcommand}"` : "which setting?");
    const { values } = parseArgs({
      args: rest,
      options: { workspace: { type: "string" }, max: { type: "string" }, "window-hours": { type: "string" }, off: { type: "boolean", default: false } },
      strict: true,
    });
    if (!values.workspace) throw new UsageError("--workspace is required");
    const workspaceId = values.workspace;
    const max = positiveInt(values.max, "max");
    const windowHours = positiveInt(values["window-hours"], "window-hours");
    if (values.off && (max !== undefined || windowHours !== undefined)) throw new UsageError("--off takes no --max or --window-hours");
    if ((max === undefined) !== (windowHours === undefined)) throw new UsageError("give both --max and --window-hours");
    const budget = await withDb(options.databaseUrl, async (db) => {
      if (values.off) return setMessageBudget(db, { workspaceId, budget: null });
      if (max !== undefined && windowHours !== undefined) return setMessageBudget(db, { workspaceId, budget: { maxMessages: max, windowHours } });
      return readMessageBudget(db, { workspaceId });
    });
    console.log(budget ? `Message budget: at most ${budget.maxMessages} marketing email${budget.maxMessages === 1 ? "" : "s"} per customer in any ${budget.windowHours} h.` : "No message budget.");
    return 0;
  } catch (error) {
    if (error instanceof BudgetSettingError) {
      console.error(error.message);
      return 1;
    }
    if (isUsageError(error)) {
      console.error(`${error.message}\n\n${SETTINGS_USAGE}`);
      return 2;
    }
    throw error;
  }
}
