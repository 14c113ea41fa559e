// The app's front door. Shopify opens the app URL with ?shop=…&host=…: keep those for the admin's authentication.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.has("shop")) throw redirect(`/app?${url.searchParams}`);
  throw redirect("/app");
}
