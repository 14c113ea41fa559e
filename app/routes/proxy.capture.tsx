// POST /proxy/capture — the storefront script's cart and email capture, forwarded by Shopify's App Proxy from
// `https://{shop}/apps/nudgeflow/capture` (shopify.app.toml [app_proxy]). Verify Shopify's query signature,
// rate-limit per shop and shopper, read a bounded body, validate it, store it in the inbox, answer 200.
// The proxy strips cookies both ways: nothing here reads or sets one. docs/decisions/0010-storefront-capture.md
import type { ActionFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { verifyAppProxyRequest } from "~/core/adapters/shopify/app-proxy.server";
import { CART_CAPTURE_MAX_BYTES, CartCaptureBody } from "~/core/adapters/shopify/cart-capture";
import { clientAddress, createCaptureRateLimits, receiveShopifyCartCapture } from "~/core/ingest/storefront.server";
import { getDb } from "~/db.server";
import { jobScheduler } from "~/services.server";
import { shopifyCredentials } from "~/env.server";
import { readBoundedText } from "~/http.server";

const rateLimits = createCaptureRateLimits({ clock: systemClock });

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });

export async function action({ request }: ActionFunctionArgs) {
  const credentials = shopifyCredentials();
  if (!credentials) return json(404, { ok: false, error: "Shopify is not configured on this server" });
  if (request.method !== "POST") return json(405, { ok: false, error: "Method not allowed" }, { Allow: "POST" });

  const verified = verifyAppProxyRequest(new URL(request.url).searchParams, credentials.apiSecret, systemClock.now());
  if (!verified.ok) return json(401, { ok: false, error: "Invalid proxy signature" });

  const limit = rateLimits.take({ shop: verified.shop, client: clientAddress(request.headers.get("x-forwarded-for")) });
  if (!limit.allowed) return json(429, { ok: false, error: "Too many requests" }, { "Retry-After": String(limit.retryAfterSeconds) });

  const rawBody = await readBoundedText(request, CART_CAPTURE_MAX_BYTES);
  if (rawBody === null) return json(413, { ok: false, error: `Body larger than ${CART_CAPTURE_MAX_BYTES} bytes` });
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(rawBody);
  } catch {
    return json(400, { ok: false, errors: { "(body)": ["must be JSON"] } });
  }
  const body = CartCaptureBody.safeParse(parsedJson);
  if (!body.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of body.error.issues) {
      const field = issue.path.length ? issue.path.join(".") : "(body)";
      (errors[field] ??= []).push(issue.message);
    }
    return json(400, { ok: false, errors });
  }

  await receiveShopifyCartCapture(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler() },
    {
      shop: verified.shop,
      loggedInCustomerId: verified.loggedInCustomerId,
      timestamp: verified.timestamp,
      pathPrefix: verified.pathPrefix,
      capture: body.data,
      rawBody,
    },
  );
  return json(200, { ok: true });
}

export function loader() {
  return json(405, { ok: false, error: "Method not allowed" }, { Allow: "POST" });
}

