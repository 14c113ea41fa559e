import "@shopify/shopify-api/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/**
 * Sends every request the Shopify libraries make to `https://{shop}/…` to `origin` instead, naming the shop in
 * `x-shopify-shop-domain`. For the Shopify emulator in tests and local runs (SHOPIFY_ADMIN_API_ORIGIN); the
 * libraries force https and the shop's host, so the switch has to sit under them, in their fetch.
 * Call after the libraries are imported (their adapters set the fetch function on import).
 */
export function routeShopifyRequestsTo(origin: string): void {
  setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const original = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set("x-shopify-shop-domain", original.host);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    return fetch(new URL(original.pathname + original.search, origin), { method: request.method, headers, body });
  });
}
