// docs/api/openapi.yaml describes exactly the /api/v1 routes: every route file app/routes/api.v1.*.tsx (but the
// catch-all 404) is a GET path in the document, and every path in the document is a route file.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadOpenApi } from "../test/support/openapi";

const routesDir = fileURLToPath(new URL("./routes", import.meta.url));

/** Remix's flat-route file name → the path OpenAPI writes: api.v1.segments.$segmentId._index → /api/v1/segments/{segmentId}. */
function openApiPath(file: string): string {
  const segments = file.replace(/\.tsx?$/, "").split(".").filter((segment) => segment !== "_index");
  return `/${segments.map((segment) => (segment.startsWith("$") ? `{${segment.slice(1)}}` : segment)).join("/")}`;
}

describe("docs/api/openapi.yaml", () => {
  const document = loadOpenApi();
  const routeFiles = readdirSync(routesDir).filter((file) => /^api\.v1\..*\.tsx?$/.test(file) && !file.includes(".test."));
  const catchAll = "api.v1.$.tsx";

  it("is OpenAPI 3.1", () => {
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("names the catch-all as the only route that is not an endpoint", () => {
    expect(routeFiles).toContain(catchAll);
    expect(routeFiles.filter((file) => file.split(".").includes("$"))).toEqual([catchAll]);
  });

  it("describes every /api/v1 route file as a GET, and nothing else", () => {
    const fromRoutes = routeFiles.filter((file) => file !== catchAll).map(openApiPath).sort();
    expect(fromRoutes.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(document.paths).sort()).toEqual(fromRoutes);
    for (const [path, operations] of Object.entries(document.paths)) expect(Object.keys(operations), path).toEqual(["get"]);
  });

  it("maps route file names to paths the way Remix routes them", () => {
    expect(openApiPath("api.v1.segments.$segmentId.members.tsx")).toBe("/api/v1/segments/{segmentId}/members");
    expect(openApiPath("api.v1.customers._index.tsx")).toBe("/api/v1/customers");
  });
});
