// The publish dialog: the draft's problems (publishing is disabled until there are none), what changes against
// the live version by step, and what happens to customers already in the flow.
import { Banner, BlockStack, ChoiceList, InlineStack, List, Modal, SkeletonBodyText, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { PublishPreview } from "~/core/flows/manage.server";

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function PublishModal(props: {
  open: boolean;
  preview: PublishPreview | null;
  publishing: boolean;
  error: string | null;
  /** `backfill`: also enroll the customers in the trigger's segment now (asked for segment-entered triggers, default no). */
  onPublish(options: { backfill: boolean }): void;
  onClose(): void;
}) {
  const { preview } = props;
  const [backfill, setBackfill] = useState(false);
  // Every opening of the dialog starts from "no": enrolling a whole segment is never a leftover choice.
  useEffect(() => {
    if (props.open) setBackfill(false);
  }, [props.open]);
  const invalid = Boolean(preview && preview.problems.length > 0);
  const diff = preview?.diff;
  const nothing = diff && diff.added.length + diff.removed.length + diff.changed.length + diff.settings.length === 0;
  const next = (preview?.liveVersion ?? 0) + 1;
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title={`Publish version ${next}`}
      primaryAction={{ content: "Publish", onAction: () => props.onPublish({ backfill: Boolean(preview?.backfill) && backfill }), disabled: !preview || invalid, loading: props.publishing }}
      secondaryActions={[{ content: "Cancel", onAction: props.onClose }]}
    >
      <Modal.Section>
        {!preview ? (
          <SkeletonBodyText lines={4} />
        ) : (
          <BlockStack gap="400">
            {props.error ? <Banner tone="critical" title="The flow was not published"><p>{props.error}</p></Banner> : null}
            {invalid ? (
              <Banner tone="critical" title={`Fix ${count(preview.problems.length, "problem")} before publishing`}>
                <List>
                  {preview.problems.map((problem) => (
                    <List.Item key={`${problem.path}:${problem.message}`}>
                      {problem.path}: {problem.message}
                    </List.Item>
                  ))}
                </List>
              </Banner>
            ) : null}
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                {preview.liveVersion === null ? "What goes live" : `Changes against version ${preview.liveVersion}`}
              </Text>
              {nothing ? (
                <Text as="p" tone="subdued">No changes: publishing makes the same flow a new version.</Text>
              ) : (
                <List>
                  {diff && diff.added.length ? <List.Item>{`${count(diff.added.length, "step")} added: ${diff.added.join(", ")}`}</List.Item> : null}
                  {diff && diff.changed.length ? <List.Item>{`${count(diff.changed.length, "step")} changed: ${diff.changed.join(", ")}`}</List.Item> : null}
                  {diff && diff.removed.length ? <List.Item>{`${count(diff.removed.length, "step")} removed: ${diff.removed.join(", ")}`}</List.Item> : null}
                  {diff && diff.settings.length ? <List.Item>{`Flow settings changed: ${diff.settings.join(", ")}`}</List.Item> : null}
                </List>
              )}
            </BlockStack>
            {preview.backfill ? (
              <BlockStack gap="200">
                <Text as="h3" variant="headingSm">
                  Customers already in {preview.backfill.segmentName}
                </Text>
                {preview.backfill.members === 0 ? (
                  <Text as="p">Nobody is in this segment now: customers start the flow as they enter it.</Text>
                ) : (
                  <ChoiceList
                    title={`${count(preview.backfill.members, "customer is", "customers are")} in this segment now — also enroll them?`}
                    choices={[
                      { label: "No, only customers who enter from now on", value: "no" },
                      { label: `Yes, also enroll the ${count(preview.backfill.members, "customer")} in it now (once; anyone already in this flow is skipped)`, value: "yes" },
                    ]}
                    selected={[backfill ? "yes" : "no"]}
                    onChange={(selected) => setBackfill(selected[0] === "yes")}
                  />
                )}
              </BlockStack>
            ) : null}
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Customers already in the flow
              </Text>
              <InlineStack>
                <Text as="p">
                  {preview.liveVersion === null
                    ? "Nobody is in this flow yet: shoppers who qualify are enrolled from the moment it is live."
                    : preview.activeEnrollments === 0
                      ? `Nobody is in this flow right now. Shoppers who qualify from now on start on version ${next}.`
                      : `${count(preview.activeEnrollments, "customer is", "customers are")} in this flow now. They finish the version they started on; shoppers who enter from now on start on version ${next}.`}
                </Text>
              </InlineStack>
            </BlockStack>
          </BlockStack>
        )}
      </Modal.Section>
    </Modal>
  );
}
