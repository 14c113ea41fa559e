// Attribution in the admin, in a real browser: an order on the customer's timeline explains which email earned it
// (a click 3 days before, inside the default 5-day window); after the merchant narrows the window to 1 day on the
// settings page, the same order shows no attribution and says why; a bad window shows its error at the field and
// keeps the rules in force. Needs `remix build` first.
import path from "node:path";
import { ManualClock } from "~/core/clock";
import { readAttributionSettings } from "~/core/analytics/settings.server";
import { enableBlueprint } from "~/core/flows/manage.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { DEMO_ADMIN, expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp } from "../support/browser";
import { openDb } from "../support/databases";

const DAY_MS = 86_400_000;
const SUBJECT = "Your cart misses you, Ada";

let app: AdminApp | undefined;
const seeded = { workspaceId: "", customerId: "", messageId: "", flowName: "" };

/** A customer who clicked an abandoned-cart email 3 days before ordering. */
async function seedClickThenOrder(db: Db) {
  const clock = new ManualClock(new Date());
  const now = clock.now();
  const { workspaceId } = await seedDemoWorkspace(db, { password: DEMO_ADMIN.password, now });
  await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "abandoned-cart" });
  const flow = await db.flow.findFirstOrThrow({ where: { workspaceId, blueprint: "abandoned-cart" } });
  const store = await db.store.findFirstOrThrow({ where: { workspaceId } });
  const customer = await db.customer.create({ data: { workspaceId, email: "ada.attrib@example.com", firstName: "Ada", lastName: "Attrib" } });
  const placedAt = new Date(now.getTime() - 60 * 60 * 1000);
  const clickedAt = new Date(placedAt.getTime() - 3 * DAY_MS);
  const sentAt = new Date(clickedAt.getTime() - 60 * 60 * 1000);
  const message = await db.message.create({
    data: {
      id: "msg_attrib_e2e",
      workspaceId,
      storeId: store.id,
      customerId: customer.id,
      flowId: flow.id,
      nodeId: "email-reminder",
      toEmail: customer.email ?? "",
      fromEmail: "shop@example.com",
      subject: SUBJECT,
      html: "<p>Come back</p>",
      text: "Come back",
      status: "sent",
      nextAttemptAt: sentAt,
      createdAt: sentAt,
      sentAt,
    },
  });
  await db.messageEvent.create({ data: { workspaceId, messageId: message.id, type: "click", occurredAt: clickedAt, provider: "sendgrid", providerEventId: "evt-attrib-click", url: "https://demo-store.nudgeflow.dev/cart" } });
  await db.order.create({
    data: { workspaceId, storeId: store.id, externalId: "attrib-1001", name: "#A1001", customerId: customer.id, email: customer.email, currency: "USD", totalPrice: 4200, lineItems: [], placedAt },
  });
  Object.assign(seeded, { workspaceId, customerId: customer.id, messageId: message.id, flowName: flow.name });
}

beforeAll(async () => {
  app = await startAdminApp({ seed: seedClickThenOrder });
});

afterAll(() => app?.stop());

it("explains an order's attribution, and follows the window the merchant sets", async () => {
  if (!app) throw new Error("the app did not start");
  const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 900 } });
  const db = openDb(app.databaseUrl);
  try {
    await signIn(page, app.server.url);

    const explanationOfOrder = async () => {
      await page.goto(`${app?.server.url}/app/customers/${seeded.customerId}`);
      await hydrated(page);
      await page.getByRole("button", { name: /^Why this attribution\? Order #A1001/ }).click();
      return page.getByRole("region", { name: /^Attribution of Order #A1001/ });
    };

    // Default rules (a click within 5 days): the click 3 days before earned the order
    let explanation = await explanationOfOrder();
    await expectVisible(explanation.getByText("Attributed", { exact: true }));
    await expectVisible(explanation.getByRole("link", { name: `Email: ${SUBJECT}` }));
    expect(await explanation.getByRole("link", { name: `Email: ${SUBJECT}` }).getAttribute("href")).toBe(`/app/outbox/${seeded.messageId}`);
    await expectVisible(explanation.getByRole("link", { name: `Flow: ${seeded.flowName}` }));
    await expectVisible(explanation.getByText("3 d 0 h before the order", { exact: false }));
    await explanation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(RESULTS_DIR, "attribution-explained.png") });

    // The settings page, from the navigation: a bad window is refused at its field and changes nothing
    await page.getByRole("link", { name: "Attribution", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/app/settings/attribution");
    await hydrated(page);
    const windowField = page.getByLabel("Attribution window (days)");
    await expectVisible(windowField);
    expect(await windowField.inputValue()).toBe("5");
    await windowField.fill("120");
    await page.getByRole("button", { name: "Save" }).click();
    await expectVisible(page.getByText("Enter a whole number of days from 1 to 90."));
    await expectVisible(page.getByText("Not saved"));
    expect(await windowField.getAttribute("aria-invalid")).toBe("true");
    expect(await readAttributionSettings(db, { workspaceId: seeded.workspaceId })).toEqual({ windowDays: 5, includeOpens: false });

    // A 1-day window is saved, and the page says reports follow at once
    await windowField.fill("1");
    await page.getByRole("button", { name: "Save" }).click();
    await expectVisible(page.getByText("Saved: reports now use the new rules"));
    await expectVisible(page.getByText("every report", { exact: false }));
    await page.screenshot({ path: path.join(RESULTS_DIR, "attribution-settings.png") });
    expect(await readAttributionSettings(db, { workspaceId: seeded.workspaceId })).toEqual({ windowDays: 1, includeOpens: false });

    // The same order: no attribution now, and why
    explanation = await explanationOfOrder();
    await expectVisible(explanation.getByText("No attribution", { exact: true }));
    await expectVisible(explanation.getByText("No click within the 1-day window before the order."));
    await expectVisible(explanation.getByText("outside the 1-day window", { exact: false }));
    expect(await explanation.getByRole("link", { name: /^Email: / }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  } finally {
    await db.$disconnect();
    await context.close();
  }
});
