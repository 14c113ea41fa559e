// The suppression list: addresses a workspace sends no marketing email to (bounced, complained, unsubscribed).
// One row per workspace and address; the first reason is kept.
import { hash } from "node:crypto";
import type { Db, DbTx } from "~/db.server";
import { normalizeEmail } from "~/core/events/normalize";
import { recordConsentChange, type ConsentSource } from "./consent-updates.server";
import { isSuppressionReason, REASON_LABEL, SUPPRESSION_REASONS, type SuppressionReason } from "./suppression-reasons";

export { isSuppressionReason, REASON_LABEL, SUPPRESSION_REASONS, type SuppressionReason };
export type SuppressionSource = "sendgrid" | "unsubscribe_link" | "one_click" | "admin" | "import";

const SOURCE_LABEL: Partial<Record<string, string>> & Record<SuppressionSource, string> = {
  sendgrid: "SendGrid",
  unsubscribe_link: "unsubscribe link",
  one_click: "one-click unsubscribe",
  admin: "admin",
  import: "import",
};

/** Sources whose unsubscribe the customer may take back on the preference page (their own, through our link). */
export const RESUBSCRIBABLE_SOURCES: readonly string[] = ["unsubscribe_link", "one_click"] satisfies SuppressionSource[];

/** An entry as the trace and the admin say it: `unsubscribed (unsubscribe link, 2026-11-25)`. */
export function describeSuppression(row: { reason: string; source: string; createdAt: Date; detail?: string | null }): string {
  const reason = isSuppressionReason(row.reason) ? REASON_LABEL[row.reason] : row.reason;
  const source = SOURCE_LABEL[row.source] ?? row.source;
  return `${reason} (${source}, ${row.createdAt.toISOString().slice(0, 10)})${row.detail ? `: ${row.detail}` : ""}`;
}

const REASON_TEXT: Partial<Record<string, string>> & Record<SuppressionReason, string> = {
  bounce: "the address bounced",
  spamreport: "the recipient reported an email as spam",
  unsubscribe: "the recipient unsubscribed",
  group_unsubscribe: "the recipient unsubscribed",
  manual: "the address was suppressed by hand",
};

/** Adds the address to the workspace's list (no-op when it is there). Returns false for an unusable address. */
export async function suppressAddress(
  db: DbTx,
  input: { workspaceId: string; email: string; reason: SuppressionReason; source: SuppressionSource; messageId?: string | null; detail?: string | null; now: Date },
): Promise<boolean> {
  const email = normalizeEmail(input.email);
  if (!email) return false;
  await db.suppression.upsert({
    where: { workspaceId_email: { workspaceId: input.workspaceId, email } },
    create: {
      workspaceId: input.workspaceId,
      email,
      reason: input.reason,
      source: input.source,
      messageId: input.messageId ?? null,
      detail: input.detail ?? null,
      createdAt: input.now,
    },
    update: {},
  });
  return true;
}

/**
 * Marketing consent off for the workspace's customer with this address: the profile now, the stores that know the
 * customer by the worker's write-back pass (consent-updates.server.ts). Runs in the caller's transaction.
 */
export async function withdrawMarketingConsent(db: DbTx, input: { workspaceId: string; email: string; source: ConsentSource; now: Date }): Promise<void> {
  await recordConsentChange(db, { ...input, subscribed: false });
}

/**
 * Reasons that stop transactional email too (the address cannot take mail, the recipient called it spam, or the
 * merchant blocked it by hand). An unsubscribe withdraws marketing consent only.
 */
const BLOCKS_TRANSACTIONAL: SuppressionReason[] = ["bounce", "spamreport", "manual"];

/** The entry that keeps this address from marketing email (or, with `kind: "transactional"`, from all email), if any. */
export async function blockingSuppression(db: DbTx | Db, input: { workspaceId: string; email: string; kind?: "marketing" | "transactional" }) {
  const email = normalizeEmail(input.email);
  if (!email) return null;
  // An erased customer's entry is kept as a one-way digest (core/privacy, ADR 0013): it still blocks the address.
  return db.suppression.findFirst({
    where: {
      workspaceId: input.workspaceId,
      email: { in: [email, suppressionDigest(input.workspaceId, email)] },
      ...(input.kind === "transactional" ? { reason: { in: BLOCKS_TRANSACTIONAL } } : {}),
    },
  });
}

/** Why this address gets no marketing email (or, with `kind: "transactional"`, no email at all), or null when it may. */
export async function suppressionOf(db: DbTx | Db, input: { workspaceId: string; email: string; kind?: "marketing" | "transactional" }): Promise<string | null> {
  const row = await blockingSuppression(db, input);
  if (!row) return null;
  const reason = REASON_TEXT[row.reason] ?? row.reason;
  return `Not sent: ${reason} (${row.source}, ${row.createdAt.toISOString().slice(0, 10)})${row.detail ? `: ${row.detail}` : ""}`;
}

/** What an email step records when it skips the recipient: `unsubscribed (unsubscribe link, 2026-11-25)`, or null. */
export async function skipReasonFor(db: DbTx | Db, input: { workspaceId: string; email: string | null; kind: "marketing" | "transactional" }): Promise<string | null> {
  if (!input.email) return null;
  const row = await blockingSuppression(db, { workspaceId: input.workspaceId, email: input.email, kind: input.kind });
  return row ? describeSuppression({ ...row, detail: null }) : null;
}

/**
 * What an erased customer's suppression entry keeps instead of the address: a SHA-256 of the workspace and the
 * normalized address. Enough to recognise the address if it comes back; it cannot be read back into one.
 */
export function suppressionDigest(workspaceId: string, email: string): string {
  return `sha256:${hash("sha256", `${workspaceId}:${email}`, "hex")}`; // one-shot: the dispatcher digests every recipient
}
