import type { Db } from "~/db.server";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Ready when the database answers (Redis joins the checks with the BullMQ scale-out). */
export async function checkReadiness(db: Db): Promise<Readiness> {
  const checks: Readiness["checks"] = {};
  try {
    await db.$queryRawUnsafe("SELECT 1");
    checks.database = { ok: true };
  } catch (error) {
    checks.database = { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}
