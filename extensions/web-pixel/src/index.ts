// Nudgeflow's web pixel. Shopify runs it in its strict sandbox (no DOM) on the storefront and in checkout, and only for
// visitors whose consent allows it (customer_privacy in shopify.extension.toml). It follows four standard events and
// posts each, reduced to a compact JSON, to the app: checkout_started and checkout_contact_info_submitted tell the app
// who is checking out (checkout token ↔ email ↔ customer) even where the theme cannot see it (checkout extensibility,
// headless); checkout_completed closes that checkout; product_added_to_cart ties the cart to a logged-in customer.
// The shape it sends is app/core/storefront/pixel.ts (PixelEventBody); the app validates every field again.
import { register } from "@shopify/web-pixels-extension";

/** The standard events followed (https://shopify.dev/docs/api/web-pixels-api/standard-events). */
const EVENTS = ["product_added_to_cart", "checkout_started", "checkout_contact_info_submitted", "checkout_completed"] as const;
/** More lines than this are not sent (the app refuses more than 250; a real checkout has a handful). */
const MAX_LINES = 100;

interface Money {
  amount?: number | null;
  currencyCode?: string | null;
}
interface Variant {
  id?: string | null;
  sku?: string | null;
  title?: string | null;
  price?: Money | null;
  image?: { src?: string | null } | null;
  product?: { id?: string | null; title?: string | null } | null;
}
interface CheckoutLine {
  title?: string | null;
  quantity?: number;
  variant?: Variant | null;
}
interface Checkout {
  token?: string | null;
  email?: string | null;
  phone?: string | null;
  currencyCode?: string | null;
  totalPrice?: Money | null;
  subtotalPrice?: Money | null;
  order?: { id?: string | null; customer?: { id?: string | null } | null } | null;
  lineItems?: CheckoutLine[] | null;
}
interface PixelEvent {
  id: string;
  name: string;
  timestamp: string;
  data?: { checkout?: Checkout | null; cartLine?: { quantity?: number; merchandise?: Variant | null; cost?: { totalAmount?: Money | null } | null } | null } | null;
}
interface Privacy {
  analyticsProcessingAllowed: boolean;
  marketingAllowed: boolean;
}

function line(variant: Variant | null | undefined, quantity: number | undefined, title?: string | null) {
  return {
    variantId: variant?.id ?? null,
    productId: variant?.product?.id ?? null,
    sku: variant?.sku || null,
    title: (title || variant?.product?.title || variant?.title || "").slice(0, 500),
    variantTitle: variant?.title || null,
    quantity: quantity ?? 1,
    price: variant?.price?.amount ?? 0,
    image: variant?.image?.src || null,
  };
}

function checkoutOf(checkout: Checkout) {
  return {
    token: checkout.token,
    email: checkout.email || null,
    phone: checkout.phone || null,
    currency: checkout.currencyCode,
    total: checkout.totalPrice?.amount ?? null,
    subtotal: checkout.subtotalPrice?.amount ?? null,
    customerId: checkout.order?.customer?.id ?? null,
    orderId: checkout.order?.id ?? null,
    lines: (checkout.lineItems ?? []).slice(0, MAX_LINES).map((item) => line(item.variant, item.quantity, item.title)),
  };
}

register(({ analytics, browser, init, settings, customerPrivacy }) => {
  const key = typeof settings.storefrontKey === "string" ? settings.storefrontKey : "";
  const appUrl = typeof settings.appUrl === "string" ? settings.appUrl.replace(/\/+$/, "") : "";
  if (!key || !appUrl) return;
  const endpoint = `${appUrl}/storefront/v1/pixel?key=${encodeURIComponent(key)}`;

  // Shopify only runs the pixel when consent allows; a visitor who withdraws it mid-visit is followed too.
  let privacy: Privacy = init.customerPrivacy;
  customerPrivacy?.subscribe("visitorConsentCollected", (event: { customerPrivacy: Privacy }) => {
    privacy = event.customerPrivacy;
  });
  const customer = init.data?.customer ?? null;

  async function send(event: PixelEvent) {
    if (!privacy.analyticsProcessingAllowed || !privacy.marketingAllowed) return;
    const cartCookie = await browser.cookie.get("cart").catch(() => "");
    const cartLine = event.data?.cartLine;
    const body = JSON.stringify({
      id: event.id,
      name: event.name,
      at: event.timestamp,
      customer: customer?.id ? { id: customer.id, email: customer.email || null, phone: customer.phone || null } : null,
      cartToken: cartCookie || init.data?.cart?.id || null,
      line: cartLine ? { ...line(cartLine.merchandise, cartLine.quantity), currency: cartLine.merchandise?.price?.currencyCode ?? cartLine.cost?.totalAmount?.currencyCode } : null,
      checkout: event.data?.checkout?.token ? checkoutOf(event.data.checkout) : null,
      consent: { marketing: privacy.marketingAllowed, analytics: privacy.analyticsProcessingAllowed },
    });
    // text/plain: a "simple" request, no CORS preflight. sendBeacon survives the page closing (checkout → thank-you);
    // where it is refused, fetch with keepalive does the same.
    const queued = await browser.sendBeacon(endpoint, body).catch(() => false);
    if (!queued) await fetch(endpoint, { method: "POST", body, keepalive: true, headers: { "Content-Type": "text/plain" } }).catch(() => undefined);
  }

  for (const name of EVENTS) analytics.subscribe(name, (event: PixelEvent) => void send(event));
});
