// The engine decides; executors act. `nextStep` is pure: given a definition, where an enrollment stands and
// the facts about it now, it says what to do. No database, no clock, no I/O.
import { assertUnreachable } from "~/core/assert";
import { durationMs, findNode, type EmailNode, type FlowDefinition } from "./definition";

export interface EnrollmentState {
  currentNodeId: string | null;
  enteredAt: Date;
  lastStepAt: Date | null;
}

export interface EnrollmentFacts {
  /** Set when the goal has been reached: the label says what happened. */
  goalReached: string | null;
  /** The last activity of the trigger entity (a checkout's last update), when it has one. */
  entityActivityAt: Date | null;
}

export type Decision =
  | { kind: "exit"; reason: string }
  | { kind: "complete" }
  | { kind: "wait"; until: Date }
  | { kind: "pass-delay"; nodeId: string; next: string | null }
  | { kind: "send-email"; node: EmailNode; next: string | null };

export function nextStep(definition: FlowDefinition, state: EnrollmentState, facts: EnrollmentFacts, now: Date): Decision {
  if (facts.goalReached) return { kind: "exit", reason: `goal: ${facts.goalReached}` };
  if (state.currentNodeId === null) return { kind: "complete" };
  const node = findNode(definition, state.currentNodeId);
  if (!node) return { kind: "exit", reason: `node "${state.currentNodeId}" is not in this flow version` };
  switch (node.type) {
    case "delay": {
      const from =
        node.anchor === "trigger_activity"
          ? (facts.entityActivityAt ?? state.enteredAt)
          : (state.lastStepAt ?? state.enteredAt);
      const due = new Date(from.getTime() + durationMs(node.duration));
      return due > now ? { kind: "wait", until: due } : { kind: "pass-delay", nodeId: node.id, next: node.next };
    }
    case "email":
      return { kind: "send-email", node, next: node.next };
    case "exit":
      return { kind: "exit", reason: "reached an exit node" };
    default:
      return assertUnreachable(node);
  }
}
