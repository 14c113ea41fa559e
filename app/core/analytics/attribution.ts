// Last-touch attribution, pure: given an order and the clicks and opens on the messages its customer received,
// which touch (if any) earns the order, and a verdict for every touch so the choice can be explained.
//
// A touch counts when it happened no later than the order and no earlier than `windowDays` before it, and it is a
// click, or (with `includeOpens`) an open made by a person. Of the touches that count, the latest wins; on a tie a
// click beats an open, then the smaller message id (so the answer never depends on row order). A cancelled order
// is attributed to nothing.

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
  | "order-cancelled";

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

/** Whole days and hours between two instants, for explanations ("6 d 1 h"). */
export function describeGap(earlier: Date, later: Date): string {
  const hours = Math.floor(Math.abs(later.getTime() - earlier.getTime()) / 3_600_000);
  const days = Math.floor(hours / 24);
  return days > 0 ? `${days} d ${hours % 24} h` : `${hours} h`;
}
