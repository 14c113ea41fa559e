// The hand-written (html + text) email templates of older flows: they still render as they always did.
import { emailContext } from "./email/context";
import { checkTemplate, renderEmail } from "./render";

/** A hand-written reminder, as flows stored before block templates held them. */
const reminder = {
  subject: "We saved your items{% if customer.first_name %}, {{ customer.first_name }}{% endif %}",
  preheader: "Your cart at {{ shop.name }} is waiting.",
  html: `<p>Hi {{ customer.first_name }}</p><p>{{ shop.name }}</p>{% for item in checkout.line_items %}<img src="{{ item.image_url }}">{{ item.title }} {{ item.price }}{% endfor %} {{ checkout.total }}
<a href="{{ checkout.recovery_url }}">Return</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>`,
  text: `{% for item in checkout.line_items %}- {{ item.title }}{% if item.variant_title %} ({{ item.variant_title }}){% endif %} x {{ item.quantity }}: {{ item.price }}
{% endfor %}{{ checkout.recovery_url }}
Unsubscribe: {{ unsubscribe_url }}`,
};

const context = emailContext({
  shop: { name: "Tea & Co", email: "hi@tea.example", url: null, address: null },
  customer: { firstName: "<Ann>", lastName: null, email: "ann@example.com" },
  basket: {
    currency: "EUR",
    totalPrice: 2450,
    subtotalPrice: 2450,
    recoveryUrl: "https://tea.example/recover?key=1",
    lineItems: [{ productId: "1", variantId: "2", sku: null, title: "Sencha", variantTitle: "100 g", quantity: 2, price: 1225, imageUrl: "https://cdn.example/sencha.png" }],
  },
  unsubscribeUrl: "https://app.example/unsubscribe/msg_1.sig",
});

describe("renderEmail", () => {
  it("personalises a hand-written reminder with the customer's items, escaping HTML", async () => {
    const email = await renderEmail(reminder, context);
    expect(email.subject).toBe("We saved your items, <Ann>");
    expect(email.html).toContain("Hi &lt;Ann&gt;");
    expect(email.html).toContain("Sencha");
    expect(email.html).toContain("€12.25");
    expect(email.html).toContain("€24.50");
    expect(email.html).toContain('src="https://cdn.example/sencha.png"');
    expect(email.html).toContain('href="https://tea.example/recover?key=1"');
    expect(email.html).toContain("Tea &amp; Co");
    expect(email.text).toContain("- Sencha (100 g) x 2: €12.25");
    expect(email.text).toContain("https://tea.example/recover?key=1");
    expect(email.html).toContain('href="https://app.example/unsubscribe/msg_1.sig"');
    expect(email.text).toContain("Unsubscribe: https://app.example/unsubscribe/msg_1.sig");
  });

  it("reports Liquid syntax errors", () => {
    expect(checkTemplate("{% if x %}unclosed")).toHaveLength(1);
    expect(checkTemplate("Hello {{ customer.first_name }}")).toEqual([]);
  });
});
