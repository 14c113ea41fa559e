// An email's whole path in the admin, in a real browser: the abandoned-cart reminder's page shows what triggered
// it (with the customer), the journey's trace up to the send, and SendGrid's events (a machine open flagged, a
// click with its URL); and the email editor's preview finds a real customer by name. The demo workspace, the
// journey and the provider's events are written before the server starts. Needs `remix build` first.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { ManualClock } from "~/core/clock";
import { enableBlueprint } from "~/core/flows/manage.server";
import { storeDelivery } from "~/core/ingest/receive.server";
import { silentLogger } from "~/core/logger.server";
import { MESSAGE_ID_ARG } from "~/core/messaging/message-id";
import { SENDGRID_EVENTS_TOPIC, SENDGRID_SOURCE } from "~/core/messaging/sendgrid-webhook.server";
import { simulateAbandonedCheckout } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker } from "~/worker.server";
import { DEMO_ADMIN, expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp } from "../support/browser";

let app: AdminApp | undefined;
let messageId = "";

/** The first reminder of an abandoned checkout, and what SendGrid said about it. */
async function seedJourney(db: Db) {
  const clock = new ManualClock(new Date());
  const { workspaceId } = await seedDemoWorkspace(db, { password: DEMO_ADMIN.password, now: clock.now() });
  await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
  const { email } = await simulateAbandonedCheckout({ db, clock }, { workspaceId });
  const worker = createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null });
  await worker.tick();
  messageId = (await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: email } })).id;
  await db.customer.create({ data: { workspaceId, email: "zelda.fitz@example.com", firstName: "Zelda", lastName: "Fitzgerald" } });

  const at = Math.floor(clock.now().getTime() / 1000);
  const event = (type: string, offset: number, extra: Record<string, unknown> = {}) => ({ email, event: type, timestamp: at + offset, sg_event_id: randomUUID(), [MESSAGE_ID_ARG]: messageId, ...extra });
  const rawBody = JSON.stringify([
    event("delivered", 5),
    event("open", 60, { sg_machine_open: true, useragent: "Mozilla/5.0" }),
    event("click", 120, { url: "https://demo-store.nudgeflow.dev/cart" }),
  ]);
  await storeDelivery({ db, clock }, { source: SENDGRID_SOURCE, workspaceId: null, storeId: null, topic: SENDGRID_EVENTS_TOPIC, dedupeKey: randomUUID(), eventId: null, rawBody, headers: {} });
  await worker.tick();
}

beforeAll(async () => {
  app = await startAdminApp({ seed: seedJourney });
});

afterAll(() => app?.stop());

it("shows an email's path from its trigger to SendGrid's events, and the preview finds a customer by name", async () => {
  if (!app) throw new Error("the app did not start");
  const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 900 } });
  try {
    await signIn(page, app.server.url);
    await page.goto(`${app.server.url}/app/outbox/${messageId}`);
    await hydrated(page);

    // The trigger, with the customer; the journey up to the send; the message; the provider's events
    const trigger = page.getByRole("region", { name: "Trigger" });
    await expectVisible(trigger.getByText("Started by a new checkout"));
    await expectVisible(trigger.getByText("checkout.create", { exact: false }));
    const trace = page.getByRole("region", { name: "Journey trace" });
    await expectVisible(trace.getByText("trigger matched on checkout.create"));
    await expectVisible(trace.getByText(`queued as ${messageId}`, { exact: false }));
    const events = page.getByRole("region", { name: "Delivery events" });
    await expectVisible(events.getByText("Delivered", { exact: true }));
    await expectVisible(events.getByText("Machine open"));
    await expectVisible(events.getByText("https://demo-store.nudgeflow.dev/cart"));
    await page.screenshot({ path: path.join(RESULTS_DIR, "outbox-message-path.png"), fullPage: true });

    // The customer link leads to their page, whose timeline links back to this email
    await page.getByRole("link", { name: /^Customer: / }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/app/customers/"));
    await hydrated(page);
    // Client navigation changes the URL before React renders the new page, so wait for the link itself
    await page.locator(`a[href="/app/outbox/${messageId}"]`).first().waitFor({ state: "attached", timeout: 15_000 });

    // The email editor's preview: search a customer by name, choose them, see the email written for them
    await page.goto(`${app.server.url}/app/flows`);
    await hydrated(page);
    await page.getByRole("link", { name: "Open Abandoned cart in the builder" }).click();
    await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
    await hydrated(page);
    await page.getByRole("button", { name: /^Email step: We saved your items/ }).click();
    await page.getByRole("complementary", { name: "Settings for We saved your items" }).getByRole("button", { name: "Preview and send a test" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Find a customer").fill("zelda");
    const showWith = dialog.getByLabel("Show with");
    await showWith.locator("option", { hasText: "Zelda Fitzgerald <zelda.fitz@example.com>" }).waitFor({ state: "attached", timeout: 15_000 });
    await showWith.selectOption({ label: "Zelda Fitzgerald <zelda.fitz@example.com>" });
    await expectVisible(dialog.getByText("We saved your items, Zelda"));
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});
