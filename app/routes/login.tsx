// Standalone sign-in (merchants without Shopify, and the demo). Inside Shopify the admin never comes here.
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  AppProvider as PolarisAppProvider,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  FormLayout,
  InlineStack,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { useEffect, useState } from "react";
import { z } from "zod";
import { getSignedInUser, login, safeRedirect } from "~/auth.server";
import { PolarisLink } from "~/components/polaris-link";
import { authenticateUser, DEMO_EMAIL } from "~/core/workspaces/workspaces.server";
import { getDb } from "~/db.server";
import { shopifyCredentials } from "~/env.server";

const LoginForm = z.object({
  email: z.email({ error: (issue) => (issue.input === undefined ? "Enter your email address." : "Enter a valid email address.") }),
  password: z.string({ error: "Enter your password." }),
  redirectTo: z.string().optional(),
});

export const meta: MetaFunction = () => [{ title: "Sign in · Nudgeflow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await getSignedInUser(request)) throw redirect(redirectTo);
  // Without Shopify credentials the server seeds the demo workspace and prints its sign-in when it starts.
  return json({ redirectTo, demo: shopifyCredentials() === null ? { email: DEMO_EMAIL } : null });
}

export async function action({ request }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: LoginForm });
  if (submission.status !== "success") {
    return json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const user = await authenticateUser(getDb(), submission.value);
  if (!user) {
    return json(submission.reply({ formErrors: ["Email or password is incorrect."], hideFields: ["password"] }), { status: 400 });
  }
  return login(request, user, submission.value.redirectTo);
}

export default function Login() {
  const { redirectTo, demo } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const signingIn = navigation.state !== "idle" && navigation.formAction?.startsWith("/login") === true;

  const [form, fields] = useForm({
    id: "login",
    lastResult,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginForm }),
  });
  // Polaris fields are controlled; conform reads the submitted FormData, validates and reports the errors.
  const [email, setEmail] = useState(typeof fields.email.initialValue === "string" ? fields.email.initialValue : "");
  const [password, setPassword] = useState("");
  useEffect(() => {
    if (lastResult) setPassword(""); // the server never sends the password back
  }, [lastResult]);

  return (
    <PolarisAppProvider i18n={en} linkComponent={PolarisLink}>
      <Box minHeight="100vh" background="bg" paddingBlockStart="2000" paddingInline="400">
        <Page narrowWidth>
          <BlockStack gap="600">
            <BlockStack gap="200" inlineAlign="center">
              <Logo />
              <Text as="h1" variant="headingLg" alignment="center">
                Sign in to Nudgeflow
              </Text>
              <Text as="p" tone="subdued" alignment="center">
                Marketing automation for your store
              </Text>
            </BlockStack>
            <Card padding="600">
              <Form method="post" {...getFormProps(form)}>
                <input type="hidden" name="redirectTo" value={redirectTo} />
                <FormLayout>
                  {form.errors?.length ? (
                    <Banner tone="critical">
                      <p id={form.errorId}>{form.errors.join(" ")}</p>
                    </Banner>
                  ) : null}
                  <TextField
                    id={fields.email.id}
                    name={fields.email.name}
                    label="Email"
                    type="email"
                    autoComplete="username"
                    placeholder={demo?.email}
                    value={email}
                    onChange={setEmail}
                    error={fields.email.errors?.join(" ")}
                    autoFocus
                  />
                  <TextField
                    id={fields.password.id}
                    name={fields.password.name}
                    label="Password"
                    type="password"
                    autoComplete="current-password"
                    value={password}
                    onChange={setPassword}
                    error={fields.password.errors?.join(" ")}
                  />
                  <Button submit variant="primary" size="large" fullWidth loading={signingIn}>
                    Sign in
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            {demo ? (
              <Banner tone="info" title="Trying the demo?">
                <p>
                  Sign in as <Text as="span" fontWeight="semibold">{demo.email}</Text>. Demo sign-in is printed in the
                  terminal where you ran npm start.
                </p>
              </Banner>
            ) : null}
          </BlockStack>
        </Page>
      </Box>
    </PolarisAppProvider>
  );
}

function Logo() {
  return (
    <InlineStack align="center">
      <svg width="44" height="44" viewBox="0 0 28 28" aria-hidden="true">
        <rect width="28" height="28" rx="8" fill="#4ade80" />
        <path d="M8.5 19.5v-11l11 11v-11" fill="none" stroke="#052e16" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </InlineStack>
  );
}
