// The Flows list in a real browser (standalone admin, demo workspace with its "Welcome series (demo results)"):
// trigger and last-30-days columns, sort, search, status tabs, duplicate, archive and unarchive, export a flow as
// a JSON file and import it back; an invalid file is refused with its problems and writes nothing.
// Needs `remix build` first (`npm run test:e2e` does it).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { validateDefinition } from "~/core/flows/definition";
import { openDb } from "../support/databases";
import { expectVisible, hydrated, RESULTS_DIR, signIn, startAdminApp, type AdminApp } from "../support/browser";

let app: AdminApp;

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(() => app?.stop());

/** The names in the table's body rows, top to bottom. */
async function flowNames(page: Page): Promise<string[]> {
  return page.locator(".Polaris-IndexTable__TableRow").evaluateAll((rows) =>
    rows.map((row) => row.querySelector("a")?.textContent?.trim() ?? ""),
  );
}

async function flowCount(): Promise<number> {
  const db = openDb(app.databaseUrl);
  try {
    return await db.flow.count();
  } finally {
    await db.$disconnect();
  }
}

describe("flows list", () => {
  it("shows trigger and numbers, sorts, filters, duplicates, archives, exports and imports flows", async () => {
    const { context, page, pageErrors } = await app.browser.openPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    try {
      // GIVEN the demo merchant with the abandoned-cart blueprint turned on
      await signIn(page, app.server.url);
      await page.getByRole("button", { name: "Turn on Abandoned cart" }).click();
      await expectVisible(page.getByText("Abandoned cart is live"));

      // WHEN the merchant opens Flows
      await page.getByRole("navigation").getByRole("link", { name: "Flows", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/app/flows");
      await hydrated(page);

      // THEN each flow shows its status and trigger, and the demo flow its last 30 days of recipients and revenue
      const cart = page.getByRole("row", { name: /Abandoned cart/ });
      await expectVisible(cart.getByText("Live", { exact: true }));
      await expectVisible(cart.getByText(/checkout\.create or checkout\.update/));
      const welcome = page.getByRole("row", { name: /Welcome series \(demo results\)/ });
      await expectVisible(welcome);
      const welcomeCells = await welcome.getByRole("cell").allTextContents();
      const recipients = Number(welcomeCells[7].replace(/\D/g, ""));
      expect(recipients).toBeGreaterThan(0);
      expect(welcomeCells[9]).toMatch(/\$[\d,]+\.\d\d/);

      // WHEN sorted by name, then by revenue
      await page.getByLabel("Sort by").selectOption({ label: "Name A–Z" });
      const byName = await flowNames(page);
      expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b)));
      await page.getByLabel("Sort by").selectOption({ label: "Revenue, highest first" });
      // THEN the demo flow, the only one with revenue, comes first
      expect((await flowNames(page))[0]).toBe("Welcome series (demo results)");

      // WHEN the merchant searches
      await page.getByLabel("Search flows").fill("welcome");
      // THEN only the matching flow is listed
      await page.waitForFunction(() => document.querySelectorAll(".Polaris-IndexTable__TableRow").length === 1);
      expect(await flowNames(page)).toEqual(["Welcome series (demo results)"]);
      await page.getByLabel("Search flows").fill("");

      // WHEN the abandoned-cart flow is duplicated from its menu
      await page.getByRole("button", { name: "More actions for Abandoned cart" }).click();
      await page.getByRole("menuitem", { name: "Duplicate" }).click();
      // THEN a draft copy is listed (not live)
      await expectVisible(page.getByText("Duplicated as “Copy of Abandoned cart” (a draft)"));
      const copy = page.getByRole("row", { name: /Copy of Abandoned cart/ });
      await expectVisible(copy.getByText("Draft", { exact: true }));

      // WHEN the copy is archived
      await page.getByRole("button", { name: "More actions for Copy of Abandoned cart" }).click();
      await page.getByRole("menuitem", { name: "Archive" }).click();
      await expectVisible(page.getByText("“Copy of Abandoned cart” archived"));
      // THEN it leaves the All tab and is listed under Archived
      await copy.waitFor({ state: "detached" });
      await page.getByRole("tab", { name: /^Archived/ }).click();
      await expectVisible(copy.getByText("Archived", { exact: true }));
      await page.screenshot({ path: path.join(RESULTS_DIR, "flows-list-archived.png") });

      // WHEN it is unarchived
      await copy.getByRole("button", { name: "Unarchive Copy of Abandoned cart" }).click();
      await expectVisible(page.getByText("“Copy of Abandoned cart” is back, as a draft"));
      await page.getByRole("tab", { name: /^Drafts/ }).click();
      // THEN it is a draft again
      await expectVisible(copy.getByText("Draft", { exact: true }));
      await page.getByRole("tab", { name: /^All/ }).click();

      // WHEN the abandoned-cart flow is exported
      await page.getByRole("button", { name: "More actions for Abandoned cart" }).click();
      const downloading = page.waitForEvent("download");
      await page.getByRole("menuitem", { name: "Export as JSON" }).click();
      const download = await downloading;
      // THEN the file is the flow's definition, valid against the flow schema
      expect(download.suggestedFilename()).toBe("abandoned-cart.json");
      const exported = path.join(RESULTS_DIR, "abandoned-cart.export.json");
      await download.saveAs(exported);
      const document = JSON.parse(await readFile(exported, "utf8"));
      const validation = validateDefinition(document);
      expect(validation.ok).toBe(true);
      expect(document.nodes).toHaveLength(6);

      // WHEN an invalid flow file is imported
      const before = await flowCount();
      await page.getByRole("button", { name: "Import a flow from a JSON file" }).click();
      const dialog = page.getByRole("dialog", { name: "Import a flow" });
      await expectVisible(dialog);
      const broken = { ...document, entry: "nowhere" };
      await dialog.locator("input[type=file]").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(broken)) });
      await expectVisible(dialog.getByText("broken.json (", { exact: false }));
      await dialog.getByRole("button", { name: "Import" }).click();
      // THEN the problems are shown and nothing was saved
      await expectVisible(dialog.getByText("broken.json is not a valid flow; nothing was imported"));
      await expectVisible(dialog.getByText(/entry: /));
      expect(await flowCount()).toBe(before);

      // WHEN a file that is not JSON at all is imported
      await dialog.locator("input[type=file]").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from("not json {") });
      await expectVisible(dialog.getByText("notes.json (", { exact: false }));
      await dialog.getByRole("button", { name: "Import" }).click();
      await expectVisible(dialog.getByText(/not valid JSON/));
      expect(await flowCount()).toBe(before);

      // WHEN the exported file is imported under another name
      await dialog.locator("input[type=file]").setInputFiles({ name: "Imported cart.json", mimeType: "application/json", buffer: await readFile(exported) });
      await expectVisible(dialog.getByText("Imported cart.json (", { exact: false }));
      await dialog.getByRole("button", { name: "Import" }).click();
      // THEN the builder opens the new draft with the same steps
      await page.waitForURL((url) => /^\/app\/flows\/[^/]+$/.test(url.pathname));
      await expectVisible(page.getByRole("heading", { name: "Imported cart" }));
      await page.waitForFunction(() => document.querySelectorAll(".react-flow__node").length === 7);
      expect(await flowCount()).toBe(before + 1);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
