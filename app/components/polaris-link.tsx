// Polaris renders its links (Navigation items, Link, Button url) through this: Remix client-side navigation for
// local paths, a plain anchor opening a new tab for external ones.
import { Link } from "@remix-run/react";
import type { AppProviderProps } from "@shopify/polaris";
import { forwardRef, type ComponentProps } from "react";

type LinkLikeComponentProps = ComponentProps<NonNullable<AppProviderProps["linkComponent"]>>;

export const PolarisLink = forwardRef<HTMLAnchorElement, LinkLikeComponentProps>(function PolarisLink(
  { url, external, children, ...rest },
  ref,
) {
  // A download (a CSV export) is a document request the browser saves, not a client-side navigation.
  if ("download" in rest && rest.download) {
    return (
      <a href={url} ref={ref} {...rest}>
        {children}
      </a>
    );
  }
  if (external || /^[a-z][a-z0-9+.-]*:/i.test(url)) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" ref={ref} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <Link to={url} ref={ref} {...rest}>
      {children}
    </Link>
  );
});
