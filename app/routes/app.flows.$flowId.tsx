// The flow builder: the flow's draft on a canvas, a side panel per step, autosave, publish, pause and resume.
// Thin: each intent is parsed with zod and answered by one core call.
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { ActionList, Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, InlineStack, Layout, List, Page, Popover, SkeletonBodyText, Text } from "@shopify/polaris";
import { PlusIcon, RedoIcon, UndoIcon } from "@shopify/polaris-icons";
import xyflowStyles from "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { z } from "zod";
import { requireAdmin } from "~/auth.server";
import { FlowCanvas, NODE_ICONS } from "~/components/flow-builder/canvas";
import builderStyles from "~/components/flow-builder/flow-builder.css";
import { nodeTitle } from "~/components/flow-builder/describe";
import { ADDABLE_TYPES, NODE_TYPE_LABELS, TRIGGER_ID, appendAfter, deleteNode, draftProblems, insertOnOutput, readDraft, replaceNode, type Draft, type EditResult, type NodeType, type OutputRef } from "~/components/flow-builder/graph";
import { NodePanel } from "~/components/flow-builder/node-panel";
import { PublishModal } from "~/components/flow-builder/publish-modal";
import { useHistory } from "~/components/flow-builder/use-history";
import { UnsavedChangesBar, useShellFeedback } from "~/components/shell-feedback";
import { chartStyles } from "~/components/charts/charts";
import { FlowDashboardSection } from "~/components/charts/dashboard";
import { FlowHistory, FlowResults } from "~/components/flow-results";
import { FlowStatusBadge } from "~/components/status-badges";
import { flowDashboardView } from "~/core/analytics/dashboard.server";
import { flowResults } from "~/core/analytics/flow-results.server";
import { flowHistory } from "~/core/analytics/promotion-history.server";
import { promoteAbVariant } from "~/core/analytics/promotion.server";
import { DEFAULT_RULES, type FlowNode, type Holdout, type Trigger } from "~/core/flows/definition";
import { diffDefinitions, isEmptyDiff } from "~/core/flows/draft-diff";
import { FlowError, FlowNotFoundError, FlowValidationError, diffAgainstLive, getFlowForBuilder, publishDraft, saveDraft, setFlowStatus } from "~/core/flows/manage.server";
import { systemClock } from "~/core/clock";
import { getDb } from "~/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: xyflowStyles },
  { rel: "stylesheet", href: builderStyles },
  { rel: "stylesheet", href: chartStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.flow.name ?? "Flow"} · Nudgeflow` }];

const Intent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("save-draft"), definition: z.string({ error: "Send the draft as JSON." }) }),
    z.object({ intent: z.literal("review"), definition: z.string().optional() }),
    z.object({ intent: z.literal("publish"), definition: z.string().optional(), backfill: z.enum(["yes", "no"]).default("no") }),
    z.object({ intent: z.literal("set-status"), status: z.enum(["live", "paused"], { error: "Status must be live or paused." }) }),
    z.object({ intent: z.literal("promote-variant"), nodeId: z.string({ error: "Say which A/B split." }).min(1), variant: z.string({ error: "Say which variant to promote." }).min(1) }),
  ],
  { error: "Unknown action: save-draft, review, publish, set-status or promote-variant." },
);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const flowId = params.flowId ?? "";
  try {
    const builder = await getFlowForBuilder(getDb(), { workspaceId, flowId });
    // Charts and the funnel over the range in the URL (?range=…; ADR 0036); the flow was found just above.
    const dashboard = await flowDashboardView(getDb(), { workspaceId, flowId, search: new URL(request.url).searchParams, now: systemClock.now() });
    // Results under the canvas: attributed revenue, the control-group comparison and A/B tests (ADR 0030).
    const range = dashboard ? { from: new Date(dashboard.range.from), to: new Date(dashboard.range.to), label: dashboard.range.label } : undefined;
    const results = await flowResults(getDb(), { workspaceId, flowId, now: systemClock.now(), range });
    return json({ ...builder, dashboard, results, history: await flowHistory(getDb(), { workspaceId, flowId }) });
  } catch (error) {
    if (error instanceof FlowNotFoundError) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const { workspaceId } = admin;
  const flowId = params.flowId ?? "";
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") return json({ ok: false as const, intent: "invalid" as const, errors: submission.error ?? {} }, { status: 400 });
  const input = submission.value;
  const deps = { db: getDb(), clock: systemClock };
  try {
    switch (input.intent) {
      case "save-draft":
        return json({ ok: true as const, intent: input.intent, ...(await saveDraft(deps, { workspaceId, flowId, definitionJson: input.definition })) });
      case "review":
        return json({ ok: true as const, intent: input.intent, preview: await diffAgainstLive(deps.db, { workspaceId, flowId, definitionJson: input.definition }) });
      case "publish":
        return json({ ok: true as const, intent: input.intent, ...(await publishDraft(deps, { workspaceId, flowId, definitionJson: input.definition, backfill: input.backfill === "yes" })) });
      case "set-status":
        await setFlowStatus(deps, { workspaceId, flowId, status: input.status });
        return json({ ok: true as const, intent: input.intent, status: input.status });
      case "promote-variant": {
        // The history names who did it: the signed-in user, or the shop's staff in the Shopify admin.
        const actor = admin.mode === "standalone" ? admin.user.email : `staff of ${admin.shop}`;
        return json({ ok: true as const, intent: input.intent, ...(await promoteAbVariant(deps, { workspaceId, flowId, nodeId: input.nodeId, variantId: input.variant, actor })) });
      }
    }
  } catch (error) {
    if (error instanceof FlowNotFoundError) throw new Response("This flow does not exist, or belongs to another workspace.", { status: 404 });
    if (error instanceof FlowValidationError) return json({ ok: false as const, intent: input.intent, errors: { "": error.problems.map((p) => `${p.path}: ${p.message}`) } }, { status: 400 });
    if (error instanceof FlowError) return json({ ok: false as const, intent: input.intent, errors: { "": [error.message] } }, { status: 400 });
    throw error;
  }
}

/** Autosaves and reviews change nothing the page shows from its loader: no need to load it again. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) => {
  const intent = formData?.get("intent");
  if (intent === "save-draft" || intent === "review") return false;
  return defaultShouldRevalidate;
};

const AUTOSAVE_MS = 600;

export default function FlowBuilderPage() {
  const data = useLoaderData<typeof loader>();
  const initial = useMemo(() => readDraft(data.definition), [data.definition]);
  if (!initial) {
    return (
      <Page title={data.flow.name} backAction={{ content: "Flows", url: "/app/flows" }}>
        <Banner tone="critical" title="This flow's definition cannot be opened in the builder">
          <p>It is not a flow document with a list of steps. Export it with the command line, fix it and import it again.</p>
        </Banner>
      </Page>
    );
  }
  // A promotion (by hand or by the worker) publishes a version behind the builder's back: start it afresh then.
  return <Builder key={`${data.flow.id}:${data.results.promotions.length}`} initial={initial} />;
}

function Builder({ initial }: { initial: Draft }) {
  const data = useLoaderData<typeof loader>();
  const history = useHistory<Draft>(initial);
  const draft = history.present;
  const problems = useMemo(() => draftProblems(draft), [draft]);

  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const [openNodeId, setOpenNodeId] = useState<string | null>(null);
  const [focusedNodeId, setFocusedNodeId] = useState<string | null>(null);
  const [menuEdge, setMenuEdge] = useState<string | null>(null);
  const [palette, setPalette] = useState<{ open: boolean; after: string | null }>({ open: false, after: null });
  const [notice, setNotice] = useState<string | null>(null);

  // ── Autosave ──
  const saver = useFetcher<typeof action>();
  const draftJson = useMemo(() => JSON.stringify(draft), [draft]);
  const [savedJson, setSavedJson] = useState(draftJson);
  const submitted = useRef<string | null>(null);
  useEffect(() => {
    if (draftJson === savedJson || draftJson === submitted.current) return;
    const timer = setTimeout(() => {
      submitted.current = draftJson;
      saver.submit({ intent: "save-draft", definition: draftJson }, { method: "post" });
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes on every render
  }, [draftJson, savedJson]);
  useEffect(() => {
    if (saver.state === "idle" && saver.data?.ok && saver.data.intent === "save-draft" && submitted.current !== null) {
      setSavedJson(submitted.current);
      submitted.current = null;
    }
  }, [saver.state, saver.data]);
  const saveFailed = saver.state === "idle" && saver.data && !saver.data.ok;
  const saveState = saver.state !== "idle" ? "Saving…" : draftJson === savedJson ? (data.hasDraft || savedJson !== JSON.stringify(initial) ? "Draft saved" : "Saved") : "Unsaved changes";

  // ── Edits ──
  const applyEdit = useCallback(
    (result: EditResult) => {
      if (!result.ok) {
        setNotice(result.reason);
        return;
      }
      setNotice(null);
      history.apply(result.draft);
      setOpenNodeId(result.nodeId === TRIGGER_ID ? null : result.nodeId);
    },
    [history],
  );
  const insert = useCallback((output: OutputRef, type: NodeType) => applyEdit(insertOnOutput(draft, output, type)), [applyEdit, draft]);
  const remove = useCallback(
    (id: string) => {
      const result = deleteNode(draft, id);
      applyEdit(result.ok ? { ...result, nodeId: "" } : result);
      if (result.ok) setOpenNodeId(null);
    },
    [applyEdit, draft],
  );
  const change = useCallback((node: FlowNode, field: string) => history.apply(replaceNode(draft, node.id, node), `${node.id}.${field}`), [history, draft]);
  const changeTrigger = useCallback((trigger: Trigger, field: string) => history.apply({ ...draft, trigger }, field), [history, draft]);
  const changeHoldout = useCallback(
    (holdout: Holdout | undefined) => {
      const { holdout: _previous, ...rules } = draft.rules ?? DEFAULT_RULES;
      history.apply({ ...draft, rules: holdout ? { ...rules, holdout } : rules }, "rules.holdout");
    },
    [history, draft],
  );
  const segmentNames = useMemo(() => new Map(data.segments.map((segment) => [segment.id, segment.name])), [data.segments]);
  const triggerProblems = useMemo(() => problems.general.filter((problem) => problem.path.startsWith("trigger")), [problems]);

  const paletteSource = palette.after ?? focusedNodeId ?? openNodeId ?? lastOpenEnd(draft);
  const paletteTitle = paletteSource === TRIGGER_ID ? "the trigger" : (() => {
    const node = draft.nodes.find((candidate) => candidate.id === paletteSource);
    return node ? nodeTitle(node) : "the trigger";
  })();

  // ── Undo / redo keys (text fields keep their own undo) ──
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable='true']")) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) history.undo();
      else if ((key === "z" && event.shiftKey) || key === "y") history.redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [history]);

  // ── Publish, pause, resume ──
  const reviewer = useFetcher<typeof action>();
  const publisher = useFetcher<typeof action>();
  const status = useFetcher<typeof action>();
  const [publishOpen, setPublishOpen] = useState(false);
  const [published, setPublished] = useState<{ version: number; backfill: { members: number; enrolled: number } | null } | null>(null);
  const openPublish = () => {
    setPublishOpen(true);
    reviewer.submit({ intent: "review", definition: draftJson }, { method: "post" });
  };
  const preview = reviewer.state === "idle" && reviewer.data?.ok && reviewer.data.intent === "review" ? reviewer.data.preview : null;
  const publishError = publisher.state === "idle" && publisher.data && !publisher.data.ok ? Object.values(publisher.data.errors).flat().join("; ") : null;
  useEffect(() => {
    if (publisher.state === "idle" && publisher.data?.ok && publisher.data.intent === "publish") {
      setPublishOpen(false);
      setPublished({ version: publisher.data.version, backfill: publisher.data.backfill });
      setSavedJson(JSON.stringify(history.present));
      feedback.toast(`Version ${publisher.data.version} is live`);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs when a publish answer arrives
  }, [publisher.state, publisher.data]);

  // ── Shell feedback (ADR 0038): toasts, and the save bar while the draft differs from the live version ──
  const feedback = useShellFeedback();
  useEffect(() => {
    if (status.state !== "idle" || !status.data) return;
    if (status.data.ok && status.data.intent === "set-status") feedback.toast(status.data.status === "live" ? "Flow resumed" : "Flow paused");
    else if (!status.data.ok) feedback.toast(Object.values(status.data.errors).flat().join("; ") || "The flow could not be changed", { error: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs when a pause/resume answer arrives
  }, [status.state, status.data]);
  const liveDraft = useMemo(() => (data.live ? readDraft(data.live) : null), [data.live]);
  const unpublished = useMemo(() => liveDraft !== null && !isEmptyDiff(diffDefinitions(liveDraft, draft)), [liveDraft, draft]);
  const discardChanges = () => {
    if (!liveDraft) return;
    history.apply(liveDraft);
    setOpenNodeId(null);
    feedback.toast("Changes discarded: the draft is the live version again");
  };

  const openNode = openNodeId === TRIGGER_ID ? null : draft.nodes.find((node) => node.id === openNodeId) ?? null;
  const panelOpen = openNodeId === TRIGGER_ID || openNode !== null;
  const live = data.flow.status === "live";
  const statusPending = status.state !== "idle";

  return (
    <Page
      fullWidth
      title={data.flow.name}
      titleMetadata={<FlowStatusBadge status={data.flow.status} />}
      subtitle={data.flow.version === null ? "Not published yet" : `Version ${data.flow.version} is ${live ? "live" : "published"}`}
      backAction={{ content: "Flows", url: "/app/flows" }}
      primaryAction={{ content: "Publish", onAction: openPublish, accessibilityLabel: "Publish this flow" }}
      secondaryActions={
        data.flow.version === null
          ? []
          : [
              {
                content: live ? "Pause" : "Resume",
                loading: statusPending,
                onAction: () => status.submit({ intent: "set-status", status: live ? "paused" : "live" }, { method: "post" }),
              },
            ]
      }
    >
      <Layout>
        {published !== null ? (
          <Layout.Section>
            <Banner tone="success" title={`Version ${published.version} is live`} onDismiss={() => setPublished(null)}>
              <p>Shoppers who qualify from now on follow this version; customers already in the flow finish theirs.</p>
              {published.backfill ? (
                <p>{`${published.backfill.enrolled} of the ${published.backfill.members} customers in the segment were enrolled now (the others were already in this flow or did not meet its conditions).`}</p>
              ) : null}
            </Banner>
          </Layout.Section>
        ) : null}
        {notice ? (
          <Layout.Section>
            <Banner tone="warning" onDismiss={() => setNotice(null)}>
              <p>{notice}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {saveFailed && saver.data && !saver.data.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="The draft could not be saved">
              <p>{Object.values(saver.data.errors).flat().join("; ")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {problems.general.length ? (
          <Layout.Section>
            <Banner tone="critical" title="Flow settings need attention">
              <List>
                {problems.general.map((problem) => (
                  <List.Item key={`${problem.path}:${problem.message}`}>{`${problem.path}: ${problem.message}`}</List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <Box paddingInline="400" paddingBlock="300">
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <InlineStack gap="200" blockAlign="center">
                  <Popover
                    active={palette.open}
                    onClose={() => setPalette({ open: false, after: null })}
                    autofocusTarget="first-node"
                    activator={
                      <Button icon={PlusIcon} disclosure onClick={() => setPalette((p) => ({ open: !p.open, after: null }))}>
                        Add step
                      </Button>
                    }
                  >
                    <ActionList
                      actionRole="menuitem"
                      sections={[
                        {
                          title: `Add after ${paletteTitle}`,
                          items: ADDABLE_TYPES.map((type) => ({
                            content: NODE_TYPE_LABELS[type],
                            icon: NODE_ICONS[type],
                            onAction: () => {
                              setPalette({ open: false, after: null });
                              applyEdit(appendAfter(draft, paletteSource, type));
                            },
                          })),
                        },
                      ]}
                    />
                  </Popover>
                  <ButtonGroup variant="segmented">
                    <Button icon={UndoIcon} accessibilityLabel="Undo" disabled={!history.canUndo} onClick={history.undo} />
                    <Button icon={RedoIcon} accessibilityLabel="Redo" disabled={!history.canRedo} onClick={history.redo} />
                  </ButtonGroup>
                </InlineStack>
                <InlineStack gap="300" blockAlign="center">
                  {problems.count ? <Badge tone="critical">{`${problems.count} problem${problems.count === 1 ? "" : "s"}`}</Badge> : null}
                  <span role="status" aria-live="polite">
                    <Text as="span" tone="subdued" variant="bodySm">
                      {saveState}
                    </Text>
                  </span>
                </InlineStack>
              </InlineStack>
            </Box>
            <div className="nf-builder">
              {mounted ? (
                <FlowCanvas
                  draft={draft}
                  problemsByNode={problems.byNode}
                  openNodeId={openNodeId}
                  menuEdge={menuEdge}
                  setMenuEdge={setMenuEdge}
                  onOpen={(id) => setOpenNodeId(id)}
                  onInsert={insert}
                  onDelete={remove}
                  onAddMenu={(id) => setPalette({ open: true, after: id })}
                  onFocusNode={setFocusedNodeId}
                  segments={segmentNames}
                />
              ) : (
                <div className="nf-canvas">
                  <Box padding="800">
                    <BlockStack gap="400">
                      <SkeletonBodyText lines={6} />
                    </BlockStack>
                  </Box>
                </div>
              )}
              {panelOpen ? (
                <NodePanel
                  draft={draft}
                  node={openNode}
                  problems={openNode ? problems.byNode[openNode.id] ?? [] : []}
                  onChange={change}
                  onDelete={() => openNode && remove(openNode.id)}
                  onClose={() => setOpenNodeId(null)}
                  segments={data.segments}
                  onTriggerChange={changeTrigger}
                  triggerProblems={triggerProblems}
                />
              ) : null}
            </div>
          </Card>
        </Layout.Section>
        {data.dashboard ? (
          <Layout.Section>
            <FlowDashboardSection flowId={data.flow.id} dashboard={data.dashboard} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <FlowResults results={data.results.kpis} abTests={data.results.abTests} attributionWindowDays={data.results.attributionWindowDays} holdout={draft.rules?.holdout} onHoldoutChange={changeHoldout} clv={data.results.clv} promotions={data.results.promotions} canPromote={data.flow.version !== null} rangeLabel={data.results.rangeLabel} />
        </Layout.Section>
        <Layout.Section>
          <FlowHistory entries={data.history} />
        </Layout.Section>
      </Layout>
      <UnsavedChangesBar
        open={unpublished && !publishOpen}
        message="Unpublished changes"
        save={{ content: "Review and publish", onAction: openPublish }}
        discard={{ content: "Discard", onAction: discardChanges }}
      />
      <PublishModal
        open={publishOpen}
        preview={preview}
        publishing={publisher.state !== "idle"}
        error={publishError}
        onClose={() => setPublishOpen(false)}
        onPublish={({ backfill }) => publisher.submit({ intent: "publish", definition: draftJson, backfill: backfill ? "yes" : "no" }, { method: "post" })}
      />
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

/** Where the palette adds when nothing is focused: after the last step whose path ends open, else the trigger. */
function lastOpenEnd(draft: Draft): string {
  for (let index = draft.nodes.length - 1; index >= 0; index--) {
    const node = draft.nodes[index];
    if (node.type !== "exit" && "next" in node && node.next === null) return node.id;
  }
  return TRIGGER_ID;
}
