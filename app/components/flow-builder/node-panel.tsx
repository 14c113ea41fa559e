// The side panel: the form for one node, its fields per type. Every change goes straight into the draft (and so
// into undo and autosave); problems come from the flow schema and are shown under the field they are about.
import { Banner, BlockStack, Box, Button, ButtonGroup, Checkbox, Divider, InlineGrid, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { DeleteIcon, PlusIcon, XIcon } from "@shopify/polaris-icons";
import type { Condition, FlowNode, Trigger } from "~/core/flows/definition";
import { nodeTitle, triggerEntityText, triggerSummary } from "./describe";
import { EmailFields } from "./email-editor";
import { NODE_TYPE_LABELS, type Draft, type FieldProblem } from "./graph";

export interface NodePanelProps {
  draft: Draft;
  node: FlowNode | null;
  problems: FieldProblem[];
  onChange(node: FlowNode, field: string): void;
  onDelete(): void;
  onClose(): void;
  /** The workspace's active segments, which a segment trigger can name. */
  segments?: { id: string; name: string; memberCount: number }[];
  /** Edits the trigger (the panel of the trigger node). */
  onTriggerChange?(trigger: Trigger, field: string): void;
  /** Problems of the trigger (`trigger.segmentId: …`), shown in the trigger's panel. */
  triggerProblems?: { path: string; message: string }[];
}

/** The messages for a field and everything under it (`conditions` also takes `conditions[0].path`). */
function errorFor(problems: FieldProblem[], field: string, exact = false): string | undefined {
  const messages = problems.filter((p) => p.field === field || (!exact && (p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`)))).map((p) => p.message);
  return messages.length ? messages.join("; ") : undefined;
}

const toInt = (value: string) => (value === "" ? undefined : Math.max(0, Math.floor(Number(value) || 0)));

export function NodePanel(props: NodePanelProps) {
  const { node, problems } = props;
  const title = node ? nodeTitle(node) : "Trigger";
  const shown = new Set<string>();
  const err = (field: string, exact = false) => {
    shown.add(field);
    return errorFor(problems, field, exact);
  };
  const body = node ? (
    <NodeFields node={node} trigger={props.draft.trigger} onChange={props.onChange} err={err} />
  ) : (
    <TriggerFields draft={props.draft} segments={props.segments ?? []} problems={props.triggerProblems ?? []} onChange={props.onTriggerChange} />
  );
  const other = problems.filter((p) => ![...shown].some((field) => p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`)));

  return (
    <aside className="nf-panel" aria-label={`Settings for ${title}`}>
      <Box padding="400">
        <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
          <BlockStack gap="050">
            <Text as="p" variant="bodySm" tone="subdued">
              {node ? `${NODE_TYPE_LABELS[node.type]} · ${node.id}` : "Starts the flow"}
            </Text>
            <Text as="h2" variant="headingMd">
              {title}
            </Text>
          </BlockStack>
          <Button icon={XIcon} variant="tertiary" accessibilityLabel="Close the panel" onClick={props.onClose} />
        </InlineStack>
      </Box>
      <Divider />
      <Box padding="400">
        <BlockStack gap="400">
          {other.length ? (
            <Banner tone="critical" title="Fix this step before publishing">
              <List>
                {other.map((p) => (
                  <List.Item key={`${p.field}:${p.message}`}>{p.field ? `${p.field}: ${p.message}` : p.message}</List.Item>
                ))}
              </List>
            </Banner>
          ) : null}
          {body}
        </BlockStack>
      </Box>
      {node ? (
        <>
          <Divider />
          <Box padding="400">
            <Button icon={DeleteIcon} tone="critical" variant="plain" onClick={props.onDelete}>
              Delete step
            </Button>
          </Box>
        </>
      ) : null}
    </aside>
  );
}

type Err = (field: string, exact?: boolean) => string | undefined;

function NodeFields({ node, trigger, onChange, err }: { node: FlowNode; trigger: unknown; onChange: NodePanelProps["onChange"]; err: Err }) {
  switch (node.type) {
    case "delay": {
      const duration = node.duration ?? {};
      const set = (unit: "days" | "hours" | "minutes", value: string) => {
        const next = { ...duration, [unit]: toInt(value) };
        if (next[unit] === undefined) delete next[unit];
        onChange({ ...node, duration: next }, `duration.${unit}`);
      };
      const durationError = err("duration");
      return (
        <BlockStack gap="300">
          <InlineGrid columns={3} gap="200">
            <TextField label="Days" type="number" min={0} autoComplete="off" value={String(duration.days ?? "")} onChange={(v) => set("days", v)} error={Boolean(durationError)} />
            <TextField label="Hours" type="number" min={0} autoComplete="off" value={String(duration.hours ?? "")} onChange={(v) => set("hours", v)} error={Boolean(durationError)} />
            <TextField label="Minutes" type="number" min={0} autoComplete="off" value={String(duration.minutes ?? "")} onChange={(v) => set("minutes", v)} error={Boolean(durationError)} />
          </InlineGrid>
          {durationError ? <Text as="p" tone="critical">{durationError}</Text> : null}
          <Select
            label="Counted from"
            options={[
              { label: "The previous step", value: "previous_step" },
              { label: "The checkout's last activity", value: "trigger_activity" },
            ]}
            value={node.anchor ?? "previous_step"}
            onChange={(value) => onChange({ ...node, anchor: value === "trigger_activity" ? "trigger_activity" : "previous_step" }, "anchor")}
            helpText="From the checkout's last activity: a shopper still editing the checkout keeps pushing the wait back."
          />
        </BlockStack>
      );
    }
    case "wait_until": {
      const days = node.weekdays ?? [];
      const WEEKDAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]] as const;
      return (
        <BlockStack gap="300">
          <TextField label="Time of day" type="time" autoComplete="off" value={node.time ?? ""} onChange={(time) => onChange({ ...node, time }, "time")} error={err("time")} />
          <BlockStack gap="100">
            <Text as="p">On</Text>
            <InlineGrid columns={2} gap="100">
              {WEEKDAYS.map(([day, label]) => (
                <Checkbox
                  key={day}
                  label={label}
                  checked={days.includes(day)}
                  onChange={(checked) => onChange({ ...node, weekdays: WEEKDAYS.map(([d]) => d).filter((d) => (d === day ? checked : days.includes(d))) }, "weekdays")}
                />
              ))}
            </InlineGrid>
            {err("weekdays") ? <Text as="p" tone="critical">{err("weekdays")}</Text> : null}
          </BlockStack>
          <TextField
            label="Time zone"
            autoComplete="off"
            placeholder="The store's time zone"
            value={node.timeZone ?? ""}
            onChange={(value) => {
              const next = { ...node, timeZone: value || undefined };
              if (!value) delete next.timeZone;
              onChange(next, "timeZone");
            }}
            error={err("timeZone")}
          />
        </BlockStack>
      );
    }
    case "email":
      return <EmailFields node={node} trigger={trigger} onChange={onChange} err={err} />;
    case "condition":
      return (
        <BlockStack gap="300">
          <MatchSelect value={node.match} onChange={(match) => onChange({ ...node, match }, "match")} />
          <ConditionsEditor conditions={node.conditions ?? []} field="conditions" err={err} onChange={(conditions, field) => onChange({ ...node, conditions }, field)} />
          <Text as="p" tone="subdued" variant="bodySm">
            Customers for whom this holds take the yes path; the others take no.
          </Text>
        </BlockStack>
      );
    case "split":
      return (
        <BlockStack gap="400">
          {(node.branches ?? []).map((branch, index) => (
            <Box key={index} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="end" wrap={false} gap="200">
                  <TextField label="Branch name" autoComplete="off" value={branch.id} onChange={(id) => onChange({ ...node, branches: node.branches.map((b, i) => (i === index ? { ...b, id } : b)) }, `branches[${index}].id`)} error={err(`branches[${index}].id`, true)} />
                  <Button icon={DeleteIcon} accessibilityLabel={`Remove branch ${branch.id}`} onClick={() => onChange({ ...node, branches: node.branches.filter((_, i) => i !== index) }, "branches")} />
                </InlineStack>
                <MatchSelect value={branch.match} onChange={(match) => onChange({ ...node, branches: node.branches.map((b, i) => (i === index ? { ...b, match } : b)) }, `branches[${index}].match`)} />
                <ConditionsEditor
                  conditions={branch.conditions ?? []}
                  field={`branches[${index}].conditions`}
                  err={err}
                  onChange={(conditions, field) => onChange({ ...node, branches: node.branches.map((b, i) => (i === index ? { ...b, conditions } : b)) }, field)}
                />
              </BlockStack>
            </Box>
          ))}
          {err("branches", true) ? <Text as="p" tone="critical">{err("branches", true)}</Text> : null}
          <Button icon={PlusIcon} onClick={() => onChange({ ...node, branches: [...(node.branches ?? []), { id: `branch-${(node.branches?.length ?? 0) + 1}`, match: "all", conditions: [{ path: "checkout.email", op: "exists" }], next: null }] }, "branches")}>
            Add a branch
          </Button>
          <Text as="p" tone="subdued" variant="bodySm">
            The first branch whose conditions hold is taken; customers who match none take else.
          </Text>
        </BlockStack>
      );
    case "ab_split":
      return (
        <BlockStack gap="300">
          {(node.variants ?? []).map((variant, index) => (
            <InlineStack key={index} gap="200" blockAlign="end" wrap={false}>
              <TextField label="Variant" autoComplete="off" value={variant.id} onChange={(id) => onChange({ ...node, variants: node.variants.map((v, i) => (i === index ? { ...v, id } : v)) }, `variants[${index}].id`)} error={err(`variants[${index}].id`, true)} />
              <TextField label="Weight" type="number" min={0} autoComplete="off" value={String(variant.weight ?? "")} onChange={(weight) => onChange({ ...node, variants: node.variants.map((v, i) => (i === index ? { ...v, weight: toInt(weight) ?? 0 } : v)) }, `variants[${index}].weight`)} error={err(`variants[${index}].weight`, true)} />
              <Button icon={DeleteIcon} accessibilityLabel={`Remove variant ${variant.id}`} onClick={() => onChange({ ...node, variants: node.variants.filter((_, i) => i !== index) }, "variants")} />
            </InlineStack>
          ))}
          {err("variants", true) ? <Text as="p" tone="critical">{err("variants", true)}</Text> : null}
          <Button icon={PlusIcon} onClick={() => onChange({ ...node, variants: [...(node.variants ?? []), { id: String.fromCharCode(97 + (node.variants?.length ?? 0)), weight: 50, next: null }] }, "variants")}>
            Add a variant
          </Button>
          <Select
            label="Decide the winner on"
            options={[
              { label: "Revenue per recipient", value: "revenue_per_recipient" },
              { label: "Conversion rate", value: "conversion_rate" },
              { label: "Click rate", value: "click_rate" },
            ]}
            value={node.metric ?? "revenue_per_recipient"}
            onChange={(metric) => onChange({ ...node, metric: metric === "conversion_rate" || metric === "click_rate" ? metric : undefined }, "metric")}
            helpText="Each variant is compared with the first; the flow page shows the sequential test's verdict and how long the test needs."
          />
          <Checkbox
            label="Promote the winner automatically"
            checked={node.autoPromote === true}
            onChange={(checked) => onChange({ ...node, autoPromote: checked ? true : undefined }, "autoPromote")}
            helpText="When the test declares a winner, a new version is published that sends everyone that variant, and the flow's history says so. Never on no difference or an inconclusive test."
          />
          <Text as="p" tone="subdued" variant="bodySm">
            Each customer gets one variant, chosen by weight, and always the same one.
          </Text>
        </BlockStack>
      );
    case "discount_code":
    case "tag_customer":
    case "webhook":
      return <ActionFields node={node} onChange={onChange} err={err} />;
    case "exit":
      return <Text as="p">Customers who reach this step leave the flow. Nothing after it runs.</Text>;
    default:
      return null;
  }
}

const ON_FAILURE_OPTIONS = [
  { label: "Go on to the next step", value: "continue" },
  { label: "End the customer's journey", value: "exit" },
];

/** The panels of the nodes that act on the store or call out: discount code, tag customer, webhook. */
function ActionFields({ node, onChange, err }: { node: Extract<FlowNode, { type: "discount_code" | "tag_customer" | "webhook" }>; onChange: NodePanelProps["onChange"]; err: Err }) {
  switch (node.type) {
    case "discount_code": {
      const expires = node.expiresAfter ?? {};
      const setExpiry = (unit: "days" | "hours", value: string) => {
        const next = { ...expires, [unit]: toInt(value) };
        if (next[unit] === undefined) delete next[unit];
        onChange({ ...node, expiresAfter: next }, `expiresAfter.${unit}`);
      };
      const expiryError = err("expiresAfter");
      return (
        <BlockStack gap="300">
          <TextField label="Code prefix" autoComplete="off" value={node.prefix ?? ""} onChange={(prefix) => onChange({ ...node, prefix }, "prefix")} error={err("prefix")} helpText={`Each customer gets their own code, e.g. ${(node.prefix || "THANKS").toUpperCase()}-7KQ2MX9D, usable once.`} />
          <InlineGrid columns={2} gap="200">
            <Select label="Discount" options={[{ label: "Percent off", value: "percent" }, { label: "Amount off", value: "fixed" }]} value={node.kind} onChange={(kind) => onChange({ ...node, kind: kind === "fixed" ? "fixed" : "percent" }, "kind")} />
            <TextField
              label={node.kind === "percent" ? "Percent" : "Amount (in cents)"}
              type="number"
              min={1}
              autoComplete="off"
              value={String(node.value ?? "")}
              onChange={(value) => onChange({ ...node, value: toInt(value) ?? 0 }, "value")}
              error={err("value")}
            />
          </InlineGrid>
          <InlineGrid columns={2} gap="200">
            <TextField label="Expires after (days)" type="number" min={0} autoComplete="off" value={String(expires.days ?? "")} onChange={(v) => setExpiry("days", v)} error={Boolean(expiryError)} />
            <TextField label="and hours" type="number" min={0} autoComplete="off" value={String(expires.hours ?? "")} onChange={(v) => setExpiry("hours", v)} error={Boolean(expiryError)} />
          </InlineGrid>
          {expiryError ? <Text as="p" tone="critical">{expiryError}</Text> : null}
          <Select label="If the store cannot create it" options={ON_FAILURE_OPTIONS} value={node.onFailure ?? "continue"} onChange={(value) => onChange({ ...node, onFailure: value === "exit" ? "exit" : "continue" }, "onFailure")} />
          <Text as="p" tone="subdued" variant="bodySm">
            Later emails show it with {"{{ discount.code }}"}, {"{{ discount.value }}"} and {"{{ discount.expires_at }}"}.
          </Text>
        </BlockStack>
      );
    }
    case "tag_customer":
      return (
        <BlockStack gap="300">
          <Select label="Action" options={[{ label: "Add tags", value: "add" }, { label: "Remove tags", value: "remove" }]} value={node.action ?? "add"} onChange={(action) => onChange({ ...node, action: action === "remove" ? "remove" : "add" }, "action")} />
          <TextField
            label="Tags"
            autoComplete="off"
            value={(node.tags ?? []).join(", ")}
            onChange={(value) => onChange({ ...node, tags: value.split(",").map((tag) => tag.trim()).filter(Boolean) }, "tags")}
            error={err("tags")}
            helpText="Separated by commas. Set on the customer in your store (Shopify; WooCommerce has no customer tags) and in Nudgeflow, where segments see them at once."
          />
        </BlockStack>
      );
    case "webhook":
      return (
        <BlockStack gap="300">
          <TextField label="URL" type="url" autoComplete="off" value={node.url ?? ""} onChange={(url) => onChange({ ...node, url }, "url")} error={err("url")} helpText="https only; private and local addresses are refused." />
          <TextField label="Attempts" type="number" min={1} max={10} autoComplete="off" value={String(node.maxAttempts ?? 5)} onChange={(value) => onChange({ ...node, maxAttempts: toInt(value) ?? 1 }, "maxAttempts")} error={err("maxAttempts")} helpText="Network errors, 5xx and 429 answers are retried after 1 min, 5 min, 30 min, 2 h, 6 h." />
          <Select label="If it still fails" options={ON_FAILURE_OPTIONS} value={node.onFailure ?? "continue"} onChange={(value) => onChange({ ...node, onFailure: value === "exit" ? "exit" : "continue" }, "onFailure")} />
          <Text as="p" tone="subdued" variant="bodySm">
            A JSON body (the customer, the journey, the trigger event), signed in X-Nudgeflow-Signature with your workspace&apos;s webhook secret.
          </Text>
        </BlockStack>
      );
  }
}

function MatchSelect({ value, onChange }: { value: "all" | "any" | undefined; onChange(value: "all" | "any"): void }) {
  return (
    <Select
      label="Match"
      options={[
        { label: "All conditions", value: "all" },
        { label: "Any condition", value: "any" },
      ]}
      value={value ?? "all"}
      onChange={(next) => onChange(next === "any" ? "any" : "all")}
    />
  );
}

const OPS: { label: string; value: Condition["op"] }[] = [
  { label: "exists", value: "exists" },
  { label: "is missing", value: "not_exists" },
  { label: "equals", value: "eq" },
  { label: "does not equal", value: "neq" },
  { label: "greater than", value: "gt" },
  { label: "at least", value: "gte" },
  { label: "less than", value: "lt" },
  { label: "at most", value: "lte" },
];

/** "true"/"false" are booleans and plain numbers are numbers: what a merchant types means what it looks like. */
function parseValue(text: string): Condition["value"] {
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  return text;
}

function ConditionsEditor(props: { conditions: Condition[]; field: string; err: Err; onChange(conditions: Condition[], field: string): void }) {
  const { conditions, field, err } = props;
  const update = (index: number, patch: Partial<Condition>, what: string) => {
    props.onChange(conditions.map((c, i) => {
      if (i !== index) return c;
      const next = { ...c, ...patch };
      if (next.op === "exists" || next.op === "not_exists") delete next.value;
      return next;
    }), `${field}[${index}].${what}`);
  };
  return (
    <BlockStack gap="300">
      {conditions.map((condition, index) => (
        <BlockStack key={index} gap="200">
          <TextField label="Field" placeholder="checkout.total" autoComplete="off" value={condition.path} onChange={(path) => update(index, { path }, "path")} error={err(`${field}[${index}].path`)} />
          <InlineGrid columns={condition.op === "exists" || condition.op === "not_exists" ? 1 : 2} gap="200">
            <Select label="Is" options={OPS} value={condition.op} onChange={(op) => update(index, { op: OPS.find((o) => o.value === op)?.value ?? "exists" }, "op")} />
            {condition.op === "exists" || condition.op === "not_exists" ? null : (
              <TextField label="Value" autoComplete="off" value={condition.value === undefined ? "" : String(condition.value)} onChange={(value) => update(index, { value: parseValue(value) }, "value")} error={err(`${field}[${index}].value`)} />
            )}
          </InlineGrid>
          <ButtonGroup>
            <Button variant="plain" tone="critical" onClick={() => props.onChange(conditions.filter((_, i) => i !== index), field)}>
              Remove condition
            </Button>
          </ButtonGroup>
        </BlockStack>
      ))}
      {err(field, true) ? <Text as="p" tone="critical">{err(field, true)}</Text> : null}
      <InlineStack>
        <Button icon={PlusIcon} onClick={() => props.onChange([...conditions, { path: "checkout.email", op: "exists" }], field)}>
          Add a condition
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

/** What the trigger's first choice offers: store events as they are, or entering / leaving a segment. */
type TriggerKind = "event" | "segment.entered" | "segment.exited" | "inactivity";

/** The checkout trigger a new flow starts with, for switching a segment trigger back to store events. */
const DEFAULT_EVENT_TRIGGER: Trigger = { type: "event", events: ["checkout.create", "checkout.update"], entity: "checkout", conditions: [] };

function TriggerFields(props: {
  draft: Draft;
  segments: { id: string; name: string; memberCount: number }[];
  problems: { path: string; message: string }[];
  onChange?: NodePanelProps["onTriggerChange"];
}) {
  const { draft, segments, onChange } = props;
  const trigger = draft.trigger;
  const kind: TriggerKind = trigger?.type === "segment" ? (trigger.on === "exited" ? "segment.exited" : "segment.entered") : trigger?.type === "inactivity" ? "inactivity" : "event";
  const segmentNames = new Map(segments.map((segment) => [segment.id, segment.name]));
  const choose = (value: string) => {
    if (!onChange || value === kind) return;
    if (value === "event") return onChange(DEFAULT_EVENT_TRIGGER, "trigger.type");
    if (value === "inactivity") return onChange({ type: "inactivity", days: 90, conditions: [] }, "trigger.type");
    const on = value === "segment.exited" ? "exited" : "entered";
    const segmentId = trigger?.type === "segment" ? trigger.segmentId : (segments[0]?.id ?? "");
    onChange({ type: "segment", segmentId, on, conditions: trigger?.type === "segment" ? trigger.conditions : [] }, "trigger.type");
  };
  const problemText = (field: string) => {
    const messages = props.problems.filter((problem) => problem.path === field || problem.path.startsWith(`${field}.`)).map((problem) => problem.message);
    return messages.length ? messages.join("; ") : undefined;
  };
  const segmentError =
    trigger?.type === "segment" && trigger.segmentId && !segmentNames.has(trigger.segmentId)
      ? "This segment no longer exists or is archived: choose another one."
      : problemText("trigger.segmentId");
  return (
    <BlockStack gap="300">
      <Select
        label="Starts when"
        options={[
          { label: "A store event happens (checkout, cart, order…)", value: "event" },
          { label: "A customer enters a segment", value: "segment.entered" },
          { label: "A customer leaves a segment", value: "segment.exited" },
          { label: "Days since the customer's last order", value: "inactivity" },
        ]}
        value={kind}
        onChange={choose}
        disabled={!onChange}
      />
      {trigger?.type === "segment" ? (
        segments.length === 0 ? (
          <Banner tone="warning" title="No segments yet">
            <p>Create a segment under Segments first; its customers can then start this flow.</p>
          </Banner>
        ) : (
          <Select
            label="Segment"
            placeholder="Choose a segment"
            options={segments.map((segment) => ({ label: `${segment.name} (${segment.memberCount} now)`, value: segment.id }))}
            value={segmentNames.has(trigger.segmentId) ? trigger.segmentId : ""}
            onChange={(segmentId) => onChange?.({ ...trigger, segmentId }, "trigger.segmentId")}
            error={segmentError}
          />
        )
      ) : null}
      {trigger?.type === "inactivity" ? (
        <TextField
          label="Days without an order"
          type="number"
          min={1}
          autoComplete="off"
          value={String(trigger.days ?? "")}
          onChange={(value) => onChange?.({ ...trigger, days: toInt(value) ?? 0 }, "trigger.days")}
          error={problemText("trigger.days")}
          helpText="A timer per customer, restarted by each order; when it runs out the journey starts."
        />
      ) : null}
      <Text as="p">{triggerSummary(draft, segmentNames)}</Text>
      <Text as="p" tone="subdued" variant="bodySm">
        One enrollment per {triggerEntityText(draft)}
        {trigger?.conditions?.length ? `, when ${trigger.conditions.map((c) => `${c.path} ${c.op.replace("_", " ")}`).join(" and ")}` : ""}.
        {trigger?.type === "segment"
          ? " Customers already in the segment can be enrolled once when you publish; re-entry, consent, the goal and the message budget apply as in any flow."
          : " Editing event triggers and the goal comes in a later version; export and import the flow as JSON to change them now."}
      </Text>
    </BlockStack>
  );
}
