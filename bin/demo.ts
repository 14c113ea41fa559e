import { systemClock } from "~/core/clock";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import { getDb } from "~/db.server";
import type { Env } from "~/env.server";

/** Seeds (or refreshes) the demo workspace and prints how to sign in to it. */
export async function printDemoSignIn(config: Env, url: string | undefined) {
  const demo = await seedDemoWorkspace(getDb(), { password: config.DEMO_PASSWORD, now: systemClock.now(), history: true });
  const where = url ?? `http://localhost:${config.PORT}`;
  console.log(
    [
      "",
      "  Demo workspace ready (no Shopify credentials configured).",
      `  Sign in at ${where}/login`,
      `    email:    ${demo.email}`,
      `    password: ${demo.password}${config.DEMO_PASSWORD ? "  (from DEMO_PASSWORD)" : "  (new on every start; set DEMO_PASSWORD to keep one)"}`,
      "",
    ].join("\n"),
  );
}
