import type { Db } from "~/db.server";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Ready when the database answers, and Redis too when the BullMQ scale-out is configured (REDIS_URL). */
export async function checkReadiness(db: Db, redis?: { ping(): Promise<void> } | null): Promise<Readiness> {
  const checks: Readiness["checks"] = {};
  try {
    await db.$queryRawUnsafe("SELECT 1");
    checks.database = { ok: true };
  } catch (error) {
    checks.database = { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
  if (redis) {
    try {
      await redis.ping();
      checks.redis = { ok: true };
    } catch (error) {
      checks.redis = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}
