// Every Shopify webhook topic (shopify.app.toml points them all here): verify the HMAC on the raw body, store
// the delivery in the inbox keyed by X-Shopify-Webhook-Id, answer 200. Processing happens in the worker.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { systemClock } from "~/core/clock";
import { receiveShopifyWebhook } from "~/core/ingest/receive.server";
import { verifyShopifyWebhook } from "~/core/adapters/shopify/verify.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";
import { shopifyCredentials } from "~/env.server";

const WebhookHeaders = z.object({
  "x-shopify-topic": z.string().min(1),
  "x-shopify-shop-domain": z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i, "must be a myshopify.com domain"),
  "x-shopify-webhook-id": z.string().min(1),
  "x-shopify-event-id": z.string().optional(),
});

export async function action({ request }: ActionFunctionArgs) {
  const credentials = shopifyCredentials();
  if (!credentials) return new Response("Shopify is not configured on this server", { status: 404 });
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });

  const rawBody = await request.text();
  if (!verifyShopifyWebhook(rawBody, request.headers.get("x-shopify-hmac-sha256"), credentials.apiSecret)) {
    return new Response("Invalid webhook signature", { status: 401 });
  }
  const shopifyHeaders = Object.fromEntries([...request.headers].filter(([name]) => name.startsWith("x-shopify-")));
  const headers = WebhookHeaders.safeParse(shopifyHeaders);
  if (!headers.success) {
    const problems = headers.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    return new Response(`Missing or invalid webhook headers: ${problems}`, { status: 400 });
  }
  await receiveShopifyWebhook(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler() },
    {
      shop: headers.data["x-shopify-shop-domain"].toLowerCase(),
      topic: headers.data["x-shopify-topic"],
      dedupeKey: headers.data["x-shopify-webhook-id"],
      eventId: headers.data["x-shopify-event-id"] ?? null,
      rawBody,
      headers: shopifyHeaders,
    },
  );
  return new Response(null, { status: 200 });
}

export function loader() {
  return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
}
