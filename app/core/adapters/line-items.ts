import type { CanonicalEvent, LineItem } from "~/core/events";
import type { VariantDetails } from "./adapter";

/** Every line item of an event, wherever the entity keeps them. */
export function lineItemsOf(event: CanonicalEvent): LineItem[] {
  switch (event.type) {
    case "cart.create":
    case "cart.update":
      return event.data.cart.lineItems;
    case "checkout.create":
    case "checkout.update":
      return event.data.checkout.lineItems;
    case "order.add":
    case "order.update":
    case "order.paid":
    case "order.cancel":
      return event.data.order.lineItems;
    default:
      return [];
  }
}

/** Whether a line item has a variant to look up and lacks what a lookup would fill in (image or category). */
export function needsDetails(item: LineItem): boolean {
  return Boolean(item.variantId) && (!item.imageUrl || !item.category);
}

/**
 * Fills in missing line-item images and categories from a variant lookup; what the payload carried wins
 * (mutates nothing; returns new events).
 */
export function withDetails(event: CanonicalEvent, details: Map<string, VariantDetails>): CanonicalEvent {
  const fill = (items: LineItem[]) =>
    items.map((item) => {
      const found = item.variantId ? details.get(item.variantId) : undefined;
      if (!found) return item;
      return { ...item, imageUrl: item.imageUrl || found.imageUrl, category: item.category || found.category };
    });
  switch (event.type) {
    case "cart.create":
    case "cart.update":
      return { ...event, data: { cart: { ...event.data.cart, lineItems: fill(event.data.cart.lineItems) } } };
    case "checkout.create":
    case "checkout.update":
      return { ...event, data: { checkout: { ...event.data.checkout, lineItems: fill(event.data.checkout.lineItems) } } };
    case "order.add":
    case "order.update":
    case "order.paid":
    case "order.cancel":
      return { ...event, data: { order: { ...event.data.order, lineItems: fill(event.data.order.lineItems) } } };
    default:
      return event;
  }
}
