// Inbox rows from the storefront endpoints (source "storefront") → canonical events. These rows are the same whatever
// platform the store runs on (the generic snippet serves WooCommerce, BigCommerce, Magento, custom carts and headless
// Shopify; the web pixel serves Shopify), so they are mapped here rather than by the store's platform adapter.
import { z } from "zod";
import type { Delivery, MappingResult, StoreContext } from "~/core/adapters/adapter";
import { mapped, parsePayload, requiredDate } from "~/core/adapters/mapping";
import { cartUpdateFromCapture, StorefrontCaptureBody } from "./capture";
import { PixelDelivery, pixelToCanonical } from "./pixel";

/** The inbox source of rows the storefront endpoints store. */
export const STOREFRONT_SOURCE = "storefront";
export const STOREFRONT_CAPTURE_TOPIC = "storefront/capture";
export const STOREFRONT_PIXEL_TOPIC = "storefront/pixel";

/** A capture's inbox payload: the parsed body and when we received it (the snippet's clock is not trusted). */
export const StorefrontCaptureDelivery = z.object({ capturedAt: z.iso.datetime({ offset: true }), capture: StorefrontCaptureBody });
export type StorefrontCaptureDelivery = z.infer<typeof StorefrontCaptureDelivery>;

export function storefrontToCanonical(delivery: Delivery, store: StoreContext): MappingResult {
  switch (delivery.topic) {
    case STOREFRONT_CAPTURE_TOPIC:
      return mapped(() => {
        const { capture, capturedAt } = parsePayload(StorefrontCaptureDelivery, delivery.payload);
        // No platform vouches for a logged-in customer here: the typed email is the only identity.
        return [cartUpdateFromCapture({ capture, customerExternalId: null, capturedAt: requiredDate(capturedAt, "capturedAt"), storeCurrency: store.currency })];
      });
    case STOREFRONT_PIXEL_TOPIC:
      return mapped(() => pixelToCanonical(parsePayload(PixelDelivery, delivery.payload), store.currency));
    default:
      return { ok: false, error: `unsupported storefront topic "${delivery.topic}"` };
  }
}
