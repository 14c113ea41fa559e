// The cart-capture embed in a real browser, on a tiny emulated storefront (test/support/storefront-page.ts): the
// block's Liquid rendered with liquidjs the way the theme would (config + deferred script from the extension's
// assets), Shopify's Ajax cart (/cart.js, /cart/add.js) and a recording App Proxy endpoint (/apps/nudgeflow/capture).
// The app side of the proxy is covered by test/integration/storefront-capture.test.ts, the whole way to the
// recovery emails by test/e2e/storefront-recovery.test.ts. Debian's Chromium, driven by playwright-core.
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, type LaunchedBrowser } from "../support/browser";
import { startStorefront, waitForCapture as waitForStorefrontCapture, type Capture, type Storefront, type Visit } from "../support/storefront-page";

let browser: LaunchedBrowser;
let storefront: Storefront;

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

function waitForCapture(match: (capture: Capture) => boolean, timeoutMs = 10_000): Promise<Capture> {
  return waitForStorefrontCapture(storefront, match, timeoutMs);
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

  it("reports the same cart again once the shopper logs in, so the proxy can name them", async () => {
    // GIVEN a guest whose cart was reported
    const { context, page, errors } = await openStorefront({ items: 1 });
    try {
      await waitForCapture((capture) => capture.body.items?.length === 1 && capture.loggedInCustomerId === "");

      // WHEN they sign in to their customer account (the next page renders for them) with nothing else changed
      storefront.logIn(7020211);
      await page.reload();

      // THEN the script posts the unchanged cart once more, which the proxy signs with their customer id
      const named = await waitForCapture((capture) => capture.loggedInCustomerId === "7020211");
      expect(named.body).toMatchObject({ token: storefront.cartToken(), items: [expect.objectContaining({ variant_id: 4242 })] });
      await settle(page);
      expect(storefront.captures).toHaveLength(2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
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
