// Prometheus scrape endpoint. With METRICS_TOKEN set, scrapers must send it as a bearer token.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { collectMetrics } from "~/core/ops/metrics.server";
import { getDb } from "~/db.server";
import { env } from "~/env.server";
import { jobQueues } from "~/services.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const token = env().METRICS_TOKEN;
  if (token && request.headers.get("Authorization") !== `Bearer ${token}`) {
    return new Response("Unauthorized\n", { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  const queues = jobQueues();
  return new Response(await collectMetrics(getDb(), systemClock.now(), queues ? () => queues.counts() : undefined), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}
