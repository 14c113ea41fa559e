// Readiness: the process can serve (its database answers, and Redis when REDIS_URL is set). 503 with the failing check otherwise.
import { json } from "@remix-run/node";
import { checkReadiness } from "~/core/ops/health.server";
import { getDb } from "~/db.server";
import { jobQueues } from "~/services.server";

export async function loader() {
  const readiness = await checkReadiness(getDb(), jobQueues());
  return json(readiness, { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
