// SendGrid's Event Webhook: verify the ECDSA signature over timestamp + raw body, store the batch in the inbox
// (source "sendgrid", keyed by the body's hash), answer 200. The worker maps the events to our messages.
import type { ActionFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { storeDelivery } from "~/core/ingest/receive.server";
import {
  SENDGRID_EVENTS_TOPIC,
  SENDGRID_SOURCE,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  parseSendGridPublicKey,
  sendGridDeliveryKey,
  verifySendGridSignature,
} from "~/core/messaging/sendgrid-webhook.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";
import { env } from "~/env.server";

export async function action({ request }: ActionFunctionArgs) {
  const configured = env().SENDGRID_WEBHOOK_PUBLIC_KEY;
  const publicKey = configured ? parseSendGridPublicKey(configured) : null;
  if (!publicKey) return new Response("The SendGrid event webhook is not configured on this server", { status: 404 });
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });

  const rawBody = await request.text();
  const signature = request.headers.get(SIGNATURE_HEADER);
  const timestamp = request.headers.get(TIMESTAMP_HEADER);
  if (!verifySendGridSignature({ publicKey, signature, timestamp, rawBody })) {
    return new Response("Invalid event webhook signature", { status: 401 });
  }
  await storeDelivery(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler() },
    {
      source: SENDGRID_SOURCE,
      workspaceId: null, // a batch may span workspaces: each event is resolved through its message id
      storeId: null,
      topic: SENDGRID_EVENTS_TOPIC,
      dedupeKey: sendGridDeliveryKey(rawBody),
      eventId: null,
      rawBody,
      headers: { [SIGNATURE_HEADER]: signature ?? "", [TIMESTAMP_HEADER]: timestamp ?? "" },
    },
  );
  return new Response(null, { status: 200 });
}

export function loader() {
  return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
}
