// An accessibility check (axe-core 4.14, pinned; ADR 0038) of the pages a merchant builds flows on:
// Home with its dashboard, the Flows list, the builder with the abandoned-cart flow and a node panel open, and the
// publish dialog.
// No serious or critical violation of WCAG 2.x A/AA is allowed. Needs `remix build` first (`npm run test:e2e` does it).
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expectVisible, hydrated, signIn, startAdminApp, type AdminApp } from "../support/browser";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let app: AdminApp;

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(() => app?.stop());

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core run in the page; the serious and critical violations, one line each with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ include: [["html"]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.impact} ${violation.id} (${violation.help}): ${violation.nodes.slice(0, 5).map((node) => node.target.join(" ")).join(", ")}`);
}

describe("accessibility", () => {
  it("finds no serious or critical axe violation on Home, the Flows list, the builder, a node panel and the publish dialog", async () => {
    const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 860 } });
    try {
      await signIn(page, app.server.url);
      const found: Record<string, string[]> = {};
      found.home = await seriousViolations(page);

      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/flows");
      await hydrated(page);
      await expectVisible(page.getByRole("row", { name: /Abandoned cart/ }));
      found.flows = await seriousViolations(page);

      await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);
      await expectVisible(page.locator(".react-flow__node"));
      found.builder = await seriousViolations(page);

      await page.getByRole("button", { name: /^Email step: We saved your items/ }).click();
      await expectVisible(page.getByRole("complementary", { name: "Settings for We saved your items" }));
      found.panel = await seriousViolations(page);

      await page.getByRole("button", { name: "Publish this flow" }).click();
      await expectVisible(page.getByRole("dialog"));
      await expectVisible(page.getByRole("dialog").getByRole("button", { name: "Publish" }));
      found.publishDialog = await seriousViolations(page);

      expect(found).toEqual({ home: [], flows: [], builder: [], panel: [], publishDialog: [] });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
