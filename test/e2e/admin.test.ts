// The standalone admin in a real browser: the app server as `npm run serve` starts it (migrations, demo
// workspace, no Shopify credentials), Debian's Chromium driven by playwright-core. Needs `remix build` first
// (`npm run test:e2e` does it).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { sessionTokenFor, startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { startAppServer, type AppServer } from "../support/app-server";
import { DEMO_ADMIN, expectVisible, hydrated, launchBrowser, RESULTS_DIR, type LaunchedBrowser, type OpenedPage } from "../support/browser";
import { databaseTargets, dropAll } from "../support/databases";

const { email: DEMO_EMAIL, password: DEMO_PASSWORD, sessionSecret: SESSION_SECRET } = DEMO_ADMIN;

let browser: LaunchedBrowser;

beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(RESULTS_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await dropAll();
});

/** A fresh browser profile (no cookies) and the page errors it raises. */
const openPage = (): Promise<OpenedPage> => browser.openPage({ viewport: { width: 1280, height: 860 } });


describe("standalone admin", () => {
  let server: AppServer;

  beforeAll(async () => {
    const [, createDatabaseUrl] = databaseTargets()[0];
    server = await startAppServer({
      env: { DATABASE_URL: await createDatabaseUrl(), DEMO_PASSWORD, SESSION_SECRET },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("refuses a wrong password with a clear message and keeps the email", async () => {
    // GIVEN the sign-in page
    const { context, page, pageErrors } = await openPage();
    try {
      await page.goto(`${server.url}/login`);
      await hydrated(page);

      // WHEN the demo user signs in with a wrong password
      await page.getByLabel("Email").fill(DEMO_EMAIL);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();

      // THEN the page says so, stays on /login, and the email is still filled in
      await expectVisible(page.getByText("Email or password is incorrect."));
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(await page.getByLabel("Email").inputValue()).toBe(DEMO_EMAIL);
      expect(await page.getByLabel("Password").inputValue()).toBe("");
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("signs in, turns on the abandoned-cart blueprint, sees it live under Flows and its email in the Outbox", async () => {
    // GIVEN the standalone admin with the seeded demo workspace (its sign-in printed by the server)
    expect(server.output()).toContain(DEMO_EMAIL);
    const { context, page, pageErrors } = await openPage();
    try {
      // WHEN the browser opens the app's root
      await page.goto(`${server.url}/`);
      // THEN it lands on the sign-in page, remembering where it was going
      expect(new URL(page.url()).pathname).toBe("/login");
      await expectVisible(page.getByText("Demo sign-in is printed in the terminal where you ran npm start."));
      await hydrated(page);

      // WHEN the demo user signs in
      await page.getByLabel("Email").fill(DEMO_EMAIL);
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();

      // THEN Home shows the blueprint gallery with the Abandoned cart card, not yet turned on
      await page.waitForURL((url) => url.pathname === "/app");
      await expectVisible(page.getByRole("heading", { name: "Home" }));
      const card = page.locator(".Polaris-ShadowBevel", { has: page.getByRole("heading", { name: "Abandoned cart" }) });
      await expectVisible(card);
      await hydrated(page);

      // WHEN the merchant turns it on
      await card.getByRole("button", { name: "Turn on" }).click();

      // THEN the card says it is live, with a confirmation, and the button became "View flows"
      await expectVisible(page.getByText("Abandoned cart is live"));
      await expectVisible(card.getByText("Live", { exact: true }));
      await expectVisible(card.getByRole("link", { name: "View flows" }));
      await page.screenshot({ path: path.join(RESULTS_DIR, "admin-home.png"), fullPage: true });

      // WHEN the merchant opens Flows from the navigation
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();

      // THEN the flow is listed as Live, version 1
      await page.waitForURL((url) => url.pathname === "/app/flows");
      const row = page.getByRole("row", { name: /Abandoned cart/ });
      await expectVisible(row);
      await expectVisible(row.getByText("Live", { exact: true }));
      await expectVisible(row.getByText("v1", { exact: true }));
      await expectVisible(row.getByRole("button", { name: "Pause Abandoned cart" }));
      await page.screenshot({ path: path.join(RESULTS_DIR, "admin-flows.png"), fullPage: true });

      // WHEN the merchant plays a demo shopper who leaves a checkout
      await page.getByRole("navigation").getByRole("link", { name: "Home", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app");
      await page.getByRole("button", { name: "Simulate an abandoned checkout" }).click();
      await expectVisible(page.getByText("A demo shopper left a checkout"));

      // THEN the in-process worker writes the first reminder, and the Outbox shows it (kept, not sent)
      await page.getByRole("navigation").getByRole("link", { name: "Outbox", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/outbox");
      await expectVisible(page.getByText("Emails are kept here, not sent"));
      const email = page.getByRole("link", { name: /^We saved your items/ });
      for (let attempt = 0; attempt < 30 && (await email.count()) === 0; attempt++) {
        await page.waitForTimeout(500);
        await page.reload();
      }
      await email.first().click();
      await page.waitForURL((url) => url.pathname.startsWith("/app/outbox/"));
      const preview = page.locator("iframe[title^='Email:']");
      expect(await preview.getAttribute("sandbox")).toBe("");
      await expectVisible(page.frameLocator("iframe[title^='Email:']").getByText("We saved your items"));

      // WHEN the merchant signs out from the user menu
      await page.getByRole("button", { name: /Demo merchant/ }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).or(page.getByRole("button", { name: "Sign out" })).click();

      // THEN the admin is closed again
      await page.waitForURL((url) => url.pathname === "/login");
      await page.goto(`${server.url}/app/flows`);
      expect(new URL(page.url()).pathname).toBe("/login");

      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("embedded admin", () => {
  const API_KEY = "nudgeflow-e2e-api-key";
  const API_SECRET = "nudgeflow-e2e-api-secret-0123456789";
  const SHOP = "nudge-e2e.myshopify.com";
  let shopify: ShopifyEmulator;
  let server: AppServer;

  beforeAll(async () => {
    shopify = await startShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET });
    shopify.seedShop(SHOP, { name: "Nudge E2E Store", ianaTimezone: "Europe/Paris" });
    const [, createDatabaseUrl] = databaseTargets()[0];
    server = await startAppServer({
      env: {
        DATABASE_URL: await createDatabaseUrl(),
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: "https://nudgeflow.test",
        SHOPIFY_ADMIN_API_ORIGIN: shopify.url,
        SESSION_SECRET,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await shopify?.close();
  });

  it("renders Home inside the Shopify admin's frame from a session token, without a sign-in", async () => {
    // GIVEN Shopify opens the app for a shop with a fresh session token (App Bridge itself cannot load offline)
    const { context, page, pageErrors } = await openPage();
    try {
      const host = Buffer.from(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`).toString("base64url");
      const idToken = await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP });

      // WHEN the document loads
      const response = await page.goto(`${server.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${idToken}`);

      // THEN it is the admin's Home for the shop's new workspace: no sign-in page, no standalone frame, App
      // Bridge's script and navigation menu in place, and the page hydrates without errors
      expect(response?.status(), server.output()).toBe(200);
      await expectVisible(page.getByRole("heading", { name: "Home" }));
      await expectVisible(page.getByRole("heading", { name: "Abandoned cart" }));
      expect(await page.locator(`script[data-api-key="${API_KEY}"]`).count()).toBe(1);
      expect(await page.locator("ui-nav-menu a").allTextContents()).toEqual(["Home", "Flows", "Segments", "Customers", "Outbox", "Suppression list", "Failed events", "Stores", "Email branding", "Email delivery", "Attribution", "Privacy"]);
      expect(await page.locator(".Polaris-Frame").count()).toBe(0);
      await expectVisible(page.getByRole("button", { name: "Turn on" }));
      await hydrated(page);
      await page.screenshot({ path: path.join(RESULTS_DIR, "admin-embedded.png"), fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

