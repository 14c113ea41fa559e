// Consent write-back: a customer's unsubscribe or resubscribe, wherever it happened (the unsubscribe link, RFC 8058
// one-click, the preference page, SendGrid's unsubscribe and spam-report events), is told to every store that knows
// the customer, so the store's own marketing (and the next app reading its consent) agrees with us.
//
// Two halves (docs/decisions/0028): `recordConsentChange` runs inside the request's or inbox row's transaction and
// only writes rows (the profile's flag, a canonical consent event on the customer's timeline, one pending
// ConsentUpdate per store); `runConsentUpdates` is the worker's pass that calls the stores, with retries and
// backoff, and records why a store could not take it (`unsupported`, `failed`) or why it was not sent (`superseded`).
import { z } from "zod";
import type { Db, DbTx } from "~/db.server";
import type { Clock } from "~/core/clock";
import type { EventOfType } from "~/core/events";
import { normalizeEmail } from "~/core/events/normalize";
import type { Logger } from "~/core/logger.server";
import type { ActionResult } from "~/core/adapters/adapter";
import type { StoreActionsFor } from "~/core/adapters/store-actions.server";
import { reevaluateCustomers } from "~/core/segments/membership.server";

export const CONSENT_SOURCES = ["unsubscribe_link", "one_click", "preference_page", "sendgrid", "admin"] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** pending → done | unsupported | failed | superseded (a newer change, ours or the store's, replaced it). */
export type ConsentUpdateStatus = "pending" | "done" | "unsupported" | "failed" | "superseded";

const SOURCE_TEXT: Record<ConsentSource, string> = {
  unsubscribe_link: "the unsubscribe link",
  one_click: "one-click unsubscribe",
  preference_page: "the email preference page",
  sendgrid: "SendGrid",
  admin: "the admin",
};

/** Tries per store before a retryable failure is given up as `failed`. */
export const MAX_CONSENT_ATTEMPTS = 5;
/** A claimed row stays invisible to other workers this long (a worker that dies mid-call leaves it for later). */
const CLAIM_LEASE_MS = 5 * 60_000;

function backoffMs(attempt: number): number {
  return Math.min(60_000 * 4 ** (attempt - 1), 6 * 3_600_000);
}

const OurConsentEvent = z.object({ acceptsMarketing: z.boolean() });

/**
 * Records that the workspace's customer with this address subscribed or unsubscribed: the profile's
 * `acceptsMarketing`, a `customer.consent.update` event (storeId null: ours; the timeline shows it, and a store
 * webhook older than it no longer overwrites the flag: profiles/apply.server.ts), and one pending write-back per
 * active store the customer is known in. A repeat of the change we last recorded does nothing (mail clients POST
 * one-click twice). Runs in the caller's transaction. Returns how many write-backs it queued.
 */
export async function recordConsentChange(
  tx: DbTx,
  input: { workspaceId: string; email: string; subscribed: boolean; source: ConsentSource; now: Date },
): Promise<number> {
  const email = normalizeEmail(input.email);
  if (!email) return 0;
  const { workspaceId, subscribed, now } = input;
  const customer = await tx.customer.findUnique({ where: { workspaceId_email: { workspaceId, email } } });
  if (!customer || customer.redactedAt) return 0;
  const ours = await tx.event.findFirst({
    where: { workspaceId, customerId: customer.id, storeId: null, type: "customer.consent.update" },
    orderBy: { occurredAt: "desc" },
    select: { data: true },
  });
  const last = OurConsentEvent.safeParse(ours?.data);
  if (customer.acceptsMarketing === subscribed && last.success && last.data.acceptsMarketing === subscribed) return 0;

  if (customer.acceptsMarketing !== subscribed) await tx.customer.update({ where: { id: customer.id }, data: { acceptsMarketing: subscribed } });
  const data: EventOfType<"customer.consent.update">["data"] = {
    customer: { externalId: null, email },
    acceptsMarketing: subscribed,
    state: `${subscribed ? "subscribed" : "unsubscribed"} through ${SOURCE_TEXT[input.source]}`,
    consentUpdatedAt: now.toISOString(),
  };
  await tx.event.create({ data: { workspaceId, storeId: null, customerId: customer.id, type: "customer.consent.update", version: 1, occurredAt: now, data } });

  // The stores that know the customer: their identities there (the store's customer id), and the store of origin.
  const identities = await tx.customerIdentity.findMany({ where: { workspaceId, customerId: customer.id }, orderBy: { createdAt: "asc" } });
  const storeIds = [...new Set([...identities.map((identity) => identity.storeId), ...(customer.originStoreId ? [customer.originStoreId] : [])])];
  const stores = await tx.store.findMany({ where: { workspaceId, id: { in: storeIds }, status: "active" }, select: { id: true } });
  for (const store of stores) {
    // An earlier change not yet written is replaced by this one: only the latest state is worth telling.
    await tx.consentUpdate.updateMany({
      where: { workspaceId, storeId: store.id, email, status: "pending" },
      data: { status: "superseded", error: `replaced by a newer change (${subscribed ? "subscribed" : "unsubscribed"}, ${now.toISOString()}) before it was written` },
    });
    await tx.consentUpdate.create({
      data: {
        workspaceId,
        storeId: store.id,
        customerExternalId: identities.find((identity) => identity.storeId === store.id)?.externalId ?? null,
        email,
        subscribed,
        source: input.source,
        status: "pending",
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      },
    });
  }
  await reevaluateCustomers(tx, { workspaceId, customerIds: [customer.id], now, cause: "event" });
  return stores.length;
}

export interface ConsentPassDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  storeActionsFor: StoreActionsFor;
}

/** The worker's pass: performs due write-backs; returns how many it looked at. */
export async function runConsentUpdates(deps: ConsentPassDeps, limit = 50): Promise<number> {
  const { db, clock } = deps;
  const due = await db.consentUpdate.findMany({
    where: { status: "pending", nextAttemptAt: { lte: clock.now() } },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let handled = 0;
  for (const row of due) if (await performClaimed(deps, row)) handled += 1;
  return handled;
}

type ConsentUpdateRow = Awaited<ReturnType<Db["consentUpdate"]["findMany"]>>[number];

async function performClaimed(deps: ConsentPassDeps, row: ConsentUpdateRow): Promise<boolean> {
  const { db, clock, logger } = deps;
  const attempt = row.attempts + 1;
  const claimed = await db.consentUpdate.updateMany({
    where: { id: row.id, status: "pending", attempts: row.attempts },
    data: { attempts: attempt, nextAttemptAt: new Date(clock.now().getTime() + CLAIM_LEASE_MS) },
  });
  if (claimed.count !== 1) return false;
  const settle = async (status: ConsentUpdateStatus, error: string | null) => {
    await db.consentUpdate.updateMany({ where: { id: row.id, status: "pending" }, data: { status, error, doneAt: clock.now() } });
    const log = { workspaceId: row.workspaceId, consentUpdateId: row.id, storeId: row.storeId, status, attempt };
    if (status === "failed") logger.warn(log, `consent write-back failed: ${error ?? ""}`);
    else logger.info(log, "consent write-back settled");
  };

  const store = await db.store.findFirst({ where: { id: row.storeId, workspaceId: row.workspaceId } });
  if (!store) {
    await settle("failed", "the store no longer exists in this workspace");
    return true;
  }
  // The store changed the customer's consent itself after our change (a checkbox at checkout): theirs is newer.
  const customer = await db.customer.findUnique({ where: { workspaceId_email: { workspaceId: row.workspaceId, email: row.email } }, select: { id: true } });
  const newer = customer
    ? await db.event.findFirst({
        where: { workspaceId: row.workspaceId, storeId: store.id, customerId: customer.id, type: "customer.consent.update", occurredAt: { gt: row.createdAt } },
        orderBy: { occurredAt: "desc" },
        select: { occurredAt: true, data: true },
      })
    : null;
  if (newer) {
    const state = OurConsentEvent.safeParse(newer.data);
    const said = state.success ? (state.data.acceptsMarketing ? "subscribed" : "not subscribed") : "changed";
    await settle("superseded", `the store recorded a newer consent change (${said}, ${newer.occurredAt.toISOString()}); ours was not written over it`);
    return true;
  }

  const resolved = deps.storeActionsFor(store);
  let result: ActionResult<null>;
  if (resolved.ok) {
    result = await resolved.actions.updateMarketingConsent({
      customerExternalId: row.customerExternalId,
      email: row.email,
      subscribed: row.subscribed,
      changedAt: row.createdAt.toISOString(),
    });
  } else {
    // An active store we cannot act on yet (credentials not at hand) may be later; an uninstalled one will not be.
    result = store.status === "active" ? { ok: false, retryable: true, error: resolved.error } : { ok: false, error: resolved.error };
  }
  if (result.ok) {
    await settle("done", null);
    return true;
  }
  if (result.unsupported) {
    await settle("unsupported", result.error);
    return true;
  }
  if (!result.retryable || attempt >= MAX_CONSENT_ATTEMPTS) {
    await settle("failed", attempt >= MAX_CONSENT_ATTEMPTS && result.retryable ? `${result.error} (gave up after ${attempt} attempts)` : result.error);
    return true;
  }
  const nextAttemptAt = new Date(clock.now().getTime() + backoffMs(attempt));
  await db.consentUpdate.updateMany({ where: { id: row.id, status: "pending" }, data: { error: result.error, nextAttemptAt } });
  logger.info({ workspaceId: row.workspaceId, consentUpdateId: row.id, attempt, nextAttemptAt }, `consent write-back will be retried: ${result.error}`);
  return true;
}

/** The write-backs of one address (the preference page and the suppression list show them), newest first. */
export async function consentUpdatesOf(db: Db | DbTx, input: { workspaceId: string; email: string }) {
  const email = normalizeEmail(input.email);
  if (!email) return [];
  return db.consentUpdate.findMany({ where: { workspaceId: input.workspaceId, email }, orderBy: { createdAt: "desc" }, take: 20 });
}
