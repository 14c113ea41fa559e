/** Remix 2 classic (esbuild) compiler — not Vite. `remix build` and `remix dev` read this file. */
/** @type {import('@remix-run/dev').AppConfig} */
export default {
  appDirectory: "app",
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Bundled rather than imported at run time: their ESM imports JSON with import attributes, which Node 20
  // refuses without them and esbuild inlines (docs/decisions/0003-remix-classic-and-shopify-packages.md).
  serverDependenciesToBundle: [/^@shopify\/shopify-app-remix/, /^@shopify\/polaris/],
  dev: { port: Number(process.env.HMR_SERVER_PORT || 8002) },
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
