// The email step's fields in the builder's side panel: subject, preview text and the blocks (add, remove, move
// up and down with buttons, edit), or the older hand-written HTML and text with a way to switch to blocks. The
// preview opens in a modal: the draft rendered by the server (app.flows.$flowId.email) with sample data or a
// customer's, at desktop and mobile widths, and "Send test".
import { Banner, BlockStack, Box, Button, ButtonGroup, Checkbox, InlineStack, Modal, Select, Text, TextField } from "@shopify/polaris";
import { ArrowDownIcon, ArrowUpIcon, DeleteIcon, PlusIcon, ViewIcon } from "@shopify/polaris-icons";
import { useFetcher, useParams } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import type { EmailNode } from "~/core/flows/definition";
import { BLOCK_LABELS, newBlock, type EmailBlock, type EmailBlockType } from "~/core/messaging/email/blocks";

type Err = (field: string, exact?: boolean) => string | undefined;

export interface EmailFieldsProps {
  node: EmailNode;
  trigger: unknown;
  onChange(node: EmailNode, field: string): void;
  err: Err;
}

const BLOCK_TYPES = Object.keys(BLOCK_LABELS) as EmailBlockType[];
const ALIGN = [
  { label: "Left", value: "left" },
  { label: "Centre", value: "center" },
  { label: "Right", value: "right" },
];

/** The blocks a hand-written email becomes: its subject stays; the body starts from a simple layout. */
function starterBlocks(): EmailBlock[] {
  return [newBlock("logo"), newBlock("heading"), newBlock("text"), newBlock("button"), newBlock("footer")];
}

export function EmailFields({ node, trigger, onChange, err }: EmailFieldsProps) {
  const [previewOpen, setPreviewOpen] = useState(false);
  const blocks = node.content?.blocks ?? null;
  const setBlocks = (next: EmailBlock[], field: string) => {
    const { html: _html, text: _text, ...rest } = node;
    void _html;
    void _text;
    onChange({ ...rest, content: { version: 1, blocks: next } }, field);
  };
  const [adding, setAdding] = useState<EmailBlockType>("text");

  return (
    <BlockStack gap="300">
      <TextField label="Name" helpText="Only you see it: on the canvas and in reports." autoComplete="off" value={node.name ?? ""} onChange={(name) => onChange({ ...node, name }, "name")} error={err("name")} />
      <TextField label="Subject" autoComplete="off" value={node.subject ?? ""} onChange={(subject) => onChange({ ...node, subject }, "subject")} error={err("subject")} />
      <TextField label="Preview text" autoComplete="off" value={node.preheader ?? ""} onChange={(preheader) => onChange({ ...node, preheader }, "preheader")} error={err("preheader")} helpText="Shown after the subject in most inboxes." />
      <Button icon={ViewIcon} onClick={() => setPreviewOpen(true)}>
        Preview and send a test
      </Button>
      {blocks ? (
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            Blocks
          </Text>
          {err("content", true) ? <Text as="p" tone="critical">{err("content", true)}</Text> : null}
          {err("content.blocks", true) ? <Text as="p" tone="critical">{err("content.blocks", true)}</Text> : null}
          {blocks.map((block, index) => (
            <BlockCard
              key={index}
              block={block}
              index={index}
              count={blocks.length}
              err={(field) => err(`content.blocks[${index}]${field ? `.${field}` : ""}`, !field)}
              onChange={(next, field) => setBlocks(blocks.map((b, i) => (i === index ? next : b)), `content.blocks[${index}].${field}`)}
              onMove={(delta) => {
                const target = index + delta;
                if (target < 0 || target >= blocks.length) return;
                const next = [...blocks];
                [next[index], next[target]] = [next[target], next[index]];
                setBlocks(next, "content.blocks");
              }}
              onRemove={() => setBlocks(blocks.filter((_, i) => i !== index), "content.blocks")}
            />
          ))}
          <InlineStack gap="200" blockAlign="end" wrap={false}>
            <Select label="New block" options={BLOCK_TYPES.map((type) => ({ label: BLOCK_LABELS[type], value: type }))} value={adding} onChange={(value) => setAdding(value as EmailBlockType)} />
            <Button icon={PlusIcon} onClick={() => setBlocks([...blocks, newBlock(adding)], "content.blocks")}>
              Add block
            </Button>
          </InlineStack>
          <Text as="p" tone="subdued" variant="bodySm">
            {"Text fields take Liquid: {{ customer.first_name }}, {{ shop.name }}, {{ checkout.recovery_url }}, {{ discount.code }}… Everything is shown as text (no HTML). The footer always carries your address and the unsubscribe link; colours, logo and font come from Settings → Email branding."}
          </Text>
        </BlockStack>
      ) : (
        <BlockStack gap="300">
          <Banner tone="info" title="This email is hand-written HTML">
            <p>Switch to blocks for a responsive, branded layout you can edit here. The HTML below is replaced.</p>
            <Box paddingBlockStart="200">
              <Button onClick={() => setBlocks(starterBlocks(), "content")}>Switch to blocks</Button>
            </Box>
          </Banner>
          <TextField label="HTML body" multiline={6} monospaced autoComplete="off" value={node.html ?? ""} onChange={(html) => onChange({ ...node, html }, "html")} error={err("html")} helpText="Liquid: {{ customer.first_name }}, {{ checkout.recovery_url }}, …" />
          <TextField label="Plain-text body" multiline={4} monospaced autoComplete="off" value={node.text ?? ""} onChange={(text) => onChange({ ...node, text }, "text")} error={err("text")} />
        </BlockStack>
      )}
      <EmailPreviewModal open={previewOpen} onClose={() => setPreviewOpen(false)} node={node} trigger={trigger} />
    </BlockStack>
  );
}

function BlockCard(props: {
  block: EmailBlock;
  index: number;
  count: number;
  err(field: string): string | undefined;
  onChange(block: EmailBlock, field: string): void;
  onMove(delta: number): void;
  onRemove(): void;
}) {
  const { block, index, count, err } = props;
  const label = BLOCK_LABELS[block.type] ?? block.type;
  const wholeError = err("");
  return (
    <Box padding="300" borderWidth="025" borderColor={wholeError ? "border-critical" : "border"} borderRadius="200">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" wrap={false}>
          <Text as="p" variant="headingXs">{`${index + 1}. ${label}`}</Text>
          <ButtonGroup variant="segmented">
            <Button icon={ArrowUpIcon} accessibilityLabel={`Move block ${index + 1} (${label}) up`} disabled={index === 0} onClick={() => props.onMove(-1)} />
            <Button icon={ArrowDownIcon} accessibilityLabel={`Move block ${index + 1} (${label}) down`} disabled={index === count - 1} onClick={() => props.onMove(1)} />
            <Button icon={DeleteIcon} tone="critical" accessibilityLabel={`Remove block ${index + 1} (${label})`} onClick={props.onRemove} />
          </ButtonGroup>
        </InlineStack>
        {wholeError ? <Text as="p" tone="critical">{wholeError}</Text> : null}
        <BlockFields block={block} err={err} onChange={props.onChange} />
      </BlockStack>
    </Box>
  );
}

function BlockFields({ block, err, onChange }: { block: EmailBlock; err(field: string): string | undefined; onChange(block: EmailBlock, field: string): void }) {
  const text = (field: string, label: string, value: string | undefined, options: { multiline?: number; helpText?: string } = {}) => (
    <TextField
      label={label}
      autoComplete="off"
      multiline={options.multiline}
      helpText={options.helpText}
      value={value ?? ""}
      onChange={(next) => onChange({ ...block, [field]: next } as EmailBlock, field)}
      error={err(field)}
    />
  );
  const align = (value: string | undefined) => (
    <Select label="Alignment" options={ALIGN} value={value ?? "left"} onChange={(next) => onChange({ ...block, align: next } as EmailBlock, "align")} />
  );
  switch (block.type) {
    case "logo":
      return (
        <BlockStack gap="200">
          <Text as="p" tone="subdued" variant="bodySm">Your logo from Settings → Email branding, or the store's name.</Text>
          {align(block.align)}
        </BlockStack>
      );
    case "heading":
      return <BlockStack gap="200">{text("text", "Heading", block.text)}{align(block.align)}</BlockStack>;
    case "text":
      return <BlockStack gap="200">{text("text", "Text", block.text, { multiline: 4, helpText: "A blank line starts a new paragraph." })}{align(block.align)}</BlockStack>;
    case "image":
      return (
        <BlockStack gap="200">
          {text("src", "Image address", block.src)}
          {text("alt", "Description (alt text)", block.alt)}
          {text("href", "Link (optional)", block.href)}
        </BlockStack>
      );
    case "button":
      return <BlockStack gap="200">{text("label", "Label", block.label)}{text("href", "Link", block.href)}{align(block.align)}</BlockStack>;
    case "line_items":
      return (
        <BlockStack gap="200">
          <Select
            label="Items of"
            options={[
              { label: "The order, else the checkout or cart", value: "auto" },
              { label: "The checkout or cart", value: "checkout" },
              { label: "The order", value: "order" },
            ]}
            value={block.source ?? "auto"}
            onChange={(source) => onChange({ ...block, source: source as typeof block.source }, "source")}
          />
          <Checkbox label="Show pictures" checked={block.showImages ?? true} onChange={(showImages) => onChange({ ...block, showImages }, "showImages")} />
          <Checkbox label="Show the total" checked={block.showTotal ?? true} onChange={(showTotal) => onChange({ ...block, showTotal }, "showTotal")} />
        </BlockStack>
      );
    case "recommendations":
      return (
        <BlockStack gap="200">
          {text("heading", "Heading", block.heading)}
          <TextField label="Products (at most)" type="number" min={1} max={6} autoComplete="off" value={String(block.limit ?? 4)} onChange={(v) => onChange({ ...block, limit: Math.max(1, Math.min(6, Math.floor(Number(v) || 1))) }, "limit")} error={err("limit")} />
          {text("buttonLabel", "Button label", block.buttonLabel)}
          {text("href", "Link for each product", block.href, { helpText: "Default {{ item.url }}: the product's page. Liquid sees item: {{ item.url }}, {{ item.title }}, {{ item.product_id }}." })}
          <Text as="p" tone="subdued" variant="bodySm">
            From your store's catalogue: products bought together with the ones in the cart or order, then best sellers in their categories, then best sellers — never what is in the cart or what the customer already bought. Until the catalogue is synced, the preview with sample data shows sample products and real emails show none.
          </Text>
        </BlockStack>
      );
    case "discount":
      return <BlockStack gap="200">{text("text", "Text", block.text)}{text("code", "Code", block.code, { helpText: "Also {{ discount.code }} anywhere in this email." })}</BlockStack>;
    case "review_request":
      return (
        <BlockStack gap="200">
          {text("heading", "Heading", block.heading)}
          {text("text", "Text", block.text, { multiline: 2 })}
          {text("buttonLabel", "Button label", block.buttonLabel)}
          {text("href", "Review link for each product", block.href, { helpText: "Default {{ item.review_url }}: the product page's reviews (#reviews), or the store when the page is unknown. Liquid sees item: {{ item.url }}, {{ item.title }}, {{ item.product_id }}." })}
        </BlockStack>
      );
    case "divider":
      return <Text as="p" tone="subdued" variant="bodySm">A thin line.</Text>;
    case "footer":
      return text("text", "Text above the address and unsubscribe link", block.text, { multiline: 2 });
    default:
      return null;
  }
}

interface PreviewAnswer {
  intent: "preview" | "send-test" | "invalid";
  ok: boolean;
  error?: string;
  subject?: string;
  html?: string;
  text?: string;
  warnings?: string[];
  /** What the editor should know: no postal address for the footer, no catalogue for recommendations. */
  notices?: string[];
  problems?: { path: (string | number)[]; message: string }[];
  messageId?: string;
  to?: string;
}

function EmailPreviewModal({ open, onClose, node, trigger }: { open: boolean; onClose(): void; node: EmailNode; trigger: unknown }) {
  const { flowId } = useParams();
  const endpoint = `/app/flows/${flowId}/email`;
  const customers = useFetcher<{ customers: { id: string; email: string; name: string }[] }>();
  const preview = useFetcher<PreviewAnswer>();
  const tester = useFetcher<PreviewAnswer>();
  const [customerId, setCustomerId] = useState("");
  const [search, setSearch] = useState("");
  // The chosen customer stays choosable when a later search no longer lists them.
  const [chosen, setChosen] = useState<{ id: string; email: string; name: string } | null>(null);
  const [width, setWidth] = useState<"desktop" | "mobile">("desktop");
  const [to, setTo] = useState("");
  const [showText, setShowText] = useState(false);
  const nodeJson = useMemo(() => JSON.stringify(node), [node]);
  const triggerJson = useMemo(() => JSON.stringify(trigger ?? null), [trigger]);

  // Customers matching the search box (name or email; this workspace's, at most 20), asked for once typing pauses.
  useEffect(() => {
    if (!open) return;
    const query = search.trim();
    const timer = setTimeout(() => customers.load(query ? `${endpoint}?q=${encodeURIComponent(query)}` : endpoint), query ? 300 : 0);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes on every render
  }, [open, search, endpoint]);
  const found = customers.data?.customers ?? [];
  const choices = chosen && !found.some((c) => c.id === chosen.id) ? [chosen, ...found] : found;
  const chooseCustomer = (id: string) => {
    setCustomerId(id);
    setChosen(choices.find((c) => c.id === id) ?? null);
  };
  useEffect(() => {
    if (!open) return;
    const timer = setTimeout(() => preview.submit({ intent: "preview", node: nodeJson, trigger: triggerJson, customerId }, { method: "post", action: endpoint }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes on every render
  }, [open, nodeJson, triggerJson, customerId, endpoint]);

  const answer = preview.data;
  const sent = tester.state === "idle" ? tester.data : undefined;
  return (
    <Modal open={open} onClose={onClose} title="Email preview" size="large">
      <Modal.Section>
        <BlockStack gap="300">
          <InlineStack gap="300" blockAlign="end" wrap>
            <Box minWidth="220px">
              <TextField
                label="Find a customer"
                type="search"
                autoComplete="off"
                placeholder="Name or email"
                value={search}
                onChange={setSearch}
                clearButton
                onClearButtonClick={() => setSearch("")}
              />
            </Box>
            <Box minWidth="260px">
              <Select
                label="Show with"
                options={[
                  { label: "Sample data", value: "" },
                  ...choices.map((c) => ({ label: c.name ? `${c.name} <${c.email}>` : c.email, value: c.id })),
                ]}
                value={customerId}
                onChange={chooseCustomer}
                helpText={
                  search.trim() && customers.state === "idle" && found.length === 0
                    ? "No customer with an email matches."
                    : "A customer's latest checkout or cart, and latest order."
                }
              />
            </Box>
            <ButtonGroup variant="segmented">
              <Button pressed={width === "desktop"} onClick={() => setWidth("desktop")}>
                Desktop
              </Button>
              <Button pressed={width === "mobile"} onClick={() => setWidth("mobile")}>
                Mobile
              </Button>
            </ButtonGroup>
            <Checkbox label="Plain text" checked={showText} onChange={setShowText} />
          </InlineStack>
          {answer && !answer.ok ? <Banner tone="critical" title="No preview">{answer.error}</Banner> : null}
          {answer?.notices?.length ? (
            <Banner tone="warning" title="Before you send">
              <ul>
                {answer.notices.map((notice) => (
                  <li key={notice}>{notice}</li>
                ))}
              </ul>
            </Banner>
          ) : null}
          {answer?.problems?.length ? (
            <Banner tone="warning" title="Fix these before publishing">
              <ul>
                {answer.problems.map((p) => (
                  <li key={`${p.path.join(".")}:${p.message}`}>{`${p.path.join(".")}: ${p.message}`}</li>
                ))}
              </ul>
            </Banner>
          ) : null}
          {answer?.ok ? (
            <BlockStack gap="200">
              <Text as="p">
                <Text as="span" fontWeight="semibold">Subject: </Text>
                {answer.subject}
              </Text>
              {showText ? (
                <pre className="nf-email-text" aria-label="Plain-text part" style={{ whiteSpace: "pre-wrap", background: "#f6f6f7", padding: 12, borderRadius: 8, maxHeight: 560, overflow: "auto" }}>
                  {answer.text}
                </pre>
              ) : (
                <div style={{ display: "flex", justifyContent: "center", background: "#e3e3e3", padding: 12, borderRadius: 8 }}>
                  <iframe
                    title={`Email preview, ${width}`}
                    srcDoc={answer.html}
                    sandbox="allow-popups allow-popups-to-escape-sandbox"
                    style={{ width: width === "mobile" ? 375 : 640, maxWidth: "100%", height: 620, border: 0, background: "#fff", borderRadius: 6 }}
                  />
                </div>
              )}
            </BlockStack>
          ) : null}
        </BlockStack>
      </Modal.Section>
      <Modal.Section>
        <tester.Form method="post" action={endpoint}>
          <input type="hidden" name="intent" value="send-test" />
          <input type="hidden" name="node" value={nodeJson} />
          <input type="hidden" name="trigger" value={triggerJson} />
          <input type="hidden" name="customerId" value={customerId} />
          <input type="hidden" name="nodeId" value={node.id} />
          <InlineStack gap="200" blockAlign="end" wrap={false}>
            <Box minWidth="280px">
              <TextField label="Send a test to" type="email" name="to" autoComplete="email" value={to} onChange={setTo} error={sent && !sent.ok ? sent.error : undefined} />
            </Box>
            <Button submit loading={tester.state !== "idle"}>
              Send test
            </Button>
          </InlineStack>
        </tester.Form>
        {sent?.ok ? (
          <Box paddingBlockStart="200">
            <Banner tone="success">{`Test email queued to ${sent.to}. It is marked [Test] and counts in no report.`}</Banner>
          </Box>
        ) : null}
      </Modal.Section>
    </Modal>
  );
}
