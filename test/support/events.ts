// Canonical events (what the ingest adapters produce) for tests that feed the inbox directly: a checkout with
// one line, an order, and the customer on both.
import type { CanonicalEvent } from "~/core/events";

export function eventCustomer(email: string, acceptsMarketing = true) {
  return { externalId: null, email, firstName: "Ada", lastName: null, phone: null, acceptsMarketing };
}

export interface CheckoutEventOptions {
  /** Default `checkout.create`. */
  type?: "checkout.create" | "checkout.update";
  /** Default `${token}@example.com`. */
  email?: string;
  /** Minor units, default 3200 (one Linen apron); also the subtotal and the line's price. */
  totalPrice?: number;
  /** Default `USD`. */
  currency?: string;
  /** Default true. */
  acceptsMarketing?: boolean;
}

/** A checkout with one line, created and last updated `at`, not completed. */
export function checkoutEvent(token: string, at: string, options: CheckoutEventOptions = {}): CanonicalEvent {
  const email = options.email ?? `${token}@example.com`;
  const totalPrice = options.totalPrice ?? 3200;
  return {
    type: options.type ?? "checkout.create",
    version: 1,
    occurredAt: at,
    data: {
      checkout: {
        token,
        cartToken: null,
        email,
        customer: eventCustomer(email, options.acceptsMarketing ?? true),
        currency: options.currency ?? "USD",
        totalPrice,
        subtotalPrice: totalPrice,
        lineItems: [{ productId: "1", variantId: "11", sku: null, title: "Linen apron", variantTitle: null, quantity: 1, price: totalPrice, imageUrl: null }],
        recoveryUrl: `https://shop.example/checkouts/${token}/recover`,
        createdAt: at,
        updatedAt: at,
        completedAt: null,
      },
    },
  };
}

/** A paid order placed `at`, without lines, linked to no checkout. */
export function orderEvent(externalId: string, email: string, at: string, totalPrice = 4500): CanonicalEvent {
  return {
    type: "order.add",
    version: 1,
    occurredAt: at,
    data: {
      order: {
        externalId,
        name: `#${externalId}`,
        checkoutToken: null,
        cartToken: null,
        email,
        customer: eventCustomer(email, true),
        currency: "USD",
        totalPrice,
        lineItems: [],
        financialStatus: "paid",
        placedAt: at,
        cancelledAt: null,
      },
    },
  };
}
