// Suppression list: the addresses the workspace sends no marketing email to (bounces, spam reports, unsubscribes,
// blocks by hand), searchable and filtered by reason, a page at a time; export as CSV, import a CSV (every good line
// is kept, every bad one reported with its line number), remove a block or an unsubscribe.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Icon, IndexTable, InlineGrid, InlineStack, Layout, List, Page, Select, SkeletonBodyText, Text, TextField } from "@shopify/polaris";
import { DisabledIcon, SearchIcon } from "@shopify/polaris-icons";
import { useCallback, useEffect, useRef, useState, type ChangeEvent } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { CursorPagination, readCursorTrail } from "~/components/cursor-pagination";
import { EmptyCard } from "~/components/empty-card";
import { errorMessages, formatDateTime } from "~/components/format";
import { systemClock } from "~/core/clock";
import { importSuppressions, listSuppressions, removeSuppression, SuppressionImportError } from "~/core/messaging/suppression-list.server";
import { ERASED_LABEL, MAX_IMPORT_BYTES, REASON_LABEL, SUPPRESSION_REASONS } from "~/core/messaging/suppression-reasons";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Suppression list · Nudgeflow" }];

const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;
/** Rejected lines shown on the page; the count says how many more there were. */
const SHOWN_REJECTIONS = 100;

const Filters = z.object({
  q: z.string().trim().max(200).catch(""),
  reason: z.enum(SUPPRESSION_REASONS).or(z.literal("")).catch(""),
});

const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("import"),
      csv: z.string({ error: "Choose a CSV file, or paste the addresses." }).min(1, "Choose a CSV file, or paste the addresses.").max(MAX_IMPORT_BYTES + 1024, "The file is larger than 5 MB; split it into smaller files."),
    }),
    z.object({ intent: z.literal("remove"), id: z.string({ error: "Say which entry to remove." }).min(1).max(100) }),
  ],
  { error: "Unknown action: this page can import a CSV or remove an entry." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const url = new URL(request.url);
  const filters = Filters.parse({ q: url.searchParams.get("q") ?? "", reason: url.searchParams.get("reason") ?? "" });
  const trail = readCursorTrail(url);
  const page = await listSuppressions(getDb(), { workspaceId, search: filters.q || undefined, reason: filters.reason || undefined, cursor: trail.at(-1) ?? null, take: PAGE_SIZE });
  return json({ ...page, trail, filters });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, errors: submission.error ?? {} }, { status: 400 });
  const value = submission.value;
  if (value.intent === "remove") {
    const removed = await removeSuppression(getDb(), { workspaceId, id: value.id });
    if (!removed) throw new Response("This entry is not on your suppression list.", { status: 404 });
    if (!removed.ok) return json({ ok: false as const, errors: { id: [removed.error] } }, { status: 400 });
    return json({ ok: true as const, intent: "remove" as const, email: removed.email ?? ERASED_LABEL });
  }
  try {
    const report = await importSuppressions(getDb(), { workspaceId, csv: value.csv, now: systemClock.now() });
    return json({ ok: true as const, intent: "import" as const, added: report.added, alreadyListed: report.alreadyListed, rejectedCount: report.rejected.length, rejected: report.rejected.slice(0, SHOWN_REJECTIONS) });
  } catch (error) {
    if (error instanceof SuppressionImportError) return json({ ok: false as const, errors: { csv: [error.message] } }, { status: 400 });
    throw error;
  }
}

const REASON_TONE: Record<string, "critical" | "warning" | "info" | undefined> = { bounce: "critical", spamreport: "critical", manual: "warning" };

export default function Suppressions() {
  const { entries, nextCursor, trail, filters } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const submit = useSubmit();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const formRef = useRef<HTMLFormElement>(null);
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app/suppressions";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  const [query, setQuery] = useState(filters.q);
  const [reason, setReason] = useState<string>(filters.reason);
  const [pasted, setPasted] = useState("");
  const [downloadError, setDownloadError] = useState<string | null>(null);
  useEffect(() => {
    setQuery(filters.q);
    setReason(filters.reason);
  }, [filters.q, filters.reason]);
  // Pasted lines that were imported are done with; the report above says what became of each.
  useEffect(() => {
    if (result?.ok && result.intent === "import") setPasted("");
  }, [result]);

  const apply = () => formRef.current && submit(formRef.current, { replace: true });
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(apply, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- apply reads the form itself
  }, [query]);

  // Fetched rather than linked: inside the Shopify admin, App Bridge adds the session token to fetch requests only.
  const download = useCallback(async () => {
    setDownloadError(null);
    const query = new URLSearchParams({ ...(filters.q ? { q: filters.q } : {}), ...(filters.reason ? { reason: filters.reason } : {}) });
    const response = await fetch(`/app/suppressions/csv?${query.toString()}`);
    if (!response.ok) {
      setDownloadError(`The export could not be downloaded (${response.status}).`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = "suppression-list.csv";
    link.click();
    URL.revokeObjectURL(url);
  }, [filters.q, filters.reason]);

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    fetcher.submit({ intent: "import", csv: await file.text() }, { method: "post", encType: "multipart/form-data" });
  };

  const filtered = Boolean(filters.q || filters.reason);
  const reasonOptions = [{ label: "All reasons", value: "" }, ...SUPPRESSION_REASONS.map((value) => ({ label: REASON_LABEL[value], value }))];

  return (
    <Page
      title="Suppression list"
      subtitle="Addresses that get no marketing email: bounces, spam reports, unsubscribes and your own blocks."
      secondaryActions={[{ content: "Export CSV", onAction: () => void download() }]}
    >
      <Layout>
        {result ? (
          <Layout.Section>
            {!result.ok ? (
              <Banner tone="critical" title="That did not work">
                <List>
                  {errorMessages(result.errors).map((message) => (
                    <List.Item key={message}>{message}</List.Item>
                  ))}
                </List>
              </Banner>
            ) : result.intent === "remove" ? (
              <Banner tone="success" title={`${result.email} removed from the list`}>
                <p>Marketing email may reach it again. A customer who unsubscribed still has no marketing consent: flows that need consent keep skipping them.</p>
              </Banner>
            ) : (
              <Banner tone={result.rejectedCount ? "warning" : "success"} title={`Imported: ${result.added} added, ${result.alreadyListed} already on the list, ${result.rejectedCount} rejected`}>
                {result.rejectedCount ? (
                  <BlockStack gap="200">
                    <p>Every good line was kept. These lines were not:</p>
                    <List>
                      {result.rejected.map((line) => (
                        <List.Item key={line.line}>{`Line ${line.line}: ${line.problem}`}</List.Item>
                      ))}
                    </List>
                    {result.rejectedCount > result.rejected.length ? <p>{`…and ${result.rejectedCount - result.rejected.length} more.`}</p> : null}
                  </BlockStack>
                ) : null}
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        {downloadError ? (
          <Layout.Section>
            <Banner tone="critical" onDismiss={() => setDownloadError(null)}>
              <p>{downloadError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingSm">
                Import
              </Text>
              <Text as="p" tone="subdued">
                {`A CSV with one address per line, optionally followed by a reason (${SUPPRESSION_REASONS.join(", ")}; empty means manual). A header line naming "email" and "reason" columns is fine, so an export can be imported again.`}
              </Text>
              <InlineStack gap="300" blockAlign="center">
                <input type="file" accept=".csv,text/csv,text/plain" aria-label="CSV file to import" onChange={(event) => void importFile(event)} />
              </InlineStack>
              <TextField label="Or paste lines" value={pasted} onChange={setPasted} multiline={4} autoComplete="off" placeholder={"ann@example.com\nbob@example.com,unsubscribe"} />
              <Box>
                <Button disabled={!pasted.trim()} loading={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "import"} onClick={() => fetcher.submit({ intent: "import", csv: pasted }, { method: "post", encType: "multipart/form-data" })}>
                  Import pasted lines
                </Button>
              </Box>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Form method="get" ref={formRef} role="search" aria-label="Find suppressed addresses">
              <InlineGrid columns={{ xs: 1, md: "2fr 1fr auto" }} gap="300" alignItems="end">
                <TextField
                  label="Search"
                  name="q"
                  value={query}
                  onChange={(value) => {
                    typed.current = true;
                    setQuery(value);
                  }}
                  prefix={<Icon source={SearchIcon} tone="subdued" />}
                  placeholder="Part of an email address"
                  autoComplete="off"
                />
                <Select
                  label="Reason"
                  name="reason"
                  options={reasonOptions}
                  value={reason}
                  onChange={(value) => {
                    setReason(value);
                    setTimeout(apply, 0);
                  }}
                />
                <Button submit>Apply</Button>
              </InlineGrid>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          {loading ? (
            <Card>
              <SkeletonBodyText lines={8} />
            </Card>
          ) : entries.length === 0 ? (
            filtered ? (
              <EmptyCard icon={SearchIcon} heading="No entries match" action={{ content: "Clear filters", url: "/app/suppressions" }}>
                Try another part of the address, or another reason.
              </EmptyCard>
            ) : (
              <EmptyCard icon={DisabledIcon} heading="Nobody is suppressed">
                Addresses appear here when an email bounces, a recipient reports spam or unsubscribes, or you import a list.
              </EmptyCard>
            )
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "entry", plural: "entries" }}
                itemCount={entries.length}
                selectable={false}
                headings={[{ title: "Email" }, { title: "Reason" }, { title: "Source" }, { title: "Since" }, { title: "" }]}
              >
                {entries.map((entry, index) => (
                  <IndexTable.Row id={entry.id} key={entry.id} position={index}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <Text as="span" fontWeight="semibold" tone={entry.email ? undefined : "subdued"}>
                          {entry.email ?? ERASED_LABEL}
                        </Text>
                        {entry.detail ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {entry.detail}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={REASON_TONE[entry.reason]}>{entry.reasonLabel}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{entry.source}</IndexTable.Cell>
                    <IndexTable.Cell>{formatDateTime(entry.createdAt, timeZone)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {entry.removable ? (
                        <Button size="slim" variant="plain" tone="critical" onClick={() => fetcher.submit({ intent: "remove", id: entry.id }, { method: "post" })}>
                          Remove
                        </Button>
                      ) : null}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
              <CursorPagination trail={trail} nextCursor={nextCursor} noun="entries" />
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
