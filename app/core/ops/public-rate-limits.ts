// Rate limits for every public endpoint (issue 10), in one table: the paths anyone on the internet can reach
// without signing in. Applied per client address before the request reaches a route, so a flood is refused before
// any signature is checked or the database is touched. Routes with a better key add their own limit on top
// (the App Proxy per shop, the HTTP API per key). The admin (/app) is behind sign-in and not limited here.
import type { Clock } from "~/core/clock";
import { createRateLimiter, type RateLimitDecision, type RateLimitPolicy, type RateLimiter } from "~/core/rate-limit";

interface PublicLimit {
  name: string;
  /** Which requests it covers. */
  matches(method: string, pathname: string): boolean;
  policy: RateLimitPolicy;
}

/**
 * Generous where platforms send bursts (webhooks: Shopify and SendGrid deliver in batches), strict where guessing
 * pays (sign-in). A refused request gets 429 with Retry-After, which Shopify, SendGrid and WooCommerce all retry.
 */
export const PUBLIC_LIMITS: PublicLimit[] = [
  { name: "sign-in", matches: (method, path) => method === "POST" && path === "/login", policy: { capacity: 20, refillPerSecond: 1 / 6 } },
  { name: "webhooks", matches: (_method, path) => path.startsWith("/webhooks/"), policy: { capacity: 1000, refillPerSecond: 200 } },
  { name: "unsubscribe", matches: (_method, path) => path.startsWith("/unsubscribe/"), policy: { capacity: 30, refillPerSecond: 1 } },
  // Email link clicks: a person clicks a few links; a mail scanner may follow all of an email's links at once.
  { name: "click", matches: (_method, path) => path.startsWith("/r/"), policy: { capacity: 60, refillPerSecond: 5 } },
  { name: "api", matches: (_method, path) => path.startsWith("/api/"), policy: { capacity: 300, refillPerSecond: 50 } },
  // The App Proxy and the storefront endpoints the generic snippet and the web pixel call with a publishable key.
  { name: "storefront", matches: (_method, path) => path.startsWith("/proxy/") || path.startsWith("/storefront/v1/"), policy: { capacity: 300, refillPerSecond: 50 } },
  { name: "shopify-auth", matches: (_method, path) => path.startsWith("/auth/"), policy: { capacity: 60, refillPerSecond: 5 } },
  { name: "operations", matches: (_method, path) => path === "/healthz" || path === "/readyz" || path === "/metrics", policy: { capacity: 60, refillPerSecond: 10 } },
];

export type PublicLimitDecision = RateLimitDecision & { limit: string | null };

export function createPublicRateLimits(deps: { clock: Clock; limits?: PublicLimit[] }) {
  const limits = deps.limits ?? PUBLIC_LIMITS;
  const limiters = new Map<string, RateLimiter>(limits.map((limit) => [limit.name, createRateLimiter({ clock: deps.clock, policy: limit.policy, maxKeys: 50_000 })]));

  /** The decision for one request from `client` (its address); requests no limit covers are always allowed. */
  function take(input: { method: string; pathname: string; client: string }): PublicLimitDecision {
    const limit = limits.find((candidate) => candidate.matches(input.method.toUpperCase(), input.pathname));
    if (!limit) return { allowed: true, remaining: Number.POSITIVE_INFINITY, limit: null };
    const decision = limiters.get(limit.name)?.take(input.client) ?? { allowed: true, remaining: 0 };
    return { ...decision, limit: limit.name };
  }

  return { take };
}
