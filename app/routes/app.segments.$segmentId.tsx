// One segment: the builder (edit the rule with a live count), its members a page at a time with why each is in
// it, CSV export, archive, and "use as a flow trigger".
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigation, useSubmit, type ShouldRevalidateFunction } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, IndexTable, InlineStack, Layout, Link, Modal, Text } from "@shopify/polaris";
import { ExportIcon } from "@shopify/polaris-icons";
import { useState } from "react";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { CursorPagination, readCursorTrail } from "~/components/cursor-pagination";
import { formatDateTime } from "~/components/format";
import { builderOptions, readSaveForm } from "~/segment-builder.server";
import { formatAmount, formatCount } from "~/components/segments/format";
import { SegmentBuilder, customerName } from "~/components/segments/segment-builder";
import { systemClock } from "~/core/clock";
import { archiveSegment, explainMembership, getSegment, segmentMembers, updateSegment } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.segment.name ?? "Segment"} · Nudgeflow` }];

const PAGE_SIZE = 25;
/** How many pages back "Previous" can go: the cursors of the pages before are kept in the URL. */

function notFound(): never {
  throw new Response("This segment does not exist, or belongs to another workspace.", { status: 404 });
}

/** `?after=c1.c2` — the cursors that led to this page, oldest first; the last one is this page's. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const segmentId = params.segmentId ?? "";
  const segment = await getSegment(db, { workspaceId, segmentId });
  if (!segment) notFound();
  const url = new URL(request.url);
  const trail = readCursorTrail(url);
  const now = systemClock.now();
  const [page, options] = await Promise.all([
    segmentMembers(db, { workspaceId, segmentId, cursor: trail.at(-1) ?? null, take: PAGE_SIZE }),
    builderOptions(db, { workspaceId, exceptSegmentId: segmentId, now }),
  ]);
  // One line per member of this page (a page is small, so this stays cheap).
  const why = await Promise.all(page.members.map((member) => explainMembership(db, { workspaceId, segmentId, customerId: member.customerId, now })));
  return json({
    segment: { id: segment.id, name: segment.name, description: segment.description, builtin: segment.builtin, rule: segment.rule, memberCount: segment.memberCount, computedAt: segment.computedAt, updatedAt: segment.updatedAt },
    members: page.members.map((member, index) => ({ ...member, why: why[index] })),
    trail,
    nextCursor: page.nextCursor,
    options,
    created: url.searchParams.get("created") === "1",
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const segmentId = params.segmentId ?? "";
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "archive") {
    if (!(await archiveSegment(db, { workspaceId, segmentId, now: systemClock.now() }))) notFound();
    return redirect("/app/segments");
  }
  if (intent !== "save") return json({ ok: false as const, problems: [{ path: "(document)", message: "Unknown action: save or archive." }] }, { status: 400 });
  const form = readSaveForm(formData);
  if (!form.ok) return json(form, { status: 400 });
  if (!(await getSegment(db, { workspaceId, segmentId }))) notFound();
  const result = await updateSegment(db, { workspaceId, segmentId, name: form.name, description: form.description, rule: form.rule, now: systemClock.now() });
  if (!result.ok) return json({ ok: false as const, problems: result.problems }, { status: 400 });
  return json({ ok: true as const });
}

/** A live count changes nothing this page loaded: no need to load it again after each one. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formAction, defaultShouldRevalidate }) =>
  formAction === "/app/segments/preview" ? false : defaultShouldRevalidate;

export default function SegmentPage() {
  const data = useLoaderData<typeof loader>();
  const { segment } = data;
  const { mode } = useAdminLayoutData();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [confirmArchive, setConfirmArchive] = useState(false);
  const [createdDismissed, setCreatedDismissed] = useState(false);
  const archiving = navigation.state !== "idle" && navigation.formData?.get("intent") === "archive";

  return (
    <>
      <SegmentBuilder
        key={segment.id}
        segmentId={segment.id}
        title={segment.name}
        titleMetadata={segment.builtin ? <Badge tone="info">Built-in</Badge> : undefined}
        backUrl="/app/segments"
        initial={{ name: segment.name, description: segment.description ?? "", rule: segment.rule }}
        options={data.options}
        saveLabel="Save"
        secondaryActions={[
          { content: "Use as a flow trigger", url: `/app/flows/new?segmentId=${encodeURIComponent(segment.id)}`, accessibilityLabel: `Start a flow when customers enter ${segment.name}` },
          { content: "Archive", destructive: true, onAction: () => setConfirmArchive(true) },
        ]}
        banner={
          data.created && !createdDismissed ? (
            <Banner tone="success" title={`${segment.name} is saved`} onDismiss={() => setCreatedDismissed(true)}>
              <p>Its members are kept current as customers browse, buy and engage. Use it as a flow trigger to greet people who enter it.</p>
            </Banner>
          ) : undefined
        }
      >
        <Layout.Section>
          <Members embedded={mode === "embedded"} />
        </Layout.Section>
      </SegmentBuilder>
      <Modal
        open={confirmArchive}
        onClose={() => setConfirmArchive(false)}
        title={`Archive ${segment.name}?`}
        primaryAction={{
          content: "Archive",
          destructive: true,
          loading: archiving,
          onAction: () => submit({ intent: "archive" }, { method: "post" }),
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setConfirmArchive(false) }]}
      >
        <Modal.Section>
          <Text as="p">
            It stops updating and leaves the list. Flows triggered by it no longer receive anyone new. Customers are not
            changed.
          </Text>
        </Modal.Section>
      </Modal>
    </>
  );
}

function Members({ embedded }: { embedded: boolean }) {
  const data = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const { segment, members, trail, nextCursor } = data;
  const csvUrl = `/app/segments/${segment.id}/csv`;
  const filename = `${segment.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "segment"}-members.csv`;

  return (
    <Card padding="0">
      <BlockStack gap="0">
        <div style={{ padding: "var(--p-space-400)" }}>
          <InlineStack align="space-between" blockAlign="center" gap="300">
            <BlockStack gap="050">
              <Text as="h2" variant="headingMd">
                Members
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                {`${formatCount(segment.memberCount)} customer${segment.memberCount === 1 ? "" : "s"}${segment.computedAt ? `, last computed in full ${formatDateTime(segment.computedAt, timeZone)}` : ""}. Kept current as customers change.`}
              </Text>
            </BlockStack>
            <CsvButton url={csvUrl} filename={filename} embedded={embedded} disabled={segment.memberCount === 0} />
          </InlineStack>
        </div>
        {members.length === 0 ? (
          <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
            <Text as="p" tone="subdued">
              {trail.length ? "No more members." : "Nobody is in this segment yet. Customers enter it as soon as they match the saved rule."}
            </Text>
          </div>
        ) : (
          <IndexTable
            resourceName={{ singular: "member", plural: "members" }}
            itemCount={members.length}
            selectable={false}
            headings={[{ title: "Customer" }, { title: "Why" }, { title: "Orders", alignment: "end" }, { title: "Spent", alignment: "end" }, { title: "Entered" }]}
          >
            {members.map((member, index) => (
              <IndexTable.Row id={member.customerId} key={member.customerId} position={index}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Link url={`/app/customers/${member.customerId}`} monochrome removeUnderline dataPrimaryLink>
                      <Text as="span" fontWeight="semibold">
                        {customerName(member)}
                      </Text>
                    </Link>
                    {member.firstName || member.lastName ? (
                      <Text as="span" variant="bodySm" tone="subdued">
                        {member.email}
                      </Text>
                    ) : null}
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" tone={member.why ? undefined : "subdued"}>
                    {member.why ?? "—"}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatCount(member.ordersCount)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatAmount(member.totalSpent, member.currency)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{member.enteredAt ? formatDateTime(member.enteredAt, timeZone) : "—"}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
        <CursorPagination trail={trail} nextCursor={nextCursor} noun="members" dropParams={["created"]} />
      </BlockStack>
    </Card>
  );
}

/**
 * Standalone: a plain link the browser downloads (streamed to disk). Embedded: links carry no session token, so
 * the file is fetched (App Bridge adds the token to fetch) and handed to the browser as a file.
 */
function CsvButton(props: { url: string; filename: string; embedded: boolean; disabled: boolean }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  if (!props.embedded) {
    return (
      <Button icon={ExportIcon} url={props.url} download={props.filename} disabled={props.disabled}>
        Export CSV
      </Button>
    );
  }
  const download = async () => {
    setBusy(true);
    setFailed(null);
    try {
      const response = await fetch(props.url);
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const href = URL.createObjectURL(await response.blob());
      const anchor = Object.assign(document.createElement("a"), { href, download: props.filename });
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (error) {
      setFailed(`The export failed: ${error instanceof Error ? error.message : String(error)}. Try again.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <BlockStack gap="100" inlineAlign="end">
      <Button icon={ExportIcon} onClick={download} loading={busy} disabled={props.disabled}>
        Export CSV
      </Button>
      {failed ? (
        <Text as="p" tone="critical" variant="bodySm">
          {failed}
        </Text>
      ) : null}
    </BlockStack>
  );
}
