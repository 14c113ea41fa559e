// A small in-memory token-bucket rate limiter: each key holds up to `capacity` tokens, refilled continuously at
// `refillPerSecond`; a request takes one. Per process (each web process keeps its own buckets), time from the
// injected clock. Memory is bounded: past `maxKeys` the least recently used bucket is forgotten (a forgotten
// bucket starts full again, so set maxKeys well above the number of clients active within one refill period).
import type { Clock } from "./clock";

export interface RateLimitPolicy {
  /** The burst: how many requests a key may make at once. */
  capacity: number;
  /** The sustained rate. */
  refillPerSecond: number;
}

export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one token from the key's bucket, or says how long until one is available. */
  take(key: string): RateLimitDecision;
  /** Buckets held right now (for tests and metrics). */
  size(): number;
}

interface Bucket {
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  at: number;
}

export function createRateLimiter(options: { clock: Clock; policy: RateLimitPolicy; maxKeys?: number }): RateLimiter {
  const { clock, policy } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(policy.capacity >= 1) || !(policy.refillPerSecond > 0)) throw new Error("a rate limit needs capacity ≥ 1 and a positive refill rate");
  const buckets = new Map<string, Bucket>();

  function take(key: string): RateLimitDecision {
    const now = clock.now().getTime();
    const previous = buckets.get(key);
    const elapsedSeconds = previous ? Math.max(0, now - previous.at) / 1000 : 0;
    const tokens = previous ? Math.min(policy.capacity, previous.tokens + elapsedSeconds * policy.refillPerSecond) : policy.capacity;
    // Re-inserted on every use, so the Map's order is least recently used first.
    buckets.delete(key);
    if (tokens >= 1) {
      buckets.set(key, { tokens: tokens - 1, at: now });
      while (buckets.size > maxKeys) {
        const oldest = buckets.keys().next();
        if (oldest.done) break;
        buckets.delete(oldest.value);
      }
      return { allowed: true, remaining: Math.floor(tokens - 1) };
    }
    buckets.set(key, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / policy.refillPerSecond)) };
  }

  return { take, size: () => buckets.size };
}

/**
 * Several limits that must all allow a request (e.g. per client and per shop). Checked in order; a refusal by
 * a later limit has already spent a token of the earlier ones, which only makes a flooding client wait longer.
 */
export function allowedByAll(checks: { limiter: RateLimiter; key: string }[]): RateLimitDecision {
  let remaining = Number.POSITIVE_INFINITY;
  for (const { limiter, key } of checks) {
    const decision = limiter.take(key);
    if (!decision.allowed) return decision;
    remaining = Math.min(remaining, decision.remaining);
  }
  return { allowed: true, remaining };
}
