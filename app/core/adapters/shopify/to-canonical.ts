// Shopify webhook payloads → canonical events. The only place that knows Shopify's payload shapes.
import type { z } from "zod";
import { normalizeCartToken, normalizeEmail, toIsoUtc, type CanonicalEvent, type CustomerRef, type LineItem } from "~/core/events";
import type { Delivery, MappingResult, StoreContext } from "../adapter";
import { canonicalAddress, canonicalEvent, firstAddress, mapped, minorUnits, parsePayload, requiredDate, tagList } from "../mapping";
import { absoluteImageUrl as imageUrl, cartUpdateFromCapture } from "~/core/storefront/capture";
import { CART_CAPTURE_TOPIC, CartCaptureDelivery } from "./cart-capture";
import {
  type ShopifyAddress,
  ShopifyCart,
  ShopifyCheckout,
  ShopifyCustomer,
  ShopifyDeletedCustomer,
  ShopifyDeletedProduct,
  ShopifyGraphqlProduct,
  ShopifyEmailConsent,
  ShopifyFulfillment,
  ShopifyLineItem,
  ShopifyOrder,
  ShopifyPrivacyCustomer,
  ShopifyProduct,
} from "./payloads";

/** Not a webhook: a product the sync read through the Admin GraphQL API (connector.server.ts), stored as it came. */
export const PRODUCT_SYNC_TOPIC = "sync/product";

/** Topics the app subscribes to (shopify.app.toml) and what they become. */
export const SHOPIFY_TOPICS = [
  "carts/create",
  "carts/update",
  "checkouts/create",
  "checkouts/update",
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "fulfillments/create",
  "fulfillments/update",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers_email_marketing_consent/update",
  "app/uninstalled",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "products/create",
  "products/update",
  "products/delete",
  PRODUCT_SYNC_TOPIC,
  // Not a webhook: the storefront script's capture, received through the App Proxy (routes/proxy.capture.tsx).
  CART_CAPTURE_TOPIC,
] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

export function isShopifyTopic(topic: string): topic is ShopifyTopic {
  return (SHOPIFY_TOPICS as readonly string[]).includes(topic);
}

/** `gid://shopify/Customer/123` or 123 → "123". */
export function shopifyId(id: string | number | null, gid?: string): string | null {
  if (gid) return gid.slice(gid.lastIndexOf("/") + 1);
  return id === null ? null : String(id);
}


function lineItems(items: z.infer<typeof ShopifyLineItem>[], currency: string): LineItem[] {
  return items.map((item, index) => ({
    productId: shopifyId(item.product_id),
    variantId: shopifyId(item.variant_id),
    sku: item.sku || null,
    title: item.title,
    variantTitle: item.variant_title || null,
    quantity: item.quantity,
    price: minorUnits(item.price, currency, `line_items.${index}.price`),
    imageUrl: null, // not in webhooks; filled in from the Admin API (see hydrate)
    category: item.product_type?.trim() || null, // product_type is not in order webhooks: null until hydrated
  }));
}

function address(value: ShopifyAddress | null | undefined) {
  return canonicalAddress(value ? { country: value.country_code, region: value.province_code, city: value.city } : null);
}

/**
 * Who a record belongs to. `fallbackAddresses` (an order's or checkout's billing, then shipping address) stand in
 * when the customer's own default address is absent: the latest word on where the customer lives.
 */
function customerRef(
  customer: ShopifyCustomer | null,
  contactEmail: string | null,
  acceptsMarketing: boolean | null,
  fallbackAddresses: (ShopifyAddress | null)[] = [],
): CustomerRef | null {
  if (!customer && !contactEmail) return null;
  const consent = customer?.email_marketing_consent?.state;
  return {
    externalId: customer ? shopifyId(customer.id, customer.admin_graphql_api_id) : null,
    email: normalizeEmail(contactEmail) ?? normalizeEmail(customer?.email),
    firstName: customer?.first_name ?? null,
    lastName: customer?.last_name ?? null,
    phone: customer?.phone ?? null,
    acceptsMarketing: consent ? consent === "subscribed" : acceptsMarketing,
    tags: tagList(customer?.tags),
    address: firstAddress(address(customer?.default_address), ...fallbackAddresses.map(address)),
  };
}

/**
 * A storefront capture → `cart.update` carrying who holds the cart (core/storefront/capture.ts): the email the shopper
 * typed and the customer Shopify says is logged in (from the signed query string).
 */
function mapCartCapture(payload: unknown, store: StoreContext): CanonicalEvent[] {
  const { capture, loggedInCustomerId, capturedAt: at } = parsePayload(CartCaptureDelivery, payload);
  const capturedAt = requiredDate(at, "capturedAt");
  return [cartUpdateFromCapture({ capture, customerExternalId: loggedInCustomerId, capturedAt, storeCurrency: store.currency })];
}

/**
 * A fulfillment's status as one word: the carrier's `shipment_status` (in_transit, delivered…) while the
 * fulfillment stands, otherwise the fulfillment's own (pending, open, cancelled, error, failure).
 */
export function shipmentStatus(status: string | null, shipmentStatus: string | null): string | null {
  if (shipmentStatus && (status === null || status === "success")) return shipmentStatus;
  return status;
}

function customerFields(ref: CustomerRef | null): CustomerRef {
  return ref ?? { externalId: null, email: null, firstName: null, lastName: null, phone: null, acceptsMarketing: null };
}


/** The storefront page of a product: the shop's domain (which redirects to its primary domain) and the handle. */
function productUrl(store: StoreContext, handle: string | null): string | null {
  return handle ? `https://${store.domain}/products/${encodeURIComponent(handle)}` : null;
}

/**
 * products/create and products/update. Available: active, published to the online store, and some variant can be
 * sold (stock left, stock not tracked, or selling on when out of stock). Price: the lowest variant price.
 */
function mapProduct(payload: unknown, store: StoreContext): CanonicalEvent {
  const product = parsePayload(ShopifyProduct, payload);
  const prices = product.variants.map((variant, index) => minorUnits(variant.price, store.currency, `variants.${index}.price`));
  const sellable = product.variants.some(
    (variant) => variant.inventory_policy === "continue" || variant.inventory_management === null || variant.inventory_quantity === null || variant.inventory_quantity > 0,
  );
  const updatedAt = requiredDate(product.updated_at, "updated_at");
  return canonicalEvent("product.update", updatedAt, {
    product: {
      externalId: shopifyId(product.id, product.admin_graphql_api_id) ?? "",
      title: product.title,
      url: productUrl(store, product.handle),
      imageUrl: imageUrl(product.image?.src ?? product.images?.[0]?.src),
      price: prices.length ? Math.min(...prices) : null,
      currency: prices.length ? store.currency : null,
      category: product.product_type?.trim() || null,
      available: (product.status === null || product.status === "active") && product.published_at !== null && (product.variants.length === 0 || sellable),
      updatedAt,
    },
  });
}

/** A product from the Admin GraphQL API (the sync): the same rules as the webhook's. */
function mapSyncedProduct(payload: unknown, store: StoreContext): CanonicalEvent {
  const product = parsePayload(ShopifyGraphqlProduct, payload);
  const price = product.priceRangeV2?.minVariantPrice ?? null;
  const variants = product.variants?.nodes ?? [];
  const sellable = variants.length > 0 ? variants.some((variant) => variant.availableForSale) : product.tracksInventory === false || (product.totalInventory ?? 0) > 0;
  const updatedAt = requiredDate(product.updatedAt, "updatedAt");
  return canonicalEvent("product.update", updatedAt, {
    product: {
      externalId: shopifyId(null, product.id) ?? "",
      title: product.title,
      url: productUrl(store, product.handle),
      imageUrl: imageUrl(product.featuredMedia?.preview?.image?.url),
      price: price ? minorUnits(price.amount, price.currencyCode, "priceRangeV2.minVariantPrice.amount") : null,
      currency: price?.currencyCode ?? null,
      category: product.productType?.trim() || null,
      available: product.status === "ACTIVE" && product.publishedAt !== null && sellable,
      updatedAt,
    },
  });
}

function mapTopic(topic: ShopifyTopic, payload: unknown, store: StoreContext, receivedAt: string): CanonicalEvent[] {
  switch (topic) {
    case "carts/create":
    case "carts/update": {
      const cart = parsePayload(ShopifyCart, payload);
      const currency = cart.line_items[0]?.price_set?.presentment_money.currency_code ?? store.currency;
      const items = lineItems(cart.line_items, currency);
      const data = {
        cart: {
          token: normalizeCartToken(cart.token),
          currency,
          totalPrice: items.reduce((sum, item) => sum + item.price * item.quantity, 0),
          lineItems: items,
          createdAt: requiredDate(cart.created_at, "created_at"),
          updatedAt: requiredDate(cart.updated_at, "updated_at"),
          customer: null, // carts/* webhooks name nobody
          contentsKnown: true,
        },
      };
      return [canonicalEvent(topic === "carts/create" ? "cart.create" : "cart.update", data.cart.updatedAt, data)];
    }
    case "checkouts/create":
    case "checkouts/update": {
      const checkout = parsePayload(ShopifyCheckout, payload);
      const data = {
        checkout: {
          token: checkout.token,
          cartToken: checkout.cart_token ? normalizeCartToken(checkout.cart_token) : null,
          email: normalizeEmail(checkout.email) ?? normalizeEmail(checkout.customer?.email),
          customer: customerRef(checkout.customer, checkout.email, checkout.buyer_accepts_marketing, [checkout.billing_address, checkout.shipping_address]),
          currency: checkout.currency,
          totalPrice: minorUnits(checkout.total_price, checkout.currency, "total_price"),
          subtotalPrice: minorUnits(checkout.subtotal_price, checkout.currency, "subtotal_price"),
          lineItems: lineItems(checkout.line_items, checkout.currency),
          recoveryUrl: checkout.abandoned_checkout_url,
          createdAt: requiredDate(checkout.created_at, "created_at"),
          updatedAt: requiredDate(checkout.updated_at, "updated_at"),
          completedAt: toIsoUtc(checkout.completed_at),
        },
      };
      return [canonicalEvent(topic === "checkouts/create" ? "checkout.create" : "checkout.update", data.checkout.updatedAt, data)];
    }
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled": {
      const order = parsePayload(ShopifyOrder, payload);
      const contact = order.email ?? order.contact_email;
      const placedAt = requiredDate(order.processed_at ?? order.created_at, "created_at");
      const data = {
        order: {
          externalId: shopifyId(order.id, order.admin_graphql_api_id) ?? "",
          name: order.name,
          checkoutToken: order.checkout_token,
          cartToken: order.cart_token ? normalizeCartToken(order.cart_token) : null,
          email: normalizeEmail(contact) ?? normalizeEmail(order.customer?.email),
          customer: customerRef(order.customer, contact, order.buyer_accepts_marketing, [order.billing_address, order.shipping_address]),
          currency: order.currency,
          totalPrice: minorUnits(order.total_price, order.currency, "total_price"),
          lineItems: lineItems(order.line_items, order.currency),
          financialStatus: order.financial_status,
          discountCodes: (order.discount_codes ?? []).map((discount) => discount.code.trim()).filter(Boolean),
          placedAt,
          // orders/cancelled always means cancelled: without cancelled_at, the order's last change is when.
          cancelledAt:
            toIsoUtc(order.cancelled_at) ??
            (topic === "orders/cancelled" ? requiredDate(order.updated_at ?? receivedAt, "cancelled_at") : null),
        },
      };
      if (topic === "orders/create") return [canonicalEvent("order.add", placedAt, data)];
      if (topic === "orders/updated") return [canonicalEvent("order.update", placedAt, data)];
      // When it was paid is not in the payload: the order's last change is the closest it says.
      if (topic === "orders/paid") return [canonicalEvent("order.paid", toIsoUtc(order.updated_at) ?? placedAt, data)];
      return [canonicalEvent("order.cancel", data.order.cancelledAt ?? placedAt, data)];
    }
    case "fulfillments/create":
    case "fulfillments/update": {
      const fulfillment = parsePayload(ShopifyFulfillment, payload);
      const createdAt = requiredDate(fulfillment.created_at, "created_at");
      const shipment = {
        externalId: shopifyId(fulfillment.id, fulfillment.admin_graphql_api_id) ?? "",
        // No gid for the order in fulfillment payloads: an order id above 2^53 arrives rounded by JSON.parse.
        orderExternalId: String(fulfillment.order_id),
        status: shipmentStatus(fulfillment.status, fulfillment.shipment_status),
        trackingUrl: fulfillment.tracking_url,
        email: normalizeEmail(fulfillment.email),
        createdAt,
      };
      return topic === "fulfillments/create"
        ? [canonicalEvent("order.shipment.add", createdAt, { shipment })]
        : [canonicalEvent("order.shipment.update", toIsoUtc(fulfillment.updated_at) ?? receivedAt, { shipment })];
    }
    case "customers/create":
    case "customers/update": {
      const customer = parsePayload(ShopifyCustomer, payload);
      const ref = customerRef(customer, null, null);
      const occurredAt = requiredDate(customer.updated_at ?? customer.created_at, "updated_at");
      const data = { customer: { ...customerFields(ref), createdAt: toIsoUtc(customer.created_at), updatedAt: toIsoUtc(customer.updated_at) } };
      return [canonicalEvent(topic === "customers/create" ? "customer.add" : "customer.update", occurredAt, data)];
    }
    case "customers/delete": {
      const deleted = parsePayload(ShopifyDeletedCustomer, payload);
      const externalId = shopifyId(deleted.id, deleted.admin_graphql_api_id) ?? "";
      return [canonicalEvent("customer.delete", receivedAt, { customer: { externalId } })];
    }
    case "customers_email_marketing_consent/update": {
      const update = parsePayload(ShopifyEmailConsent, payload);
      const consent = update.email_marketing_consent;
      const consentUpdatedAt = toIsoUtc(consent.consent_updated_at);
      return [
        canonicalEvent("customer.consent.update", consentUpdatedAt ?? receivedAt, {
          // No gid in this payload: a customer id above 2^53 arrives rounded by JSON.parse, so it is not used
          // (it would link the wrong id); the email still finds the profile.
          customer: {
            externalId: typeof update.customer_id === "number" && !Number.isSafeInteger(update.customer_id) ? null : shopifyId(update.customer_id),
            email: normalizeEmail(update.email_address),
          },
          acceptsMarketing: consent.state === "subscribed",
          state: consent.state,
          consentUpdatedAt,
        }),
      ];
    }
    case "app/uninstalled":
      return [canonicalEvent("store.uninstall", receivedAt, {})];
    case "customers/data_request":
    case "customers/redact": {
      const request = parsePayload(ShopifyPrivacyCustomer, payload);
      const customer = { externalId: shopifyId(request.customer.id), email: normalizeEmail(request.customer.email) };
      return topic === "customers/redact"
        ? [canonicalEvent("customer.redact", receivedAt, { customer })]
        : [canonicalEvent("customer.data_request", receivedAt, { customer, requestId: request.data_request ? String(request.data_request.id) : null })];
    }
    case "shop/redact":
      return [canonicalEvent("store.redact", receivedAt, {})];
    case "products/create":
    case "products/update":
      return [mapProduct(payload, store)];
    case PRODUCT_SYNC_TOPIC:
      return [mapSyncedProduct(payload, store)];
    case "products/delete": {
      const deleted = parsePayload(ShopifyDeletedProduct, payload);
      return [canonicalEvent("product.delete", receivedAt, { product: { externalId: shopifyId(deleted.id) ?? "" } })];
    }
    case CART_CAPTURE_TOPIC:
      return mapCartCapture(payload, store);
  }
}

/** Maps one verified Shopify delivery. Lifecycle and privacy topics carry no time of their own: they get `receivedAt`. */
export function shopifyToCanonical(delivery: Delivery, store: StoreContext): MappingResult {
  const { topic, payload, receivedAt } = delivery;
  if (!isShopifyTopic(topic)) return { ok: false, error: `unsupported Shopify topic "${topic}"` };
  return mapped(() => mapTopic(topic, payload, store, receivedAt));
}
