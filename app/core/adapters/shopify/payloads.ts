// The parts of Shopify's webhook payloads (API 2025-10 and later) that Nudgeflow reads. Unknown keys are
// ignored; a missing or mistyped key we rely on fails the parse with the field's path.
// Ids: Shopify ids may exceed 2^53, which JSON.parse rounds, so the string `admin_graphql_api_id` wins when given.
import { z } from "zod";

const Id = z.union([z.number(), z.string()]);
const DecimalString = z.union([z.string(), z.number()]);
const Nullable = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null);

/** The parts of a Shopify address a profile keeps: ISO country code, province code, city. */
export const ShopifyAddress = z.object({
  country_code: Nullable(z.string()),
  province_code: Nullable(z.string()),
  city: Nullable(z.string()),
});
export type ShopifyAddress = z.infer<typeof ShopifyAddress>;

export const ShopifyCustomer = z.object({
  id: Id,
  admin_graphql_api_id: z.string().optional(),
  email: Nullable(z.string()),
  first_name: Nullable(z.string()),
  last_name: Nullable(z.string()),
  phone: Nullable(z.string()),
  created_at: Nullable(z.string()),
  updated_at: Nullable(z.string()),
  email_marketing_consent: Nullable(z.object({ state: Nullable(z.string()) })),
  /** "vip, newsletter" (absent from the 2026-07 samples; older versions and some shops' payloads carry it). */
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  default_address: Nullable(ShopifyAddress),
});
export type ShopifyCustomer = z.infer<typeof ShopifyCustomer>;

export const ShopifyLineItem = z.object({
  product_id: Nullable(Id),
  variant_id: Nullable(Id),
  sku: Nullable(z.string()),
  title: z.string(),
  variant_title: Nullable(z.string()),
  quantity: z.number().int(),
  price: DecimalString,
  /** Not in order or checkout webhooks (a product field); read when a payload does carry it. */
  product_type: Nullable(z.string()),
});
export type ShopifyLineItem = z.infer<typeof ShopifyLineItem>;

export const ShopifyCart = z.object({
  token: z.string().min(1),
  line_items: z.array(
    ShopifyLineItem.extend({
      price_set: Nullable(z.object({ presentment_money: z.object({ currency_code: z.string() }) })),
    }),
  ),
  created_at: z.string(),
  updated_at: z.string(),
});

export const ShopifyCheckout = z.object({
  token: z.string().min(1),
  cart_token: Nullable(z.string()),
  email: Nullable(z.string()),
  buyer_accepts_marketing: Nullable(z.boolean()),
  customer: Nullable(ShopifyCustomer),
  currency: z.string().length(3),
  total_price: DecimalString,
  subtotal_price: DecimalString,
  line_items: z.array(ShopifyLineItem),
  abandoned_checkout_url: Nullable(z.string()),
  billing_address: Nullable(ShopifyAddress),
  shipping_address: Nullable(ShopifyAddress),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: Nullable(z.string()),
});

export const ShopifyOrder = z.object({
  id: Id,
  admin_graphql_api_id: z.string().optional(),
  name: Nullable(z.string()),
  email: Nullable(z.string()),
  contact_email: Nullable(z.string()),
  buyer_accepts_marketing: Nullable(z.boolean()),
  checkout_token: Nullable(z.string()),
  cart_token: Nullable(z.string()),
  customer: Nullable(ShopifyCustomer),
  currency: z.string().length(3),
  total_price: DecimalString,
  line_items: z.array(ShopifyLineItem),
  financial_status: Nullable(z.string()),
  /** Codes the buyer entered (`[{ code, amount, type }]`); absent in older payloads. */
  discount_codes: Nullable(z.array(z.looseObject({ code: z.string() }))),
  billing_address: Nullable(ShopifyAddress),
  shipping_address: Nullable(ShopifyAddress),
  created_at: z.string(),
  processed_at: Nullable(z.string()),
  cancelled_at: Nullable(z.string()),
  updated_at: Nullable(z.string()),
});

export const ShopifyFulfillment = z.object({
  id: Id,
  admin_graphql_api_id: z.string().optional(),
  order_id: Id,
  status: Nullable(z.string()),
  /** The carrier's word once the parcel moves: in_transit, out_for_delivery, delivered, failure… (null before). */
  shipment_status: Nullable(z.string()),
  email: Nullable(z.string()),
  tracking_url: Nullable(z.string()),
  created_at: z.string(),
  updated_at: Nullable(z.string()),
});

/** customers/delete: the id and little else. */
export const ShopifyDeletedCustomer = z.object({
  id: Id,
  admin_graphql_api_id: z.string().optional(),
});

/** customers_email_marketing_consent/update: note `customer_id` and `email_address`, not `id` and `email`. */
export const ShopifyEmailConsent = z.object({
  customer_id: Id,
  email_address: Nullable(z.string()),
  email_marketing_consent: z.object({
    state: Nullable(z.string()),
    opt_in_level: Nullable(z.string()),
    consent_updated_at: Nullable(z.string()),
  }),
});

export const ShopifyPrivacyCustomer = z.object({
  customer: z.object({ id: Nullable(Id), email: Nullable(z.string()) }),
  data_request: Nullable(z.object({ id: Id })),
});

/** products/create and products/update: the REST product resource (the parts the catalogue keeps). */
export const ShopifyProduct = z.object({
  id: Id,
  admin_graphql_api_id: z.string().optional(),
  title: z.string(),
  handle: Nullable(z.string()),
  product_type: Nullable(z.string()),
  /** active | archived | draft (older payloads may lack it: then the publication alone decides). */
  status: Nullable(z.string()),
  /** Null while the product is not published to the online store. */
  published_at: Nullable(z.string()),
  updated_at: z.string(),
  image: Nullable(z.object({ src: Nullable(z.string()) })),
  images: z.array(z.object({ src: Nullable(z.string()) })).nullish(),
  variants: z
    .array(
      z.object({
        price: DecimalString,
        inventory_quantity: Nullable(z.number()),
        /** deny | continue (sell when out of stock). */
        inventory_policy: Nullable(z.string()),
        /** "shopify" when stock is tracked; null when it is not (absent from newer payloads: not said). */
        inventory_management: z.string().nullish(),
      }),
    )
    .default([]),
});
export type ShopifyProduct = z.infer<typeof ShopifyProduct>;

/** products/delete: the id alone. */
export const ShopifyDeletedProduct = z.object({ id: Id });

/** A product as the sync reads it through the Admin GraphQL API (NudgeflowProducts). */
export const ShopifyGraphqlProduct = z.object({
  id: z.string().min(1),
  title: z.string(),
  handle: z.string(),
  productType: Nullable(z.string()),
  /** ACTIVE | ARCHIVED | DRAFT (| UNLISTED). */
  status: z.string(),
  publishedAt: Nullable(z.string()),
  updatedAt: z.string(),
  totalInventory: Nullable(z.number()),
  tracksInventory: Nullable(z.boolean()),
  featuredMedia: Nullable(z.object({ preview: Nullable(z.object({ image: Nullable(z.object({ url: z.string() })) })) })),
  priceRangeV2: Nullable(z.object({ minVariantPrice: z.object({ amount: DecimalString, currencyCode: z.string() }) })),
  variants: Nullable(z.object({ nodes: z.array(z.object({ availableForSale: z.boolean() })) })),
});
export type ShopifyGraphqlProduct = z.infer<typeof ShopifyGraphqlProduct>;
