// Shared content for batching: a block email rendered for one message becomes a template whose substitution tags,
// filled in with another message's own tokens, give exactly what rendering it for that message gives.
import { createHmac } from "node:crypto";
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { DEFAULT_BRANDING } from "./branding";
import { applySubstitutions, contentKeyOf, sharedContentOf, substitutionBytes, substitutionsFor, TAG_PREFIX, tokenAfter, UNSUBSCRIBE_TAG } from "./batching";
import { emailContext } from "./email/context";
import { renderEmailNode } from "./email/render.server";

const APP = "https://app.example";
const KEY = "batching-test-key";

/** The signers' formats (links.server.ts, unsubscribe.server.ts), with a fixed key. */
const signerFor = (id: string) => (url: string, index: number) =>
  `${APP}/r/${id}.${index}.${Buffer.from(url).toString("base64url")}.${createHmac("sha256", KEY).update(`click:v1:${id}:${index}:${url}`).digest("base64url")}`;
const unsubscribeUrlFor = (id: string) => `${APP}/unsubscribe/${id}.${createHmac("sha256", KEY).update(`unsubscribe:v1:${id}`).digest("base64url")}`;

const node = BLUEPRINTS.find((blueprint) => blueprint.id === "abandoned-cart")!.definition.nodes.find((candidate) => candidate.id === "email-reminder")!;

async function rendered(id: string, recoveryUrl = "https://shop.example/cart") {
  if (node.type !== "email") throw new Error("not an email node");
  const email = await renderEmailNode(
    node,
    emailContext({
      shop: { name: "Tea & Co", email: "hi@tea.example", url: "https://shop.example", address: "1 Tea Street" },
      customer: { firstName: null, lastName: null, email: "someone@example.com" },
      basket: { currency: "EUR", totalPrice: 1200, subtotalPrice: 1200, recoveryUrl, lineItems: [{ productId: "1", variantId: null, sku: null, title: "Green tea", variantTitle: null, quantity: 1, price: 1200, imageUrl: null }] },
      unsubscribeUrl: unsubscribeUrlFor(id),
    }),
    { branding: DEFAULT_BRANDING, trackLink: signerFor(id) },
  );
  return { id, subject: email.subject, html: email.html, text: email.text, workspaceId: "ws_1", kind: "marketing", fromEmail: "hi@tea.example", fromName: "Tea & Co" };
}

describe("batching", () => {
  it("turns an email into shared content that gives back each message's own email", async () => {
    // GIVEN the same step rendered for two messages
    const first = await rendered("msg_first");
    const second = await rendered("msg_second");
    expect(first.html).not.toBe(second.html);

    // WHEN the first is made into shared content
    const shared = sharedContentOf(first)!;

    // THEN it has no message id left, a tag per tracked link and one for the unsubscribe token
    expect(shared.html).not.toContain("msg_first");
    expect(shared.links.length).toBeGreaterThanOrEqual(1);
    expect(shared.links.map((link) => link.url)).toContain("https://shop.example/cart");
    expect(shared.unsubscribe).toBe(true);
    expect(shared.html).toContain(`/unsubscribe/${UNSUBSCRIBE_TAG}`);
    // AND each message's substitutions give exactly its own rendering
    for (const message of [first, second]) {
      const substitutions = substitutionsFor(shared, { sign: signerFor(message.id), unsubscribeUrl: unsubscribeUrlFor(message.id) })!;
      expect(applySubstitutions(shared.html, substitutions)).toBe(message.html);
      expect(applySubstitutions(shared.text, substitutions)).toBe(message.text);
      expect(substitutionBytes(substitutions)).toBeLessThan(10_000);
    }
    // AND both have the same content key
    expect(contentKeyOf(first)).not.toBeNull();
    expect(contentKeyOf(second)).toBe(contentKeyOf(first));
  });

  it("gives different keys to emails whose links lead elsewhere, or that differ in anything shared", async () => {
    const base = await rendered("msg_a");
    expect(contentKeyOf(await rendered("msg_b", "https://shop.example/cart?other"))).not.toBe(contentKeyOf(base));
    expect(contentKeyOf({ ...base, subject: "Another subject" })).not.toBe(contentKeyOf(base));
    expect(contentKeyOf({ ...base, workspaceId: "ws_2" })).not.toBe(contentKeyOf(base));
    expect(contentKeyOf({ ...base, kind: "transactional" })).not.toBe(contentKeyOf(base));
    expect(contentKeyOf({ ...base, fromName: null })).not.toBe(contentKeyOf(base));
  });

  it("refuses content that already contains a tag, or the message id anywhere else", async () => {
    const base = await rendered("msg_c");
    expect(sharedContentOf({ ...base, text: `${base.text}\nCode: ${TAG_PREFIX}link:0}` })).toBeNull();
    expect(sharedContentOf({ ...base, subject: `Hi ${TAG_PREFIX}` })).toBeNull();
    expect(sharedContentOf({ ...base, html: `${base.html}<!-- msg_c -->` })).toBeNull();
    expect(contentKeyOf({ ...base, html: `${base.html}<!-- msg_c -->` })).toBeNull();
  });

  it("cannot fill in tracked links without a signer, nor the unsubscribe token without a URL", async () => {
    const shared = sharedContentOf(await rendered("msg_d"))!;
    expect(substitutionsFor(shared, { sign: null, unsubscribeUrl: unsubscribeUrlFor("msg_d") })).toBeNull();
    expect(substitutionsFor(shared, { sign: signerFor("msg_d"), unsubscribeUrl: null })).toBeNull();
    expect(tokenAfter(`${APP}/r/msg_d.0.x.y`, "/r/")).toBe("msg_d.0.x.y");
    expect(() => tokenAfter(`${APP}/elsewhere`, "/r/")).toThrow(/not a \/r\/ URL/);
  });
});
