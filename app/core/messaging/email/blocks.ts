// Block-based email templates: the document an email node holds as `content` (versioned, zod-validated), the
// variables its Liquid may name (by the flow's trigger), and the save-time check of every Liquid string in it.
// Isomorphic: the builder validates drafts with it in the browser; email/render.server.ts turns it into MJML,
// HTML and plain text. Documented in docs/email.md.
import { Liquid, type Template } from "liquidjs";
import { z } from "zod";

/** A Liquid string: merchant text with `{{ customer.first_name }}` and friends, HTML-escaped when rendered. */
const LiquidText = (max: number) => z.string().max(max, `at most ${max} characters`);
/** A link or image address: a Liquid string that must render to an http(s) URL (checked at send time). */
const LiquidUrl = z.string().min(1, "enter an address (https://… or a variable such as {{ checkout.recovery_url }})").max(2000);
const Align = z.enum(["left", "center", "right"]);

/** The recommendations block's default link: each product's page. */
export const PRODUCT_PAGE_HREF = "{{ item.url }}";
/** The review request's default link: each product page's reviews (`#reviews`), the shop when the page is unknown. */
export const REVIEW_PAGE_HREF = "{{ item.review_url }}";
/**
 * What both blocks' `href` defaulted to before the catalogue: stored emails still hold it. It now means the
 * default (the product's page, its reviews), so old flows link each product without being edited.
 */
export const LEGACY_SHOP_HREF = "{{ shop.url }}";

export const LogoBlock = z.object({
  type: z.literal("logo"),
  /** The workspace's logo (branding), else the shop's name as text. */
  align: Align.default("center"),
});
export const HeadingBlock = z.object({
  type: z.literal("heading"),
  text: LiquidText(300).min(1, "a heading needs text"),
  align: Align.default("left"),
});
export const TextBlock = z.object({
  type: z.literal("text"),
  /** Paragraphs are separated by a blank line; single line breaks are kept. No HTML: it is shown as typed. */
  text: LiquidText(5000).min(1, "a text block needs text"),
  align: Align.default("left"),
});
export const ImageBlock = z.object({
  type: z.literal("image"),
  src: LiquidUrl,
  alt: LiquidText(300).default(""),
  href: LiquidUrl.optional(),
  /** Pixels at desktop width; the image shrinks on narrow screens. */
  width: z.number().int().min(16).max(600).optional(),
});
export const ButtonBlock = z.object({
  type: z.literal("button"),
  label: LiquidText(100).min(1, "a button needs a label"),
  href: LiquidUrl,
  align: Align.default("center"),
});
export const LineItemsBlock = z.object({
  type: z.literal("line_items"),
  /** Whose items: the order's, or the checkout's (else the cart's). `auto`: the order when there is one. */
  source: z.enum(["auto", "checkout", "order"]).default("auto"),
  showImages: z.boolean().default(true),
  showTotal: z.boolean().default(true),
});
export const RecommendationsBlock = z.object({
  type: z.literal("recommendations"),
  heading: LiquidText(200).default("You might also like"),
  /** The catalogue's recommendations for the basket or order (core/catalogue): up to this many, two per row. */
  limit: z.number().int().min(1).max(6).default(4),
  buttonLabel: LiquidText(60).default("Shop now"),
  /** Per product: Liquid that also sees `item` (a recommended product). Default: the product's page. */
  href: LiquidUrl.default(PRODUCT_PAGE_HREF),
});
export const DiscountBlock = z.object({
  type: z.literal("discount"),
  /** The code, also `{{ discount.code }}` everywhere in this email. */
  code: z.string().min(1, "enter the discount code").max(100),
  text: LiquidText(500).default("Use this code at checkout:"),
});
export const ReviewRequestBlock = z.object({
  type: z.literal("review_request"),
  heading: LiquidText(200).default("How did we do?"),
  text: LiquidText(1000).default("Tell other shoppers what you think."),
  buttonLabel: LiquidText(60).default("Write a review"),
  /** Per product: Liquid that also sees `item` (`{{ item.url }}`, `{{ item.product_id }}`). Default: the product page's reviews. */
  href: LiquidUrl.default(REVIEW_PAGE_HREF),
});
export const DividerBlock = z.object({ type: z.literal("divider") });
export const FooterBlock = z.object({
  type: z.literal("footer"),
  /** Above the store's address (branding) and the unsubscribe link, which the footer always shows. */
  text: LiquidText(1000).default(""),
});

export const EmailBlock = z.discriminatedUnion(
  "type",
  [LogoBlock, HeadingBlock, TextBlock, ImageBlock, ButtonBlock, LineItemsBlock, RecommendationsBlock, DiscountBlock, ReviewRequestBlock, DividerBlock, FooterBlock],
  { error: "a block's type is one of logo, heading, text, image, button, line_items, recommendations, discount, review_request, divider, footer" },
);
export type EmailBlock = z.infer<typeof EmailBlock>;
export type EmailBlockType = EmailBlock["type"];

/** The block document of an email node. `version` lets the format change without breaking stored flows. */
export const EmailContent = z.object({
  version: z.literal(1).default(1),
  blocks: z.array(EmailBlock).min(1, "an email needs at least one block").max(60, "at most 60 blocks"),
});
export type EmailContent = z.infer<typeof EmailContent>;

export const BLOCK_LABELS: Record<EmailBlockType, string> = {
  logo: "Logo",
  heading: "Heading",
  text: "Text",
  image: "Image",
  button: "Button",
  line_items: "Items (cart or order)",
  recommendations: "Product recommendations",
  discount: "Discount code",
  review_request: "Review request",
  divider: "Divider",
  footer: "Footer",
};

/** A new block of a type with sensible defaults (the editor's "Add block"). */
export function newBlock(type: EmailBlockType): EmailBlock {
  switch (type) {
    case "logo":
      return { type, align: "center" };
    case "heading":
      return { type, text: "A note from {{ shop.name }}", align: "left" };
    case "text":
      return { type, text: "Hi {{ customer.first_name | default: 'there' }},", align: "left" };
    case "image":
      return { type, src: "https://", alt: "" };
    case "button":
      return { type, label: "Visit the store", href: "{{ shop.url }}", align: "center" };
    case "line_items":
      return { type, source: "auto", showImages: true, showTotal: true };
    case "recommendations":
      return { type, heading: "You might also like", limit: 4, buttonLabel: "Shop now", href: PRODUCT_PAGE_HREF };
    case "discount":
      return { type, code: "WELCOMEBACK", text: "Use this code at checkout:" };
    case "review_request":
      return { type, heading: "How did we do?", text: "Tell other shoppers what you think.", buttonLabel: "Write a review", href: REVIEW_PAGE_HREF };
    case "divider":
      return { type };
    case "footer":
      return { type, text: "" };
  }
}

// ─── Variables ──────────────────────────────────────────────────────────────────────────────────────────────

/** A known variable: a leaf (string or number), an object of named fields, or a list of objects. */
export type VariableTree = { [name: string]: VariableTree | "leaf" | { list: VariableTree } };

const LINE_ITEM: VariableTree = {
  title: "leaf",
  variant_title: "leaf",
  quantity: "leaf",
  price: "leaf",
  line_price: "leaf",
  image_url: "leaf",
  product_id: "leaf",
  /** The product's page (the catalogue's), "" when unknown. */
  url: "leaf",
  /** The product page's reviews, else the shop. */
  review_url: "leaf",
};
/** A recommended product: `recommendations[]`, and `item` in the recommendations block's link. */
const RECOMMENDED: VariableTree = {
  title: "leaf",
  url: "leaf",
  image_url: "leaf",
  price: "leaf",
  product_id: "leaf",
};
const BASKET: VariableTree = {
  line_items: { list: LINE_ITEM },
  item_count: "leaf",
  total: "leaf",
  subtotal: "leaf",
  recovery_url: "leaf",
  currency: "leaf",
};
const ORDER: VariableTree = {
  name: "leaf",
  line_items: { list: LINE_ITEM },
  item_count: "leaf",
  total: "leaf",
  subtotal: "leaf",
  currency: "leaf",
  placed_at: "leaf",
};

/** What an email's trigger provides, as far as the templates are concerned. */
export interface TriggerShape {
  /** Checkout and cart journeys: `checkout.*` and `cart.*`. */
  basket: boolean;
  /** Order-triggered journeys (the order) and customer journeys (their latest order): `order.*`. */
  order: boolean;
}

/** Whether an email node reads the catalogue's recommendations (a recommendations block, or Liquid naming them). */
export function usesRecommendations(node: { html?: unknown; text?: unknown; subject?: unknown; content?: { blocks?: unknown } | null }): boolean {
  const blocks = Array.isArray(node.content?.blocks) ? node.content.blocks : [];
  if (blocks.some((block) => typeof block === "object" && block !== null && "type" in block && block.type === "recommendations")) return true;
  return [node.html, node.text, node.subject, JSON.stringify(blocks)].some((part) => typeof part === "string" && part.includes("recommendations"));
}

/** The shape of the flow's trigger, from its definition (loose: drafts may be half-edited). */
export function triggerShape(trigger: unknown): TriggerShape {
  const t = (trigger ?? {}) as { type?: unknown; entity?: unknown; events?: unknown };
  if (t.type !== "event") return { basket: false, order: true };
  const events = Array.isArray(t.events) ? t.events.filter((event): event is string => typeof event === "string") : [];
  const basket = t.entity === "checkout" || t.entity === "cart" || events.some((event) => event.startsWith("checkout.") || event.startsWith("cart."));
  const order = t.entity === "customer" || events.some((event) => event.startsWith("order."));
  return { basket, order };
}

/** The variables an email of a flow with this trigger can use. */
export function emailVariables(shape: TriggerShape): VariableTree {
  return {
    shop: { name: "leaf", email: "leaf", url: "leaf", address: "leaf" },
    customer: { first_name: "leaf", last_name: "leaf", email: "leaf" },
    unsubscribe_url: "leaf",
    message: { preheader: "leaf" },
    // A discount_code step's code earlier in the journey, else the code of this email's discount block.
    discount: { code: "leaf", value: "leaf", expires_at: "leaf", expires_at_iso: "leaf" },
    // The catalogue's recommendations for the basket or order (empty without a catalogue).
    recommendations: { list: RECOMMENDED },
    ...(shape.basket ? { checkout: BASKET, cart: BASKET } : {}),
    ...(shape.order ? { order: ORDER } : {}),
  };
}

/** Liquid's own properties of any value: `{{ items.size }}`, `{{ items.first.title }}`. */
const BUILTIN = new Set(["size", "first", "last"]);

type VariableNode = VariableTree | "leaf" | { list: VariableTree };

function isList(node: VariableNode): node is { list: VariableTree } {
  return typeof node === "object" && Object.keys(node).length === 1 && typeof (node as { list?: unknown }).list === "object";
}

/** Null when a variable's path exists in the tree; else the message saying what is wrong with it. */
export function unknownVariable(tree: VariableTree, segments: (string | number)[]): string | null {
  let node: VariableNode = tree;
  const walked: string[] = [];
  const here = () => walked.join(".");
  for (const segment of segments) {
    const name = String(segment);
    if (node === "leaf") return BUILTIN.has(name) ? null : `${here()} has no field "${name}"`;
    if (isList(node)) {
      if (typeof segment === "number" || /^\d+$/.test(name) || name === "first" || name === "last") {
        node = node.list;
        walked.push(name);
        continue;
      }
      if (name === "size") return null;
      return `${here()} is a list: loop over it ({% for item in ${here()} %}) or use .first or .size`;
    }
    const next: VariableNode | undefined = Object.hasOwn(node, name) ? node[name] : undefined;
    if (next === undefined) {
      if (walked.length === 0) return `unknown variable "${name}"`;
      if (BUILTIN.has(name)) return null;
      return `unknown variable "${here()}.${name}" (${here()} has ${Object.keys(node).join(", ")})`;
    }
    node = next;
    walked.push(name);
  }
  return null;
}

// ─── Save-time checks ───────────────────────────────────────────────────────────────────────────────────────

const checker = new Liquid({ strictFilters: true, ownPropertyOnly: true });

/** One problem inside an email node: the field's path within the node, and what is wrong. */
export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

/** Parses one Liquid string and checks each variable it reads against the known ones (plus `extra` locals). */
export function checkLiquid(source: string, variables: VariableTree): string[] {
  let template: Template[];
  try {
    template = checker.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return [`Liquid error: ${message}`];
  }
  let segments: (string | number)[][];
  try {
    // A dynamic index (`items[i]`) ends the path that can be checked: keep the segments before it.
    segments = checker.globalVariableSegmentsSync(template).map((path) => {
      const cut = path.findIndex((segment) => typeof segment !== "string" && typeof segment !== "number");
      return (cut === -1 ? path : path.slice(0, cut)) as (string | number)[];
    });
  } catch (error) {
    return [`Liquid error: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems = new Set<string>();
  for (const path of segments) {
    const problem = unknownVariable(variables, path);
    if (problem) problems.add(problem);
  }
  return [...problems];
}

/**
 * The Liquid strings of a block, each with its field name; `item` says the field also sees one product: a
 * recommended one, or a line item of the order or basket.
 */
export function liquidFieldsOf(block: EmailBlock): { field: string; source: string; item?: "recommended" | "line_item" }[] {
  switch (block.type) {
    case "heading":
    case "text":
      return [{ field: "text", source: block.text }];
    case "image":
      return [{ field: "src", source: block.src }, { field: "alt", source: block.alt ?? "" }, ...(block.href ? [{ field: "href", source: block.href }] : [])];
    case "button":
      return [{ field: "label", source: block.label }, { field: "href", source: block.href }];
    case "recommendations":
      return [{ field: "heading", source: block.heading ?? "" }, { field: "buttonLabel", source: block.buttonLabel ?? "" }, { field: "href", source: block.href ?? "", item: "recommended" }];
    case "discount":
      return [{ field: "code", source: block.code }, { field: "text", source: block.text ?? "" }];
    case "review_request":
      return [
        { field: "heading", source: block.heading ?? "" },
        { field: "text", source: block.text ?? "" },
        { field: "buttonLabel", source: block.buttonLabel ?? "" },
        { field: "href", source: block.href ?? "", item: "line_item" },
      ];
    case "footer":
      return [{ field: "text", source: block.text ?? "" }];
    case "logo":
    case "line_items":
    case "divider":
      return [];
  }
}

/**
 * Every Liquid string of an email node checked against the variables of the flow's trigger: syntax errors,
 * unknown filters and unknown variables, each at its path inside the node (`content.blocks[2].text`, `subject`).
 */
export function emailTemplateProblems(
  node: { subject?: unknown; preheader?: unknown; html?: unknown; text?: unknown; content?: { blocks?: unknown } },
  shape: TriggerShape,
): TemplateProblem[] {
  const variables = emailVariables(shape);
  const withItem = { recommended: { ...variables, item: RECOMMENDED }, line_item: { ...variables, item: LINE_ITEM } };
  const problems: TemplateProblem[] = [];
  const check = (path: (string | number)[], source: unknown, tree = variables) => {
    if (typeof source !== "string" || source === "") return;
    for (const message of checkLiquid(source, tree)) problems.push({ path, message });
  };
  check(["subject"], node.subject);
  check(["preheader"], node.preheader);
  check(["html"], node.html);
  check(["text"], node.text);
  const blocks = Array.isArray(node.content?.blocks) ? (node.content.blocks as unknown[]) : [];
  blocks.forEach((raw, index) => {
    const parsed = EmailBlock.safeParse(raw);
    if (!parsed.success) return; // the schema reports it
    for (const field of liquidFieldsOf(parsed.data)) check(["content", "blocks", index, field.field], field.source, field.item ? withItem[field.item] : variables);
  });
  return problems;
}
