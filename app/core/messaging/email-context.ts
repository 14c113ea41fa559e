// The variables an email template sees. Money is formatted here, once, in the checkout's currency.
import { formatMoney } from "~/core/money";
import type { LineItem } from "~/core/events";

export interface CheckoutEmailInput {
  shop: { name: string; email: string | null };
  customer: { firstName: string | null; lastName: string | null; email: string | null };
  checkout: { currency: string; totalPrice: number; subtotalPrice: number; recoveryUrl: string | null; lineItems: LineItem[] } | null;
  /** The message's signed unsubscribe link (messaging/unsubscribe.server.ts), `{{ unsubscribe_url }}`. */
  unsubscribeUrl?: string | null;
  /**
   * The discount code an earlier `discount_code` node of the journey made for this recipient (flows/actions.server.ts):
   * `{{ discount.code }}`, `{{ discount.value }}` ("10%", "$5.00"), `{{ discount.expires_at }}` (a date in the store's
   * zone); `discount` is empty when there is none, so `{% if discount.code %}` guards a section.
   */
  discount?: { code: string; value: string; expiresAt: string; expiresAtIso: string } | null;
}

export function checkoutEmailContext(input: CheckoutEmailInput): Record<string, unknown> {
  const { checkout } = input;
  const money = (amount: number) => formatMoney({ amount, currency: checkout?.currency ?? "USD" });
  return {
    shop: { name: input.shop.name, email: input.shop.email ?? "" },
    unsubscribe_url: input.unsubscribeUrl ?? "",
    discount: input.discount
      ? { code: input.discount.code, value: input.discount.value, expires_at: input.discount.expiresAt, expires_at_iso: input.discount.expiresAtIso }
      : { code: "", value: "", expires_at: "", expires_at_iso: "" },
    customer: { first_name: input.customer.firstName ?? "", last_name: input.customer.lastName ?? "", email: input.customer.email ?? "" },
    checkout: checkout
      ? {
          line_items: checkout.lineItems.map((item) => ({
            title: item.title,
            variant_title: item.variantTitle ?? "",
            quantity: item.quantity,
            price: money(item.price),
            line_price: money(item.price * item.quantity),
            image_url: item.imageUrl ?? "",
          })),
          item_count: checkout.lineItems.reduce((sum, item) => sum + item.quantity, 0),
          total: money(checkout.totalPrice),
          subtotal: money(checkout.subtotalPrice),
          recovery_url: checkout.recoveryUrl ?? "",
          currency: checkout.currency,
        }
      : null,
  };
}
