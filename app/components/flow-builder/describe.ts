// One-line words for the canvas: a node's title and summary, the trigger's, as a merchant reads them.
import type { FlowNode } from "~/core/flows/definition";
import { NODE_TYPE_LABELS, type Draft } from "./graph";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function durationText(duration: { days?: number; hours?: number; minutes?: number } | undefined): string {
  const parts = [
    duration?.days ? plural(duration.days, "day") : "",
    duration?.hours ? plural(duration.hours, "hour") : "",
    duration?.minutes ? plural(duration.minutes, "minute") : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" ") : "no time";
}

/** Liquid without its tags, and `{{ customer.first_name }}` as `{first_name}`: what a subject line says. */
export function plainLiquid(text: string): string {
  return text
    .replace(/\{%-?[\s\S]*?-?%\}/g, "")
    .replace(/\{\{-?\s*([\w.]+)[^}]*-?\}\}/g, (_, path: string) => `{${path.split(".").pop()}}`)
    .replace(/\s+/g, " ")
    .trim();
}

const OPS: Record<string, string> = { exists: "exists", not_exists: "is missing", eq: "=", neq: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤" };

function conditionText(conditions: { path: string; op: string; value?: unknown }[] | undefined, match: string | undefined): string {
  if (!conditions?.length) return "No conditions yet";
  const parts = conditions.map((c) => (c.op === "exists" || c.op === "not_exists" ? `${c.path} ${OPS[c.op]}` : `${c.path} ${OPS[c.op] ?? c.op} ${JSON.stringify(c.value ?? "")}`));
  return `If ${parts.join(match === "any" ? " or " : " and ")}`;
}

const WEEKDAY_NAMES: Record<string, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

export function nodeTitle(node: FlowNode): string {
  if (node.type === "email") return node.name?.trim() || "Email";
  if (node.type === "delay") return `Wait ${durationText(node.duration)}`;
  return NODE_TYPE_LABELS[node.type] ?? node.type;
}

export function nodeSummary(node: FlowNode): string {
  switch (node.type) {
    case "delay":
      return node.anchor === "trigger_activity" ? `Wait ${durationText(node.duration)} after last checkout activity` : `Wait ${durationText(node.duration)} after the previous step`;
    case "wait_until": {
      const days = node.weekdays ?? [];
      const when = days.length === 7 ? "every day" : days.length === 5 && !days.includes("sat") && !days.includes("sun") ? "on weekdays" : `on ${days.map((d) => WEEKDAY_NAMES[d] ?? d).join(", ")}`;
      return `Until ${node.time} ${when}${node.timeZone ? ` (${node.timeZone})` : ""}`;
    }
    case "email":
      return node.subject ? `Subject: ${plainLiquid(node.subject)}` : "No subject yet";
    case "condition":
      return conditionText(node.conditions, node.match);
    case "split":
    {
      const count = node.branches?.length ?? 0;
      return `${count} ${count === 1 ? "branch" : "branches"} and else`;
    }
    case "ab_split":
      return `${plural(node.variants?.length ?? 0, "variant")}: ${(node.variants ?? []).map((v) => v.id).join(", ")}`;
    case "discount_code":
      return `${node.kind === "percent" ? `${node.value}%` : `${(node.value / 100).toFixed(2)}`} off, code ${node.prefix}-…, single use, ${durationText(node.expiresAfter)}`;
    case "tag_customer":
      return `${node.action === "remove" ? "Remove" : "Add"} ${(node.tags ?? []).join(", ") || "no tags yet"}`;
    case "webhook":
      return `POST to ${node.url || "no URL yet"}`;
    case "exit":
      return "Customers leave the flow here";
    default:
      return "";
  }
}

/** The workspace's segments by id, for naming a segment trigger's segment. */
export type SegmentNames = ReadonlyMap<string, string>;

function segmentName(segmentId: string | undefined, segments: SegmentNames): string {
  if (!segmentId) return "a segment";
  return segments.get(segmentId) ?? "a segment that no longer exists";
}

/** The trigger's title on the canvas: "checkout.create or checkout.update", "Enters VIPs", "Leaves At-risk". */
export function triggerTitle(draft: Draft, segments: SegmentNames = new Map()): string {
  const trigger = draft.trigger;
  if (trigger?.type === "segment") return `${trigger.on === "exited" ? "Leaves" : "Enters"} ${segmentName(trigger.segmentId, segments)}`;
  if (trigger?.type === "inactivity") return `${plural(trigger.days ?? 0, "day")} without an order`;
  return (trigger?.events ?? []).join(" or ") || "No events yet";
}

/** What one enrollment is about, in words. */
export function triggerEntityText(draft: Draft): string {
  return draft.trigger?.type === "segment" || draft.trigger?.type === "inactivity" ? "customer" : (draft.trigger?.entity ?? "checkout");
}

export function triggerSummary(draft: Draft, segments: SegmentNames = new Map()): string {
  const goal = draft.goal ? ` · exits when ${draft.goal.label || "the goal is reached"}` : "";
  if (draft.trigger?.type === "segment") return `A customer ${draft.trigger.on === "exited" ? "leaves" : "enters"} ${segmentName(draft.trigger.segmentId, segments)}${goal}`;
  if (draft.trigger?.type === "inactivity") return `${plural(draft.trigger.days ?? 0, "day")} since the customer's last order (each order restarts it)${goal}`;
  const events = draft.trigger?.events ?? [];
  return `${events.length ? events.join(" or ") : "No events"}${goal}`;
}

/** The trigger card's second line: how it ends, else what one enrollment is about. */
export function triggerCardSummary(draft: Draft): string {
  return draft.goal ? `Exits when ${draft.goal.label || "the goal is reached"}` : `One enrollment per ${triggerEntityText(draft)}`;
}

/** The eyebrow on a node card ("Email step"); the accessible name starts with the same words. */
export function nodeKindLabel(kind: string): string {
  return kind === "trigger" ? "Trigger" : `${NODE_TYPE_LABELS[kind as keyof typeof NODE_TYPE_LABELS] ?? kind} step`;
}

/**
 * What a screen reader says for a node: the card's visible words in order (kind, title, summary), then its
 * problems. Same words as on screen, so speech-input users can name it (WCAG 2.5.3, axe label-content-name-mismatch).
 */
export function nodeAriaLabel(node: FlowNode | null, draft: Draft, problems: number, segments: SegmentNames = new Map()): string {
  const base = node ? `${nodeKindLabel(node.type)}: ${nodeTitle(node)}. ${nodeSummary(node)}` : `Trigger: ${triggerTitle(draft, segments)}. ${triggerCardSummary(draft)}`;
  return problems ? `${base}. ${plural(problems, "problem")}` : base;
}
