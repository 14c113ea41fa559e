// The Shopify topics beyond the walking skeleton, end to end over real signed webhooks: the real app server, the
// Shopify emulator, the worker in this process. customers_email_marketing_consent/update flips acceptsMarketing
// (both ways, newest change wins); orders/paid and orders/cancelled update the order and the customer's metrics;
// fulfillments/update marks a shipment delivered; customers/delete unlinks the store's identity and keeps the
// profile (which a later customers/redact naming only the id still finds). A delivery replayed, or sent again under
// a new webhook id, changes nothing. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at one.
import { fixture } from "../fixtures";
import { databaseTargets, dropAll } from "../support/databases";
import { startShopifyAppHarness, type ShopifyAppHarness } from "../support/shopify-app";

afterAll(dropAll);

const CUSTOMER_ID = 5_001;
const EMAIL = "ann@example.com";
const customer = {
  ...fixture("shopify", "customers_create"),
  id: CUSTOMER_ID,
  admin_graphql_api_id: `gid://shopify/Customer/${CUSTOMER_ID}`,
  email: EMAIL,
  first_name: "Ann",
  last_name: "Buyer",
  phone: null,
  default_address: null,
  created_at: "2026-01-10T09:00:00Z",
  updated_at: "2026-01-10T09:00:00Z",
};

function order(id: number, overrides: Record<string, unknown> = {}) {
  return {
    ...fixture("shopify", "orders_create"),
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: EMAIL,
    contact_email: EMAIL,
    customer: { id: CUSTOMER_ID, admin_graphql_api_id: `gid://shopify/Customer/${CUSTOMER_ID}`, email: EMAIL, first_name: "Ann", last_name: "Buyer", phone: null },
    financial_status: "pending",
    cancelled_at: null,
    cancel_reason: null,
    created_at: "2026-01-10T10:00:00Z",
    processed_at: "2026-01-10T10:00:00Z",
    updated_at: "2026-01-10T10:00:00Z",
    ...overrides,
  };
}

function consent(state: string, at: string) {
  return {
    ...fixture("shopify", "customers_email_marketing_consent_update"),
    customer_id: CUSTOMER_ID,
    email_address: EMAIL,
    email_marketing_consent: { state, opt_in_level: state === "subscribed" ? "single_opt_in" : null, consent_updated_at: at },
  };
}

function fulfillment(overrides: Record<string, unknown>) {
  return { ...fixture("shopify", "fulfillments_update"), id: 9_001, admin_graphql_api_id: "gid://shopify/Fulfillment/9001", order_id: 7_001, email: EMAIL, ...overrides };
}

describe.each(databaseTargets())("Shopify order, fulfillment and customer topics on %s", (_name, createUrl) => {
  let harness: ShopifyAppHarness;

  beforeAll(async () => {
    harness = await startShopifyAppHarness({
      databaseUrl: await createUrl(),
      clockStart: "2026-01-10T12:00:00Z",
      shopify: { storeApi: false },
      sendgrid: false,
    });
  });

  afterAll(() => harness?.stop());

  async function deliver(topic: string, body: unknown, webhookId?: string) {
    const response = await harness.deliver(topic, body, webhookId ? { webhookId } : {});
    expect(response.status, harness.app.output()).toBe(200);
    await harness.worker.tick();
  }

  async function profile() {
    return harness.db.customer.findFirstOrThrow({ where: { OR: [{ email: EMAIL }, { identities: { some: { externalId: String(CUSTOMER_ID) } } }] } });
  }

  /** Everything these topics change, without the columns that move on every write. */
  async function snapshot() {
    const strip = <T extends { updatedAt?: Date; createdAt?: Date }>(row: T) => ({ ...row, updatedAt: undefined, createdAt: undefined });
    return {
      customers: (await harness.db.customer.findMany({ orderBy: { id: "asc" } })).map(strip),
      identities: (await harness.db.customerIdentity.findMany({ orderBy: { id: "asc" } })).map(strip),
      orders: (await harness.db.order.findMany({ orderBy: { externalId: "asc" } })).map(strip),
      shipments: (await harness.db.shipment.findMany({ orderBy: { externalId: "asc" } })).map(strip),
    };
  }

  /** The same delivery again (same webhook id: Shopify's retry) and once more as a new delivery: nothing changes. */
  async function expectReplaysChangeNothing(topic: string, body: unknown, webhookId: string) {
    const before = await snapshot();
    const rows = await harness.db.inboxEvent.count();
    await deliver(topic, body, webhookId);
    expect(await harness.db.inboxEvent.count()).toBe(rows);
    await deliver(topic, body);
    expect(await harness.db.inboxEvent.findMany({ where: { status: { not: "processed" } } })).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }

  it("follows email-marketing consent both ways, newest change first", async () => {
    await deliver("customers/create", customer, "customer-create");
    expect(await profile()).toMatchObject({ email: EMAIL, acceptsMarketing: false });

    // WHEN the customer subscribes
    await deliver("customers_email_marketing_consent/update", consent("subscribed", "2026-01-10T11:00:00Z"), "consent-1");
    // THEN the profile accepts marketing, and replays change nothing
    expect(await profile()).toMatchObject({ acceptsMarketing: true });
    await expectReplaysChangeNothing("customers_email_marketing_consent/update", consent("subscribed", "2026-01-10T11:00:00Z"), "consent-1");

    // WHEN they unsubscribe
    await deliver("customers_email_marketing_consent/update", consent("unsubscribed", "2026-01-10T11:30:00Z"), "consent-2");
    expect(await profile()).toMatchObject({ acceptsMarketing: false });
    await expectReplaysChangeNothing("customers_email_marketing_consent/update", consent("unsubscribed", "2026-01-10T11:30:00Z"), "consent-2");

    // AND the older subscription arriving late (out of order) does not resubscribe them
    await expectReplaysChangeNothing("customers_email_marketing_consent/update", consent("subscribed", "2026-01-10T11:00:00Z"), "consent-1");

    // AND a newer subscription does
    await deliver("customers_email_marketing_consent/update", consent("subscribed", "2026-01-10T11:45:00Z"), "consent-3");
    expect(await profile()).toMatchObject({ acceptsMarketing: true });

    // AND the recorded sample (not_subscribed, found by email_address) turns it off again
    await deliver("customers_email_marketing_consent/update", { ...fixture("shopify", "customers_email_marketing_consent_update"), email_address: EMAIL }, "consent-4");
    expect(await profile()).toMatchObject({ acceptsMarketing: false });
    expect(await harness.db.customer.count()).toBe(1);
  });

  it("records payment and leaves a cancelled order out of the customer's metrics", async () => {
    await deliver("orders/create", order(7_001, { total_price: "100.00" }), "order-7001-create");
    await deliver("orders/create", order(7_002, { total_price: "50.00", created_at: "2026-01-10T11:00:00Z", processed_at: "2026-01-10T11:00:00Z" }), "order-7002-create");
    expect(await profile()).toMatchObject({ ordersCount: 2, totalSpent: 15_000 });

    // WHEN the first order is paid
    const paid = order(7_001, { total_price: "100.00", financial_status: "paid", updated_at: "2026-01-10T10:05:00Z" });
    await deliver("orders/paid", paid, "order-7001-paid");
    expect(await harness.db.order.findFirstOrThrow({ where: { externalId: "7001" } })).toMatchObject({ financialStatus: "paid", cancelledAt: null });
    await expectReplaysChangeNothing("orders/paid", paid, "order-7001-paid");

    // WHEN the second is cancelled
    const cancelled = order(7_002, { total_price: "50.00", financial_status: "voided", cancelled_at: "2026-01-10T11:30:00Z", cancel_reason: "customer", created_at: "2026-01-10T11:00:00Z", processed_at: "2026-01-10T11:00:00Z" });
    await deliver("orders/cancelled", cancelled, "order-7002-cancelled");

    // THEN it is marked cancelled and no longer counts
    expect(await harness.db.order.findFirstOrThrow({ where: { externalId: "7002" } })).toMatchObject({ financialStatus: "voided", cancelledAt: new Date("2026-01-10T11:30:00Z") });
    expect(await profile()).toMatchObject({ ordersCount: 1, totalSpent: 10_000, lastOrderAt: new Date("2026-01-10T10:00:00Z") });
    await expectReplaysChangeNothing("orders/cancelled", cancelled, "order-7002-cancelled");

    // AND its creation delivered again afterwards (no cancelled_at) does not bring it back
    await expectReplaysChangeNothing("orders/create", order(7_002, { total_price: "50.00", created_at: "2026-01-10T11:00:00Z", processed_at: "2026-01-10T11:00:00Z" }), "order-7002-create");
  });

  it("marks a shipment delivered on fulfillments/update", async () => {
    await deliver("fulfillments/create", fulfillment({ status: "success", shipment_status: null, updated_at: "2026-01-10T12:00:00Z" }), "fulfillment-create");
    expect(await harness.db.shipment.findFirstOrThrow({ where: { externalId: "9001" } })).toMatchObject({ status: "success" });

    await deliver("fulfillments/update", fulfillment({ status: "success", shipment_status: "in_transit", updated_at: "2026-01-11T09:00:00Z" }), "fulfillment-transit");
    expect(await harness.db.shipment.findFirstOrThrow({ where: { externalId: "9001" } })).toMatchObject({ status: "in_transit" });

    // WHEN the carrier delivers
    const delivered = fulfillment({ status: "success", shipment_status: "delivered", updated_at: "2026-01-12T15:00:00Z" });
    await deliver("fulfillments/update", delivered, "fulfillment-delivered");

    // THEN the shipment is delivered, tied to its order and the customer
    const order7001 = await harness.db.order.findFirstOrThrow({ where: { externalId: "7001" } });
    expect(await harness.db.shipment.findFirstOrThrow({ where: { externalId: "9001" } })).toMatchObject({ status: "delivered", orderId: order7001.id, orderExternalId: "7001" });
    const event = await harness.db.event.findFirstOrThrow({ where: { type: "order.shipment.update" }, orderBy: { occurredAt: "desc" } });
    expect(event.customerId).toBe((await profile()).id);
    await expectReplaysChangeNothing("fulfillments/update", delivered, "fulfillment-delivered");

    // AND the in-transit update arriving late does not undo it
    await expectReplaysChangeNothing("fulfillments/update", fulfillment({ status: "success", shipment_status: "in_transit", updated_at: "2026-01-11T09:00:00Z" }), "fulfillment-transit");
  });

  it("unlinks the store's identity on customers/delete and keeps the profile and its history", async () => {
    const before = await profile();
    expect(await harness.db.customerIdentity.count({ where: { customerId: before.id } })).toBe(1);

    // WHEN Shopify deletes the customer
    const deleted = { ...fixture("shopify", "customers_delete"), id: CUSTOMER_ID, admin_graphql_api_id: `gid://shopify/Customer/${CUSTOMER_ID}` };
    await deliver("customers/delete", deleted, "customer-delete");

    // THEN the identity is gone; the profile, its orders and metrics stay
    expect(await harness.db.customerIdentity.count()).toBe(0);
    const after = await harness.db.customer.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ email: EMAIL, ordersCount: 1, totalSpent: 10_000 });
    expect(await harness.db.order.count({ where: { customerId: before.id } })).toBe(2);
    expect(await harness.db.event.findFirstOrThrow({ where: { type: "customer.delete" } })).toMatchObject({ customerId: before.id });
    await expectReplaysChangeNothing("customers/delete", deleted, "customer-delete");
  });

  it("still erases the unlinked profile when customers/redact names only the deleted id", async () => {
    const id = (await harness.db.customer.findFirstOrThrow({ where: { email: EMAIL } })).id;
    const redact = { ...fixture("shopify", "customers_redact"), customer: { id: CUSTOMER_ID, email: null, phone: null }, orders_to_redact: [] };
    await deliver("customers/redact", redact, "customer-redact");
    expect(await harness.db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({ email: null, firstName: null, lastName: null, ordersCount: 1 });
    expect(await harness.db.order.count({ where: { email: EMAIL } })).toBe(0);
  });
});
