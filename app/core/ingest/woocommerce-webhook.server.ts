// A WooCommerce delivery to /webhooks/woocommerce/{storeId}: the store's own secret verifies it, and it becomes an
// inbox row keyed by X-WC-Webhook-Delivery-ID. WooCommerce's creation ping (`webhook_id=N`, unsigned) is answered
// and never stored.
import { z } from "zod";
import type { SecretBox } from "~/core/crypto.server";
import { verifyWooCommerceSignature } from "~/core/adapters/woocommerce/verify.server";
import { storeDelivery, type ReceiveDeps } from "./receive.server";

export type WooWebhookOutcome =
  | { kind: "unknown-store" }
  | { kind: "ping"; webhookId: string }
  | { kind: "forged" }
  | { kind: "bad-headers"; error: string }
  | { kind: "stored"; id: string }
  | { kind: "duplicate"; duplicateOf: string };

const DeliveryHeaders = z.object({
  "x-wc-webhook-topic": z.string().min(1),
  "x-wc-webhook-delivery-id": z.string().min(1),
});

const PING = /^webhook_id=(\d+)$/;

export async function receiveWooCommerceWebhook(
  deps: ReceiveDeps & { secretBox: () => SecretBox },
  input: { storeId: string; rawBody: string; headers: Record<string, string> },
): Promise<WooWebhookOutcome> {
  const store = await deps.db.store.findUnique({ where: { id: input.storeId } });
  if (!store || store.platform !== "woocommerce" || !store.webhookSecret) return { kind: "unknown-store" };

  const signature = input.headers["x-wc-webhook-signature"];
  const ping = PING.exec(input.rawBody.trim());
  if (!signature && ping) return { kind: "ping", webhookId: ping[1] };

  if (!verifyWooCommerceSignature(input.rawBody, signature, deps.secretBox().open(store.webhookSecret))) return { kind: "forged" };

  const wcHeaders = Object.fromEntries(Object.entries(input.headers).filter(([name]) => name.startsWith("x-wc-")));
  const headers = DeliveryHeaders.safeParse(wcHeaders);
  if (!headers.success) return { kind: "bad-headers", error: headers.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };

  const receipt = await storeDelivery(deps, {
    source: "woocommerce",
    workspaceId: store.workspaceId,
    storeId: store.id,
    topic: headers.data["x-wc-webhook-topic"],
    // Delivery ids are a hash of the webhook id and time: unique per site, prefixed with the store to be unique here.
    dedupeKey: `${store.id}:${headers.data["x-wc-webhook-delivery-id"]}`,
    eventId: null,
    rawBody: input.rawBody,
    headers: wcHeaders,
  });
  return receipt.stored ? { kind: "stored", id: receipt.id } : { kind: "duplicate", duplicateOf: receipt.duplicateOf };
}
