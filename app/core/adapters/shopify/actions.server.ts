// What flows ask of a Shopify shop, through the Admin GraphQL API (the offline session, token refresh and
// SHOPIFY_ADMIN_API_ORIGIN routing of admin-client.server.ts): unique discount codes, customer tags and
// email-marketing consent (the write-back of unsubscribes, ADR 0028).
import { minorUnitDigits } from "~/core/money";
import type { ActionResult, StoreActions } from "../adapter";
import { ShopifyNotConnectedError, type ShopifyAdmin } from "./admin-client.server";

const DISCOUNT_CREATE = `mutation NudgeflowDiscountCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { endsAt usageLimit codes(first: 1) { nodes { code } } } } }
    userErrors { field code message }
  }
}`;

const TAGS_ADD = `mutation NudgeflowTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

const TAGS_REMOVE = `mutation NudgeflowTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

// Marketing consent cannot be set with customerUpdate; this mutation is Shopify's way (input accepts SUBSCRIBED,
// UNSUBSCRIBED and PENDING). Only the customer's id is asked back: the consent fields moved between API versions.
const EMAIL_CONSENT_UPDATE = `mutation NudgeflowEmailConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) { customer { id } userErrors { field code message } }
}`;

interface EmailConsentData {
  customerEmailMarketingConsentUpdate: { customer: { id: string } | null; userErrors: UserError[] };
}

interface UserError {
  field: string[] | null;
  code?: string | null;
  message: string;
}

interface DiscountCreateData {
  discountCodeBasicCreate: {
    codeDiscountNode: { id: string; codeDiscount: { codes?: { nodes: { code: string }[] } } } | null;
    userErrors: UserError[];
  };
}

interface TagsData {
  [mutation: string]: { node: { id: string } | null; userErrors: UserError[] };
}

function customerGid(externalId: string): string {
  return externalId.startsWith("gid://") ? externalId : `gid://shopify/Customer/${externalId}`;
}

function decimal(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** Thrown errors are the network, the session or GraphQL-level errors: worth another try, except a missing session. */
function thrown(error: unknown): ActionResult<never> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ShopifyNotConnectedError) return { ok: false, error: `the shop is not connected: ${message}` };
  return { ok: false, retryable: true, error: message };
}

function describeUserErrors(errors: UserError[]): string {
  return errors.map((error) => `${error.field?.join(".") ?? "(input)"}: ${error.message}`).join("; ");
}

export function shopifyActions(admin: ShopifyAdmin, shop: string, options: { currency: string }): StoreActions {
  return {
    async createDiscountCode(input) {
      const value =
        input.kind === "percent"
          ? { percentage: input.value / 100 }
          : { discountAmount: { amount: decimal(input.value, options.currency), appliesOnEachItem: false } };
      const customers = input.customerExternalId ? { customers: { add: [customerGid(input.customerExternalId)] } } : { all: true };
      try {
        const data = await admin.graphql<DiscountCreateData>(shop, DISCOUNT_CREATE, {
          basicCodeDiscount: {
            title: input.title ?? input.code,
            code: input.code,
            startsAt: input.startsAt ?? new Date().toISOString(),
            endsAt: input.expiresAt ?? null,
            context: customers,
            customerGets: { value, items: { all: true } },
            appliesOncePerCustomer: true,
            usageLimit: input.usageLimit ?? 1,
          },
        });
        const result = data.discountCodeBasicCreate;
        if (result.userErrors.length > 0) {
          const taken = result.userErrors.some((error) => error.code === "TAKEN");
          const error = `Shopify refused the discount: ${describeUserErrors(result.userErrors)}`;
          return taken ? { ok: false, conflict: true, error } : { ok: false, error };
        }
        if (!result.codeDiscountNode) return { ok: false, error: "Shopify answered without the discount" };
        const code = result.codeDiscountNode.codeDiscount.codes?.nodes[0]?.code ?? input.code;
        return { ok: true, value: { code, externalId: result.codeDiscountNode.id } };
      } catch (error) {
        return thrown(error);
      }
    },
    async tagCustomer(input) {
      const mutation = input.remove ? "tagsRemove" : "tagsAdd";
      try {
        const data = await admin.graphql<TagsData>(shop, input.remove ? TAGS_REMOVE : TAGS_ADD, { id: customerGid(input.customerExternalId), tags: input.tags });
        const result = data[mutation];
        if (result.userErrors.length > 0) return { ok: false, error: `Shopify refused the tags: ${describeUserErrors(result.userErrors)}` };
        return { ok: true, value: null };
      } catch (error) {
        return thrown(error);
      }
    },
    async updateMarketingConsent(input) {
      if (!input.customerExternalId) {
        return { ok: false, error: "Shopify changes consent by customer id, and no Shopify customer id is known for this address at the store" };
      }
      try {
        const data = await admin.graphql<EmailConsentData>(shop, EMAIL_CONSENT_UPDATE, {
          input: {
            customerId: customerGid(input.customerExternalId),
            emailMarketingConsent: input.subscribed
              ? // A resubscribe from our preference page is one confirmation, no double opt-in email.
                { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: input.changedAt }
              : { marketingState: "UNSUBSCRIBED", consentUpdatedAt: input.changedAt },
          },
        });
        const result = data.customerEmailMarketingConsentUpdate;
        if (result.userErrors.length > 0) {
          const error = `Shopify refused the consent change: ${describeUserErrors(result.userErrors)}`;
          // INTERNAL_ERROR is Shopify's own passing failure; the others (INVALID, INCLUSION …) will not change.
          return result.userErrors.some((userError) => userError.code === "INTERNAL_ERROR") ? { ok: false, retryable: true, error } : { ok: false, error };
        }
        if (!result.customer) return { ok: false, error: "Shopify answered without the customer" };
        return { ok: true, value: null };
      } catch (error) {
        const failure = thrown(error);
        return failure.ok ? failure : { ...failure, error: `the consent change did not reach Shopify: ${failure.error}` };
      }
    },
  };
}
