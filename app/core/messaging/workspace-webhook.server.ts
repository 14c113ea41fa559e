// Event Webhook posts from a workspace's own SendGrid account (/webhooks/sendgrid/<workspaceId>): verified with the
// key that account gave when we turned signing on (email-settings.server.ts), stored in the inbox like the app's
// own webhook (source "sendgrid"), with the workspace on the row. The worker maps the events to messages.
import type { Clock } from "~/core/clock";
import { storeDelivery } from "~/core/ingest/receive.server";
import type { Scheduler } from "~/core/jobs/scheduler";
import type { Db } from "~/db.server";
import { eventWebhookKeyOf } from "./email-settings.server";
import { SENDGRID_EVENTS_TOPIC, SENDGRID_SOURCE, SIGNATURE_HEADER, TIMESTAMP_HEADER, sendGridDeliveryKey, verifySendGridSignature } from "./sendgrid-webhook.server";

export type WorkspaceEventsReceipt =
  /** The workspace has no signed webhook of its own (no key saved, or set up by hand without us). */
  | { status: "not-configured" }
  | { status: "invalid-signature" }
  | { status: "stored"; duplicate: boolean };

export async function receiveWorkspaceSendGridEvents(
  deps: { db: Db; clock: Clock; scheduler?: Scheduler },
  input: { workspaceId: string; rawBody: string; signature: string | null; timestamp: string | null },
): Promise<WorkspaceEventsReceipt> {
  const publicKey = await eventWebhookKeyOf(deps.db, { workspaceId: input.workspaceId });
  if (!publicKey) return { status: "not-configured" };
  if (!verifySendGridSignature({ publicKey, signature: input.signature, timestamp: input.timestamp, rawBody: input.rawBody })) {
    return { status: "invalid-signature" };
  }
  const receipt = await storeDelivery(deps, {
    source: SENDGRID_SOURCE,
    workspaceId: input.workspaceId,
    storeId: null,
    topic: SENDGRID_EVENTS_TOPIC,
    // Per workspace, so one account's deliveries never dedupe against another's.
    dedupeKey: `${input.workspaceId}:${sendGridDeliveryKey(input.rawBody)}`,
    eventId: null,
    rawBody: input.rawBody,
    headers: { [SIGNATURE_HEADER]: input.signature ?? "", [TIMESTAMP_HEADER]: input.timestamp ?? "" },
  });
  return { status: "stored", duplicate: !receipt.stored };
}
