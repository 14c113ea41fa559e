// Liveness: the process answers. No database call, so a slow database does not get the process restarted.
export function loader() {
  return new Response("ok\n", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}
