// The admin layout. Embedded in the Shopify admin: App Bridge draws the navigation and the chrome.
// Standalone (no Shopify, or the demo): a Polaris frame with our own navigation and user menu.
import { json, type HeadersFunction, type LoaderFunctionArgs } from "@remix-run/node";
import {
  Link,
  Outlet,
  isRouteErrorResponse,
  useLoaderData,
  useLocation,
  useRouteError,
  useRouteLoaderData,
  useSubmit,
} from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider as PolarisAppProvider, Badge, Frame, Navigation, TopBar } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { AlertTriangleIcon, DisabledIcon, EmailIcon, ExitIcon, HomeIcon, AutomationIcon, LockIcon, PaintBrushFlatIcon, PersonIcon, PersonSegmentIcon, SendIcon, StoreIcon, TargetIcon } from "@shopify/polaris-icons";
import { AppProvider as ShopifyAppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useCallback, useState, type ReactNode } from "react";
import { requireAdmin } from "~/auth.server";
import { PolarisLink } from "~/components/polaris-link";
import { RouteErrorPage } from "~/components/route-error";
import { ShellFeedbackProvider } from "~/components/shell-feedback";
import { getWorkspace } from "~/core/workspaces/workspaces.server";
import { getDb } from "~/db.server";
import { shopifyCredentials } from "~/env.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const workspace = await getWorkspace(getDb(), { workspaceId: admin.workspaceId });
  // A signed-in user or an installed shop always has its workspace (cascading deletes): this is a bug, not a 404.
  if (!workspace) throw new Error(`workspace ${admin.workspaceId} of the signed-in admin does not exist`);
  return json({
    mode: admin.mode,
    apiKey: admin.mode === "embedded" ? (shopifyCredentials()?.apiKey ?? "") : "",
    workspace: { name: workspace.name, isDemo: workspace.isDemo },
    /** Dates in the admin are shown in the store's time zone. */
    timeZone: workspace.stores[0]?.timezone || "UTC",
    user: admin.user ? { email: admin.user.email, name: admin.user.name } : null,
  });
}

const NAV_ITEMS = [
  { url: "/app", label: "Home", icon: HomeIcon },
  { url: "/app/flows", label: "Flows", icon: AutomationIcon },
  { url: "/app/segments", label: "Segments", icon: PersonSegmentIcon },
  { url: "/app/customers", label: "Customers", icon: PersonIcon },
  { url: "/app/outbox", label: "Outbox", icon: EmailIcon },
  { url: "/app/suppressions", label: "Suppression list", icon: DisabledIcon },
  { url: "/app/events", label: "Failed events", icon: AlertTriangleIcon },
  { url: "/app/stores", label: "Stores", icon: StoreIcon },
  { url: "/app/settings/branding", label: "Email branding", icon: PaintBrushFlatIcon },
  { url: "/app/settings/email", label: "Email delivery", icon: SendIcon },
  { url: "/app/settings/attribution", label: "Attribution", icon: TargetIcon },
  { url: "/app/privacy", label: "Privacy", icon: LockIcon },
];

export default function AdminLayout() {
  const data = useLoaderData<typeof loader>();
  if (data.mode === "embedded") {
    return (
      <ShopifyAppProvider isEmbeddedApp apiKey={data.apiKey}>
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
          {NAV_ITEMS.slice(1).map((item) => (
            <Link key={item.url} to={item.url}>
              {item.label}
            </Link>
          ))}
        </NavMenu>
        <ShellFeedbackProvider embedded>
          <Outlet />
        </ShellFeedbackProvider>
      </ShopifyAppProvider>
    );
  }
  return (
    <StandaloneFrame workspace={data.workspace} user={data.user}>
      <Outlet />
    </StandaloneFrame>
  );
}

const LOGO = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="28" viewBox="0 0 132 28">` +
    `<rect width="28" height="28" rx="8" fill="#4ade80"/>` +
    `<path d="M8.5 19.5v-11l11 11v-11" fill="none" stroke="#052e16" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>` +
    `<text x="37" y="19.5" fill="#ffffff" font-family="Inter,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif" font-size="16" font-weight="600">Nudgeflow</text>` +
    `</svg>`,
)}`;

function StandaloneFrame(props: {
  workspace: { name: string; isDemo: boolean };
  user: { email: string; name: string | null } | null;
  children: ReactNode;
}) {
  const { pathname } = useLocation();
  const submit = useSubmit();
  const [userMenuOpen, setUserMenuOpen] = useState(false);
  const [mobileNavOpen, setMobileNavOpen] = useState(false);
  const toggleUserMenu = useCallback(() => setUserMenuOpen((open) => !open), []);
  const toggleMobileNav = useCallback(() => setMobileNavOpen((open) => !open), []);

  const displayName = props.user?.name || props.user?.email || "Signed in";
  const initials = displayName
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase())
    .join("");

  const topBar = (
    <TopBar
      showNavigationToggle
      onNavigationToggle={toggleMobileNav}
      logoSuffix={props.workspace.isDemo ? <Badge tone="info">Demo</Badge> : undefined}
      userMenu={
        <TopBar.UserMenu
          name={displayName}
          detail={props.workspace.name}
          initials={initials}
          open={userMenuOpen}
          onToggle={toggleUserMenu}
          actions={[
            {
              items: [
                {
                  content: "Sign out",
                  icon: ExitIcon,
                  onAction: () => submit(null, { method: "post", action: "/logout" }),
                },
              ],
            },
          ]}
        />
      }
    />
  );

  const navigation = (
    <Navigation location={pathname}>
      <Navigation.Section
        items={NAV_ITEMS.map((item) => ({
          ...item,
          selected: item.url === "/app" ? pathname === "/app" || pathname === "/app/" : pathname.startsWith(item.url),
          onClick: () => setMobileNavOpen(false),
        }))}
      />
    </Navigation>
  );

  return (
    <PolarisAppProvider i18n={en} linkComponent={PolarisLink}>
      <Frame
        logo={{ topBarSource: LOGO, width: 132, url: "/app", accessibilityLabel: "Nudgeflow" }}
        topBar={topBar}
        navigation={navigation}
        showMobileNavigation={mobileNavOpen}
        onNavigationDismiss={toggleMobileNav}
      >
        <ShellFeedbackProvider embedded={false}>{props.children}</ShellFeedbackProvider>
      </Frame>
    </PolarisAppProvider>
  );
}

/**
 * Embedded: Shopify's responses thrown by authenticate.admin (the session-token bounce page, 410 for bots, 401
 * retries) must reach the browser as they are; that is what `boundary.error` does. Other errors, and every error
 * when standalone, get a readable Polaris page instead of an empty frame.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("routes/app");
  if (isRouteErrorResponse(error) && data?.mode !== "standalone") return <ShopifyResponse data={error.data} />;
  return (
    <PolarisAppProvider i18n={en} linkComponent={PolarisLink}>
      <RouteErrorPage error={error} backUrl="/app" />
    </PolarisAppProvider>
  );
}

/**
 * The markup of `boundary.error(error)`, without its check: the library recognizes Remix's error response by
 * `error.constructor.name`, which the minified browser bundle renames, so in the browser it rethrows and
 * hydration fails (React #418/#423, seen with the 410 answer to a bot). The body is the library's own HTML.
 */
function ShopifyResponse({ data }: { data: unknown }) {
  const html = typeof data === "string" && data ? data : "Handling response";
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
