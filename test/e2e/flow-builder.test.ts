// The flow builder in a real browser (standalone admin, demo workspace): open the abandoned-cart flow, edit an
// email, see a validation error on the node and undo it, insert a delay on an edge, publish version 2.
// Needs `remix build` first (`npm run test:e2e` does it).
import path from "node:path";
import type { Page } from "playwright-core";
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

const saveIndicator = (page: Page) => page.getByRole("status").filter({ hasText: /Saved|Draft saved|Saving…|Unsaved changes/ });

async function waitSaved(page: Page) {
  await page.waitForFunction(() => [...document.querySelectorAll("[role=status]")].some((el) => /^(Draft saved|Saved)$/.test(el.textContent?.trim() ?? "")), null, { timeout: 15_000 });
}

describe("flow builder", () => {
  it("edits, validates, undoes, inserts a step and publishes version 2 of the abandoned-cart flow", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 860 } });
    try {
      // GIVEN the demo merchant signed in, with the abandoned-cart blueprint turned on from Home
      await signIn(page, server.url);
      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));

      // WHEN the merchant opens the flow from the Flows list
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/flows");
      await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);

      // THEN the builder shows the trigger and six steps laid out top to bottom, joined by six edges
      await expectVisible(page.getByRole("heading", { name: "Abandoned cart" }));
      const nodes = page.locator(".react-flow__node");
      await expectVisible(nodes);
      expect(await nodes.count()).toBe(7);
      expect(await page.locator(".react-flow__edge").count()).toBe(6);
      const tops = await nodes.evaluateAll((elements) => elements.map((el) => el.getBoundingClientRect().top));
      expect([...tops].sort((a, b) => a - b)).toEqual(tops);
      await expectVisible(page.getByRole("button", { name: /^Trigger: / }));
      await expectVisible(page.getByText("Wait 1 hour after last checkout activity"));
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-builder.png") });

      // WHEN the merchant opens the first email's panel and changes its subject
      const email = page.getByRole("button", { name: /^Email step: We saved your items/ });
      await email.click();
      const panel = page.getByRole("complementary", { name: "Settings for We saved your items" });
      await expectVisible(panel);
      await panel.getByLabel("Subject").fill("Still thinking it over?");
      // THEN the node shows it and the draft is saved
      await expectVisible(email.getByText("Subject: Still thinking it over?"));
      await waitSaved(page);

      // WHEN the subject is cleared
      await panel.getByLabel("Subject").fill("");
      // THEN the error shows in the panel and as a marker on the node
      await expectVisible(panel.getByText("an email needs a subject"));
      await expectVisible(email.getByTestId("node-problem"));
      await waitSaved(page);

      // WHEN the merchant undoes it (the Undo button)
      await page.getByRole("button", { name: "Undo" }).click();
      // THEN the error is gone
      await email.getByTestId("node-problem").waitFor({ state: "detached" });
      expect(await panel.getByText("an email needs a subject").count()).toBe(0);
      await waitSaved(page);

      // WHEN a delay is inserted with the "+" on the edge after the first email
      await page.getByRole("button", { name: /^Insert a step between We saved your items and Wait 24 hours/ }).click();
      await page.getByRole("menuitem", { name: "Delay" }).click();
      // THEN there is one more node and edge, and its panel is open
      await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 8);
      expect(await page.locator(".react-flow__edge").count()).toBe(7);
      await expectVisible(page.getByRole("complementary", { name: "Settings for Wait 1 hour" }));
      await waitSaved(page);

      // WHEN the merchant publishes
      await page.getByRole("button", { name: "Publish this flow" }).click();
      const dialog = page.getByRole("dialog");
      // THEN the dialog lists 1 step added and 1 changed, and says who is in the flow
      await expectVisible(dialog.getByText("1 step added: delay"));
      await expectVisible(dialog.getByText("1 step changed: email-reminder"));
      await expectVisible(dialog.getByText(/Nobody is in this flow right now/));
      await page.screenshot({ path: path.join(RESULTS_DIR, "flow-builder-publish.png") });
      await dialog.getByRole("button", { name: "Publish" }).click();

      // THEN version 2 is live
      await expectVisible(page.getByText("Version 2 is live"));
      await expectVisible(saveIndicator(page));
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
