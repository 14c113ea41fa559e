// Issue 8's "done when", in a real browser: on the emulated storefront (test/support/storefront-page.ts, the
// embed's real Liquid and script) a shopper adds to cart, types an email and leaves; Shopify's App Proxy (played
// by the storefront, signing like Shopify) hands each capture to the real app server; the worker on a ManualClock
// sends the abandoned-cart blueprint's emails through the SendGrid emulator: the first after the simulated hour,
// then the whole sequence. A second shopper who buys after the first email (orders/create with the cart's token)
// gets nothing more. Debian's Chromium, driven by playwright-core.
import { forwardAppProxy } from "../emulators/shopify/app-proxy";
import { fixture } from "../fixtures";
import { launchBrowser, type LaunchedBrowser } from "../support/browser";
import { databaseTargets, dropAll } from "../support/databases";
import { API_SECRET, BROWSER_UA, SCOPES, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";
import { startStorefront, waitForCapture, type Storefront } from "../support/storefront-page";

const [[, createDatabaseUrl]] = databaseTargets(); // SQLite: the browser is what this test is about

let browser: LaunchedBrowser;
let storefront: Storefront;
let harness: ShopifyAppHarness;
/** Captures on their way through the proxy to the app. */
const forwarding: Promise<unknown>[] = [];

beforeAll(async () => {
  harness = await startShopifyAppHarness({
    databaseUrl: await createDatabaseUrl(),
    shopify: { scopes: `${SCOPES},write_app_proxy`, storeApi: false, seed: { name: "Hoodie Hut", email: "owner@hoodie-hut.example", currencyCode: "USD", ianaTimezone: "UTC" } },
  });
  storefront = await startStorefront({
    // Shopify's App Proxy: the storefront's /apps/nudgeflow/capture, signed with the app's secret, to {app}/proxy/capture.
    forward: (capture) => {
      const forwarded = forwardAppProxy({ appUrl: harness.app.url, secret: API_SECRET, shop: SHOP, path: "/capture", body: capture.raw, loggedInCustomerId: capture.loggedInCustomerId });
      forwarding.push(forwarded);
      return forwarded;
    },
  });
  browser = await launchBrowser();
  // The merchant turns the abandoned-cart blueprint on from the app's home page.
  const response = await fetch(`${harness.app.url}/app?index`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await harness.sessionToken()}`, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intent: "enable-blueprint", blueprintId: "abandoned-cart" }),
  });
  expect(response.status, harness.app.output()).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await storefront?.close();
  await harness?.stop();
  await dropAll();
});

/** A fresh shopper adds the hoodie to the cart, types their email into the newsletter form, and closes the tab. */
async function shopAndLeave(address: string): Promise<string> {
  storefront.reset();
  const { context, page, pageErrors } = await browser.openPage();
  try {
    await page.goto(storefront.url);
    await page.waitForFunction(() => (window as unknown as { Nudgeflow?: { started?: boolean } }).Nudgeflow?.started === true);
    await page.click("#add-to-cart");
    await waitForCapture(storefront, (capture) => capture.body.items?.length === 1);
    await page.fill("#newsletter-email", address);
    await page.click("#newsletter button[type=submit]");
    await waitForCapture(storefront, (capture) => capture.body.email === address);
    await page.waitForURL(/customer_posted=true/);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
  // Everything the proxy took has reached the app (each answered 200), and the worker has processed it.
  const answers = await Promise.all(forwarding.splice(0));
  for (const answer of answers) expect((answer as Response).status, harness.app.output()).toBe(200);
  await harness.worker.tick();
  return storefront.cartToken().split("?")[0];
}

const inbox = (address: string) => harness.sendgrid.deliveries().filter((delivery) => delivery.to === address);

describe("cart-only recovery from the storefront", () => {
  it("emails a shopper who added to cart and typed an email the whole sequence, and one who then bought nothing more", async () => {
    // GIVEN two shoppers who each add to cart, type their email, and leave without checking out
    const annCart = await shopAndLeave("ann@example.com");
    const bobCart = await shopAndLeave("bob@example.com");

    // THEN the app holds each cart with its lines, as the shopper's; nothing has been sent yet
    const cart = await harness.db.cart.findFirstOrThrow({ where: { token: annCart } });
    expect(await harness.db.customer.findUnique({ where: { id: cart.customerId ?? "" } })).toMatchObject({ email: "ann@example.com" });
    expect(cart.lineItems).toEqual([expect.objectContaining({ title: "Pink Hoodie", quantity: 1, price: 4500 })]);
    harness.clock.advance({ minutes: 59 });
    await harness.worker.tick();
    expect(harness.sendgrid.deliveries()).toHaveLength(0);

    // WHEN the simulated hour has passed since they left
    harness.clock.advance({ minutes: 3 });
    await harness.worker.tick();

    // THEN each has the first email at SendGrid, with the hoodie and a way back to the cart
    const [first] = inbox("ann@example.com");
    expect(first.subject).toBe("We saved your items");
    expect(first.html).toContain("Pink Hoodie");
    expect(first.html).toContain("$45.00");
    expect(first.html).toContain("https://cdn.shopify.example/hoodie.png");
    expect(first.html).toContain(`https://${SHOP}/cart`);
    expect(inbox("bob@example.com")).toHaveLength(1);

    // WHEN Bob then buys: Shopify's orders/create names his cart's token
    const now = harness.clock.now().toISOString();
    const order = { ...fixture("shopify", "orders_create"), email: "bob@example.com", contact_email: "bob@example.com", customer: null, cart_token: bobCart, cancelled_at: null, created_at: now, processed_at: now };
    expect((await harness.deliver("orders/create", order)).status).toBe(200);
    await harness.worker.tick();

    // AND the days of the sequence pass
    harness.clock.advance({ hours: 23 });
    await harness.worker.tick();
    harness.clock.advance({ hours: 48 });
    await harness.worker.tick();
    harness.clock.advance({ hours: 24 * 7 });
    await harness.worker.tick();

    // THEN Ann, who never checked out, received the blueprint's three emails, and Bob nothing after his order
    expect(inbox("ann@example.com").map((delivery) => delivery.subject)).toEqual([
      "We saved your items",
      "10% off the items in your cart",
      "Last chance: your cart is about to expire",
    ]);
    expect(inbox("bob@example.com")).toHaveLength(1);
    const bob = await harness.db.customer.findFirstOrThrow({ where: { email: "bob@example.com" } });
    const bobJourney = await harness.db.enrollment.findFirstOrThrow({ where: { customerId: bob.id } });
    expect(bobJourney).toMatchObject({ entityType: "cart", status: "exited", exitReason: "goal: order placed" });
  });
});
