// One look for the statuses the admin shows.
import { Badge, type BadgeProps } from "@shopify/polaris";

const FLOW_STATUS: Record<string, { label: string; tone?: BadgeProps["tone"]; progress?: BadgeProps["progress"] }> = {
  live: { label: "Live", tone: "success", progress: "complete" },
  paused: { label: "Paused", tone: "attention", progress: "partiallyComplete" },
  draft: { label: "Draft", tone: undefined, progress: "incomplete" },
  archived: { label: "Archived", tone: undefined, progress: undefined },
};

export function FlowStatusBadge({ status }: { status: string }) {
  const look = FLOW_STATUS[status] ?? { label: status };
  return (
    <Badge tone={look.tone} progress={look.progress}>
      {look.label}
    </Badge>
  );
}

const MESSAGE_STATUS: Record<string, { label: string; tone?: BadgeProps["tone"] }> = {
  queued: { label: "Queued", tone: "info" },
  sending: { label: "Sending", tone: "info" },
  sent: { label: "Sent", tone: "success" },
  outbox: { label: "In outbox", tone: "attention" },
  failed: { label: "Failed", tone: "critical" },
  suppressed: { label: "Suppressed", tone: "warning" },
};

export function MessageStatusBadge({ status }: { status: string }) {
  const look = MESSAGE_STATUS[status] ?? { label: status };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
