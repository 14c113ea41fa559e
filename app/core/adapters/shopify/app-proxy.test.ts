import { appProxyMessage, appProxySignature, verifyAppProxyRequest } from "./app-proxy.server";

// Shopify's documented example (../shared/reference/shopify-platform.md §4): secret "hush", checked independently.
const DOC_QUERY =
  "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews" +
  "&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";
const DOC_TIME = new Date(1317327555 * 1000);

describe("App Proxy signature", () => {
  it("builds the signed message and signature of Shopify's documented example", () => {
    const params = new URLSearchParams(DOC_QUERY);
    expect(appProxyMessage(params)).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
    expect(appProxySignature(params, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it("accepts the documented request and reads the shop and the logged-in customer", () => {
    expect(verifyAppProxyRequest(new URLSearchParams(DOC_QUERY), "hush", DOC_TIME)).toEqual({
      ok: true,
      shop: "shop-name.myshopify.com",
      loggedInCustomerId: "1",
      timestamp: 1317327555,
      pathPrefix: "/apps/awesome_reviews",
    });
  });

  it("reads an empty logged_in_customer_id as a guest", () => {
    const params = new URLSearchParams("shop=a-shop.myshopify.com&logged_in_customer_id=&timestamp=1317327555");
    params.set("signature", appProxySignature(params, "hush"));
    const result = verifyAppProxyRequest(params, "hush", DOC_TIME);
    expect(result).toMatchObject({ ok: true, loggedInCustomerId: null });
  });

  it("refuses a wrong secret, a changed parameter, a missing or malformed signature", () => {
    expect(verifyAppProxyRequest(new URLSearchParams(DOC_QUERY), "other", DOC_TIME)).toEqual({ ok: false, reason: "signature does not match" });
    const changed = new URLSearchParams(DOC_QUERY);
    changed.set("logged_in_customer_id", "2");
    expect(verifyAppProxyRequest(changed, "hush", DOC_TIME)).toMatchObject({ ok: false });
    const missing = new URLSearchParams(DOC_QUERY);
    missing.delete("signature");
    expect(verifyAppProxyRequest(missing, "hush", DOC_TIME)).toEqual({ ok: false, reason: "missing signature" });
    const malformed = new URLSearchParams(DOC_QUERY);
    malformed.set("signature", "zz");
    expect(verifyAppProxyRequest(malformed, "hush", DOC_TIME)).toEqual({ ok: false, reason: "malformed signature" });
    expect(verifyAppProxyRequest(new URLSearchParams(DOC_QUERY), "", DOC_TIME)).toMatchObject({ ok: false });
  });

  it("refuses a repeated shop, even when the signature covers it", () => {
    const params = new URLSearchParams("shop=a.myshopify.com&shop=b.myshopify.com&timestamp=1317327555");
    params.set("signature", appProxySignature(params, "hush"));
    expect(verifyAppProxyRequest(params, "hush", DOC_TIME)).toEqual({ ok: false, reason: "repeated shop parameter" });
  });

  it("allows 90 seconds of clock difference either way, and no more", () => {
    const params = new URLSearchParams(DOC_QUERY);
    expect(verifyAppProxyRequest(params, "hush", new Date(DOC_TIME.getTime() + 90_000)).ok).toBe(true);
    expect(verifyAppProxyRequest(params, "hush", new Date(DOC_TIME.getTime() - 90_000)).ok).toBe(true);
    expect(verifyAppProxyRequest(params, "hush", new Date(DOC_TIME.getTime() + 91_000))).toEqual({ ok: false, reason: "timestamp outside the permitted window" });
    expect(verifyAppProxyRequest(params, "hush", new Date(DOC_TIME.getTime() - 91_000)).ok).toBe(false);
  });

  it("refuses a signed request whose timestamp is not a number", () => {
    const params = new URLSearchParams("shop=a-shop.myshopify.com&timestamp=soon");
    params.set("signature", appProxySignature(params, "hush"));
    expect(verifyAppProxyRequest(params, "hush", DOC_TIME)).toEqual({ ok: false, reason: "missing or malformed timestamp" });
  });
});
