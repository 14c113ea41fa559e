import { ManualClock } from "./clock";
import { allowedByAll, createRateLimiter } from "./rate-limit";

describe("token-bucket rate limiter", () => {
  it("allows a burst up to the capacity, then refuses with the wait until the next token", () => {
    // GIVEN a bucket of 3, refilled at one token every 2 seconds
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const limiter = createRateLimiter({ clock, policy: { capacity: 3, refillPerSecond: 0.5 } });

    // WHEN a client makes four requests at once
    const decisions = [1, 2, 3, 4].map(() => limiter.take("shop|1.2.3.4"));

    // THEN three pass and the fourth is told to come back in 2 seconds
    expect(decisions.slice(0, 3).every((decision) => decision.allowed)).toBe(true);
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it("refills with time, never beyond the capacity", () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const limiter = createRateLimiter({ clock, policy: { capacity: 2, refillPerSecond: 1 } });
    limiter.take("k");
    limiter.take("k");
    expect(limiter.take("k").allowed).toBe(false);

    clock.advance({ ms: 500 });
    expect(limiter.take("k")).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance({ ms: 500 });
    expect(limiter.take("k")).toEqual({ allowed: true, remaining: 0 });

    clock.advance({ hours: 1 });
    expect(limiter.take("k")).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take("k")).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take("k").allowed).toBe(false);
  });

  it("keeps one bucket per key", () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const limiter = createRateLimiter({ clock, policy: { capacity: 1, refillPerSecond: 0.1 } });
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });

  it("forgets the least recently used bucket past maxKeys", () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const limiter = createRateLimiter({ clock, policy: { capacity: 1, refillPerSecond: 0.01 }, maxKeys: 2 });
    limiter.take("a");
    limiter.take("b");
    limiter.take("a"); // refused, but now the most recently used
    limiter.take("c"); // evicts b
    expect(limiter.size()).toBe(2);
    expect(limiter.take("a").allowed).toBe(false); // still remembered
    expect(limiter.take("b").allowed).toBe(true); // forgotten, so full again
  });

  it("needs every limit to allow a request", () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const perClient = createRateLimiter({ clock, policy: { capacity: 5, refillPerSecond: 1 } });
    const perShop = createRateLimiter({ clock, policy: { capacity: 2, refillPerSecond: 1 } });
    const check = (client: string) => allowedByAll([{ limiter: perClient, key: client }, { limiter: perShop, key: "shop" }]);
    expect(check("1").allowed).toBe(true);
    expect(check("2").allowed).toBe(true);
    expect(check("3")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("refuses a policy that could never allow anything", () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    expect(() => createRateLimiter({ clock, policy: { capacity: 0, refillPerSecond: 1 } })).toThrow();
    expect(() => createRateLimiter({ clock, policy: { capacity: 1, refillPerSecond: 0 } })).toThrow();
  });
});
