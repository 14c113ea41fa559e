// Customers: everyone Nudgeflow knows across the workspace's stores; search by email or name, filter by segment,
// consent and orders, a page at a time. The filters are a GET form, so every view has its own address.
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, Icon, IndexTable, InlineGrid, Layout, Link, Page, Select, SkeletonBodyText, Text, TextField } from "@shopify/polaris";
import { PersonIcon, SearchIcon } from "@shopify/polaris-icons";
import { useEffect, useRef, useState } from "react";
import { requireAdmin } from "~/auth.server";
import { useAdminLayoutData } from "~/components/admin-layout-data";
import { CursorPagination, readCursorTrail } from "~/components/cursor-pagination";
import { EmptyCard } from "~/components/empty-card";
import { formatAmount, formatCount, formatDay } from "~/components/segments/format";
import { customerName } from "~/components/segments/segment-builder";
import { systemClock } from "~/core/clock";
import { listCustomers } from "~/core/customers/customers.server";
import { listSegments } from "~/core/segments/segments.server";
import { getDb } from "~/db.server";

export const meta: MetaFunction = () => [{ title: "Customers · Nudgeflow" }];

const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;

const yesNo = (value: string | null) => (value === "yes" ? true : value === "no" ? false : undefined);

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId } = await requireAdmin(request);
  const db = getDb();
  const url = new URL(request.url);
  const params = url.searchParams;
  const filters = {
    q: params.get("q")?.trim() ?? "",
    segment: params.get("segment") ?? "",
    consent: params.get("consent") ?? "",
    orders: params.get("orders") ?? "",
  };
  const trail = readCursorTrail(url);
  const [page, segments] = await Promise.all([
    listCustomers(db, {
      workspaceId,
      search: filters.q || undefined,
      segmentId: filters.segment || undefined,
      acceptsMarketing: yesNo(filters.consent),
      hasOrders: yesNo(filters.orders),
      cursor: trail.at(-1) ?? null,
      take: PAGE_SIZE,
    }),
    listSegments(db, { workspaceId, now: systemClock.now() }),
  ]);
  return json({
    customers: page.customers,
    nextCursor: page.nextCursor,
    trail,
    filters,
    segments: segments.map((segment) => ({ id: segment.id, name: segment.name })),
  });
}

export default function Customers() {
  const { customers, nextCursor, trail, filters, segments } = useLoaderData<typeof loader>();
  const { timeZone } = useAdminLayoutData();
  const submit = useSubmit();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app/customers";

  // Controlled copies of the filters, reset when the address changes (back/forward, a link).
  const [query, setQuery] = useState(filters.q);
  const [segment, setSegment] = useState(filters.segment);
  const [consent, setConsent] = useState(filters.consent);
  const [orders, setOrders] = useState(filters.orders);
  useEffect(() => {
    setQuery(filters.q);
    setSegment(filters.segment);
    setConsent(filters.consent);
    setOrders(filters.orders);
  }, [filters.q, filters.segment, filters.consent, filters.orders]);

  // Filters apply as they change (the search after a pause); the Apply button serves keyboards and no-JS.
  const apply = () => formRef.current && submit(formRef.current, { replace: true });
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(apply, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- apply reads the form itself
  }, [query]);
  const choose = (set: (value: string) => void) => (value: string) => {
    set(value);
    // The form reads the new value after React has rendered it.
    setTimeout(apply, 0);
  };

  const filtered = Boolean(filters.q || filters.segment || filters.consent || filters.orders);

  return (
    <Page title="Customers" subtitle="Everyone your stores told Nudgeflow about, one profile per email." secondaryActions={[{ content: "Segments", url: "/app/segments" }]}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get" ref={formRef} role="search" aria-label="Find customers">
              <BlockStack gap="300">
                <InlineGrid columns={{ xs: 1, md: "2fr 1fr 1fr 1fr" }} gap="300">
                  <TextField
                    label="Search"
                    name="q"
                    value={query}
                    onChange={(value) => {
                      typed.current = true;
                      setQuery(value);
                    }}
                    prefix={<Icon source={SearchIcon} tone="subdued" />}
                    placeholder="Email or name"
                    autoComplete="off"
                    clearButton
                    onClearButtonClick={() => {
                      typed.current = true;
                      setQuery("");
                    }}
                  />
                  <Select
                    label="Segment"
                    name="segment"
                    options={[{ label: "All customers", value: "" }, ...segments.map((s) => ({ label: s.name, value: s.id }))]}
                    value={segment}
                    onChange={choose(setSegment)}
                  />
                  <Select
                    label="Email consent"
                    name="consent"
                    options={[
                      { label: "Any", value: "" },
                      { label: "Subscribed", value: "yes" },
                      { label: "Not subscribed", value: "no" },
                    ]}
                    value={consent}
                    onChange={choose(setConsent)}
                  />
                  <Select
                    label="Orders"
                    name="orders"
                    options={[
                      { label: "Any", value: "" },
                      { label: "Has ordered", value: "yes" },
                      { label: "Never ordered", value: "no" },
                    ]}
                    value={orders}
                    onChange={choose(setOrders)}
                  />
                </InlineGrid>
                <Box>
                  <Button submit>Apply filters</Button>
                </Box>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          {loading ? (
            <Card>
              <SkeletonBodyText lines={8} />
            </Card>
          ) : customers.length === 0 ? (
            filtered ? (
              <EmptyCard icon={SearchIcon} heading="No customers match" action={{ content: "Clear filters", url: "/app/customers" }}>
                Try another part of the email or name, or fewer filters.
              </EmptyCard>
            ) : (
              <EmptyCard icon={PersonIcon} heading="No customers yet" action={{ content: "Connect a store", url: "/app/stores" }}>
                Customers appear here as your stores send orders, checkouts and sign-ups. Connect a store (or, in the
                demo, simulate a checkout on Home) to see the first one.
              </EmptyCard>
            )
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "customer", plural: "customers" }}
                itemCount={customers.length}
                selectable={false}
                headings={[
                  { title: "Customer" },
                  { title: "Email consent" },
                  { title: "Location" },
                  { title: "Orders", alignment: "end" },
                  { title: "Spent", alignment: "end" },
                  { title: "Last order" },
                ]}
              >
                {customers.map((customer, index) => (
                  <IndexTable.Row id={customer.id} key={customer.id} position={index}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <Link url={`/app/customers/${customer.id}`} monochrome removeUnderline dataPrimaryLink>
                          <Text as="span" fontWeight="semibold">
                            {customerName(customer)}
                          </Text>
                        </Link>
                        {customer.firstName || customer.lastName ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {customer.email ?? "No email yet"}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {customer.acceptsMarketing ? <Badge tone="success">Subscribed</Badge> : <Badge>Not subscribed</Badge>}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone="subdued">
                        {[customer.city, customer.region, customer.country].filter(Boolean).join(", ") || "—"}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatCount(customer.ordersCount)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatAmount(customer.totalSpent, customer.currency)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{formatDay(customer.lastOrderAt, timeZone)}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
              <CursorPagination trail={trail} nextCursor={nextCursor} noun="customers" />
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
