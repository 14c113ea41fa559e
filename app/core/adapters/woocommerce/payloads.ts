// WooCommerce REST API v3 (`/wp-json/wc/v3`) resources, as its webhooks and its REST lists deliver them (a
// webhook body is the REST resource built at delivery time). Only the fields we read are checked; the rest pass.
// Shapes from test/fixtures/woocommerce/ (the REST docs' own examples).
import { z } from "zod";

/** Money is a 2-dp string everywhere except `line_items[].price` (a number). */
const MoneyString = z.string();
/** `date_*_gmt`: UTC without the `Z`, e.g. `2017-03-22T19:28:02`. */
const GmtDate = z.string();

export const WooAddress = z.looseObject({
  first_name: z.string().default(""),
  last_name: z.string().default(""),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  /** ISO alpha-2 ("US"), "" when not filled in. */
  country: z.string().nullish(),
  /** The state/county code ("CA"), "" when not filled in. */
  state: z.string().nullish(),
  city: z.string().nullish(),
});
export type WooAddress = z.infer<typeof WooAddress>;

export const WooLineItem = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  product_id: z.number().int(),
  variation_id: z.number().int().default(0),
  quantity: z.number().int().nonnegative(),
  subtotal: MoneyString,
  total: MoneyString,
  sku: z.string().nullish(),
  price: z.union([z.number(), z.string()]),
});
export type WooLineItem = z.infer<typeof WooLineItem>;

export const WOO_ORDER_STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash", "checkout-draft"] as const;

export const WooOrder = z.looseObject({
  id: z.number().int().positive(),
  number: z.string(),
  /** Core statuses, or a plugin's own (kept as they are). */
  status: z.string(),
  currency: z.string().length(3),
  date_created_gmt: GmtDate,
  date_modified_gmt: GmtDate,
  total: MoneyString,
  /** 0 for guests. */
  customer_id: z.number().int().nonnegative(),
  billing: WooAddress,
  line_items: z.array(WooLineItem),
  /** Coupons applied to the order; absent from some plugins' payloads. */
  coupon_lines: z.array(z.looseObject({ code: z.string() })).optional(),
});
export type WooOrder = z.infer<typeof WooOrder>;

export const WooCustomer = z.looseObject({
  id: z.number().int().positive(),
  email: z.string(),
  first_name: z.string().default(""),
  last_name: z.string().default(""),
  date_created_gmt: GmtDate.nullish(),
  date_modified_gmt: GmtDate.nullish(),
  billing: WooAddress.nullish(),
});
export type WooCustomer = z.infer<typeof WooCustomer>;

/** What POST /coupons answers (the fields we keep). */
export const WooCoupon = z.looseObject({ id: z.number().int(), code: z.string(), amount: z.string(), discount_type: z.string() });
export type WooCoupon = z.infer<typeof WooCoupon>;

/** A webhook as GET/POST /webhooks answer it (`secret` is never read back). */
export const WooWebhook = z.looseObject({
  id: z.number().int(),
  status: z.string(),
  topic: z.string(),
  delivery_url: z.string(),
});
export type WooWebhook = z.infer<typeof WooWebhook>;

/** WordPress's REST error body: `{ code, message, data: { status } }`. */
export const WpRestError = z.looseObject({ code: z.string(), message: z.string() });

/** A product as GET /products lists it and product.* webhooks deliver it (the parts the catalogue keeps). */
export const WooProduct = z.looseObject({
  id: z.number().int().positive(),
  /** HTML-escaped, like line item names. */
  name: z.string(),
  permalink: z.string().nullish(),
  /** publish | draft | pending | private (| future | trash). */
  status: z.string(),
  /** visible | catalog | search | hidden. */
  catalog_visibility: z.string().nullish(),
  /** The current price, a decimal string; "" when none is set (a variable product without variations). */
  price: z.union([z.string(), z.number()]).nullish(),
  /** instock | outofstock | onbackorder. */
  stock_status: z.string().nullish(),
  date_modified_gmt: GmtDate.nullish(),
  date_created_gmt: GmtDate.nullish(),
  images: z.array(z.looseObject({ src: z.string().nullish() })).nullish(),
  categories: z.array(z.looseObject({ name: z.string() })).nullish(),
});
export type WooProduct = z.infer<typeof WooProduct>;

/** product.deleted: the id (the product went to the trash, or was deleted for good). */
export const WooDeletedProduct = z.looseObject({ id: z.number().int().positive() });
