// The email delivery page in a real browser (standalone admin, demo workspace), against the SendGrid emulator: the
// page says the outbox is in force, a wrong key is refused at the field, a checked key is saved and shown only as
// its last four characters with the signed delivery-report webhook set up, and removing it returns to the outbox.
// Needs `remix build` first.
import path from "node:path";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import type { AppServer } from "../support/app-server";
import { expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp, type LaunchedBrowser } from "../support/browser";

const ENCRYPTION_KEY = "5c0b4f3f3a6d2e1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b";
const APP_URL = "https://nudgeflow-e2e.test";
const KEY = "SG.demo-store-own-account.e2eKEY9";

let browser: LaunchedBrowser;
let server: AppServer;
let sendgrid: SendGridEmulator;
let app: AdminApp | undefined;

beforeAll(async () => {
  sendgrid = await startSendGridEmulator({ apiKey: "SG.app-default-key-unused" });
  app = await startAdminApp({ env: { SENDGRID_API_BASE_URL: sendgrid.url, SENDGRID_EU_API_BASE_URL: sendgrid.url, ENCRYPTION_KEY, APP_URL } });
  ({ browser, server } = app);
});

afterAll(async () => {
  await app?.stop();
  await sendgrid?.close();
});

describe("the email delivery page", () => {
  it("checks a SendGrid key with SendGrid, saves it write-only, and falls back to the outbox without it", async () => {
    const account = sendgrid.accounts.register({ apiKey: KEY, senders: [{ email: "hello@demo-store.nudgeflow.dev", verified: true }] });
    const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 1000 } });
    try {
      await signIn(page, server.url);
      await page.getByRole("navigation").getByRole("link", { name: "Email delivery", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/settings/email");
      await hydrated(page);
      await expectVisible(page.getByText("No SendGrid account is set up"));

      // WHEN a key SendGrid does not know is saved THEN the field says so, and nothing is saved
      const keyField = page.getByLabel("SendGrid API key");
      await keyField.fill("SG.not-this-one.0123456789");
      await page.getByRole("button", { name: "Check with SendGrid and save" }).click();
      await expectVisible(page.getByText(/SendGrid refused this API key \(401/));
      await expectVisible(page.getByText("No SendGrid account is set up"));

      // WHEN the right key is saved THEN SendGrid's account is in force, the key shows as its last four only
      await keyField.fill(KEY);
      await page.getByRole("button", { name: "Check with SendGrid and save" }).click();
      await expectVisible(page.getByText("SendGrid accepted the key and the sender"));
      await expectVisible(page.getByText("Emails go out through your own SendGrid account."));
      await expectVisible(page.getByText(/Key •••• KEY9/));
      await expectVisible(page.getByText(/posts delivery events, signed, to https:\/\/nudgeflow-e2e\.test\/webhooks\/sendgrid\//));
      expect(await keyField.inputValue()).toBe("");
      expect(await page.content()).not.toContain(KEY);
      expect(account.webhooks).toMatchObject([{ signed: true }]);
      await page.screenshot({ path: path.join(RESULTS_DIR, "email-delivery-settings.png"), fullPage: true });

      // WHEN the key is removed THEN the outbox is in force again
      await page.getByRole("button", { name: "Remove my SendGrid key" }).click();
      await expectVisible(page.getByText("No SendGrid account is set up"));
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
