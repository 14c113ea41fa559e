// shopify-app-remix's own paths under /auth (session-token bounce page, exit-iframe, OAuth when used).
// 404 when the server runs without Shopify credentials.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireShopify } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireShopify().authenticate.admin(request);
  return null;
}
