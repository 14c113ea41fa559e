// Generates both Prisma clients (app/generated/prisma/{sqlite,postgresql}) offline. Each run gets a
// DATABASE_URL of its own provider: a mismatch makes Prisma fall back to downloading a native engine.
import { execFileSync } from "node:child_process";
import path from "node:path";

const prisma = path.join("node_modules", ".bin", "prisma");
execFileSync(process.execPath, ["scripts/prisma-schemas.mjs"], { stdio: "inherit" });
for (const url of ["file::memory:", "postgresql://generate@localhost:5432/generate"]) {
  execFileSync(prisma, ["generate"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" } });
}
