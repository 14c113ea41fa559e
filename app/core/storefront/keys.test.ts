import { isStorefrontKeyShaped, parseStorefrontOrigins, storefrontOriginsOf } from "./keys.server";

describe("storefront origins", () => {
  it("defaults to the store's own domain over https (the host part of a WooCommerce domain with a path)", () => {
    expect(storefrontOriginsOf({ domain: "nudge-test.myshopify.com", platform: "shopify", storefrontOrigins: null })).toEqual(["https://nudge-test.myshopify.com"]);
    expect(storefrontOriginsOf({ domain: "brand.example/shop", platform: "woocommerce", storefrontOrigins: null })).toEqual(["https://brand.example"]);
    expect(storefrontOriginsOf({ domain: "brand.example", platform: "woocommerce", storefrontOrigins: ["https://www.brand.example"] })).toEqual(["https://www.brand.example"]);
    // A stored value that is not a list of strings is ignored rather than trusted.
    expect(storefrontOriginsOf({ domain: "brand.example", platform: "woocommerce", storefrontOrigins: { evil: true } })).toEqual(["https://brand.example"]);
  });

  it("parses one origin per line: trimmed, lower-cased, trailing slash dropped, duplicates once", () => {
    expect(parseStorefrontOrigins("  https://WWW.Brand.example/ \n\nhttps://brand.example\nhttps://www.brand.example\nhttp://localhost:3000\r\nhttps://shop.example:8443")).toEqual({
      ok: true,
      origins: ["https://www.brand.example", "https://brand.example", "http://localhost:3000", "https://shop.example:8443"],
    });
    expect(parseStorefrontOrigins("")).toEqual({ ok: true, origins: [] });
  });

  it("names every bad line with its number and why", () => {
    const result = parseStorefrontOrigins("https://ok.example\nshop.example\nhttp://shop.example\nhttps://shop.example/cart\nhttps://*.shop.example\nftp://shop.example\nhttps://user:pw@shop.example");
    expect(result).toEqual({
      ok: false,
      errors: [
        "Line 2 (“shop.example”): is not a URL (write it like https://shop.example.com)",
        "Line 3 (“http://shop.example”): must use https:// (http:// is allowed for localhost only)",
        "Line 4 (“https://shop.example/cart”): must be an origin only, without a path, query or #fragment",
        "Line 5 (“https://*.shop.example”): wildcards are not supported; list each domain",
        "Line 6 (“ftp://shop.example”): must start with https://",
        "Line 7 (“https://user:pw@shop.example”): must not contain a user name or password",
      ],
    });
  });

  it("limits the list", () => {
    const lines = Array.from({ length: 21 }, (_, index) => `https://shop${index}.example`).join("\n");
    expect(parseStorefrontOrigins(lines)).toEqual({ ok: false, errors: ["At most 20 origins; 21 were given"] });
  });

  it("recognises a key's shape before any lookup", () => {
    expect(isStorefrontKeyShaped("pk_0123456789ABCDEFabcdefgh")).toBe(true);
    expect(isStorefrontKeyShaped("pk_0123456789ABCDEFabcdefg")).toBe(false);
    expect(isStorefrontKeyShaped("pk_0123456789ABCDEFabcdef-h")).toBe(false);
    expect(isStorefrontKeyShaped("nf_0123456789ABCDEFabcdefgh")).toBe(false);
  });
});
