import { ManualClock } from "~/core/clock";
import { createPublicRateLimits, PUBLIC_LIMITS } from "./public-rate-limits";

describe("public rate limits", () => {
  it("refuses the 21st sign-in attempt from one address in a burst, says when to retry, and lets another address in", () => {
    const clock = new ManualClock("2026-11-25T12:00:00Z");
    const limits = createPublicRateLimits({ clock });
    const attempt = (client: string) => limits.take({ method: "POST", pathname: "/login", client });
    for (let i = 0; i < 20; i += 1) expect(attempt("203.0.113.9").allowed).toBe(true);
    const refused = attempt("203.0.113.9");
    expect(refused).toMatchObject({ allowed: false, limit: "sign-in", retryAfterSeconds: 6 });
    expect(attempt("198.51.100.1").allowed).toBe(true);
    clock.advance({ seconds: 6 });
    expect(attempt("203.0.113.9").allowed).toBe(true);
  });

  it("covers every public path family and leaves the signed-in admin and static files alone", () => {
    const limits = createPublicRateLimits({ clock: new ManualClock("2026-11-25T12:00:00Z") });
    const covered = ["/webhooks/shopify", "/webhooks/sendgrid", "/webhooks/woocommerce/s1", "/unsubscribe/abc", "/r/msg_1.0.aHR0cHM6Ly94.sig", "/api/v1/segments", "/proxy/capture", "/auth/login", "/healthz", "/readyz", "/metrics"];
    for (const pathname of covered) expect(limits.take({ method: "POST", pathname, client: "c" }).limit, pathname).not.toBeNull();
    for (const pathname of ["/app", "/app/flows", "/build/entry.js", "/login"]) {
      expect(limits.take({ method: "GET", pathname, client: "c" }).limit, pathname).toBeNull();
    }
    expect(new Set(PUBLIC_LIMITS.map((limit) => limit.name)).size).toBe(PUBLIC_LIMITS.length);
  });

  it("limits email link clicks per address: a burst of 60, then 5 a second", () => {
    const clock = new ManualClock("2026-11-25T12:00:00Z");
    const limits = createPublicRateLimits({ clock });
    const click = () => limits.take({ method: "GET", pathname: "/r/msg_1.0.aHR0cHM6Ly94.sig", client: "203.0.113.7" });
    for (let i = 0; i < 60; i += 1) expect(click().allowed).toBe(true);
    expect(click()).toMatchObject({ allowed: false, limit: "click" });
    clock.advance({ seconds: 1 });
    expect(click().allowed).toBe(true);
  });
});
