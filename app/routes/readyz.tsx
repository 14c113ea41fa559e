// Readiness: the process can serve (its database answers). 503 with the failing check otherwise.
import { json } from "@remix-run/node";
import { checkReadiness } from "~/core/ops/health.server";
import { getDb } from "~/db.server";

export async function loader() {
  const readiness = await checkReadiness(getDb());
  return json(readiness, { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
