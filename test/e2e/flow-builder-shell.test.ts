// The builder's shell feedback in the standalone admin (ADR 0038): while the draft differs from the live version a
// save bar says "Unpublished changes" (Discard puts the live version back; Review and publish opens the dialog), and
// toasts confirm discard, publish and pause. Embedded, the same calls use App Bridge's ui-save-bar and
// shopify.toast. Needs `remix build` first (`npm run test:e2e` does it).
import { expectVisible, hydrated, signIn, startAdminApp, type AdminApp } from "../support/browser";

let app: AdminApp;

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(() => app?.stop());

describe("flow builder shell", () => {
  it("shows a save bar for unpublished changes, discards and publishes them, and confirms with toasts", async () => {
    const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 860 } });
    try {
      // GIVEN the abandoned-cart flow, live, open in the builder
      await signIn(page, app.server.url);
      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));
      await page.goto(`${app.server.url}/app/flows`);
      await hydrated(page);
      await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);
      const bar = page.getByText("Unpublished changes", { exact: true });
      expect(await bar.count()).toBe(0);

      // WHEN the merchant changes an email's subject
      const email = page.getByRole("button", { name: /^Email step: We saved your items/ });
      await email.click();
      const panel = page.getByRole("complementary", { name: "Settings for We saved your items" });
      const original = await panel.getByLabel("Subject").inputValue();
      await panel.getByLabel("Subject").fill("Still thinking it over?");
      // THEN the save bar says there are unpublished changes
      await expectVisible(bar);

      // WHEN they discard them
      await page.getByRole("button", { name: "Discard" }).click();
      // THEN the live version is back, a toast says so and the bar is gone
      await expectVisible(page.getByText("Changes discarded: the draft is the live version again"));
      await bar.waitFor({ state: "detached" });
      await expectVisible(email.getByText(/^Subject: We saved your items/));

      // WHEN they change it again and publish from the save bar
      await email.click();
      await page.getByRole("complementary", { name: "Settings for We saved your items" }).getByLabel("Subject").fill("Still thinking it over?");
      await expectVisible(bar);
      await page.getByRole("button", { name: "Review and publish" }).click();
      const dialog = page.getByRole("dialog");
      await expectVisible(dialog.getByText("1 step changed: email-reminder"));
      await dialog.getByRole("button", { name: "Publish" }).click();
      // THEN a toast confirms version 2 and nothing is left unpublished
      await expectVisible(page.locator(".Polaris-Frame-ToastManager").getByText("Version 2 is live"));
      await bar.waitFor({ state: "detached" });

      // WHEN they pause the flow
      await page.getByRole("button", { name: "Pause", exact: true }).click();
      // THEN a toast says so
      await expectVisible(page.locator(".Polaris-Frame-ToastManager").getByText("Flow paused"));
      expect(original).not.toBe("Still thinking it over?");
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
