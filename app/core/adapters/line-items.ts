import type { CanonicalEvent, LineItem } from "~/core/events";

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

/** Fills in missing line-item images from a lookup (mutates nothing; returns new events). */
export function withImages(event: CanonicalEvent, images: Map<string, string>): CanonicalEvent {
  const fill = (items: LineItem[]) =>
    items.map((item) => (item.imageUrl || !item.variantId ? item : { ...item, imageUrl: images.get(item.variantId) ?? null }));
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
