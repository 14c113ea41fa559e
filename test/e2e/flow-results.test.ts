// The flow page's results and control-group setting in a real browser (standalone admin, demo workspace): the
// merchant keeps a 5 % control group and publishes it; the demo's welcome series shows its seeded results. Needs
// `remix build` first (`npm run test:e2e` does it).
import path from "node:path";
import type { AppServer } from "../support/app-server";
import { expectVisible, hydrated, RESULTS_DIR, signIn, type LaunchedBrowser, startAdminApp, type AdminApp } from "../support/browser";

let browser: LaunchedBrowser;
let server: AppServer;
let app: AdminApp | undefined;

beforeAll(async () => {
  app = await startAdminApp();
  ({ browser, server } = app);
});

afterAll(() => app?.stop());

describe("flow results", () => {
  it("shows attributed and incremental results, and keeps a 5 % control group from the next publish", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 900 } });
    try {
      // GIVEN the abandoned-cart flow turned on, opened in the builder
      await signIn(page, server.url);
      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);

      // THEN the results say there is no control group yet, next to attributed revenue
      await expectVisible(page.getByRole("heading", { name: "Results, last 30 days" }));
      await expectVisible(page.getByText("Attributed revenue (last click within 5 days)"));
      await expectVisible(page.getByText("No control group"));
      await expectVisible(page.getByText("Keep a control group below to measure what the flow adds."));

      // WHEN the merchant keeps a control group
      const keep = page.getByLabel("Keep a control group");
      await keep.check();
      // THEN 5 % is suggested, the draft is saved, and publishing lists the changed rules
      await expectVisible(page.getByLabel("Control group size"));
      expect(await page.getByLabel("Control group size").inputValue()).toBe("5");
      await page.waitForFunction(() => [...document.querySelectorAll("[role=status]")].some((el) => el.textContent?.trim() === "Draft saved"), null, { timeout: 15_000 });
      await page.getByRole("button", { name: "Publish this flow" }).click();
      const dialog = page.getByRole("dialog");
      await expectVisible(dialog.getByText("Flow settings changed: rules"));
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-results-publish.png") });
      await dialog.getByRole("button", { name: "Publish" }).click();
      await expectVisible(page.getByText("Version 2 is live"));

      // THEN after a reload the published flow keeps its control group
      await page.reload();
      await hydrated(page);
      expect(await page.getByLabel("Keep a control group").isChecked()).toBe(true);
      await expectVisible(page.getByText("Nobody has entered a published version with a control group in this range (last 30 days)."));
      await page.getByRole("heading", { name: "Results, last 30 days" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-results.png") });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows the demo welcome series' incremental revenue, lifetime-value effect and A/B winner, and promotes it by hand", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 900 } });
    try {
      // GIVEN the demo's welcome series, seeded with four weeks of journeys, opened in the builder
      await signIn(page, server.url);
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.getByRole("link", { name: "Open Welcome series (demo results) in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);

      // THEN the results show attributed revenue, incremental revenue with a 95 % interval, and the A/B verdict
      await expectVisible(page.getByRole("heading", { name: "Results, last 30 days" }));
      await expectVisible(page.getByText(/^\+\$[\d,.]+ \(95 % CI \+\$[\d,.]+ to \+\$[\d,.]+\)$/).first());
      await expectVisible(page.getByText("Control group (sent nothing)").first());
      await expectVisible(page.getByRole("heading", { name: 'A/B test "ab-welcome" — revenue per recipient: Winner: b' }));
      // and the lifetime-value effect of the sign-ups whose 90 days have passed, with its interval
      await expectVisible(page.getByRole("heading", { name: "Lifetime value effect (90 days after entering)" }));
      await expectVisible(page.getByText("Ordered twice or more"));
      await page.getByRole("heading", { name: "Results, last 30 days" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-results-demo.png"), fullPage: true });
      await expectVisible(page.getByText("Nothing yet. Winners promoted in A/B tests, automatically or by hand, are listed here."));

      // WHEN the merchant promotes the winner by hand, and confirms
      await page.getByRole("button", { name: "Promote variant b of ab-welcome" }).click();
      const dialog = page.getByRole("dialog");
      await expectVisible(dialog.getByText(/Customers already past the split keep their variant/));
      await dialog.getByRole("button", { name: "Promote", exact: true }).click();

      // THEN a new version is live, the test says it was promoted, and the history names who did it
      await expectVisible(page.getByText("Version 2 is live"));
      await expectVisible(page.getByText(/^Promoted: variant "b" goes to everyone since .* \(version 2, by /));
      await expectVisible(page.getByText(/^demo@nudgeflow\.dev promoted variant "b" of the A\/B test "ab-welcome": it now goes to everyone/));
      // and the builder shows the new version's weights: b takes everyone
      await expectVisible(page.getByText("b · 100%"));
      expect(await page.getByRole("button", { name: "Promote variant b of ab-welcome" }).count()).toBe(0);
      await page.getByRole("heading", { name: "History" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-results-promoted.png"), fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
