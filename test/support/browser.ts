// Debian's Chromium driven by playwright-core, launched the same way for every browser test: headless, no
// sandbox, nothing phoning home, a desktop user agent and a fresh profile (no cookies, no storage) per context.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from "playwright-core";
import type { Db } from "~/db.server";
import { startAppServer, type AppServer } from "./app-server";
import { databaseTargets, dropAll, openDb } from "./databases";

// A desktop Chrome: isbot() would flag HeadlessChrome, and the admin answers bots differently.
export const DESKTOP_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** The page's uncaught errors, collected as they happen. */
  pageErrors: string[];
}

export interface LaunchedBrowser {
  browser: Browser;
  /** A fresh browser profile (no cookies, no storage) with the desktop user agent; close the context after use. */
  openPage(options?: Omit<BrowserContextOptions, "userAgent">): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** Launches Chromium from CHROMIUM_PATH, or Debian's /usr/bin/chromium. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });

  async function openPage(options: Omit<BrowserContextOptions, "userAgent"> = {}): Promise<OpenedPage> {
    const context = await browser.newContext({ ...options, userAgent: DESKTOP_USER_AGENT });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    return { context, page, pageErrors };
  }

  return { browser, openPage, close: () => browser.close() };
}

/** The demo sign-in and session secret every admin browser test starts its app server with. */
export const DEMO_ADMIN = { email: "demo@nudgeflow.dev", password: "e2e-demo-password", sessionSecret: "e2e-session-secret-0123456789abc" } as const;

/** Where browser tests leave screenshots (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL("../../test-results", import.meta.url));

/** Remix has hydrated: clicks are handled by the app, not by a plain form post. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
  await page.waitForLoadState("networkidle");
}

export async function expectVisible(locator: Locator) {
  await locator.first().waitFor({ state: "visible", timeout: 15_000 });
}

/** Signs in through the real login form as the demo merchant and waits for Home. */
export async function signIn(page: Page, appUrl: string) {
  await page.goto(`${appUrl}/login`);
  await hydrated(page);
  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/app");
  await hydrated(page);
}

export interface AdminApp {
  browser: LaunchedBrowser;
  server: AppServer;
  /** The app's database (a fresh SQLite file), for tests that read or write it beside the app. */
  databaseUrl: string;
  /** Stops the server and the browser and drops the test databases. */
  stop(): Promise<void>;
}

/**
 * What every admin browser test starts with: Chromium, test-results/, and the built app on a fresh SQLite file
 * with the demo sign-in (DEMO_ADMIN). `seed` writes to that database before the server starts; `env` adds to the
 * server's environment (emulator addresses, keys).
 */
export async function startAdminApp(options: { seed?: (db: Db) => Promise<void>; env?: Record<string, string> } = {}): Promise<AdminApp> {
  const browser = await launchBrowser();
  let server: AppServer;
  let databaseUrl: string;
  try {
    await mkdir(RESULTS_DIR, { recursive: true });
    const [, createDatabaseUrl] = databaseTargets()[0];
    databaseUrl = await createDatabaseUrl();
    if (options.seed) {
      const db = openDb(databaseUrl);
      await options.seed(db);
      await db.$disconnect();
    }
    server = await startAppServer({ env: { DATABASE_URL: databaseUrl, DEMO_PASSWORD: DEMO_ADMIN.password, SESSION_SECRET: DEMO_ADMIN.sessionSecret, ...options.env } });
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    browser,
    server,
    databaseUrl,
    async stop() {
      await server.stop();
      await browser.close();
      await dropAll();
    },
  };
}
