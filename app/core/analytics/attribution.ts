// Last-touch attribution, pure: given an order and the clicks and opens on the messages its customer received,
// which touch (if any) earns the order, and a verdict for every touch so the choice can be explained.
//
// A touch counts when it happened no later than the order and no earlier than `windowDays` before it, and it is a
// click, or (with `includeOpens`) an open made by a person. Of the touches that count, the latest wins; on a tie a
// click beats an open, then the smaller message id (so the answer never depends on row order). A cancelled order
// is attributed to nothing.
//
// Discount codes come first (ADR 0015 addendum): an order that used a code a flow's journey created for the same
// customer (case-insensitively, as Shopify compares codes) belongs to that journey whatever the window or clicks,
// credited to the journey's latest message sent before the order, so per-node and per-variant KPIs still add up.

const DAY_MS = 86_400_000;

export interface Touch {
  messageId: string;
  type: "click" | "open";
  occurredAt: Date;
  machineOpen: boolean;
}

export type TouchVerdict =
  | "won"
  | "superseded" // counted, but a later touch won
  | "after-order"
  | "outside-window"
  | "machine-open"
  | "opens-not-counted"
  | "order-cancelled"
  | "discount-code"; // counted, but the order used a flow's discount code, which comes first

export interface AttributionRules {
  windowDays: number;
  includeOpens: boolean;
}

export interface AttributionDecision<T extends Touch> {
  winner: T | null;
  verdicts: { touch: T; verdict: TouchVerdict }[];
}

function verdictOf(touch: Touch, placedAt: Date, rules: AttributionRules): TouchVerdict | "eligible" {
  if (touch.type === "open" && touch.machineOpen) return "machine-open";
  if (touch.type === "open" && !rules.includeOpens) return "opens-not-counted";
  if (touch.occurredAt.getTime() > placedAt.getTime()) return "after-order";
  if (touch.occurredAt.getTime() < placedAt.getTime() - rules.windowDays * DAY_MS) return "outside-window";
  return "eligible";
}

/** True when `a` is a later (better) last touch than `b`. */
function laterTouch(a: Touch, b: Touch): boolean {
  const byTime = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (byTime !== 0) return byTime > 0;
  if (a.type !== b.type) return a.type === "click";
  return a.messageId < b.messageId;
}

export function attributeOrder<T extends Touch>(
  order: { placedAt: Date; cancelledAt?: Date | null },
  touches: readonly T[],
  rules: AttributionRules,
): AttributionDecision<T> {
  if (order.cancelledAt) {
    return { winner: null, verdicts: touches.map((touch) => ({ touch, verdict: touch.type === "open" && touch.machineOpen ? "machine-open" : "order-cancelled" })) };
  }
  const judged = touches.map((touch) => ({ touch, verdict: verdictOf(touch, order.placedAt, rules) }));
  let winner: T | null = null;
  for (const { touch, verdict } of judged) {
    if (verdict === "eligible" && (winner === null || laterTouch(touch, winner))) winner = touch;
  }
  return {
    winner,
    verdicts: judged.map(({ touch, verdict }) => ({ touch, verdict: verdict === "eligible" ? (touch === winner ? "won" : "superseded") : verdict })),
  };
}

/** A message of a journey, as a code's credit goes to it. */
export interface JourneyMessage {
  messageId: string;
  sentAt: Date;
}

/** A discount code a flow's journey created (a discount_code step), with that journey's sent messages. */
export interface CodeGrant<M extends JourneyMessage = JourneyMessage> {
  code: string;
  workspaceId: string;
  customerId: string;
  flowId: string;
  createdAt: Date;
  messages: readonly M[];
}

export interface CodeCredit<G extends CodeGrant> {
  grant: G;
  /** The code as the order spelled it. */
  code: string;
  message: G["messages"][number];
}

export const sameCode = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

/**
 * The journey whose discount code this order used, credited to its latest message sent no later than the order;
 * null when none applies. A code counts only in the order's workspace, for the customer it was made for, and once
 * it existed; a journey that sent nothing before the order earns nothing by its code. Of several, the latest
 * message wins (then the smaller id).
 */
export function codeCreditFor<G extends CodeGrant>(
  order: { workspaceId: string; customerId: string | null; placedAt: Date; cancelledAt?: Date | null; discountCodes: readonly string[] },
  grants: readonly G[],
): CodeCredit<G> | null {
  if (order.cancelledAt || !order.customerId || order.discountCodes.length === 0) return null;
  let best: CodeCredit<G> | null = null;
  for (const grant of grants) {
    if (grant.workspaceId !== order.workspaceId || grant.customerId !== order.customerId) continue;
    if (grant.createdAt.getTime() > order.placedAt.getTime()) continue;
    const code = order.discountCodes.find((used) => sameCode(used, grant.code));
    if (code === undefined) continue;
    for (const message of grant.messages) {
      if (message.sentAt.getTime() > order.placedAt.getTime()) continue;
      const later = best === null || message.sentAt.getTime() > best.message.sentAt.getTime() || (message.sentAt.getTime() === best.message.sentAt.getTime() && message.messageId < best.message.messageId);
      if (later) best = { grant, code, message };
    }
  }
  return best;
}

/**
 * The whole rule: a flow's discount code first, else the last touch. When a code wins, no touch does, and the
 * touches that would have counted say so.
 */
export function attributeOrderWithCodes<T extends Touch, G extends CodeGrant>(
  order: { workspaceId: string; customerId: string | null; placedAt: Date; cancelledAt?: Date | null; discountCodes: readonly string[] },
  touches: readonly T[],
  grants: readonly G[],
  rules: AttributionRules,
): AttributionDecision<T> & { code: CodeCredit<G> | null } {
  const decision = attributeOrder(order, touches, rules);
  const code = codeCreditFor(order, grants);
  if (!code) return { ...decision, code: null };
  return {
    winner: null,
    code,
    verdicts: decision.verdicts.map(({ touch, verdict }) => ({ touch, verdict: verdict === "won" || verdict === "superseded" ? "discount-code" : verdict })),
  };
}

/** Whole days and hours between two instants, for explanations ("6 d 1 h"). */
export function describeGap(earlier: Date, later: Date): string {
  const hours = Math.floor(Math.abs(later.getTime() - earlier.getTime()) / 3_600_000);
  const days = Math.floor(hours / 24);
  return days > 0 ? `${days} d ${hours % 24} h` : `${hours} h`;
}
