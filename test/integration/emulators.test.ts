// The emulators speak the real protocols: Shopify's and SendGrid's own client libraries talk to them over real
// HTTP, and signatures are checked independently with node:crypto.
import "@shopify/shopify-api/adapters/node";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { ApiVersion, LogSeverity, RequestedTokenType, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { SHOP_QUERY } from "~/core/adapters/shopify/admin-client.server";
import { startSendGridEmulator, type SendGridEmulator } from "../emulators/sendgrid/server";
import { sessionTokenFor, startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

const API_KEY = "nudgeflow-test-key";
const API_SECRET = "nudgeflow-test-secret";
const SCOPES = "read_customers,read_orders,read_products";
const SHOP = "nudge-test.myshopify.com";
const API_VERSION = ApiVersion.October25;

describe("Shopify emulator", () => {
  let shopify: ShopifyEmulator;
  const api = shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    apiVersion: API_VERSION,
    hostName: "nudgeflow.example.com",
    isEmbeddedApp: true,
    scopes: SCOPES.split(","),
    logger: { level: LogSeverity.Error },
  });

  beforeAll(async () => {
    shopify = await startShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, scopes: SCOPES });
    shopify.seedShop(SHOP, {
      name: "Nudge Test",
      email: "owner@nudge.test",
      currencyCode: "EUR",
      ianaTimezone: "Europe/Berlin",
      variants: {
        "808950810": { imageUrl: "https://cdn.example.com/variant.png", productImageUrl: "https://cdn.example.com/product.png", productType: "Music Players" },
      },
    });
    // What SHOPIFY_ADMIN_API_ORIGIN does in the app: keep the path, move the shop's host into a header.
    setAbstractFetchFunc(async (input, init) => {
      const request = new Request(input, init);
      const original = new URL(request.url);
      const headers = new Headers(request.headers);
      headers.set("x-shopify-shop-domain", original.host);
      return fetch(new URL(original.pathname + original.search, shopify.url), {
        method: request.method,
        headers,
        body: await request.text(),
      });
    });
  });
  afterAll(() => shopify.close());

  async function offlineSession() {
    const sessionToken = await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP });
    const { session } = await api.auth.tokenExchange({
      shop: SHOP,
      sessionToken,
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
      expiring: true,
    });
    return session;
  }

  function postToken(body: Record<string, string>) {
    return fetch(`${shopify.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-shopify-shop-domain": SHOP },
      body: JSON.stringify(body),
    });
  }

  function postGraphql(query: string, accessToken?: string) {
    return fetch(`${shopify.url}/admin/api/${API_VERSION}/graphql.json`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "x-shopify-shop-domain": SHOP,
        ...(accessToken && { "X-Shopify-Access-Token": accessToken }),
      },
      body: JSON.stringify({ query }),
    });
  }

  it("exchanges a valid session token for an expiring offline token that shopify-api turns into a session", async () => {
    // GIVEN a session token App Bridge would send for the shop
    // WHEN shopify-api exchanges it for an expiring offline token
    const session = await offlineSession();

    // THEN the library builds a complete offline session from the answer
    expect(session.id).toBe(`offline_${SHOP}`);
    expect(session.isOnline).toBe(false);
    expect(session.scope).toBe(SCOPES);
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(session.refreshToken).toMatch(/^shprt_/);
    expect(session.expires!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(session.refreshTokenExpires!.getTime()).toBeGreaterThan(session.expires!.getTime());
    expect(shopify.tokenRequests.at(-1)).toMatchObject({ shop: SHOP, status: 200, expiring: "1" });
  });

  it("issues an online token carrying the session token's user", async () => {
    // GIVEN a session token for user 42
    const sessionToken = await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP, userId: 42 });

    // WHEN shopify-api asks for an online token
    const { session } = await api.auth.tokenExchange({
      shop: SHOP,
      sessionToken,
      requestedTokenType: RequestedTokenType.OnlineAccessToken,
    });

    // THEN the session is online, for that user
    expect(session.isOnline).toBe(true);
    expect(session.id).toBe(`${SHOP}_42`);
    expect(session.onlineAccessInfo?.associated_user.id).toBe(42);
  });

  it("refuses a forged session token, a token for another shop and wrong client credentials", async () => {
    // GIVEN session tokens signed with the wrong secret and for another shop
    const forged = await sessionTokenFor({ apiKey: API_KEY, apiSecret: "not-the-secret", shop: SHOP });
    const otherShop = await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: "other.myshopify.com" });
    const exchange = (subjectToken: string, clientSecret = API_SECRET) =>
      postToken({
        client_id: API_KEY,
        client_secret: clientSecret,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: subjectToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        expiring: "1",
      });

    // WHEN they are exchanged
    const responses = [await exchange(forged), await exchange(otherShop)];
    const wrongClient = await exchange(await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP }), "wrong");

    // THEN Shopify's invalid_subject_token answer comes back (what shopify-app-remix turns into a retry)
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_subject_token" });
    }
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: "invalid_client" });
  });

  it("refreshes an expiring offline token and retires the old pair", async () => {
    // GIVEN an offline session whose access token has expired
    const session = await offlineSession();
    shopify.expireAccessTokens(SHOP);
    expect((await postGraphql("query NudgeflowShop { shop { name } }", session.accessToken)).status).toBe(401);

    // WHEN shopify-api refreshes it
    const { session: refreshed } = await api.auth.refreshToken({ shop: SHOP, refreshToken: session.refreshToken! });

    // THEN the new token works, and the old refresh token is spent
    expect(refreshed.accessToken).not.toBe(session.accessToken);
    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
    expect((await postGraphql("query NudgeflowShop { shop { name } }", refreshed.accessToken)).status).toBe(200);
    const reuse = await postToken({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "refresh_token",
      refresh_token: session.refreshToken!,
    });
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ error: "invalid_request" });
  });

  it("answers the app's GraphQL operations from the seeded shop, with Shopify's cost extension", async () => {
    // GIVEN an offline session and the library's GraphQL client
    const client = new api.clients.Graphql({ session: await offlineSession() });

    // WHEN the app's two operations run
    const shop = await client.request(SHOP_QUERY);
    const images = await client.request(
      `#graphql
      query NudgeflowVariantDetails($ids: [ID!]!) { nodes(ids: $ids) { ... on ProductVariant { id image { url } product { productType featuredImage { url } } } } }`,
      { variables: { ids: ["gid://shopify/ProductVariant/808950810", "gid://shopify/ProductVariant/1"] } },
    );

    // THEN the data is the seeded shop's, unknown variants are null, and the requests are recorded
    expect(shop.data).toEqual({
      shop: {
        name: "Nudge Test",
        email: "owner@nudge.test",
        currencyCode: "EUR",
        ianaTimezone: "Europe/Berlin",
        myshopifyDomain: SHOP,
        billingAddress: { formatted: [] },
      },
    });
    expect(images.data).toEqual({
      nodes: [
        {
          id: "gid://shopify/ProductVariant/808950810",
          image: { url: "https://cdn.example.com/variant.png" },
          product: { productType: "Music Players", featuredImage: { url: "https://cdn.example.com/product.png" } },
        },
        null,
      ],
    });
    expect(images.extensions).toMatchObject({
      cost: {
        requestedQueryCost: expect.any(Number),
        actualQueryCost: expect.any(Number),
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
      },
    });
    expect(shopify.graphqlRequests.slice(-2)).toMatchObject([
      { shop: SHOP, operationName: "NudgeflowShop", status: 200 },
      { shop: SHOP, operationName: "NudgeflowVariantDetails", variables: { ids: expect.any(Array) }, status: 200 },
    ]);
  });

  it("answers 401 without a valid access token and a GraphQL error for an unknown operation", async () => {
    // GIVEN no token, a made-up token and a real one
    const { accessToken } = await offlineSession();

    // WHEN GraphQL is called with each
    const missing = await postGraphql("query NudgeflowShop { shop { name } }");
    const madeUp = await postGraphql("query NudgeflowShop { shop { name } }", "shpat_made_up");
    const unknown = await postGraphql("query SomethingElse { shop { id } }", accessToken);

    // THEN Shopify's answers come back
    for (const response of [missing, madeUp]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ errors: [{ message: expect.stringContaining("SomethingElse") }] });
  });

  it("delivers webhooks signed with the app secret, or with a forged signature on request", async () => {
    // GIVEN a receiver that keeps the raw body and headers of what it gets
    const received: { body: string; headers: IncomingHttpHeaders }[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: request.headers });
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    if (address === null || typeof address === "string") throw new Error("expected a TCP address");
    const appUrl = `http://127.0.0.1:${address.port}`;
    const signedBy = (secret: string, body: string) => createHmac("sha256", secret).update(body, "utf8").digest("base64");
    const verifies = (given: string, body: string) => {
      const expected = Buffer.from(signedBy(API_SECRET, body));
      return given.length === expected.length && timingSafeEqual(Buffer.from(given), expected);
    };

    try {
      // WHEN a genuine and a forged delivery are made
      const genuine = await shopify.deliverWebhook({ appUrl, topic: "orders/create", shop: SHOP, body: { id: 1, total_price: "9.90" } });
      const forged = await shopify.deliverWebhook({ appUrl, topic: "orders/create", shop: SHOP, body: '{"id":2}', hmac: "Zm9yZ2Vk" });

      // THEN the genuine one verifies with the secret, carries Shopify's headers; the forged one does not verify
      expect(genuine).toMatchObject({ status: 200, text: "ok" });
      const [first, second] = received;
      expect(first.body).toBe('{"id":1,"total_price":"9.90"}');
      expect(verifies(String(first.headers["x-shopify-hmac-sha256"]), first.body)).toBe(true);
      expect(first.headers).toMatchObject({
        "content-type": "application/json",
        "x-shopify-topic": "orders/create",
        "x-shopify-shop-domain": SHOP,
        "x-shopify-api-version": "2025-10",
        "x-shopify-webhook-id": genuine.webhookId,
        "x-shopify-event-id": genuine.eventId,
        "x-shopify-triggered-at": expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      });
      expect(forged.webhookId).not.toBe(genuine.webhookId);
      expect(second.headers["x-shopify-hmac-sha256"]).toBe("Zm9yZ2Vk");
      expect(verifies("Zm9yZ2Vk", second.body)).toBe(false);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe("SendGrid emulator", () => {
  const SENDGRID_KEY = "SG.test-key";
  let sendgrid: SendGridEmulator;
  beforeAll(async () => {
    sendgrid = await startSendGridEmulator({ apiKey: SENDGRID_KEY });
  });
  afterAll(() => sendgrid.close());

  /** A mailer with its own client: setApiKey resets the base URL, so the emulator's URL goes in after it. */
  function mailer(apiKey = SENDGRID_KEY) {
    const client = new Client();
    client.setApiKey(apiKey);
    client.setDefaultRequest("baseUrl", sendgrid.url);
    const mail = new MailService();
    mail.setClient(client);
    return mail;
  }

  it("accepts a valid mail with 202 and an X-Message-Id, and records it", async () => {
    // GIVEN a complete mail
    // WHEN @sendgrid/mail sends it
    const [response] = await mailer().send({
      to: { email: "shopper@example.com", name: "Shopper" },
      from: { email: "hello@nudge.test", name: "Nudge Test" },
      subject: "You left something behind",
      text: "Your cart is waiting.",
      html: "<p>Your cart is waiting.</p>",
      customArgs: { nudgeflow_message_id: "msg_1" },
    });

    // THEN SendGrid's answer comes back and the emulator holds the snake_case body
    expect(response.statusCode).toBe(202);
    const message = sendgrid.messages.at(-1)!;
    expect(response.headers["x-message-id"]).toBe(message.id);
    expect(message.body).toMatchObject({
      personalizations: [{ to: [{ email: "shopper@example.com", name: "Shopper" }] }],
      from: { email: "hello@nudge.test", name: "Nudge Test" },
      subject: "You left something behind",
      content: [
        { type: "text/plain", value: "Your cart is waiting." },
        { type: "text/html", value: "<p>Your cart is waiting.</p>" },
      ],
      custom_args: { nudgeflow_message_id: "msg_1" },
    });
  });

  it("rejects an invalid mail with 400 and SendGrid's field errors", async () => {
    // GIVEN a mail with a bad recipient, no subject and HTML before text
    const count = sendgrid.messages.length;

    // WHEN it is sent
    const sending = mailer().send({
      to: "not-an-address",
      from: "hello@nudge.test",
      content: [
        { type: "text/html", value: "<p>Hi</p>" },
        { type: "text/plain", value: "Hi" },
      ],
    });

    // THEN each failing field is reported and nothing is recorded
    await expect(sending).rejects.toMatchObject({
      code: 400,
      response: {
        body: {
          errors: expect.arrayContaining([
            expect.objectContaining({ field: "personalizations.0.to.0.email", message: "Does not contain a valid address." }),
            expect.objectContaining({ field: "subject" }),
            expect.objectContaining({ field: "content", message: expect.stringContaining("text/plain needs to be first") }),
          ]),
        },
      },
    });
    expect(sendgrid.messages).toHaveLength(count);
  });

  it("answers 401 for a wrong API key", async () => {
    // GIVEN a mailer with another key
    // WHEN it sends
    const sending = mailer("SG.wrong").send({ to: "a@example.com", from: "b@example.com", subject: "s", text: "t" });

    // THEN SendGrid's 401 comes back
    await expect(sending).rejects.toMatchObject({
      code: 401,
      response: { body: { errors: [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null }] } },
    });
  });

  it("fails the next requests on demand, then accepts again", async () => {
    // GIVEN two injected 429s
    sendgrid.failNext(429, 2, { retryAfterSeconds: 3 });
    const send = () => mailer().send({ to: "a@example.com", from: "b@example.com", subject: "s", text: "t" });

    // WHEN three sends are made
    const first = send();
    await expect(first).rejects.toMatchObject({ code: 429, response: { headers: { "retry-after": "3" } } });
    await expect(send()).rejects.toMatchObject({ code: 429 });
    const [third] = await send();

    // THEN the third goes through
    expect(third.statusCode).toBe(202);
    expect(sendgrid.requests.slice(-3).map((r) => r.status)).toEqual([429, 429, 202]);
  });
});

describe.each(databaseTargets())("test database on %s", (_name, createUrl) => {
  afterAll(dropAll);

  it("is migrated and empty", async () => {
    // GIVEN a fresh database
    const db = openDb(await createUrl());

    // WHEN the workspaces are counted
    const count = await db.workspace.count();

    // THEN there are none
    expect(count).toBe(0);
  });
});
