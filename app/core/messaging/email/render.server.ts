// Block document → responsive HTML (through MJML) and a plain-text part, personalised with Liquid. Every Liquid
// string is rendered as text and HTML-escaped here, so a customer named `<script>` stays text. Never throws on a
// template: a string that fails to render falls back to its text without Liquid tags, and the failure is
// reported in `warnings` (templates are checked at save time; this is the last line of defence).
// ADR 0022 says why MJML and what it costs per email.
import mjml2html from "mjml";
import { Liquid, type Template } from "liquidjs";
import { FONT_STACKS, contrastText, type Branding } from "../branding";
import { LEGACY_SHOP_HREF, PRODUCT_PAGE_HREF, REVIEW_PAGE_HREF, type EmailBlock, type EmailContent } from "./blocks";

const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });

/** Parsed templates by source: the same flow renders the same strings for every recipient. */
const parsedCache = new Map<string, Template[]>();
const MAX_CACHED = 5000;

export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** Strings that failed to render (they fell back to their text); empty normally. */
  warnings: string[];
}

export interface BlockEmailInput {
  subject: string;
  preheader: string;
  content: EmailContent;
}

export interface RenderOptions {
  branding: Branding;
  /**
   * Rewrites the links of the HTML part (click tracking): called with each link's URL and its index in the
   * email, returns the URL to put there. The unsubscribe link and mailto: links are left as they are.
   */
  trackLink?: (url: string, index: number) => string;
}

// ─── Small helpers ──────────────────────────────────────────────────────────────────────────────────────────

export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** http(s) and mailto: only; anything else (javascript:, data:, a typo) renders no link. */
function safeUrl(value: string): string | null {
  const url = value.trim();
  return /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(url) ? url : null;
}

/** Image sources may also be data: images (the preview's samples). */
function safeImage(value: string): string | null {
  const url = value.trim();
  return /^(https?:\/\/[^\s]+|data:image\/[a-z+]+;base64,[A-Za-z0-9+/=]+)$/i.test(url) ? url : null;
}

class Renderer {
  readonly warnings: string[] = [];
  constructor(private readonly context: Record<string, unknown>) {}

  /** Renders a Liquid string as plain text; on failure, the source without its Liquid tags. */
  text(source: string | undefined, extra?: Record<string, unknown>): string {
    if (!source) return "";
    if (!source.includes("{")) return source;
    try {
      let parsed = parsedCache.get(source);
      if (!parsed) {
        parsed = liquid.parse(source);
        if (parsedCache.size >= MAX_CACHED) parsedCache.clear();
        parsedCache.set(source, parsed);
      }
      return String(liquid.renderSync(parsed, extra ? { ...this.context, ...extra } : this.context));
    } catch (error) {
      this.warnings.push(`${JSON.stringify(source.slice(0, 80))}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      return source.replace(/\{%-?[\s\S]*?-?%\}|\{\{-?[\s\S]*?-?\}\}/g, "").trim();
    }
  }

  /** The same, HTML-escaped, line breaks kept. */
  html(source: string | undefined, extra?: Record<string, unknown>): string {
    return escapeHtml(this.text(source, extra)).replace(/\r?\n/g, "<br>");
  }
}

interface Item {
  title: string;
  variant_title: string;
  quantity: number;
  price: string;
  line_price: string;
  image_url: string;
  product_id: string;
}

/** A recommended product as emailContext() puts it in `recommendations`. */
interface Recommended {
  title: string;
  url: string;
  image_url: string;
  price: string;
  product_id: string;
}

function recommendationsOf(context: Record<string, unknown>, limit: number): Recommended[] {
  const list = context.recommendations;
  return Array.isArray(list) ? (list as Recommended[]).slice(0, limit) : [];
}

/** A block's per-product link: what the merchant typed, or the default for the legacy `{{ shop.url }}`. */
function productHref(href: string | undefined, fallback: string): string {
  return !href || href.trim() === LEGACY_SHOP_HREF ? fallback : href;
}

interface ItemList {
  line_items: Item[];
  total: string;
  subtotal: string;
}

function itemsFor(context: Record<string, unknown>, source: "auto" | "checkout" | "order"): ItemList | null {
  const order = context.order as ItemList | null | undefined;
  const checkout = (context.checkout ?? context.cart) as ItemList | null | undefined;
  const list = source === "order" ? order : source === "checkout" ? checkout : (order ?? checkout);
  return list && Array.isArray(list.line_items) ? list : null;
}

/** Distinct products of the order or basket (one entry per product, first variant's picture). */
function productsOf(list: ItemList | null, limit: number): Item[] {
  const seen = new Set<string>();
  const out: Item[] = [];
  for (const item of list?.line_items ?? []) {
    const key = item.product_id || item.title;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

// ─── MJML ───────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Values go into the MJML as placeholders and into the compiled HTML afterwards: the MJML of two recipients with
 * the same template, branding and item counts is then the same string, compiled once (ADR 0022). Each value is
 * escaped (or already-escaped HTML) before it is stored.
 */
class Slots {
  readonly values: string[] = [];
  /** Escapes a value and holds it. */
  esc(value: string): string {
    return this.raw(escapeHtml(value));
  }
  /** Holds a piece of HTML that is already safe (escaped text with <br>). */
  raw(html: string): string {
    this.values.push(html);
    return `${SLOT_PREFIX}${this.values.length - 1}${SLOT_END}`;
  }
  fill(html: string): string {
    return html.replace(SLOT_PATTERN, (_whole, index: string) => this.values[Number(index)] ?? "");
  }
}

/** Placeholders: letters and digits only (valid in text, attributes and URLs), random per process. */
const SLOT_PREFIX = `nfslot${Math.random().toString(36).slice(2, 8)}x`;
const SLOT_END = "y";
const SLOT_PATTERN = new RegExp(`${SLOT_PREFIX}(\\d+)${SLOT_END}`, "g");

/** Compiled MJML by its source (with placeholders). */
const compiledCache = new Map<string, Promise<{ html: string; errors: string[] }>>();
const MAX_COMPILED = 300;

function compileMjml(source: string): Promise<{ html: string; errors: string[] }> {
  let compiled = compiledCache.get(source);
  if (!compiled) {
    // No web-font <link>s (fonts: {}): the branding offers fonts devices have, and emails fetch nothing from Google.
    compiled = mjml2html(source, { validationLevel: "soft", minify: false, beautify: false, fonts: {} }).then((result) => ({
      html: result.html,
      errors: result.errors.map((error) => error.formattedMessage),
    }));
    compiled.catch(() => compiledCache.delete(source));
    if (compiledCache.size >= MAX_COMPILED) compiledCache.clear();
    compiledCache.set(source, compiled);
  }
  return compiled;
}

const CARD = "#ffffff";
const MUTED = "#6b7280";

function section(inner: string, padding = "8px 24px", background = CARD): string {
  return `<mj-section background-color="${background}" padding="${padding}"><mj-column>${inner}</mj-column></mj-section>`;
}

function blockMjml(block: EmailBlock, r: Renderer, context: Record<string, unknown>, brand: Branding, x: Slots): string {
  const shop = (context.shop ?? {}) as { name?: string; url?: string; address?: string };
  switch (block.type) {
    case "logo": {
      const logo = brand.logoUrl ? safeImage(brand.logoUrl) : null;
      const href = safeUrl(shop.url ?? "");
      return section(
        logo
          ? `<mj-image src="${x.esc(logo)}" alt="${x.esc(shop.name ?? "")}" width="${brand.logoWidth}px" align="${block.align}"${href ? ` href="${x.esc(href)}"` : ""} padding="8px 0" />`
          : `<mj-text align="${block.align}" font-size="20px" font-weight="700" padding="8px 0">${x.esc(shop.name ?? "")}</mj-text>`,
        "24px 24px 8px",
      );
    }
    case "heading":
      return section(`<mj-text align="${block.align}" font-size="26px" line-height="1.25" font-weight="700" padding="8px 0"><h1 style="margin:0;font-size:26px;line-height:1.25">${x.raw(r.html(block.text))}</h1></mj-text>`);
    case "text": {
      const paragraphs = r.text(block.text).split(/\r?\n\s*\r?\n/).filter((p) => p.trim() !== "");
      const html = paragraphs.map((p) => `<p style="margin:0 0 12px">${x.raw(escapeHtml(p.trim()).replace(/\r?\n/g, "<br>"))}</p>`).join("");
      return html ? section(`<mj-text align="${block.align}" padding="4px 0">${html}</mj-text>`) : "";
    }
    case "image": {
      const src = safeImage(r.text(block.src));
      if (!src) return "";
      const href = block.href ? safeUrl(r.text(block.href)) : null;
      return section(
        `<mj-image src="${x.esc(src)}" alt="${x.raw(r.html(block.alt))}"${block.width ? ` width="${block.width}px"` : ""}${href ? ` href="${x.esc(href)}"` : ""} padding="8px 0" border-radius="6px" />`,
      );
    }
    case "button": {
      const href = safeUrl(r.text(block.href));
      if (!href) return "";
      return section(`<mj-button href="${x.esc(href)}" align="${block.align}">${x.raw(r.html(block.label))}</mj-button>`, "16px 24px");
    }
    case "line_items": {
      const list = itemsFor(context, block.source);
      if (!list || list.line_items.length === 0) return "";
      const rows = list.line_items
        .map((item) => {
          const image = block.showImages && item.image_url ? safeImage(item.image_url) : null;
          return `<tr style="border-bottom:1px solid #e5e7eb">${
            block.showImages ? `<td style="padding:12px 12px 12px 0;width:72px;vertical-align:top">${image ? `<img src="${x.esc(image)}" width="64" height="64" alt="${x.esc(item.title)}" style="display:block;border-radius:6px;object-fit:cover;width:64px;height:64px">` : ""}</td>` : ""
          }<td style="padding:12px 8px 12px 0;vertical-align:top"><strong>${x.esc(item.title)}</strong>${
            item.variant_title ? `<br><span style="color:${MUTED};font-size:13px">${x.esc(item.variant_title)}</span>` : ""
          }<br><span style="color:${MUTED};font-size:13px">Qty ${x.esc(String(item.quantity))}</span></td><td style="padding:12px 0;text-align:right;vertical-align:top;white-space:nowrap">${x.esc(item.line_price || item.price)}</td></tr>`;
        })
        .join("");
      const total = block.showTotal
        ? `<tr><td${block.showImages ? ' colspan="2"' : ""} style="padding:12px 0 0;font-weight:700">Total</td><td style="padding:12px 0 0;text-align:right;font-weight:700;white-space:nowrap">${x.esc(list.total)}</td></tr>`
        : "";
      return section(`<mj-table padding="0" font-size="15px" line-height="1.4">${rows}${total}</mj-table>`);
    }
    case "recommendations": {
      const products = recommendationsOf(context, block.limit);
      if (products.length === 0) return "";
      const linkTemplate = productHref(block.href, PRODUCT_PAGE_HREF);
      const heading = `<mj-section background-color="${CARD}" padding="16px 24px 0"><mj-column><mj-text font-size="18px" font-weight="700" padding="0">${x.raw(r.html(block.heading))}</mj-text></mj-column></mj-section>`;
      const rows: string[] = [];
      for (let i = 0; i < products.length; i += 2) {
        const columns = products.slice(i, i + 2).map((item) => {
          const image = item.image_url ? safeImage(item.image_url) : null;
          const href = safeUrl(r.text(linkTemplate, { item }));
          return `<mj-column width="50%" padding="8px">${image ? `<mj-image src="${x.esc(image)}" alt="${x.esc(item.title)}" width="200px" border-radius="6px" padding="0"${href ? ` href="${x.esc(href)}"` : ""} />` : ""}<mj-text align="center" padding="8px 0 0"><strong>${x.esc(item.title)}</strong><br><span style="color:${MUTED}">${x.esc(item.price)}</span></mj-text>${
            href ? `<mj-button href="${x.esc(href)}" padding="8px 0 0" inner-padding="8px 16px" font-size="14px">${x.raw(r.html(block.buttonLabel))}</mj-button>` : ""
          }</mj-column>`;
        });
        rows.push(`<mj-section background-color="${CARD}" padding="0 16px">${columns.join("")}</mj-section>`);
      }
      return heading + rows.join("");
    }
    case "discount": {
      const code = r.text(block.code).trim();
      if (!code) return "";
      return section(
        `<mj-text align="center" padding="4px 0">${x.raw(r.html(block.text))}</mj-text><mj-text align="center" padding="8px 0"><span style="display:inline-block;border:2px dashed ${brand.primaryColor};border-radius:6px;padding:10px 20px;font-size:22px;font-weight:700;letter-spacing:2px">${x.esc(code)}</span></mj-text>`,
        "16px 24px",
      );
    }
    case "review_request": {
      const products = productsOf(itemsFor(context, "auto"), 10);
      if (products.length === 0) return "";
      const linkTemplate = productHref(block.href, REVIEW_PAGE_HREF);
      const intro = section(`<mj-text font-size="18px" font-weight="700" padding="0 0 4px">${x.raw(r.html(block.heading))}</mj-text><mj-text padding="0">${x.raw(r.html(block.text))}</mj-text>`, "16px 24px 0");
      const rows = products
        .map((item) => {
          const image = item.image_url ? safeImage(item.image_url) : null;
          const href = safeUrl(r.text(linkTemplate, { item }));
          return `<mj-section background-color="${CARD}" padding="8px 24px"><mj-column width="70%" vertical-align="middle"><mj-table padding="0"><tr>${
            image ? `<td style="width:64px;padding-right:12px"><img src="${x.esc(image)}" width="56" height="56" alt="" style="display:block;border-radius:6px;width:56px;height:56px;object-fit:cover"></td>` : ""
          }<td><strong>${x.esc(item.title)}</strong></td></tr></mj-table></mj-column><mj-column width="30%" vertical-align="middle">${
            href ? `<mj-button href="${x.esc(href)}" align="right" padding="0" inner-padding="8px 14px" font-size="14px">${x.raw(r.html(block.buttonLabel))}</mj-button>` : ""
          }</mj-column></mj-section>`;
        })
        .join("");
      return intro + rows;
    }
    case "divider":
      return section(`<mj-divider border-width="1px" border-color="#e5e7eb" padding="8px 0" />`);
    case "footer":
      return footerMjml(r.html(block.text), context, brand, x);
  }
}

/**
 * The footer: the merchant's text, the shop's name and postal address — the branding's when set (it wins), else the
 * store's as synced (`shop.address`); nothing when neither is known (the editor warns) — and the unsubscribe link.
 */
function footerMjml(textHtml: string, context: Record<string, unknown>, brand: Branding, x: Slots): string {
  const shop = (context.shop ?? {}) as { name?: string; address?: string };
  const unsubscribe = safeUrl(String(context.unsubscribe_url ?? ""));
  const address = brand.footerAddress.trim() || shop.address?.trim();
  const lines = [
    textHtml ? `<p style="margin:0 0 8px">${x.raw(textHtml)}</p>` : "",
    `<p style="margin:0 0 8px">${x.esc(shop.name ?? "")}${address ? ` · ${x.raw(escapeHtml(address).replace(/\r?\n/g, ", "))}` : ""}</p>`,
    unsubscribe ? `<p style="margin:0"><a href="${x.esc(unsubscribe)}" style="color:${MUTED};text-decoration:underline">Unsubscribe</a></p>` : "",
  ];
  return `<mj-section padding="16px 24px 32px"><mj-column><mj-text align="center" font-size="12px" line-height="1.5" color="${MUTED}" padding="0">${lines.join("")}</mj-text></mj-column></mj-section>`;
}

function documentMjml(input: { subject: string; preheader: string; blocks: string; brand: Branding }, x: Slots): string {
  const { brand } = input;
  const font = FONT_STACKS[brand.fontFamily];
  return `<mjml lang="en"><mj-head><mj-title>${x.esc(input.subject)}</mj-title>${input.preheader ? `<mj-preview>${x.esc(input.preheader)}</mj-preview>` : ""}
<mj-attributes><mj-all font-family="${escapeHtml(font)}" /><mj-text color="${brand.textColor}" font-size="16px" line-height="1.5" /><mj-table color="${brand.textColor}" />
<mj-button background-color="${brand.primaryColor}" color="${contrastText(brand.primaryColor)}" font-size="16px" font-weight="600" border-radius="6px" inner-padding="12px 24px" /></mj-attributes>
<mj-style>a { color: ${brand.primaryColor}; } @media only screen and (max-width: 480px) { h1 { font-size: 22px !important; } }</mj-style>
</mj-head><mj-body background-color="${brand.backgroundColor}" width="600px"><mj-section padding="0"><mj-column><mj-spacer height="24px" /></mj-column></mj-section>${input.blocks}</mj-body></mjml>`;
}

// ─── Plain text ─────────────────────────────────────────────────────────────────────────────────────────────

function blockText(block: EmailBlock, r: Renderer, context: Record<string, unknown>, brand: Branding): string {
  const shop = (context.shop ?? {}) as { name?: string; address?: string };
  switch (block.type) {
    case "logo":
      return shop.name ?? "";
    case "heading":
      return r.text(block.text).trim();
    case "text":
      return r.text(block.text).trim();
    case "image": {
      const href = block.href ? safeUrl(r.text(block.href)) : null;
      const alt = r.text(block.alt).trim();
      return href ? `${alt || "Image"}: ${href}` : "";
    }
    case "button": {
      const href = safeUrl(r.text(block.href));
      return href ? `${r.text(block.label).trim()}: ${href}` : "";
    }
    case "line_items": {
      const list = itemsFor(context, block.source);
      if (!list || list.line_items.length === 0) return "";
      const lines = list.line_items.map((item) => `- ${item.title}${item.variant_title ? ` (${item.variant_title})` : ""} x ${item.quantity}: ${item.price}`);
      return [...lines, ...(block.showTotal ? [`Total: ${list.total}`] : [])].join("\n");
    }
    case "recommendations": {
      const products = recommendationsOf(context, block.limit);
      if (products.length === 0) return "";
      const linkTemplate = productHref(block.href, PRODUCT_PAGE_HREF);
      return [
        r.text(block.heading).trim(),
        ...products.map((item) => {
          const href = safeUrl(r.text(linkTemplate, { item }));
          return `- ${item.title}${item.price ? `: ${item.price}` : ""}${href ? ` ${href}` : ""}`;
        }),
      ].join("\n");
    }
    case "discount": {
      const code = r.text(block.code).trim();
      return code ? `${r.text(block.text).trim()} ${code}` : "";
    }
    case "review_request": {
      const products = productsOf(itemsFor(context, "auto"), 10);
      if (products.length === 0) return "";
      return [
        r.text(block.heading).trim(),
        r.text(block.text).trim(),
        ...products.map((item) => `- ${item.title}: ${r.text(block.buttonLabel).trim()} ${safeUrl(r.text(productHref(block.href, REVIEW_PAGE_HREF), { item })) ?? ""}`.trimEnd()),
      ].filter(Boolean).join("\n");
    }
    case "divider":
      return "----";
    case "footer":
      return footerText(r.text(block.text).trim(), context, brand);
  }
}

function footerText(text: string, context: Record<string, unknown>, brand: Branding): string {
  const shop = (context.shop ?? {}) as { name?: string; address?: string };
  const unsubscribe = safeUrl(String(context.unsubscribe_url ?? ""));
  const address = brand.footerAddress.trim() || shop.address?.trim();
  return [text, `${shop.name ?? ""}${address ? ` · ${address.replace(/\r?\n/g, ", ")}` : ""}`, unsubscribe ? `Unsubscribe: ${unsubscribe}` : ""].filter(Boolean).join("\n");
}

// ─── Links ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Rewrites the href of every <a> in the HTML through `track` (index = order in the document), except mailto:
 * links and the ones in `keep` (the unsubscribe link: it must work as it is, and is not a click).
 */
export function rewriteLinks(html: string, keep: string[], track: (url: string, index: number) => string): string {
  const kept = new Set(keep.filter(Boolean).map((url) => escapeHtml(url)));
  let index = 0;
  return html.replace(/(<a\b[^>]*?\bhref=")([^"]*)(")/gi, (whole, before: string, href: string, after: string) => {
    if (kept.has(href) || !/^https?:/i.test(href)) return whole;
    const url = href.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    return `${before}${escapeHtml(track(url, index++))}${after}`;
  });
}

// ─── The email ──────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Renders a block email for one recipient. `context` is what emailContext() makes; `discount.code` and
 * `message.preheader` are added here.
 */
export async function renderBlockEmail(email: BlockEmailInput, context: Record<string, unknown>, options: RenderOptions): Promise<RenderedEmail> {
  const brand = options.branding;
  const base = new Renderer(context);
  const discountBlock = email.content.blocks.find((block) => block.type === "discount");
  const discountCode = discountBlock ? base.text(discountBlock.code).trim() : "";
  const preheader = base.text(email.preheader).replace(/\s+/g, " ").trim();
  const given = (context.discount ?? {}) as Record<string, unknown>;
  const full: Record<string, unknown> = { ...context, discount: { ...given, code: typeof given.code === "string" && given.code ? given.code : discountCode }, message: { preheader } };
  const r = new Renderer(full);
  const subject = r.text(email.subject).replace(/\s+/g, " ").trim();

  const hasFooter = email.content.blocks.some((block) => block.type === "footer");
  const slots = new Slots();
  const body = email.content.blocks.map((block) => blockMjml(block, r, full, brand, slots)).join("\n") + (hasFooter ? "" : footerMjml("", full, brand, slots));
  const textParts = email.content.blocks.map((block) => blockText(block, r, full, brand));
  if (!hasFooter) textParts.push(footerText("", full, brand));
  const text = textParts.filter((part) => part.trim() !== "").join("\n\n") + "\n";

  let html: string;
  try {
    const result = await compileMjml(documentMjml({ subject, preheader, blocks: body, brand }, slots));
    for (const error of result.errors) r.warnings.push(`MJML: ${error}`);
    html = slots.fill(result.html);
  } catch (error) {
    r.warnings.push(`MJML failed: ${error instanceof Error ? error.message : String(error)}`);
    html = `<!doctype html><html><body><pre style="font-family:sans-serif;white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`;
  }
  if (options.trackLink) html = rewriteLinks(html, [String(full.unsubscribe_url ?? "")], options.trackLink);
  return { subject, preheader, html, text, warnings: [...base.warnings, ...r.warnings] };
}

/** An email node as stored: blocks (`content`), or the older hand-written `html` and `text`. */
export interface EmailNodeTemplate {
  subject: string;
  preheader?: string;
  html?: string;
  text?: string;
  content?: EmailContent;
}

/** Renders either kind of email node. Never throws on a template. */
export async function renderEmailNode(node: EmailNodeTemplate, context: Record<string, unknown>, options: RenderOptions): Promise<RenderedEmail> {
  if (node.content) return renderBlockEmail({ subject: node.subject, preheader: node.preheader ?? "", content: node.content }, context, options);
  const base = new Renderer(context);
  const preheader = base.text(node.preheader).trim();
  const r = new Renderer({ ...context, message: { preheader } });
  const subject = r.text(node.subject).replace(/\s+/g, " ").trim();
  let html = renderHtmlTemplate(node.html ?? "", { ...context, message: { preheader } }, r.warnings);
  if (options.trackLink) html = rewriteLinks(html, [String(context.unsubscribe_url ?? "")], options.trackLink);
  return { subject, preheader, html, text: r.text(node.text), warnings: [...base.warnings, ...r.warnings] };
}

const escapingLiquid = new Liquid({ outputEscape: "escape", strictFilters: true, ownPropertyOnly: true });

/** A hand-written HTML template (the older email nodes): output escaped by default, as it always was. */
function renderHtmlTemplate(source: string, context: Record<string, unknown>, warnings: string[]): string {
  try {
    return String(escapingLiquid.parseAndRenderSync(source, context));
  } catch (error) {
    warnings.push(`html: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return source.replace(/\{%-?[\s\S]*?-?%\}|\{\{-?[\s\S]*?-?\}\}/g, "");
  }
}
