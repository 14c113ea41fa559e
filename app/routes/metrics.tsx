// Prometheus scrape endpoint. With METRICS_TOKEN set, scrapers must send it as a bearer token.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { collectMetrics } from "~/core/ops/metrics.server";
import { getDb } from "~/db.server";
import { env } from "~/env.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const token = env().METRICS_TOKEN;
  if (token && request.headers.get("Authorization") !== `Bearer ${token}`) {
    return new Response("Unauthorized\n", { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  return new Response(await collectMetrics(getDb(), systemClock.now()), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}
