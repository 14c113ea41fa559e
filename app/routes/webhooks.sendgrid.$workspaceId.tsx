// The Event Webhook of a workspace's own SendGrid account (docs/decisions/0027): verified with the key that account
// gave us, stored in the inbox for the worker, answered 200. Unknown workspace or no key: 404; forged: 401.
import type { ActionFunctionArgs } from "@remix-run/node";
import { assertUnreachable } from "~/core/assert";
import { systemClock } from "~/core/clock";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "~/core/messaging/sendgrid-webhook.server";
import { receiveWorkspaceSendGridEvents } from "~/core/messaging/workspace-webhook.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
  const receipt = await receiveWorkspaceSendGridEvents(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler() },
    { workspaceId: params.workspaceId ?? "", rawBody: await request.text(), signature: request.headers.get(SIGNATURE_HEADER), timestamp: request.headers.get(TIMESTAMP_HEADER) },
  );
  switch (receipt.status) {
    case "not-configured":
      return new Response("No signed SendGrid event webhook is set up for this workspace", { status: 404 });
    case "invalid-signature":
      return new Response("Invalid event webhook signature", { status: 401 });
    case "stored":
      return new Response(null, { status: 200 });
    default:
      return assertUnreachable(receipt);
  }
}

export function loader() {
  return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
}
