// A step's content stored once (ADR 0035): the runner writes shareable messages with html/text NULL and their
// template once as a MessageContent; messageContentOf gives each message's own HTML and text back, byte for byte
// what rendering it for that message gave. Content that cannot be shared stays on the row. Erasing a customer
// erases the stored content only they used (a template may carry their name). SQLite, and PostgreSQL when
// DATABASE_URL points at one.
import { ManualClock } from "~/core/clock";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { DEFAULT_BRANDING } from "~/core/messaging/branding";
import { messageContentOf, messageContentToWrite } from "~/core/messaging/content.server";
import { emailContext } from "~/core/messaging/email/context";
import { renderEmailNode } from "~/core/messaging/email/render.server";
import { createClickLinks } from "~/core/messaging/links.server";
import { createUnsubscribeLinks } from "~/core/messaging/unsubscribe.server";
import { eraseCustomer } from "~/core/privacy/privacy.server";
import type { Db } from "~/db.server";
import { databaseTargets, dropAll, openDb } from "../support/databases";

afterAll(dropAll);

const APP_URL = "https://app.nudgeflow.test";
const SECRET = "message-content-test-secret";
const FROM = { email: "shop@example.com", name: "Shop" };

describe.each(databaseTargets())("message content stored once on %s", (_name, createUrl) => {
  let db: Db;
  let workspaceId: string;
  const clock = new ManualClock("2026-11-26T09:00:00Z");
  const signers = () => ({ clicks: createClickLinks({ db, appUrl: APP_URL, secret: SECRET }), unsubscribe: createUnsubscribeLinks({ db, appUrl: APP_URL, secret: SECRET }) });

  beforeAll(async () => {
    db = openDb(await createUrl());
    ({ id: workspaceId } = await db.workspace.create({ data: { name: "Content shop", fromEmail: FROM.email, fromName: FROM.name } }));
  });

  /** One message rendered the way the runner renders it: its own link and unsubscribe tokens in the HTML. */
  async function render(id: string, node: Parameters<typeof renderEmailNode>[0], firstName: string | null) {
    const { clicks, unsubscribe } = signers();
    const rendered = await renderEmailNode(
      node,
      emailContext({
        shop: { name: "Content shop", email: FROM.email, url: "https://shop.example", address: "1 Main Street" },
        customer: { firstName, lastName: null, email: `${id}@example.com` },
        basket: {
          currency: "USD",
          totalPrice: 3200,
          subtotalPrice: 3200,
          recoveryUrl: "https://shop.example/cart",
          lineItems: [{ productId: "1", variantId: "11", sku: null, title: "Linen apron", variantTitle: null, quantity: 1, price: 3200, imageUrl: "https://cdn.shop.example/apron.jpg" }],
        },
        unsubscribeUrl: await unsubscribe.urlFor(id),
      }),
      { branding: DEFAULT_BRANDING, trackLink: await clicks.forMessage(id) },
    );
    return { id, workspaceId, kind: "marketing", fromEmail: FROM.email, fromName: FROM.name, subject: rendered.subject, html: rendered.html, text: rendered.text };
  }

  /** Writes it as the runner does (runner.server.ts): the content columns from messageContentToWrite. */
  async function write(message: Awaited<ReturnType<typeof render>>, customerId: string | null = null) {
    const columns = await messageContentToWrite(db, message);
    return db.message.create({
      data: { ...message, ...columns, customerId, toEmail: `${message.id}@example.com`, status: "queued", nextAttemptAt: clock.now(), createdAt: clock.now() },
    });
  }

  it("stores a blueprint email once and gives each message its own HTML and text back, byte for byte", async () => {
    const node = BLUEPRINTS.find((blueprint) => blueprint.id === "abandoned-cart")!.definition.nodes.find((candidate) => candidate.id === "email-reminder")!;
    if (node.type !== "email") throw new Error("email-reminder is not an email node");
    const rendered = await Promise.all(["msg_content_a", "msg_content_b", "msg_content_c"].map((id) => render(id, node, null)));
    expect(rendered[0].html).not.toBe(rendered[1].html); // each carries its own tokens

    const rows = [];
    for (const message of rendered) rows.push(await write(message));

    // One stored content, rows without HTML, one key
    expect(new Set(rows.map((row) => row.contentKey)).size).toBe(1);
    expect(rows.every((row) => row.html === null && row.text === null)).toBe(true);
    expect(await db.messageContent.count({ where: { workspaceId, contentKey: rows[0].contentKey! } })).toBe(1);
    const stored = await db.messageContent.findUniqueOrThrow({ where: { workspaceId_contentKey: { workspaceId, contentKey: rows[0].contentKey! } } });
    expect(stored.html).not.toContain("msg_content_");
    expect(stored.unsubscribe).toBe(true);

    // Each message's own content is what rendering it gave
    for (const [index, row] of rows.entries()) {
      expect(await messageContentOf({ db, ...signers() }, row)).toEqual({ html: rendered[index].html, text: rendered[index].text });
    }
    // Without the signers it says so instead of giving a wrong email
    await expect(messageContentOf({ db }, rows[0])).rejects.toThrow(/signers/);
  });

  it("keeps content that cannot be shared on the row", async () => {
    const personal = await render("msg_content_personal", { subject: "Yours", html: '<p>Ref msg_content_personal</p><a href="https://shop.example/">Shop</a>', text: "Ref msg_content_personal" }, null);
    const row = await write(personal);
    expect(row).toMatchObject({ contentKey: null, html: personal.html, text: personal.text });
    expect(await messageContentOf({ db }, row)).toEqual({ html: personal.html, text: personal.text });
  });

  it("erases the stored content a customer's messages used when the customer is erased, and only that", async () => {
    // A template with the customer's name: each customer's messages share their own content
    const greeting = { subject: "Hi {{ customer.first_name }}", html: '<p>Hi {{ customer.first_name }}</p><a href="https://shop.example/cart">Your cart</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>', text: "Hi {{ customer.first_name }}" };
    const ada = await db.customer.create({ data: { workspaceId, email: "ada@example.com", firstName: "Ada" } });
    const bob = await db.customer.create({ data: { workspaceId, email: "bob@example.com", firstName: "Bob" } });
    const adas = [await write(await render("msg_ada_1", greeting, "Ada"), ada.id), await write(await render("msg_ada_2", greeting, "Ada"), ada.id)];
    const bobs = await write(await render("msg_bob_1", greeting, "Bob"), bob.id);
    expect(adas[0].contentKey).toBe(adas[1].contentKey);
    expect(bobs.contentKey).not.toBe(adas[0].contentKey);
    const adaContent = await db.messageContent.findUniqueOrThrow({ where: { workspaceId_contentKey: { workspaceId, contentKey: adas[0].contentKey! } } });
    expect(adaContent.html).toContain("Hi Ada");

    await eraseCustomer({ db }, { workspaceId, email: "ada@example.com", now: clock.now() });

    // Ada's stored content is gone, her messages keep no key and no content; Bob's are untouched
    expect(await db.messageContent.count({ where: { workspaceId, contentKey: adas[0].contentKey! } })).toBe(0);
    for (const message of adas) {
      const row = await db.message.findUniqueOrThrow({ where: { id: message.id } });
      expect(row.contentKey).toBeNull();
      expect(JSON.stringify(await messageContentOf({ db, ...signers() }, row))).not.toContain("Ada");
    }
    const bobRow = await db.message.findUniqueOrThrow({ where: { id: bobs.id } });
    expect((await messageContentOf({ db, ...signers() }, bobRow))?.html).toContain("Hi Bob");
  });
});
