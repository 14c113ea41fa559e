// The email editor's server side (a resource route the node panel's fetchers call): customers to preview with,
// the preview itself (the draft email rendered with sample or real data), and "Send test".
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { systemClock } from "~/core/clock";
import { previewCustomers, renderPreview, sendTestEmail } from "~/core/messaging/email/preview.server";
import { getDb } from "~/db.server";
import { env, publicAppUrl } from "~/env.server";

/** What the preview shows as the unsubscribe link: the page says the link is not a real one. */
const previewUnsubscribeUrl = () => `${publicAppUrl()}/unsubscribe/preview`;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const flow = await getDb().flow.findFirst({ where: { id: params.flowId ?? "", workspaceId }, select: { id: true } });
  if (!flow) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
  const query = new URL(request.url).searchParams.get("q") ?? undefined;
  return json({ customers: await previewCustomers(getDb(), { workspaceId, query }) });
}

const Json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not JSON" });
    return z.NEVER;
  }
});

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("preview"), node: Json, trigger: Json, customerId: z.string().optional() }),
  z.object({ intent: z.literal("send-test"), node: Json, trigger: Json, nodeId: z.string().max(64).optional(), customerId: z.string().optional(), to: z.string().max(320) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const flow = await db.flow.findFirst({ where: { id: params.flowId ?? "", workspaceId }, select: { id: true } });
  if (!flow) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
  const parsed = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ intent: "invalid" as const, ok: false as const, error: "Send intent preview or send-test with the email node as JSON." }, { status: 400 });
  const input = parsed.data;
  const customerId = input.customerId || null;
  if (input.intent === "preview") {
    const result = await renderPreview(db, { workspaceId, trigger: input.trigger, node: input.node, customerId, unsubscribeUrl: previewUnsubscribeUrl() });
    return json(
      result.ok
        ? { intent: input.intent, ok: true as const, subject: result.email.subject, preheader: result.email.preheader, html: result.email.html, text: result.email.text, warnings: result.email.warnings, problems: result.problems, notices: result.notices }
        : { intent: input.intent, ok: false as const, error: result.error, problems: result.problems },
    );
  }
  const result = await sendTestEmail(
    { db, clock: systemClock, defaultFrom: env().MAIL_FROM },
    { workspaceId, trigger: input.trigger, node: input.node, nodeId: input.nodeId ?? null, to: input.to, customerId, unsubscribeUrl: previewUnsubscribeUrl() },
  );
  return json(result.ok ? { intent: input.intent, ok: true as const, messageId: result.messageId, to: input.to.trim() } : { intent: input.intent, ok: false as const, error: result.error }, { status: result.ok ? 200 : 400 });
}
