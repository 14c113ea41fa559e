// A customer's journeys in the admin, in a real browser: the customer page's Journeys card lists the abandoned-cart
// journey (flow linked, status), and its disclosure — opened from the keyboard — shows the trace in the words
// `nudgeflow trace` prints, the email's line linking to its outbox page. The demo workspace and the journey are
// written before the server starts. Needs `remix build` first.
import path from "node:path";
import { ManualClock } from "~/core/clock";
import { enableBlueprint } from "~/core/flows/manage.server";
import { silentLogger } from "~/core/logger.server";
import { simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { DEMO_ADMIN, expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp } from "../support/browser";

let app: AdminApp | undefined;
let customerId = "";
let messageId = "";

/** The first reminder of an abandoned checkout. */
async function seedJourney(db: Db) {
  const clock = new ManualClock(new Date());
  const { workspaceId } = await seedDemoWorkspace(db, { password: DEMO_ADMIN.password, now: clock.now() });
  await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
  const { email } = await simulateAbandonedCheckout({ db, clock }, { workspaceId });
  await createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null }).tick();
  const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email } });
  messageId = message.id;
  customerId = message.customerId ?? "";
}

beforeAll(async () => {
  app = await startAdminApp({ seed: seedJourney });
});

afterAll(() => app?.stop());

it("shows the customer's journey and, once expanded from the keyboard, its trace down to the email", async () => {
  if (!app) throw new Error("the app did not start");
  expect(customerId).not.toBe("");
  const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, app.server.url);
    await page.goto(`${app.server.url}/app/customers/${customerId}`);
    await hydrated(page);

    const journeys = page.getByRole("list", { name: "Journeys, newest first" });
    await expectVisible(journeys.getByRole("link", { name: "Abandoned cart" }));
    await expectVisible(journeys.getByText("Active", { exact: true }));
    // The trace stays closed until asked for
    const toggle = journeys.getByRole("button", { name: /^Show trace \(\d+\) of Abandoned cart$/ });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    const trace = page.getByRole("region", { name: "Trace of Abandoned cart" });
    expect(await trace.count()).toBe(0);

    await toggle.focus();
    await page.keyboard.press("Enter");
    await expectVisible(trace.getByText("trigger matched on checkout.create"));
    await expectVisible(trace.getByText(/^entered \(entry 1, checkout /));
    const sendLine = trace.getByRole("link", { name: new RegExp(`queued as ${messageId}`) });
    await expectVisible(sendLine);
    expect(await sendLine.getAttribute("href")).toBe(`/app/outbox/${messageId}`);
    expect(await journeys.getByRole("button", { name: /^Hide trace/ }).getAttribute("aria-expanded")).toBe("true");
    await page.screenshot({ path: path.join(RESULTS_DIR, "customer-journeys.png"), fullPage: true });

    // The email's line leads to its page
    await sendLine.click();
    await page.waitForURL((url) => url.pathname === `/app/outbox/${messageId}`);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});
