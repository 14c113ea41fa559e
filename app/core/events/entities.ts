// Canonical entities: what every adapter maps platform payloads into. Isomorphic (no Node APIs).
// Money fields are integer minor units of the entity's `currency`.
import { z } from "zod";

const IsoDateTime = z.iso.datetime({ offset: true });

export const LineItem = z.object({
  productId: z.string().nullable(),
  variantId: z.string().nullable(),
  sku: z.string().nullable(),
  title: z.string(),
  variantTitle: z.string().nullable(),
  quantity: z.number().int().nonnegative(),
  /** Unit price in minor units. */
  price: z.number().int(),
  imageUrl: z.url().nullable(),
  /**
   * The product's category or type, when the payload carries it (absent or null: not said). Neither Shopify's
   * order webhooks (no `product_type`) nor WooCommerce line items carry it; a later hydration from the product
   * APIs fills it in. Optional so events stored before it existed still parse.
   */
  category: z.string().nullable().optional(),
});
export type LineItem = z.infer<typeof LineItem>;

/**
 * Where a customer lives, as the source says: ISO 3166-1 alpha-2 country (upper case), the region's
 * (province/state) code as the platform gives it, and the city. Each part null when not said.
 */
export const Address = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 country code such as US").nullable(),
  region: z.string().min(1).nullable(),
  city: z.string().min(1).nullable(),
});
export type Address = z.infer<typeof Address>;

/** Who a record belongs to, as far as the platform says. */
export const CustomerRef = z.object({
  externalId: z.string().nullable(),
  email: z.email().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  /** Email-marketing consent, when the payload states it. */
  acceptsMarketing: z.boolean().nullable(),
  /**
   * The customer's tags at the source, as a whole set (absent or null: the source did not say, which is not
   * "no tags"; [] is "no tags"). Optional so events stored before tags existed still parse (version 1).
   */
  tags: z.array(z.string()).nullable().optional(),
  /** Where the customer lives (absent or null: not said). Optional, like `tags`. */
  address: Address.nullable().optional(),
});
export type CustomerRef = z.infer<typeof CustomerRef>;

export const Cart = z.object({
  token: z.string().min(1),
  currency: z.string().length(3),
  totalPrice: z.number().int(),
  lineItems: z.array(LineItem),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  /**
   * Who holds the cart, when the source says (a storefront capture with an email or a logged-in customer).
   * Platform cart webhooks carry nobody: null.
   */
  customer: CustomerRef.nullable().default(null),
  /**
   * False when the source named the cart (and who holds it) without stating its contents: `lineItems` and
   * `totalPrice` are then empty placeholders, and profiles keep the contents they already hold.
   */
  contentsKnown: z.boolean().default(true),
});
export type Cart = z.infer<typeof Cart>;

export const Checkout = z.object({
  token: z.string().min(1),
  cartToken: z.string().nullable(),
  email: z.email().nullable(),
  customer: CustomerRef.nullable(),
  currency: z.string().length(3),
  totalPrice: z.number().int(),
  subtotalPrice: z.number().int(),
  lineItems: z.array(LineItem),
  recoveryUrl: z.url().nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  completedAt: IsoDateTime.nullable(),
});
export type Checkout = z.infer<typeof Checkout>;

export const Order = z.object({
  externalId: z.string().min(1),
  name: z.string().nullable(),
  checkoutToken: z.string().nullable(),
  cartToken: z.string().nullable(),
  email: z.email().nullable(),
  customer: CustomerRef.nullable(),
  currency: z.string().length(3),
  totalPrice: z.number().int(),
  lineItems: z.array(LineItem),
  financialStatus: z.string().nullable(),
  /** The discount codes the order used, as the store reports them (compared case-insensitively). Optional: events
   *  stored before codes were mapped, and producers that know none, leave it out. */
  discountCodes: z.array(z.string().min(1)).optional(),
  placedAt: IsoDateTime,
  cancelledAt: IsoDateTime.nullable(),
});
export type Order = z.infer<typeof Order>;

export const Shipment = z.object({
  externalId: z.string().min(1),
  orderExternalId: z.string().min(1),
  status: z.string().nullable(),
  trackingUrl: z.url().nullable(),
  email: z.email().nullable(),
  createdAt: IsoDateTime,
});
export type Shipment = z.infer<typeof Shipment>;

export const Customer = CustomerRef.extend({
  createdAt: IsoDateTime.nullable(),
  updatedAt: IsoDateTime.nullable(),
});
export type Customer = z.infer<typeof Customer>;

/**
 * A product of the store's catalogue, as emails need it (recommendations, review links). `price` is the lowest
 * variant price in minor units of `currency`; `available` is false when the product is unpublished, archived or
 * sold out (never recommended). `updatedAt` is the source's own modification time: an older statement never
 * overwrites a newer one.
 */
export const Product = z.object({
  externalId: z.string().min(1),
  title: z.string(),
  url: z.url().nullable(),
  imageUrl: z.url().nullable(),
  price: z.number().int().nonnegative().nullable(),
  currency: z.string().length(3).nullable(),
  category: z.string().min(1).nullable(),
  available: z.boolean(),
  updatedAt: IsoDateTime,
});
export type Product = z.infer<typeof Product>;
