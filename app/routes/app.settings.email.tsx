// Email delivery settings: the from address and name, and optionally the workspace's own SendGrid account (API key,
// region). SendGrid checks the key and the sender when saving (core/messaging/email-settings.server.ts); the page
// says which delivery is in force: the workspace's account, the app's, or the outbox.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { EmailSettingsForm, REGION_LABELS, SendGridRegion, type EmailSettingsField, type EmailSettingsProblem } from "~/core/messaging/email-settings";
import { readEmailSettings, removeSendGridKey, saveEmailSettings, saveEventWebhookKey, type EventWebhookOutcome } from "~/core/messaging/email-settings.server";
import { emailSettingsDeps } from "~/services.server";

export const meta: MetaFunction = () => [{ title: "Email delivery · Nudgeflow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const settings = await readEmailSettings(emailSettingsDeps(), { workspaceId });
  if (!settings) throw new Response("Not found", { status: 404 });
  return json({ settings });
}

const Intent = z.discriminatedUnion("intent", [
  EmailSettingsForm.extend({ intent: z.literal("save") }),
  z.object({ intent: z.literal("remove-key") }),
  z.object({ intent: z.literal("webhook-key"), publicKey: z.string().trim().min(1, "Paste the verification key SendGrid shows.").max(1000) }),
]);

type ActionData =
  | { intent: "save"; ok: true; eventWebhook: EventWebhookOutcome; problems: [] }
  | { intent: "remove-key" | "webhook-key"; ok: true; problems: [] }
  | { intent: string; ok: false; problems: EmailSettingsProblem[] };

const FORM_FIELDS = ["fromEmail", "fromName", "apiKey", "region"] as const satisfies readonly EmailSettingsField[];
const fieldOf = (name: unknown): EmailSettingsField => FORM_FIELDS.find((field) => field === name) ?? "form";

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const form = Intent.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) {
    const problems = form.error.issues.map((issue) => ({ field: fieldOf(issue.path[0]), message: issue.message }));
    return json<ActionData>({ intent: "invalid", ok: false, problems }, { status: 400 });
  }
  const deps = emailSettingsDeps();
  switch (form.data.intent) {
    case "save": {
      const { intent, ...fields } = form.data;
      const saved = await saveEmailSettings(deps, { workspaceId, form: fields });
      return saved.ok
        ? json<ActionData>({ intent, ok: true, eventWebhook: saved.eventWebhook, problems: [] })
        : json<ActionData>({ intent, ok: false, problems: saved.problems }, { status: 400 });
    }
    case "remove-key":
      await removeSendGridKey(deps, { workspaceId });
      return json<ActionData>({ intent: "remove-key", ok: true, problems: [] });
    case "webhook-key": {
      const saved = await saveEventWebhookKey(deps, { workspaceId, publicKey: form.data.publicKey });
      return saved.ok ? json<ActionData>({ intent: "webhook-key", ok: true, problems: [] }) : json<ActionData>({ intent: "webhook-key", ok: false, problems: saved.problems }, { status: 400 });
    }
  }
}

const DELIVERY_TEXT = {
  workspace: "Emails go out through your own SendGrid account.",
  default: "Emails go out through Nudgeflow's SendGrid account. Add your own API key to send through yours (your domain's reputation, your statistics, your limits).",
  outbox: "No SendGrid account is set up: emails wait in the Outbox, where you can read them, and are not sent. Add your SendGrid API key to send them.",
} as const;

export default function EmailSettingsPage() {
  const { settings } = useLoaderData<typeof loader>();
  const saver = useFetcher<typeof action>();
  const remover = useFetcher<typeof action>();
  const webhookKey = useFetcher<typeof action>();
  const [fromEmail, setFromEmail] = useState(settings.fromEmail ?? "");
  const [fromName, setFromName] = useState(settings.fromName ?? "");
  const [apiKey, setApiKey] = useState("");
  const [region, setRegion] = useState<SendGridRegion>(settings.region);
  const [publicKey, setPublicKey] = useState("");

  // The last thing done, for the feedback banner: a save, or the key's removal.
  const [notice, setNotice] = useState<"saved" | "removed" | null>(null);
  const saved = saver.state === "idle" && saver.data?.ok ? saver.data : null;
  // The key is write-only: once saved, the field empties and the hint shows its last four characters.
  useEffect(() => {
    if (saved) {
      setApiKey("");
      setNotice("saved");
    }
  }, [saved]);
  useEffect(() => {
    if (remover.state === "idle" && remover.data?.ok) {
      setRegion("global");
      setNotice("removed");
    }
  }, [remover.state, remover.data]);

  const problems = saver.state === "idle" && saver.data && !saver.data.ok ? saver.data.problems : [];
  const errorFor = (field: EmailSettingsField) => problems.find((problem) => problem.field === field)?.message;
  const formProblems = problems.filter((problem) => problem.field === "form");
  const eventWebhook = saved && "eventWebhook" in saved ? saved.eventWebhook : null;
  const webhookProblems = webhookKey.state === "idle" && webhookKey.data && !webhookKey.data.ok ? webhookKey.data.problems : [];

  return (
    <Page title="Email delivery" subtitle="Who your emails come from, and which SendGrid account sends them." backAction={{ content: "Email branding", url: "/app/settings/branding" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Banner tone={settings.delivery === "outbox" ? "warning" : "info"} title={settings.delivery === "workspace" ? "Your SendGrid account" : settings.delivery === "default" ? "Nudgeflow's SendGrid account" : "The outbox"}>
              <p>{DELIVERY_TEXT[settings.delivery]}</p>
              {settings.delivery === "workspace" ? (
                <p>
                  Key {settings.apiKeyHint}, {REGION_LABELS[settings.region]}
                  {settings.senderVerifiedAt ? `; ${settings.fromEmail ?? "the sender"} checked with SendGrid on ${new Date(settings.senderVerifiedAt).toUTCString()}` : ""}.
                </p>
              ) : null}
            </Banner>
            {formProblems.map((problem) => (
              <Banner key={problem.message} tone="critical" title="Not saved">
                <p>{problem.message}</p>
              </Banner>
            ))}
            {saved && notice === "saved" ? (
              <Banner tone="success" title="Saved">
                <p>{settings.delivery === "workspace" ? "SendGrid accepted the key and the sender. Emails written from now on use them." : "Emails written from now on use these settings."}</p>
              </Banner>
            ) : null}
            {notice === "removed" ? (
              <Banner tone="success" title="Key removed">
                <p>Nudgeflow no longer holds your SendGrid key. The key, and the event webhook we set up, still exist in your SendGrid account: delete them there if nothing else uses them.</p>
              </Banner>
            ) : null}
            {eventWebhook?.status === "failed" && notice === "saved" ? (
              <Banner tone="warning" title="The event webhook could not be set up">
                <p>
                  Your settings are saved, but {eventWebhook.reason}. Without it, deliveries, bounces, opens and clicks are not reported back. Set it up by hand in SendGrid → Settings → Mail
                  Settings → Event Webhook: post to <Text as="span" fontWeight="semibold">{eventWebhook.url}</Text>, select every event, turn on “Signed Event Webhook”, and paste its verification key below.
                </p>
              </Banner>
            ) : null}
            <Card>
              <saver.Form method="post">
                <input type="hidden" name="intent" value="save" />
                <FormLayout>
                  <TextField label="From address" name="fromEmail" type="email" autoComplete="email" value={fromEmail} onChange={setFromEmail} error={errorFor("fromEmail")} helpText="With your own SendGrid account it must be a verified sender there, or on an authenticated domain." />
                  <TextField label="From name" name="fromName" autoComplete="organization" value={fromName} onChange={setFromName} error={errorFor("fromName")} helpText="Empty: the address alone." />
                  <TextField
                    label="SendGrid API key"
                    name="apiKey"
                    type="password"
                    autoComplete="off"
                    value={apiKey}
                    onChange={setApiKey}
                    error={errorFor("apiKey")}
                    placeholder={settings.apiKeyHint ? `${settings.apiKeyHint} (leave empty to keep it)` : "SG.…"}
                    helpText="Stored encrypted and never shown again. It needs Mail Send, read access to Sender Authentication, and Mail Settings → Event Webhook access so we can set up delivery reports."
                  />
                  <Select
                    label="SendGrid region"
                    name="region"
                    options={SendGridRegion.options.map((value) => ({ value, label: REGION_LABELS[value] }))}
                    value={region}
                    onChange={(value) => setRegion(value === "eu" ? "eu" : "global")}
                    error={errorFor("region")}
                    helpText="EU: an account created with EU data residency (its keys work only there)."
                  />
                  <InlineStack gap="300">
                    <Button submit variant="primary" loading={saver.state !== "idle"}>
                      Check with SendGrid and save
                    </Button>
                  </InlineStack>
                </FormLayout>
              </saver.Form>
            </Card>
            {settings.apiKeyHint ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Delivery reports
                  </Text>
                  {settings.eventWebhook.configured ? (
                    <Text as="p">
                      Your SendGrid account posts delivery events, signed, to {settings.eventWebhook.url}
                      {settings.eventWebhook.configuredAt ? ` (set up ${new Date(settings.eventWebhook.configuredAt).toUTCString()})` : ""}.
                    </Text>
                  ) : (
                    <webhookKey.Form method="post">
                      <input type="hidden" name="intent" value="webhook-key" />
                      <FormLayout>
                        <Text as="p">
                          No signed event webhook is set up for your account. In SendGrid → Settings → Mail Settings → Event Webhook, post to {settings.eventWebhook.url} with every event and
                          “Signed Event Webhook” on, then paste its verification key here.
                        </Text>
                        <TextField label="Event Webhook verification key" name="publicKey" autoComplete="off" multiline={2} value={publicKey} onChange={setPublicKey} error={webhookProblems[0]?.message} />
                        <Box>
                          <Button submit loading={webhookKey.state !== "idle"}>
                            Save verification key
                          </Button>
                        </Box>
                      </FormLayout>
                    </webhookKey.Form>
                  )}
                  <remover.Form method="post">
                    <input type="hidden" name="intent" value="remove-key" />
                    <BlockStack gap="200">
                      <Text as="p" tone="subdued">
                        Without your key, this workspace's email {settings.fallback === "default" ? "goes out through Nudgeflow's SendGrid account" : "waits in the outbox, unsent"}.
                      </Text>
                      <Box>
                        <Button submit tone="critical" loading={remover.state !== "idle"}>
                          Remove my SendGrid key
                        </Button>
                      </Box>
                    </BlockStack>
                  </remover.Form>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
