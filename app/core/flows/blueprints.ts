// Ready-made flows a merchant turns on in one click. Isomorphic: the gallery shows them, the server creates them.
import type { EmailBlock, EmailContent } from "~/core/messaging/email/blocks";
import { FlowDefinition } from "./definition";

/** Opens an email: "Hi Ann," (or "Hi there,") and the first paragraph. */
const greeting = (text: string) => `{% if customer.first_name %}Hi {{ customer.first_name }},{% else %}Hi there,{% endif %}\n\n${text}`;

/**
 * The blueprints' email layout, as blocks (docs/email.md): logo, heading, greeting, the items, a discount code
 * when there is one, the button, a closing line, the footer (the store's address and unsubscribe).
 */
export function blueprintEmail(body: {
  heading: string;
  intro: string;
  /** Which items: the cart or checkout (recovery), or the order (after a purchase). */
  items?: "checkout" | "order" | null;
  discount?: { code: string; text: string };
  button: { label: string; href: string };
  outro?: string;
  extra?: EmailBlock[];
  footer: string;
}): { content: EmailContent } {
  const blocks: EmailBlock[] = [
    { type: "logo", align: "center" },
    { type: "heading", text: body.heading, align: "left" },
    { type: "text", text: greeting(body.intro), align: "left" },
    ...(body.items ? [{ type: "line_items" as const, source: body.items, showImages: true, showTotal: true }] : []),
    ...(body.discount ? [{ type: "discount" as const, code: body.discount.code, text: body.discount.text }] : []),
    { type: "button", label: body.button.label, href: body.button.href, align: "center" },
    ...(body.extra ?? []),
    ...(body.outro ? [{ type: "text" as const, text: body.outro, align: "left" as const }] : []),
    { type: "footer", text: body.footer },
  ];
  return { content: { version: 1, blocks } };
}

const CART_FOOTER = "You are receiving this because you left items in your cart at {{ shop.name }}.";
const RECOVER = "{{ checkout.recovery_url }}";

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
      ...blueprintEmail({
        heading: "We saved your items",
        intro: "We noticed you left a few things behind. We've kept them for you, ready when you are.",
        items: "checkout",
        button: { label: "Return to your cart", href: RECOVER },
        footer: CART_FOOTER,
      }),
      next: "wait-24h",
    },
    { id: "wait-24h", type: "delay", duration: { hours: 24 }, anchor: "trigger_activity", next: "email-incentive" },
    {
      id: "email-incentive",
      type: "email",
      name: "An incentive to come back",
      subject: "10% off the items in your cart",
      preheader: "Use code WELCOMEBACK at checkout.",
      ...blueprintEmail({
        heading: "A little something to help you decide",
        intro: "We'd love to see you again, so here is 10% off your order.",
        items: "checkout",
        discount: { code: "WELCOMEBACK", text: "Use this code at checkout for 10% off:" },
        button: { label: "Complete my order", href: RECOVER },
        outro: "Questions about sizing, shipping or returns? Just reply to this email.",
        footer: CART_FOOTER,
      }),
      next: "wait-72h",
    },
    { id: "wait-72h", type: "delay", duration: { hours: 72 }, anchor: "trigger_activity", next: "email-last-chance" },
    {
      id: "email-last-chance",
      type: "email",
      name: "Last chance",
      subject: "Last chance: your cart is about to expire",
      preheader: "We can't hold your items much longer.",
      ...blueprintEmail({
        heading: "Last chance to get your items",
        intro: "We can't hold your cart much longer, and popular items sell out.",
        items: "checkout",
        discount: { code: "WELCOMEBACK", text: "Your code still works for 10% off:" },
        button: { label: "Get my items", href: RECOVER },
        footer: CART_FOOTER,
      }),
      next: null,
    },
  ],
});

// Post-purchase and win-back (engine-nodes; emails in blocks, docs/flows.md#blueprints). A flow has one trigger and
// one kind (transactional or marketing), and its journeys are keyed by the customer, so "post-purchase" is a set of
// four flows: the confirmation and the shipping update are transactional, the review request and the cross-sell
// marketing; each turns on alone.
const ORDER_FOOTER = "You are receiving this because you ordered from {{ shop.name }}.";
const SHOP_URL = "{{ shop.url }}";

const orderConfirmation = FlowDefinition.parse({
  schemaVersion: 1,
  trigger: { type: "event", events: ["order.add"], entity: "customer", conditions: [{ path: "customer.email", op: "exists" }] },
  goal: null,
  // One journey per customer at a time: re-entry after a day lets the next order in (two orders the same day get
  // one confirmation: the engine has no order-keyed journeys yet, see ADR 0023).
  rules: { consent: "transactional", kind: "transactional", quietHours: null, reentry: { mode: "after", days: 1 } },
  entry: "email-confirmation",
  nodes: [
    {
      id: "email-confirmation",
      type: "email",
      name: "Order confirmation",
      subject: "Your order {{ order.name }} is confirmed",
      preheader: "Thank you for shopping at {{ shop.name }}.",
      ...blueprintEmail({
        heading: "Thank you for your order",
        intro: "We've received your order {{ order.name }} and are getting it ready. We'll write again when it ships.",
        items: "order",
        button: { label: "Visit the shop", href: SHOP_URL },
        footer: ORDER_FOOTER,
      }),
      next: null,
    },
  ],
});

const shippingUpdate = FlowDefinition.parse({
  schemaVersion: 1,
  trigger: { type: "event", events: ["order.shipment.add"], entity: "customer", conditions: [{ path: "customer.email", op: "exists" }] },
  goal: null,
  rules: { consent: "transactional", kind: "transactional", quietHours: null, reentry: { mode: "after", days: 1 } },
  entry: "email-shipped",
  nodes: [
    {
      id: "email-shipped",
      type: "email",
      name: "Shipping update",
      subject: "Your order is on its way",
      preheader: "Your {{ shop.name }} order has shipped.",
      ...blueprintEmail({
        heading: "Your order has shipped",
        intro: "Good news: your order is on its way. The carrier's tracking link is in your account at {{ shop.name }}.",
        items: "order",
        button: { label: "Track my order", href: SHOP_URL },
        footer: ORDER_FOOTER,
      }),
      next: null,
    },
  ],
});

const reviewRequest = FlowDefinition.parse({
  schemaVersion: 1,
  // A shipment marked delivered; the email asks about the items of the customer's latest order.
  trigger: {
    type: "event",
    events: ["order.shipment.update"],
    entity: "customer",
    conditions: [
      { path: "event.data.shipment.status", op: "eq", value: "delivered" },
      { path: "customer.email", op: "exists" },
    ],
  },
  goal: null,
  rules: { consent: "marketing", quietHours: { start: "21:00", end: "08:00" }, reentry: { mode: "after", days: 30 } },
  entry: "wait-7d",
  nodes: [
    // 7 days after delivery, then the next Tuesday-to-Thursday morning: 7 to 14 days after delivery.
    { id: "wait-7d", type: "delay", duration: { days: 7 }, next: "weekday-morning" },
    { id: "weekday-morning", type: "wait_until", time: "10:00", weekdays: ["tue", "wed", "thu"], next: "email-review" },
    {
      id: "email-review",
      type: "email",
      name: "Review request",
      subject: "How are you getting on with {{ order.line_items.first.title }}?",
      preheader: "A minute of your time helps other shoppers.",
      ...blueprintEmail({
        heading: "How did we do?",
        intro: "Your order arrived a week ago. We'd love to hear what you think of it.",
        items: null,
        button: { label: "Visit the shop", href: SHOP_URL },
        extra: [{ type: "review_request", heading: "Rate your items", text: "Tell other shoppers what you think.", buttonLabel: "Write a review", href: "{{ item.review_url }}" }],
        footer: ORDER_FOOTER,
      }),
      next: null,
    },
  ],
});

const crossSell = FlowDefinition.parse({
  schemaVersion: 1,
  trigger: { type: "event", events: ["order.add"], entity: "customer", conditions: [{ path: "customer.email", op: "exists" }] },
  // A new order before the email makes it moot.
  goal: { event: "order.add", scope: "customer", label: "ordered again" },
  rules: { consent: "marketing", quietHours: { start: "21:00", end: "08:00" }, reentry: { mode: "after", days: 30 } },
  entry: "wait-21d",
  nodes: [
    // 21 days after the purchase, then the next Tuesday-to-Thursday morning (21 to 28 days).
    { id: "wait-21d", type: "delay", duration: { days: 21 }, next: "weekday-morning" },
    { id: "weekday-morning", type: "wait_until", time: "10:00", weekdays: ["tue", "wed", "thu"], next: "email-cross-sell" },
    {
      id: "email-cross-sell",
      type: "email",
      name: "Cross-sell",
      subject: "Picked for you at {{ shop.name }}",
      preheader: "Goes well with {{ order.line_items.first.title }}.",
      ...blueprintEmail({
        heading: "Made to go together",
        intro: "Thanks again for your order. Here is something that goes well with it.",
        items: null,
        button: { label: "See more", href: SHOP_URL },
        extra: [{ type: "recommendations", heading: "You might also like", limit: 4, buttonLabel: "Shop now", href: "{{ item.url }}" }],
        footer: ORDER_FOOTER,
      }),
      next: null,
    },
  ],
});

const WINBACK_FOOTER = "You are receiving this because you shopped at {{ shop.name }}.";

const winBack = FlowDefinition.parse({
  schemaVersion: 1,
  // 90 days after the last order: a per-customer timer each order resets (not a daily scan).
  trigger: { type: "inactivity", days: 90, conditions: [{ path: "customer.email", op: "exists" }] },
  goal: { event: "order.add", scope: "customer", label: "ordered again" },
  // After the journey, the next order arms the timer again; a customer can be won back more than once a year.
  rules: { consent: "marketing", quietHours: { start: "21:00", end: "08:00" }, reentry: { mode: "after", days: 30 } },
  entry: "email-miss-you",
  nodes: [
    {
      id: "email-miss-you",
      type: "email",
      name: "We miss you",
      subject: "We miss you{% if customer.first_name %}, {{ customer.first_name }}{% endif %}",
      preheader: "It's been a while. Here's what's new at {{ shop.name }}.",
      ...blueprintEmail({
        heading: "It's been a while",
        intro: "We haven't seen you in a few months and wanted to say hello. A lot has changed since your last visit.",
        items: null,
        button: { label: "See what's new", href: SHOP_URL },
        footer: WINBACK_FOOTER,
      }),
      next: "wait-7d-offer",
    },
    { id: "wait-7d-offer", type: "delay", duration: { days: 7 }, next: "make-code" },
    // A code for this customer only: single use, 14 days. No store can make codes → the offer email still goes,
    // without a code (the email shows its section only when there is one).
    { id: "make-code", type: "discount_code", prefix: "COMEBACK", kind: "percent", value: 15, expiresAfter: { days: 14 }, onFailure: "continue", next: "email-offer" },
    {
      id: "email-offer",
      type: "email",
      name: "A stronger offer",
      subject: "15% off, just for you",
      preheader: "Your personal code is inside.",
      ...blueprintEmail({
        heading: "Come back for 15% off",
        intro: "To welcome you back, here is 15% off your next order. Your code works once and expires {{ discount.expires_at }}.",
        items: null,
        discount: { code: "{{ discount.code }}", text: "Your personal code:" },
        button: { label: "Shop now", href: SHOP_URL },
        footer: WINBACK_FOOTER,
      }),
      next: "wait-7d-survey",
    },
    { id: "wait-7d-survey", type: "delay", duration: { days: 7 }, next: "email-survey" },
    {
      id: "email-survey",
      type: "email",
      name: "One question",
      subject: "One quick question",
      preheader: "What kept you away? One click to answer.",
      ...blueprintEmail({
        heading: "Can we ask you one thing?",
        intro: "What has kept you from shopping with us lately? Reply to this email with a word or two: we read every answer.",
        items: null,
        button: { label: "Visit the shop", href: SHOP_URL },
        outro: "Too expensive? Didn't find what you wanted? Shopping elsewhere? Any answer helps.",
        footer: WINBACK_FOOTER,
      }),
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
  {
    id: "post-purchase-confirmation",
    name: "Post-purchase 1: order confirmation",
    summary: "A transactional confirmation of every order, with its items. Part of the post-purchase set (four flows, each on its own).",
    steps: ["On order: thank you, your order and its items"],
    note: "Transactional: sent to every buyer, also without marketing consent. Two orders on the same day get one confirmation.",
    definition: orderConfirmation,
  },
  {
    id: "post-purchase-shipping",
    name: "Post-purchase 2: shipping update",
    summary: "A transactional note when an order ships. Part of the post-purchase set.",
    steps: ["On shipment: your order is on its way"],
    note: "Points to the shop for tracking: the shipment's tracking link is not yet an email variable.",
    definition: shippingUpdate,
  },
  {
    id: "post-purchase-review",
    name: "Post-purchase 3: review request",
    summary: "7 to 14 days after delivery, asks for a review of each item, with its name and picture. Part of the post-purchase set.",
    steps: ["Shipment delivered", "7 days, then the next Tue-Thu 10:00", "How did we do? (one review button per product)"],
    note: "Needs delivery updates from your store (Shopify fulfillment events). Each review button goes to the product's page (its #reviews section) from your synced catalogue; change the link for a reviews app's form.",
    definition: reviewRequest,
  },
  {
    id: "post-purchase-cross-sell",
    name: "Post-purchase 4: cross-sell",
    summary: "21 to 28 days after a purchase, products that go with it; skipped when the customer orders again first. Part of the post-purchase set.",
    steps: ["On order", "21 days, then the next Tue-Thu 10:00", "Picked for you (bought together, then best sellers)"],
    note: "Recommends from your synced catalogue: products often bought with the order's, then best sellers in its categories, then overall; never what the customer already bought.",
    definition: crossSell,
  },
  {
    id: "win-back",
    name: "Win-back",
    summary: "90 days after a customer's last order: we miss you, a week later a personal discount code, a week later one question. Ends the moment they order.",
    steps: ["90 days after the last order: we miss you", "+7 days: a single-use 15% code made for them", "+7 days: one question"],
    note: "The code is created in your store (Shopify or WooCommerce). Each order restarts the 90 days.",
    definition: winBack,
  },
];

export function findBlueprint(id: string): Blueprint | undefined {
  return BLUEPRINTS.find((blueprint) => blueprint.id === id);
}
