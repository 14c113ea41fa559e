import { parseScopes } from "./api-keys.server";

describe("parseScopes", () => {
  it("takes known scopes separated by spaces or commas, once each, in order", () => {
    expect(parseScopes("customers:read, segments:read customers:read")).toEqual({ ok: true, scopes: ["customers:read", "segments:read"] });
  });

  it("names unknown scopes and refuses an empty list", () => {
    expect(parseScopes("segments:read flows:write")).toEqual({ ok: false, error: 'unknown scope "flows:write"; known: segments:read, customers:read' });
    expect(parseScopes("  ")).toMatchObject({ ok: false, error: expect.stringContaining("at least one scope") });
  });
});
