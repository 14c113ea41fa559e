// The engine decides; executors act. `nextStep` is pure: given a definition, where an enrollment stands and
// the facts about it now, it says what to do. No database, no clock, no I/O.
import { assertUnreachable } from "~/core/assert";
import { conditionHolds, conditionsMatch } from "./conditions";
import { durationMs, findNode, type AbVariant, type ActionNode, type Condition, type EmailNode, type FlowDefinition, type Holdout, type Reentry, type Trigger } from "./definition";
import { sha256Hex } from "./hash";
import { nextLocalTime, windowEnd } from "./zoned-time";

export interface EnrollmentState {
  flowId: string;
  customerId: string;
  currentNodeId: string | null;
  enteredAt: Date;
  lastStepAt: Date | null;
  /** Why the current step has been waiting beyond its own time (quiet hours, message budget), while it does. */
  deferredReason?: string | null;
  /** In the flow's control group (decided at enrollment, `inHoldout`): goes through the flow, is sent nothing. */
  holdout?: boolean;
}

/** The workspace's cross-flow message budget as it stands for this customer now (marketing flows only). */
export interface BudgetFacts {
  /** "1 per 16 h": how the rule reads in the trace. */
  rule: string;
  /** When the window next has room for one more marketing email; null when it has room now. */
  roomAt: Date | null;
}

export interface EnrollmentFacts {
  /** Set when the goal has been reached: the label says what happened. */
  goalReached: string | null;
  /** The last activity of the trigger entity (a checkout's last update), when it has one. */
  entityActivityAt: Date | null;
  /** The store's IANA time zone: wait-until nodes and quiet hours count in it unless they name their own. */
  timeZone: string;
  /** Whether the customer has accepted marketing email. */
  acceptsMarketing: boolean;
  /**
   * Why the recipient may get no email of this flow's kind, as the step's trace says it (`unsubscribed (unsubscribe
   * link, 2026-11-25)`); null or absent when nothing stops it. Read only for email steps.
   */
  suppressed?: string | null;
  /** The message budget, when the workspace sets one (read only for email steps of marketing flows). */
  budget?: BudgetFacts | null;
  /**
   * What condition and split nodes read: `customer` (profile and metrics: ordersCount, totalSpent in minor
   * units, lastOrderAt, acceptsMarketing …), `checkout`, `event` (the trigger event: type, occurredAt, data) and
   * `enrollment` (enteredAt, placedOrderSinceEntering).
   */
  context: Record<string, unknown>;
}

/** What a branching node chose, as recorded in the step's trace. */
export type BranchTaken =
  | { branch: string }
  | { variant: string; bucket: number };

export type Decision =
  | { kind: "exit"; reason: string }
  | { kind: "complete" }
  | { kind: "wait"; until: Date; reason?: string }
  | { kind: "pass-delay"; nodeId: string; next: string | null }
  | { kind: "branch"; nodeId: string; nodeType: "condition" | "split" | "ab_split"; next: string | null; taken: BranchTaken }
  /** `suppressed`: the suppression list stopped it; the runner still writes the message, as suppressed, for the outbox and the KPIs. */
  | { kind: "skip-email"; node: EmailNode; next: string | null; reason: string; suppressed?: true }
  /** An action node not done, for `reason` (a holdout enrollment gets no discount code). */
  | { kind: "skip-action"; node: ActionNode; next: string | null; reason: string }
  | { kind: "send-email"; node: EmailNode; next: string | null; deferred?: string }
  /** A node that acts on the store or the outside world (discount code, tag, webhook): the runner does it. */
  | { kind: "act"; node: ActionNode; next: string | null };

/** Buckets per assignment: variants get shares of 0…9999 in proportion to their weights. */
export const AB_BUCKETS = 10_000;

/** The customer's bucket for one A/B node of one flow: always the same for the same three ids. */
export function abBucket(input: { customerId: string; flowId: string; nodeId: string }): number {
  const digest = sha256Hex(`${input.flowId}\u0000${input.nodeId}\u0000${input.customerId}`);
  return Number.parseInt(digest.slice(0, 8), 16) % AB_BUCKETS;
}

/** The variant whose share of the buckets holds `bucket`. Weights are relative; zero-weight variants get nobody. */
export function variantForBucket(variants: AbVariant[], bucket: number): AbVariant {
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = (bucket / AB_BUCKETS) * total;
  let upTo = 0;
  for (const variant of variants) {
    upTo += variant.weight;
    if (variant.weight > 0 && point < upTo) return variant;
  }
  // Only reachable through rounding at the very top: the last variant with a weight.
  return [...variants].reverse().find((variant) => variant.weight > 0) ?? variants[variants.length - 1];
}

/** What a holdout enrollment's email and discount-code steps record instead of sending. */
export const HOLDOUT_REASON = "holdout: not sent";

/** The customer's holdout bucket in one flow (0…9999), independent of every A/B node's bucket. */
export function holdoutBucket(input: { customerId: string; flowId: string }): number {
  const digest = sha256Hex(`holdout\u0000${input.flowId}\u0000${input.customerId}`);
  return Number.parseInt(digest.slice(0, 8), 16) % AB_BUCKETS;
}

/**
 * Whether a customer entering the flow goes to its control group: the lowest `percent` % of buckets do, so the
 * same customer is always in the same group of a flow, and raising the percentage only moves customers from
 * treatment to control (never back).
 */
export function inHoldout(holdout: Holdout | undefined, input: { customerId: string; flowId: string }): boolean {
  if (!holdout || holdout.percent <= 0) return false;
  return holdoutBucket(input) < Math.round((holdout.percent / 100) * AB_BUCKETS);
}

function describeWindow(window: { start: string; end: string }, zone: string): string {
  return `quiet hours ${window.start}-${window.end} ${zone}`;
}

export function nextStep(definition: FlowDefinition, state: EnrollmentState, facts: EnrollmentFacts, now: Date): Decision {
  if (facts.goalReached) return { kind: "exit", reason: `goal: ${facts.goalReached}` };
  if (state.currentNodeId === null) return { kind: "complete" };
  const node = findNode(definition, state.currentNodeId);
  if (!node) return { kind: "exit", reason: `node "${state.currentNodeId}" is not in this flow version` };
  /** When the enrollment arrived at this node. */
  const arrivedAt = state.lastStepAt ?? state.enteredAt;
  switch (node.type) {
    case "delay": {
      const from = node.anchor === "trigger_activity" ? (facts.entityActivityAt ?? state.enteredAt) : arrivedAt;
      const due = new Date(from.getTime() + durationMs(node.duration));
      return due > now ? { kind: "wait", until: due } : { kind: "pass-delay", nodeId: node.id, next: node.next };
    }
    case "wait_until": {
      const due = nextLocalTime(arrivedAt, node.time, node.weekdays, node.timeZone ?? facts.timeZone);
      return due > now ? { kind: "wait", until: due } : { kind: "pass-delay", nodeId: node.id, next: node.next };
    }
    case "condition": {
      const yes = conditionsMatch(node.match, node.conditions, facts.context);
      return { kind: "branch", nodeId: node.id, nodeType: "condition", next: yes ? node.yes : node.no, taken: { branch: yes ? "yes" : "no" } };
    }
    case "split": {
      const branch = node.branches.find((candidate) => conditionsMatch(candidate.match, candidate.conditions, facts.context));
      return branch
        ? { kind: "branch", nodeId: node.id, nodeType: "split", next: branch.next, taken: { branch: branch.id } }
        : { kind: "branch", nodeId: node.id, nodeType: "split", next: node.else, taken: { branch: "else" } };
    }
    case "ab_split": {
      const bucket = abBucket({ customerId: state.customerId, flowId: state.flowId, nodeId: node.id });
      const variant = variantForBucket(node.variants, bucket);
      return { kind: "branch", nodeId: node.id, nodeType: "ab_split", next: variant.next, taken: { variant: variant.id, bucket } };
    }
    case "email": {
      // Nothing to send, so nothing waits for quiet hours or the budget: the step is recorded and the path goes on.
      if (state.holdout) return { kind: "skip-email", node, next: node.next, reason: HOLDOUT_REASON };
      // The recipient is on the suppression list for this kind of email: skipped here, with the entry as the reason.
      if (facts.suppressed) return { kind: "skip-email", node, next: node.next, reason: facts.suppressed, suppressed: true };
      if (definition.rules.consent === "marketing" && !facts.acceptsMarketing) {
        return { kind: "skip-email", node, next: node.next, reason: "no marketing consent" };
      }
      const quiet = definition.rules.quietHours;
      let deferred: string | undefined;
      if (quiet) {
        const zone = quiet.timeZone ?? facts.timeZone;
        const reason = describeWindow(quiet, zone);
        const end = windowEnd(now, quiet, zone);
        if (end) return { kind: "wait", until: end, reason };
        // Arrived inside the window and waited for its end: the send records that it was deferred.
        if (windowEnd(arrivedAt, quiet, zone) && arrivedAt < now) deferred = reason;
      }
      // The cross-flow budget binds marketing messages only; transactional ones neither wait for it nor count.
      const budget = definition.rules.kind === "transactional" ? null : facts.budget;
      if (budget?.roomAt && budget.roomAt > now) {
        const reason = `message budget ${budget.rule}`;
        const expiryHours = definition.rules.budgetExpiryHours;
        const expiresAt = expiryHours === undefined ? null : new Date(arrivedAt.getTime() + expiryHours * 3_600_000);
        if (expiresAt && expiresAt <= now) return { kind: "skip-email", node, next: node.next, reason: `${reason}: still no room after ${expiryHours} h` };
        return { kind: "wait", until: expiresAt && expiresAt < budget.roomAt ? expiresAt : budget.roomAt, reason };
      }
      deferred ??= state.deferredReason ?? undefined;
      return deferred ? { kind: "send-email", node, next: node.next, deferred } : { kind: "send-email", node, next: node.next };
    }
    case "discount_code":
      // A code is an offer sent to one recipient: the control group gets none.
      return state.holdout ? { kind: "skip-action", node, next: node.next, reason: HOLDOUT_REASON } : { kind: "act", node, next: node.next };
    case "tag_customer":
    case "webhook":
      return { kind: "act", node, next: node.next };
    case "exit":
      return { kind: "exit", reason: "reached an exit node" };
    default:
      return assertUnreachable(node);
  }
}

/** How a condition reads in a trace: `checkout.email exists`, `customer.ordersCount gte 3`. */
export function describeCondition(condition: Condition): string {
  return condition.value === undefined ? `${condition.path} ${condition.op}` : `${condition.path} ${condition.op} ${JSON.stringify(condition.value)}`;
}

export type TriggerMatch = { matched: true } | { matched: false; failed: string };

/** Whether an event's context meets a trigger's conditions; when not, the first condition that fails. */
export function matchTrigger(trigger: Pick<Trigger, "conditions">, context: unknown): TriggerMatch {
  const failed = trigger.conditions.find((condition) => !conditionHolds(condition, context));
  return failed ? { matched: false, failed: describeCondition(failed) } : { matched: true };
}

/** The latest journey of the same entity in the same flow, as re-entry sees it. */
export interface PreviousEntry {
  entryNumber: number;
  status: string;
  endedAt: Date | null;
}

export type EntryDecision = { enter: true; entryNumber: number } | { enter: false; reason: string };

/** Whether a trigger for an entity starts a journey: the first one always; later ones as the re-entry rule says. */
export function entryDecision(reentry: Reentry | undefined, previous: PreviousEntry | null, now: Date): EntryDecision {
  if (!previous) return { enter: true, entryNumber: 1 };
  if (previous.status === "active" || !previous.endedAt) return { enter: false, reason: `already in this flow (entry ${previous.entryNumber}, ${previous.status})` };
  if (!reentry || reentry.mode === "never") return { enter: false, reason: `re-entry is off: entry ${previous.entryNumber} ended ${previous.endedAt.toISOString()}` };
  const allowedAt = new Date(previous.endedAt.getTime() + reentry.days * 86_400_000);
  if (allowedAt > now) return { enter: false, reason: `re-entry after ${reentry.days} days: entry ${previous.entryNumber} ended ${previous.endedAt.toISOString()}, not before ${allowedAt.toISOString()}` };
  return { enter: true, entryNumber: previous.entryNumber + 1 };
}

/** A workspace's cross-flow message budget: at most `maxMessages` marketing emails per customer per `windowHours`. */
export interface MessageBudget {
  maxMessages: number;
  windowHours: number;
}

export function describeBudget(budget: MessageBudget): string {
  return `${budget.maxMessages} per ${budget.windowHours} h`;
}

/**
 * When the budget's sliding window (the last `windowHours`, start excluded) next has room for one more message,
 * given when the customer's marketing messages were written; null when it has room now.
 */
export function budgetRoomAt(budget: MessageBudget, writtenAt: Date[], now: Date): Date | null {
  const windowMs = budget.windowHours * 3_600_000;
  const inWindow = writtenAt.filter((at) => at.getTime() > now.getTime() - windowMs).sort((a, b) => a.getTime() - b.getTime());
  if (inWindow.length < budget.maxMessages) return null;
  // Room comes when enough of the oldest have left the window for one more to fit.
  return new Date(inWindow[inWindow.length - budget.maxMessages].getTime() + windowMs);
}
