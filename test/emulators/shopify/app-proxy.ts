// Shopify's App Proxy, as far as the app can tell: a storefront request `https://{shop}/apps/nudgeflow/<rest>` is
// forwarded to `{app}/proxy/<rest>` with `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and a hex
// HMAC-SHA256 `signature` of the sorted query added, the shopper's address in X-Forwarded-For, cookies stripped.
// Signed here on its own (not with the app's code), following Shopify's reference algorithm.
import { createHmac } from "node:crypto";

export interface ProxyForwardArgs {
  /** The app's origin, e.g. `http://127.0.0.1:3000`. */
  appUrl: string;
  secret: string;
  shop: string;
  /** The path after the proxy prefix, e.g. `/capture`. */
  path: string;
  /** Sent as is (a string) or as JSON. */
  body: unknown;
  /** The storefront request's own query parameters, kept and signed. */
  query?: [string, string][];
  /** "" (Shopify's value for guests) unless a customer is logged in. */
  loggedInCustomerId?: string;
  clientIp?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Sent instead of the real signature, to forge a request; null leaves it out. */
  signature?: string | null;
  pathPrefix?: string;
}

export function signProxyQuery(params: [string, string][], secret: string): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of params) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  const message = [...byKey.entries()]
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .sort()
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export async function forwardAppProxy(args: ProxyForwardArgs): Promise<Response> {
  const params: [string, string][] = [
    ...(args.query ?? []),
    ["shop", args.shop],
    ["logged_in_customer_id", args.loggedInCustomerId ?? ""],
    ["path_prefix", args.pathPrefix ?? "/apps/nudgeflow"],
    ["timestamp", String(args.timestamp ?? Math.floor(Date.now() / 1000))],
  ];
  const signature = args.signature === undefined ? signProxyQuery(params, args.secret) : args.signature;
  const search = new URLSearchParams(params);
  if (signature !== null) search.append("signature", signature);
  return fetch(`${args.appUrl}/proxy${args.path}?${search}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Forwarded-For": args.clientIp ?? "203.0.113.10",
      "X-Forwarded-Host": args.shop,
    },
    body: typeof args.body === "string" ? args.body : JSON.stringify(args.body),
  });
}
