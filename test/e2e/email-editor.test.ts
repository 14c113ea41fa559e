// Block emails in a real browser. (1) The abandoned-cart blueprint's email, rendered by the real renderer, as
// Chromium shows it at desktop and mobile widths: screenshots under test-results/ and no sideways scrolling on a
// phone. (2) The builder's email editor (standalone admin, demo workspace): edit a block, see an unknown variable
// reported on the node, move a block with the keyboard, preview with sample data at both widths, send a test.
// (3) The branding page: change the colour, see the preview follow, save. Needs `remix build` first.
import path from "node:path";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { DEFAULT_BRANDING } from "~/core/messaging/branding";
import { sampleEmailContext } from "~/core/messaging/email/context";
import { renderEmailNode } from "~/core/messaging/email/render.server";
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

describe("a rendered block email", () => {
  it("looks finished at desktop and mobile widths (screenshots in test-results/)", async () => {
    const node = BLUEPRINTS.find((b) => b.id === "abandoned-cart")!.definition.nodes.find((n) => n.id === "email-incentive")!;
    if (node.type !== "email") throw new Error("blueprint changed");
    const context = sampleEmailContext({ name: "Linen & Co", email: "hello@linen.example", url: "https://linen.example", address: null });
    const email = await renderEmailNode(node, context, { branding: { ...DEFAULT_BRANDING, primaryColor: "#0a7d4f", footerAddress: "12 Market Street, Springfield" } });
    expect(email.warnings).toEqual([]);
    for (const [name, width] of [["desktop", 1024], ["mobile", 375]] as const) {
      const { context: browserContext, page } = await browser.openPage({ viewport: { width, height: 900 } });
      try {
        await page.setContent(email.html, { waitUntil: "load" });
        // The items, the code and the button are on screen, and nothing is wider than the screen.
        await expectVisible(page.getByText("Linen shirt"));
        await expectVisible(page.getByText("WELCOMEBACK", { exact: true }));
        await expectVisible(page.getByRole("link", { name: "Complete my order" }));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
        const button = await page.getByRole("link", { name: "Complete my order" }).boundingBox();
        expect(button && button.x + button.width).toBeLessThanOrEqual(width);
        await page.screenshot({ path: path.join(RESULTS_DIR, `email-${name}.png`), fullPage: true });
      } finally {
        await browserContext.close();
      }
    }
  });
});

describe("the email editor and branding in the admin", () => {
  it("edits blocks, reports an unknown variable on the node, previews at both widths and sends a test", async () => {
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 900 } });
    try {
      await signIn(page, server.url);
      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/flows");
      await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await hydrated(page);

      // WHEN the merchant opens the first email: its blocks are listed
      const email = page.getByRole("button", { name: /^Email step: We saved your items/ });
      await email.click();
      const panel = page.getByRole("complementary", { name: "Settings for We saved your items" });
      await expectVisible(panel.getByText("2. Heading"));

      // WHEN the heading names a variable that does not exist
      const heading = panel.getByRole("textbox", { name: "Heading", exact: true });
      await heading.fill("Hello {{ customer.nickname }}");
      // THEN the panel says so at the block, and the node carries a problem marker
      await expectVisible(panel.getByText(/unknown variable "customer.nickname"/));
      await expectVisible(email.getByTestId("node-problem"));
      await heading.fill("Your cart is waiting, {{ customer.first_name | default: 'friend' }}");
      await email.getByTestId("node-problem").waitFor({ state: "detached" });

      // WHEN the heading block is moved down with the keyboard (focus its button, press Enter)
      await panel.getByRole("button", { name: "Move block 2 (Heading) down" }).focus();
      await page.keyboard.press("Enter");
      // THEN it is the third block
      await expectVisible(panel.getByText("3. Heading"));

      // WHEN the preview opens
      await panel.getByRole("button", { name: "Preview and send a test" }).click();
      const dialog = page.getByRole("dialog");
      const frame = dialog.locator('iframe[title="Email preview, desktop"]');
      await expectVisible(frame);
      // THEN the draft is rendered with the sample data
      await expectVisible(page.frameLocator('iframe[title="Email preview, desktop"]').getByText("Your cart is waiting, Alex"));
      await expectVisible(page.frameLocator('iframe[title="Email preview, desktop"]').getByText("Linen shirt"));
      await page.screenshot({ path: path.join(RESULTS_DIR, "email-editor-preview-desktop.png") });
      await dialog.getByRole("button", { name: "Mobile" }).click();
      const mobile = dialog.locator('iframe[title="Email preview, mobile"]');
      await expectVisible(mobile);
      expect((await mobile.boundingBox())?.width).toBe(375);
      await page.screenshot({ path: path.join(RESULTS_DIR, "email-editor-preview-mobile.png") });

      // WHEN a test is sent
      await dialog.getByLabel("Send a test to").fill("merchant@demo.example");
      await dialog.getByRole("button", { name: "Send test" }).click();
      // THEN it is queued, marked as a test
      await expectVisible(dialog.getByText("Test email queued to merchant@demo.example"));
      await dialog.getByRole("button", { name: "Close" }).click();

      // AND the branding page previews a colour as it is typed, and saves it
      await page.getByRole("navigation").getByRole("link", { name: "Email branding" }).click();
      await page.waitForURL((url) => url.pathname === "/app/settings/branding");
      await hydrated(page);
      await page.getByLabel("Button and link colour").fill("#c2185b");
      await page.getByLabel("Postal address (footer)").fill("12 Market Street, Springfield");
      const preview = page.frameLocator('iframe[title="Branding preview, desktop"]');
      await expectVisible(preview.getByText("12 Market Street, Springfield", { exact: false }));
      expect(await page.locator('iframe[title="Branding preview, desktop"]').evaluate((el) => (el as HTMLIFrameElement).srcdoc.includes("#c2185b"))).toBe(true);
      await page.getByRole("button", { name: "Save branding" }).click();
      await expectVisible(page.getByText("Saved. Emails written from now on use it."));
      await page.screenshot({ path: path.join(RESULTS_DIR, "email-branding.png") });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
