// Engine load for the scale-out tests and bench/engine: one workspace, one live customer-keyed flow of three steps
// (a condition, then two emails, then done), and N customers already enrolled and due at `now`. Rows are
// written in bulk (createMany) rather than through ingest: what is measured and checked is the engine.
import { randomBytes } from "node:crypto";
import { publishFlow } from "~/core/flows/manage.server";
import type { Db } from "~/db.server";

/** The three steps each enrollment runs, in order (StepRun.nodeId). */
export const LOAD_STEPS = ["check", "email-a", "email-b"] as const;
/** The steps that write a message. */
export const LOAD_EMAILS = ["email-a", "email-b"] as const;

export const LOAD_FLOW = {
  schemaVersion: 1,
  trigger: { type: "event", events: ["order.add"], entity: "customer", conditions: [] },
  goal: null,
  entry: "check",
  rules: { consent: "transactional", kind: "transactional", quietHours: null },
  nodes: [
    { id: "check", type: "condition", match: "all", conditions: [{ path: "customer.email", op: "exists" }], yes: "email-a", no: "email-b" },
    { id: "email-a", type: "email", name: "First", subject: "Hello {{ customer.first_name }}", html: "<p>Hello</p>", text: "Hello", next: "email-b" },
    { id: "email-b", type: "email", name: "Second", subject: "Again", html: "<p>Again</p>", text: "Again", next: null },
  ],
};

export interface EngineLoad {
  workspaceId: string;
  flowId: string;
}

/** Creates the workspace and the live flow; then `enrollDue` adds due enrollments. */
export async function seedEngineFlow(db: Db, input: { now: Date; name?: string }): Promise<EngineLoad> {
  const workspace = await db.workspace.create({ data: { name: input.name ?? "Engine load", fromEmail: "shop@example.com", fromName: "Shop" } });
  const flow = await db.flow.create({ data: { workspaceId: workspace.id, name: "Three steps", status: "draft" } });
  await publishFlow({ db, clock: { now: () => input.now } }, { workspaceId: workspace.id, flowId: flow.id, definition: LOAD_FLOW });
  return { workspaceId: workspace.id, flowId: flow.id };
}

/** Adds `count` customers, each enrolled at the flow's entry and due at `wakeAt` (default: `now`). Returns their ids. */
export async function enrollDue(db: Db, load: EngineLoad, input: { count: number; now: Date; wakeAt?: (index: number) => Date }): Promise<string[]> {
  const flow = await db.flow.findUniqueOrThrow({ where: { id: load.flowId } });
  const tag = randomBytes(4).toString("hex");
  const ids: string[] = [];
  const batch = 1000;
  for (let start = 0; start < input.count; start += batch) {
    const size = Math.min(batch, input.count - start);
    const customers = Array.from({ length: size }, (_, i) => ({
      id: `cus_${tag}_${start + i}`,
      workspaceId: load.workspaceId,
      email: `load-${tag}-${start + i}@example.com`,
      firstName: `Shopper${start + i}`,
      acceptsMarketing: true,
      createdAt: input.now,
    }));
    await db.customer.createMany({ data: customers });
    const enrollments = customers.map((customer, i) => ({
      id: `enr_${tag}_${start + i}`,
      workspaceId: load.workspaceId,
      flowId: load.flowId,
      flowVersionId: flow.liveVersionId ?? "",
      customerId: customer.id,
      entityType: "customer",
      entityId: customer.id,
      currentNodeId: LOAD_FLOW.entry,
      wakeAt: input.wakeAt?.(start + i) ?? input.now,
      enteredAt: input.now,
    }));
    await db.enrollment.createMany({ data: enrollments });
    ids.push(...enrollments.map((enrollment) => enrollment.id));
  }
  return ids;
}

/** What a finished run must show: each enrollment completed, each step once, each email written and sent once. */
export async function loadOutcome(db: Db, load: EngineLoad) {
  const [enrollments, completed, steps, messages, sent] = await Promise.all([
    db.enrollment.count({ where: { flowId: load.flowId } }),
    db.enrollment.count({ where: { flowId: load.flowId, status: "completed" } }),
    db.stepRun.count({ where: { workspaceId: load.workspaceId } }),
    db.message.count({ where: { workspaceId: load.workspaceId } }),
    db.message.count({ where: { workspaceId: load.workspaceId, status: { in: ["sent", "outbox"] } } }),
  ]);
  return { enrollments, completed, steps, messages, sent };
}
