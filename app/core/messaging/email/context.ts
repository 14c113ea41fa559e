// The variables an email's Liquid sees (docs/email.md lists them): the shop, the customer, the checkout or cart
// of a basket journey, the order of an order or customer journey, the unsubscribe link. Money is formatted here,
// once, in the basket's or order's currency. Isomorphic: the preview's sample data goes through it too.
import { formatMoney } from "~/core/money";
import type { LineItem } from "~/core/events";

export interface Basket {
  currency: string;
  totalPrice: number;
  subtotalPrice: number;
  recoveryUrl: string | null;
  lineItems: LineItem[];
}

export interface OrderData {
  name: string | null;
  currency: string;
  totalPrice: number;
  lineItems: LineItem[];
  placedAt: Date | string;
}

/** A product the catalogue recommends (core/catalogue/recommendations.server.ts): `recommendations[]`. */
export interface RecommendedItem {
  productId: string;
  title: string;
  url: string;
  imageUrl: string | null;
  /** Minor units of `currency` (the store's). */
  price: number | null;
  currency: string | null;
}

export interface EmailContextInput {
  shop: { name: string; email: string | null; url: string | null; address: string | null };
  customer: { firstName: string | null; lastName: string | null; email: string | null };
  /** The checkout when the journey reached one, else the cart: `checkout.*` and `cart.*`. */
  basket?: Basket | null;
  order?: OrderData | null;
  unsubscribeUrl?: string | null;
  /** A code a discount_code step made for this journey (`discount.*`); none → the email's discount block's. */
  discount?: { code: string; value?: string | null; expiresAt?: string | null; expiresAtIso?: string | null } | null;
  /** Products to recommend (the catalogue's); none → the recommendations block shows nothing. */
  recommendations?: RecommendedItem[] | null;
  /** Storefront pages of the basket's and order's products by product id (`item.url`, `item.review_url`). */
  productPages?: Record<string, string> | null;
}

/**
 * Line items for Liquid. `url` is the product's page when the catalogue knows it (else ""); `review_url` is where
 * the review request's default button goes: the product page's reviews (`#reviews`), else the shop.
 */
function lineItems(items: LineItem[], currency: string, pages: Record<string, string> = {}, shopUrl = "") {
  const money = (amount: number) => formatMoney({ amount, currency });
  const pageOf = (productId: string | null) => (productId && Object.hasOwn(pages, productId) ? pages[productId] : "");
  return items.map((item) => ({
    url: pageOf(item.productId),
    review_url: pageOf(item.productId) ? `${pageOf(item.productId)}#reviews` : shopUrl,
    title: item.title,
    variant_title: item.variantTitle ?? "",
    quantity: item.quantity,
    price: money(item.price),
    line_price: money(item.price * item.quantity),
    image_url: item.imageUrl ?? "",
    product_id: item.productId ?? "",
  }));
}

export function emailContext(input: EmailContextInput): Record<string, unknown> {
  const { basket, order } = input;
  const pages = input.productPages ?? {};
  const shopUrl = input.shop.url ?? "";
  const basketVars = basket
    ? {
        line_items: lineItems(basket.lineItems, basket.currency, pages, shopUrl),
        item_count: basket.lineItems.reduce((sum, item) => sum + item.quantity, 0),
        total: formatMoney({ amount: basket.totalPrice, currency: basket.currency }),
        subtotal: formatMoney({ amount: basket.subtotalPrice, currency: basket.currency }),
        recovery_url: basket.recoveryUrl ?? "",
        currency: basket.currency,
      }
    : null;
  const subtotal = order ? order.lineItems.reduce((sum, item) => sum + item.price * item.quantity, 0) : 0;
  return {
    shop: { name: input.shop.name, email: input.shop.email ?? "", url: input.shop.url ?? "", address: input.shop.address ?? "" },
    // A missing name is nil, not "": Liquid holds "" true, so `{% if customer.first_name %}` would greet "Hi ,"
    // every shopper we know only by the email typed on the storefront. Nil prints as "" all the same.
    customer: { first_name: input.customer.firstName || null, last_name: input.customer.lastName || null, email: input.customer.email ?? "" },
    unsubscribe_url: input.unsubscribeUrl ?? "",
    discount: { code: input.discount?.code ?? "", value: input.discount?.value ?? "", expires_at: input.discount?.expiresAt ?? "", expires_at_iso: input.discount?.expiresAtIso ?? "" },
    checkout: basketVars,
    cart: basketVars,
    recommendations: (input.recommendations ?? []).map((product) => ({
      title: product.title,
      url: product.url,
      image_url: product.imageUrl ?? "",
      price: product.price === null || !product.currency ? "" : formatMoney({ amount: product.price, currency: product.currency }),
      product_id: product.productId,
    })),
    order: order
      ? {
          name: order.name ?? "",
          line_items: lineItems(order.lineItems, order.currency, pages, shopUrl),
          item_count: order.lineItems.reduce((sum, item) => sum + item.quantity, 0),
          total: formatMoney({ amount: order.totalPrice, currency: order.currency }),
          subtotal: formatMoney({ amount: subtotal, currency: order.currency }),
          currency: order.currency,
          placed_at: new Date(order.placedAt).toISOString().slice(0, 10),
        }
      : null,
  };
}

/** A grey square with a word on it, as a data: URI (the preview and screenshots need no network). */
function placeholderImage(word: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240"><rect width="240" height="240" fill="#e5e7eb"/><text x="120" y="132" font-family="Helvetica,Arial,sans-serif" font-size="28" fill="#374151" text-anchor="middle">${word}</text></svg>`;
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}

/** Made-up data for the preview when no real customer is chosen: two items, a checkout and an order. */
export function sampleEmailContext(shop: EmailContextInput["shop"], currency = "USD", recommendations: RecommendedItem[] | null = null): Record<string, unknown> {
  const shopUrl = shop.url || "https://shop.example";
  const pages: Record<string, string> = { "sample-1": `${shopUrl}/products/linen-shirt`, "sample-2": `${shopUrl}/products/canvas-tote` };
  const items: LineItem[] = [
    { productId: "sample-1", variantId: "sample-1a", sku: null, title: "Linen shirt", variantTitle: "Sand / M", quantity: 1, price: 5900, imageUrl: placeholderImage("Shirt") },
    { productId: "sample-2", variantId: "sample-2a", sku: null, title: "Canvas tote", variantTitle: null, quantity: 2, price: 2450, imageUrl: placeholderImage("Tote") },
  ];
  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  return emailContext({
    shop,
    customer: { firstName: "Alex", lastName: "Sample", email: "alex@example.com" },
    basket: { currency, totalPrice: total, subtotalPrice: total, recoveryUrl: `${shop.url || "https://shop.example"}/cart`, lineItems: items },
    order: { name: "#1001", currency, totalPrice: total, lineItems: items, placedAt: new Date("2026-01-15T10:00:00Z") },
    unsubscribeUrl: "https://example.com/unsubscribe/sample",
    // Without a catalogue (no recommendations given) the preview shows the sample's own products in their place.
    recommendations: recommendations ?? items.map((item) => ({ productId: item.productId ?? "", title: item.title, url: pages[item.productId ?? ""] ?? shopUrl, imageUrl: item.imageUrl, price: item.price, currency })),
    productPages: pages,
  });
}
