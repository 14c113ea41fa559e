// The click redirect behind every link of an email's HTML (messaging/links.server.ts): a signed token names the
// message, the link's place in it and the URL the template had there. A valid token records a click event and
// redirects there; anything else is 404, so this is never an open redirect. Public, rate-limited per address
// (core/ops/public-rate-limits.ts).
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { recordClick } from "~/core/messaging/links.server";
import { getDb } from "~/db.server";
import { clickLinks, jobScheduler } from "~/services.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const target = token.length <= 8000 ? await clickLinks().verify(token) : null;
  if (!target) throw new Response("This link is not valid.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  await recordClick({ db: getDb(), clock: systemClock, scheduler: jobScheduler() }, target);
  return redirect(target.url, { status: 302, headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}
