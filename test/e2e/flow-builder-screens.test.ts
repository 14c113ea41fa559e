// What the merchant sees, at a laptop's 1280×800 and a phone's 390×844: Home, the Flows list, the builder with the
// abandoned-cart flow, a node panel and the publish dialog, saved under test-results/ (CI keeps them). And render
// speed: a 100-step flow opens and answers a click; the time is printed, not asserted (issue 7).
// Needs `remix build` first (`npm run test:e2e` does it).
import path from "node:path";
import type { Page } from "playwright-core";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { DEFAULT_RULES, type FlowNode } from "~/core/flows/definition";
import { openDb } from "../support/databases";
import { expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp } from "../support/browser";

let app: AdminApp;

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(() => app?.stop());

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

async function shot(page: Page, name: string, viewport: { width: number; height: number }) {
  const file = path.join(RESULTS_DIR, `screen-${name}-${viewport.width}x${viewport.height}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function openBuilder(page: Page, flowName: string) {
  await page.goto(`${app.server.url}/app/flows`);
  await hydrated(page);
  await page.getByRole("link", { name: `Open ${flowName} in the builder` }).click();
  await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
  await hydrated(page);
  await expectVisible(page.locator(".react-flow__node"));
}

describe("flow builder screens", () => {
  it.each(VIEWPORTS)("saves Home, Flows, the builder, a node panel and the publish dialog at $width×$height", async (viewport) => {
    const { context, page, pageErrors } = await app.browser.openPage({ viewport });
    try {
      await signIn(page, app.server.url);
      // The first viewport turns the blueprint on; the second finds it on ("View flows").
      const turnOn = page.getByRole("button", { name: "Turn on Abandoned cart" });
      await expectVisible(turnOn.or(page.getByRole("link", { name: "View flows" })));
      if ((await turnOn.count()) > 0) {
        await turnOn.click();
        await expectVisible(page.getByText("Abandoned cart is live"));
      }
      await expectVisible(page.getByRole("heading", { name: "Home" }));
      await shot(page, "home", viewport);

      await page.goto(`${app.server.url}/app/flows`);
      await hydrated(page);
      await expectVisible(page.getByRole("row", { name: /Abandoned cart/ }));
      await shot(page, "flows", viewport);

      await openBuilder(page, "Abandoned cart");
      expect(await page.locator(".react-flow__node").count()).toBe(7);
      await shot(page, "builder", viewport);

      await page.getByRole("button", { name: /^Email step: We saved your items/ }).click();
      const panel = page.getByRole("complementary", { name: "Settings for We saved your items" });
      await expectVisible(panel);
      await panel.evaluate((element) => element.scrollIntoView({ block: "start" }));
      await shot(page, "node-panel", viewport);

      await page.getByRole("button", { name: "Publish this flow" }).click();
      const dialog = page.getByRole("dialog");
      await expectVisible(dialog.getByRole("button", { name: "Publish" }));
      await expectVisible(dialog.getByText(/Nobody is in this flow right now/));
      await shot(page, "publish-dialog", viewport);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("opens a 100-step flow and answers a click on its last step (time printed)", async () => {
    // GIVEN a flow of 99 steps, delays and emails taking turns, and an exit: 100 nodes and the trigger
    const email = BLUEPRINTS.find((blueprint) => blueprint.id === "abandoned-cart")?.definition.nodes.find((node) => node.type === "email");
    if (!email) throw new Error("the abandoned-cart blueprint has no email step");
    const nodes: FlowNode[] = [];
    for (let index = 1; index < 100; index++) {
      const next = index === 99 ? "exit" : `step-${index + 1}`;
      nodes.push(
        index % 2 === 1
          ? ({ id: `step-${index}`, type: "delay", duration: { hours: index }, next } as FlowNode)
          : ({ ...email, id: `step-${index}`, name: `Email ${index}`, next } as FlowNode),
      );
    }
    nodes.push({ id: "exit", type: "exit" });
    const definition = {
      schemaVersion: 1,
      trigger: { type: "event", events: ["checkout.create", "checkout.update"], entity: "checkout", conditions: [] },
      goal: { event: "order.add", scope: "customer", label: "order placed" },
      entry: "step-1",
      nodes,
      rules: DEFAULT_RULES,
    };
    const db = openDb(app.databaseUrl);
    try {
      const workspace = await db.workspace.findFirstOrThrow({ where: { isDemo: true }, select: { id: true } });
      await db.flow.create({ data: { workspaceId: workspace.id, name: "Hundred steps", status: "draft", draftDefinition: definition, draftUpdatedAt: new Date() } });
    } finally {
      await db.$disconnect();
    }

    const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(page, app.server.url);
      await page.goto(`${app.server.url}/app/flows`);
      await hydrated(page);
      // WHEN the merchant opens it from the list (a client-side navigation, as in the admin)
      const started = Date.now();
      await page.getByRole("link", { name: "Open Hundred steps in the builder" }).click();
      await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 101, null, { timeout: 15_000 });
      const drawn = Date.now() - started;
      // THEN every node is drawn, and a click on the last email opens its panel
      const lastEmail = page.getByRole("button", { name: /^Email step: Email 98\./ });
      await lastEmail.scrollIntoViewIfNeeded();
      const clicked = Date.now();
      await lastEmail.click();
      await expectVisible(page.getByRole("complementary", { name: "Settings for Email 98" }));
      const interactive = Date.now() - started;
      console.log(`100-step flow: drawn ${drawn} ms after the click on the list; a node's panel opens ${Date.now() - clicked} ms after clicking it (${interactive} ms in all)`);
      await shot(page, "builder-100-steps", { width: 1280, height: 800 });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
