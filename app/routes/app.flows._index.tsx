// Flows: every flow of the workspace with its status, trigger and last 30 days; search, status tabs and sort;
// pause and resume, duplicate, archive and unarchive, export and import as JSON files (ADR 0038).
import { parseWithZod } from "@conform-to/zod/v4";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  ActionList,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  DropZone,
  Icon,
  IndexTable,
  InlineStack,
  Layout,
  Link,
  List,
  Modal,
  Page,
  Popover,
  Select,
  Tabs,
  Text,
  TextField,
} from "@shopify/polaris";
import { AutomationIcon, MenuHorizontalIcon, SearchIcon } from "@shopify/polaris-icons";
import { useCallback, useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { EmptyCard } from "~/components/empty-card";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { triggerTitle } from "~/components/flow-builder/describe";
import type { Draft } from "~/components/flow-builder/graph";
import { errorMessages, formatDateTime } from "~/components/format";
import { FlowStatusBadge } from "~/components/status-badges";
import { formatMoneyList, formatRate } from "~/core/analytics/format";
import { flowKpis, lastDays } from "~/core/analytics/kpis.server";
import { systemClock } from "~/core/clock";
import { archiveFlow, duplicateFlow, FlowImportError, flowForExport, flowTriggers, importFlowFile, unarchiveFlow } from "~/core/flows/library.server";
import { FlowError, FlowNotFoundError, listFlows, setFlowStatus } from "~/core/flows/manage.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Flows · Nudgeflow" }];

const flowId = z.string({ error: "Say which flow." }).min(1, "Say which flow.");
const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("set-status"), flowId, status: z.enum(["live", "paused"], { error: "Status must be live or paused." }) }),
    z.object({ intent: z.literal("duplicate"), flowId }),
    z.object({ intent: z.literal("archive"), flowId }),
    z.object({ intent: z.literal("unarchive"), flowId }),
    z.object({ intent: z.literal("export"), flowId }),
    z.object({
      intent: z.literal("import"),
      fileName: z.string({ error: "Choose a .json flow file." }).min(1, "Choose a .json flow file."),
      document: z.string({ error: "The file is empty." }).min(1, "The file is empty."),
    }),
  ],
  { error: "Unknown action: set-status, duplicate, archive, unarchive, export or import." },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  // The last 30 days of each flow's emails and the orders attributed to them (computed now, ADR 0015).
  const report = await flowKpis(db, { workspaceId, ...lastDays(systemClock.now(), 30) });
  const { triggers, segmentNames } = await flowTriggers(db, { workspaceId });
  const segments = new Map(Object.entries(segmentNames));
  const flows = (await listFlows(db, { workspaceId })).map((flow) => {
    const kpis = report.flows.find((row) => row.flowId === flow.id);
    const trigger = triggers[flow.id];
    return {
      ...flow,
      trigger: trigger ? triggerTitle({ trigger } as unknown as Draft, segments) : "—",
      kpis: kpis
        ? { recipients: kpis.recipients, conversionRate: kpis.conversionRate, revenue: kpis.revenue, revenuePerRecipient: kpis.revenuePerRecipient }
        : null,
    };
  });
  return json({ flows });
}

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, intent: "invalid" as const, errors: submission.error ?? {} }, { status: 400 });
  const input = submission.value;
  const deps = { db: getDb(), clock: systemClock };
  try {
    switch (input.intent) {
      case "set-status":
        await setFlowStatus(deps, { workspaceId, flowId: input.flowId, status: input.status });
        return json({ ok: true as const, intent: input.intent, message: input.status === "live" ? "Flow resumed" : "Flow paused" });
      case "duplicate": {
        const copy = await duplicateFlow(deps, { workspaceId, flowId: input.flowId });
        return json({ ok: true as const, intent: input.intent, message: `Duplicated as “${copy.name}” (a draft)` });
      }
      case "archive": {
        const { name } = await archiveFlow(deps, { workspaceId, flowId: input.flowId });
        return json({ ok: true as const, intent: input.intent, message: `“${name}” archived` });
      }
      case "unarchive": {
        const { name, status } = await unarchiveFlow(deps, { workspaceId, flowId: input.flowId });
        return json({ ok: true as const, intent: input.intent, message: `“${name}” is back, ${status === "paused" ? "paused" : "as a draft"}` });
      }
      case "export": {
        const file = await flowForExport(deps.db, { workspaceId, flowId: input.flowId });
        return json({ ok: true as const, intent: input.intent, message: `Exported ${file.fileName}`, file });
      }
      case "import": {
        const imported = await importFlowFile(deps, { workspaceId, fileName: input.fileName, text: input.document });
        return redirect(`/app/flows/${imported.flowId}`);
      }
    }
  } catch (error) {
    if (error instanceof FlowImportError) {
      const heading = input.intent === "import" ? `${input.fileName} is not a valid flow; nothing was imported` : "Fix the draft before exporting it";
      return json({ ok: false as const, intent: input.intent, title: heading, errors: { "": error.problems.map((p) => `${p.path}: ${p.message}`) } }, { status: 400 });
    }
    if (error instanceof FlowNotFoundError) return json({ ok: false as const, intent: input.intent, errors: { flowId: [error.message] } }, { status: 404 });
    if (error instanceof FlowError) return json({ ok: false as const, intent: input.intent, errors: { "": [error.message] } }, { status: 400 });
    throw error;
  }
}

type Flow = ReturnType<typeof useLoaderData<typeof loader>>["flows"][number];

const number = new Intl.NumberFormat("en-US");

const TABS = [
  { id: "all", content: "All", matches: (status: string) => status !== "archived" },
  { id: "live", content: "Live", matches: (status: string) => status === "live" },
  { id: "paused", content: "Paused", matches: (status: string) => status === "paused" },
  { id: "draft", content: "Drafts", matches: (status: string) => status === "draft" },
  { id: "archived", content: "Archived", matches: (status: string) => status === "archived" },
] as const;

const total = (amounts: readonly { amount: number }[] | undefined) => (amounts ?? []).reduce((sum, money) => sum + money.amount, 0);
const SORTS: Record<string, { label: string; compare: (a: Flow, b: Flow) => number }> = {
  "created-asc": { label: "Oldest first", compare: (a, b) => a.createdAt.localeCompare(b.createdAt) },
  "created-desc": { label: "Newest first", compare: (a, b) => b.createdAt.localeCompare(a.createdAt) },
  "name-asc": { label: "Name A–Z", compare: (a, b) => a.name.localeCompare(b.name) },
  "revenue-desc": { label: "Revenue, highest first", compare: (a, b) => total(b.kpis?.revenue) - total(a.kpis?.revenue) },
  "recipients-desc": { label: "Recipients, most first", compare: (a, b) => (b.kpis?.recipients ?? 0) - (a.kpis?.recipients ?? 0) },
};

export default function Flows() {
  const { flows } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const fetcher = useFetcher<typeof action>();
  const [dismissed, setDismissed] = useState<unknown>(null);
  const answer = fetcher.state === "idle" && fetcher.data && fetcher.data !== dismissed ? fetcher.data : null;
  const failure = answer && !answer.ok ? answer : null;
  const success = answer && answer.ok ? answer : null;
  const pendingFlowId = fetcher.state !== "idle" ? fetcher.formData?.get("flowId") : null;
  // "New flow" posts to /app/flows/new, which creates an empty draft and redirects to its builder.
  const submit = useSubmit();
  const navigation = useNavigation();
  const creating = navigation.state !== "idle" && navigation.formAction === "/app/flows/new";
  const newFlow = () => submit(null, { method: "post", action: "/app/flows/new" });

  const [tab, setTab] = useState(0);
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState("created-asc");
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [importOpen, setImportOpen] = useState(false);

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return flows
      .filter((flow) => TABS[tab].matches(flow.status))
      .filter((flow) => !needle || flow.name.toLowerCase().includes(needle) || flow.trigger.toLowerCase().includes(needle))
      .sort(SORTS[sort].compare);
  }, [flows, tab, query, sort]);

  // An export answers with the document: the browser saves it as a file.
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data?.ok || fetcher.data.intent !== "export" || !("file" in fetcher.data)) return;
    const { fileName, definition } = fetcher.data.file;
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(definition, null, 2)}\n`], { type: "application/json" }));
    const anchor = Object.assign(document.createElement("a"), { href: url, download: fileName });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }, [fetcher.state, fetcher.data]);

  const act = (intent: string, flow: Flow, extra: Record<string, string> = {}) => {
    setMenuFor(null);
    fetcher.submit({ intent, flowId: flow.id, ...extra }, { method: "post" });
  };

  const tabs = TABS.map((candidate) => ({
    id: `flows-${candidate.id}`,
    content: candidate.content,
    badge: String(flows.filter((flow) => candidate.matches(flow.status)).length),
    panelID: "flows-panel",
  }));

  return (
    <Page
      title="Flows"
      subtitle="Automated journeys and how they are doing. Recipients, conversion and revenue: the last 30 days, orders attributed to each flow's emails."
      primaryAction={{ content: "New flow", onAction: newFlow, loading: creating }}
      secondaryActions={[
        { content: "Import", onAction: () => setImportOpen(true), accessibilityLabel: "Import a flow from a JSON file" },
        { content: "Browse blueprints", url: "/app" },
      ]}
    >
      <Layout>
        {failure ? (
          <Layout.Section>
            <Banner tone="critical" title={"title" in failure && typeof failure.title === "string" ? failure.title : "The flow could not be changed"} onDismiss={() => setDismissed(fetcher.data)}>
              <List>
                {errorMessages(failure.errors).map((message) => (
                  <List.Item key={message}>{message}</List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        {success ? (
          <Layout.Section>
            <Banner tone="success" title={success.message} onDismiss={() => setDismissed(fetcher.data)} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {flows.length === 0 ? (
            <EmptyCard icon={AutomationIcon} heading="No flows yet" action={{ content: "Browse blueprints", url: "/app" }}>
              Turn on a blueprint from the gallery on Home, such as Abandoned cart, and it will be listed here with
              its enrollments and emails sent. Or start from an empty canvas with New flow, or import a flow file.
            </EmptyCard>
          ) : (
            <Card padding="0">
              <Tabs tabs={tabs} selected={tab} onSelect={setTab} />
              <Box padding="300" borderBlockStartWidth="025" borderColor="border">
                <InlineStack gap="300" wrap blockAlign="end">
                  <Box minWidth="240px">
                    <TextField
                      label="Search flows"
                      labelHidden
                      placeholder="Search by name or trigger"
                      prefix={<SearchIconBox />}
                      value={query}
                      onChange={setQuery}
                      clearButton
                      onClearButtonClick={() => setQuery("")}
                      autoComplete="off"
                    />
                  </Box>
                  <Select label="Sort by" labelInline options={Object.entries(SORTS).map(([value, { label }]) => ({ value, label }))} value={sort} onChange={setSort} />
                </InlineStack>
              </Box>
              <div id="flows-panel">
                <IndexTable
                  resourceName={{ singular: "flow", plural: "flows" }}
                  itemCount={shown.length}
                  selectable={false}
                  emptyState={
                    <Box padding="600">
                      <Text as="p" alignment="center" tone="subdued">
                        {TABS[tab].id === "archived" ? "No archived flows. Archive a flow from its ⋯ menu to put it away here." : "No flows match. Clear the search or pick another tab."}
                      </Text>
                    </Box>
                  }
                  headings={[
                    { title: "Flow" },
                    { title: "Status" },
                    { title: "Trigger" },
                    { title: "Version", alignment: "end" },
                    { title: "Enrolled", alignment: "end" },
                    { title: "Active", alignment: "end" },
                    { title: "Emails sent", alignment: "end" },
                    { title: "Recipients (30 days)", alignment: "end" },
                    { title: "Conversion", alignment: "end" },
                    { title: "Revenue (30 days)", alignment: "end" },
                    { title: "Per recipient", alignment: "end" },
                    { title: "Actions", hidden: true },
                  ]}
                >
                  {shown.map((flow, index) => {
                    const next = flow.status === "live" ? "paused" : "live";
                    const archived = flow.status === "archived";
                    return (
                      <IndexTable.Row id={flow.id} key={flow.id} position={index}>
                        <IndexTable.Cell>
                          <BlockStack gap="050">
                            <Link url={`/app/flows/${flow.id}`} monochrome removeUnderline accessibilityLabel={`Open ${flow.name} in the builder`}>
                              <Text as="span" variant="bodyMd" fontWeight="semibold">
                                {flow.name}
                              </Text>
                            </Link>
                            <Text as="span" variant="bodySm" tone="subdued">
                              Created {formatDateTime(flow.createdAt, timeZone)}
                            </Text>
                          </BlockStack>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <FlowStatusBadge status={flow.status} />
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" variant="bodySm">
                            {flow.trigger}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {flow.version === null ? "—" : `v${flow.version}`}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(flow.enrolled)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(flow.active)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(flow.sent)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {number.format(flow.kpis?.recipients ?? 0)}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            <span title={flow.kpis ? `${flow.kpis.conversionRate.count} of ${flow.kpis.conversionRate.of} recipients ordered` : undefined}>
                              {flow.kpis ? formatRate(flow.kpis.conversionRate) : "—"}
                            </span>
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {formatMoneyList(flow.kpis?.revenue ?? [])}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {formatMoneyList(flow.kpis?.revenuePerRecipient ?? [])}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <ButtonGroup noWrap>
                            {flow.status === "draft" || archived ? null : (
                              <Button size="slim" loading={pendingFlowId === flow.id && fetcher.formData?.get("intent") === "set-status"} onClick={() => act("set-status", flow, { status: next })} accessibilityLabel={`${next === "paused" ? "Pause" : "Resume"} ${flow.name}`}>
                                {next === "paused" ? "Pause" : "Resume"}
                              </Button>
                            )}
                            {archived ? (
                              <Button size="slim" loading={pendingFlowId === flow.id} onClick={() => act("unarchive", flow)} accessibilityLabel={`Unarchive ${flow.name}`}>
                                Unarchive
                              </Button>
                            ) : null}
                            <Popover
                              active={menuFor === flow.id}
                              onClose={() => setMenuFor(null)}
                              activator={<Button size="slim" icon={MenuHorizontalIcon} accessibilityLabel={`More actions for ${flow.name}`} onClick={() => setMenuFor(menuFor === flow.id ? null : flow.id)} />}
                            >
                              <ActionList
                                actionRole="menuitem"
                                items={[
                                  { content: "Duplicate", onAction: () => act("duplicate", flow) },
                                  { content: "Export as JSON", onAction: () => act("export", flow) },
                                  archived ? { content: "Unarchive", onAction: () => act("unarchive", flow) } : { content: "Archive", destructive: true, onAction: () => act("archive", flow) },
                                ]}
                              />
                            </Popover>
                          </ButtonGroup>
                        </IndexTable.Cell>
                      </IndexTable.Row>
                    );
                  })}
                </IndexTable>
              </div>
            </Card>
          )}
        </Layout.Section>
      </Layout>
      <ImportModal open={importOpen} onClose={() => setImportOpen(false)} />
    </Page>
  );
}

function SearchIconBox() {
  return <Icon source={SearchIcon} tone="base" />;
}

/** Reads the chosen file in the browser and posts its text; the server validates it and opens the new draft. */
function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const importer = useFetcher<typeof action>();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const failure = importer.state === "idle" && importer.data && !importer.data.ok ? importer.data : null;
  const onDrop = useCallback((_all: File[], accepted: File[], rejected: File[]) => {
    setReadError(rejected.length ? `${rejected[0].name} is not a .json file.` : null);
    const chosen = accepted[0];
    if (!chosen) return;
    chosen.text().then(
      (text) => setFile({ name: chosen.name, text }),
      () => setReadError(`${chosen.name} could not be read.`),
    );
  }, []);
  const close = () => {
    setFile(null);
    setReadError(null);
    onClose();
  };
  return (
    <Modal
      open={open}
      onClose={close}
      title="Import a flow"
      primaryAction={{
        content: "Import",
        disabled: !file,
        loading: importer.state !== "idle",
        onAction: () => file && importer.submit({ intent: "import", fileName: file.name, document: file.text }, { method: "post" }),
      }}
      secondaryActions={[{ content: "Cancel", onAction: close }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          <Text as="p">
            A flow file is the JSON document that “Export as JSON” (or <code>nudgeflow flows export</code>) writes. It is checked against the flow schema and
            becomes a new draft named after the file; nothing goes live until you publish it.
          </Text>
          {failure ? (
            <Banner tone="critical" title={"title" in failure && typeof failure.title === "string" ? failure.title : "The file could not be imported"}>
              <List>
                {errorMessages(failure.errors).map((message) => (
                  <List.Item key={message}>{message}</List.Item>
                ))}
              </List>
            </Banner>
          ) : null}
          {readError ? <Banner tone="critical" title={readError} /> : null}
          <DropZone label="Flow file" accept=".json,application/json" type="file" allowMultiple={false} onDrop={onDrop} variableHeight>
            <Box padding="400">
              <Text as="p" alignment="center" tone={file ? undefined : "subdued"}>
                {file ? `${file.name} (${number.format(file.text.length)} characters)` : "Drop a .json file here, or click to choose one"}
              </Text>
            </Box>
          </DropZone>
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
