// Dates shown in the admin, in the store's time zone. Assembled from parts so the server and the browser
// produce the same text whatever their ICU versions (their separators differ), and hydration matches.
export function formatDateTime(iso: string, timeZone = "UTC"): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = dateTimeFormat(timeZone).formatToParts(date);
  } catch {
    parts = dateTimeFormat("UTC").formatToParts(date);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("month")} ${part("day")}, ${part("year")}, ${part("hour")}:${part("minute")} ${part("dayPeriod")}`;
}

function dateTimeFormat(timeZone: string) {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    hour12: true,
  });
}

/** Field errors of a rejected form or intent (conform's `submission.error`), as sentences for a banner. */
export function errorMessages(errors: Record<string, string[] | null | undefined> | undefined): string[] {
  return Object.entries(errors ?? {}).flatMap(([field, messages]) =>
    (messages ?? []).map((message) => (field ? `${field}: ${message}` : message)),
  );
}
