// Dashboards in a real browser on the demo workspace (weeks of simulated traffic): Home's totals and charts, the
// range picker (presets and custom dates, kept in the URL), the CSV export, live updates as a new email is written,
// and a flow page's charts and funnel; screenshots at 1280×800 and 390×844. Needs `remix build` first.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { newId } from "~/core/ids";
import type { AppServer } from "../support/app-server";
import { expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp, type LaunchedBrowser } from "../support/browser";
import { openDb } from "../support/databases";

let browser: LaunchedBrowser;
let server: AppServer;
let app: AdminApp | undefined;

beforeAll(async () => {
  app = await startAdminApp();
  ({ browser, server } = app);
});

afterAll(() => app?.stop());

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The value under a label in Home's totals. */
async function figure(page: Page, label: string): Promise<string> {
  return (await page.locator(`section[aria-label="Totals"] span:text-is("${label}") + span`).textContent())?.trim() ?? "";
}

const number = (text: string) => Number(text.replace(/[^0-9.]/g, ""));

/** A chart was drawn by Polaris Viz after hydration (an SVG in its figure). */
async function chartDrawn(page: Page, testId: string) {
  await expectVisible(page.locator(`[data-testid="${testId}"] [data-chart-drawn="true"] svg`));
}

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Serious and critical WCAG 2.1 A/AA violations axe-core finds inside `selector`, one line each. */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (include) => {
    type Violation = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run({ include: [[include]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return result.violations;
  }, selector);
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical").map((violation) => `${violation.id}: ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
}

const utcDate = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

describe("dashboards", () => {
  it("shows Home's totals and charts, changes the range, exports CSV and updates as email goes out", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: DESKTOP, acceptDownloads: true });
    try {
      // The page's timers run on a clock the test can move (30 s without waiting 30 s).
      await page.clock.install();
      // GIVEN the demo workspace with four weeks of simulated traffic
      await signIn(page, server.url);

      // THEN Home shows the last 30 days' totals and both charts
      await expectVisible(page.getByRole("heading", { name: "Results, last 30 days" }));
      expect(await figure(page, "Attributed revenue")).toMatch(/^\$[\d,]+\.\d\d/);
      expect(number(await figure(page, "Emails sent"))).toBeGreaterThan(100);
      expect(await figure(page, "Conversion rate")).toMatch(/^\d+\.\d%$/);
      await chartDrawn(page, "revenue-chart");
      await chartDrawn(page, "recipients-chart");
      // The figure names itself for screen readers; the numbers are a table away.
      await expect(page.locator('[data-testid="revenue-chart"] figcaption').textContent()).resolves.toMatch(/^Attributed revenue per day of all email, last 30 days: \$[\d,.]+ in all/);
      await expectVisible(page.getByRole("link", { name: "Welcome series (demo results)" }));
      // AND axe-core finds no serious or critical WCAG 2.1 A/AA violation on Home, charts drawn
      expect(await seriousViolations(page, "main")).toEqual([]);
      await page.screenshot({ path: path.join(RESULTS_DIR, "dashboards-home-1280.png"), fullPage: true });

      // WHEN the merchant picks the last 7 days
      await page.getByRole("combobox", { name: "Date range" }).selectOption("7d");
      await page.waitForURL((url) => url.searchParams.get("range") === "7d");
      await expectVisible(page.getByRole("heading", { name: "Results, last 7 days" }));
      // THEN the table behind the revenue chart has one row per day
      await page.locator('[data-testid="revenue-chart"] summary').click();
      await expect(page.locator('[data-testid="revenue-chart"] tbody tr').count()).resolves.toBe(7);
      const sentInSevenDays = number(await figure(page, "Emails sent"));

      // AND the CSV of the same range adds up to the same number of emails
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV of the daily numbers" }).click()]);
      expect(download.suggestedFilename()).toMatch(/^nudgeflow-all-email-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d-daily\.csv$/);
      const csv = (await readFile(await download.path(), "utf8")).trim().split("\n");
      expect(csv[0]).toBe("date,granularity,emails_sent,recipients,delivered,human_opens,clicks,conversions,converted_recipients,revenue_usd,open_rate,click_rate,conversion_rate");
      expect(csv).toHaveLength(8);
      expect(csv.slice(1).reduce((sum, line) => sum + Number(line.split(",")[2]), 0)).toBe(sentInSevenDays);
      // A bad range or another workspace's flow is refused with the reason
      const bad = await page.request.get(`${server.url}/app/analytics/series/csv?range=custom&from=2026-02-30&to=2026-03-01`);
      expect([bad.status(), await bad.text()]).toEqual([400, "Bad date range: from: That date does not exist.\n"]);
      expect((await page.request.get(`${server.url}/app/analytics/series/csv?range=7d&flowId=not-a-flow`)).status()).toBe(404);

      // WHEN the merchant picks custom dates
      await page.getByRole("combobox", { name: "Date range" }).selectOption("custom");
      await page.getByLabel("From", { exact: true }).fill(utcDate(20));
      await page.getByLabel("To", { exact: true }).fill(utcDate(11));
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL((url) => url.searchParams.get("range") === "custom" && url.searchParams.get("from") === utcDate(20));
      await expectVisible(page.getByRole("heading", { name: /^Results, \w{3} \d+, \d{4} – \w{3} \d+, \d{4}$/ }));
      await page.locator('[data-testid="revenue-chart"] summary').click();
      await expect(page.locator('[data-testid="revenue-chart"] tbody tr').count()).resolves.toBe(10);

      // WHEN a new email goes out while Home shows the last 7 days
      await page.getByRole("combobox", { name: "Date range" }).selectOption("7d");
      await expectVisible(page.getByRole("heading", { name: "Results, last 7 days" }));
      const before = number(await figure(page, "Emails sent"));
      const db = openDb(app!.databaseUrl);
      const workspace = await db.workspace.findFirstOrThrow({ where: { isDemo: true }, select: { id: true } });
      const now = new Date();
      await db.message.create({
        data: { id: newId("msg"), workspaceId: workspace.id, toEmail: "live-update@example.com", fromEmail: "shop@example.com", subject: "Live", html: "<p>Live</p>", text: "Live", status: "outbox", provider: "outbox", nextAttemptAt: now, createdAt: now, sentAt: now },
      });
      // THEN within 30 seconds of the page's clock the totals count it, without a reload
      await page.clock.fastForward(30_000);
      await page.waitForFunction(
        (expected) => document.querySelector('section[aria-label="Totals"]')?.textContent?.includes(`Emails sent${expected}`),
        new Intl.NumberFormat("en-US").format(before + 1),
        { timeout: 15_000 },
      );
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows a flow's charts and funnel, on a desktop and on a phone", async () => {
    for (const [viewport, name] of [[DESKTOP, "1280"], [PHONE, "390"]] as const) {
      const { context, page, pageErrors } = await browser.openPage({ viewport });
      try {
        // GIVEN the demo's welcome series, opened from Home's top flows
        await signIn(page, server.url);
        await page.screenshot({ path: path.join(RESULTS_DIR, `dashboards-home-${name}-top.png`) });
        await page.getByRole("link", { name: "Welcome series (demo results)" }).click();
        await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
        await hydrated(page);

        // THEN the flow's charts and its funnel are drawn, with the numbers behind them
        await expectVisible(page.getByRole("heading", { name: "Performance, last 30 days" }));
        await expectVisible(page.getByRole("heading", { name: "Funnel, last 30 days" }));
        await chartDrawn(page, "revenue-chart");
        await chartDrawn(page, "funnel-chart");
        const funnel = page.locator('[data-testid="funnel-chart"]');
        await funnel.locator("summary").click();
        const rows = await funnel.locator("tbody tr").allTextContents();
        expect(rows.map((row) => row.replace(/[\d,.%—]+/g, "").trim())).toEqual(["Entered", "Sent", "Delivered", "Opened", "Clicked", "Converted"]);
        const counts = await funnel.locator("tbody tr td:nth-child(2)").allTextContents();
        const values = counts.map(number);
        expect(values[0]).toBeGreaterThan(100);
        // Each step holds at most the journeys of the one before
        for (let index = 1; index < values.length; index++) expect(values[index]).toBeLessThanOrEqual(values[index - 1]);
        expect(values[5]).toBeGreaterThan(0);
        expect(await seriousViolations(page, '[data-testid="flow-dashboard"]')).toEqual([]);
        // AND "Export CSV" here is the flow's own series
        const exported = await page.request.get(new URL(await page.getByRole("link", { name: "Export CSV of this flow's daily numbers" }).getAttribute("href") ?? "", server.url).toString());
        expect(exported.headers()["content-disposition"]).toMatch(/^attachment; filename="nudgeflow-welcome-series-demo-results-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d-daily\.csv"$/);
        expect((await exported.text()).trim().split("\n")).toHaveLength(31);
        await page.getByRole("heading", { name: "Performance, last 30 days" }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(RESULTS_DIR, `dashboards-flow-${name}.png`) });
        await page.getByRole("heading", { name: "Funnel, last 30 days" }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(RESULTS_DIR, `dashboards-funnel-${name}.png`) });
        // AND the per-node results follow the page's range too
        await expectVisible(page.getByRole("heading", { name: "Results, last 30 days" }));
        const weekUrl = new URL(page.url());
        weekUrl.searchParams.set("range", "7d");
        await page.goto(weekUrl.toString());
        await hydrated(page);
        await expectVisible(page.getByRole("heading", { name: "Performance, last 7 days" }));
        await expectVisible(page.getByRole("heading", { name: "Results, last 7 days" }));
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
