// A workspace with customers whose histories are known row by row, for the customers API, CLI and profile tests:
// Ada (two orders, tags, a location, a checkout, an email she opened and clicked, a flow she left at its goal, a
// segment she entered, a prediction), Bob (no orders, an underscore in his name), Carol (one small order, an
// upper-case first name) and a customer with no email yet. One segment, "Big spenders" (spent over $100): Ada.
import { createSegment } from "~/core/segments/segments.server";
import { createWorkspaceWithUser } from "~/core/workspaces/workspaces.server";
import type { Db } from "~/db.server";

const at = (iso: string) => new Date(iso);
export const STORY_NOW = at("2026-06-01T12:00:00.000Z");

export interface CustomerStory {
  workspaceId: string;
  storeId: string;
  segmentId: string;
  flowId: string;
  messageId: string;
  customers: { ada: string; bob: string; carol: string; nameless: string };
}

const lineItem = (title: string, quantity: number, price: number) => ({
  productId: `p-${title}`,
  variantId: null,
  sku: null,
  title,
  variantTitle: null,
  quantity,
  price,
  imageUrl: null,
});

export async function seedCustomerStory(db: Db, input: { key: string }): Promise<CustomerStory> {
  const { key } = input;
  const { workspaceId } = await createWorkspaceWithUser(db, { workspaceName: `Shop ${key}`, email: `owner-${key}@story.example`, password: `password-${key}-0123456789` });
  const store = await db.store.create({ data: { workspaceId, platform: "demo", domain: `${key}.story.example`, name: `Main Street ${key}`, currency: "USD" } });

  const ada = await db.customer.create({
    data: {
      workspaceId,
      email: `ada-${key}@example.com`,
      firstName: "Ada",
      lastName: "Lovelace",
      phone: "+44 20 7946 0000",
      acceptsMarketing: true,
      ordersCount: 2,
      totalSpent: 25_000,
      currency: "USD",
      firstOrderAt: at("2026-03-01T10:00:00Z"),
      lastOrderAt: at("2026-05-02T12:00:00Z"),
      country: "GB",
      region: "ENG",
      city: "London",
      originStoreId: store.id,
      createdAt: at("2026-02-01T00:00:00Z"),
      tags: { create: [{ workspaceId, tag: "vip" }, { workspaceId, tag: "newsletter" }] },
    },
  });
  const bob = await db.customer.create({ data: { workspaceId, email: `bob-${key}@example.org`, firstName: "Bob", lastName: "Mc_Test", acceptsMarketing: false } });
  const carol = await db.customer.create({
    data: { workspaceId, email: `carol-${key}@shop.example`, firstName: "CAROL", lastName: "Zed", acceptsMarketing: true, ordersCount: 1, totalSpent: 5_000, currency: "USD", firstOrderAt: at("2026-04-01T00:00:00Z"), lastOrderAt: at("2026-04-01T00:00:00Z") },
  });
  const nameless = await db.customer.create({ data: { workspaceId, email: null, firstName: "Dave", lastName: null } });

  // Ada's orders, and the order.add event the first one came with (the timeline lists the order instead).
  await db.order.create({
    data: { workspaceId, storeId: store.id, externalId: `o1-${key}`, name: "#1001", customerId: ada.id, email: ada.email, currency: "USD", totalPrice: 10_000, lineItems: [lineItem("mug", 2, 5_000)], financialStatus: "paid", placedAt: at("2026-03-01T10:00:00Z") },
  });
  await db.order.create({
    data: { workspaceId, storeId: store.id, externalId: `o2-${key}`, name: "#1002", customerId: ada.id, email: ada.email, currency: "USD", totalPrice: 15_000, lineItems: [lineItem("teapot", 1, 15_000)], financialStatus: "paid", placedAt: at("2026-05-02T12:00:00Z") },
  });
  await db.order.create({
    data: { workspaceId, storeId: store.id, externalId: `o3-${key}`, name: "#1003", customerId: carol.id, email: carol.email, currency: "USD", totalPrice: 5_000, lineItems: [lineItem("spoon", 5, 1_000)], financialStatus: "paid", placedAt: at("2026-04-01T00:00:00Z") },
  });
  const checkout = {
    token: `co-${key}`,
    cartToken: null,
    email: ada.email,
    customer: null,
    currency: "USD",
    totalPrice: 15_000,
    subtotalPrice: 15_000,
    lineItems: [lineItem("teapot", 1, 15_000), lineItem("cosy", 1, 0)],
    recoveryUrl: null,
    createdAt: "2026-04-30T09:00:00.000Z",
    updatedAt: "2026-04-30T09:30:00.000Z",
    completedAt: null,
  };
  await db.event.create({ data: { workspaceId, storeId: store.id, customerId: ada.id, type: "checkout.update", version: 1, occurredAt: at("2026-04-30T09:30:00Z"), data: { checkout } } });
  await db.event.create({ data: { workspaceId, storeId: store.id, customerId: ada.id, type: "order.add", version: 1, occurredAt: at("2026-03-01T10:00:00Z"), data: {} } });

  // A win-back flow she entered on the checkout and left when she ordered; its email, opened and clicked.
  const flow = await db.flow.create({ data: { workspaceId, name: "Win-back", status: "live" } });
  const enrollment = await db.enrollment.create({
    data: { workspaceId, flowId: flow.id, flowVersionId: "v1", customerId: ada.id, entityType: "customer", entityId: ada.id, status: "exited", enteredAt: at("2026-04-30T09:31:00Z"), exitedAt: at("2026-05-02T12:00:00Z"), exitReason: "goal: order placed" },
  });
  await db.enrollmentTrace.create({ data: { workspaceId, flowId: flow.id, enrollmentId: enrollment.id, customerId: ada.id, at: at("2026-04-30T09:31:00Z"), kind: "trigger.matched", detail: { event: "checkout.update", entityType: "customer", entityId: ada.id } } });
  const messageId = `msg-${key}-ada`;
  await db.message.create({
    data: { id: messageId, workspaceId, storeId: store.id, customerId: ada.id, flowId: flow.id, enrollmentId: enrollment.id, nodeId: "email-1", toEmail: ada.email ?? "", fromEmail: "shop@story.example", subject: "Come back, Ada", html: "<p>Hi</p>", text: "Hi", status: "sent", provider: "sendgrid", nextAttemptAt: at("2026-05-01T10:00:00Z"), createdAt: at("2026-05-01T10:00:00Z"), sentAt: at("2026-05-01T10:00:05Z") },
  });
  await db.messageEvent.create({ data: { workspaceId, messageId, type: "open", occurredAt: at("2026-05-01T11:00:00Z"), provider: "sendgrid", providerEventId: `open-${key}` } });
  await db.messageEvent.create({ data: { workspaceId, messageId, type: "click", occurredAt: at("2026-05-01T11:05:00Z"), provider: "sendgrid", providerEventId: `click-${key}`, url: "https://shop.example/cart" } });

  await db.customerPrediction.create({
    data: { customerId: ada.id, workspaceId, churnProbability: 0.2, churnLow: 0.1, churnHigh: 0.35, expectedOrders12m: 2.5, clv12m: 30_000, clvLow: 18_000, clvHigh: 45_000, currency: "USD", nextOrderAt: at("2026-07-01T00:00:00Z"), nextOrderLow: at("2026-06-10T00:00:00Z"), nextOrderHigh: at("2026-08-15T00:00:00Z"), computedAt: at("2026-06-01T00:00:00Z") },
  });

  const created = await createSegment(db, {
    workspaceId,
    name: "Big spenders",
    description: "Spent over $100",
    rule: { kind: "group", match: "all", conditions: [{ kind: "metric", metric: "total_spent", op: "gt", value: 100 }] },
    now: STORY_NOW,
  });
  if (!created.ok) throw new Error(`could not create the segment: ${JSON.stringify(created.problems)}`);
  const segmentId = created.segment.id;
  // The segment.entered event the incremental path writes when her second order moved her in.
  await db.event.create({
    data: { workspaceId, customerId: ada.id, type: "segment.entered", version: 1, occurredAt: at("2026-05-02T12:00:01Z"), data: { segment: { id: segmentId, name: "Big spenders" }, why: "Spent $250.00 (over $100.00)", cause: "event" } },
  });

  return { workspaceId, storeId: store.id, segmentId, flowId: flow.id, messageId, customers: { ada: ada.id, bob: bob.id, carol: carol.id, nameless: nameless.id } };
}
