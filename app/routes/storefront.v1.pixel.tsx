// POST /storefront/v1/pixel?key=pk_… — one event from the Shopify web pixel (extensions/web-pixel): checkout identity
// (checkout token ↔ email ↔ customer), adds to cart and completed checkouts, stored once per Shopify event id.
// The key names the (Shopify) store; core/storefront/endpoint.server.ts does the rest.
// docs/decisions/0032-storefront-keys-and-web-pixel.md
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { createStorefrontEndpoints, storefrontRequestOf, storefrontResponse } from "~/core/storefront/endpoint.server";
import { getDb } from "~/db.server";
import { readBoundedText } from "~/http.server";
import { jobScheduler } from "~/services.server";

const endpoints = createStorefrontEndpoints({ clock: systemClock });

async function handle(request: Request) {
  const reply = await endpoints.pixel(
    { db: getDb(), clock: systemClock, scheduler: jobScheduler() },
    storefrontRequestOf(request, (maxBytes) => readBoundedText(request, maxBytes)),
  );
  return storefrontResponse(reply);
}

export const action = ({ request }: ActionFunctionArgs) => handle(request);
/** Remix routes OPTIONS (the CORS preflight) and GET to the loader: the endpoint answers both. */
export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
