// The theme app extension as Shopify's CLI and Theme Check would see it: the script's compressed size against the
// 10 KB budget (Theme Check's AssetSizeAppBlockJavaScript, an error that cannot be disabled), the block's schema,
// and every translation key it uses.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const EXTENSION = fileURLToPath(new URL("../../extensions/cart-capture", import.meta.url));
const BUDGET_BYTES = 10_000;
const read = (...parts: string[]) => readFileSync(path.join(EXTENSION, ...parts), "utf8");

function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);
}

describe("the cart-capture theme app extension", () => {
  it("keeps its script under 10 KB gzipped", () => {
    const source = readFileSync(path.join(EXTENSION, "assets", "cart-capture.js"));
    const gzipped = gzipSync(source, { level: 9 }).length;
    console.log(`cart-capture.js: ${source.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
  });

  it("holds only the folders and file types Shopify accepts", () => {
    expect(readdirSync(EXTENSION).sort()).toEqual(["assets", "blocks", "locales", "shopify.extension.toml"]);
    for (const asset of readdirSync(path.join(EXTENSION, "assets"))) expect(asset).toMatch(/\.(jpg|jpeg|json|js|css|png|svg|wasm)$/);
    expect(read("shopify.extension.toml")).toMatch(/^type = "theme"$/m);
  });

  it("declares a valid app embed block: target body, unique settings, the prompt off by default", () => {
    const liquid = read("blocks", "cart-capture.liquid");
    const match = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(liquid);
    expect(match).not.toBeNull();
    const schema = JSON.parse(match![1]) as { name: string; target: string; settings: { type: string; id: string; default?: unknown; label: string }[] };
    expect(schema.target).toBe("body");
    const ids = schema.settings.map((setting) => setting.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const setting of schema.settings) {
      expect(["checkbox", "text", "textarea", "select", "range", "color", "url"]).toContain(setting.type);
      expect(setting.id).toMatch(/^[a-z0-9_]+$/);
      if (setting.type === "checkbox") expect(typeof setting.default).toBe("boolean");
    }
    expect(schema.settings.find((setting) => setting.id === "email_prompt")?.default).toBe(false);
    // The script is loaded deferred, from the extension's assets.
    expect(liquid).toMatch(/<script src="\{\{ 'cart-capture\.js' \| asset_url \}\}" defer><\/script>/);
  });

  it("resolves every translation key the block uses", () => {
    const liquid = read("blocks", "cart-capture.liquid");
    const schemaLocale = JSON.parse(read("locales", "en.default.schema.json"));
    const storefrontLocale = JSON.parse(read("locales", "en.default.json"));
    const schemaKeys = [...liquid.matchAll(/"t:([a-z0-9_.]+)"/g)].map((found) => found[1]);
    const storefrontKeys = [...liquid.matchAll(/'([a-z0-9_.]+)' \| t\b/g)].map((found) => found[1]);
    expect(schemaKeys.length).toBeGreaterThan(0);
    expect(storefrontKeys.length).toBeGreaterThan(0);
    for (const key of schemaKeys) expect(typeof lookup(schemaLocale, key), key).toBe("string");
    for (const key of storefrontKeys) expect(typeof lookup(storefrontLocale, key), key).toBe("string");
  });
});
