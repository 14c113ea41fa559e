// CI guard: the generated schemas are current and each provider's migrations produce its schema.
// PostgreSQL needs a server for the shadow database: PG_SHADOW_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
import { execFileSync } from "node:child_process";

execFileSync(process.execPath, ["scripts/prisma-schemas.mjs", "--check"], { stdio: "inherit" });
const urls = {
  sqlite: "file::memory:",
  postgresql: process.env.PG_SHADOW_URL || "postgresql://postgres@127.0.0.1:5432/postgres",
};
let failed = false;
for (const [provider, url] of Object.entries(urls)) {
  try {
    execFileSync("node_modules/.bin/prisma", ["migrate", "diff", "--from-migrations", `prisma/${provider}/migrations`,
      "--to-schema-datamodel", `prisma/${provider}/schema.prisma`, "--exit-code"],
      { env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" }, stdio: "pipe" });
    console.log(`${provider}: migrations match the schema`);
  } catch (error) {
    failed = true;
    console.error(error.status === 2
      ? `${provider}: the schema has changes without a migration (run npm run db:migration -- <name>)`
      : `${provider}: ${error.stderr}`);
  }
}
process.exit(failed ? 1 : 0);
