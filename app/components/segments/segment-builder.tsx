// The segment builder: name, description and rule on the left; on the right, who the rule matches right now,
// updated (debounced) as the rule is edited. The rule is checked in the browser with the same validator the
// server uses, so a bad value is flagged at once; the server's answer adds what only the database knows
// (segments and stores that exist, no cycles) and the count.
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Card,
  InlineStack,
  Layout,
  Link,
  List,
  Page,
  SkeletonBodyText,
  SkeletonDisplayText,
  Spinner,
  Text,
  TextField,
  type MenuActionDescriptor,
} from "@shopify/polaris";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { validateRule, type RuleGroup, type RuleProblem } from "~/core/segments/rules";
import { countOf, formatAmount, formatCount } from "./format";
import { fromRule, rulePath, toRule, type DraftGroup } from "./rule-draft";
import { RuleEditor, type RuleEditorOptions } from "./rule-editor";

const PREVIEW_DEBOUNCE_MS = 300;

interface MemberSample {
  customerId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  ordersCount: number;
  totalSpent: number;
  currency: string | null;
}

type PreviewAnswer = { for: string | null } & ({ ok: true; count: number; total: number; sample: MemberSample[] } | { ok: false; problems: RuleProblem[] });
export type SaveAnswer = { ok: true } | { ok: false; problems: RuleProblem[] };

export interface SegmentBuilderProps {
  title: string;
  /** The saved segment being edited (absent for a new one). */
  segmentId?: string;
  titleMetadata?: ReactNode;
  backUrl: string;
  initial: { name: string; description: string; rule: RuleGroup };
  options: RuleEditorOptions;
  saveLabel: string;
  secondaryActions?: MenuActionDescriptor[];
  /** Shown above the form (e.g. "Saved"). */
  banner?: ReactNode;
  /** Sections under the form: the member list of a saved segment. */
  children?: ReactNode;
}

export const customerName = (row: { email: string | null; firstName: string | null; lastName: string | null }) =>
  [row.firstName, row.lastName].filter(Boolean).join(" ") || row.email || "Unnamed customer";

export function SegmentBuilder(props: SegmentBuilderProps) {
  const [name, setName] = useState(props.initial.name);
  const [description, setDescription] = useState(props.initial.description);
  const [draft, setDraft] = useState<DraftGroup>(() => fromRule(props.initial.rule));

  const candidate = useMemo(() => toRule(draft), [draft]);
  const ruleJson = useMemo(() => JSON.stringify(candidate), [candidate]);
  const validation = useMemo(() => validateRule(candidate), [candidate]);
  const clientProblems = validation.ok ? [] : validation.problems;
  const nameMissing = name.trim() === "";

  // ── Live count ──
  const preview = useFetcher<PreviewAnswer>();
  useEffect(() => {
    if (!validation.ok) return;
    const timer = setTimeout(() => preview.submit({ rule: ruleJson, segmentId: props.segmentId ?? "" }, { method: "post", action: "/app/segments/preview" }), PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes on every render
  }, [ruleJson, validation.ok]);
  const answer = preview.data;
  const current = answer?.for === ruleJson && preview.state === "idle";
  const lastCount = answer?.ok ? answer : null;

  // ── Save ──
  const saver = useFetcher<SaveAnswer>();
  const stateJson = JSON.stringify({ name, description, rule: candidate });
  const [savedJson, setSavedJson] = useState(() => JSON.stringify({ name: props.initial.name, description: props.initial.description, rule: toRule(fromRule(props.initial.rule)) }));
  const [submittedJson, setSubmittedJson] = useState<string | null>(null);
  const [attempted, setAttempted] = useState(false);
  const saving = saver.state !== "idle";
  useEffect(() => {
    if (saver.state === "idle" && saver.data?.ok && submittedJson) setSavedJson(submittedJson);
  }, [saver.state, saver.data, submittedJson]);
  const saveProblems = saver.state === "idle" && saver.data && !saver.data.ok && submittedJson === stateJson ? saver.data.problems : [];
  const dirty = stateJson !== savedJson;

  const save = () => {
    setAttempted(true);
    if (!validation.ok || nameMissing) return;
    setSubmittedJson(stateJson);
    saver.submit({ intent: "save", name: name.trim(), description: description.trim(), rule: ruleJson }, { method: "post" });
  };

  // ── Problems: the browser's first; then the server's for this very rule ──
  const serverRuleProblems = current && answer && !answer.ok ? answer.problems.map((problem) => ({ ...problem, path: rulePath(problem.path) })) : [];
  const ruleProblems: RuleProblem[] = [...clientProblems, ...serverRuleProblems];
  const general: string[] = [];
  let nameError = attempted && nameMissing ? "Give the segment a name" : undefined;
  let descriptionError: string | undefined;
  for (const problem of saveProblems) {
    if (problem.path === "name") nameError = problem.message;
    else if (problem.path === "description") descriptionError = problem.message;
    else if (/^(rule|conditions|match|\(rule\)|\(document\))/.test(problem.path)) ruleProblems.push({ ...problem, path: rulePath(problem.path) });
    else general.push(problem.path ? `${problem.path}: ${problem.message}` : problem.message);
  }
  const blocking = clientProblems.length + serverRuleProblems.length + (nameMissing ? 1 : 0);

  return (
    <Page
      title={props.title}
      titleMetadata={
        <InlineStack gap="200">
          {props.titleMetadata}
          {dirty ? <Badge tone="attention">Unsaved changes</Badge> : null}
        </InlineStack>
      }
      backAction={{ content: "Segments", url: props.backUrl }}
      primaryAction={{ content: props.saveLabel, onAction: save, loading: saving, disabled: !dirty && props.saveLabel === "Save" }}
      secondaryActions={props.secondaryActions}
    >
      <Layout>
        {props.banner ? <Layout.Section>{props.banner}</Layout.Section> : null}
        {saver.state === "idle" && saver.data?.ok && !dirty ? (
          <Layout.Section>
            <Banner tone="success" title="Segment saved">
              <p>Its members now follow the new rule.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {attempted && blocking > 0 && !saving ? (
          <Layout.Section>
            <Banner tone="critical" title={`Fix ${blocking === 1 ? "the highlighted field" : `the ${blocking} highlighted fields`} to save`}>
              <p>Each problem is shown next to the field it is about.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {general.length ? (
          <Layout.Section>
            <Banner tone="critical" title="The segment could not be saved">
              <List>
                {general.map((message) => (
                  <List.Item key={message}>{message}</List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <TextField label="Name" autoComplete="off" value={name} onChange={setName} error={nameError} maxLength={120} />
                <TextField label="Description" autoComplete="off" value={description} onChange={setDescription} error={descriptionError} multiline={2} helpText="Optional: what this group is for, in a sentence." />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Who is in this segment
                </Text>
                <RuleEditor root={draft} problems={ruleProblems} options={props.options} onChange={setDraft} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Who matches now
                </Text>
                {validation.ok && !current ? <Spinner size="small" accessibilityLabel="Updating the count" /> : null}
              </InlineStack>
              <LiveCount valid={validation.ok} current={current} answer={answer} lastCount={lastCount} />
            </BlockStack>
          </Card>
        </Layout.Section>
        {props.children}
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

function LiveCount(props: { valid: boolean; current: boolean; answer: PreviewAnswer | undefined; lastCount: Extract<PreviewAnswer, { ok: true }> | null }) {
  const { valid, current, answer, lastCount } = props;
  let status: ReactNode;
  if (!valid) status = <Text as="p" tone="subdued">Fix the highlighted fields to see who matches.</Text>;
  else if (current && answer && !answer.ok) status = <Text as="p" tone="critical">This rule cannot be counted: see the highlighted fields.</Text>;
  else if (!lastCount) status = null;
  else
    status = (
      <BlockStack gap="100">
        <Text as="p" variant="headingLg" tone={current ? undefined : "subdued"}>
          {countOf(lastCount.count, lastCount.total)}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {current ? `${lastCount.total ? Math.round((lastCount.count / lastCount.total) * 100) : 0} % of your customers` : "Updating…"}
        </Text>
      </BlockStack>
    );

  return (
    <BlockStack gap="300">
      <div role="status" aria-live="polite" aria-atomic="true" aria-label="Live count">
        {status ?? (
          <BlockStack gap="200">
            <SkeletonDisplayText size="small" />
            <Text as="span" visuallyHidden>
              Counting…
            </Text>
          </BlockStack>
        )}
      </div>
      {valid && !lastCount && !(answer && !answer.ok) ? <SkeletonBodyText lines={4} /> : null}
      {valid && lastCount ? <Sample rows={lastCount.sample} count={lastCount.count} /> : null}
    </BlockStack>
  );
}

function Sample({ rows, count }: { rows: MemberSample[]; count: number }) {
  if (rows.length === 0) return <Text as="p" tone="subdued">Nobody matches this rule right now.</Text>;
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm">
        {count > rows.length ? `A sample of ${formatCount(rows.length)}` : "Everyone who matches"}
      </Text>
      <ul aria-label="Sample members" style={{ margin: 0, padding: 0, listStyle: "none" }}>
        {rows.map((row) => (
          <li key={row.customerId}>
            <Box paddingBlock="150" borderBlockEndWidth="025" borderColor="border-secondary">
              <BlockStack gap="050">
                <Link url={`/app/customers/${row.customerId}`} removeUnderline>
                  {customerName(row)}
                </Link>
                <Text as="span" variant="bodySm" tone="subdued">
                  {[row.firstName || row.lastName ? row.email : null, `${formatCount(row.ordersCount)} order${row.ordersCount === 1 ? "" : "s"}`, formatAmount(row.totalSpent, row.currency)]
                    .filter(Boolean)
                    .join(" · ")}
                </Text>
              </BlockStack>
            </Box>
          </li>
        ))}
      </ul>
    </BlockStack>
  );
}
