// The suppression list and the public preference page in a real browser (the built app, Debian's Chromium): the
// merchant imports pasted lines and sees each rejected line with its reason, filters the list and removes a block;
// a customer opens the unsubscribe link, unsubscribes and resubscribes. Needs `remix build` first.
import path from "node:path";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import type { Db } from "~/db.server";
import type { AppServer } from "../support/app-server";
import { expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp, type LaunchedBrowser } from "../support/browser";
import { openDb } from "../support/databases";

let browser: LaunchedBrowser;
let server: AppServer;
let db: Db;
let workspaceId: string;
let app: AdminApp | undefined;
const SHOPPER = "grace@preferences.example";

beforeAll(async () => {
  app = await startAdminApp();
  ({ browser, server } = app);
  db = openDb(app.databaseUrl);
  workspaceId = (await db.workspace.findFirstOrThrow({ where: { isDemo: true } })).id;
});

afterAll(() => app?.stop());

it("imports pasted lines, reports the bad ones, filters the list and removes a block", async () => {
  await db.suppression.create({ data: { workspaceId, email: "bounced@preferences.example", reason: "bounce", source: "sendgrid", detail: "550 5.1.1 no such user", createdAt: new Date() } });
  const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 1280, height: 1000 } });
  try {
    await signIn(page, server.url);
    await page.goto(`${server.url}/app/suppressions`);
    await hydrated(page);
    await expectVisible(page.getByText("bounced@preferences.example"));

    // WHEN the merchant pastes three lines, one of them with a reason we do not know
    await page.getByLabel("Or paste lines").fill("ann@preferences.example\nbob@preferences.example,unsubscribe\ncarl@preferences.example,unsubscribed");
    await page.getByRole("button", { name: "Import pasted lines" }).click();

    // THEN the good lines are in, and the bad one is named with its line number and why
    await expectVisible(page.getByText("Imported: 2 added, 0 already on the list, 1 rejected"));
    await expectVisible(page.getByText('Line 3: unknown reason "unsubscribed"', { exact: false }));
    await expectVisible(page.locator("td", { hasText: "ann@preferences.example" }));
    expect(await page.getByLabel("Or paste lines").inputValue()).toBe("");
    await page.screenshot({ path: path.join(RESULTS_DIR, "suppressions-import.png"), fullPage: true });

    // AND the reason filter shows only bounces, which cannot be removed
    await page.getByLabel("Reason").selectOption("bounce");
    await page.waitForURL((url) => url.searchParams.get("reason") === "bounce");
    await page.locator("td", { hasText: "ann@preferences.example" }).first().waitFor({ state: "detached", timeout: 15_000 });
    await expectVisible(page.getByText("550 5.1.1 no such user"));
    expect(await page.getByRole("button", { name: "Remove" }).count()).toBe(0);

    // AND a block by hand can be removed
    await page.getByLabel("Reason").selectOption("manual");
    await page.waitForURL((url) => url.searchParams.get("reason") === "manual");
    await expectVisible(page.locator("td", { hasText: "ann@preferences.example" }));
    await page.getByRole("button", { name: "Remove" }).click();
    await expectVisible(page.getByText("ann@preferences.example removed from the list"));
    expect(await db.suppression.count({ where: { workspaceId, email: "ann@preferences.example" } })).toBe(0);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

it("lets a customer unsubscribe and resubscribe on the preference page, without login", async () => {
  const now = new Date();
  await db.customer.create({ data: { workspaceId, email: SHOPPER, acceptsMarketing: true } });
  const message = await db.message.create({
    data: { id: "msg_preferences_e2e", workspaceId, toEmail: SHOPPER, fromEmail: "shop@example.com", subject: "Hello", html: "<p>Hi</p>", text: "Hi", status: "sent", nextAttemptAt: now, createdAt: now },
  });
  const url = await createUnsubscribeLinks({ db, appUrl: server.url }).urlFor(message.id);
  const { context, page, pageErrors } = await browser.openPage({ viewport: { width: 900, height: 800 } });
  try {
    await page.goto(url);
    await hydrated(page);
    await expectVisible(page.getByText("Status: subscribed."));
    expect(await page.content()).not.toContain(SHOPPER);

    await page.getByRole("button", { name: "Unsubscribe from marketing emails" }).click();
    await expectVisible(page.getByRole("heading", { name: "You're unsubscribed" }));
    await page.screenshot({ path: path.join(RESULTS_DIR, "preferences-unsubscribed.png"), fullPage: true });
    expect(await db.suppression.findFirst({ where: { workspaceId, email: SHOPPER } })).toMatchObject({ reason: "unsubscribe", source: "unsubscribe_link" });

    await page.getByRole("button", { name: "Resubscribe" }).click();
    await expectVisible(page.getByRole("heading", { name: "You're subscribed again" }));
    await page.screenshot({ path: path.join(RESULTS_DIR, "preferences-resubscribed.png"), fullPage: true });
    expect(await db.suppression.count({ where: { workspaceId, email: SHOPPER } })).toBe(0);
    expect(await db.customer.findFirstOrThrow({ where: { workspaceId, email: SHOPPER } })).toMatchObject({ acceptsMarketing: true });
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});
