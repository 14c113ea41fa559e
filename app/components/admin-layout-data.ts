// The admin layout's loader data (time zone, demo or not), for the pages below /app.
import { useRouteLoaderData } from "@remix-run/react";
import type { loader } from "~/routes/app";

export function useAdminLayoutData() {
  const data = useRouteLoaderData<typeof loader>("routes/app");
  if (!data) throw new Error("useAdminLayoutData must be used inside the /app layout");
  return data;
}
