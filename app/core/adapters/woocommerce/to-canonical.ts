// WooCommerce webhook and REST payloads → canonical events. The only place that knows WooCommerce's shapes.
import { normalizeEmail, toIsoUtc, type CanonicalEvent, type CustomerRef, type LineItem } from "~/core/events";
import type { Delivery, MappingResult, StoreContext } from "../adapter";
import { canonicalAddress, canonicalEvent, mapped, minorUnits, parsePayload, requiredDate } from "../mapping";
import { WooCustomer, WooDeletedProduct, WooOrder, WooProduct, type WooAddress, type WooLineItem } from "./payloads";

/** The webhook topics the app registers on each store (connect.server.ts), and what sync stores its records as. */
export const WOOCOMMERCE_TOPICS = [
  "order.created",
  "order.updated",
  "customer.created",
  "customer.updated",
  "product.created",
  "product.updated",
  "product.deleted",
] as const;
export type WooCommerceTopic = (typeof WOOCOMMERCE_TOPICS)[number];

export function isWooCommerceTopic(topic: string): topic is WooCommerceTopic {
  return (WOOCOMMERCE_TOPICS as readonly string[]).includes(topic);
}

/** `date_*_gmt` is UTC without the `Z`; never read the site-local `date_*`. */
/** A required `date_*_gmt` field as UTC ISO. */
function gmtDate(value: string | null | undefined, field: string): string {
  return requiredDate(value, field, gmtToIso);
}

export function gmtToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  return toIsoUtc(/(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
}


const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", hellip: "…", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", times: "×" };

/** WooCommerce sends product names HTML-escaped (`Ship Your Idea &ndash; Color: Black`). */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? match;
  });
}

/**
 * The canonical status vocabulary (reference §6.6) stored as the order's financial status:
 * processing → paid, on-hold → on_hold; a plugin's own status is kept as it is.
 */
export function canonicalOrderStatus(status: string): string {
  switch (status) {
    case "processing":
      return "paid";
    case "on-hold":
      return "on_hold";
    default:
      return status;
  }
}

/** Unit price before discounts: the line's `subtotal` over its quantity (`price` is a float, sometimes rounded). */
function lineItems(items: WooLineItem[], currency: string): LineItem[] {
  return items.map((item, index) => {
    const subtotal = minorUnits(item.subtotal, currency, `line_items.${index}.subtotal`);
    return {
      productId: item.product_id ? String(item.product_id) : null,
      variantId: item.variation_id ? String(item.variation_id) : null,
      sku: item.sku || null,
      title: decodeHtmlEntities(item.name),
      variantTitle: null,
      quantity: item.quantity,
      price: item.quantity > 0 ? Math.round(subtotal / item.quantity) : minorUnits(item.price, currency, `line_items.${index}.price`),
      imageUrl: null,
      category: null, // line items carry no category; a product lookup would (see docs/decisions/0019)
    };
  });
}

/** The billing address's place: WooCommerce sends "" for what was not filled in. */
function address(billing: WooAddress | null | undefined) {
  return canonicalAddress(billing ? { country: billing.country, region: billing.state, city: billing.city } : null);
}


function mapOrder(topic: "order.created" | "order.updated", payload: unknown): CanonicalEvent {
  const order = parsePayload(WooOrder, payload);
  // The billing email is the order's email: guests (customer_id 0) have no other.
  const email = normalizeEmail(order.billing.email);
  const customer: CustomerRef | null =
    email || order.customer_id
      ? {
          externalId: order.customer_id ? String(order.customer_id) : null,
          email,
          firstName: order.billing.first_name || null,
          lastName: order.billing.last_name || null,
          phone: order.billing.phone || null,
          acceptsMarketing: null, // WooCommerce core keeps no email-marketing consent
          tags: null, // WooCommerce core has no customer tags
          address: address(order.billing),
        }
      : null;
  const placedAt = gmtDate(order.date_created_gmt, "date_created_gmt");
  const modifiedAt = gmtDate(order.date_modified_gmt, "date_modified_gmt");
  const data = {
    order: {
      externalId: String(order.id),
      name: `#${order.number}`,
      checkoutToken: null,
      cartToken: null,
      email,
      customer,
      currency: order.currency,
      totalPrice: minorUnits(order.total, order.currency, "total"),
      lineItems: lineItems(order.line_items, order.currency),
      financialStatus: canonicalOrderStatus(order.status),
      discountCodes: (order.coupon_lines ?? []).map((coupon) => coupon.code.trim()).filter(Boolean),
      placedAt,
      // WooCommerce keeps no cancellation time: the last change of a cancelled order is the best we know.
      cancelledAt: order.status === "cancelled" ? modifiedAt : null,
    },
  };
  return topic === "order.created" ? canonicalEvent("order.add", placedAt, data) : canonicalEvent("order.update", modifiedAt, data);
}

function mapCustomer(topic: "customer.created" | "customer.updated", payload: unknown, receivedAt: string): CanonicalEvent {
  const customer = parsePayload(WooCustomer, payload);
  const createdAt = gmtToIso(customer.date_created_gmt);
  const updatedAt = gmtToIso(customer.date_modified_gmt);
  const data = {
    customer: {
      externalId: String(customer.id),
      email: normalizeEmail(customer.email) ?? normalizeEmail(customer.billing?.email),
      firstName: customer.first_name || customer.billing?.first_name || null,
      lastName: customer.last_name || customer.billing?.last_name || null,
      phone: customer.billing?.phone || null,
      acceptsMarketing: null,
      tags: null,
      address: address(customer.billing),
      createdAt,
      updatedAt,
    },
  };
  const occurredAt = (topic === "customer.created" ? createdAt : updatedAt) ?? updatedAt ?? createdAt ?? receivedAt;
  return canonicalEvent(topic === "customer.created" ? "customer.add" : "customer.update", occurredAt, data);
}

/** http(s) addresses only: anything else is dropped rather than linked. */
function webUrl(value: string | null | undefined): string | null {
  const url = value?.trim();
  return url && /^https?:\/\//i.test(url) && URL.canParse(url) ? url : null;
}

/**
 * A product: its permalink, first image, current price (in the store's currency: products carry none), first
 * category. Available: published, not hidden from the catalogue, and not out of stock (backorders sell).
 */
function mapProduct(payload: unknown, store: StoreContext, receivedAt: string): CanonicalEvent {
  const product = parsePayload(WooProduct, payload);
  const price = product.price === null || product.price === undefined || product.price === "" ? null : minorUnits(product.price, store.currency, "price");
  const updatedAt = gmtToIso(product.date_modified_gmt) ?? gmtToIso(product.date_created_gmt) ?? receivedAt;
  return canonicalEvent("product.update", updatedAt, {
    product: {
      externalId: String(product.id),
      title: decodeHtmlEntities(product.name),
      url: webUrl(product.permalink),
      imageUrl: webUrl(product.images?.[0]?.src),
      price,
      currency: price === null ? null : store.currency,
      category: product.categories?.[0]?.name ? decodeHtmlEntities(product.categories[0].name).trim() || null : null,
      available: product.status === "publish" && product.catalog_visibility !== "hidden" && product.stock_status !== "outofstock",
      updatedAt,
    },
  });
}

/** Maps one verified WooCommerce delivery (a webhook, or a record the sync read through the REST API). */
export function wooCommerceToCanonical(delivery: Delivery, store: StoreContext): MappingResult {
  const { topic, payload, receivedAt } = delivery;
  if (!isWooCommerceTopic(topic)) return { ok: false, error: `unsupported WooCommerce topic "${topic}"` };
  return mapped(() => {
    switch (topic) {
      case "order.created":
      case "order.updated":
        return [mapOrder(topic, payload)];
      case "customer.created":
      case "customer.updated":
        return [mapCustomer(topic, payload, receivedAt)];
      case "product.created":
      case "product.updated":
        return [mapProduct(payload, store, receivedAt)];
      case "product.deleted": {
        const deleted = parsePayload(WooDeletedProduct, payload);
        return [canonicalEvent("product.delete", receivedAt, { product: { externalId: String(deleted.id) } })];
      }
    }
  });
}
