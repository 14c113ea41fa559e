// A real HTTP server that answers what Nudgeflow asks of Shopify: the OAuth token endpoint (token exchange,
// refresh of expiring offline tokens, migration to expiring tokens) and the GraphQL Admin API operations of
// the app (NudgeflowShop, NudgeflowVariantDetails). It also delivers signed webhooks to the app like Shopify does.
//
// The app reaches it through SHOPIFY_ADMIN_API_ORIGIN: the request keeps Shopify's path and names the shop in
// `x-shopify-shop-domain` (the real host would be the shop itself).
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getHmac, getJwt, USER_ID } from "@shopify/shopify-api/test-helpers";
import { errors as joseErrors, jwtVerify } from "jose";
import { header, isRecord, listen, parseJson, readBody, sendJson } from "../http";
import { webPixelOperation, type EmulatedWebPixel } from "./web-pixels";

// Values the OAuth endpoint speaks (shopify-api 13.1 lib/auth/oauth/token-exchange.ts and refresh-token.ts).
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const REFRESH_GRANT = "refresh_token";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";

// Shopify: expiring offline tokens live 60 minutes; online tokens until the end of the user's day (~24 h).
// The refresh token's lifetime is not documented in what we could read; 90 days is an assumption.
const OFFLINE_TOKEN_SECONDS = 3600;
const ONLINE_TOKEN_SECONDS = 86_399;
const REFRESH_TOKEN_SECONDS = 90 * 24 * 3600;

// GraphQL Admin API rate limit of a standard plan: a 2000-point bucket refilled at 100 points a second.
const BUCKET_SIZE = 2000;
const RESTORE_RATE = 100;
const MAX_NODES = 250;

const INVALID_ACCESS_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export interface VariantDetails {
  /** The variant's own image, or null when it has none. */
  imageUrl: string | null;
  /** The product's featured image, or null when it has none. */
  productImageUrl: string | null;
  /** The product's type; absent answers "" as Shopify does for a product without one. */
  productType?: string;
}

export interface EmulatedShop {
  /** The myshopify domain, e.g. `nudge-test.myshopify.com`. */
  domain: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  /** Keyed by variant gid, e.g. `gid://shopify/ProductVariant/808950810`; unknown ids answer null. */
  variants: Map<string, VariantDetails>;
  /** Code discounts made with discountCodeBasicCreate, in order. */
  discounts: EmulatedDiscount[];
  /** The catalogue (NudgeflowProducts), keyed by product gid. */
  products: Map<string, EmulatedProduct>;
  /** `shop.billingAddress.formatted`: the address a line per entry; null when the shop has none. */
  billingAddress: string[] | null;
  /** Customer tags by customer gid (tagsAdd / tagsRemove). Customers are not otherwise modelled: any id is accepted. */
  customerTags: Map<string, Set<string>>;
  /** Customers with their email-marketing consent, by gid (seeded; customerEmailMarketingConsentUpdate changes it). */
  customers: Map<string, EmulatedCustomer>;
  /** Failures the next customerEmailMarketingConsentUpdate calls answer, in turn, before the mutation works again. */
  consentFailures: ("server_error" | "throttled")[];
  /** The published theme (NudgeflowMainThemeSettings); null: the shop has none. */
  mainTheme: EmulatedTheme | null;
  /** The app's web pixel on the shop (webPixelCreate/webPixelUpdate, web-pixels.ts); null: not activated. */
  webPixel: EmulatedWebPixel | null;
}

/** A theme as the themes/files query reads it; a test sets settingsData (null: the file does not exist). */
export interface EmulatedTheme {
  id: string;
  name: string;
  /** config/settings_data.json as the theme holds it (Shopify's files start with a /* … *\/ notice). */
  settingsData: string | null;
}

/** A customer's email-marketing consent as Shopify keeps it (CustomerEmailMarketingConsentState). */
export interface EmulatedCustomer {
  id: string;
  email: string | null;
  marketingState: "NOT_SUBSCRIBED" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED" | "REDACTED" | "INVALID";
  marketingOptInLevel: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN" | null;
  consentUpdatedAt: string | null;
}

/** A product as the emulator keeps it; answered in the Admin GraphQL shape, and as a REST webhook body by productWebhookBody. */
export interface EmulatedProduct {
  /** Numeric id or gid. */
  id: string | number;
  title: string;
  handle: string;
  productType?: string;
  /** ACTIVE | ARCHIVED | DRAFT. */
  status?: string;
  /** ISO time; null when unpublished from the online store (default: updatedAt). */
  publishedAt?: string | null;
  updatedAt: string;
  imageUrl?: string | null;
  /** The lowest variant price, a decimal string in the shop's currency. */
  price: string;
  /** Each variant's availableForSale; default one variant for sale. */
  variantsForSale?: boolean[];
}

export function productGid(id: string | number): string {
  const text = String(id);
  return text.startsWith("gid://") ? text : `gid://shopify/Product/${text}`;
}

/** The products/create|update webhook body (the REST resource) of an emulated product. */
export function productWebhookBody(product: EmulatedProduct): Record<string, unknown> {
  const gid = productGid(product.id);
  const numeric = Number(gid.slice(gid.lastIndexOf("/") + 1));
  return {
    id: numeric,
    admin_graphql_api_id: gid,
    title: product.title,
    handle: product.handle,
    product_type: product.productType ?? "",
    status: (product.status ?? "ACTIVE").toLowerCase(),
    published_at: product.publishedAt === undefined ? product.updatedAt : product.publishedAt,
    published_scope: "global",
    created_at: product.updatedAt,
    updated_at: product.updatedAt,
    vendor: "Emulated",
    tags: "",
    variants: (product.variantsForSale ?? [true]).map((forSale, index) => ({
      id: numeric * 10 + index,
      product_id: numeric,
      title: "Default Title",
      price: product.price,
      inventory_policy: "deny",
      inventory_management: "shopify",
      inventory_quantity: forSale ? 5 : 0,
    })),
    image: product.imageUrl ? { src: product.imageUrl } : null,
    images: product.imageUrl ? [{ src: product.imageUrl }] : [],
  };
}

/** A basic code discount as the emulator recorded it (the mutation's input, with its id). */
export interface EmulatedDiscount {
  id: string;
  title: string;
  code: string;
  startsAt: string;
  endsAt: string | null;
  /** Customer gids it is limited to; null for all customers. */
  customers: string[] | null;
  percentage: number | null;
  amount: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
}

export interface ShopSeed {
  name?: string;
  email?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  /** Keyed by numeric variant id or by gid. */
  variants?: Record<string, VariantDetails>;
  products?: EmulatedProduct[];
  billingAddress?: string[] | null;
  /** Keyed by numeric customer id or by gid. */
  customers?: Record<string, { email: string | null; marketingState?: EmulatedCustomer["marketingState"] }>;
}

export interface IssuedToken {
  shop: string;
  accessToken: string;
  mode: "offline" | "online";
  scope: string;
  /** Epoch milliseconds; null for a non-expiring offline token. */
  expiresAt: number | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: number | null;
  /** The session token's `sub` for online tokens. */
  userId: string | null;
  /** Replaced by a refresh or a migration, or revoked by a test. */
  revoked: boolean;
}

export interface TokenRequest {
  shop: string | undefined;
  grantType: string | undefined;
  subjectTokenType: string | undefined;
  requestedTokenType: string | undefined;
  expiring: string | undefined;
  status: number;
  /** The OAuth error code answered, if any. */
  error: string | undefined;
}

export interface GraphqlRequest {
  shop: string | undefined;
  apiVersion: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  status: number;
}

export interface DeliverWebhookArgs {
  /** The app's origin, e.g. `http://127.0.0.1:3000`. */
  appUrl: string;
  path?: string;
  /** e.g. `orders/create` */
  topic: string;
  shop: string;
  /** An object is sent as JSON; a string is sent as is (and signed as is). */
  body: unknown;
  webhookId?: string;
  eventId?: string;
  apiVersion?: string;
  triggeredAt?: string;
  /** Sent instead of the real signature, to forge a delivery. */
  hmac?: string;
}

export interface WebhookDelivery {
  status: number;
  text: string;
  webhookId: string;
  eventId: string;
}

export interface ShopifyEmulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** The scopes granted on install, comma separated (match the app's SCOPES). */
  scopes?: string;
  /** Time source in epoch milliseconds for token expiry, JWT checks and the rate-limit bucket. */
  now?: () => number;
}

export interface ShopifyEmulator {
  url: string;
  close(): Promise<void>;
  /** Per-shop state by myshopify domain. A shop is created with defaults on its first token exchange. */
  shops: Map<string, EmulatedShop>;
  /** Creates or updates a shop's state. */
  seedShop(domain: string, seed?: ShopSeed): EmulatedShop;
  /** Every token issued, in order. */
  tokens: IssuedToken[];
  tokenRequests: TokenRequest[];
  graphqlRequests: GraphqlRequest[];
  /** Makes the shop's access tokens expire now (refresh tokens stay valid), to exercise the refresh path. */
  expireAccessTokens(shop: string): void;
  /** Revokes every token of the shop, like an uninstall. */
  revokeTokens(shop: string): void;
  deliverWebhook(args: DeliverWebhookArgs): Promise<WebhookDelivery>;
}

export function variantGid(id: string | number): string {
  const text = String(id);
  return text.startsWith("gid://") ? text : `gid://shopify/ProductVariant/${text}`;
}

/** Mints a session token (App Bridge's ID token) the way Shopify does, with the library's own test helper. */
export async function sessionTokenFor(args: {
  apiKey: string;
  apiSecret: string;
  shop: string;
  userId?: string | number;
}): Promise<string> {
  const { token } = await getJwt(args.shop.replace(/\.myshopify\.com$/, ""), args.apiKey, args.apiSecret, {
    // getJwt appends .myshopify.com to a store name; setting dest and iss keeps any shop domain exact.
    iss: `https://${args.shop}/admin`,
    dest: `https://${args.shop}`,
    sub: String(args.userId ?? USER_ID),
    jti: randomUUID(),
    sid: randomUUID(),
  });
  return token;
}

export async function startShopifyEmulator(options: ShopifyEmulatorOptions): Promise<ShopifyEmulator> {
  const { apiKey, apiSecret } = options;
  const scopes = options.scopes ?? "read_products";
  const now = options.now ?? Date.now;
  const secretKey = new TextEncoder().encode(apiSecret);

  const shops = new Map<string, EmulatedShop>();
  const tokens: IssuedToken[] = [];
  const tokenRequests: TokenRequest[] = [];
  const graphqlRequests: GraphqlRequest[] = [];
  const buckets = new Map<string, { available: number; at: number }>();

  function seedShop(domain: string, seed: ShopSeed = {}): EmulatedShop {
    const shop = shops.get(domain) ?? defaultShop(domain);
    if (seed.name !== undefined) shop.name = seed.name;
    if (seed.email !== undefined) shop.email = seed.email;
    if (seed.currencyCode !== undefined) shop.currencyCode = seed.currencyCode;
    if (seed.ianaTimezone !== undefined) shop.ianaTimezone = seed.ianaTimezone;
    for (const [id, details] of Object.entries(seed.variants ?? {})) shop.variants.set(variantGid(id), details);
    for (const product of seed.products ?? []) shop.products.set(productGid(product.id), product);
    if (seed.billingAddress !== undefined) shop.billingAddress = seed.billingAddress;
    for (const [id, customer] of Object.entries(seed.customers ?? {})) {
      const gid = id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`;
      shop.customers.set(gid, { id: gid, email: customer.email, marketingState: customer.marketingState ?? "NOT_SUBSCRIBED", marketingOptInLevel: null, consentUpdatedAt: null });
    }
    shops.set(domain, shop);
    return shop;
  }

  function liveToken(shop: string, accessToken: string | undefined): IssuedToken | undefined {
    const token = tokens.find((t) => t.accessToken === accessToken);
    if (!token || token.shop !== shop || token.revoked) return undefined;
    if (token.expiresAt !== null && token.expiresAt <= now()) return undefined;
    return token;
  }

  function issueOffline(shop: string, expiring: boolean): IssuedToken {
    const token: IssuedToken = {
      shop,
      accessToken: `shpat_${randomBytes(16).toString("hex")}`,
      mode: "offline",
      scope: scopes,
      expiresAt: expiring ? now() + OFFLINE_TOKEN_SECONDS * 1000 : null,
      refreshToken: expiring ? `shprt_${randomBytes(16).toString("hex")}` : null,
      refreshTokenExpiresAt: expiring ? now() + REFRESH_TOKEN_SECONDS * 1000 : null,
      userId: null,
      revoked: false,
    };
    tokens.push(token);
    return token;
  }

  function issueOnline(shop: string, userId: string): IssuedToken {
    const token: IssuedToken = {
      shop,
      accessToken: `shpua_${randomBytes(16).toString("hex")}`,
      mode: "online",
      scope: scopes,
      expiresAt: now() + ONLINE_TOKEN_SECONDS * 1000,
      refreshToken: null,
      refreshTokenExpiresAt: null,
      userId,
      revoked: false,
    };
    tokens.push(token);
    return token;
  }

  /** The JSON shopify-api's createSession reads: offline fields, or online fields with associated_user. */
  function tokenResponse(token: IssuedToken): Record<string, unknown> {
    const secondsLeft = (at: number) => Math.round((at - now()) / 1000);
    if (token.mode === "online") {
      const shop = shops.get(token.shop);
      return {
        access_token: token.accessToken,
        scope: token.scope,
        expires_in: token.expiresAt === null ? ONLINE_TOKEN_SECONDS : secondsLeft(token.expiresAt),
        associated_user_scope: token.scope,
        associated_user: {
          id: Number(token.userId),
          first_name: "Emulated",
          last_name: "Merchant",
          email: shop?.email ?? `owner@${token.shop}`,
          email_verified: true,
          account_owner: true,
          locale: "en",
          collaborator: false,
        },
      };
    }
    return {
      access_token: token.accessToken,
      scope: token.scope,
      ...(token.expiresAt !== null && { expires_in: secondsLeft(token.expiresAt) }),
      ...(token.refreshToken !== null &&
        token.refreshTokenExpiresAt !== null && {
          refresh_token: token.refreshToken,
          refresh_token_expires_in: secondsLeft(token.refreshTokenExpiresAt),
        }),
    };
  }

  /** Checks a session token like Shopify: signature, lifetime, audience, and that it names this shop. */
  async function verifySessionToken(
    jwt: string,
    shop: string,
  ): Promise<{ ok: true; userId: string | undefined } | { ok: false; problem: string }> {
    try {
      const { payload } = await jwtVerify(jwt, secretKey, {
        algorithms: ["HS256"],
        audience: apiKey,
        clockTolerance: 10,
        currentDate: new Date(now()),
      });
      const dest = typeof payload.dest === "string" ? safeHostname(payload.dest) : null;
      if (dest !== shop) return { ok: false, problem: `the session token is for ${dest ?? "no shop"}, not ${shop}` };
      return { ok: true, userId: payload.sub };
    } catch (error) {
      const problem = error instanceof joseErrors.JOSEError ? error.message : String(error);
      return { ok: false, problem: `the session token is invalid: ${problem}` };
    }
  }

  async function handleToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const shop = shopOf(request);
    const params = parseParams(header(request, "content-type"), await readBody(request));
    const entry: TokenRequest = {
      shop,
      grantType: params.grant_type,
      subjectTokenType: params.subject_token_type,
      requestedTokenType: params.requested_token_type,
      expiring: params.expiring,
      status: 0,
      error: undefined,
    };
    tokenRequests.push(entry);
    const reply = (status: number, body: Record<string, unknown>) => {
      entry.status = status;
      entry.error = typeof body.error === "string" ? body.error : undefined;
      sendJson(response, status, body);
    };
    const fail = (status: number, error: string, description: string) =>
      reply(status, { error, error_description: description });

    if (!shop) return fail(400, "invalid_request", "the emulator needs the shop in x-shopify-shop-domain");
    if (params.client_id !== apiKey || params.client_secret !== apiSecret) {
      return fail(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret");
    }

    if (params.grant_type === REFRESH_GRANT) {
      // Refresh tokens rotate: the old access and refresh tokens stop working once the new pair is issued.
      const current = tokens.find((t) => t.refreshToken !== null && t.refreshToken === params.refresh_token);
      if (
        !current ||
        current.shop !== shop ||
        current.revoked ||
        current.refreshTokenExpiresAt === null ||
        current.refreshTokenExpiresAt <= now()
      ) {
        // The answer Shopify was seen giving for a spent refresh token (community.shopify.dev, 2026).
        return fail(401, "invalid_request", "This request requires an active refresh_token");
      }
      current.revoked = true;
      return reply(200, tokenResponse(issueOffline(shop, true)));
    }

    if (params.grant_type !== TOKEN_EXCHANGE_GRANT) {
      return fail(400, "unsupported_grant_type", `grant_type ${params.grant_type ?? "(missing)"} is not supported`);
    }
    if (!params.subject_token) return fail(400, "missing_subject_token", "subject_token is required");
    const requested = params.requested_token_type;
    if (requested !== OFFLINE_TOKEN_TYPE && requested !== ONLINE_TOKEN_TYPE) {
      return fail(400, "invalid_request", `requested_token_type ${requested ?? "(missing)"} is not supported`);
    }

    if (params.subject_token_type === OFFLINE_TOKEN_TYPE) {
      // Migration of a non-expiring offline token to an expiring one (shopify-api migrateToExpiringToken).
      const old = liveToken(shop, params.subject_token);
      if (!old || old.mode !== "offline" || old.expiresAt !== null || requested !== OFFLINE_TOKEN_TYPE) {
        return fail(400, "invalid_subject_token", "the subject token is not a live non-expiring offline token");
      }
      old.revoked = true;
      return reply(200, tokenResponse(issueOffline(shop, true)));
    }
    if (params.subject_token_type !== ID_TOKEN_TYPE) {
      return fail(400, "invalid_request", `subject_token_type ${params.subject_token_type ?? "(missing)"} is not supported`);
    }

    const verified = await verifySessionToken(params.subject_token, shop);
    if (!verified.ok) return fail(400, "invalid_subject_token", verified.problem);
    if (!shops.has(shop)) seedShop(shop); // the merchant installed the app (Shopify-managed install)

    if (requested === ONLINE_TOKEN_TYPE) {
      return reply(200, tokenResponse(issueOnline(shop, verified.userId ?? String(USER_ID))));
    }
    return reply(200, tokenResponse(issueOffline(shop, params.expiring === "1")));
  }

  /** Spends `cost` points from the shop's bucket after refilling it for the time passed. */
  function spend(shop: string, requested: number, actual: number): Record<string, unknown> {
    const bucket = buckets.get(shop) ?? { available: BUCKET_SIZE, at: now() };
    const refilled = Math.min(BUCKET_SIZE, bucket.available + ((now() - bucket.at) / 1000) * RESTORE_RATE);
    const available = Math.max(0, refilled - actual);
    buckets.set(shop, { available, at: now() });
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: BUCKET_SIZE,
        currentlyAvailable: Math.floor(available),
        restoreRate: RESTORE_RATE,
      },
    };
  }

  async function handleGraphql(
    request: IncomingMessage,
    response: ServerResponse,
    apiVersion: string,
  ): Promise<void> {
    const shop = shopOf(request);
    const body = parseJson(await readBody(request));
    const query = isRecord(body) && typeof body.query === "string" ? body.query : undefined;
    const variables = isRecord(body) && isRecord(body.variables) ? body.variables : {};
    const operationName =
      isRecord(body) && typeof body.operationName === "string" ? body.operationName : operationNameOf(query);
    const entry: GraphqlRequest = { shop, apiVersion, operationName, variables, status: 0 };
    graphqlRequests.push(entry);
    const reply = (status: number, payload: unknown) => {
      entry.status = status;
      sendJson(response, status, payload, { "X-Shopify-API-Version": apiVersion });
    };

    const token = shop ? liveToken(shop, header(request, "x-shopify-access-token")) : undefined;
    const state = shop ? shops.get(shop) : undefined;
    if (!shop || !token || !state) return reply(401, { errors: INVALID_ACCESS_TOKEN });
    if (query === undefined) return reply(400, { errors: { query: "Required parameter missing or invalid" } });

    switch (operationName) {
      case "NudgeflowShop":
        return reply(200, {
          data: {
            shop: {
              name: state.name,
              email: state.email,
              currencyCode: state.currencyCode,
              ianaTimezone: state.ianaTimezone,
              myshopifyDomain: state.domain,
              billingAddress: { formatted: state.billingAddress ?? [] },
            },
          },
          extensions: { cost: spend(shop, 1, 1) },
        });
      case "NudgeflowVariantDetails": {
        const ids = variables.ids;
        if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === "string")) {
          return reply(200, {
            errors: [
              {
                message: "Variable $ids of type [ID!]! was provided invalid value",
                extensions: { value: ids ?? null, problems: [{ path: [], explanation: "Expected a list of IDs" }] },
              },
            ],
          });
        }
        const malformed = ids.find((id) => !/^gid:\/\/shopify\/\w+\/\d+$/.test(id));
        if (malformed !== undefined) {
          return reply(200, {
            errors: [{ message: `Invalid global id '${malformed}'`, path: ["nodes"], extensions: { code: "argumentLiteralsIncompatible" } }],
          });
        }
        if (ids.length > MAX_NODES) {
          return reply(200, { errors: [{ message: `The number of ids cannot exceed ${MAX_NODES}`, path: ["nodes"] }] });
        }
        const nodes = ids.map((id) => {
          const details = state.variants.get(id);
          if (!details) return null;
          return {
            id,
            image: details.imageUrl === null ? null : { url: details.imageUrl },
            product: {
              productType: details.productType ?? "",
              featuredImage: details.productImageUrl === null ? null : { url: details.productImageUrl },
            },
          };
        });
        // Each object costs a point: the variant, its image, its product and the product's image.
        const actual = nodes.reduce((sum, node) => sum + (node ? 2 + (node.image ? 1 : 0) + (node.product.featuredImage ? 1 : 0) : 0), 0);
        return reply(200, { data: { nodes }, extensions: { cost: spend(shop, Math.max(1, ids.length * 4), Math.max(1, actual)) } });
      }
      case "NudgeflowProducts": {
        // products(first, after, query, sortKey: UPDATED_AT): of the search syntax only `updated_at:>'ISO'`;
        // cursors are opaque (here: the offset, base64).
        const first = typeof variables.first === "number" ? variables.first : NaN;
        if (!Number.isInteger(first) || first < 1 || first > MAX_NODES) {
          return reply(200, { errors: [{ message: `first must be between 1 and ${MAX_NODES}`, path: ["products"] }] });
        }
        const filter = typeof variables.query === "string" ? /^updated_at:>'([^']+)'$/.exec(variables.query) : null;
        if (typeof variables.query === "string" && !filter) {
          return reply(200, { errors: [{ message: `The emulator only understands updated_at:>'…' queries, not ${variables.query}` }] });
        }
        const since = filter ? Date.parse(filter[1]) : null;
        const all = [...state.products.values()]
          .filter((product) => since === null || Date.parse(product.updatedAt) > since)
          .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || productGid(a.id).localeCompare(productGid(b.id)));
        const offset = typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64").toString()) : 0;
        const page = all.slice(offset, offset + first);
        const nodes = page.map((product) => ({
          id: productGid(product.id),
          title: product.title,
          handle: product.handle,
          productType: product.productType ?? "",
          status: product.status ?? "ACTIVE",
          publishedAt: product.publishedAt === undefined ? product.updatedAt : product.publishedAt,
          updatedAt: product.updatedAt,
          totalInventory: (product.variantsForSale ?? [true]).filter(Boolean).length * 5,
          tracksInventory: true,
          featuredMedia: product.imageUrl ? { preview: { image: { url: product.imageUrl } } } : null,
          priceRangeV2: { minVariantPrice: { amount: product.price, currencyCode: state.currencyCode } },
          variants: { nodes: (product.variantsForSale ?? [true]).map((availableForSale) => ({ availableForSale })) },
        }));
        const end = offset + page.length;
        return reply(200, {
          data: { products: { pageInfo: { hasNextPage: end < all.length, endCursor: page.length ? Buffer.from(String(end)).toString("base64") : null }, nodes } },
          extensions: { cost: spend(shop, first * 13, Math.max(1, page.length * 3)) },
        });
      }
      case "NudgeflowDiscountCreate": {
        // discountCodeBasicCreate(basicCodeDiscount: DiscountCodeBasicInput!): the fields Shopify requires on
        // create (title, code, startsAt, context or the deprecated customerSelection, customerGets), codes unique
        // per shop (case-insensitively), answered as DiscountCodeBasicCreatePayload.
        const input = isRecord(variables.basicCodeDiscount) ? variables.basicCodeDiscount : null;
        const userError = (field: string[], code: string, message: string) =>
          reply(200, { data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field, code, message }] } }, extensions: { cost: spend(shop, 10, 10) } });
        if (!input) {
          return reply(200, { errors: [{ message: "Variable $basicCodeDiscount of type DiscountCodeBasicInput! was provided invalid value" }] });
        }
        const code = typeof input.code === "string" ? input.code : "";
        if (!code) return userError(["basicCodeDiscount", "code"], "BLANK", "Code can't be blank");
        if (typeof input.title !== "string" || !input.title) return userError(["basicCodeDiscount", "title"], "BLANK", "Title can't be blank");
        if (typeof input.startsAt !== "string") return userError(["basicCodeDiscount", "startsAt"], "BLANK", "Starts at can't be blank");
        if (state.discounts.some((discount) => discount.code.toLowerCase() === code.toLowerCase())) {
          return userError(["basicCodeDiscount", "code"], "TAKEN", "Code must be unique. Please try a different code.");
        }
        const selection = isRecord(input.context) ? input.context : isRecord(input.customerSelection) ? input.customerSelection : null;
        if (!selection) return userError(["basicCodeDiscount", "context"], "BLANK", "Context can't be blank");
        const customers = isRecord(selection.customers) && Array.isArray(selection.customers.add) ? selection.customers.add.map(String) : null;
        if (!customers && selection.all !== true) return userError(["basicCodeDiscount", "context"], "INVALID", "Context must select customers");
        const gets = isRecord(input.customerGets) && isRecord(input.customerGets.value) ? input.customerGets.value : null;
        const percentage = gets && typeof gets.percentage === "number" ? gets.percentage : null;
        const amount = gets && isRecord(gets.discountAmount) && typeof gets.discountAmount.amount === "string" ? gets.discountAmount.amount : null;
        if (percentage === null && amount === null) return userError(["basicCodeDiscount", "customerGets", "value"], "BLANK", "Value can't be blank");
        if (percentage !== null && (percentage <= 0 || percentage > 1)) {
          return userError(["basicCodeDiscount", "customerGets", "value", "percentage"], "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0");
        }
        const endsAt = typeof input.endsAt === "string" ? input.endsAt : null;
        if (endsAt && Date.parse(endsAt) <= Date.parse(input.startsAt)) {
          return userError(["basicCodeDiscount", "endsAt"], "INVALID", "Ends at needs to be after starts_at");
        }
        const discount: EmulatedDiscount = {
          id: `gid://shopify/DiscountCodeNode/${1000 + state.discounts.length + 1}`,
          title: input.title,
          code,
          startsAt: input.startsAt,
          endsAt,
          customers,
          percentage,
          amount,
          usageLimit: typeof input.usageLimit === "number" ? input.usageLimit : null,
          appliesOncePerCustomer: input.appliesOncePerCustomer === true,
        };
        state.discounts.push(discount);
        return reply(200, {
          data: {
            discountCodeBasicCreate: {
              codeDiscountNode: { id: discount.id, codeDiscount: { endsAt: discount.endsAt, usageLimit: discount.usageLimit, codes: { nodes: [{ code }] } } },
              userErrors: [],
            },
          },
          extensions: { cost: spend(shop, 10, 10) },
        });
      }
      case "NudgeflowMainThemeSettings": {
        const answer = mainThemeSettingsAnswer(state, token.scope);
        return reply(answer.status, answer.payload);
      }
      case "NudgeflowWebPixelCreate":
      case "NudgeflowWebPixelUpdate":
      case "NudgeflowWebPixel":
        return reply(200, { ...(webPixelOperation({ operationName, variables, shop: state, grantedScopes: token.scope }) ?? {}), extensions: { cost: spend(shop, 10, 10) } });
      case "NudgeflowTagsAdd":
      case "NudgeflowTagsRemove": {
        const mutation = operationName === "NudgeflowTagsAdd" ? "tagsAdd" : "tagsRemove";
        const id = typeof variables.id === "string" ? variables.id : "";
        const tags = Array.isArray(variables.tags) ? variables.tags.map(String) : [];
        if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(id)) {
          return reply(200, { data: { [mutation]: { node: null, userErrors: [{ field: ["id"], message: "Invalid global id" }] } }, extensions: { cost: spend(shop, 10, 10) } });
        }
        const current = state.customerTags.get(id) ?? new Set<string>();
        for (const tag of tags) {
          if (mutation === "tagsAdd") current.add(tag.trim());
          else current.delete(tag.trim());
        }
        state.customerTags.set(id, current);
        return reply(200, { data: { [mutation]: { node: { id }, userErrors: [] } }, extensions: { cost: spend(shop, 10, 10) } });
      }
      case "NudgeflowEmailConsentUpdate": {
        // customerEmailMarketingConsentUpdate(input: CustomerEmailMarketingConsentUpdateInput!): input accepts
        // SUBSCRIBED, UNSUBSCRIBED and PENDING; the customer must exist and have an email address.
        const failure = state.consentFailures.shift();
        if (failure === "server_error") return reply(500, { errors: "Internal Server Error" });
        if (failure === "throttled") {
          return reply(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }], extensions: { cost: spend(shop, 10, 0) } });
        }
        const input = isRecord(variables.input) ? variables.input : null;
        const consent = input && isRecord(input.emailMarketingConsent) ? input.emailMarketingConsent : null;
        const userError = (field: string[], code: string, message: string) =>
          reply(200, { data: { customerEmailMarketingConsentUpdate: { customer: null, userErrors: [{ field, code, message }] } }, extensions: { cost: spend(shop, 10, 10) } });
        if (!input || !consent) {
          return reply(200, { errors: [{ message: "Variable $input of type CustomerEmailMarketingConsentUpdateInput! was provided invalid value" }] });
        }
        const customer = typeof input.customerId === "string" ? state.customers.get(input.customerId) : undefined;
        if (!customer) return userError(["input", "customerId"], "INVALID", "Customer does not exist");
        if (!customer.email) return userError(["input", "customerId"], "INVALID", "Customer must have an email address");
        const marketingState = consent.marketingState;
        if (marketingState !== "SUBSCRIBED" && marketingState !== "UNSUBSCRIBED" && marketingState !== "PENDING") {
          return userError(["input", "emailMarketingConsent", "marketingState"], "INCLUSION", "Marketing state is not included in the list");
        }
        const level = consent.marketingOptInLevel;
        if (level !== undefined && level !== null && level !== "SINGLE_OPT_IN" && level !== "CONFIRMED_OPT_IN" && level !== "UNKNOWN") {
          return userError(["input", "emailMarketingConsent", "marketingOptInLevel"], "INCLUSION", "Marketing opt in level is not included in the list");
        }
        customer.marketingState = marketingState;
        customer.marketingOptInLevel = level ?? customer.marketingOptInLevel;
        customer.consentUpdatedAt = typeof consent.consentUpdatedAt === "string" ? consent.consentUpdatedAt : new Date(now()).toISOString();
        return reply(200, { data: { customerEmailMarketingConsentUpdate: { customer: { id: customer.id }, userErrors: [] } }, extensions: { cost: spend(shop, 10, 10) } });
      }
      default:
        return reply(200, {
          errors: [
            {
              message: `The Shopify emulator does not implement the operation ${operationName ?? "(anonymous)"}`,
              extensions: { code: "UNKNOWN_OPERATION" },
            },
          ],
        });
    }
  }

  const server = await listen(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://emulator").pathname;
    if (request.method === "POST" && path === "/admin/oauth/access_token") return handleToken(request, response);
    const graphql = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path);
    if (request.method === "POST" && graphql) return handleGraphql(request, response, graphql[1]);
    sendJson(response, 404, { errors: "Not Found" });
  });

  async function deliverWebhook(args: DeliverWebhookArgs): Promise<WebhookDelivery> {
    const raw = typeof args.body === "string" ? args.body : JSON.stringify(args.body);
    const webhookId = args.webhookId ?? randomUUID();
    const eventId = args.eventId ?? randomUUID();
    const response = await fetch(new URL(args.path ?? "/webhooks/shopify", args.appUrl), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": args.topic,
        "X-Shopify-Hmac-Sha256": args.hmac ?? getHmac(raw, apiSecret),
        "X-Shopify-Shop-Domain": args.shop,
        "X-Shopify-API-Version": args.apiVersion ?? "2025-10",
        "X-Shopify-Webhook-Id": webhookId,
        "X-Shopify-Event-Id": eventId,
        "X-Shopify-Triggered-At": args.triggeredAt ?? shopifyTimestamp(now()),
      },
      body: raw,
    });
    return { status: response.status, text: await response.text(), webhookId, eventId };
  }

  return {
    url: server.url,
    close: server.close,
    shops,
    seedShop,
    tokens,
    tokenRequests,
    graphqlRequests,
    expireAccessTokens(shop) {
      for (const token of tokens) if (token.shop === shop && token.expiresAt !== null) token.expiresAt = now();
    },
    revokeTokens(shop) {
      for (const token of tokens) if (token.shop === shop) token.revoked = true;
    },
    deliverWebhook,
  };
}

function defaultShop(domain: string): EmulatedShop {
  const handle = domain.replace(/\.myshopify\.com$/, "");
  return {
    domain,
    name: handle.replace(/[-_]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase()),
    email: `owner@${domain}`,
    currencyCode: "USD",
    ianaTimezone: "America/New_York",
    variants: new Map(),
    discounts: [],
    products: new Map(),
    billingAddress: null,
    customerTags: new Map(),
    customers: new Map(),
    consentFailures: [],
    mainTheme: { id: "gid://shopify/OnlineStoreTheme/140000000001", name: "Dawn", settingsData: DEFAULT_SETTINGS_DATA },
    webPixel: null,
  };
}

const DEFAULT_SETTINGS_DATA = `/*
 * IMPORTANT: The contents of this file are auto-generated.
 */
{"current":{"sections":{},"content_for_index":[]}}`;

/** themes(first: 1, roles: [MAIN]) { nodes { id name files(filenames: ["config/settings_data.json"]) … } } (needs read_themes). */
function mainThemeSettingsAnswer(state: EmulatedShop, grantedScope: string): { status: number; payload: unknown } {
  if (!grantedScope.split(",").includes("read_themes")) {
    return { status: 200, payload: { errors: [{ message: "Access denied for themes field. Required access: `read_themes` access scope.", extensions: { code: "ACCESS_DENIED" } }] } };
  }
  const theme = state.mainTheme;
  const files = theme?.settingsData == null ? [] : [{ filename: "config/settings_data.json", body: { __typename: "OnlineStoreThemeFileBodyText", content: theme.settingsData } }];
  return { status: 200, payload: { data: { themes: { nodes: theme ? [{ id: theme.id, name: theme.name, files: { nodes: files } }] : [] } } } };
}

/** The `customers_email_marketing_consent/update` webhook Shopify sends after a customer's consent changed. */
export function emailConsentWebhook(customer: EmulatedCustomer): Record<string, unknown> {
  return {
    customer_id: Number(customer.id.slice(customer.id.lastIndexOf("/") + 1)),
    email_address: customer.email,
    email_marketing_consent: {
      state: customer.marketingState.toLowerCase(),
      opt_in_level: customer.marketingOptInLevel?.toLowerCase() ?? null,
      consent_updated_at: customer.consentUpdatedAt,
    },
  };
}

/** The shop a request is for: the contract's header, or the host when a request really went to the shop. */
function shopOf(request: IncomingMessage): string | undefined {
  const named = header(request, "x-shopify-shop-domain");
  if (named) return named.toLowerCase();
  const host = header(request, "host")?.toLowerCase();
  return host?.endsWith(".myshopify.com") ? host : undefined;
}

/** Token requests are JSON from shopify-api; Shopify also takes form posts. Only string values count. */
function parseParams(contentType: string | undefined, text: string): Record<string, string | undefined> {
  if (contentType?.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  const json = parseJson(text);
  const params: Record<string, string> = {};
  if (isRecord(json)) for (const [key, value] of Object.entries(json)) if (typeof value === "string") params[key] = value;
  return params;
}

function safeHostname(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** The admin GraphQL client sends only `query` and `variables`: the name comes from the document. */
function operationNameOf(query: string | undefined): string | null {
  const match = query ? /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query) : null;
  return match ? match[1] : null;
}

/** Shopify's format for X-Shopify-Triggered-At, e.g. `2025-07-10T16:15:47.000000Z`. */
function shopifyTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
