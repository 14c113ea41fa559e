import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "~": path.resolve(import.meta.dirname, "app") };
// Projects do not inherit the root test options, so the timeouts live here (servers and databases start in hooks).
const shared = { environment: "node", globals: true, pool: "forks" as const, testTimeout: 60_000, hookTimeout: 120_000 };

// Three projects: `npm run test:unit`, `test:integration`, `test:e2e` (browser). `npm test` runs them all.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { ...shared, name: "unit", include: ["app/**/*.test.{ts,tsx}", "bin/**/*.test.ts"] } },
      { resolve: { alias }, test: { ...shared, name: "integration", include: ["test/integration/**/*.test.ts"] } },
      { resolve: { alias }, test: { ...shared, name: "e2e", include: ["test/e2e/**/*.test.ts"], fileParallelism: false } },
    ],
  },
});
