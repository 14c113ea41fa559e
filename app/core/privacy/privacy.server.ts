// Privacy requests: export everything held about a customer, erase a customer's personal data (keeping anonymised
// aggregates), erase a whole workspace's merchant data. Shopify's compliance webhooks reach here through ingest
// (inside the inbox row's transaction); other platforms through the admin and `requestCustomerExport` /
// `eraseCustomer`. Each request leaves a PrivacyRequest row: the export for a data request, counts otherwise.
// What is kept and why: docs/decisions/0013-privacy-requests.md.
import { Prisma, type Db, type DbTx } from "~/db.server";
import type { CanonicalEvent } from "~/core/events";
import { normalizeEmail } from "~/core/events/normalize";
import { suppressionDigest } from "~/core/messaging/suppression.server";
import { mentions, REDACTED, scrubPersonalData, type Json } from "./scrub";

export type PrivacyKind = "data_request" | "customer_redact" | "store_redact";
export const CUSTOMER_REDACTED = "customer redacted";

export interface CustomerSubject {
  /** The platform's id for the customer (Shopify's customer id), when the request names one. */
  externalCustomerId?: string | null;
  email?: string | null;
}

export class PrivacyError extends Error {}

function jsonInput(value: Json): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  return value === null ? Prisma.JsonNull : value;
}

/** Dates to ISO strings, nothing that JSON cannot hold. */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null));
}

interface ResolvedSubject {
  customerIds: string[];
  emails: string[];
  phones: string[];
  externalIds: string[];
}

/** The store's customer id a stored `customer.delete` event names. */
function deletedExternalId(data: unknown): string | null {
  if (typeof data !== "object" || data === null || !("customer" in data)) return null;
  const customer = data.customer;
  if (typeof customer !== "object" || customer === null || !("externalId" in customer)) return null;
  return typeof customer.externalId === "string" ? customer.externalId : null;
}

/** The workspace's profiles for the subject: by platform id (through identities) and/or normalized email. */
async function resolveSubject(tx: DbTx, input: { workspaceId: string; storeId?: string | null } & CustomerSubject): Promise<ResolvedSubject> {
  const { workspaceId } = input;
  const email = normalizeEmail(input.email);
  const externalId = input.externalCustomerId?.trim() || null;
  const identities = externalId
    ? await tx.customerIdentity.findMany({ where: { workspaceId, externalId, ...(input.storeId ? { storeId: input.storeId } : {}) }, select: { customerId: true } })
    : [];
  // A store's customers/delete drops the identity but keeps the profile: its customer.delete event still links them.
  const unlinked = externalId
    ? (await tx.event.findMany({
        where: { workspaceId, type: "customer.delete", customerId: { not: null }, ...(input.storeId ? { storeId: input.storeId } : {}) },
        select: { customerId: true, data: true },
      })).filter((event) => deletedExternalId(event.data) === externalId)
    : [];
  const or: Prisma.CustomerWhereInput[] = [];
  const linkedIds = [...identities, ...unlinked].flatMap((link) => (link.customerId ? [link.customerId] : []));
  if (linkedIds.length > 0) or.push({ id: { in: linkedIds } });
  if (email) or.push({ email });
  const customers = or.length ? await tx.customer.findMany({ where: { workspaceId, OR: or }, select: { id: true, email: true, phone: true } }) : [];
  const allIdentities = customers.length
    ? await tx.customerIdentity.findMany({ where: { workspaceId, customerId: { in: customers.map((customer) => customer.id) } }, select: { externalId: true } })
    : [];
  const unique = (values: (string | null | undefined)[]) => [...new Set(values.filter((value): value is string => Boolean(value)))];
  return {
    customerIds: customers.map((customer) => customer.id),
    emails: unique([email, ...customers.map((customer) => customer.email)]),
    phones: unique(customers.map((customer) => customer.phone)),
    externalIds: unique([externalId, ...allIdentities.map((identity) => identity.externalId)]),
  };
}

function linkedTo(subject: ResolvedSubject) {
  const or: { customerId?: { in: string[] }; email?: { in: string[] } }[] = [];
  if (subject.customerIds.length) or.push({ customerId: { in: subject.customerIds } });
  if (subject.emails.length) or.push({ email: { in: subject.emails } });
  return or;
}

/** Inbox rows of the workspace that carry the subject's data: the sources of their events, and any payload naming them. */
async function inboxRowsOf(tx: DbTx, workspaceId: string, subject: ResolvedSubject): Promise<string[]> {
  const fromEvents = subject.customerIds.length
    ? await tx.event.findMany({ where: { workspaceId, customerId: { in: subject.customerIds }, inboxEventId: { not: null } }, select: { inboxEventId: true } })
    : [];
  // Raw payloads are searched for the normalized address as stored; platforms send addresses in lower case.
  const needles = [...subject.emails, ...subject.phones, ...subject.externalIds.map((id) => `Customer/${id}"`)];
  const mentioning = needles.length
    ? await tx.inboxEvent.findMany({ where: { workspaceId, OR: needles.map((needle) => ({ payload: { contains: needle } })) }, select: { id: true } })
    : [];
  return [...new Set([...fromEvents.flatMap((event) => (event.inboxEventId ? [event.inboxEventId] : [])), ...mentioning.map((row) => row.id)])];
}

// --- export ----------------------------------------------------------------------------------------------

/** Everything the workspace holds about the customer, as JSON: what a data request returns. */
export async function collectCustomerData(tx: DbTx, input: { workspaceId: string; storeId?: string | null } & CustomerSubject) {
  const { workspaceId } = input;
  const subject = await resolveSubject(tx, input);
  const ids = subject.customerIds;
  const linked = linkedTo(subject);
  const none = linked.length === 0;
  const customers = ids.length ? await tx.customer.findMany({ where: { workspaceId, id: { in: ids } } }) : [];
  const identities = ids.length ? await tx.customerIdentity.findMany({ where: { workspaceId, customerId: { in: ids } } }) : [];
  const carts = ids.length ? await tx.cart.findMany({ where: { workspaceId, customerId: { in: ids } } }) : [];
  const checkouts = none ? [] : await tx.checkout.findMany({ where: { workspaceId, OR: linked } });
  const orders = none ? [] : await tx.order.findMany({ where: { workspaceId, OR: linked } });
  const shipments = orders.length ? await tx.shipment.findMany({ where: { workspaceId, orderId: { in: orders.map((order) => order.id) } } }) : [];
  const events = ids.length ? await tx.event.findMany({ where: { workspaceId, customerId: { in: ids } }, orderBy: { occurredAt: "asc" } }) : [];
  const enrollments = ids.length ? await tx.enrollment.findMany({ where: { workspaceId, customerId: { in: ids } } }) : [];
  const enrollmentIds = enrollments.map((enrollment) => enrollment.id);
  const stepRuns = enrollmentIds.length ? await tx.stepRun.findMany({ where: { workspaceId, enrollmentId: { in: enrollmentIds } } }) : [];
  const traceOr: Prisma.EnrollmentTraceWhereInput[] = [];
  if (ids.length) traceOr.push({ customerId: { in: ids } });
  if (enrollmentIds.length) traceOr.push({ enrollmentId: { in: enrollmentIds } });
  const traces = traceOr.length ? await tx.enrollmentTrace.findMany({ where: { workspaceId, OR: traceOr }, orderBy: { at: "asc" } }) : [];
  const messageOr: Prisma.MessageWhereInput[] = [];
  if (ids.length) messageOr.push({ customerId: { in: ids } });
  if (subject.emails.length) messageOr.push({ toEmail: { in: subject.emails } });
  const messages = messageOr.length
    ? await tx.message.findMany({ where: { workspaceId, OR: messageOr }, include: { events: true }, orderBy: { createdAt: "asc" } })
    : [];
  const suppressions = subject.emails.length ? await tx.suppression.findMany({ where: { workspaceId, email: { in: subject.emails } } }) : [];
  const consentUpdates = subject.emails.length ? await tx.consentUpdate.findMany({ where: { workspaceId, email: { in: subject.emails } }, orderBy: { createdAt: "asc" } }) : [];
  // What segments and predictions hold about them: tags, where they live, the segments they are in, the model's view.
  const tags = ids.length ? await tx.customerTag.findMany({ where: { workspaceId, customerId: { in: ids } }, select: { customerId: true, tag: true }, orderBy: { tag: "asc" } }) : [];
  const memberships = ids.length
    ? await tx.segmentMembership.findMany({ where: { workspaceId, customerId: { in: ids } }, include: { segment: { select: { name: true } } }, orderBy: { enteredAt: "asc" } })
    : [];
  const predictions = ids.length ? await tx.customerPrediction.findMany({ where: { workspaceId, customerId: { in: ids } } }) : [];
  return toJson({
    subject: { externalCustomerId: input.externalCustomerId ?? null, email: normalizeEmail(input.email), found: ids.length > 0 || messages.length > 0 || checkouts.length > 0 || orders.length > 0 },
    customers,
    identities,
    carts,
    checkouts,
    orders,
    shipments,
    events,
    enrollments,
    stepRuns,
    traces,
    messages,
    suppressions,
    consentUpdates,
    tags,
    locations: customers.map((customer) => ({ customerId: customer.id, country: customer.country, region: customer.region, city: customer.city })),
    segments: memberships.map((membership) => ({ customerId: membership.customerId, segmentId: membership.segmentId, name: membership.segment.name, enteredAt: membership.enteredAt })),
    predictions,
  });
}

// --- customer erasure ------------------------------------------------------------------------------------

export interface CustomerRedactionCounts {
  customers: number;
  identities: number;
  carts: number;
  checkouts: number;
  orders: number;
  events: number;
  inboxEvents: number;
  enrollmentsExited: number;
  stepRuns: number;
  traces: number;
  messages: number;
  messageEvents: number;
  suppressions: number;
  consentUpdates: number;
  privacyRequests: number;
  tags: number;
  segmentMemberships: number;
  predictions: number;
}

/**
 * Erases the customer's personal data in every table of the workspace, keeping what aggregates need (profiles'
 * counts and spend, order and checkout totals and dates, message statuses and event types) under anonymous ids.
 */
export async function redactCustomer(
  tx: DbTx,
  input: { workspaceId: string; storeId?: string | null; now: Date; exceptRequestId?: string } & CustomerSubject,
): Promise<CustomerRedactionCounts> {
  const { workspaceId, now } = input;
  const subject = await resolveSubject(tx, input);
  const ids = subject.customerIds;
  const needles = [...subject.emails, ...subject.phones];
  const linked = linkedTo(subject);
  const counts: CustomerRedactionCounts = {
    customers: 0, identities: 0, carts: 0, checkouts: 0, orders: 0, events: 0, inboxEvents: 0, enrollmentsExited: 0,
    stepRuns: 0, traces: 0, messages: 0, messageEvents: 0, suppressions: 0, consentUpdates: 0, privacyRequests: 0, tags: 0, segmentMemberships: 0, predictions: 0,
  };

  // Inbox rows first: finding them needs the events' customer links and the payloads as they are.
  const inboxIds = await inboxRowsOf(tx, workspaceId, subject);
  if (inboxIds.length) {
    const marker = JSON.stringify({ redacted: true, reason: CUSTOMER_REDACTED, at: now.toISOString() });
    counts.inboxEvents = (await tx.inboxEvent.updateMany({ where: { workspaceId, id: { in: inboxIds } }, data: { payload: marker, error: null } })).count;
  }

  // The timeline: events stay (type, time, totals) with personal fields scrubbed.
  const eventOr: Prisma.EventWhereInput[] = [];
  if (ids.length) eventOr.push({ customerId: { in: ids } });
  if (inboxIds.length) eventOr.push({ inboxEventId: { in: inboxIds } });
  const events = eventOr.length ? await tx.event.findMany({ where: { workspaceId, OR: eventOr }, select: { id: true, data: true } }) : [];
  for (const event of events) await tx.event.update({ where: { id: event.id }, data: { data: jsonInput(scrubPersonalData(event.data, needles)) } });
  counts.events = events.length;

  // Journeys: active ones end now; steps and traces keep their shape without personal fields.
  const enrollments = ids.length ? await tx.enrollment.findMany({ where: { workspaceId, customerId: { in: ids } }, select: { id: true } }) : [];
  const enrollmentIds = enrollments.map((enrollment) => enrollment.id);
  if (ids.length) {
    counts.enrollmentsExited = (
      await tx.enrollment.updateMany({
        where: { workspaceId, customerId: { in: ids }, status: "active" },
        data: { status: "exited", exitReason: CUSTOMER_REDACTED, exitedAt: now, wakeAt: null, deferredReason: null },
      })
    ).count;
  }
  const stepRuns = enrollmentIds.length ? await tx.stepRun.findMany({ where: { workspaceId, enrollmentId: { in: enrollmentIds } }, select: { id: true, result: true } }) : [];
  for (const step of stepRuns) await tx.stepRun.update({ where: { id: step.id }, data: { result: jsonInput(scrubPersonalData(step.result, needles)) } });
  counts.stepRuns = stepRuns.length;
  const traceOr: Prisma.EnrollmentTraceWhereInput[] = [];
  if (ids.length) traceOr.push({ customerId: { in: ids } });
  if (enrollmentIds.length) traceOr.push({ enrollmentId: { in: enrollmentIds } });
  const traces = traceOr.length ? await tx.enrollmentTrace.findMany({ where: { workspaceId, OR: traceOr }, select: { id: true, detail: true } }) : [];
  for (const trace of traces) await tx.enrollmentTrace.update({ where: { id: trace.id }, data: { detail: jsonInput(scrubPersonalData(trace.detail, needles)) } });
  counts.traces = traces.length;

  // Messages keep status, provider, dates and flow; address and content go. Queued ones are never sent.
  const messageOr: Prisma.MessageWhereInput[] = [];
  if (ids.length) messageOr.push({ customerId: { in: ids } });
  if (subject.emails.length) messageOr.push({ toEmail: { in: subject.emails } });
  if (enrollmentIds.length) messageOr.push({ enrollmentId: { in: enrollmentIds } });
  const messages = messageOr.length ? await tx.message.findMany({ where: { workspaceId, OR: messageOr }, select: { id: true, contentKey: true } }) : [];
  const messageIds = messages.map((message) => message.id);
  if (messageIds.length) {
    await tx.message.updateMany({ where: { workspaceId, id: { in: messageIds }, status: "queued" }, data: { status: "cancelled", error: CUSTOMER_REDACTED } });
    counts.messages = (
      await tx.message.updateMany({ where: { workspaceId, id: { in: messageIds } }, data: { toEmail: REDACTED, subject: REDACTED, html: REDACTED, text: REDACTED, contentKey: null } })
    ).count;
    // Content stored once per step (ADR 0035) may name the customer (a template with their name or cart): what no
    // message uses any more goes with theirs.
    const contentKeys = [...new Set(messages.flatMap((message) => (message.contentKey ? [message.contentKey] : [])))];
    const stillUsed = contentKeys.length ? await tx.message.findMany({ where: { workspaceId, contentKey: { in: contentKeys } }, select: { contentKey: true }, distinct: ["contentKey"] }) : [];
    const unused = contentKeys.filter((key) => !stillUsed.some((message) => message.contentKey === key));
    if (unused.length) await tx.messageContent.deleteMany({ where: { workspaceId, contentKey: { in: unused } } });
    const messageEvents = await tx.messageEvent.findMany({ where: { workspaceId, messageId: { in: messageIds } }, select: { inboxEventId: true } });
    counts.messageEvents = (await tx.messageEvent.updateMany({ where: { workspaceId, messageId: { in: messageIds } }, data: { url: null, reason: null } })).count;
    // The provider's batches (no workspace of their own) may hold other customers' events: scrub only this one's.
    const batchIds = [...new Set(messageEvents.flatMap((event) => (event.inboxEventId ? [event.inboxEventId] : [])))];
    const batches = batchIds.length ? await tx.inboxEvent.findMany({ where: { id: { in: batchIds }, workspaceId: null }, select: { id: true, payload: true } }) : [];
    for (const batch of batches) {
      const scrubbed = scrubBatch(batch.payload, [...needles, ...messageIds]);
      if (scrubbed !== batch.payload) await tx.inboxEvent.update({ where: { id: batch.id }, data: { payload: scrubbed } });
    }
    counts.inboxEvents += batches.length;
  }

  // Profiles: anonymised, not deleted, so counts, spend and the anonymous links above still add up. Where they
  // live and their tags go; so do their segment memberships (each segment's count drops with them) and the
  // model's predictions about them, which would otherwise cascade only with a deleted row. Order lines stay
  // with their orders (titles and prices, nothing personal), as the anonymised orders do.
  if (ids.length) {
    counts.customers = (
      await tx.customer.updateMany({
        where: { workspaceId, id: { in: ids } },
        // redactedAt: segments never take the profile in again (its totals would still match rules).
        data: { email: null, firstName: null, lastName: null, phone: null, acceptsMarketing: false, country: null, region: null, city: null, redactedAt: now },
      })
    ).count;
    counts.tags = (await tx.customerTag.deleteMany({ where: { workspaceId, customerId: { in: ids } } })).count;
    const memberships = await tx.segmentMembership.groupBy({ by: ["segmentId"], where: { workspaceId, customerId: { in: ids } }, _count: { _all: true } });
    counts.segmentMemberships = (await tx.segmentMembership.deleteMany({ where: { workspaceId, customerId: { in: ids } } })).count;
    for (const { segmentId, _count } of memberships) {
      await tx.segment.updateMany({ where: { id: segmentId, workspaceId }, data: { memberCount: { decrement: _count._all } } });
    }
    counts.predictions = (await tx.customerPrediction.deleteMany({ where: { workspaceId, customerId: { in: ids } } })).count;
    counts.identities = (await tx.customerIdentity.deleteMany({ where: { workspaceId, customerId: { in: ids } } })).count;
    counts.carts = (await tx.cart.updateMany({ where: { workspaceId, customerId: { in: ids } }, data: { customerId: null } })).count;
  }
  if (linked.length) {
    counts.checkouts = (await tx.checkout.updateMany({ where: { workspaceId, OR: linked }, data: { email: null, customerId: null, recoveryUrl: null } })).count;
    counts.orders = (await tx.order.updateMany({ where: { workspaceId, OR: linked }, data: { email: null, customerId: null } })).count;
  }

  // Suppressions: the address becomes a one-way digest, so an unsubscribe or bounce keeps being honoured.
  for (const email of subject.emails) {
    const row = await tx.suppression.findUnique({ where: { workspaceId_email: { workspaceId, email } } });
    if (!row) continue;
    const digest = suppressionDigest(workspaceId, email);
    const existing = await tx.suppression.findUnique({ where: { workspaceId_email: { workspaceId, email: digest } } });
    if (existing) await tx.suppression.delete({ where: { id: row.id } });
    else await tx.suppression.update({ where: { id: row.id }, data: { email: digest, detail: null } });
    counts.suppressions += 1;
  }
  // Consent write-backs name the address: they go, written or not (the stores get the erasure themselves).
  if (subject.emails.length) counts.consentUpdates = (await tx.consentUpdate.deleteMany({ where: { workspaceId, email: { in: subject.emails } } })).count;

  // Earlier requests about this customer: their exports and addresses go too.
  const requestOr: Prisma.PrivacyRequestWhereInput[] = [];
  if (subject.emails.length) requestOr.push({ email: { in: subject.emails } });
  if (subject.externalIds.length) requestOr.push({ externalCustomerId: { in: subject.externalIds } });
  if (requestOr.length) {
    const earlier = await tx.privacyRequest.findMany({ where: { workspaceId, OR: requestOr, ...(input.exceptRequestId ? { id: { not: input.exceptRequestId } } : {}) }, select: { id: true, kind: true } });
    for (const request of earlier) {
      await tx.privacyRequest.update({
        where: { id: request.id },
        data: { email: null, ...(request.kind === "data_request" ? { result: jsonInput({ erased: true, reason: CUSTOMER_REDACTED, at: now.toISOString() }) } : {}) },
      });
    }
    counts.privacyRequests = earlier.length;
  }
  // Data requests whose export mentions the customer without naming them in columns (found by email in an export).
  const exports = needles.length ? await tx.privacyRequest.findMany({ where: { workspaceId, kind: "data_request" }, select: { id: true, result: true } }) : [];
  for (const request of exports) {
    if (mentions(request.result, needles)) {
      await tx.privacyRequest.update({ where: { id: request.id }, data: { email: null, result: jsonInput({ erased: true, reason: CUSTOMER_REDACTED, at: now.toISOString() }) } });
      counts.privacyRequests += 1;
    }
  }
  return counts;
}

/** A SendGrid batch (a JSON array) with this customer's entries scrubbed; other entries as they were. */
function scrubBatch(payload: string, needles: string[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  if (!Array.isArray(parsed)) return payload;
  const lowered = needles.map((needle) => needle.toLowerCase());
  return JSON.stringify(
    parsed.map((entry: unknown) => {
      const text = JSON.stringify(entry).toLowerCase();
      return lowered.some((needle) => text.includes(needle)) ? scrubPersonalData(entry, needles) : entry;
    }),
  );
}

// --- workspace erasure -----------------------------------------------------------------------------------

/**
 * Erases the workspace's merchant data (Shopify's shop/redact, 48 h after uninstall): every customer (with tags,
 * segment memberships and predictions), cart, checkout, order (and its lines), event, inbox row, flow, enrollment,
 * message, suppression, segment, prediction model and API key, and the shop's sessions. The
 * workspace and store rows stay (without sender identity or credentials) so the request's record has a home
 * and a reinstall starts clean. `keepInboxEventId` is the delivery being processed, kept to be marked done.
 */
export async function eraseWorkspaceData(tx: DbTx, input: { workspaceId: string; now: Date; keepInboxEventId?: string }) {
  const { workspaceId } = input;
  const stores = await tx.store.findMany({ where: { workspaceId }, select: { platform: true, domain: true } });
  const shops = stores.filter((store) => store.platform === "shopify").map((store) => store.domain);
  const where = { workspaceId };
  const counts = {
    sessions: shops.length ? (await tx.session.deleteMany({ where: { shop: { in: shops } } })).count : 0,
    messageEvents: (await tx.messageEvent.deleteMany({ where })).count,
    messages: (await tx.message.deleteMany({ where })).count,
    messageContents: (await tx.messageContent.deleteMany({ where })).count,
    stepRuns: (await tx.stepRun.deleteMany({ where })).count,
    traces: (await tx.enrollmentTrace.deleteMany({ where })).count,
    enrollments: (await tx.enrollment.deleteMany({ where })).count,
    flowVersions: (await tx.flowVersion.deleteMany({ where })).count,
    flows: (await tx.flow.deleteMany({ where })).count,
    events: (await tx.event.deleteMany({ where })).count,
    inboxEvents: (await tx.inboxEvent.deleteMany({ where: { workspaceId, ...(input.keepInboxEventId ? { id: { not: input.keepInboxEventId } } : {}) } })).count,
    shipments: (await tx.shipment.deleteMany({ where })).count,
    orderLines: (await tx.orderLine.deleteMany({ where })).count,
    orders: (await tx.order.deleteMany({ where })).count,
    checkouts: (await tx.checkout.deleteMany({ where })).count,
    carts: (await tx.cart.deleteMany({ where })).count,
    identities: (await tx.customerIdentity.deleteMany({ where })).count,
    customerTags: (await tx.customerTag.deleteMany({ where })).count,
    segmentMemberships: (await tx.segmentMembership.deleteMany({ where })).count,
    segmentCountHistory: (await tx.segmentCountHistory.deleteMany({ where })).count,
    segments: (await tx.segment.deleteMany({ where })).count,
    predictions: (await tx.customerPrediction.deleteMany({ where })).count,
    predictionModels: (await tx.predictionModel.deleteMany({ where })).count,
    customers: (await tx.customer.deleteMany({ where })).count,
    apiKeys: (await tx.apiKey.deleteMany({ where })).count,
    suppressions: (await tx.suppression.deleteMany({ where })).count,
    consentUpdates: (await tx.consentUpdate.deleteMany({ where })).count,
    syncStates: (await tx.syncState.deleteMany({ where })).count,
    privacyRequests: (await tx.privacyRequest.updateMany({ where, data: { email: null } })).count,
  };
  // Earlier exports are merchant data too; earlier erasures keep their counts.
  await tx.privacyRequest.updateMany({ where: { workspaceId, kind: "data_request" }, data: { result: jsonInput({ erased: true, reason: "shop redacted", at: input.now.toISOString() }) } });
  await tx.workspace.update({ where: { id: workspaceId }, data: { fromEmail: null, fromName: null, settings: Prisma.JsonNull, sendgridApiKey: null, sendgridRegion: "global", senderVerifiedAt: null } });
  await tx.store.updateMany({ where: { workspaceId }, data: { credentials: null, webhookSecret: null } });
  return counts;
}

// --- requests --------------------------------------------------------------------------------------------

/**
 * Acts on a privacy event from ingest, in the inbox row's transaction; idempotent per inbox row (a replay finds
 * its request and does nothing more). Returns true when the event was a privacy event.
 */
export async function handlePrivacyEvent(
  tx: DbTx,
  input: { workspaceId: string; storeId: string; event: CanonicalEvent; inboxEventId: string; now: Date },
): Promise<boolean> {
  const { workspaceId, storeId, event, inboxEventId, now } = input;
  if (event.type !== "customer.data_request" && event.type !== "customer.redact" && event.type !== "store.redact") return false;
  const existing = await tx.privacyRequest.findUnique({ where: { inboxEventId } });
  if (existing?.status === "completed") return true;
  const subject = event.type === "store.redact" ? {} : { externalCustomerId: event.data.customer.externalId, email: event.data.customer.email };
  const kind: PrivacyKind = event.type === "customer.data_request" ? "data_request" : event.type === "customer.redact" ? "customer_redact" : "store_redact";
  const request =
    existing ??
    (await tx.privacyRequest.create({
      data: { workspaceId, storeId, kind, externalCustomerId: subject.externalCustomerId ?? null, email: subject.email ?? null, status: "pending", requestedAt: new Date(event.occurredAt), inboxEventId },
    }));
  await complete(tx, { workspaceId, storeId, requestId: request.id, kind, subject, now, inboxEventId });
  return true;
}

async function complete(
  tx: DbTx,
  input: { workspaceId: string; storeId?: string | null; requestId: string; kind: PrivacyKind; subject: CustomerSubject; now: Date; inboxEventId?: string },
) {
  const { workspaceId, storeId, requestId, kind, subject, now } = input;
  let result: Json;
  switch (kind) {
    case "data_request":
      result = await collectCustomerData(tx, { workspaceId, storeId, ...subject });
      break;
    case "customer_redact":
      result = toJson({ counts: await redactCustomer(tx, { workspaceId, storeId, now, exceptRequestId: requestId, ...subject }) });
      break;
    case "store_redact":
      result = toJson({ counts: await eraseWorkspaceData(tx, { workspaceId, now, keepInboxEventId: input.inboxEventId }) });
      break;
  }
  // The address is kept until the request completes; a data request's export names the customer itself.
  await tx.privacyRequest.update({ where: { id: requestId }, data: { status: "completed", completedAt: now, result: jsonInput(result), email: null, error: null } });
}

/** A data request from the admin or the API (platforms without compliance webhooks): the export, at once. */
export async function requestCustomerExport(deps: { db: Db }, input: { workspaceId: string; email?: string | null; externalCustomerId?: string | null; now: Date }) {
  return createAndComplete(deps, { ...input, kind: "data_request" });
}

/** An erasure from the admin or the API: the customer's personal data goes, the record keeps counts. */
export async function eraseCustomer(deps: { db: Db }, input: { workspaceId: string; email?: string | null; externalCustomerId?: string | null; now: Date }) {
  return createAndComplete(deps, { ...input, kind: "customer_redact" });
}

async function createAndComplete(deps: { db: Db }, input: { workspaceId: string; email?: string | null; externalCustomerId?: string | null; now: Date; kind: PrivacyKind }) {
  const email = input.email ? normalizeEmail(input.email) : null;
  if (input.email && !email) throw new PrivacyError("Enter a valid email address.");
  const externalCustomerId = input.externalCustomerId?.trim() || null;
  if (!email && !externalCustomerId) throw new PrivacyError("Name the customer by email or platform customer id.");
  return deps.db.$transaction(async (tx) => {
    const request = await tx.privacyRequest.create({
      data: { workspaceId: input.workspaceId, kind: input.kind, email, externalCustomerId, status: "pending", requestedAt: input.now },
    });
    await complete(tx, { workspaceId: input.workspaceId, requestId: request.id, kind: input.kind, subject: { email, externalCustomerId }, now: input.now });
    return { id: request.id };
  });
}

export interface PrivacyRequestSummary {
  id: string;
  kind: string;
  status: string;
  /** Who it is about, as far as the record still says (an erased customer is named by platform id only). */
  subject: string | null;
  counts: Record<string, number> | null;
  downloadable: boolean;
  requestedAt: string;
  completedAt: string | null;
}

function subjectOf(request: { kind: string; externalCustomerId: string | null; result: unknown }): string | null {
  const result = request.result;
  if (request.kind === "data_request" && typeof result === "object" && result !== null && "subject" in result) {
    const subject = result.subject;
    if (typeof subject === "object" && subject !== null && "email" in subject && typeof subject.email === "string") return subject.email;
  }
  return request.externalCustomerId ? `customer ${request.externalCustomerId}` : null;
}

function countsOf(result: unknown): Record<string, number> | null {
  if (typeof result !== "object" || result === null || !("counts" in result)) return null;
  const counts = result.counts;
  if (typeof counts !== "object" || counts === null) return null;
  return Object.fromEntries(Object.entries(counts).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}

/** The workspace's privacy requests, newest first. */
export async function listPrivacyRequests(db: Db, input: { workspaceId: string; limit?: number }): Promise<PrivacyRequestSummary[]> {
  const rows = await db.privacyRequest.findMany({ where: { workspaceId: input.workspaceId }, orderBy: { requestedAt: "desc" }, take: input.limit ?? 100 });
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    status: row.status,
    subject: subjectOf(row),
    counts: countsOf(row.result),
    downloadable: row.kind === "data_request" && row.status === "completed" && countsOf(row.result) === null && subjectOf(row) !== null,
    requestedAt: row.requestedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  }));
}

/** A completed data request's export, or null (unknown, another workspace's, not a data request, or erased since). */
export async function getPrivacyExport(db: Db, input: { workspaceId: string; requestId: string }) {
  const row = await db.privacyRequest.findFirst({ where: { id: input.requestId, workspaceId: input.workspaceId, kind: "data_request", status: "completed" } });
  if (!row || row.result === null) return null;
  const result = row.result;
  if (typeof result === "object" && !Array.isArray(result) && "erased" in result) return null;
  return { id: row.id, requestedAt: row.requestedAt, export: result };
}
