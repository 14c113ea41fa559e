// Who is using the admin, and for which workspace. Two ways in:
// - embedded: inside the Shopify admin, authenticated by shopify-app-remix (session tokens, token exchange);
// - standalone: our own sign-in for merchants without Shopify (and the demo), a signed cookie holding the user id.
import { randomBytes } from "node:crypto";
import { createCookieSessionStorage, redirect, type SessionStorage } from "@remix-run/node";
import { systemClock } from "~/core/clock";
import { ensureShopifyStore, findWorkspaceIdForShop, getUser } from "~/core/workspaces/workspaces.server";
import { getDb } from "~/db.server";
import { env } from "~/env.server";
import { getShopify } from "~/shopify.server";

export interface AdminUser {
  id: string;
  email: string;
  name: string | null;
}

export type AdminContext =
  | { mode: "embedded"; workspaceId: string; shop: string; user?: undefined }
  | { mode: "standalone"; workspaceId: string; user: AdminUser; shop?: undefined };

/** Shopify opens the app with these parameters, and App Bridge adds a session token to every fetch. */
const EMBEDDED_PARAMS = ["shop", "embedded", "id_token", "host"];

function looksEmbedded(request: Request): boolean {
  const { searchParams } = new URL(request.url);
  if (EMBEDDED_PARAMS.some((param) => searchParams.has(param))) return true;
  return /^Bearer\s+\S/i.test(request.headers.get("Authorization") ?? "");
}

/**
 * The admin's context, or a thrown Response: Shopify's own (bounce page, 401 retry, redirect, 410 for bots —
 * never caught here, the `boundary` helpers in app.tsx render them) or a redirect to /login when standalone.
 */
export async function requireAdmin(request: Request): Promise<AdminContext> {
  const shopify = getShopify();
  if (shopify && looksEmbedded(request)) {
    const { session } = await shopify.authenticate.admin(request);
    const db = getDb();
    // afterAuth creates the workspace on install; this covers a session that predates it.
    const workspaceId =
      (await findWorkspaceIdForShop(db, session.shop)) ??
      (await ensureShopifyStore(db, { shop: session.shop, now: systemClock.now() })).workspaceId;
    return { mode: "embedded", workspaceId, shop: session.shop };
  }

  const user = await getSignedInUser(request);
  if (user) return { mode: "standalone", workspaceId: user.workspaceId, user: { id: user.id, email: user.email, name: user.name } };
  const url = new URL(request.url);
  const search = new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` });
  throw redirect(`/login?${search}`);
}

// --- standalone sessions ---------------------------------------------------------------------------------

declare global {
  var __nudgeflowSessionSecret: string | undefined;
}

function sessionSecret(): string {
  const configured = env().SESSION_SECRET;
  if (configured) return configured;
  // No SESSION_SECRET: a random secret for this process (kept across dev rebuilds). Sessions then end whenever
  // the server restarts, and do not carry across several server processes: set SESSION_SECRET in production.
  globalThis.__nudgeflowSessionSecret ??= randomBytes(32).toString("hex");
  return globalThis.__nudgeflowSessionSecret;
}

let storage: SessionStorage | undefined;

function sessionStorage(): SessionStorage {
  storage ??= createCookieSessionStorage({
    cookie: {
      name: "__nudgeflow",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      maxAge: 60 * 60 * 24 * 30,
      secrets: [sessionSecret()],
      secure: env().NODE_ENV === "production",
    },
  });
  return storage;
}

/**
 * Secure cookies in production, except on a loopback address: `npm start` serves http://localhost, where
 * nothing crosses a network and some browsers (Safari) would drop a Secure cookie, so sign-in would silently fail.
 */
function cookieOptions(request: Request) {
  const { hostname } = new URL(request.url);
  const loopback = hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
  return { secure: env().NODE_ENV === "production" && !loopback };
}

async function getSession(request: Request) {
  return sessionStorage().getSession(request.headers.get("Cookie"));
}

/** The signed-in standalone user, or null (no cookie, bad signature, or a user that no longer exists). */
export async function getSignedInUser(request: Request) {
  const userId = (await getSession(request)).get("userId");
  if (typeof userId !== "string") return null;
  return getUser(getDb(), { userId });
}

/** A local path to go to after sign-in; anything else (absolute or protocol-relative URLs) falls back to /app. */
export function safeRedirect(to: unknown, fallback = "/app"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}

/** Signs the user in and redirects to `redirectTo` when it is a local path, else to /app. */
export async function login(request: Request, user: { id: string }, redirectTo?: string | null) {
  const session = await getSession(request);
  session.set("userId", user.id);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await sessionStorage().commitSession(session, cookieOptions(request)) },
  });
}

/** Signs out and redirects to the sign-in page. */
export async function logout(request: Request) {
  const session = await getSession(request);
  return redirect("/login", {
    headers: { "Set-Cookie": await sessionStorage().destroySession(session, cookieOptions(request)) },
  });
}
