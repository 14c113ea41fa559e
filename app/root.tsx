// The document. Polaris styles load here once for every page; routes decide which provider (embedded App Bridge
// or standalone Polaris frame) wraps them.
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
// Classic compiler: importing a CSS file yields its URL in the build (no `?url`, which crashes at run time).
import polarisStyles from "@shopify/polaris/build/esm/styles.css";

// No web font from a CDN: the admin must work offline (demo, tests); Polaris falls back to the system font stack.
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", type: "image/svg+xml", href: FAVICON },
];

const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" rx="8" fill="#4ade80"/>` +
    `<path d="M8.5 19.5v-11l11 11v-11" fill="none" stroke="#052e16" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
)}`;

export const meta: MetaFunction = () => [{ title: "Nudgeflow" }];

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** Last resort for errors outside the admin layout (which has its own boundary): plain, readable, no providers. */
export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}`.trim() : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? typeof error.data === "string" ? error.data : null
    : error instanceof Error ? error.message : null;
  return (
    <main style={{ fontFamily: "Inter, -apple-system, 'Segoe UI', Roboto, sans-serif", maxWidth: 560, margin: "15vh auto", padding: 24 }}>
      <h1 style={{ fontSize: 20, margin: "0 0 8px" }}>{title}</h1>
      {detail ? <p style={{ color: "#616161", margin: "0 0 16px" }}>{detail}</p> : null}
      <a href="/app">Back to Nudgeflow</a>
    </main>
  );
}
