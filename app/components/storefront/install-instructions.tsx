// How a merchant installs the generic storefront snippet, per platform: where the tag goes, the tag itself ready to
// copy, and for custom storefronts the small JS API. Pure UI: the tag is built from the key and the script's URL.
import {
  BlockStack,
  Box,
  Button,
  InlineStack,
  List,
  Tabs,
  Text,
} from "@shopify/polaris";
import { useEffect, useState } from "react";

export type InstallPlatform =
  | "woocommerce"
  | "bigcommerce"
  | "magento"
  | "custom";

const TABS: { id: InstallPlatform; content: string }[] = [
  { id: "woocommerce", content: "WooCommerce" },
  { id: "bigcommerce", content: "BigCommerce" },
  { id: "magento", content: "Magento" },
  { id: "custom", content: "Custom site" },
];

/** The script tag for one platform (Magento's cart section has no currency: the store's is written in). */
export function snippetTag(input: {
  scriptUrl: string;
  storefrontKey: string;
  platform: InstallPlatform;
  currency: string;
}): string {
  const currency =
    input.platform === "magento" ? ` data-currency="${input.currency}"` : "";
  return `<script defer src="${input.scriptUrl}" data-key="${input.storefrontKey}" data-platform="${input.platform}"${currency}></script>`;
}

const CUSTOM_API = `<script>
  window.nudgeflow = window.nudgeflow || [];
  // Whenever the cart changes (prices in minor units: 2500 = 25.00):
  nudgeflow.push(["cart", {
    token: "your-cart-id",
    currency: "USD",
    items: [{ product_id: "123", variant_id: "456", sku: "TEE-M", title: "T-shirt", variant_title: "M",
              quantity: 1, price: 2500, image: "https://…/tee.jpg", url: "https://…/products/tee" }]
  }]);
  // When you know who the shopper is (a login, your own forms):
  nudgeflow.push(["identify", "shopper@example.com"]);
</script>`;

const CONSENT = `<!-- add data-consent="required" to the tag above, then from your consent banner: -->
<script>
  window.nudgeflow = window.nudgeflow || [];
  nudgeflow.push(["consent", true]);   // the shopper accepted marketing cookies
  // nudgeflow.push(["consent", false]); // …or withdrew
</script>`;

function Steps({
  platform,
  appOrigin,
}: {
  platform: InstallPlatform;
  appOrigin: string;
}) {
  switch (platform) {
    case "woocommerce":
      return (
        <List type="number">
          <List.Item>
            In WordPress, install a header and footer plugin (for example
            WPCode, “Insert Headers and Footers”) and open its Footer box. A
            classic theme can instead take the tag in its footer.php, just
            before &lt;/body&gt; (a child theme survives updates).
          </List.Item>
          <List.Item>
            Paste the tag below and save. It follows the cart through
            WooCommerce's Store API (/wp-json/wc/store/v1/cart), for block and
            classic cart pages alike.
          </List.Item>
          <List.Item>
            Add to cart on your site and type an email in your newsletter or
            checkout form: the cart appears under the customer in Nudgeflow
            within seconds.
          </List.Item>
        </List>
      );
    case "bigcommerce":
      return (
        <List type="number">
          <List.Item>
            In your BigCommerce control panel, open Storefront → Script Manager
            → Create a Script.
          </List.Item>
          <List.Item>
            Location: Footer. Pages: All pages. Script category: Targeting;
            Advertising (BigCommerce's own cookie banner then loads it only
            after consent). Script type: Script.
          </List.Item>
          <List.Item>
            Paste the tag below and save. It follows the cart through the
            Storefront Cart API (/api/storefront/carts).
          </List.Item>
        </List>
      );
    case "magento":
      return (
        <List type="number">
          <List.Item>
            In the Magento admin, open Content → Design → Configuration and edit
            your store view.
          </List.Item>
          <List.Item>
            Under HTML Head → Scripts and Style Sheets, paste the tag below and
            Save Configuration; then flush the page cache (System → Cache
            Management).
          </List.Item>
          <List.Item>{`If your store enforces a Content Security Policy, allow ${appOrigin} in script-src and connect-src (csp_whitelist.xml). The snippet reads the cart from the customer data section Magento's minicart uses.`}</List.Item>
        </List>
      );
    case "custom":
      return (
        <List type="number">
          <List.Item>
            Paste the tag below into every page of your site, before
            &lt;/body&gt;.
          </List.Item>
          <List.Item>
            A custom cart cannot be read for you: tell the snippet about the
            cart and the shopper with the small API below. Emails typed into
            your forms are picked up on their own.
          </List.Item>
        </List>
      );
  }
}

function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [code]); // another tab's code has not been copied yet
  return (
    <BlockStack gap="200">
      <Box background="bg-surface-secondary" padding="300" borderRadius="200">
        <pre
          aria-label={label}
          style={{
            margin: 0,
            whiteSpace: "pre-wrap",
            wordBreak: "break-all",
            fontSize: 13,
          }}
        >
          <code>{code}</code>
        </pre>
      </Box>
      <InlineStack>
        <Button
          onClick={() => {
            void navigator.clipboard?.writeText(code).then(
              () => setCopied(true),
              () => setCopied(false)
            );
          }}
        >
          {copied ? "Copied" : `Copy ${label.toLowerCase()}`}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

export function InstallInstructions(props: {
  scriptUrl: string;
  storefrontKey: string;
  initialPlatform: InstallPlatform;
  currency: string;
}) {
  const [selected, setSelected] = useState(
    Math.max(
      0,
      TABS.findIndex((tab) => tab.id === props.initialPlatform)
    )
  );
  const platform = TABS[selected]?.id ?? "custom";
  const appOrigin = new URL(props.scriptUrl).origin;
  return (
    <Tabs tabs={TABS} selected={selected} onSelect={setSelected} fitted>
      <Box paddingBlockStart="400">
        <BlockStack gap="400">
          <Steps platform={platform} appOrigin={appOrigin} />
          <CodeBlock
            label="Snippet"
            code={snippetTag({ ...props, platform })}
          />
          {platform === "custom" ? (
            <CodeBlock label="Cart API" code={CUSTOM_API} />
          ) : null}
          <Text as="p" tone="subdued">
            Where the law asks for consent before marketing tracking, add
            data-consent=&quot;required&quot; to the tag: the snippet then
            reads, keeps and sends nothing until your consent banner says yes.
          </Text>
          <CodeBlock label="Consent hook" code={CONSENT} />
        </BlockStack>
      </Box>
    </Tabs>
  );
}
