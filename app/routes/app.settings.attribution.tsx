// Attribution rules, per workspace: how many days before an order a click still earns it, and whether opens made by
// a person count too (machine opens never do). The same rules as `nudgeflow analytics settings` (ADR 0015): the
// window goes through the core's AttributionSettings schema. Attribution is computed when a report is read, so a
// change applies to every report, past orders included, at once.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { AttributionSettings, readAttributionSettings, setAttributionSettings } from "~/core/analytics/settings.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Attribution · Nudgeflow" }];

/** The window's bounds, from the core's rule (the CLI's). Server-only: called from the loader and the action. */
function windowRule() {
  const rule = AttributionSettings.shape.windowDays;
  const min = rule.minValue ?? 1;
  const max = rule.maxValue ?? 90;
  return { rule, min, max, message: `Enter a whole number of days from ${min} to ${max}.` };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const { min, max } = windowRule();
  return json({ rules: await readAttributionSettings(getDb(), { workspaceId }), windowMin: min, windowMax: max });
}

/** The form's fields, as text; the window then goes through the core's own rule. */
function attributionForm(bounds: ReturnType<typeof windowRule>) {
  return z.object({
    windowDays: z.string({ error: bounds.message }).trim().regex(/^\d{1,4}$/, bounds.message).transform(Number).pipe(bounds.rule),
    includeOpens: z.enum(["true", "false"], { error: "Choose whether opens count." }).transform((value) => value === "true"),
  });
}

type Field = "windowDays" | "includeOpens" | "form";
type ActionData = { ok: true; rules: AttributionSettings } | { ok: false; errors: Partial<Record<Field, string>> };

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const bounds = windowRule();
  const form = attributionForm(bounds).safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) {
    const errors: Partial<Record<Field, string>> = {};
    for (const issue of form.error.issues) {
      const field: Field = issue.path[0] === "windowDays" || issue.path[0] === "includeOpens" ? issue.path[0] : "form";
      // The core's bounds speak zod ("Too big: …"); the merchant reads one sentence with the range.
      errors[field] ??= field === "windowDays" ? bounds.message : issue.message;
    }
    return json<ActionData>({ ok: false, errors }, { status: 400 });
  }
  const rules = await setAttributionSettings(getDb(), { workspaceId, ...form.data });
  return json<ActionData>({ ok: true, rules });
}

const describeRules = (rules: AttributionSettings) =>
  `the last ${rules.includeOpens ? "click, or open by a person," : "click"} within ${rules.windowDays} ${rules.windowDays === 1 ? "day" : "days"} before an order`;

export default function AttributionSettingsPage() {
  const { rules, windowMin, windowMax } = useLoaderData<typeof loader>();
  const saver = useFetcher<typeof action>();
  const [windowDays, setWindowDays] = useState(String(rules.windowDays));
  const [includeOpens, setIncludeOpens] = useState(rules.includeOpens);
  const result = saver.state === "idle" ? saver.data : undefined;
  const errors = result && !result.ok ? result.errors : {};

  return (
    <Page title="Attribution" subtitle="Which email earns an order in your reports." backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.ok ? (
              <Banner tone="success" title="Saved: reports now use the new rules">
                <p>
                  An order is now attributed to {describeRules(result.rules)}. Attribution is worked out whenever a report is read, so every report and
                  every order’s explanation, past orders included, follows at once.
                </p>
              </Banner>
            ) : null}
            {result && !result.ok ? (
              <Banner tone="critical" title="Not saved">
                <p>{errors.form ?? "Correct the field below; the rules in force are unchanged."}</p>
              </Banner>
            ) : null}
            <Card>
              <saver.Form method="post">
                <FormLayout>
                  <Text as="p">
                    In force: {describeRules(result?.ok ? result.rules : rules)}. Clicks in test emails never count.
                  </Text>
                  <TextField
                    label="Attribution window (days)"
                    name="windowDays"
                    // Text, not a number input: the browser's own range check would block the post and hide our message.
                    type="text"
                    inputMode="numeric"
                    autoComplete="off"
                    value={windowDays}
                    onChange={setWindowDays}
                    error={errors.windowDays}
                    helpText={`From ${windowMin} to ${windowMax} days. The default is 5.`}
                  />
                  <input type="hidden" name="includeOpens" value={String(includeOpens)} />
                  <Checkbox
                    label="Count opens made by a person"
                    checked={includeOpens}
                    onChange={setIncludeOpens}
                    error={errors.includeOpens}
                    helpText="Opens by machines (Apple Mail Privacy Protection, security scanners) never count: they open every email, read or not."
                  />
                  <Box>
                    <Button submit variant="primary" loading={saver.state !== "idle"}>
                      Save
                    </Button>
                  </Box>
                </FormLayout>
              </saver.Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
