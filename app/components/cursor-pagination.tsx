// Cursor pagination for lists that page by id: `?after=c1.c2` holds the cursors that led to the current page, so
// "Previous" can go back without offsets. The loader reads the trail with `readCursorTrail`; the page renders
// `CursorPagination` with the next cursor its query returned.
import { Pagination } from "@shopify/polaris";
import { useLocation } from "@remix-run/react";

/** Trails longer than this forget their oldest pages ("Previous" then stops there). */
const MAX_TRAIL = 50;

export function readCursorTrail(url: URL): string[] {
  return (url.searchParams.get("after") ?? "").split(".").filter(Boolean).slice(-MAX_TRAIL);
}

export function CursorPagination(props: {
  trail: string[];
  nextCursor: string | null;
  /** What is paged, for screen readers: "customers", "members". */
  noun: string;
  /** Query parameters that belong to one visit only (a flash such as `created`), dropped from page links. */
  dropParams?: string[];
}) {
  const location = useLocation();
  const { trail, nextCursor, noun } = props;
  if (trail.length === 0 && nextCursor === null) return null;
  const href = (cursors: string[]) => {
    const query = new URLSearchParams(location.search);
    for (const name of props.dropParams ?? []) query.delete(name);
    if (cursors.length) query.set("after", cursors.join("."));
    else query.delete("after");
    const text = query.toString();
    return `${location.pathname}${text ? `?${text}` : ""}`;
  };
  return (
    <div style={{ padding: "var(--p-space-300)", display: "flex", justifyContent: "center" }}>
      <Pagination
        hasPrevious={trail.length > 0}
        previousURL={trail.length ? href(trail.slice(0, -1)) : undefined}
        hasNext={nextCursor !== null}
        nextURL={nextCursor ? href([...trail, nextCursor]) : undefined}
        accessibilityLabels={{ previous: `Previous ${noun}`, next: `Next ${noun}` }}
      />
    </div>
  );
}
