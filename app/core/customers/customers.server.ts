// Customers as the admin, the HTTP API and the CLI read them: a searchable, filterable list (cursor-paginated by
// id) and one customer's profile — details, metrics, the model's prediction, segments, and a merged timeline.
// Every query takes the workspace; a customer of another workspace is simply not found.
import { z } from "zod";
import { customerSegments } from "~/core/segments/segments.server";
import { Prisma, type Db } from "~/db.server";
import { enrollmentEntries, eventEntry, mergeTimeline, messageEntry, messageEventEntry, orderEntry, type TimelineEntry } from "./timeline";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** The profile's timeline holds the newest 200 entries. */
export const TIMELINE_LIMIT = 200;
const DAY_MS = 86_400_000;

export interface CustomerRow {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  acceptsMarketing: boolean;
  ordersCount: number;
  /** Lifetime spend in minor units of `currency`. */
  totalSpent: number;
  currency: string | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  country: string | null;
  region: string | null;
  city: string | null;
  createdAt: Date;
}

const customerRowSelect = {
  id: true,
  email: true,
  firstName: true,
  lastName: true,
  acceptsMarketing: true,
  ordersCount: true,
  totalSpent: true,
  currency: true,
  firstOrderAt: true,
  lastOrderAt: true,
  country: true,
  region: true,
  city: true,
  createdAt: true,
} as const;

export interface ListCustomersInput {
  workspaceId: string;
  /** A piece of the email, first name, last name or "first last"; case is ignored. */
  search?: string;
  segmentId?: string;
  acceptsMarketing?: boolean;
  hasOrders?: boolean;
  /** The last id of the previous page. */
  cursor?: string | null;
  take?: number;
}

/** `\` escapes LIKE's wildcards so a search for "50%" or "a_b" means those characters. */
function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Customers ordered by id, `take` at a time (default 50, at most 500); `nextCursor` is null on the last page.
 * The search lower-cases both sides in SQL (LOWER … LIKE), the same on SQLite and PostgreSQL (SQLite's LOWER
 * folds ASCII letters only). Filters on a segment of another workspace match nobody.
 */
export async function listCustomers(db: Db, input: ListCustomersInput): Promise<{ customers: CustomerRow[]; nextCursor: string | null }> {
  const take = Math.min(Math.max(Math.trunc(input.take ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const conditions: Prisma.Sql[] = [Prisma.sql`c."workspaceId" = ${input.workspaceId}`];
  const search = input.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    conditions.push(Prisma.sql`(
      LOWER(COALESCE(c."email", '')) LIKE ${pattern} ESCAPE '\\'
      OR LOWER(COALESCE(c."firstName", '')) LIKE ${pattern} ESCAPE '\\'
      OR LOWER(COALESCE(c."lastName", '')) LIKE ${pattern} ESCAPE '\\'
      OR LOWER(COALESCE(c."firstName", '') || ' ' || COALESCE(c."lastName", '')) LIKE ${pattern} ESCAPE '\\'
    )`);
  }
  if (input.segmentId !== undefined) {
    conditions.push(Prisma.sql`EXISTS (
      SELECT 1 FROM "SegmentMembership" m
      WHERE m."segmentId" = ${input.segmentId} AND m."customerId" = c."id" AND m."workspaceId" = ${input.workspaceId}
    )`);
  }
  // Booleans are 0/1 in SQLite and a real boolean in PostgreSQL; CASE reads both the same way.
  if (input.acceptsMarketing !== undefined) {
    conditions.push(Prisma.sql`(CASE WHEN c."acceptsMarketing" THEN 1 ELSE 0 END) = ${input.acceptsMarketing ? 1 : 0}`);
  }
  if (input.hasOrders !== undefined) conditions.push(input.hasOrders ? Prisma.sql`c."ordersCount" > 0` : Prisma.sql`c."ordersCount" = 0`);
  if (input.cursor) conditions.push(Prisma.sql`c."id" > ${input.cursor}`);

  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT c."id" AS id FROM "Customer" c
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY c."id" ASC
    LIMIT ${take + 1}`;
  const page = ids.slice(0, take).map((row) => row.id);
  const customers = await db.customer.findMany({
    where: { workspaceId: input.workspaceId, id: { in: page } },
    select: customerRowSelect,
    orderBy: { id: "asc" },
  });
  return { customers, nextCursor: ids.length > take ? (page.at(-1) ?? null) : null };
}

type CustomerSegments = Awaited<ReturnType<typeof customerSegments>>;

export interface CustomerProfile {
  customer: {
    id: string;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    phone: string | null;
    acceptsMarketing: boolean;
    country: string | null;
    region: string | null;
    city: string | null;
    tags: string[];
    createdAt: Date;
    originStore: { id: string; name: string } | null;
  };
  metrics: {
    ordersCount: number;
    /** Minor units of `currency`, as are averageOrderValue. */
    totalSpent: number;
    /** Rounded to the minor unit; null without orders. */
    averageOrderValue: number | null;
    currency: string | null;
    firstOrderAt: Date | null;
    lastOrderAt: Date | null;
    /** Whole days from the last order to `now`; null without orders. */
    daysSinceLastOrder: number | null;
  };
  prediction: {
    churnProbability: number;
    churnLow: number;
    churnHigh: number;
    clv12m: number;
    clvLow: number;
    clvHigh: number;
    currency: string | null;
    expectedOrders12m: number;
    nextOrderAt: Date | null;
    nextOrderLow: Date | null;
    nextOrderHigh: Date | null;
    computedAt: Date;
  } | null;
  segments: CustomerSegments;
  /** Newest first, at most TIMELINE_LIMIT entries. */
  timeline: TimelineEntry[];
}

const LineQuantities = z.array(z.object({ quantity: z.number() }).loose());

/** One customer's profile, or null when the workspace has no customer with this id. */
export async function getCustomerProfile(db: Db, input: { workspaceId: string; customerId: string; now: Date }): Promise<CustomerProfile | null> {
  const { workspaceId, customerId, now } = input;
  const customer = await db.customer.findFirst({
    where: { id: customerId, workspaceId },
    include: { tags: { select: { tag: true }, orderBy: { tag: "asc" } } },
  });
  if (!customer) return null;

  const [originStore, prediction, segments, timeline] = await Promise.all([
    customer.originStoreId
      ? db.store.findFirst({ where: { id: customer.originStoreId, workspaceId }, select: { id: true, name: true } })
      : Promise.resolve(null),
    db.customerPrediction.findFirst({ where: { customerId, workspaceId } }),
    customerSegments(db, { workspaceId, customerId, now }),
    customerTimeline(db, { workspaceId, customerId }),
  ]);

  return {
    customer: {
      id: customer.id,
      email: customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      phone: customer.phone,
      acceptsMarketing: customer.acceptsMarketing,
      country: customer.country,
      region: customer.region,
      city: customer.city,
      tags: customer.tags.map((row) => row.tag),
      createdAt: customer.createdAt,
      originStore,
    },
    metrics: {
      ordersCount: customer.ordersCount,
      totalSpent: customer.totalSpent,
      averageOrderValue: customer.ordersCount > 0 ? Math.round(customer.totalSpent / customer.ordersCount) : null,
      currency: customer.currency,
      firstOrderAt: customer.firstOrderAt,
      lastOrderAt: customer.lastOrderAt,
      daysSinceLastOrder: customer.lastOrderAt ? Math.max(0, Math.floor((now.getTime() - customer.lastOrderAt.getTime()) / DAY_MS)) : null,
    },
    prediction: prediction
      ? {
          churnProbability: prediction.churnProbability,
          churnLow: prediction.churnLow,
          churnHigh: prediction.churnHigh,
          clv12m: prediction.clv12m,
          clvLow: prediction.clvLow,
          clvHigh: prediction.clvHigh,
          currency: prediction.currency,
          expectedOrders12m: prediction.expectedOrders12m,
          nextOrderAt: prediction.nextOrderAt,
          nextOrderLow: prediction.nextOrderLow,
          nextOrderHigh: prediction.nextOrderHigh,
          computedAt: prediction.computedAt,
        }
      : null,
    segments,
    timeline,
  };
}

/**
 * Events (segment changes included), orders, emails with what the provider said about them, and flow
 * enrollments: the newest TIMELINE_LIMIT of each source, merged, newest first. An `order.add` event is left out
 * because the order itself is listed, with its total; so are the `message.*` events, because the message events
 * they mirror are listed (with the provider's other reports: accepted, delayed, dropped) and link to the email.
 */
async function customerTimeline(db: Db, input: { workspaceId: string; customerId: string }): Promise<TimelineEntry[]> {
  const { workspaceId, customerId } = input;
  const take = TIMELINE_LIMIT;
  const [events, orders, messages, enrollments] = await Promise.all([
    db.event.findMany({
      where: { workspaceId, customerId, NOT: [{ type: "order.add" }, { type: { startsWith: "message." } }] },
      orderBy: { occurredAt: "desc" },
      take,
      select: { type: true, version: true, occurredAt: true, data: true },
    }),
    db.order.findMany({
      where: { workspaceId, customerId },
      orderBy: { placedAt: "desc" },
      take,
      select: { id: true, name: true, externalId: true, currency: true, totalPrice: true, lineItems: true, financialStatus: true, placedAt: true, cancelledAt: true },
    }),
    db.message.findMany({
      where: { workspaceId, customerId },
      orderBy: { createdAt: "desc" },
      take,
      select: { id: true, subject: true, status: true, error: true, flowId: true, createdAt: true, sentAt: true },
    }),
    db.enrollment.findMany({
      where: { workspaceId, customerId },
      orderBy: { enteredAt: "desc" },
      take,
      select: { id: true, flowId: true, status: true, entryNumber: true, enteredAt: true, exitedAt: true, exitReason: true },
    }),
  ]);

  const messageIds = messages.map((message) => message.id);
  const enrollmentIds = enrollments.map((enrollment) => enrollment.id);
  const flowIds = [...new Set([...messages.flatMap((message) => (message.flowId ? [message.flowId] : [])), ...enrollments.map((row) => row.flowId)])];
  const [messageEvents, flows, triggers] = await Promise.all([
    messageIds.length
      ? db.messageEvent.findMany({
          where: { workspaceId, messageId: { in: messageIds } },
          orderBy: { occurredAt: "desc" },
          take,
          select: { messageId: true, type: true, occurredAt: true, url: true, reason: true, machineOpen: true },
        })
      : Promise.resolve([]),
    flowIds.length ? db.flow.findMany({ where: { workspaceId, id: { in: flowIds } }, select: { id: true, name: true } }) : Promise.resolve([]),
    enrollmentIds.length
      ? db.enrollmentTrace.findMany({
          where: { workspaceId, enrollmentId: { in: enrollmentIds }, kind: "trigger.matched" },
          select: { enrollmentId: true, detail: true },
        })
      : Promise.resolve([]),
  ]);

  const flowName = new Map(flows.map((flow) => [flow.id, flow.name]));
  const subject = new Map(messages.map((message) => [message.id, message.subject]));
  const triggerOf = new Map<string, string>();
  for (const trace of triggers) {
    const detail = z.object({ event: z.string() }).safeParse(trace.detail);
    if (trace.enrollmentId && detail.success) triggerOf.set(trace.enrollmentId, detail.data.event);
  }

  const entries: TimelineEntry[] = [
    ...events.map(eventEntry),
    ...orders.map((order) => {
      const lines = LineQuantities.safeParse(order.lineItems);
      const itemCount = lines.success ? lines.data.reduce((sum, line) => sum + line.quantity, 0) : null;
      return orderEntry({ ...order, itemCount });
    }),
    ...messages.map((message) => messageEntry({ ...message, flowName: message.flowId ? (flowName.get(message.flowId) ?? null) : null })),
    ...messageEvents.map((event) => messageEventEntry({ ...event, subject: subject.get(event.messageId) ?? "" })),
    ...enrollments.flatMap((enrollment) =>
      enrollmentEntries({
        ...enrollment,
        flowName: flowName.get(enrollment.flowId) ?? "(deleted flow)",
        trigger: triggerOf.get(enrollment.id) ?? null,
      }),
    ),
  ];
  return mergeTimeline(entries, TIMELINE_LIMIT);
}
