// The nodes that act outside the database — discount codes, customer tags, outbound webhooks — and the inactivity
// trigger, through the worker on a manual clock: the demo store, the Shopify and WooCommerce emulators over real
// HTTP, and a local https server (a certificate made with openssl at test time) for webhooks.
import "@shopify/shopify-api/adapters/node";
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { Session } from "@shopify/shopify-api";
import { createStoreActionsFor } from "~/core/adapters/store-actions.server";
import { createShopifyAdmin } from "~/core/adapters/shopify/admin-client.server";
import { createSessionStorage } from "~/core/adapters/shopify/session-storage.server";
import { ManualClock } from "~/core/clock";
import { createSecretBox } from "~/core/crypto.server";
import type { CanonicalEvent } from "~/core/events";
import { silentLogger } from "~/core/logger.server";
import { messageContentOf, type StoredMessageContent } from "~/core/messaging/content.server";
import { TIMER_NODE } from "~/core/flows/inactivity.server";
import { enableBlueprint, importFlow } from "~/core/flows/manage.server";
import { workspaceWebhookSecret } from "~/core/flows/webhook.server";
import { postDemoEvents } from "~/core/workspaces/demo-store.server";
import { seedDemoWorkspace } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";
import { createWorker, type WorkerDeps } from "~/worker.server";
import { sessionTokenFor, startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { startWooCommerceEmulator, type WooCommerceEmulator } from "../emulators/woocommerce/server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { orderEvent } from "../support/events";
import { makeTestCertificate, type TestCertificate } from "../support/tls";

afterAll(dropAll);

const API_KEY = "nodes-test-key";
const API_SECRET = "nodes-test-secret";
const SHOP = "nodes-test.myshopify.com";
const secretBox = createSecretBox(randomBytes(32));

const email = (id: string, next: string | null = null, body = "{{ shop.name }}") => ({ id, type: "email", name: id, subject: `About ${id}`, html: `<p>${body}</p>`, text: body, next });
/** A message's own HTML and text, wherever they are stored (on the row, or once for the step: ADR 0035). */
async function contentOf(db: Db, message: StoredMessageContent): Promise<{ html: string; text: string }> {
  const content = await messageContentOf({ db }, message);
  if (!content) throw new Error(`message ${message.id} has no content`);
  return content;
}

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local https server answering with the statuses given in turn (the last one repeats). */
async function startHookServer(cert: TestCertificate, statuses: number[]): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ received: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

describe.each(databaseTargets())("action nodes and the inactivity trigger on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let shopify: ShopifyEmulator;
  let woo: WooCommerceEmulator;
  let cert: TestCertificate;
  let extraDeps: Partial<WorkerDeps> = {};

  const worker = (clock: ManualClock, deps: Partial<WorkerDeps> = {}) =>
    createWorker({ db, clock, logger: silentLogger, defaultFrom: "Shop <shop@example.com>", sender: null, ...extraDeps, ...deps });
  const post = (clock: ManualClock, ...events: CanonicalEvent[]) => postDemoEvents({ db, clock }, { workspaceId, events });
  const customerOf = (address: string) => db.customer.findFirstOrThrow({ where: { workspaceId, email: address } });
  const stepsOf = async (address: string) => {
    const person = await customerOf(address);
    const steps = await db.stepRun.findMany({ where: { workspaceId, enrollment: { customerId: person.id } }, orderBy: { ranAt: "asc" } });
    return steps.map((step) => ({ nodeId: step.nodeId, nodeType: step.nodeType, result: step.result as Record<string, unknown> | null }));
  };
  const enrollmentOf = async (address: string) => db.enrollment.findFirstOrThrow({ where: { workspaceId, customerId: (await customerOf(address)).id }, orderBy: { createdAt: "desc" } });
  const tracesOf = async (address: string, kind: string) =>
    (await db.enrollmentTrace.findMany({ where: { workspaceId, customerId: (await customerOf(address)).id, kind }, orderBy: { at: "asc" } })).map((row) => row.detail as Record<string, unknown>);

  /** Publishes a customer-keyed flow on order.add as the only live one (earlier tests' flows are paused). */
  async function publishOnly(name: string, definition: Record<string, unknown>, clock: ManualClock) {
    await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
    const full = { schemaVersion: 1, trigger: { type: "event", events: ["order.add"], entity: "customer" }, goal: null, rules: { consent: "transactional" }, ...definition };
    const result = await importFlow({ db, clock }, { workspaceId, name, definition: full, publish: true });
    return result;
  }

  /** An order that enrolls `address`; the flow's first node is a one-hour delay so the test can set the customer up. */
  async function enrollAfterOrder(clock: ManualClock, key: string, address: string) {
    await post(clock, orderEvent(key, address, clock.now().toISOString()));
    await worker(clock).tick();
    return customerOf(address);
  }

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ workspaceId } = await seedDemoWorkspace(db, { password: "flow-nodes-test-password", now: new Date("2026-03-01T00:00:00Z") }));
    cert = await makeTestCertificate(["localhost", "hooks.example.test", "127.0.0.1"]);

    // The Shopify emulator with an offline token for the shop, kept as the app keeps it (a session row).
    shopify = await startShopifyEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, scopes: "write_discounts,write_customers" });
    shopify.seedShop(SHOP, { currencyCode: "EUR" });
    const sessionToken = await sessionTokenFor({ apiKey: API_KEY, apiSecret: API_SECRET, shop: SHOP });
    const token = await fetch(`${shopify.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-shopify-shop-domain": SHOP },
      body: JSON.stringify({
        client_id: API_KEY,
        client_secret: API_SECRET,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: sessionToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      }),
    }).then((response) => response.json() as Promise<{ access_token: string; scope: string }>);
    const sessions = createSessionStorage(db);
    await sessions.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: token.access_token, scope: token.scope }));
    const shopifyAdmin = createShopifyAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: "https://nudgeflow.example.com", scopes: ["write_discounts", "write_customers"], adminApiOrigin: shopify.url }, sessions);

    woo = await startWooCommerceEmulator({ consumerKey: "ck_nodes", consumerSecret: "cs_nodes" });
    await db.store.createMany({
      data: [
        { workspaceId, platform: "shopify", domain: SHOP, name: "Nodes Shopify", currency: "EUR" },
        { workspaceId, platform: "woocommerce", domain: "woo.nodes.example", name: "Nodes Woo", currency: "USD", apiUrl: woo.url, credentials: secretBox.seal(JSON.stringify({ consumerKey: "ck_nodes", consumerSecret: "cs_nodes" })) },
      ],
    });
    extraDeps = {
      storeActionsFor: createStoreActionsFor({ secretBox: () => secretBox, shopifyAdmin }),
      // The runner gets the box for webhook secrets; sync stays off in these tests (stores are not synced here).
      webhooks: { ca: cert.cert, allowAddresses: ["127.0.0.1", "::1"] },
    };
  });
  afterAll(async () => {
    await shopify?.close();
    await woo?.close();
  });

  /** Gives the customer an account at a store (their identity there), so actions go to that store. */
  async function linkTo(platform: "shopify" | "woocommerce", customerId: string, externalId: string) {
    const store = await db.store.findFirstOrThrow({ where: { workspaceId, platform } });
    await db.customerIdentity.create({ data: { workspaceId, storeId: store.id, customerId, externalId } });
  }

  describe("create discount code", () => {
    const discountFlow = (prefix: string, extra: Record<string, unknown> = {}) => ({
      entry: "wait",
      nodes: [
        { id: "wait", type: "delay", duration: { hours: 1 }, next: "code" },
        { id: "code", type: "discount_code", prefix, kind: "percent", value: 15, expiresAfter: { days: 7 }, next: "offer", ...extra },
        email("offer", null, "Use {{ discount.code }} for {{ discount.value }} off until {{ discount.expires_at }}."),
      ],
    });

    it("demo store: a unique code per recipient, recorded in the step and written into the next email", async () => {
      const clock = new ManualClock("2026-03-02T15:00:00Z");
      await publishOnly("Discount on demo", discountFlow("THANKS"), clock);
      await post(clock, orderEvent("dc-1", "dc-a@example.com", clock.now().toISOString()), orderEvent("dc-2", "dc-b@example.com", clock.now().toISOString()));
      await worker(clock).tick();
      clock.advance({ hours: 1 });
      await worker(clock).tick();

      const [a, b] = [await stepsOf("dc-a@example.com"), await stepsOf("dc-b@example.com")];
      const codeA = a.find((step) => step.nodeId === "code")!.result!;
      const codeB = b.find((step) => step.nodeId === "code")!.result!;
      expect(codeA).toMatchObject({ code: expect.stringMatching(/^THANKS-[A-Z2-9]{8}$/), kind: "percent", value: 15, platform: "demo", attempts: 1, expiresAt: "2026-03-09T16:00:00.000Z" });
      expect(codeB.code).not.toBe(codeA.code);
      const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: "dc-a@example.com", nodeId: "offer" } });
      expect((await contentOf(db, message)).text).toBe(`Use ${String(codeA.code)} for 15% off until March 9, 2026.`);
    });

    it("Shopify: discountCodeBasicCreate for that customer, single use, ending when the code expires", async () => {
      const clock = new ManualClock("2026-03-03T15:00:00Z");
      await publishOnly("Discount on Shopify", discountFlow("SHOP", { kind: "fixed", value: 500, expiresAfter: { hours: 48 } }), clock);
      const customer = await enrollAfterOrder(clock, "dc-3", "dc-shopify@example.com");
      await linkTo("shopify", customer.id, "7001");
      clock.advance({ hours: 1 });
      await worker(clock).tick();

      const step = (await stepsOf("dc-shopify@example.com")).find((row) => row.nodeId === "code")!.result!;
      const discount = shopify.shops.get(SHOP)!.discounts.find((row) => row.code === step.code);
      expect(discount).toMatchObject({ customers: ["gid://shopify/Customer/7001"], usageLimit: 1, appliesOncePerCustomer: true, amount: "5.00", percentage: null, endsAt: "2026-03-05T16:00:00.000Z" });
      expect(step).toMatchObject({ platform: "shopify", externalId: discount!.id, display: "€5.00" });
      const message = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: "dc-shopify@example.com" } });
      expect((await contentOf(db, message)).text).toContain(String(step.code));
    });

    it("WooCommerce: a coupon restricted to the customer's email, usage limit 1, with an expiry date", async () => {
      const clock = new ManualClock("2026-03-04T15:00:00Z");
      await publishOnly("Discount on Woo", discountFlow("WOO"), clock);
      const customer = await enrollAfterOrder(clock, "dc-4", "dc-woo@example.com");
      await linkTo("woocommerce", customer.id, "55");
      clock.advance({ hours: 1 });
      await worker(clock).tick();

      const step = (await stepsOf("dc-woo@example.com")).find((row) => row.nodeId === "code")!.result!;
      const coupon = woo.coupons.find((row) => row.code === String(step.code).toLowerCase());
      expect(coupon).toMatchObject({ discount_type: "percent", amount: "15.00", usage_limit: 1, email_restrictions: ["dc-woo@example.com"], date_expires_gmt: "2026-03-11T16:00:00" });
      expect(step).toMatchObject({ platform: "woocommerce", externalId: String(coupon!.id) });
    });

    it("a store that cannot create codes: the failure is traced and the journey exits as the node says", async () => {
      const clock = new ManualClock("2026-03-05T15:00:00Z");
      await publishOnly("Discount or exit", discountFlow("NOPE", { onFailure: "exit" }), clock);
      const customer = await enrollAfterOrder(clock, "dc-5", "dc-fail@example.com");
      await linkTo("shopify", customer.id, "7002");
      clock.advance({ hours: 1 });
      // This process has no Shopify app credentials: the store cannot be acted on.
      await worker(clock, { storeActionsFor: createStoreActionsFor({ secretBox: () => secretBox, shopifyAdmin: null }) }).tick();

      const step = (await stepsOf("dc-fail@example.com")).find((row) => row.nodeId === "code")!.result!;
      expect(step.failed).toMatch(/cannot create codes in nodes-test\.myshopify\.com: this process has no Shopify app credentials/);
      expect(await enrollmentOf("dc-fail@example.com")).toMatchObject({ status: "exited", exitReason: 'discount_code "code" failed' });
      expect(await db.message.count({ where: { workspaceId, toEmail: "dc-fail@example.com" } })).toBe(0);
      expect(await tracesOf("dc-fail@example.com", "action")).toEqual([expect.objectContaining({ nodeId: "code", failed: step.failed })]);
    });
  });

  describe("tag customer", () => {
    it("Shopify: tagsAdd at the store, CustomerTag rows, and a tag segment sees the customer at once", async () => {
      const clock = new ManualClock("2026-03-06T15:00:00Z");
      const segment = await db.segment.create({ data: { workspaceId, name: "VIP tagged", rule: { kind: "group", match: "all", conditions: [{ kind: "tag", op: "has", value: "vip" }] }, status: "active" } });
      await publishOnly("Tag VIPs", {
        entry: "wait",
        nodes: [
          { id: "wait", type: "delay", duration: { hours: 1 }, next: "tag" },
          { id: "tag", type: "tag_customer", tags: ["vip", "winback-2026"], next: null },
        ],
      }, clock);
      const customer = await enrollAfterOrder(clock, "tg-1", "tag-shopify@example.com");
      await linkTo("shopify", customer.id, "7010");
      clock.advance({ hours: 1 });
      await worker(clock).tick();

      expect([...(shopify.shops.get(SHOP)!.customerTags.get("gid://shopify/Customer/7010") ?? [])]).toEqual(["vip", "winback-2026"]);
      expect((await db.customerTag.findMany({ where: { customerId: customer.id }, orderBy: { tag: "asc" } })).map((row) => row.tag)).toEqual(["vip", "winback-2026"]);
      expect(await db.segmentMembership.count({ where: { segmentId: segment.id, customerId: customer.id } })).toBe(1);
      expect((await stepsOf("tag-shopify@example.com")).find((row) => row.nodeId === "tag")!.result).toMatchObject({ action: "add", "store.shopify": "tagged" });
      await db.segment.update({ where: { id: segment.id }, data: { status: "archived" } });
    });

    it("WooCommerce has no customer tags: recorded as unsupported, our profile is still tagged; remove takes them off", async () => {
      const clock = new ManualClock("2026-03-07T15:00:00Z");
      await publishOnly("Tag on Woo", {
        entry: "wait",
        nodes: [
          { id: "wait", type: "delay", duration: { hours: 1 }, next: "tag" },
          { id: "tag", type: "tag_customer", tags: ["loyal", "temp"], next: "untag" },
          { id: "untag", type: "tag_customer", action: "remove", tags: ["temp"], next: null },
        ],
      }, clock);
      const customer = await enrollAfterOrder(clock, "tg-2", "tag-woo@example.com");
      await linkTo("woocommerce", customer.id, "56");
      clock.advance({ hours: 1 });
      await worker(clock).tick();

      const steps = await stepsOf("tag-woo@example.com");
      expect(steps.find((row) => row.nodeId === "tag")!.result).toMatchObject({ "store.woocommerce": "unsupported: WooCommerce has no customer tags in its core REST API" });
      expect((await db.customerTag.findMany({ where: { customerId: customer.id } })).map((row) => row.tag)).toEqual(["loyal"]);
    });
  });

  describe("outbound webhook", () => {
    const hookFlow = (url: string, extra: Record<string, unknown> = {}) => ({
      entry: "wait",
      nodes: [
        { id: "wait", type: "delay", duration: { hours: 1 }, next: "hook" },
        { id: "hook", type: "webhook", url, next: "after", ...extra },
        email("after"),
      ],
    });

    it("POSTs the documented body over https, signed with the workspace secret", async () => {
      const hook = await startHookServer(cert, [200]);
      try {
        const clock = new ManualClock("2026-03-08T15:00:00Z");
        await publishOnly("Webhook", hookFlow(`https://localhost:${hook.port}/nudgeflow?x=1`), clock);
        await enrollAfterOrder(clock, "wh-1", "hook@example.com");
        clock.advance({ hours: 1 });
        await worker(clock, { secretBox: () => secretBox }).tick();

        expect(hook.received).toHaveLength(1);
        const [request] = hook.received;
        const secret = await workspaceWebhookSecret(db, { workspaceId, secretBox });
        const signature = String(request.headers["x-nudgeflow-signature"]);
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
        expect(Number(t)).toBe(Date.parse("2026-03-08T16:00:00Z") / 1000);
        expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${request.body}`).digest("hex"));
        const body = JSON.parse(request.body);
        const enrollment = await enrollmentOf("hook@example.com");
        expect(body).toMatchObject({
          id: request.headers["x-nudgeflow-delivery"],
          type: "flow.webhook",
          workspaceId,
          flow: { nodeId: "hook", name: "Webhook" },
          enrollment: { id: enrollment.id, entryNumber: 1, entityType: "customer" },
          customer: { email: "hook@example.com", ordersCount: 1 },
          event: { type: "order.add" },
        });
        expect((await stepsOf("hook@example.com")).map((step) => step.nodeId)).toEqual(["wait", "hook", "after"]);
        expect((await stepsOf("hook@example.com"))[1].result).toMatchObject({ status: 200, attempts: 1 });
      } finally {
        hook.server.close();
      }
    });

    it("retries 503 and 429 with backoff on the enrollment's wake-up, then completes the step once", async () => {
      const hook = await startHookServer(cert, [503, 429, 204]);
      try {
        const clock = new ManualClock("2026-03-09T15:00:00Z");
        await publishOnly("Webhook retries", hookFlow(`https://localhost:${hook.port}/`), clock);
        await enrollAfterOrder(clock, "wh-2", "hook-retry@example.com");
        const run = () => worker(clock, { secretBox: () => secretBox }).tick();
        clock.advance({ hours: 1 });
        await run();
        expect(hook.received).toHaveLength(1);
        // Nothing happens before the backoff has passed…
        clock.advance({ seconds: 59 });
        await run();
        expect(hook.received).toHaveLength(1);
        clock.advance({ seconds: 1 });
        await run();
        expect(hook.received).toHaveLength(2);
        clock.advance({ minutes: 5 });
        await run();

        expect(hook.received).toHaveLength(3);
        // One delivery id for all attempts (the receiver's idempotency key), one StepRun, two traced failures.
        expect(new Set(hook.received.map((request) => request.headers["x-nudgeflow-delivery"])).size).toBe(1);
        const steps = (await stepsOf("hook-retry@example.com")).filter((step) => step.nodeId === "hook");
        expect(steps).toEqual([expect.objectContaining({ result: expect.objectContaining({ status: 204, attempts: 3 }) })]);
        expect((await tracesOf("hook-retry@example.com", "attempt")).map((detail) => [detail.attempt, detail.status])).toEqual([[1, 503], [2, 429]]);
        expect(await db.message.count({ where: { workspaceId, toEmail: "hook-retry@example.com" } })).toBe(1);
      } finally {
        hook.server.close();
      }
    });

    it("gives up after maxAttempts and goes on; a loopback address is refused without a request", async () => {
      const hook = await startHookServer(cert, [500]);
      try {
        const clock = new ManualClock("2026-03-10T15:00:00Z");
        await publishOnly("Webhook gives up", hookFlow(`https://localhost:${hook.port}/`, { maxAttempts: 2 }), clock);
        await enrollAfterOrder(clock, "wh-3", "hook-down@example.com");
        clock.advance({ hours: 1 });
        await worker(clock, { secretBox: () => secretBox }).tick();
        clock.advance({ minutes: 1 });
        await worker(clock, { secretBox: () => secretBox }).tick();
        expect(hook.received).toHaveLength(2);
        expect((await stepsOf("hook-down@example.com")).find((step) => step.nodeId === "hook")!.result).toMatchObject({ failed: expect.stringContaining("answered 500"), attempts: 2 });
        expect(await db.message.count({ where: { workspaceId, toEmail: "hook-down@example.com" } })).toBe(1);

        // The same server by its loopback address, with no allow-list: refused before connecting, and the node exits.
        const refusedClock = new ManualClock("2026-03-11T15:00:00Z");
        await publishOnly("Webhook to loopback", hookFlow(`https://127.0.0.1:${hook.port}/`, { onFailure: "exit" }), refusedClock);
        await enrollAfterOrder(refusedClock, "wh-4", "hook-loop@example.com");
        refusedClock.advance({ hours: 1 });
        await worker(refusedClock, { secretBox: () => secretBox, webhooks: { ca: cert.cert } }).tick();
        expect(hook.received).toHaveLength(2);
        expect((await stepsOf("hook-loop@example.com")).find((step) => step.nodeId === "hook")!.result).toMatchObject({ failed: "refused: 127.0.0.1 resolves to 127.0.0.1 is loopback", attempts: 1 });
        expect(await enrollmentOf("hook-loop@example.com")).toMatchObject({ status: "exited" });
      } finally {
        hook.server.close();
      }
    });
  });

  describe("inactivity trigger", () => {
    it("a per-customer timer: each order postpones it; it fires N days after the last order, then exits on order", async () => {
      const clock = new ManualClock("2026-04-01T12:00:00Z");
      await publishOnly("Win back after 30 days", {
        trigger: { type: "inactivity", days: 30 },
        goal: { event: "order.add", scope: "customer", label: "ordered again" },
        rules: { consent: "transactional", reentry: { mode: "after", days: 1 } },
        entry: "miss-you",
        nodes: [email("miss-you", "wait-7d"), { id: "wait-7d", type: "delay", duration: { days: 7 }, next: "stronger" }, email("stronger")],
      }, clock);

      // GIVEN an order on April 1st: the timer is armed for May 1st
      await post(clock, orderEvent("in-1", "sleepy@example.com", clock.now().toISOString()));
      await worker(clock).tick();
      expect(await enrollmentOf("sleepy@example.com")).toMatchObject({ status: "active", currentNodeId: TIMER_NODE, wakeAt: new Date("2026-05-01T12:00:00Z") });

      // WHEN another order comes on April 20th, the timer moves to May 20th
      clock.set(new Date("2026-04-20T09:00:00Z"));
      await post(clock, orderEvent("in-2", "sleepy@example.com", clock.now().toISOString()));
      await worker(clock).tick();
      expect(await enrollmentOf("sleepy@example.com")).toMatchObject({ currentNodeId: TIMER_NODE, wakeAt: new Date("2026-05-20T09:00:00Z") });
      clock.set(new Date("2026-05-20T08:59:00Z"));
      await worker(clock).tick();
      expect(await db.message.count({ where: { workspaceId, toEmail: "sleepy@example.com" } })).toBe(0);

      // THEN at the instant 30 days have passed the journey starts and the first email goes
      clock.set(new Date("2026-05-20T09:00:00Z"));
      await worker(clock).tick();
      const started = await enrollmentOf("sleepy@example.com");
      expect(started).toMatchObject({ status: "active", currentNodeId: "wait-7d", enteredAt: new Date("2026-05-20T09:00:00Z") });
      expect((await db.message.findMany({ where: { workspaceId, toEmail: "sleepy@example.com" } })).map((m) => m.nodeId)).toEqual(["miss-you"]);
      expect(await tracesOf("sleepy@example.com", "timer")).toEqual([
        expect.objectContaining({ reason: "armed", until: "2026-05-01T12:00:00.000Z" }),
        expect.objectContaining({ reason: "postponed by an order", until: "2026-05-20T09:00:00.000Z" }),
      ]);

      // AND an order during the journey exits it (the goal) and arms the next timer
      clock.advance({ days: 2 });
      await post(clock, orderEvent("in-3", "sleepy@example.com", clock.now().toISOString()));
      await worker(clock).tick();
      const rows = await db.enrollment.findMany({ where: { workspaceId, customerId: started.customerId, flowId: started.flowId }, orderBy: { entryNumber: "asc" } });
      expect(rows.map((row) => [row.entryNumber, row.status, row.currentNodeId])).toEqual([[1, "exited", "wait-7d"], [2, "active", TIMER_NODE]]);
      expect(rows[1].wakeAt).toEqual(new Date("2026-06-21T09:00:00Z"));
    });

    it("the win-back blueprint runs its timings: 90 days, +7 days with a personal code, +7 days a question", async () => {
      const clock = new ManualClock("2026-08-01T12:00:00Z");
      await db.flow.updateMany({ where: { workspaceId }, data: { status: "paused" } });
      await enableBlueprint({ db, clock }, { workspaceId, blueprintId: "win-back" });
      await post(clock, orderEvent("wb-1", "lapsed@example.com", clock.now().toISOString()));
      await worker(clock).tick();
      const sent = async () => (await db.message.findMany({ where: { workspaceId, toEmail: "lapsed@example.com" }, orderBy: { createdAt: "asc" } })).map((m) => m.nodeId);

      clock.advance({ days: 89 });
      await worker(clock).tick();
      expect(await sent()).toEqual([]);
      clock.advance({ days: 1 });
      await worker(clock).tick();
      expect(await sent()).toEqual(["email-miss-you"]);
      clock.advance({ days: 7 });
      await worker(clock).tick();
      expect(await sent()).toEqual(["email-miss-you", "email-offer"]);
      const code = (await stepsOf("lapsed@example.com")).find((step) => step.nodeId === "make-code")!.result!;
      expect(code).toMatchObject({ code: expect.stringMatching(/^COMEBACK-/), display: "15%" });
      const offer = await db.message.findFirstOrThrow({ where: { workspaceId, toEmail: "lapsed@example.com", nodeId: "email-offer" } });
      const content = await contentOf(db, offer);
      expect(content.html).toContain(String(code.code));
      expect(content.text).toContain(String(code.code));
      clock.advance({ days: 7 });
      await worker(clock).tick();
      expect(await sent()).toEqual(["email-miss-you", "email-offer", "email-survey"]);
      expect(await enrollmentOf("lapsed@example.com")).toMatchObject({ status: "completed" });
    });

    it("the trigger's conditions are checked when the timer runs out", async () => {
      const clock = new ManualClock("2026-07-01T12:00:00Z");
      await publishOnly("Win back big spenders", {
        trigger: { type: "inactivity", days: 10, conditions: [{ path: "customer.totalSpent", op: "gte", value: 100000 }] },
        entry: "miss-you",
        nodes: [email("miss-you")],
      }, clock);
      await post(clock, orderEvent("in-4", "small@example.com", clock.now().toISOString(), 4500));
      await worker(clock).tick();
      clock.advance({ days: 10 });
      await worker(clock).tick();
      expect(await enrollmentOf("small@example.com")).toMatchObject({ status: "exited", exitReason: "inactivity trigger: condition failed: customer.totalSpent gte 100000" });
      expect(await db.message.count({ where: { workspaceId, toEmail: "small@example.com" } })).toBe(0);
    });
  });
});
