// ESLint 10 flat config. `npm run lint` = `eslint .`
// The rules of the house from ../shared/ARCHITECTURE.md are enforced here as lint rules, not left to review
// (docs/decisions/0004-tooling-eslint-vitest-projects.md).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// (a) core is framework-free: it never reaches up into routes or components, nor into Remix or React.
const coreStaysFrameworkFree = [
  {
    group: ["~/routes", "~/routes/**", "~/components", "~/components/**"],
    message: "app/core must not import from routes or components: they are clients of core, not the other way round.",
  },
  {
    regex: "^(\\.\\./)+(routes|components)(/|$)",
    message: "app/core must not import from routes or components: they are clients of core, not the other way round.",
  },
  {
    group: ["@remix-run/*", "react", "react/**", "react-dom", "react-dom/**"],
    message: "app/core is free of Remix and React; it runs in routes, the worker and the CLI alike.",
  },
];

// (b) browser-reachable code never imports server modules. Type-only imports are allowed: they are erased,
// so nothing server-side reaches the client bundle (the classic compiler would otherwise empty the module).
const noServerModules = [
  {
    group: ["*.server", "**/*.server", "*.server.*", "**/*.server.*"],
    allowTypeImports: true,
    message:
      "A *.server module may be imported only by routes, other *.server modules, the worker and bin/. " +
      "Move the shared part into an isomorphic module, or make this file *.server.ts.",
  },
];

const tsFiles = ["**/*.{ts,tsx,mts,cts}"];
const testFiles = ["**/*.test.{ts,tsx}", "test/**"];

export default defineConfig(
  globalIgnores([
    "node_modules/",
    "build/",
    "public/build/",
    "app/generated/",
    ".cache/",
    "test-results/",
    ".tmp/",
    ".data/",
    "extensions/**/assets/*.min.js",
  ]),

  // Every file: JavaScript recommended, Node and browser globals (routes and components run in both).
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },

  // TypeScript: typescript-eslint recommended (not the type-checked set: `npm run typecheck` is tsc's job).
  { files: tsFiles, extends: [tseslint.configs.recommended] },
  {
    files: tsFiles,
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // An error in app/core (below); elsewhere (tests, routes, config) a warning to justify case by case.
      "@typescript-eslint/no-explicit-any": "warn",
    },
  },

  // React components: the rules of hooks. Only the two classic rules: the React Compiler rules of
  // eslint-plugin-react-hooks 7's "recommended" set assume the compiler, which React 18 + Remix classic don't use.
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
    },
  },

  // Tests may use the vitest globals (vitest.config.ts sets globals: true).
  {
    files: testFiles,
    languageOptions: { globals: { ...globals.vitest } },
  },

  // app/core: the domain.
  {
    files: ["app/core/**/*.{ts,tsx}"],
    rules: {
      // (c) one structured logger (logger.server.ts), context first; no console in core.
      "no-console": "error",
      // (d) parse, never cast: no `any` in core.
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: coreStaysFrameworkFree }],
    },
  },
  {
    // (a) + (b) for core modules shared with the browser (schemas, pure logic): everything but *.server.ts.
    files: ["app/core/**/*.{ts,tsx}"],
    ignores: ["**/*.server.ts", ...testFiles],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: [...coreStaysFrameworkFree, ...noServerModules] }],
    },
  },
  {
    // (b) for components.
    files: ["app/components/**/*.{ts,tsx}"],
    ignores: testFiles,
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: noServerModules }],
    },
  },

  // Command-line entry and scripts print to the terminal.
  {
    files: ["bin/**", "scripts/**", "bench/**"],
    rules: { "no-console": "off" },
  },

  // The theme app extension's assets run in the storefront as classic scripts.
  {
    files: ["extensions/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser } },
  },
);
