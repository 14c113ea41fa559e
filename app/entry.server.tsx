// Server rendering: stream the shell to browsers, wait for everything for bots, and add Shopify's document
// headers (frame-ancestors CSP, link preloads) when the Shopify app is configured, plus our security headers.
import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { getShopify } from "~/shopify.server";

export const streamTimeout = 5_000;

/**
 * Every document: no MIME sniffing, no full URLs (with their shop and tokens) in Referer to other origins. A
 * document Shopify's headers allowed to be framed (frame-ancestors for the shop and admin.shopify.com, when the
 * request names a shop) keeps that; every other one may not be framed at all.
 */
function addSecurityHeaders(headers: Headers) {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  const csp = headers.get("Content-Security-Policy");
  if (!csp || !/frame-ancestors\s+https:/.test(csp)) {
    headers.set("Content-Security-Policy", "frame-ancestors 'none';");
    headers.set("X-Frame-Options", "DENY");
  }
}

/** Loader, action and resource-route responses (client navigations, fetchers, downloads): the same two headers. */
export function handleDataRequest(response: Response) {
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  return response;
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  getShopify()?.addDocumentResponseHeaders(request, responseHeaders);
  addSecurityHeaders(responseHeaders);
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [readyEvent]() {
        shellRendered = true;
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors inside the shell are reported by onShellError (and Remix's handleError); only log streaming ones.
        if (shellRendered) console.error(error);
      },
    });
    // Give streamed (deferred) data a little longer than Remix's own timeout before aborting the render.
    setTimeout(abort, streamTimeout + 1_000);
  });
}
