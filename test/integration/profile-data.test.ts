// What segments need from profiles (issue 6): where a customer lives and their tags as the store last said, the
// store they were first seen in, and each order's lines as rows. Canonical events applied as ingest applies them
// (one transaction each), on SQLite and PostgreSQL.
import type { CanonicalEvent, Customer, LineItem } from "~/core/events";
import { applyToProfiles } from "~/core/profiles/apply.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";
import { eventCustomer, orderEvent } from "../support/events";

afterAll(dropAll);

const EMAIL = "lin@example.com";

function customerEvent(at: string, fields: Partial<Customer>, type: "customer.add" | "customer.update" = "customer.update"): CanonicalEvent {
  return { type, version: 1, occurredAt: at, data: { customer: { ...eventCustomer(EMAIL), externalId: "c-1", createdAt: null, updatedAt: at, ...fields } } };
}

function orderWithLines(externalId: string, at: string, lineItems: LineItem[], fields: Partial<Customer> = {}): CanonicalEvent {
  const event = orderEvent(externalId, EMAIL, at);
  if (event.type !== "order.add") throw new Error("expected order.add");
  return { ...event, data: { order: { ...event.data.order, lineItems, customer: { ...eventCustomer(EMAIL), ...fields } } } };
}

const line = (title: string, fields: Partial<LineItem> = {}): LineItem => ({ productId: "p-1", variantId: "v-1", sku: "SKU-1", title, variantTitle: null, quantity: 1, price: 1500, imageUrl: null, ...fields });

describe.each(databaseTargets())("profile data for segments on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  let first: { workspaceId: string; storeId: string };
  let second: { workspaceId: string; storeId: string };

  const apply = (scope: { workspaceId: string; storeId: string }, event: CanonicalEvent) =>
    db.$transaction(async (tx) => {
      const change = await applyToProfiles(tx, scope, event);
      // Ingest stores the event with its customer: the later "latest word" checks read these rows.
      await tx.event.create({ data: { workspaceId, storeId: scope.storeId, customerId: change.customerId, type: event.type, version: 1, occurredAt: new Date(event.occurredAt), data: event.data } });
      return change;
    });
  const profile = () => db.customer.findFirstOrThrow({ where: { workspaceId, email: EMAIL } });
  const tags = async () => (await db.customerTag.findMany({ where: { customerId: (await profile()).id }, orderBy: { tag: "asc" } })).map((row) => row.tag);

  beforeAll(async () => {
    db = openDb(await createUrl());
    const workspace = await db.workspace.create({ data: { name: "Profiles" } });
    workspaceId = workspace.id;
    const a = await db.store.create({ data: { workspaceId, platform: "shopify", domain: "profiles-a.myshopify.com", name: "A" } });
    const b = await db.store.create({ data: { workspaceId, platform: "woocommerce", domain: "profiles-b.example", name: "B" } });
    first = { workspaceId, storeId: a.id };
    second = { workspaceId, storeId: b.id };
  });

  it("records the store a customer was first seen in, and never changes it", async () => {
    await apply(second, customerEvent("2026-01-01T10:00:00Z", {}, "customer.add"));
    await apply(first, orderWithLines("o-0", "2026-01-02T10:00:00Z", []));
    expect((await profile()).originStoreId).toBe(second.storeId);
  });

  it("keeps the latest stated address and tag set; an unstated one changes nothing; a late older statement loses", async () => {
    // GIVEN the store states an address and tags (any case, with spaces)
    await apply(first, customerEvent("2026-02-01T10:00:00Z", { address: { country: "CA", region: "ON", city: "Ottawa" }, tags: [" VIP", "Newsletter ", "vip"] }));
    expect(await profile()).toMatchObject({ country: "CA", region: "ON", city: "Ottawa" });
    expect(await tags()).toEqual(["newsletter", "vip"]);

    // WHEN a newer event says nothing about either (null: not said), nothing changes
    await apply(first, customerEvent("2026-02-02T10:00:00Z", { address: null, tags: null }));
    expect(await profile()).toMatchObject({ country: "CA", region: "ON", city: "Ottawa" });
    expect(await tags()).toEqual(["newsletter", "vip"]);

    // WHEN a newer statement names another place and another set of tags, it replaces both wholly
    await apply(first, customerEvent("2026-02-03T10:00:00Z", { address: { country: "US", region: null, city: "Austin" }, tags: ["wholesale"] }));
    expect(await profile()).toMatchObject({ country: "US", region: null, city: "Austin" });
    expect(await tags()).toEqual(["wholesale"]);

    // WHEN an older statement is delivered late, it does not overwrite the newer one
    await apply(first, customerEvent("2026-02-01T12:00:00Z", { address: { country: "FR", region: null, city: "Paris" }, tags: ["late"] }));
    expect(await profile()).toMatchObject({ country: "US", city: "Austin" });
    expect(await tags()).toEqual(["wholesale"]);

    // WHEN the store says the customer has no tags any more ([] is a statement), the set empties
    await apply(first, customerEvent("2026-02-04T10:00:00Z", { tags: [] }));
    expect(await tags()).toEqual([]);
  });

  it("writes each order's lines as rows, rewritten with the order", async () => {
    // GIVEN an order of two lines, one of a known category
    await apply(first, orderWithLines("o-1", "2026-03-01T10:00:00Z", [line("Linen apron", { category: "Kitchen", quantity: 2 }), line("Tea towel", { productId: "p-2", variantId: null, sku: null, price: 800 })]));
    const order = await db.order.findFirstOrThrow({ where: { workspaceId, externalId: "o-1" } });
    const rows = () => db.orderLine.findMany({ where: { orderId: order.id }, orderBy: { position: "asc" } });
    expect((await rows()).map(({ workspaceId: ws, position, productId, variantId, sku, title, category, quantity, price }) => ({ ws, position, productId, variantId, sku, title, category, quantity, price }))).toEqual([
      { ws: workspaceId, position: 0, productId: "p-1", variantId: "v-1", sku: "SKU-1", title: "Linen apron", category: "Kitchen", quantity: 2, price: 1500 },
      { ws: workspaceId, position: 1, productId: "p-2", variantId: null, sku: null, title: "Tea towel", category: null, quantity: 1, price: 800 },
    ]);

    // WHEN the order is updated with one line, and delivered again
    const updated = orderWithLines("o-1", "2026-03-01T10:00:00Z", [line("Linen apron", { quantity: 3 })]);
    await apply(first, { ...updated, type: "order.update" } as CanonicalEvent);
    await apply(first, { ...updated, type: "order.update" } as CanonicalEvent);

    // THEN the lines are the order's as it now stands, once
    expect((await rows()).map((row) => [row.position, row.title, row.quantity, row.category])).toEqual([[0, "Linen apron", 3, null]]);
  });

  it("takes the address an order's customer carries (the store's latest word on where they live)", async () => {
    await apply(first, orderWithLines("o-2", "2026-04-01T10:00:00Z", [], { address: { country: "GB", region: "ENG", city: "Leeds" } }));
    expect(await profile()).toMatchObject({ country: "GB", region: "ENG", city: "Leeds" });
  });
});
