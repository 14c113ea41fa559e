// The suppression list: addresses a workspace sends no marketing email to (bounced, complained, unsubscribed).
// One row per workspace and address; the first reason is kept.
import { createHash } from "node:crypto";
import type { Db, DbTx } from "~/db.server";
import { normalizeEmail } from "~/core/events/normalize";

export type SuppressionReason = "bounce" | "spamreport" | "unsubscribe" | "group_unsubscribe" | "manual";
export type SuppressionSource = "sendgrid" | "unsubscribe_link" | "one_click" | "admin" | "import";

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

/** Marketing consent off for the workspace's customer with this address (the profile, not the store yet). */
export async function withdrawMarketingConsent(db: DbTx, input: { workspaceId: string; email: string }): Promise<void> {
  const email = normalizeEmail(input.email);
  if (!email) return;
  await db.customer.updateMany({ where: { workspaceId: input.workspaceId, email }, data: { acceptsMarketing: false } });
}

/**
 * Reasons that stop transactional email too (the address cannot take mail, the recipient called it spam, or the
 * merchant blocked it by hand). An unsubscribe withdraws marketing consent only.
 */
const BLOCKS_TRANSACTIONAL: SuppressionReason[] = ["bounce", "spamreport", "manual"];

/** Why this address gets no marketing email (or, with `kind: "transactional"`, no email at all), or null when it may. */
export async function suppressionOf(db: DbTx | Db, input: { workspaceId: string; email: string; kind?: "marketing" | "transactional" }): Promise<string | null> {
  const email = normalizeEmail(input.email);
  if (!email) return null;
  // An erased customer's entry is kept as a one-way digest (core/privacy, ADR 0013): it still blocks the address.
  const row = await db.suppression.findFirst({
    where: {
      workspaceId: input.workspaceId,
      email: { in: [email, suppressionDigest(input.workspaceId, email)] },
      ...(input.kind === "transactional" ? { reason: { in: BLOCKS_TRANSACTIONAL } } : {}),
    },
  });
  if (!row) return null;
  const reason = REASON_TEXT[row.reason] ?? row.reason;
  return `Not sent: ${reason} (${row.source}, ${row.createdAt.toISOString().slice(0, 10)})${row.detail ? `: ${row.detail}` : ""}`;
}

/**
 * What an erased customer's suppression entry keeps instead of the address: a SHA-256 of the workspace and the
 * normalized address. Enough to recognise the address if it comes back; it cannot be read back into one.
 */
export function suppressionDigest(workspaceId: string, email: string): string {
  return `sha256:${createHash("sha256").update(`${workspaceId}:${email}`).digest("hex")}`;
}
