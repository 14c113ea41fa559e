// A tiny emulated Shopify storefront (node:http) for browser tests of the cart-capture embed: the block's Liquid
// rendered with liquidjs the way the theme would (config + deferred script from the extension's assets), Shopify's
// Ajax cart (/cart.js, /cart/add.js), a newsletter form, and the App Proxy path (/apps/nudgeflow/capture), which
// records each capture and, when given `forward`, hands it on the way Shopify's App Proxy does (signed, to the app).
//
//   const storefront = await startStorefront();                       // records only
//   const storefront = await startStorefront({ forward: (capture) => forwardAppProxy({ … }) });
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import { listen, readBody, sendJson, type RunningServer } from "../emulators/http";

export const CART_CAPTURE_EXTENSION = fileURLToPath(new URL("../../extensions/cart-capture", import.meta.url));

export interface Capture {
  body: {
    token: string;
    email?: string;
    currency?: string | null;
    items?: { variant_id: number; title: string; product_title: string; quantity: number; price: number; image: string | null }[];
    consent?: { marketing: boolean | null; analytics: boolean | null };
  };
  contentType: string | undefined;
  /** The raw body as the script posted it. */
  raw: string;
  /** The customer logged in on the storefront when the script posted ("" for a guest), as the proxy signs it. */
  loggedInCustomerId: string;
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
export interface Visit {
  prompt?: boolean;
  /** "denied": the Customer Privacy API says marketing is not allowed until the test grants it. */
  consent?: "granted" | "denied" | "no-api";
}

export interface StorefrontOptions {
  /** Shopify's App Proxy: passes a capture on to the app and answers what the app answered. */
  forward?: (capture: Capture) => Promise<Response>;
}

export type Storefront = Awaited<ReturnType<typeof startStorefront>>;

/** A storefront with one cart (Shopify's /cart.js shape, minor units) and the App Proxy endpoint, recorded. */
export async function startStorefront(options: StorefrontOptions = {}) {
  const liquid = new Liquid();
  const storefrontLocale = JSON.parse(readFileSync(path.join(CART_CAPTURE_EXTENSION, "locales", "en.default.json"), "utf8"));
  liquid.registerFilter("t", (key: string) => key.split(".").reduce((node, part) => node?.[part], storefrontLocale) ?? key);
  liquid.registerFilter("asset_url", (name: string) => `/assets/${name}`);
  const block = readFileSync(path.join(CART_CAPTURE_EXTENSION, "blocks", "cart-capture.liquid"), "utf8").replace(/\{%\s*schema\s*%\}[\s\S]*?\{%\s*endschema\s*%\}/, "");

  const captures: Capture[] = [];
  let cartNumber = 0;
  let cart = { token: "", items: [] as CartLine[] };
  let visit: Visit = {};
  /** The shopper logged in to the store's customer account, if any (Liquid's `customer`, the proxy's customer id). */
  let customerId: number | null = null;

  function reset(next: { visit?: Visit; items?: number } = {}) {
    cartNumber += 1;
    cart = { token: `c1-fake${cartNumber}?key=k${cartNumber}`, items: [] };
    for (let i = 0; i < (next.items ?? 0); i += 1) addLine(4242, 1);
    visit = next.visit ?? {};
    customerId = null;
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
      customer: customerId === null ? null : { id: customerId },
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
      return void response.end(readFileSync(path.join(CART_CAPTURE_EXTENSION, "assets", "cart-capture.js")));
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
      const raw = await readBody(request);
      const capture: Capture = { body: JSON.parse(raw), contentType: request.headers["content-type"], raw, loggedInCustomerId: customerId === null ? "" : String(customerId) };
      captures.push(capture);
      if (!options.forward) return sendJson(response, 200, { ok: true });
      const answer = await options.forward(capture);
      return sendJson(response, answer.status, await answer.json());
    }
    sendJson(response, 404, { error: "not found" });
  }

  const server: RunningServer = await listen(handle);
  return {
    url: server.url,
    close: server.close,
    captures,
    reset,
    cartToken: () => cart.token,
    /** The shopper signs in to their customer account: pages render for them, the proxy names them. */
    logIn: (id: number) => {
      customerId = id;
    },
  };
}

/** Waits until the storefront has recorded a capture that matches. */
export async function waitForCapture(storefront: Storefront, match: (capture: Capture) => boolean, timeoutMs = 10_000): Promise<Capture> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = storefront.captures.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching capture within ${timeoutMs} ms; got ${JSON.stringify(storefront.captures.map((capture) => capture.body))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
