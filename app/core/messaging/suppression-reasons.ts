// The suppression list's vocabulary, shared by the server and the admin page (no server code here).
export const SUPPRESSION_REASONS = ["bounce", "spamreport", "unsubscribe", "group_unsubscribe", "manual"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export function isSuppressionReason(value: string): value is SuppressionReason {
  return SUPPRESSION_REASONS.some((reason) => reason === value);
}

/** How a list entry's reason reads on its own ("unsubscribed", "bounced"). */
export const REASON_LABEL: Record<SuppressionReason, string> = {
  bounce: "bounced",
  spamreport: "reported as spam",
  unsubscribe: "unsubscribed",
  group_unsubscribe: "unsubscribed (SendGrid group)",
  manual: "blocked by hand",
};

/** What the list and the export show for an erased customer's entry (a one-way digest). */
export const ERASED_LABEL = "(erased)";

/** The largest CSV an import takes: a file this big is a mistake or an attack, not a suppression list. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
