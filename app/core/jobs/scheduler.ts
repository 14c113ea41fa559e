// Wake-ups. The database holds all due work (inbox rows, enrollments with `wakeAt`, queued messages); a scheduler
// is only told "this item is due at this time" so a job queue can wake a worker then. Core calls `notify` after
// the write has committed and never waits on it: without Redis it is a no-op (the polling loop finds the work),
// with Redis a lost notification is found again by the sweeper (docs/decisions/0024).

/** The kinds of due work: an inbox row to process, an enrollment's next step, a queued message to send. */
export type WakeKind = "inbox" | "step" | "dispatch";

export interface Scheduler {
  /** `id` (an inbox row, an enrollment, a message) is due at `at`. Never throws; returns at once. */
  notify(kind: WakeKind, id: string, at: Date): void;
}

export const noopScheduler: Scheduler = { notify: () => undefined };

/**
 * The job id of a wake-up: the same item due at the same time is one job, however many producers (the step that
 * set the time, every worker's sweeper) announce it. BullMQ refuses `:` in custom ids, so `_` separates.
 */
export function wakeJobId(kind: WakeKind, id: string, at: Date): string {
  return `${kind}_${id}_${at.getTime()}`;
}
