// Operator metrics in Prometheus' text format, read from the database at scrape time: the database is the
// source of truth, so every process (web or worker) reports the same figures. Counts only, never merchant data.
import type { Db } from "~/db.server";

interface Metric {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: { labels?: Record<string, string>; value: number }[];
}

function render(metrics: Metric[]): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) {
      const labels = sample.labels
        ? `{${Object.entries(sample.labels).map(([key, value]) => `${key}="${value.replace(/["\\\n]/g, "_")}"`).join(",")}}`
        : "";
      lines.push(`${metric.name}${labels} ${sample.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const seconds = (from: Date | null | undefined, now: Date) => (from ? Math.max(0, (now.getTime() - from.getTime()) / 1000) : 0);

/** Jobs per BullMQ queue and state (waiting, active, delayed), when the scale-out is configured. */
export type QueueCounts = Record<string, Record<string, number>>;

export async function collectMetrics(db: Db, now: Date, queues?: () => Promise<QueueCounts>): Promise<string> {
  const inbox = await db.inboxEvent.groupBy({ by: ["status"], _count: { _all: true } });
  const oldestPending = await db.inboxEvent.findFirst({ where: { status: "pending" }, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } });
  const enrollments = await db.enrollment.groupBy({ by: ["status"], _count: { _all: true } });
  const oldestDue = await db.enrollment.findFirst({ where: { status: "active", wakeAt: { lte: now } }, orderBy: { wakeAt: "asc" }, select: { wakeAt: true } });
  const steps = await db.stepRun.groupBy({ by: ["nodeType"], _count: { _all: true } });
  const messages = await db.message.groupBy({ by: ["status"], _count: { _all: true } });
  const events = await db.event.count();
  const jobs = queues ? await queues().catch(() => null) : null;

  return render([
    { name: "nudgeflow_inbox_events", help: "Inbound deliveries by processing status.", type: "gauge", samples: inbox.map((row) => ({ labels: { status: row.status }, value: row._count._all })) },
    { name: "nudgeflow_inbox_lag_seconds", help: "Age of the oldest delivery waiting to be processed.", type: "gauge", samples: [{ value: seconds(oldestPending?.receivedAt, now) }] },
    { name: "nudgeflow_events_total", help: "Canonical events recorded.", type: "counter", samples: [{ value: events }] },
    { name: "nudgeflow_enrollments", help: "Flow enrollments by status.", type: "gauge", samples: enrollments.map((row) => ({ labels: { status: row.status }, value: row._count._all })) },
    { name: "nudgeflow_step_lag_seconds", help: "How late the most overdue flow step is.", type: "gauge", samples: [{ value: seconds(oldestDue?.wakeAt, now) }] },
    { name: "nudgeflow_steps_total", help: "Flow steps run, by node type.", type: "counter", samples: steps.map((row) => ({ labels: { node_type: row.nodeType }, value: row._count._all })) },
    { name: "nudgeflow_messages", help: "Emails by status (sent, outbox, queued, failed, …).", type: "gauge", samples: messages.map((row) => ({ labels: { status: row.status }, value: row._count._all })) },
    ...(jobs
      ? [{
          name: "nudgeflow_queue_jobs",
          help: "BullMQ wake-up jobs by queue and state (REDIS_URL set); waiting is the queue's backlog.",
          type: "gauge" as const,
          samples: Object.entries(jobs).flatMap(([queue, states]) => Object.entries(states).map(([state, value]) => ({ labels: { queue, state }, value }))),
        }]
      : []),
  ]);
}
