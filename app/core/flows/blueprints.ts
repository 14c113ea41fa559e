// Ready-made flows a merchant turns on in one click. Isomorphic: the gallery shows them, the server creates them.
import { FlowDefinition } from "./definition";

/** One email layout for the blueprints: a table layout that renders in the major clients, a hidden preheader. */
function emailHtml(body: { heading: string; intro: string; button: string; outro?: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${body.heading}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a">
<div style="display:none;max-height:0;overflow:hidden">{{ message.preheader }}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px 32px 0;font-size:14px;color:#6b7280">{{ shop.name }}</td></tr>
<tr><td style="padding:16px 32px 0"><h1 style="margin:0;font-size:22px;line-height:1.3">${body.heading}</h1></td></tr>
<tr><td style="padding:12px 32px 0;font-size:16px;line-height:1.5">${body.intro}</td></tr>
<tr><td style="padding:16px 32px 0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
{% for item in checkout.line_items %}<tr>
<td width="72" style="padding:8px 0">{% if item.image_url %}<img src="{{ item.image_url }}" width="64" height="64" alt="{{ item.title }}" style="display:block;border-radius:4px;object-fit:cover">{% endif %}</td>
<td style="padding:8px 12px;font-size:15px">{{ item.title }}{% if item.variant_title %}<br><span style="color:#6b7280;font-size:13px">{{ item.variant_title }}</span>{% endif %}<br><span style="color:#6b7280;font-size:13px">Qty {{ item.quantity }}</span></td>
<td align="right" style="padding:8px 0;font-size:15px;white-space:nowrap">{{ item.price }}</td>
</tr>{% endfor %}
<tr><td></td><td style="padding:12px 12px 0;font-weight:600">Total</td><td align="right" style="padding:12px 0 0;font-weight:600">{{ checkout.total }}</td></tr>
</table></td></tr>
<tr><td align="center" style="padding:24px 32px"><a href="{{ checkout.recovery_url }}" style="display:inline-block;background:#111827;color:#ffffff;text-decoration:none;padding:12px 24px;border-radius:6px;font-weight:600">${body.button}</a></td></tr>
${body.outro ? `<tr><td style="padding:0 32px 24px;font-size:14px;line-height:1.5;color:#374151">${body.outro}</td></tr>` : ""}
</table>
<p style="font-size:12px;color:#9ca3af;margin:16px 0 0">You are receiving this because you left items in your cart at {{ shop.name }}.{% if unsubscribe_url %} <a href="{{ unsubscribe_url }}" style="color:#6b7280">Unsubscribe</a>{% endif %}</p>
</td></tr></table></body></html>`;
}

function emailText(body: { intro: string; button: string; outro?: string }): string {
  return `{{ shop.name }}

${body.intro}

{% for item in checkout.line_items %}- {{ item.title }}{% if item.variant_title %} ({{ item.variant_title }}){% endif %} x {{ item.quantity }}: {{ item.price }}
{% endfor %}Total: {{ checkout.total }}

${body.button}: {{ checkout.recovery_url }}
${body.outro ? `\n${body.outro}\n` : ""}{% if unsubscribe_url %}
Unsubscribe: {{ unsubscribe_url }}
{% endif %}`;
}

const greeting = `{% if customer.first_name %}Hi {{ customer.first_name }}, w{% else %}W{% endif %}`;

const abandonedCart = FlowDefinition.parse({
  schemaVersion: 1,
  trigger: {
    type: "event",
    // One journey per cart: a storefront-captured cart of a known shopper that never reaches checkout, or a
    // checkout (which joins the journey of the cart it came from, so nobody is enrolled twice).
    events: ["checkout.create", "checkout.update", "cart.update"],
    entity: "cart",
    // Someone we can write to, with something in the cart, and no order from it yet.
    conditions: [
      { path: "cart.email", op: "exists" },
      { path: "cart.itemCount", op: "gt", value: 0 },
      { path: "cart.converted", op: "eq", value: false },
    ],
  },
  // This cart (or a checkout made from it) was ordered.
  // The customer ordering anything ends it, and so does this cart's own order placed under another email.
  goal: { event: "order.add", scope: "customer_or_entity", label: "order placed" },
  // Mirrors Shopify's own abandoned-checkout default ("Anyone who abandons"): reminders about a checkout the
  // shopper started go out whatever their marketing consent. The merchant can switch this flow to "marketing".
  rules: { consent: "transactional", quietHours: null },
  entry: "wait-1h",
  nodes: [
    { id: "wait-1h", type: "delay", duration: { hours: 1 }, anchor: "trigger_activity", next: "email-reminder" },
    {
      id: "email-reminder",
      type: "email",
      name: "We saved your items",
      subject: "We saved your items{% if customer.first_name %}, {{ customer.first_name }}{% endif %}",
      preheader: "Your cart at {{ shop.name }} is waiting for you.",
      html: emailHtml({
        heading: "We saved your items",
        intro: `${greeting}e noticed you left a few things behind. We've kept them for you, ready when you are.`,
        button: "Return to your cart",
      }),
      text: emailText({ intro: `${greeting}e noticed you left a few things behind. We've kept them for you.`, button: "Return to your cart" }),
      next: "wait-24h",
    },
    { id: "wait-24h", type: "delay", duration: { hours: 24 }, anchor: "trigger_activity", next: "email-incentive" },
    {
      id: "email-incentive",
      type: "email",
      name: "An incentive to come back",
      subject: "10% off the items in your cart",
      preheader: "Use code WELCOMEBACK at checkout.",
      html: emailHtml({
        heading: "A little something to help you decide",
        intro: `${greeting}e'd love to see you again. Use code <strong>WELCOMEBACK</strong> at checkout for 10% off your order.`,
        button: "Complete my order",
        outro: "Questions about sizing, shipping or returns? Just reply to this email.",
      }),
      text: emailText({ intro: `${greeting}e'd love to see you again. Use code WELCOMEBACK at checkout for 10% off.`, button: "Complete my order" }),
      next: "wait-72h",
    },
    { id: "wait-72h", type: "delay", duration: { hours: 72 }, anchor: "trigger_activity", next: "email-last-chance" },
    {
      id: "email-last-chance",
      type: "email",
      name: "Last chance",
      subject: "Last chance: your cart is about to expire",
      preheader: "We can't hold your items much longer.",
      html: emailHtml({
        heading: "Last chance to get your items",
        intro: `${greeting}e can't hold your cart much longer, and popular items sell out. Your code WELCOMEBACK still works.`,
        button: "Get my items",
      }),
      text: emailText({ intro: `${greeting}e can't hold your cart much longer. Your code WELCOMEBACK still works.`, button: "Get my items" }),
      next: null,
    },
  ],
});

export interface Blueprint {
  id: string;
  name: string;
  summary: string;
  steps: string[];
  /** What the merchant should know before turning it on. */
  note: string | null;
  definition: FlowDefinition;
}

export const BLUEPRINTS: Blueprint[] = [
  {
    id: "abandoned-cart",
    name: "Abandoned cart",
    summary: "Win back shoppers who leave a cart or a checkout without buying: three emails over three days, stopped the moment they order it.",
    steps: ["1 hour after the cart's last activity: we saved your items", "24 hours: an incentive (code WELCOMEBACK)", "72 hours: last chance"],
    note: "Email 2 offers the code WELCOMEBACK: create it under Discounts in your store, or edit the email.",
    definition: abandonedCart,
  },
];

export function findBlueprint(id: string): Blueprint | undefined {
  return BLUEPRINTS.find((blueprint) => blueprint.id === id);
}
