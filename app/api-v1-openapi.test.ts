// docs/api/openapi.yaml describes exactly the /api/v1 routes: every route file app/routes/api.v1.*.tsx (but the
// catch-all 404) is a path in the document with the methods the file answers (a loader built with apiLoader is a
// GET, an action built with apiAction a POST), and every path in the document is a route file.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadOpenApi } from "../test/support/openapi";

const routesDir = fileURLToPath(new URL("./routes", import.meta.url));

/** Remix's flat-route file name → the path OpenAPI writes: api.v1.segments.$segmentId._index → /api/v1/segments/{segmentId}. */
function openApiPath(file: string): string {
  const segments = file.replace(/\.tsx?$/, "").split(".").filter((segment) => segment !== "_index");
  return `/${segments.map((segment) => (segment.startsWith("$") ? `{${segment.slice(1)}}` : segment)).join("/")}`;
}

/** The methods a route file answers: GET when its loader is an apiLoader, POST when its action is an apiAction. */
function routeMethods(source: string): string[] {
  return [
    ...(/export const loader = apiLoader\(/.test(source) ? ["get"] : []),
    ...(/export const action = apiAction\(/.test(source) ? ["post"] : []),
  ];
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

  it("describes every /api/v1 route file with the methods it answers, and nothing else", () => {
    const endpoints = routeFiles.filter((file) => file !== catchAll);
    const fromRoutes = endpoints.map(openApiPath).sort();
    expect(fromRoutes.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(document.paths).sort()).toEqual(fromRoutes);
    for (const file of endpoints) {
      const methods = routeMethods(readFileSync(`${routesDir}/${file}`, "utf8"));
      expect(methods.length, `${file} answers no method through apiLoader or apiAction`).toBeGreaterThan(0);
      expect(Object.keys(document.paths[openApiPath(file)]).sort(), file).toEqual(methods);
    }
  });

  it("reads a route's methods from how its loader and action are built", () => {
    expect(routeMethods('export const loader = apiLoader({ scope: "flows:read" }, …);\nexport const action = apiMethodNotAllowed;')).toEqual(["get"]);
    expect(routeMethods('export const action = apiAction({ scope: "flows:write" }, …);\nexport const loader = apiOnly("POST");')).toEqual(["post"]);
    expect(routeMethods("export const loader = apiLoader(…);\nexport const action = apiAction(…);")).toEqual(["get", "post"]);
  });

  it("maps route file names to paths the way Remix routes them", () => {
    expect(openApiPath("api.v1.segments.$segmentId.members.tsx")).toBe("/api/v1/segments/{segmentId}/members");
    expect(openApiPath("api.v1.customers._index.tsx")).toBe("/api/v1/customers");
  });
});
