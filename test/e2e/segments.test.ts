// Segments and customers in a real browser (standalone admin, demo workspace): the four built-in segments with
// their counts, a custom segment built with a live count that follows each edit, a bad value flagged at its
// field, saved and listed; its CSV export; a customer's profile with predictions and segments with their why.
// The demo workspace is seeded with eight customers before the server starts, so every count is hand-computed.
// Needs `remix build` first (`npm run test:e2e` does it).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { fitWorkspaceModel } from "~/core/predictions/predictions.server";
import { recomputeSegment } from "~/core/segments/segments.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import type { AppServer } from "../support/app-server";
import { DEMO_ADMIN, expectVisible, hydrated, RESULTS_DIR, signIn, type LaunchedBrowser, startAdminApp, type AdminApp } from "../support/browser";

const { password: DEMO_PASSWORD } = DEMO_ADMIN;
const DAY_MS = 86_400_000;

/**
 * Eight customers of the demo store (USD). Orders are given as days ago and amounts in cents; the profile's
 * totals are their sums. Built-in segments: VIPs (spent > $500 or > 5 orders) = Ana, Ben, Fay; At-risk (3+ orders,
 * none in 90 days) = Cho; Potential advocates (3+ orders in 30 days) = Dev; One-time buyers = Eve, Fay.
 * The demo workspace's built-ins are created empty with the workspace, then recomputed once the customers exist.
 * "Total spent > $100" = Ana, Ben, Cho, Fay (4); "> $400" = Ana, Fay (2); "> $250" = Ana, Ben, Fay (3).
 */
const CUSTOMERS = [
  { email: "ana@alpha.test", firstName: "Ana", lastName: "Alvarez", orders: [[40, 30_000], [10, 30_000]] },
  { email: "ben@alpha.test", firstName: "Ben", lastName: "Brooks", orders: [200, 150, 100, 60, 20, 5].map((days) => [days, 5_000]) },
  { email: "cho@beta.test", firstName: "Cho", lastName: "Chen", orders: [300, 200, 120].map((days) => [days, 5_000]) },
  { email: "dev@beta.test", firstName: "Dev", lastName: "Das", orders: [25, 15, 3].map((days) => [days, 3_000]) },
  { email: "eve@gamma.test", firstName: "Eve", lastName: "Evans", orders: [[50, 4_000]] },
  { email: "fay@gamma.test", firstName: "Fay", lastName: "Fox", orders: [[3, 70_000]] },
  { email: "gus@gamma.test", firstName: "Gus", lastName: "Green", orders: [] },
  { email: "hal@gamma.test", firstName: "Hal", lastName: "Hill", orders: [] },
] as const;

async function seedCustomers(db: Db, now: number) {
  const { workspaceId } = await seedDemoWorkspace(db, { password: DEMO_PASSWORD, now: new Date(now) });
  const store = await db.store.findFirstOrThrow({ where: { workspaceId, platform: "demo" } });
  let orderNumber = 1000;
  for (const seed of CUSTOMERS) {
    const placed = seed.orders.map(([daysAgo]) => new Date(now - daysAgo * DAY_MS)).sort((a, b) => a.getTime() - b.getTime());
    const customer = await db.customer.create({
      data: {
        workspaceId,
        email: seed.email,
        firstName: seed.firstName,
        lastName: seed.lastName,
        acceptsMarketing: seed.orders.length % 2 === 0,
        ordersCount: seed.orders.length,
        totalSpent: seed.orders.reduce((sum, [, cents]) => sum + cents, 0),
        currency: "USD",
        firstOrderAt: placed[0] ?? null,
        lastOrderAt: placed.at(-1) ?? null,
        country: "US",
        originStoreId: store.id,
        createdAt: new Date(now - 400 * DAY_MS),
      },
    });
    for (const [daysAgo, cents] of seed.orders) {
      orderNumber += 1;
      await db.order.create({
        data: {
          workspaceId,
          storeId: store.id,
          externalId: String(orderNumber),
          name: `#${orderNumber}`,
          customerId: customer.id,
          email: seed.email,
          currency: "USD",
          totalPrice: cents,
          lineItems: [],
          financialStatus: "paid",
          placedAt: new Date(now - daysAgo * DAY_MS),
        },
      });
    }
  }
  // Rows written straight to the database bypass ingest (which re-evaluates each customer it touches): bring
  // the built-ins up to date the way the scheduled full recompute repairs drift.
  for (const segment of await db.segment.findMany({ where: { workspaceId }, select: { id: true } })) {
    await recomputeSegment(db, { workspaceId, segmentId: segment.id, now: new Date(now) });
  }
  // The purchase model, as the worker fits it daily: customers with orders get a forecast, the others none.
  await fitWorkspaceModel(db, { workspaceId, now: new Date(now) });
  // Ten days ago the VIPs were one customer: the list's trend shows +2 over the 11 days since.
  const vips = await db.segment.findFirstOrThrow({ where: { workspaceId, builtin: "vips" } });
  const tenDaysAgo = new Date(now - 10 * DAY_MS).toISOString().slice(0, 10);
  await db.segmentCountHistory.create({ data: { segmentId: vips.id, workspaceId, day: tenDaysAgo, members: 1 } });
}

let browser: LaunchedBrowser;
let server: AppServer;

let app: AdminApp | undefined;

beforeAll(async () => {
  app = await startAdminApp({ seed: (db) => seedCustomers(db, Date.now()) });
  ({ browser, server } = app);
});

afterAll(() => app?.stop());

/** The members column of a segment's row on the list. */
async function listedCount(page: Page, name: string): Promise<string> {
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
  await expectVisible(row);
  return (await row.locator("td").nth(1).innerText()).trim();
}

describe("segments and customers", () => {
  it("lists the built-ins, builds a segment with a live count, saves it, exports it, and shows a customer's profile", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 900 } });
    try {
      // GIVEN the demo merchant, signed in, with eight customers
      await signIn(page, server.url);

      // WHEN they open Segments from the navigation
      await page.getByRole("navigation").getByRole("link", { name: "Segments", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/segments");

      // THEN the four built-in segments are listed with their hand-computed counts
      expect(await listedCount(page, "VIPs")).toBe("3");
      expect(await listedCount(page, "At-risk")).toBe("1");
      expect(await listedCount(page, "Potential advocates")).toBe("1");
      expect(await listedCount(page, "One-time buyers")).toBe("2");
      expect(await page.getByText("Built-in", { exact: true }).count()).toBe(4);
      const vipRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "VIPs", exact: true }) });
      expect((await vipRow.locator("td").nth(2).innerText()).trim()).toBe("+2 in 11 days");
      expect(await vipRow.locator("svg polyline").count()).toBe(1);
      await page.screenshot({ path: path.join(RESULTS_DIR, "segments-list.png"), fullPage: true });

      // WHEN they create a segment: the builder starts at "Total spent is more than 100"
      await hydrated(page);
      await page.getByRole("link", { name: "Create segment" }).first().click();
      await page.waitForURL((url) => url.pathname === "/app/segments/new");
      await hydrated(page);
      await page.getByLabel("Name", { exact: true }).fill("Big spenders");
      const liveCount = page.getByRole("status", { name: "Live count" });
      const condition = page.getByRole("group", { name: "Condition 1" });
      const value = condition.getByLabel("Value", { exact: true });

      // THEN the live count says who matches that rule now
      await expectVisible(liveCount.getByText("4 of 8 customers", { exact: true }));

      // WHEN the value is edited, the count follows
      await value.fill("400");
      await expectVisible(liveCount.getByText("2 of 8 customers", { exact: true }));

      // WHEN the value is invalid, the problem shows next to that field and nothing is counted
      await value.fill("-5");
      await expectVisible(condition.getByText("must be 0 or more"));
      await expectVisible(liveCount.getByText("Fix the highlighted fields to see who matches."));
      expect(await value.getAttribute("aria-invalid")).toBe("true");

      // WHEN it is fixed to 250: three customers, and the sample lists them
      await value.fill("250");
      await expectVisible(liveCount.getByText("3 of 8 customers", { exact: true }));
      const sample = page.getByRole("list", { name: "Sample members" });
      await expectVisible(sample.getByRole("link", { name: "Ana Alvarez" }));
      expect((await sample.getByRole("link").allTextContents()).sort()).toEqual(["Ana Alvarez", "Ben Brooks", "Fay Fox"]);
      expect(await condition.getByText("must be 0 or more").count()).toBe(0);
      await page.screenshot({ path: path.join(RESULTS_DIR, "segments-builder.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(RESULTS_DIR, "segments-builder-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });

      // WHEN it is saved
      await page.getByRole("button", { name: "Create segment" }).click();

      // THEN the segment's page opens with its three members, each with the one line saying why
      await page.waitForURL((url) => /^\/app\/segments\/(?!new)[^/]+$/.test(url.pathname));
      await expectVisible(page.getByText("Big spenders is saved"));
      const members = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Why" }) });
      await expectVisible(members);
      const memberRows = members.locator("tbody tr");
      expect(await memberRows.count()).toBe(3);
      for (const row of await memberRows.all()) expect(await row.locator("td").nth(1).innerText()).toMatch(/^Spent \$\d+\.\d\d \(over \$250\.00\)$/);
      await page.screenshot({ path: path.join(RESULTS_DIR, "segments-segment.png"), fullPage: true });
      await hydrated(page);

      // WHEN the merchant exports it
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);

      // THEN a CSV with a header and one line per member arrives
      expect(download.suggestedFilename()).toBe("big-spenders-members.csv");
      const csv = (await readFile(await download.path(), "utf8")).trim().split(/\r?\n/);
      expect(csv).toHaveLength(4);
      expect(csv[0].toLowerCase()).toContain("email");
      expect(csv.slice(1).map((line) => line.match(/[a-z]+@[a-z.]+/)?.[0]).sort()).toEqual(["ana@alpha.test", "ben@alpha.test", "fay@gamma.test"]);

      // WHEN they use it as a flow trigger
      await page.getByRole("link", { name: "Start a flow when customers enter Big spenders" }).click();

      // THEN a draft flow opens in the builder, triggered by entering the segment
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith("/new"));
      await expectVisible(page.getByRole("button", { name: /^Trigger: .*Big spenders/ }));

      // THEN the list has it, with its count
      await page.getByRole("navigation").getByRole("link", { name: "Segments", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/segments");
      expect(await listedCount(page, "Big spenders")).toBe("3");

      // WHEN the merchant finds Ana among the customers and opens her profile
      await page.getByRole("navigation").getByRole("link", { name: "Customers", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/customers");
      await hydrated(page);
      await page.getByLabel("Search").fill("alpha");
      await page.waitForURL((url) => url.searchParams.get("q") === "alpha");
      await expectVisible(page.getByRole("link", { name: "Ben Brooks" }));
      expect(await page.locator("tbody tr").count()).toBe(2);
      await page.getByRole("link", { name: "Ana Alvarez" }).click();
      await page.waitForURL((url) => /^\/app\/customers\/[^/]+$/.test(url.pathname));

      // THEN the profile shows her metrics, predictions (or that there is not enough data yet), and her segments
      // with why she is in each
      await expectVisible(page.getByRole("heading", { name: "Ana Alvarez" }));
      await expectVisible(page.getByText("$600.00", { exact: true }));
      const predictions = page.locator(".Polaris-ShadowBevel", { has: page.getByRole("heading", { name: "Predictions" }) });
      await expectVisible(predictions.getByText("Churn probability", { exact: true }));
      expect(await predictions.getByText(/^80 % interval: \d+ % – \d+ %$/).count()).toBe(1);
      expect(await predictions.getByText(/^80 % interval: \$[\d,]+\.\d\d – \$[\d,]+\.\d\d$/).count()).toBe(1);
      expect(await predictions.getByText(/^80 % interval: [A-Z][a-z]{2} \d{1,2}, \d{4} – ([A-Z][a-z]{2} \d{1,2}, \d{4}|beyond 12 months)$/).count()).toBe(1);
      const segments = page.getByRole("list", { name: "Segments" });
      const vip = segments.getByRole("listitem").filter({ has: page.getByRole("link", { name: "VIPs" }) });
      const bigSpender = segments.getByRole("listitem").filter({ has: page.getByRole("link", { name: "Big spenders" }) });
      await expectVisible(vip);
      await expectVisible(bigSpender);
      expect(await segments.getByRole("listitem").count()).toBe(2);
      await expectVisible(vip.getByText(/600/));
      await page.screenshot({ path: path.join(RESULTS_DIR, "customer-profile.png"), fullPage: true });

      // WHEN the merchant opens a customer who never ordered (filter: never ordered)
      await page.getByRole("navigation").getByRole("link", { name: "Customers", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/customers" && !url.searchParams.get("q"));
      await hydrated(page);
      await page.getByLabel("Orders", { exact: true }).selectOption("no");
      await page.waitForURL((url) => url.searchParams.get("orders") === "no");
      await expectVisible(page.getByRole("link", { name: "Hal Hill" }));
      expect((await page.locator("tbody tr").allInnerTexts()).map((text) => text.split("\n")[0].trim()).sort()).toEqual(["Gus Green", "Hal Hill"]);
      await page.getByRole("link", { name: "Gus Green" }).click();
      // THEN there is no forecast to show, and the page says so
      await expectVisible(page.getByRole("heading", { name: "Gus Green" }));
      await expectVisible(page.getByText("Not enough data yet"));
      await expectVisible(page.getByText("Not in any segment right now."));

      // WHEN the merchant narrows Big spenders with a nested group: spent over $250 AND (email domain gamma.test)
      await page.goto(`${server.url}/app/segments`);
      await page.getByRole("link", { name: "Big spenders", exact: true }).click();
      await page.waitForURL((url) => /^\/app\/segments\/(?!new)[^/]+$/.test(url.pathname));
      await hydrated(page);
      await expectVisible(liveCount.getByText("3 of 8 customers", { exact: true }));
      await page.getByRole("button", { name: "Add a group to the rule" }).click();
      const inner = page.getByRole("group", { name: "Condition 2.1" });
      await inner.getByLabel("Condition", { exact: true }).selectOption("email_domain");
      // THEN an empty domain is flagged at once, before anything is sent
      await expectVisible(inner.getByText(/an email domain such as example\.com/));
      await inner.getByLabel("Email domain", { exact: true }).fill("gamma.test");
      // THEN only Fay matches both
      await expectVisible(liveCount.getByText("1 of 8 customers", { exact: true }));

      // WHEN it is saved, the members follow the new rule
      await page.getByRole("button", { name: "Save" }).click();
      await expectVisible(page.getByText("Segment saved"));
      await expectVisible(members.getByRole("link", { name: "Fay Fox" }));
      expect(await memberRows.count()).toBe(1);
      await page.reload();
      await expectVisible(page.getByRole("group", { name: "Condition 2.1" }).getByLabel("Email domain", { exact: true }));
      expect(await page.getByRole("group", { name: "Condition 2.1" }).getByLabel("Email domain", { exact: true }).inputValue()).toBe("gamma.test");

      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
