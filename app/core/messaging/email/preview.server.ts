// The builder's email preview and test send: an email node (as the draft has it) rendered with the workspace's
// branding and either sample data or a real customer's (their latest checkout or cart, and latest order). A test
// send writes a Message of kind "test" with no flow (so flow and workspace KPIs leave it out) and queues it for
// the normal dispatcher: SendGrid when configured, else the outbox.
import { z } from "zod";
import type { Db } from "~/db.server";
import type { Clock } from "~/core/clock";
import { listCustomers } from "~/core/customers/customers.server";
import { LineItem } from "~/core/events";
import { newId } from "~/core/ids";
import { parseMailbox } from "../sender";
import type { Branding } from "../branding";
import { readBranding } from "../branding.server";
import { EmailContent, emailTemplateProblems, triggerShape, usesRecommendations, type TemplateProblem } from "./blocks";
import { emailContext, sampleEmailContext } from "./context";
import { catalogueForEmail, MAX_RECOMMENDATIONS } from "~/core/catalogue/email.server";
import { createRecommender } from "~/core/catalogue/recommendations.server";
import { renderEmailNode, type RenderedEmail } from "./render.server";

/** The email node as the builder sends it (a draft: validated here, problems returned rather than thrown). */
export const PreviewNode = z.object({
  subject: z.string().max(200),
  preheader: z.string().max(200).default(""),
  html: z.string().optional(),
  text: z.string().optional(),
  content: EmailContent.optional(),
});
export type PreviewNode = z.infer<typeof PreviewNode>;

const StoredLineItems = z.array(LineItem);
const itemsOf = (value: unknown) => {
  const parsed = StoredLineItems.safeParse(value);
  return parsed.success ? parsed.data : [];
};

export interface PreviewCustomer {
  id: string;
  email: string;
  name: string;
}

/** At most this many customers per answer of the preview's customer picker. */
export const PREVIEW_CUSTOMER_LIMIT = 20;

/**
 * Customers to preview with, from this workspace and with an address: those matching `query` (a piece of the
 * email, first name, last name or "first last"; case ignored, as the customer list searches), else the most
 * recently active. At most PREVIEW_CUSTOMER_LIMIT.
 */
export async function previewCustomers(db: Db, input: { workspaceId: string; query?: string; limit?: number }): Promise<PreviewCustomer[]> {
  const take = Math.min(input.limit ?? PREVIEW_CUSTOMER_LIMIT, PREVIEW_CUSTOMER_LIMIT);
  const query = input.query?.trim().slice(0, 100);
  const customers = query
    ? (await listCustomers(db, { workspaceId: input.workspaceId, search: query, take: take * 2 })).customers
    : await db.customer.findMany({
        where: { workspaceId: input.workspaceId, email: { not: null } },
        orderBy: { updatedAt: "desc" },
        take,
        select: { id: true, email: true, firstName: true, lastName: true },
      });
  return customers.flatMap((c) => (c.email ? [{ id: c.id, email: c.email, name: [c.firstName, c.lastName].filter(Boolean).join(" ") }] : [])).slice(0, take);
}

async function shopOf(db: Db, workspaceId: string) {
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
  const store = await db.store.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
  return { workspace, store, shop: { name: store?.name ?? workspace.name, email: workspace.fromEmail, url: store ? `https://${store.domain}` : null, address: store?.address ?? null } };
}

/**
 * The variables for a preview: a real customer's (their latest checkout, else cart; their latest order) or the
 * sample's. Null when the customer is not in this workspace.
 */
export async function previewContext(db: Db, input: { workspaceId: string; customerId?: string | null; unsubscribeUrl: string }): Promise<Record<string, unknown> | null> {
  const { shop, store } = await shopOf(db, input.workspaceId);
  // The catalogue's picks (best sellers, for the sample); without a catalogue the sample's own products stand in.
  const recommender = createRecommender({ db });
  if (!input.customerId) {
    const picks = await recommender.recommend({ workspaceId: input.workspaceId, storeId: store?.id ?? null, customerId: null, productIds: [], limit: MAX_RECOMMENDATIONS });
    return { ...sampleEmailContext(shop, store?.currency ?? "USD", picks.length ? picks : null), unsubscribe_url: input.unsubscribeUrl };
  }
  const customer = await db.customer.findFirst({ where: { id: input.customerId, workspaceId: input.workspaceId } });
  if (!customer) return null;
  const where = { workspaceId: input.workspaceId, customerId: customer.id };
  const checkout = await db.checkout.findFirst({ where, orderBy: { lastActivityAt: "desc" } });
  const cart = checkout ? null : await db.cart.findFirst({ where, orderBy: { lastActivityAt: "desc" } });
  const order = await db.order.findFirst({ where, orderBy: { placedAt: "desc" } });
  const basketItems = itemsOf(checkout?.lineItems ?? cart?.lineItems);
  const catalogue = await catalogueForEmail(
    { db, recommender },
    { workspaceId: input.workspaceId, storeId: store?.id ?? null, customerId: customer.id, lineItems: [...basketItems, ...itemsOf(order?.lineItems)], recommend: true },
  );
  return emailContext({
    ...catalogue,
    shop,
    customer: { firstName: customer.firstName, lastName: customer.lastName, email: customer.email },
    basket: checkout
      ? { currency: checkout.currency, totalPrice: checkout.totalPrice, subtotalPrice: checkout.subtotalPrice, recoveryUrl: checkout.recoveryUrl, lineItems: itemsOf(checkout.lineItems) }
      : cart
        ? { currency: cart.currency, totalPrice: cart.totalPrice, subtotalPrice: cart.totalPrice, recoveryUrl: shop.url ? `${shop.url}/cart` : null, lineItems: itemsOf(cart.lineItems) }
        : null,
    order: order ? { name: order.name, currency: order.currency, totalPrice: order.totalPrice, lineItems: itemsOf(order.lineItems), placedAt: order.placedAt } : null,
    unsubscribeUrl: input.unsubscribeUrl,
  });
}

/** What the editor should know besides template problems: a footer without an address, recommendations without a catalogue. */
async function previewNotices(db: Db, input: { workspaceId: string; branding: Branding; node: PreviewNode }): Promise<string[]> {
  const notices: string[] = [];
  const { store } = await shopOf(db, input.workspaceId);
  if (!input.branding.footerAddress.trim() && !store?.address?.trim()) {
    notices.push("No postal address is known, so the footer shows none: anti-spam laws (CAN-SPAM, CASL) want one. Set it in Settings → Email branding, or in your store's settings (it is synced).");
  }
  if (usesRecommendations(input.node) && (await db.product.count({ where: { workspaceId: input.workspaceId, available: true, url: { not: null } } })) === 0) {
    notices.push("No product catalogue yet: the sample preview shows its own products where recommendations go; with a real customer, and in real emails, the block shows nothing until the store's products are synced.");
  }
  return notices;
}

export type PreviewResult =
  | { ok: true; email: RenderedEmail; problems: TemplateProblem[]; notices: string[] }
  | { ok: false; error: string; problems: TemplateProblem[] };

/** Renders a draft email node for the preview; the template's problems come along (shown beside it). */
export async function renderPreview(
  db: Db,
  input: { workspaceId: string; trigger: unknown; node: unknown; customerId?: string | null; unsubscribeUrl: string; branding?: Branding },
): Promise<PreviewResult> {
  const parsed = PreviewNode.safeParse(input.node);
  if (!parsed.success) return { ok: false, error: `The email is not complete: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, problems: [] };
  const problems = emailTemplateProblems(parsed.data, triggerShape(input.trigger));
  if (!parsed.data.content && parsed.data.html === undefined) return { ok: false, error: "The email has no body yet.", problems };
  const context = await previewContext(db, input);
  if (!context) return { ok: false, error: "That customer is not in this workspace.", problems };
  const branding = input.branding ?? (await readBranding(db, input));
  const email = await renderEmailNode(parsed.data, context, { branding });
  return { ok: true, email, problems, notices: await previewNotices(db, { workspaceId: input.workspaceId, branding, node: parsed.data }) };
}

const TestAddress = z.email({ error: "enter an email address to send the test to" });

export type TestSendResult = { ok: true; messageId: string } | { ok: false; error: string };

/** Queues a test email of a draft email node to an address: kind "test", no flow, subject marked [Test]. */
export async function sendTestEmail(
  deps: { db: Db; clock: Clock; defaultFrom: string },
  input: { workspaceId: string; trigger: unknown; node: unknown; nodeId: string | null; to: string; customerId?: string | null; unsubscribeUrl: string },
): Promise<TestSendResult> {
  const to = TestAddress.safeParse(input.to.trim());
  if (!to.success) return { ok: false, error: to.error.issues[0]?.message ?? "enter an email address" };
  const preview = await renderPreview(deps.db, input);
  if (!preview.ok) return { ok: false, error: preview.error };
  if (preview.problems.length) return { ok: false, error: `Fix the template first: ${preview.problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}` };
  const { workspace, store } = await shopOf(deps.db, input.workspaceId);
  const fallback = parseMailbox(deps.defaultFrom);
  const now = deps.clock.now();
  const message = await deps.db.message.create({
    data: {
      id: newId("msg"),
      kind: "test",
      workspaceId: input.workspaceId,
      storeId: store?.id ?? null,
      customerId: null,
      flowId: null,
      enrollmentId: null,
      nodeId: input.nodeId,
      toEmail: to.data.toLowerCase(),
      fromEmail: workspace.fromEmail ?? fallback.email,
      fromName: workspace.fromName ?? fallback.name,
      subject: `[Test] ${preview.email.subject}`,
      html: preview.email.html,
      text: preview.email.text,
      status: "queued",
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  return { ok: true, messageId: message.id };
}
