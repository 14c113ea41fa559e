// WooCommerce webhooks of one connected store (registered by connect, one URL per store): the creation ping is
// answered 200; a delivery is verified with the store's secret, stored in the inbox, answered 200. Processing
// happens in the worker.
import type { ActionFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { receiveWooCommerceWebhook } from "~/core/ingest/woocommerce-webhook.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";
import { secretBox } from "~/secrets.server";

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
  const rawBody = await request.text();
  const outcome = await receiveWooCommerceWebhook(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler(), secretBox },
    { storeId: params.storeId ?? "", rawBody, headers: Object.fromEntries(request.headers) },
  );
  switch (outcome.kind) {
    case "unknown-store":
      return new Response("Unknown store", { status: 404 });
    case "forged":
      return new Response("Invalid webhook signature", { status: 401 });
    case "bad-headers":
      return new Response(`Missing or invalid webhook headers: ${outcome.error}`, { status: 400 });
    case "ping":
    case "stored":
    case "duplicate":
      return new Response(null, { status: 200 });
  }
}

export function loader() {
  return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
}
