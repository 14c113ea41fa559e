// Attribution at query time (ADR 0015): orders are matched to the clicks and human opens on the messages their
// customer received, under the workspace's current rules. Nothing is stored, so changing the rules changes every
// report at once. An order that used a discount code a flow's journey created goes to that journey first
// (codeCreditFor in attribution.ts).
import type { Db, Prisma } from "~/db.server";
import type { Money } from "~/core/money";
import { attributeOrderWithCodes, describeGap, type CodeGrant, type Touch, type TouchVerdict } from "./attribution";
import { readAttributionSettings, type AttributionSettings } from "./settings.server";

const DAY_MS = 86_400_000;

/** A touch with the message it was on. */
export interface MessageTouch extends Touch {
  url: string | null;
  message: { id: string; customerId: string | null; toEmail: string; flowId: string | null; nodeId: string | null; subject: string };
}

export interface OrderAttribution {
  orderId: string;
  placedAt: Date;
  revenue: Money;
  messageId: string;
  flowId: string | null;
  nodeId: string | null;
  /** Who received the message (normalized address): the converted recipient. */
  recipient: string;
  /** What earned it: a click or open on the message, or a discount code its journey created (then `touchedAt` is
   *  when that message was sent). */
  touch: "click" | "open" | "discount_code";
  touchedAt: Date;
  discountCode: string | null;
}

const normalize = (email: string | null | undefined) => email?.trim().toLowerCase() || null;

interface OrderRow {
  id: string;
  customerId: string | null;
  email: string | null;
  placedAt: Date;
  totalPrice: number;
  currency: string;
  discountCodes: unknown;
}

/** The order's codes (a JSON array of strings, or null for orders stored before codes were kept). */
function codesOf(order: { discountCodes: unknown }): string[] {
  return Array.isArray(order.discountCodes) ? order.discountCodes.filter((code): code is string => typeof code === "string" && code.trim() !== "") : [];
}

const MESSAGE_FIELDS = { id: true, customerId: true, toEmail: true, flowId: true, nodeId: true, subject: true } as const;

interface JourneyCodeGrant extends CodeGrant<{ messageId: string; sentAt: Date; message: MessageTouch["message"] }> {
  nodeId: string;
}

/** Ids per `IN (…)`: SQLite takes at most 999 bound values per statement. */
const IN_CHUNK = 500;

function chunked<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += IN_CHUNK) chunks.push(items.slice(start, start + IN_CHUNK));
  return chunks;
}

/**
 * The discount codes flows' journeys created that match any of `codes`, with each journey's messages sent until
 * `until`: by the steps' upper-cased StepRun.discountCode (indexed), then the journeys' messages (by enrollment).
 */
async function loadCodeGrants(db: Db, input: { workspaceId: string; codes: string[]; until: Date; customerId?: string }): Promise<JourneyCodeGrant[]> {
  const wanted = [...new Set(input.codes.map((code) => code.trim().toUpperCase()))];
  const made: { enrollmentId: string; nodeId: string; ranAt: Date; code: string; enrollment: { customerId: string; flowId: string } }[] = [];
  for (const codes of chunked(wanted)) {
    const steps = await db.stepRun.findMany({
      where: { workspaceId: input.workspaceId, discountCode: { in: codes }, ranAt: { lte: input.until }, ...(input.customerId ? { enrollment: { customerId: input.customerId } } : {}) },
      select: { enrollmentId: true, nodeId: true, ranAt: true, result: true, enrollment: { select: { customerId: true, flowId: true } } },
    });
    for (const step of steps) {
      const result = step.result as Record<string, unknown> | null;
      if (result && typeof result.code === "string") made.push({ enrollmentId: step.enrollmentId, nodeId: step.nodeId, ranAt: step.ranAt, code: result.code, enrollment: step.enrollment });
    }
  }
  if (made.length === 0) return [];
  const messages: Prisma.MessageGetPayload<{ select: typeof MESSAGE_FIELDS & { enrollmentId: true; sentAt: true } }>[] = [];
  for (const enrollmentIds of chunked([...new Set(made.map((step) => step.enrollmentId))])) {
    messages.push(
      ...(await db.message.findMany({
        where: { workspaceId: input.workspaceId, enrollmentId: { in: enrollmentIds }, kind: { not: "test" }, sentAt: { not: null, lte: input.until } },
        select: { ...MESSAGE_FIELDS, enrollmentId: true, sentAt: true },
      })),
    );
  }
  return made.map((step) => ({
    code: step.code,
    workspaceId: input.workspaceId,
    customerId: step.enrollment.customerId,
    flowId: step.enrollment.flowId,
    nodeId: step.nodeId,
    createdAt: step.ranAt,
    messages: messages
      .filter((message) => message.enrollmentId === step.enrollmentId && message.sentAt)
      .map(({ enrollmentId: _enrollmentId, sentAt, ...message }) => ({ messageId: message.id, sentAt: sentAt as Date, message })),
  }));
}

/** What attribution reads of a click or open and of its message. */
const TOUCH_FIELDS = {
  type: true,
  occurredAt: true,
  machineOpen: true,
  url: true,
  message: { select: MESSAGE_FIELDS },
} as const;

type TouchRow = Prisma.MessageEventGetPayload<{ select: typeof TOUCH_FIELDS }>;

function toTouch(event: TouchRow): MessageTouch {
  return {
    messageId: event.message.id,
    type: event.type === "click" ? "click" : "open",
    occurredAt: event.occurredAt,
    machineOpen: event.machineOpen,
    url: event.url,
    message: event.message,
  };
}

/** Touches on the messages of these customers (by profile or address), in [from, to]. */
async function loadTouches(db: Db, input: { workspaceId: string; from: Date; to: Date; includeOpens: boolean }): Promise<MessageTouch[]> {
  const events = await db.messageEvent.findMany({
    where: {
      workspaceId: input.workspaceId,
      occurredAt: { gte: input.from, lte: input.to },
      OR: [{ type: "click" }, ...(input.includeOpens ? [{ type: "open", machineOpen: false }] : [])],
      message: { kind: { not: "test" } }, // a click in a test email attributes nothing
    },
    select: TOUCH_FIELDS,
  });
  return events.map(toTouch);
}

function touchesOf(order: OrderRow, byCustomer: Map<string, MessageTouch[]>, byEmail: Map<string, MessageTouch[]>): MessageTouch[] {
  const found = new Set<MessageTouch>([...(order.customerId ? (byCustomer.get(order.customerId) ?? []) : []), ...(byEmail.get(normalize(order.email) ?? "") ?? [])]);
  return [...found];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Every non-cancelled order placed in [placedFrom, placedTo) that a message earned, with the message. Orders no
 * message earned are left out.
 */
export async function attributeOrders(
  db: Db,
  input: { workspaceId: string; placedFrom: Date; placedTo?: Date; settings?: AttributionSettings },
): Promise<OrderAttribution[]> {
  const settings = input.settings ?? (await readAttributionSettings(db, input));
  const orders = await db.order.findMany({
    where: { workspaceId: input.workspaceId, cancelledAt: null, placedAt: { gte: input.placedFrom, ...(input.placedTo ? { lt: input.placedTo } : {}) } },
    select: { id: true, customerId: true, email: true, placedAt: true, totalPrice: true, currency: true, discountCodes: true },
    orderBy: { placedAt: "asc" },
  });
  if (orders.length === 0) return [];
  const first = orders[0].placedAt.getTime();
  const last = orders[orders.length - 1].placedAt;
  const touches = await loadTouches(db, { workspaceId: input.workspaceId, from: new Date(first - settings.windowDays * DAY_MS), to: last, includeOpens: settings.includeOpens });
  const grants = await loadCodeGrants(db, { workspaceId: input.workspaceId, codes: orders.flatMap(codesOf), until: last });
  const grantsByCustomer = new Map<string, JourneyCodeGrant[]>();
  for (const grant of grants) push(grantsByCustomer, grant.customerId, grant);
  const byCustomer = new Map<string, MessageTouch[]>();
  const byEmail = new Map<string, MessageTouch[]>();
  for (const touch of touches) {
    if (touch.message.customerId) push(byCustomer, touch.message.customerId, touch);
    push(byEmail, normalize(touch.message.toEmail) ?? "", touch);
  }
  return orders.flatMap((order): OrderAttribution[] => {
    const orderGrants = order.customerId ? (grantsByCustomer.get(order.customerId) ?? []) : [];
    const { winner, code } = attributeOrderWithCodes({ ...order, workspaceId: input.workspaceId, discountCodes: codesOf(order) }, touchesOf(order, byCustomer, byEmail), orderGrants, settings);
    if (code) {
      const message = code.message.message;
      return [{
        orderId: order.id,
        placedAt: order.placedAt,
        revenue: { amount: order.totalPrice, currency: order.currency },
        messageId: message.id,
        flowId: message.flowId ?? code.grant.flowId,
        nodeId: message.nodeId,
        recipient: normalize(message.toEmail) ?? message.toEmail,
        touch: "discount_code",
        touchedAt: code.message.sentAt,
        discountCode: code.code,
      }];
    }
    if (!winner) return [];
    return [{
      orderId: order.id,
      placedAt: order.placedAt,
      revenue: { amount: order.totalPrice, currency: order.currency },
      messageId: winner.messageId,
      flowId: winner.message.flowId,
      nodeId: winner.message.nodeId,
      recipient: normalize(winner.message.toEmail) ?? winner.message.toEmail,
      touch: winner.type,
      touchedAt: winner.occurredAt,
      discountCode: null,
    }];
  });
}

export interface AttributionExplanation {
  order: { id: string; name: string | null; externalId: string; placedAt: string; revenue: Money; cancelled: boolean; email: string | null };
  rules: AttributionSettings;
  /** The message that earned the order, or null. */
  attributedTo: {
    messageId: string;
    flowId: string | null;
    flowName: string | null;
    nodeId: string | null;
    subject: string;
    /** For a discount code: `touchedAt` is when the message was sent, `url` is null. */
    touch: "click" | "open" | "discount_code";
    touchedAt: string;
    url: string | null;
    /** The flow's code the order used, when that is what earned it. */
    discountCode: string | null;
  } | null;
  /** One sentence: why this message, or why none. */
  reason: string;
  /** Every click and open on the customer's messages, newest first, with what the rules made of it. */
  touches: { messageId: string; subject: string; flowName: string | null; type: "click" | "open"; occurredAt: string; machineOpen: boolean; verdict: TouchVerdict; note: string }[];
}

export class AttributionError extends Error {}

/** Which message earned an order under the workspace's current rules, and why; or why none did. */
export async function explainAttribution(db: Db, input: { workspaceId: string; orderId: string }): Promise<AttributionExplanation> {
  const order = await db.order.findFirst({
    where: { workspaceId: input.workspaceId, OR: [{ id: input.orderId }, { externalId: input.orderId }, { name: input.orderId }] },
    orderBy: { placedAt: "desc" },
  });
  if (!order) throw new AttributionError(`order "${input.orderId}" not found in workspace "${input.workspaceId}"`);
  const rules = await readAttributionSettings(db, input);
  const email = normalize(order.email);
  const who = [...(order.customerId ? [{ customerId: order.customerId }] : []), ...(email ? [{ toEmail: email }] : [])];
  const events = who.length === 0 ? [] : await db.messageEvent.findMany({
    where: { workspaceId: input.workspaceId, type: { in: ["click", "open"] }, message: { OR: who, kind: { not: "test" } } },
    select: TOUCH_FIELDS,
    orderBy: { occurredAt: "desc" },
    take: 500,
  });
  const touches = events.map(toTouch);
  const grants = order.customerId ? await loadCodeGrants(db, { workspaceId: input.workspaceId, codes: codesOf(order), until: order.placedAt, customerId: order.customerId }) : [];
  const flowIds = [...new Set([...touches.flatMap((touch) => (touch.message.flowId ? [touch.message.flowId] : [])), ...grants.map((grant) => grant.flowId)])];
  const flows = await db.flow.findMany({ where: { workspaceId: input.workspaceId, id: { in: flowIds } }, select: { id: true, name: true } });
  const flowName = (flowId: string | null) => flows.find((flow) => flow.id === flowId)?.name ?? null;

  const decision = attributeOrderWithCodes({ ...order, discountCodes: codesOf(order) }, touches, grants, rules);
  const winner = decision.winner;
  const code = decision.code;
  const window = `${rules.windowDays}-day window`;
  const noteFor = (touch: MessageTouch, verdict: TouchVerdict): string => {
    const gap = describeGap(touch.occurredAt, order.placedAt);
    switch (verdict) {
      case "won":
        return `the last ${touch.type} within the ${window} (${gap} before the order)`;
      case "superseded":
        return `within the window (${gap} before the order), but a later touch counts`;
      case "after-order":
        return `${gap} after the order`;
      case "outside-window":
        return `${gap} before the order, outside the ${window}`;
      case "machine-open":
        return "an open by a machine (mail privacy proxy or scanner), never counted";
      case "opens-not-counted":
        return "opens do not count in this workspace (clicks only)";
      case "order-cancelled":
        return "the order was cancelled";
      case "discount-code":
        return `within the window (${gap} before the order), but the order used a flow's discount code, which counts first`;
    }
  };
  const codeFlowName = code ? (flowName(code.grant.flowId) ?? code.grant.flowId) : null;
  const reason = order.cancelledAt
    ? "The order was cancelled: cancelled orders are not attributed."
    : code
      ? `Attributed to "${code.message.message.subject}" (${codeFlowName}, ${code.message.message.nodeId}): the order used the discount code ${code.code} created by flow "${codeFlowName}", which counts whatever the window or clicks; this is the journey's last email before the order (sent ${describeGap(code.message.sentAt, order.placedAt)} before it).`
      : winner
      ? `Attributed to "${winner.message.subject}"${flowName(winner.message.flowId) ? ` (${flowName(winner.message.flowId)}, ${winner.message.nodeId})` : ""}: ${noteFor(winner, "won")}.`
      : who.length === 0
        ? "The order names no customer and no email address, so no message can be matched to it."
        : touches.length === 0
          ? "The customer never clicked or opened one of our messages."
          : `No click${rules.includeOpens ? " or human open" : ""} within the ${window} before the order.`;
  return {
    order: {
      id: order.id,
      name: order.name,
      externalId: order.externalId,
      placedAt: order.placedAt.toISOString(),
      revenue: { amount: order.totalPrice, currency: order.currency },
      cancelled: order.cancelledAt !== null,
      email: order.email,
    },
    rules,
    attributedTo: code
      ? {
          messageId: code.message.messageId,
          flowId: code.message.message.flowId ?? code.grant.flowId,
          flowName: flowName(code.grant.flowId),
          nodeId: code.message.message.nodeId,
          subject: code.message.message.subject,
          touch: "discount_code",
          touchedAt: code.message.sentAt.toISOString(),
          url: null,
          discountCode: code.code,
        }
      : winner
      ? {
          messageId: winner.messageId,
          flowId: winner.message.flowId,
          flowName: flowName(winner.message.flowId),
          nodeId: winner.message.nodeId,
          subject: winner.message.subject,
          touch: winner.type,
          touchedAt: winner.occurredAt.toISOString(),
          url: winner.url,
          discountCode: null,
        }
      : null,
    reason,
    touches: decision.verdicts.map(({ touch, verdict }) => ({
      messageId: touch.messageId,
      subject: touch.message.subject,
      flowName: flowName(touch.message.flowId),
      type: touch.type,
      occurredAt: touch.occurredAt.toISOString(),
      machineOpen: touch.machineOpen,
      verdict,
      note: noteFor(touch, verdict),
    })),
  };
}
