// Health, readiness and metrics over real HTTP against the real app server.
import { startAppServer, type AppServer } from "../support/app-server";
import { databaseTargets, dropAll } from "../support/databases";

afterAll(dropAll);

describe.each(databaseTargets())("operations endpoints on %s", (_name, createUrl) => {
  let app: AppServer;

  beforeAll(async () => {
    app = await startAppServer({ env: { DATABASE_URL: await createUrl(), METRICS_TOKEN: "scrape-token-0123456789", DEMO_PASSWORD: "operations-test" } });
  });
  afterAll(async () => app?.stop());

  it("answers liveness and readiness", async () => {
    const live = await fetch(`${app.url}/healthz`);
    expect([live.status, await live.text()]).toEqual([200, "ok\n"]);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: { ok: true } } });
  });

  it("serves Prometheus metrics to a scraper with the token, and to no one else", async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${app.url}/metrics`, { headers: { Authorization: "Bearer scrape-token-0123456789" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    expect(body).toContain("# TYPE nudgeflow_inbox_lag_seconds gauge");
    expect(body).toMatch(/^nudgeflow_inbox_lag_seconds 0$/m);
    expect(body).toMatch(/^nudgeflow_events_total 0$/m);
  });

  it("refuses a flood of sign-in attempts from one address with 429 and Retry-After, before any password is checked", async () => {
    const attempt = () =>
      fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ email: "demo@nudgeflow.dev", password: "wrong-password" }), redirect: "manual" });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i += 1) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 20).every((status) => status !== 429)).toBe(true);
    expect(statuses[20]).toBe(429);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Other endpoints have their own budgets: the flood did not lock out health checks.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
