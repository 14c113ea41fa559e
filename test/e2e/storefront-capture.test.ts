// The cart-capture embed in a real browser, on a tiny emulated storefront (node:http): the block's Liquid rendered
// with liquidjs the way the theme would (config + deferred script from the extension's assets), Shopify's Ajax
// cart (/cart.js, /cart/add.js) and a recording App Proxy endpoint (/apps/nudgeflow/capture). The app side of the
// proxy is covered by test/integration/storefront-capture.test.ts. Debian's Chromium, driven by playwright-core.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import type { BrowserContext, Page } from "playwright-core";
import { listen, readBody, sendJson, type RunningServer } from "../emulators/http";
import { launchBrowser, type LaunchedBrowser } from "../support/browser";

const EXTENSION = fileURLToPath(new URL("../../extensions/cart-capture", import.meta.url));

interface Capture {
  body: {
    token: string;
    email?: string;
    currency?: string | null;
    items?: { variant_id: number; title: string; product_title: string; quantity: number; price: number; image: string | null }[];
    consent?: { marketing: boolean | null; analytics: boolean | null };
  };
  contentType: string | undefined;
}

interface CartLine {
  variant_id: number;
  product_id: number;
  sku: string;
  title: string;
  product_title: string;
  variant_title: string;
  quantity: number;
  price: number;
  final_price: number;
  image: string;
  properties: Record<string, string>;
}

/** What the theme editor's settings make of the block for one storefront visit. */
interface Visit {
  prompt?: boolean;
  /** "denied": the Customer Privacy API says marketing is not allowed until the test grants it. */
  consent?: "granted" | "denied" | "no-api";
}

/** A storefront with one cart (Shopify's /cart.js shape, minor units) and the App Proxy endpoint, recorded. */
async function startStorefront() {
  const liquid = new Liquid();
  const storefrontLocale = JSON.parse(readFileSync(path.join(EXTENSION, "locales", "en.default.json"), "utf8"));
  liquid.registerFilter("t", (key: string) => key.split(".").reduce((node, part) => node?.[part], storefrontLocale) ?? key);
  liquid.registerFilter("asset_url", (name: string) => `/assets/${name}`);
  const block = readFileSync(path.join(EXTENSION, "blocks", "cart-capture.liquid"), "utf8").replace(/\{%\s*schema\s*%\}[\s\S]*?\{%\s*endschema\s*%\}/, "");

  const captures: Capture[] = [];
  let cartNumber = 0;
  let cart = { token: "", items: [] as CartLine[] };
  let visit: Visit = {};

  function reset(next: { visit?: Visit; items?: number } = {}) {
    cartNumber += 1;
    cart = { token: `c1-fake${cartNumber}?key=k${cartNumber}`, items: [] };
    for (let i = 0; i < (next.items ?? 0); i += 1) addLine(4242, 1);
    visit = next.visit ?? {};
    captures.length = 0;
  }

  function addLine(variantId: number, quantity: number) {
    const existing = cart.items.find((line) => line.variant_id === variantId);
    if (existing) existing.quantity += quantity;
    else
      cart.items.push({
        variant_id: variantId,
        product_id: 77,
        sku: `HOOD-${variantId}`,
        title: "Pink Hoodie - M",
        product_title: "Pink Hoodie",
        variant_title: "M",
        quantity,
        price: 4500,
        final_price: 4500,
        image: "//cdn.shopify.example/hoodie.png",
        properties: {},
      });
  }

  function cartJson() {
    const count = cart.items.reduce((sum, line) => sum + line.quantity, 0);
    const total = cart.items.reduce((sum, line) => sum + line.quantity * line.price, 0);
    return { token: cart.token, note: null, attributes: {}, item_count: count, total_price: total, items_subtotal_price: total, currency: "USD", items: cart.items };
  }

  async function page(): Promise<string> {
    const embed = await liquid.parseAndRender(block, {
      block: { settings: { enabled: true, email_prompt: visit.prompt ?? false, email_prompt_text: "" } },
      customer: null,
      routes: { root_url: "/" },
    });
    const privacy =
      visit.consent === "denied"
        ? `window.__consent = false; window.Shopify.customerPrivacy = {
             marketingAllowed: function () { return window.__consent === true; },
             analyticsProcessingAllowed: function () { return window.__consent === true; } };`
        : visit.consent === "no-api"
          ? ""
          : `window.Shopify.customerPrivacy = { marketingAllowed: function () { return true; }, analyticsProcessingAllowed: function () { return true; } };`;
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Fake storefront</title>
<script>window.Shopify = { shop: "capture-test.myshopify.com", routes: { root: "/" } }; ${privacy}</script>
</head><body>
<h1>Pink Hoodie</h1>
<button id="add-to-cart" type="button">Add to cart</button>
<form id="newsletter" method="post" action="/contact#newsletter">
  <input type="hidden" name="form_type" value="customer">
  <label>Email <input id="newsletter-email" type="email" name="contact[email]"></label>
  <button type="submit">Subscribe</button>
</form>
<script>
  // The theme's own cart drawer: the Ajax API through fetch.
  document.getElementById("add-to-cart").addEventListener("click", function () {
    fetch("/cart/add.js", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: 4242, quantity: 1 }) });
  });
</script>
${embed}
</body></html>`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", "http://storefront");
    if (request.method === "GET" && url.pathname === "/") {
      const html = await page();
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return void response.end(html);
    }
    if (request.method === "GET" && url.pathname === "/assets/cart-capture.js") {
      response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" });
      return void response.end(readFileSync(path.join(EXTENSION, "assets", "cart-capture.js")));
    }
    if (request.method === "GET" && url.pathname === "/cart.js") return sendJson(response, 200, cartJson());
    if (request.method === "POST" && url.pathname === "/cart/add.js") {
      const body = JSON.parse((await readBody(request)) || "{}") as { id: number; quantity?: number };
      addLine(body.id, body.quantity ?? 1);
      return sendJson(response, 200, cart.items.find((line) => line.variant_id === body.id));
    }
    if (request.method === "POST" && url.pathname === "/contact") {
      await readBody(request);
      response.writeHead(302, { Location: "/?customer_posted=true" });
      return void response.end();
    }
    if (request.method === "POST" && url.pathname === "/apps/nudgeflow/capture") {
      captures.push({ body: JSON.parse(await readBody(request)), contentType: request.headers["content-type"] });
      return sendJson(response, 200, { ok: true });
    }
    sendJson(response, 404, { error: "not found" });
  }

  const server: RunningServer = await listen(handle);
  return { url: server.url, close: server.close, captures, reset, cartToken: () => cart.token };
}

let browser: LaunchedBrowser;
let storefront: Awaited<ReturnType<typeof startStorefront>>;

beforeAll(async () => {
  browser = await launchBrowser();
  storefront = await startStorefront();
});

afterAll(async () => {
  await browser?.close();
  await storefront?.close();
});

/** A fresh shopper (no cookies, no session storage), with the page's errors collected. */
async function openStorefront(visit: Visit & { items?: number } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  storefront.reset({ visit, items: visit.items });
  const { context, page, pageErrors: errors } = await browser.openPage();
  await page.goto(storefront.url);
  await page.waitForFunction(() => (window as unknown as { Nudgeflow?: { started?: boolean } }).Nudgeflow?.started === true);
  return { context, page, errors };
}

async function waitForCapture(match: (capture: Capture) => boolean, timeoutMs = 10_000): Promise<Capture> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = storefront.captures.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching capture within ${timeoutMs} ms; got ${JSON.stringify(storefront.captures)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Longer than the script's debounce and a round trip: what it would have sent by now, it has sent. */
const settle = (page: Page) => page.waitForTimeout(1_500);

describe("the cart-capture embed on a storefront", () => {
  it("reports the cart after the theme adds to it through the Ajax API, and again when it changes", async () => {
    const { context, page, errors } = await openStorefront();
    try {
      // GIVEN an empty cart: nothing worth reporting
      await settle(page);
      expect(storefront.captures).toHaveLength(0);

      // WHEN the shopper adds to cart through the theme's drawer (fetch to /cart/add.js)
      await page.click("#add-to-cart");

      // THEN the script reads /cart.js again and posts the token and the lines, prices in minor units
      const first = await waitForCapture((capture) => (capture.body.items?.length ?? 0) === 1);
      expect(first.contentType).toMatch(/^application\/json/);
      expect(first.body.token).toBe(storefront.cartToken());
      expect(first.body.currency).toBe("USD");
      expect(first.body.items?.[0]).toMatchObject({ variant_id: 4242, product_title: "Pink Hoodie", quantity: 1, price: 4500, image: "//cdn.shopify.example/hoodie.png" });
      expect(first.body.email).toBeUndefined();
      expect(first.body.consent).toEqual({ marketing: true, analytics: true });

      // WHEN the shopper adds another one
      await page.click("#add-to-cart");

      // THEN the new contents follow
      await waitForCapture((capture) => capture.body.items?.[0]?.quantity === 2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("captures the email typed into a newsletter form when it is submitted, with the cart", async () => {
    // GIVEN a shopper with something in the cart
    const { context, page, errors } = await openStorefront({ items: 1 });
    try {
      await waitForCapture((capture) => capture.body.items?.length === 1 && !capture.body.email);

      // WHEN they subscribe to the newsletter (a plain form post that leaves the page)
      await page.fill("#newsletter-email", "  Shopper@Example.com ");
      await page.click("#newsletter button[type=submit]");

      // THEN the email reaches the app with the cart token, lower-cased
      const withEmail = await waitForCapture((capture) => capture.body.email === "shopper@example.com");
      expect(withEmail.body.token).toBe(storefront.cartToken());
      expect(withEmail.body.items).toHaveLength(1);
      await page.waitForURL(/customer_posted=true/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("captures nothing while the Customer Privacy API withholds consent, and starts once it is given", async () => {
    // GIVEN a visitor in a region where consent is required, who has not given it
    const { context, page, errors } = await openStorefront({ consent: "denied", items: 1 });
    try {
      // WHEN they add to cart and subscribe with their email
      await page.click("#add-to-cart");
      await page.fill("#newsletter-email", "private@example.com");
      await page.click("#newsletter button[type=submit]");
      await page.waitForURL(/customer_posted=true/);
      await page.waitForFunction(() => (window as unknown as { Nudgeflow?: { started?: boolean } }).Nudgeflow?.started === true);
      await settle(page);

      // THEN nothing was sent, and the address was not kept in the browser either
      expect(storefront.captures).toHaveLength(0);
      expect(await page.evaluate(() => sessionStorage.getItem("nudgeflow:email"))).toBeNull();

      // WHEN they accept tracking in the consent banner
      await page.evaluate(() => {
        (window as unknown as { __consent: boolean }).__consent = true;
        document.dispatchEvent(new Event("visitorConsentCollected"));
      });

      // THEN the cart is reported from then on, without the email typed before consent
      const capture = await waitForCapture((found) => found.body.items?.[0]?.quantity === 2);
      expect(capture.body.email).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("shows the merchant's email prompt only when the block setting is on, and captures what is typed into it", async () => {
    // GIVEN the prompt turned off (the default): adding to cart shows nothing
    const off = await openStorefront();
    try {
      await off.page.click("#add-to-cart");
      await waitForCapture((capture) => capture.body.items?.length === 1);
      await settle(off.page);
      expect(await off.page.locator("[data-nudgeflow-prompt]").count()).toBe(0);
    } finally {
      await off.context.close();
    }

    // GIVEN the prompt turned on in the theme editor
    const on = await openStorefront({ prompt: true });
    try {
      // WHEN an anonymous shopper adds to cart
      await on.page.click("#add-to-cart");

      // THEN the prompt appears with the default text, and what they type is captured with the cart
      const prompt = on.page.locator("[data-nudgeflow-prompt]");
      await prompt.waitFor({ state: "visible" });
      expect(await prompt.textContent()).toContain("Enter your email and we'll save your cart for you.");
      await prompt.locator("input[type=email]").fill("prompted@example.com");
      await prompt.locator("button[type=submit]").click();
      const capture = await waitForCapture((found) => found.body.email === "prompted@example.com");
      expect(capture.body.items).toHaveLength(1);
      expect(await prompt.count()).toBe(0);
      expect(on.errors).toEqual([]);
    } finally {
      await on.context.close();
    }
  });

  it("never gets in the theme's way: the theme's own requests answer as before", async () => {
    const { context, page, errors } = await openStorefront({ consent: "no-api" });
    try {
      const answer = await page.evaluate(async () => {
        const response = await fetch("/cart/add.js", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: 9, quantity: 3 }) });
        const xhr = await new Promise<number>((resolve) => {
          const request = new XMLHttpRequest();
          request.open("POST", "/cart/add.js");
          request.setRequestHeader("Content-Type", "application/json");
          request.onload = () => resolve(request.status);
          request.send(JSON.stringify({ id: 10, quantity: 1 }));
        });
        return { status: response.status, body: await response.json(), xhr };
      });
      expect(answer).toMatchObject({ status: 200, body: { variant_id: 9, quantity: 3 }, xhr: 200 });
      // Without a Customer Privacy API (not a Shopify storefront) capture is allowed; the XHR change is followed too.
      await waitForCapture((capture) => capture.body.items?.length === 2 && capture.body.consent === undefined);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
