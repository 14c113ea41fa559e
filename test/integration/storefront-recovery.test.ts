// Cart-only recovery end to end (issue 8.5), over real HTTP against the real app server: the abandoned-cart
// blueprint turned on through the admin, storefront captures forwarded by the App Proxy with Shopify's signature,
// Shopify webhooks signed by the emulator, the worker on a ManualClock, emails at the SendGrid emulator.
// A cart captured anonymously becomes its shopper's once an email (or a logged-in customer) is seen; the shopper
// who never checks out gets the whole sequence; an order from the cart (whatever address it names) ends the
// journey; somebody else's order of another cart ends nothing; a cart and a checkout made from it are one journey,
// whichever came first.
// Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { listTrace } from "~/core/flows/trace.server";
import { forwardAppProxy } from "../emulators/shopify/app-proxy";
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { API_SECRET, BROWSER_UA, SCOPES, SHOP, startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

/** One /cart.js line as the storefront script posts it (minor units). */
const line = (title: string, price: number, variantId: number) => ({
  variant_id: variantId,
  product_id: variantId + 1,
  sku: `SKU-${variantId}`,
  title: `${title} - M`,
  product_title: title,
  variant_title: "M",
  quantity: 1,
  price,
  image: `//cdn.shopify.example/${variantId}.png`,
});
const TEAPOT = line("Cast-iron teapot", 5400, 9001);
const CUPS = line("Tea cups (set of 4)", 3200, 9002);

afterAll(dropAll);

describe.each(databaseTargets())("cart-only recovery from the storefront on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;
  let workspaceId: string;

  /** The storefront script's post, as Shopify's App Proxy forwards it (signed now: the proxy checks real time). */
  async function capture(shopper: string, body: Record<string, unknown>, signed: { loggedInCustomerId?: string; timestamp?: number } = {}) {
    const response = await forwardAppProxy({ appUrl: harness.app.url, secret: API_SECRET, shop: SHOP, path: "/capture", body, ...signed, clientIp: `198.51.100.${shopper.length}` });
    expect(response.status, harness.app.output()).toBe(200);
  }
  /** What SendGrid delivered to one address, in order. */
  const inbox = (address: string) => harness.sendgrid.deliveries().filter((delivery) => delivery.to === address);
  const journeysOf = async (address: string) => {
    const customer = await harness.db.customer.findFirst({ where: { workspaceId, email: address } });
    return customer ? harness.db.enrollment.findMany({ where: { workspaceId, customerId: customer.id }, orderBy: { createdAt: "asc" } }) : [];
  };
  /** An order as Shopify's orders/create sends it, placed now (the worker's clock). */
  function order(id: number, fields: { email: string; cartToken: string | null; checkoutToken?: string | null }) {
    const now = harness.clock.now().toISOString();
    return {
      ...fixture("shopify", "orders_create"),
      id,
      name: `#${id}`,
      email: fields.email,
      contact_email: fields.email,
      customer: null,
      cart_token: fields.cartToken,
      checkout_token: fields.checkoutToken ?? null,
      cancelled_at: null,
      created_at: now,
      processed_at: now,
    };
  }
  /** Moves the worker's clock and lets it do everything that is due. */
  async function advance(duration: { hours?: number; minutes?: number }) {
    harness.clock.advance(duration);
    await harness.worker.tick();
  }

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      shopify: {
        scopes: `${SCOPES},write_app_proxy`,
        storeApi: false,
        seed: { name: "Tea Corner", email: "owner@tea-corner.example", currencyCode: "USD", ianaTimezone: "America/New_York" },
      },
    });
    // The merchant opens the app (token exchange installs the shop) and turns the abandoned-cart blueprint on.
    const response = await fetch(`${harness.app.url}/app?index`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await harness.sessionToken()}`, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "enable-blueprint", blueprintId: "abandoned-cart" }),
    });
    expect(response.status, harness.app.output()).toBe(200);
    const flow = await harness.db.flow.findFirstOrThrow({ where: { blueprint: "abandoned-cart", status: "live" } });
    workspaceId = flow.workspaceId;
  }, 120_000); // migrating a fresh PostgreSQL database and starting the server take a while

  afterAll(() => harness?.stop());

  it("starts nothing for an anonymous cart, and one cart journey once the shopper's email or login is seen", async () => {
    // GIVEN a customer Shopify already told us about (logged in on the storefront later)
    const known = { ...fixture("shopify", "customers_create"), id: 7700001, admin_graphql_api_id: "gid://shopify/Customer/7700001", email: "bob@example.com" };
    expect((await harness.deliver("customers/create", known)).status).toBe(200);

    // WHEN four shoppers add to cart without saying who they are
    await capture("ann", { token: "c1-ann?key=a1", currency: "USD", items: [TEAPOT, CUPS] });
    const bobAt = Math.floor(Date.now() / 1000);
    await capture("bob", { token: "c1-bob?key=b1", currency: "USD", items: [TEAPOT] }, { timestamp: bobAt });
    await capture("cat", { token: "c1-cat?key=c1", currency: "USD", items: [CUPS] });
    await capture("eve", { token: "c1-eve?key=e1", currency: "USD", items: [TEAPOT] });
    await harness.worker.tick();

    // THEN the carts are held with their lines, nobody's, and no journey started
    const anonymous = await harness.db.cart.findMany({ where: { workspaceId }, orderBy: { token: "asc" } });
    expect(anonymous.map((cart) => [cart.token, cart.customerId, cart.totalPrice])).toEqual([
      ["c1-ann", null, 8600],
      ["c1-bob", null, 5400],
      ["c1-cat", null, 3200],
      ["c1-eve", null, 5400],
    ]);
    expect(await harness.db.enrollment.count({ where: { workspaceId } })).toBe(0);

    // WHEN Ann and Cat type their email into the newsletter form, Bob logs in, and Eve checks out with her email
    await capture("ann", { token: "c1-ann?key=a1", email: "Ann@Example.com", currency: "USD", items: [TEAPOT, CUPS] });
    await capture("cat", { token: "c1-cat?key=c1", email: "cat@example.com" }); // a capture naming the cart without its lines
    // (the same cart in the same second, now with Shopify's signed logged-in customer: a capture of its own)
    await capture("bob", { token: "c1-bob?key=b1", currency: "USD", items: [TEAPOT] }, { timestamp: bobAt, loggedInCustomerId: "7700001" });
    const now = new Date().toISOString();
    const checkout = { ...fixture("shopify", "checkouts_create"), token: "chk-eve", cart_token: "c1-eve", email: "eve@example.com", customer: null, created_at: now, updated_at: now };
    expect((await harness.deliver("checkouts/create", checkout)).status).toBe(200);
    await harness.worker.tick();
    // (and Eve's email reaches the storefront script too, after her checkout started)
    await capture("eve", { token: "c1-eve?key=e1", email: "eve@example.com", currency: "USD", items: [TEAPOT] });
    await harness.worker.tick();
    // AND Gus, who typed his address wrong and corrected it a moment later
    await capture("gus", { token: "c1-gus?key=g1", email: "gus@exmaple.com", currency: "USD", items: [TEAPOT] });
    await harness.worker.tick();
    await capture("gus", { token: "c1-gus?key=g1", email: "gus@example.com", currency: "USD", items: [TEAPOT] });
    await harness.worker.tick();
    // AND Fay, whose cart is known by her email, then starts a checkout from it (and leaves it too)
    await capture("fay", { token: "c1-fay?key=f1", email: "fay@example.com", currency: "USD", items: [CUPS] });
    await harness.worker.tick();
    const later = new Date().toISOString();
    const fayCheckout = { ...fixture("shopify", "checkouts_create"), token: "chk-fay", cart_token: "c1-fay", email: "fay@example.com", customer: null, abandoned_checkout_url: "https://checkout.local/checkouts/chk-fay/recover?key=fay", created_at: later, updated_at: later };
    expect((await harness.deliver("checkouts/create", fayCheckout)).status).toBe(200);
    await harness.worker.tick();

    // THEN each cart has one journey: Ann's, Bob's and Cat's keyed by the cart, Eve's by the checkout made from hers
    expect((await journeysOf("ann@example.com")).map((e) => [e.entityType, e.status, e.currentNodeId])).toEqual([["cart", "active", "wait-1h"]]);
    expect((await journeysOf("bob@example.com")).map((e) => [e.entityType, e.status])).toEqual([["cart", "active"]]);
    expect((await journeysOf("cat@example.com")).map((e) => [e.entityType, e.status])).toEqual([["cart", "active"]]);
    expect((await journeysOf("eve@example.com")).map((e) => [e.entityType, e.status])).toEqual([["checkout", "active"]]);
    expect((await journeysOf("fay@example.com")).map((e) => [e.entityType, e.status])).toEqual([["cart", "active"]]);
    // Gus's one journey followed his cart to the corrected address
    expect((await journeysOf("gus@example.com")).map((e) => [e.entityType, e.status])).toEqual([["cart", "active"]]);
    expect(await journeysOf("gus@exmaple.com")).toEqual([]);
    const eveTrace = await listTrace(harness.db, { workspaceId, email: "eve@example.com" });
    expect(eveTrace.filter((entry) => entry.kind === "trigger.skipped").map((entry) => entry.detail.reason)).toEqual([expect.stringMatching(/^already in this flow \(entry 1, active\)/)]);
    // Cat's capture named no lines: her cart kept the ones captured before
    expect(await harness.db.cart.findFirstOrThrow({ where: { workspaceId, token: "c1-cat" } })).toMatchObject({ totalPrice: 3200 });
    expect(harness.sendgrid.deliveries()).toHaveLength(0);
  });

  it("ends nobody's journey when another shopper orders another cart", async () => {
    // WHEN half an hour later Dan, who never captured a cart here, orders his own cart
    await advance({ minutes: 30 });
    expect((await harness.deliver("orders/create", order(5100001, { email: "dan@example.com", cartToken: "c1-dan" }))).status).toBe(200);
    await harness.worker.tick();

    // THEN every journey above is still running
    for (const address of ["ann@example.com", "bob@example.com", "cat@example.com", "eve@example.com", "fay@example.com"]) {
      expect((await journeysOf(address)).map((e) => e.status), address).toEqual(["active"]);
    }
  });

  it("sends the first reminder an hour after the cart's last activity, with the cart's items and a link to the cart", async () => {
    // WHEN the hour since the captures passes (they were signed in real time, a little after the clock started)
    await advance({ minutes: 31 });

    // THEN each shopper has the first email at SendGrid
    for (const address of ["ann@example.com", "bob@example.com", "cat@example.com", "eve@example.com", "fay@example.com", "gus@example.com"]) {
      expect(inbox(address), address).toHaveLength(1);
    }
    expect(harness.sendgrid.deliveries()).toHaveLength(6);
    const [ann] = inbox("ann@example.com");
    expect(ann.subject).toBe("We saved your items"); // nobody told us her name: no dangling comma
    expect(ann.text).toContain("Hi there,");
    expect(ann.html).toContain("Cast-iron teapot");
    expect(ann.html).toContain("Tea cups (set of 4)");
    expect(ann.html).toContain("$86.00");
    expect(ann.html).toContain(`https://${SHOP}/cart`);
    const [bob] = inbox("bob@example.com");
    expect(bob.subject).toBe("We saved your items, Bob");
    expect(bob.html).toContain("Cast-iron teapot");
    expect(inbox("cat@example.com")[0].html).toContain("Tea cups (set of 4)");
    // Eve's journey reached a checkout: its recovery link restores it on any device
    expect(inbox("eve@example.com")[0].html).toContain("https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token");
    // and so does Fay's, whose cart journey now has a checkout
    expect(inbox("fay@example.com")[0].html).toContain("https://checkout.local/checkouts/chk-fay/recover?key=fay");
  });

  it("stops at once when the cart is ordered, even under another address, and sends nothing more", async () => {
    // WHEN Bob checks out as a guest with his work address: the order names his cart's token, not him
    expect((await harness.deliver("orders/create", order(5100002, { email: "bob.work@example.com", cartToken: "c1-bob" }))).status).toBe(200);
    await harness.worker.tick();

    // THEN his cart's journey ended on its goal, met by the cart
    const [journey] = await journeysOf("bob@example.com");
    expect(journey).toMatchObject({ status: "exited", exitReason: "goal: order placed" });
    const trace = await listTrace(harness.db, { workspaceId, enrollmentId: journey.id });
    expect(trace.at(-1)).toMatchObject({ kind: "goal", detail: { metBy: "entity", order: "#5100002" } });

    // AND Eve's checkout is ordered, which ends her one journey
    expect((await harness.deliver("orders/create", order(5100003, { email: "eve@example.com", cartToken: "c1-eve", checkoutToken: "chk-eve" }))).status).toBe(200);
    await harness.worker.tick();
    expect((await journeysOf("eve@example.com")).map((e) => [e.status, e.exitReason])).toEqual([["exited", "goal: order placed"]]);
  });

  it("sends the rest of the sequence to those who never bought, and nothing more to those who did", async () => {
    // WHEN a day passes since the captures
    await advance({ hours: 23 });
    // THEN the incentive goes to those who never bought (Ann, Cat, Fay, Gus)
    expect(inbox("ann@example.com").map((delivery) => delivery.subject)).toEqual(["We saved your items", "10% off the items in your cart"]);
    expect(inbox("cat@example.com")).toHaveLength(2);
    expect(inbox("ann@example.com")[1].html).toContain("WELCOMEBACK");

    // WHEN three days pass THEN the last chance, and the journeys complete
    await advance({ hours: 48 });
    expect(inbox("ann@example.com").map((delivery) => delivery.subject)).toEqual([
      "We saved your items",
      "10% off the items in your cart",
      "Last chance: your cart is about to expire",
    ]);
    expect(inbox("ann@example.com")[2].html).toContain("Cast-iron teapot");
    expect(inbox("cat@example.com")).toHaveLength(3);
    expect(inbox("fay@example.com")).toHaveLength(3);
    expect((await journeysOf("ann@example.com")).map((e) => e.status)).toEqual(["completed"]);
    expect((await journeysOf("fay@example.com")).map((e) => e.status)).toEqual(["completed"]);

    // AND a week later nothing else has gone out to anyone
    await advance({ hours: 24 * 7 });
    expect(inbox("bob@example.com")).toHaveLength(1);
    expect(inbox("bob.work@example.com")).toHaveLength(0);
    expect(inbox("eve@example.com")).toHaveLength(1);
    expect(inbox("gus@example.com")).toHaveLength(3);
    expect(harness.sendgrid.deliveries()).toHaveLength(14); // Ann, Cat, Fay, Gus: 3 each; Bob and Eve: 1 each
  });
});
