// Block templates → HTML (MJML) and plain text: every block shows up, Liquid output stays text, links are
// rewritten for click tracking except the unsubscribe link, and a broken string never stops a send.
import { BLUEPRINTS } from "~/core/flows/blueprints";
import { StoredFlowDefinition, validateDefinition } from "~/core/flows/definition";
import { DEFAULT_BRANDING } from "../branding";
import { EmailContent, emailTemplateProblems, newBlock, triggerShape, BLOCK_LABELS, type EmailBlockType } from "./blocks";
import { emailContext } from "./context";
import { renderBlockEmail, renderEmailNode, rewriteLinks } from "./render.server";

const UNSUBSCRIBE = "https://app.example/unsubscribe/msg_1.sig";

const context = emailContext({
  shop: { name: "Tea & Co", email: "hi@tea.example", url: "https://tea.example", address: null },
  customer: { firstName: "<script>alert(1)</script>", lastName: null, email: "ann@example.com" },
  basket: {
    currency: "EUR",
    totalPrice: 4900,
    subtotalPrice: 4900,
    recoveryUrl: "https://tea.example/recover?key=1&x=2",
    lineItems: [
      { productId: "p1", variantId: "v1", sku: null, title: "Sencha", variantTitle: "100 g", quantity: 2, price: 1225, imageUrl: "https://cdn.example/sencha.png" },
      { productId: "p2", variantId: "v2", sku: null, title: "Matcha <Ceremonial>", variantTitle: null, quantity: 1, price: 2450, imageUrl: "https://cdn.example/matcha.png" },
    ],
  },
  order: null,
  unsubscribeUrl: UNSUBSCRIBE,
  recommendations: [
    { productId: "p3", title: "Hojicha", url: "https://tea.example/products/hojicha", imageUrl: "https://cdn.example/hojicha.png", price: 1350, currency: "EUR" },
    { productId: "p4", title: "Kettle", url: "https://tea.example/products/kettle", imageUrl: null, price: 4200, currency: "EUR" },
    { productId: "p5", title: "Cups", url: "https://tea.example/products/cups", imageUrl: null, price: 900, currency: "EUR" },
  ],
  productPages: { p1: "https://tea.example/products/sencha" },
});

const everyBlock = EmailContent.parse({
  version: 1,
  blocks: [
    { type: "logo" },
    { type: "heading", text: "Hello {{ customer.first_name }}" },
    { type: "text", text: "First paragraph for {{ customer.first_name }}.\n\nSecond paragraph." },
    { type: "image", src: "https://cdn.example/banner.png", alt: "Banner", href: "https://tea.example/sale" },
    { type: "button", label: "Back to your cart", href: "{{ checkout.recovery_url }}" },
    { type: "line_items", source: "checkout" },
    { type: "recommendations", heading: "More teas", limit: 2, href: "{{ shop.url }}/products/{{ item.product_id }}" },
    { type: "discount", code: "WELCOME10", text: "Your code:" },
    { type: "review_request", href: "{{ shop.url }}/reviews/{{ item.product_id }}" },
    { type: "divider" },
    { type: "footer", text: "Sent with care. Use {{ discount.code }} soon." },
  ],
});

const branding = { ...DEFAULT_BRANDING, primaryColor: "#0a7d4f", footerAddress: "1 Leaf Lane, Teatown" };

describe("block emails", () => {
  it("renders every block into the HTML and the plain-text part", async () => {
    const email = await renderBlockEmail({ subject: "Hi {{ customer.first_name }}", preheader: "For {{ shop.name }}", content: everyBlock }, context, { branding });
    expect(email.warnings).toEqual([]);
    expect(email.subject).toBe("Hi <script>alert(1)</script>"); // the subject is not HTML
    const { html, text } = email;
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("Tea &amp; Co"); // logo block: the name, no logo set
    expect(html).toContain("First paragraph for");
    expect(html).toContain("Second paragraph.");
    expect(html).toContain('src="https://cdn.example/banner.png"');
    expect(html).toContain('href="https://tea.example/sale"');
    expect(html).toContain('href="https://tea.example/recover?key=1&amp;x=2"');
    expect(html).toContain("Back to your cart");
    expect(html).toContain("Sencha");
    expect(html).toContain("€24.50"); // Sencha's line: 2 × €12.25
    expect(html).toContain("€49.00"); // the total
    expect(html).toContain('src="https://cdn.example/sencha.png"');
    expect(html).toContain("Matcha &lt;Ceremonial&gt;");
    expect(html).toContain("More teas");
    // the catalogue's recommendations (not the basket's products), at most `limit`, each linked, priced, pictured
    expect(html).toContain('href="https://tea.example/products/p3"');
    expect(html).toContain("Hojicha");
    expect(html).toContain("€13.50");
    expect(html).toContain('src="https://cdn.example/hojicha.png"');
    expect(html).toContain("Kettle");
    expect(html).not.toContain("Cups");
    expect(html).toContain("WELCOME10");
    expect(html).toContain("How did we do?");
    expect(html).toContain('href="https://tea.example/reviews/p1"');
    expect(html).toContain("Use WELCOME10 soon.");
    expect(html).toContain("1 Leaf Lane, Teatown");
    expect(html).toContain(`href="${UNSUBSCRIBE}"`);
    expect(html).toContain("#0a7d4f"); // the brand's colour on the button
    expect(html).toContain("For Tea &amp; Co"); // the preheader, hidden at the top
    expect(html).toContain("@media"); // responsive: MJML's column rules for narrow screens

    expect(text).toContain("Hello <script>alert(1)</script>");
    expect(text).toContain("Back to your cart: https://tea.example/recover?key=1&x=2");
    expect(text).toContain("- Sencha (100 g) x 2: €12.25");
    expect(text).toContain("Total: €49.00");
    expect(text).toContain("Your code: WELCOME10");
    expect(text).toContain("Tea & Co · 1 Leaf Lane, Teatown");
    expect(text).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);
    expect(text).not.toContain("<p>");
  });

  it("keeps a customer named <script> as text", async () => {
    const { html } = await renderBlockEmail({ subject: "s", preheader: "", content: everyBlock }, context, { branding });
    expect(html).not.toContain("<script>");
    expect(html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("rewrites every link for click tracking except the unsubscribe link", async () => {
    const tracked: string[] = [];
    const { html, text } = await renderBlockEmail({ subject: "s", preheader: "", content: everyBlock }, context, {
      branding,
      trackLink: (url, index) => {
        tracked.push(url);
        return `https://app.example/r/${index}`;
      },
    });
    expect(tracked).toContain("https://tea.example/recover?key=1&x=2");
    expect(tracked).toContain("https://tea.example/sale");
    expect(tracked).not.toContain(UNSUBSCRIBE);
    expect(html).toContain(`href="${UNSUBSCRIBE}"`);
    expect(html).not.toContain('href="https://tea.example/recover');
    expect(html).toContain(`href="https://app.example/r/${tracked.indexOf("https://tea.example/recover?key=1&x=2")}"`);
    expect(text).toContain("https://tea.example/recover?key=1&x=2"); // the plain-text part keeps its links
  });

  it("leaves mailto: links and the kept URLs as they are", () => {
    const html = '<a href="mailto:hi@x.example">m</a><a class="b" href="https://x.example/?a=1&amp;b=2">x</a><a href="https://keep.example">k</a>';
    expect(rewriteLinks(html, ["https://keep.example"], (url) => `T(${url})`)).toBe('<a href="mailto:hi@x.example">m</a><a class="b" href="T(https://x.example/?a=1&amp;b=2)">x</a><a href="https://keep.example">k</a>');
  });

  it("drops links that are not http(s) and never throws on a broken string", async () => {
    const content = EmailContent.parse({ blocks: [{ type: "button", label: "Bad", href: "javascript:alert(1)" }, { type: "text", text: "Hi {{ customer.first_name | nosuchfilter }}" }, { type: "footer" }] });
    const email = await renderBlockEmail({ subject: "{% if %}", preheader: "", content }, context, { branding });
    expect(email.html).not.toContain("javascript:");
    expect(email.html).toContain("Hi");
    expect(email.warnings.length).toBeGreaterThanOrEqual(2);
  });

  it("adds the footer (the store's address, unsubscribe) when the template has none; no address known: none shown", async () => {
    const content = EmailContent.parse({ blocks: [{ type: "text", text: "Hello" }] });
    const { html, text } = await renderBlockEmail({ subject: "s", preheader: "", content }, context, { branding: DEFAULT_BRANDING });
    expect(html).not.toContain("postal address");
    expect(text).toContain("Tea & Co\n");
    expect(html).toContain(`href="${UNSUBSCRIBE}"`);
    expect(text).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);

    // The store's synced address shows; a branding address wins over it.
    const withStore = { ...context, shop: { ...(context.shop as object), address: "9 Harbour Road, Leith" } };
    const synced = await renderBlockEmail({ subject: "s", preheader: "", content }, withStore, { branding: DEFAULT_BRANDING });
    expect(synced.html).toContain("Tea &amp; Co · 9 Harbour Road, Leith");
    expect(synced.text).toContain("Tea & Co · 9 Harbour Road, Leith");
    const branded = await renderBlockEmail({ subject: "s", preheader: "", content }, withStore, { branding });
    expect(branded.text).toContain("Tea & Co · 1 Leaf Lane, Teatown");
    expect(branded.text).not.toContain("Harbour");
  });

  it("links each product to its page by default: recommendations to the page, review requests to its reviews", async () => {
    const content = EmailContent.parse({ blocks: [newBlock("recommendations"), newBlock("review_request"), { type: "review_request", href: "{{ shop.url }}" }] });
    expect(emailTemplateProblems({ subject: "s", content }, { basket: true, order: false })).toEqual([]);
    const { html, text } = await renderBlockEmail({ subject: "s", preheader: "", content }, context, { branding });
    expect(html).toContain('href="https://tea.example/products/hojicha"');
    // p1 has a page: its reviews; p2 has none known: the shop. The legacy default `{{ shop.url }}` means the same.
    expect(text.match(/- Sencha: Write a review https:\/\/tea\.example\/products\/sencha#reviews/g)).toHaveLength(2);
    expect(text).toContain("- Matcha <Ceremonial>: Write a review https://tea.example");
    // Without recommendations the block shows nothing.
    const none = await renderBlockEmail({ subject: "s", preheader: "", content }, { ...context, recommendations: [] }, { branding });
    expect(none.text).not.toContain("You might also like");
  });

  it("renders each blueprint email with the customer's items, the recovery button and the footer", async () => {
    for (const blueprint of BLUEPRINTS) {
      for (const node of blueprint.definition.nodes) {
        if (node.type !== "email") continue;
        expect(node.content, `${blueprint.id}/${node.id} uses blocks`).toBeDefined();
        const email = await renderEmailNode(node, context, { branding });
        expect(email.warnings, `${blueprint.id}/${node.id}`).toEqual([]);
        expect(email.html).toContain("Tea &amp; Co");
        expect(email.html).toContain(`href="${UNSUBSCRIBE}"`);
        expect(email.text).toContain(`Unsubscribe: ${UNSUBSCRIBE}`);
      }
    }
    const reminder = BLUEPRINTS.find((b) => b.id === "abandoned-cart")!.definition.nodes.find((n) => n.id === "email-reminder")!;
    if (reminder.type !== "email") throw new Error("blueprint changed");
    const email = await renderEmailNode(reminder, context, { branding });
    expect(email.subject).toBe("We saved your items, <script>alert(1)</script>");
    expect(email.html).toContain("Sencha");
    expect(email.html).toContain("Return to your cart");
    expect(email.html).toContain('href="https://tea.example/recover?key=1&amp;x=2"');
  });

  it("compiles one MJML per template shape and fills each recipient's own values into it", async () => {
    const forName = (firstName: string, title: string) =>
      emailContext({
        shop: { name: "Tea & Co", email: null, url: "https://tea.example", address: null },
        customer: { firstName, lastName: null, email: `${firstName}@example.com` },
        basket: { currency: "EUR", totalPrice: 100, subtotalPrice: 100, recoveryUrl: `https://tea.example/recover/${firstName}`, lineItems: [{ productId: "p", variantId: null, sku: null, title, variantTitle: null, quantity: 1, price: 100, imageUrl: null }] },
        unsubscribeUrl: `https://app.example/unsubscribe/${firstName}`,
      });
    const ann = await renderBlockEmail({ subject: "Hi {{ customer.first_name }}", preheader: "", content: everyBlock }, forName("Ann", "Oolong"), { branding });
    const bob = await renderBlockEmail({ subject: "Hi {{ customer.first_name }}", preheader: "", content: everyBlock }, forName("Bob & <b>", "Rooibos"), { branding });
    expect(ann.html).toContain("Hello Ann");
    expect(ann.html).toContain("Oolong");
    expect(ann.html).toContain('href="https://tea.example/recover/Ann"');
    expect(bob.html).toContain("Hello Bob &amp; &lt;b&gt;");
    expect(bob.html).toContain("Rooibos");
    expect(bob.html).not.toMatch(/Ann|Oolong|nfslot/);
    expect(ann.html).not.toMatch(/Bob|Rooibos|nfslot/);
    expect(ann.html).not.toContain("fonts.googleapis.com");
  });

  it("renders an email in a few milliseconds", async () => {
    const started = performance.now();
    const runs = 50;
    for (let i = 0; i < runs; i++) await renderBlockEmail({ subject: "s", preheader: "p", content: everyBlock }, context, { branding });
    const perEmail = (performance.now() - started) / runs;
    process.stdout.write(`block email render: ${perEmail.toFixed(2)} ms per email (11 blocks)\n`);
    expect(perEmail).toBeLessThan(100);
  });
});

describe("template checks at save time", () => {
  const cart = triggerShape({ type: "event", events: ["checkout.create"], entity: "checkout" });

  it("accepts the known variables of the trigger", () => {
    expect(emailTemplateProblems({ subject: "Hi {{ customer.first_name }}", content: everyBlock }, cart)).toEqual([]);
  });

  it("reports an unknown variable and a Liquid error at the field's path", () => {
    const content = { blocks: [{ type: "heading", text: "ok" }, { type: "text", text: "Hi {{ customer.nickname }}" }, { type: "button", label: "{% if x %}", href: "{{ checkout.recovery_url }}" }] };
    const problems = emailTemplateProblems({ subject: "{{ shopp.name }}", content }, cart);
    expect(problems).toEqual([
      { path: ["subject"], message: 'unknown variable "shopp"' },
      { path: ["content", "blocks", 1, "text"], message: expect.stringContaining('unknown variable "customer.nickname"') },
      { path: ["content", "blocks", 2, "label"], message: expect.stringMatching(/^Liquid error: .*if/) },
    ]);
  });

  it("knows order.* only for order and customer journeys, checkout.* only for basket journeys", () => {
    const order = triggerShape({ type: "event", events: ["order.add"], entity: "customer" });
    expect(emailTemplateProblems({ subject: "{{ order.total }}" }, order)).toEqual([]);
    expect(emailTemplateProblems({ subject: "{{ checkout.total }}" }, order)).toEqual([{ path: ["subject"], message: 'unknown variable "checkout"' }]);
    expect(emailTemplateProblems({ subject: "{{ order.total }}" }, cart)).toEqual([{ path: ["subject"], message: 'unknown variable "order"' }]);
  });

  it("has a label and a valid default for every block type", () => {
    for (const type of Object.keys(BLOCK_LABELS) as EmailBlockType[]) {
      expect(EmailContent.safeParse({ blocks: [newBlock(type)] }).success, type).toBe(true);
    }
  });
});

describe("flow validation", () => {
  const blueprint = BLUEPRINTS.find((b) => b.id === "abandoned-cart")!.definition;
  const withText = (text: string) => ({
    ...blueprint,
    nodes: blueprint.nodes.map((node) =>
      node.type === "email" && node.id === "email-incentive" && node.content
        ? { ...node, content: { ...node.content, blocks: node.content.blocks.map((block, i) => (i === 2 ? { type: "text", text, align: "left" } : block)) } }
        : node,
    ),
  });

  it("refuses an unknown variable with the node, block and field it is in", () => {
    const index = blueprint.nodes.findIndex((node) => node.id === "email-incentive");
    const result = validateDefinition(withText("Hi {{ customer.nickname }}"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ path: `nodes[${index}].content.blocks[2].text`, message: expect.stringContaining('unknown variable "customer.nickname"') }]);
  });

  it("still reads a stored version whose template names an unknown variable (it renders empty)", () => {
    expect(StoredFlowDefinition.safeParse(withText("Hi {{ customer.nickname }}")).success).toBe(true);
  });

  it("takes exactly one of blocks or html and text", () => {
    const email = blueprint.nodes.find((node) => node.id === "email-reminder")!;
    const both = { ...blueprint, nodes: blueprint.nodes.map((node) => (node === email ? { ...node, html: "<p>x</p>", text: "x" } : node)) };
    const neither = { ...blueprint, nodes: blueprint.nodes.map((node) => (node === email ? { ...node, content: undefined } : node)) };
    const legacy = { ...blueprint, nodes: blueprint.nodes.map((node) => (node === email ? { ...node, content: undefined, html: "<p>Hi {{ customer.first_name }}</p>", text: "Hi" } : node)) };
    expect(validateDefinition(both).ok).toBe(false);
    expect(validateDefinition(neither).ok).toBe(false);
    expect(validateDefinition(legacy).ok).toBe(true);
  });
});
