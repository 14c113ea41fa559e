// The rule editor: AND/OR groups (nested) of conditions, one Polaris form per condition kind. Every change goes
// straight into the draft; problems (the builder's own validation, then the server's) show under the field they
// name, the rest on the condition or group they belong to.
import { BlockStack, Box, Button, ChoiceList, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { DeleteIcon, PlusIcon } from "@shopify/polaris-icons";
import type { ReactNode } from "react";
import type { ConditionKind, RuleProblem } from "~/core/segments/rules";
import {
  CONDITION_KINDS,
  KIND_FIELDS,
  appendTo,
  canNest,
  fieldError,
  groupProblems,
  isNumberText,
  newCondition,
  newGroup,
  otherProblems,
  pathOf,
  removeAt,
  replaceAt,
  setMatch,
  type DraftGroup,
  type DraftLeaf,
  type Position,
} from "./rule-draft";

export interface RuleEditorOptions {
  /** Other segments of the workspace (for "in segment"). */
  segments: { id: string; name: string }[];
  stores: { id: string; name: string }[];
  /** The store's currency, for money amounts (major units). */
  currency: string;
}

interface EditorProps {
  root: DraftGroup;
  problems: readonly RuleProblem[];
  options: RuleEditorOptions;
  onChange(root: DraftGroup): void;
}

export function RuleEditor(props: EditorProps) {
  return <GroupEditor {...props} group={props.root} position={[]} />;
}

const label = (position: Position) => position.map((index) => index + 1).join(".");

function GroupEditor(props: EditorProps & { group: DraftGroup; position: Position }) {
  const { group, position, root, onChange } = props;
  const depth = position.length + 1;
  const path = pathOf(position);
  const own = groupProblems(props.problems, path);
  const joiner = group.match === "all" ? "and" : "or";
  const isRoot = position.length === 0;
  const name = isRoot ? "the rule" : `group ${label(position)}`;

  const body = (
    <BlockStack gap="300">
      <InlineStack gap="300" blockAlign="end" align="space-between">
        <Box minWidth="260px">
          <Select
            label={isRoot ? "Customers who match" : `Group ${label(position)}: customers who match`}
            options={[
              { label: "all of these conditions (and)", value: "all" },
              { label: "any of these conditions (or)", value: "any" },
            ]}
            value={group.match}
            onChange={(value) => onChange(setMatch(root, position, value as "all" | "any"))}
          />
        </Box>
        {isRoot ? null : (
          <Button icon={DeleteIcon} variant="tertiary" tone="critical" accessibilityLabel={`Remove group ${label(position)}`} onClick={() => onChange(removeAt(root, position))}>
            Remove group
          </Button>
        )}
      </InlineStack>
      {own.map((problem) => (
        <InlineError key={`${problem.path}:${problem.message}`} fieldID={`group-${path || "root"}`} message={problem.message} />
      ))}
      {group.conditions.map((node, index) => {
        const childPosition = [...position, index];
        return (
          <BlockStack gap="200" key={node.id}>
            {index > 0 ? (
              <Text as="p" variant="bodySm" tone="subdued" fontWeight="semibold">
                {joiner.toUpperCase()}
              </Text>
            ) : null}
            {node.kind === "group" ? (
              <GroupEditor {...props} group={node} position={childPosition} />
            ) : (
              <ConditionEditor {...props} leaf={node} position={childPosition} />
            )}
          </BlockStack>
        );
      })}
      <InlineStack gap="200">
        <Button icon={PlusIcon} onClick={() => onChange(appendTo(root, position, newCondition("metric")))} accessibilityLabel={`Add a condition to ${name}`}>
          Add condition
        </Button>
        {canNest(depth) ? (
          <Button
            icon={PlusIcon}
            variant="tertiary"
            onClick={() => onChange(appendTo(root, position, newGroup(group.match === "all" ? "any" : "all")))}
            accessibilityLabel={`Add a group to ${name}`}
          >
            {group.match === "all" ? "Add an OR group" : "Add an AND group"}
          </Button>
        ) : null}
      </InlineStack>
    </BlockStack>
  );

  if (isRoot) return body;
  return (
    <div role="group" aria-label={`Group ${label(position)}`}>
      <Box borderWidth="025" borderColor="border" borderRadius="200" padding="300" background="bg-surface-secondary">
        {body}
      </Box>
    </div>
  );
}

const COMPARISONS = [
  { label: "is more than", value: "gt" },
  { label: "is at least", value: "gte" },
  { label: "is less than", value: "lt" },
  { label: "is at most", value: "lte" },
  { label: "is exactly", value: "eq" },
  { label: "is not", value: "neq" },
];
const HAS = [
  { label: "has", value: "has" },
  { label: "has not", value: "has_not" },
];
const IS = [
  { label: "is", value: "is" },
  { label: "is not", value: "is_not" },
];

const METRICS = [
  { label: "Total spent", value: "total_spent" },
  { label: "Number of orders", value: "orders_count" },
  { label: "Average order value", value: "average_order_value" },
  { label: "Days since last order", value: "days_since_last_order" },
  { label: "Days since first order", value: "days_since_first_order" },
  { label: "Days since they signed up", value: "days_since_created" },
];
const PREDICTIONS = [
  { label: "Churn probability (0–1)", value: "churn_probability" },
  { label: "Expected spend, next 12 months", value: "clv_12m" },
  { label: "Expected orders, next 12 months", value: "expected_orders_12m" },
  { label: "Days until next expected order", value: "days_until_next_order" },
];

type FieldProps = { leaf: DraftLeaf; set(field: string, value: string): void; error(field: string): string | undefined; options: RuleEditorOptions };

function ConditionEditor(props: EditorProps & { leaf: DraftLeaf; position: Position }) {
  const { leaf, position, root, onChange } = props;
  const path = pathOf(position);
  const error = (field: string) => fieldError(props.problems, path, field);
  const set = (field: string, value: string) => onChange(replaceAt(root, position, { ...leaf, fields: { ...leaf.fields, [field]: value } }));
  const changeKind = (kind: string) => onChange(replaceAt(root, position, { ...newCondition(kind as ConditionKind), id: leaf.id }));
  const fields = <ConditionFields leaf={leaf} set={set} error={error} options={props.options} />;
  const rest = otherProblems(props.problems, path, KIND_FIELDS[leaf.kind]);

  return (
    <div role="group" aria-label={`Condition ${label(position)}`}>
      <Box borderWidth="025" borderColor="border" borderRadius="200" padding="300" background="bg-surface">
        <BlockStack gap="200">
          <InlineStack gap="300" blockAlign="start" wrap>
            <Box minWidth="190px">
              <Select label="Condition" options={CONDITION_KINDS.map(({ kind, label }) => ({ label, value: kind }))} value={leaf.kind} onChange={changeKind} />
            </Box>
            {fields}
            <Box paddingBlockStart="600">
              <Button icon={DeleteIcon} variant="tertiary" accessibilityLabel={`Remove condition ${label(position)}`} onClick={() => onChange(removeAt(root, position))} />
            </Box>
          </InlineStack>
          {rest.map((problem) => (
            <InlineError key={`${problem.path}:${problem.message}`} fieldID={`condition-${path}`} message={problem.message} />
          ))}
        </BlockStack>
      </Box>
    </div>
  );
}

/** A field in the condition's row. */
function Slot({ children, width = "150px" }: { children: ReactNode; width?: string }) {
  return <Box minWidth={width}>{children}</Box>;
}

function NumberField(props: FieldProps & { field: string; label: string; suffix?: string; step?: number }) {
  const text = props.leaf.fields[props.field] ?? "";
  const problem = props.error(props.field);
  return (
    <Slot width="120px">
      <TextField
        label={props.label}
        type="number"
        inputMode="decimal"
        autoComplete="off"
        step={props.step}
        value={text}
        suffix={props.suffix}
        onChange={(value) => props.set(props.field, value)}
        // The language says "expected number"; say what to type instead.
        error={isNumberText(text) ? problem : "Enter a number"}
      />
    </Slot>
  );
}

function Choice(props: FieldProps & { field: string; label: string; choices: { label: string; value: string }[]; width?: string }) {
  return (
    <Slot width={props.width}>
      <Select
        label={props.label}
        options={props.choices}
        value={props.leaf.fields[props.field] ?? ""}
        onChange={(value) => props.set(props.field, value)}
        error={props.error(props.field)}
      />
    </Slot>
  );
}

function Text_(props: FieldProps & { field: string; label: string; placeholder?: string; helpText?: string; type?: "text" | "date"; width?: string; emptyMessage?: string }) {
  const text = props.leaf.fields[props.field] ?? "";
  const problem = props.error(props.field);
  return (
    <Slot width={props.width ?? "200px"}>
      <TextField
        label={props.label}
        type={props.type ?? "text"}
        autoComplete="off"
        placeholder={props.placeholder}
        helpText={props.helpText}
        value={text}
        onChange={(value) => props.set(props.field, value)}
        error={problem && props.emptyMessage && text.trim() === "" ? props.emptyMessage : problem}
      />
    </Slot>
  );
}

function WindowFields(props: FieldProps & { allowEver?: boolean }) {
  const choices = [
    ...(props.allowEver ? [{ label: "ever", value: "ever" }] : []),
    { label: "in the last … days", value: "days" },
    { label: "this month", value: "this_month" },
    { label: "this year", value: "this_year" },
  ];
  return (
    <>
      <Choice {...props} field="window" label="When" choices={choices} />
      {props.leaf.fields.window === "days" ? <NumberField {...props} field="windowDays" label="Days" suffix="days" /> : null}
    </>
  );
}

const MONEY_METRICS = new Set(["total_spent", "average_order_value", "clv_12m"]);
const DAY_METRICS = new Set(["days_since_last_order", "days_since_first_order", "days_since_created", "days_until_next_order"]);

function ConditionFields(props: FieldProps) {
  const { leaf, options } = props;
  const f = leaf.fields;
  const unit = (measure: string | undefined) => (measure && MONEY_METRICS.has(measure) ? options.currency : measure && DAY_METRICS.has(measure) ? "days" : undefined);
  switch (leaf.kind) {
    case "metric":
      return (
        <>
          <Choice {...props} field="metric" label="Measure" choices={METRICS} width="200px" />
          <Choice {...props} field="op" label="Comparison" choices={COMPARISONS} />
          <NumberField {...props} field="value" label="Value" suffix={unit(f.metric)} />
        </>
      );
    case "orders_in_window":
      return (
        <>
          <Choice
            {...props}
            field="measure"
            label="Measure"
            choices={[
              { label: "Number of orders", value: "count" },
              { label: "Amount spent", value: "spend" },
            ]}
          />
          <WindowFields {...props} />
          <Choice {...props} field="op" label="Comparison" choices={COMPARISONS} />
          <NumberField {...props} field="value" label="Value" suffix={f.measure === "spend" ? options.currency : undefined} />
        </>
      );
    case "date":
      return (
        <>
          <Choice
            {...props}
            field="field"
            label="Date"
            choices={[
              { label: "Signed up", value: "created_at" },
              { label: "First order", value: "first_order_at" },
              { label: "Last order", value: "last_order_at" },
            ]}
          />
          <Choice
            {...props}
            field="op"
            label="Comparison"
            choices={[
              { label: "before", value: "before" },
              { label: "on or after", value: "on_or_after" },
            ]}
          />
          <Text_ {...props} field="date" label="Day" type="date" width="170px" emptyMessage="Choose a day" />
        </>
      );
    case "bought":
      return (
        <>
          <Choice {...props} field="op" label="Customer" choices={[{ label: "bought", value: "has" }, { label: "never bought", value: "has_not" }]} />
          <Choice
            {...props}
            field="target"
            label="What"
            choices={[
              { label: "the product with id", value: "productId" },
              { label: "anything in the category", value: "category" },
            ]}
            width="210px"
          />
          <Text_ {...props} field="item" label={f.target === "category" ? "Category" : "Product id"} placeholder={f.target === "category" ? "Tea" : "8072362311"}
            emptyMessage={f.target === "category" ? "Enter a category" : "Enter a product id"}
          />
          <WindowFields {...props} allowEver />
        </>
      );
    case "cart_state":
      return (
        <>
          <Choice {...props} field="op" label="Customer" choices={HAS} width="110px" />
          <Choice
            {...props}
            field="state"
            label="State"
            choices={[
              { label: "an abandoned checkout", value: "abandoned_checkout" },
              { label: "an open cart", value: "open_cart" },
            ]}
            width="200px"
          />
          <NumberField {...props} field="idleHours" label="Idle at least" suffix="hours" />
          <NumberField {...props} field="withinDays" label="Active within" suffix="days" />
        </>
      );
    case "engagement":
      return (
        <>
          <Choice {...props} field="op" label="Customer" choices={HAS} width="110px" />
          <Choice
            {...props}
            field="action"
            label="Action"
            choices={[
              { label: "opened an email", value: "opened" },
              { label: "clicked an email", value: "clicked" },
              { label: "received an email", value: "received" },
            ]}
            width="180px"
          />
          <NumberField {...props} field="days" label="In the last" suffix="days" />
        </>
      );
    case "consent":
      return (
        <Choice
          {...props}
          field="acceptsMarketing"
          label="Email marketing"
          choices={[
            { label: "subscribed", value: "true" },
            { label: "not subscribed", value: "false" },
          ]}
        />
      );
    case "email_domain":
      return (
        <>
          <Choice {...props} field="op" label="Domain" choices={IS} width="100px" />
          <Text_ {...props} field="value" label="Email domain" placeholder="example.com" />
        </>
      );
    case "location":
      return (
        <>
          <Choice
            {...props}
            field="field"
            label="Where"
            choices={[
              { label: "Country", value: "country" },
              { label: "Region", value: "region" },
              { label: "City", value: "city" },
            ]}
            width="110px"
          />
          <Choice {...props} field="op" label="Comparison" choices={[{ label: "is one of", value: "is" }, { label: "is none of", value: "is_not" }]} width="120px" />
          <Text_ {...props} field="values" label="Places" placeholder={f.field === "country" ? "US, CA" : f.field === "region" ? "CA-ON, NY" : "Berlin"} helpText="Separate several with commas" width="220px" />
        </>
      );
    case "tag":
      return (
        <>
          <Choice {...props} field="op" label="Customer" choices={HAS} width="110px" />
          <Text_ {...props} field="value" label="Tag" placeholder="wholesale" />
        </>
      );
    case "store": {
      const selected = (f.storeIds ?? "").split(",").filter(Boolean);
      return (
        <>
          <Choice {...props} field="op" label="First seen in" choices={[{ label: "one of", value: "is" }, { label: "none of", value: "is_not" }]} width="110px" />
          <Slot width="220px">
            {options.stores.length ? (
              <ChoiceList
                allowMultiple
                title="Stores"
                choices={options.stores.map((store) => ({ label: store.name, value: store.id }))}
                selected={selected}
                onChange={(ids) => props.set("storeIds", ids.join(","))}
                error={props.error("storeIds")}
              />
            ) : (
              <Text as="p" tone="subdued">
                Connect a store first (Stores).
              </Text>
            )}
          </Slot>
        </>
      );
    }
    case "segment":
      return (
        <>
          <Choice {...props} field="op" label="Customer is" choices={[{ label: "in", value: "in" }, { label: "not in", value: "not_in" }]} width="100px" />
          <Choice
            {...props}
            field="segmentId"
            label="Segment"
            choices={[{ label: "Choose a segment", value: "" }, ...options.segments.map((segment) => ({ label: segment.name, value: segment.id }))]}
            width="200px"
          />
        </>
      );
    case "prediction":
      return (
        <>
          <Choice {...props} field="measure" label="Prediction" choices={PREDICTIONS} width="240px" />
          <Choice {...props} field="op" label="Comparison" choices={COMPARISONS} />
          <NumberField {...props} field="value" label="Value" suffix={unit(f.measure)} step={f.measure === "churn_probability" ? 0.05 : undefined} />
        </>
      );
  }
}
