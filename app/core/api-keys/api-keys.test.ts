import { parseScopes } from "./api-keys.server";

describe("parseScopes", () => {
  it("takes known scopes separated by spaces or commas, once each, in order", () => {
    expect(parseScopes("customers:read, segments:read customers:read")).toEqual({ ok: true, scopes: ["customers:read", "segments:read"] });
  });

  it("names unknown scopes and refuses an empty list", () => {
    expect(parseScopes("segments:read events:write")).toEqual({ ok: false, error: 'unknown scope "events:write"; known: segments:read, customers:read, flows:read, flows:write' });
    expect(parseScopes("flows:read flows:write")).toEqual({ ok: true, scopes: ["flows:read", "flows:write"] });
    expect(parseScopes("  ")).toMatchObject({ ok: false, error: expect.stringContaining("at least one scope") });
  });
});
