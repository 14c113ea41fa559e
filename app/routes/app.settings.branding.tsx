// Email branding, set once per workspace: logo, colours, font and the footer's postal address. Every block email
// uses it. The preview renders a sample email (the abandoned-cart blueprint's second) with the values as typed.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, ButtonGroup, Card, FormLayout, InlineGrid, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { findBlueprint } from "~/core/flows/blueprints";
import { Branding, FONT_LABELS, type FontFamily } from "~/core/messaging/branding";
import { readBranding, saveBranding } from "~/core/messaging/branding.server";
import { renderPreview } from "~/core/messaging/email/preview.server";
import { getDb } from "~/db.server";
import { publicAppUrl } from "~/env.server";

export const meta: MetaFunction = () => [{ title: "Email branding · Nudgeflow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const store = await db.store.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { name: true } });
  return json({ branding: await readBranding(db, { workspaceId }), shopName: store?.name ?? null });
}

const Form = z.object({ intent: z.enum(["save", "preview"]), branding: z.string().max(10_000) });

/** The sample the preview shows: a finished email with items, a code and a button. */
function sampleNode() {
  const node = findBlueprint("abandoned-cart")?.definition.nodes.find((candidate) => candidate.id === "email-incentive");
  return node?.type === "email" ? node : null;
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const form = Form.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return json({ intent: "invalid" as const, ok: false as const, problems: [{ path: "", message: "Send intent and branding." }] }, { status: 400 });
  let input: unknown;
  try {
    input = JSON.parse(form.data.branding);
  } catch {
    return json({ intent: form.data.intent, ok: false as const, problems: [{ path: "", message: "The branding is not JSON." }] }, { status: 400 });
  }
  const db = getDb();
  if (form.data.intent === "save") {
    const saved = await saveBranding(db, { workspaceId, branding: input });
    return json(saved.ok ? { intent: "save" as const, ok: true as const, problems: [] } : { intent: "save" as const, ok: false as const, problems: saved.problems }, { status: saved.ok ? 200 : 400 });
  }
  const parsed = Branding.safeParse(input);
  if (!parsed.success) return json({ intent: "preview" as const, ok: false as const, problems: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  const node = sampleNode();
  const trigger = findBlueprint("abandoned-cart")?.definition.trigger;
  if (!node) return json({ intent: "preview" as const, ok: false as const, problems: [{ path: "", message: "No sample email." }] });
  const result = await renderPreview(db, { workspaceId, trigger, node, unsubscribeUrl: `${publicAppUrl()}/unsubscribe/preview`, branding: parsed.data });
  return json(result.ok ? { intent: "preview" as const, ok: true as const, html: result.email.html, problems: [] } : { intent: "preview" as const, ok: false as const, problems: [{ path: "", message: result.error }] });
}

type FieldKey = "logoUrl" | "logoWidth" | "primaryColor" | "backgroundColor" | "textColor" | "fontFamily" | "footerAddress";

export default function BrandingPage() {
  const data = useLoaderData<typeof loader>();
  const [branding, setBranding] = useState<Branding>(data.branding);
  const saver = useFetcher<typeof action>();
  const previewer = useFetcher<typeof action>();
  const [width, setWidth] = useState<"desktop" | "mobile">("desktop");
  const json = useMemo(() => JSON.stringify(branding), [branding]);

  useEffect(() => {
    const timer = setTimeout(() => previewer.submit({ intent: "preview", branding: json }, { method: "post" }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes on every render
  }, [json]);

  const problems = [...(saver.data && !saver.data.ok ? saver.data.problems : []), ...(previewer.data && !previewer.data.ok ? previewer.data.problems : [])];
  const errorFor = (field: FieldKey) => problems.find((p) => p.path === field)?.message;
  const set = <K extends FieldKey>(field: K, value: Branding[K]) => setBranding((current) => ({ ...current, [field]: value }));
  const colour = (field: "primaryColor" | "backgroundColor" | "textColor", label: string, help: string) => (
    <TextField
      label={label}
      autoComplete="off"
      value={branding[field]}
      onChange={(value) => set(field, value)}
      helpText={help}
      error={errorFor(field)}
      prefix={<span aria-hidden="true" style={{ display: "inline-block", width: 16, height: 16, borderRadius: 4, border: "1px solid #ccc", background: /^#[0-9a-fA-F]{6}$/.test(branding[field]) ? branding[field] : "transparent" }} />}
    />
  );
  const saved = saver.state === "idle" && saver.data?.ok;
  const html = previewer.data?.ok && previewer.data.intent === "preview" && "html" in previewer.data ? previewer.data.html : null;

  return (
    <Page title="Email branding" subtitle="Set once: every block email uses it." backAction={{ content: "Flows", url: "/app/flows" }} secondaryActions={[{ content: "Email delivery", url: "/app/settings/email" }]}>
      <Layout>
        <Layout.Section variant="oneThird">
          <Card>
            <saver.Form method="post">
              <input type="hidden" name="intent" value="save" />
              <input type="hidden" name="branding" value={json} />
              <FormLayout>
                <TextField label="Logo address" autoComplete="off" placeholder="https://cdn.shopify.com/…/logo.png" value={branding.logoUrl} onChange={(v) => set("logoUrl", v)} error={errorFor("logoUrl")} helpText={`An https image. Empty: the header shows ${data.shopName ? `"${data.shopName}"` : "your store's name"}.`} />
                <TextField label="Logo width (pixels)" type="number" min={40} max={400} autoComplete="off" value={String(branding.logoWidth)} onChange={(v) => set("logoWidth", Math.floor(Number(v) || 0))} error={errorFor("logoWidth")} />
                {colour("primaryColor", "Button and link colour", "#RRGGBB. Button text turns black or white to stay readable.")}
                <InlineGrid columns={2} gap="200">
                  {colour("backgroundColor", "Background", "Around the email.")}
                  {colour("textColor", "Text", "Body text.")}
                </InlineGrid>
                <Select label="Font" options={(Object.keys(FONT_LABELS) as FontFamily[]).map((value) => ({ label: FONT_LABELS[value], value }))} value={branding.fontFamily} onChange={(v) => set("fontFamily", v as FontFamily)} helpText="Fonts every device has: web fonts do not load in many inboxes." />
                <TextField label="Postal address (footer)" autoComplete="street-address" multiline={3} value={branding.footerAddress} onChange={(v) => set("footerAddress", v)} error={errorFor("footerAddress")} helpText="Anti-spam laws (CAN-SPAM, CASL) ask for it. Empty: your store's address as synced from the store (none known: the footer shows none, and the email editor warns)." />
                <Button submit variant="primary" loading={saver.state !== "idle"}>
                  Save branding
                </Button>
              </FormLayout>
            </saver.Form>
          </Card>
          {saved ? (
            <Box paddingBlockStart="300">
              <Banner tone="success">Saved. Emails written from now on use it.</Banner>
            </Box>
          ) : null}
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns="1fr auto" gap="200" alignItems="center">
                <Text as="h2" variant="headingMd">
                  Preview
                </Text>
                <ButtonGroup variant="segmented">
                  <Button pressed={width === "desktop"} onClick={() => setWidth("desktop")}>
                    Desktop
                  </Button>
                  <Button pressed={width === "mobile"} onClick={() => setWidth("mobile")}>
                    Mobile
                  </Button>
                </ButtonGroup>
              </InlineGrid>
              <div style={{ display: "flex", justifyContent: "center", background: "#e3e3e3", padding: 12, borderRadius: 8 }}>
                {html ? (
                  <iframe title={`Branding preview, ${width}`} srcDoc={html} sandbox="" style={{ width: width === "mobile" ? 375 : 640, maxWidth: "100%", height: 720, border: 0, background: "#fff", borderRadius: 6 }} />
                ) : (
                  <Box padding="800">
                    <Text as="p" tone="subdued">
                      {problems.length ? "Fix the fields on the left to see the preview." : "Rendering…"}
                    </Text>
                  </Box>
                )}
              </div>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
