// What every /api/v1 route shares: JSON in the `{ error: { code, message } }` shape for every failure, the API
// key check (401 without a live key, 403 without the scope), a per-key rate limit (429 + Retry-After), and
// query-string or JSON-body parsing with zod (400 naming each bad parameter). The routes stay thin: they declare
// a scope and a schema, call one core function, and return its result. docs/decisions/0018-api-keys-and-http-api.md
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateApiKey, type ApiScope } from "~/core/api-keys/api-keys.server";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "~/core/customers/customers.server";
import { systemClock } from "~/core/clock";
import { createRateLimiter, type RateLimitPolicy } from "~/core/rate-limit";
import { getDb, type Db } from "~/db.server";
import { readBoundedText } from "~/http.server";

/** Per key: a burst of 60 requests, then one a second (per web process). */
export const API_RATE_LIMIT: RateLimitPolicy = { capacity: 60, refillPerSecond: 1 };
const limiter = createRateLimiter({ clock: systemClock, policy: API_RATE_LIMIT, maxKeys: 10_000 });

export type ApiErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "invalid_request"
  | "invalid_definition"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "method_not_allowed";

/** A request body larger than this is refused (413) before it is parsed: a flow definition is a few KB. */
export const MAX_BODY_BYTES = 1_000_000;

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

/** Dates become ISO strings (JSON.stringify calls toJSON). */
export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers: { ...JSON_HEADERS, ...init.headers } });
}

export function apiError(
  status: number,
  code: ApiErrorCode,
  message: string,
  extra: { headers?: Record<string, string>; details?: { parameter: string; message: string }[]; problems?: { path: string; message: string }[] } = {},
): Response {
  return apiJson(
    { error: { code, message, ...(extra.details ? { details: extra.details } : {}), ...(extra.problems ? { problems: extra.problems } : {}) } },
    { status, headers: extra.headers },
  );
}

export const notFound = (message: string) => apiError(404, "not_found", message);

export interface ApiContext<Q> {
  db: Db;
  workspaceId: string;
  query: Q;
  params: LoaderFunctionArgs["params"];
  now: Date;
}

/**
 * A GET endpoint: authenticates the key for `scope`, takes a token from its bucket, parses the query string
 * with `query` (unknown parameters are refused), then runs `handle`, whose Response is sent as is.
 */
export function apiLoader<S extends z.ZodType>(options: { scope: ApiScope; query: S }, handle: (context: ApiContext<z.infer<S>>) => Promise<Response>) {
  return async ({ request, params }: LoaderFunctionArgs): Promise<Response> => {
    const db = getDb();
    const authorized = await authorize(db, request, options.scope);
    if (authorized instanceof Response) return authorized;
    const url = new URL(request.url);
    const parsed = options.query.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) return invalidRequest(parsed.error, "(query)");
    return handle({ db, workspaceId: authorized.workspaceId, query: parsed.data, params, now: systemClock.now() });
  };
}

export interface ApiActionContext<B> {
  db: Db;
  workspaceId: string;
  body: B;
  params: ActionFunctionArgs["params"];
  now: Date;
}

/**
 * A POST endpoint: authenticates the key for `scope`, takes a token from its bucket, reads the JSON body (an
 * empty body is `{}`; at most MAX_BODY_BYTES) and parses it with `body`, then runs `handle`. Other methods get
 * 405 naming `allow` (the methods the path answers).
 */
export function apiAction<S extends z.ZodType>(
  options: { scope: ApiScope; body: S; allow?: string },
  handle: (context: ApiActionContext<z.infer<S>>) => Promise<Response>,
) {
  return async ({ request, params }: ActionFunctionArgs): Promise<Response> => {
    if (request.method !== "POST") return methodNotAllowed(options.allow ?? "POST");
    const db = getDb();
    const authorized = await authorize(db, request, options.scope);
    if (authorized instanceof Response) return authorized;
    const text = await readBoundedText(request, MAX_BODY_BYTES);
    if (text === null) return apiError(413, "payload_too_large", `The request body is over ${MAX_BODY_BYTES} bytes.`);
    let json: unknown = {};
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch (error) {
        const message = `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
        return apiError(400, "invalid_request", `(body): ${message}`, { details: [{ parameter: "(body)", message }] });
      }
    }
    const parsed = options.body.safeParse(json);
    if (!parsed.success) return invalidRequest(parsed.error, "(body)");
    return handle({ db, workspaceId: authorized.workspaceId, body: parsed.data, params, now: systemClock.now() });
  };
}

/** The key's workspace, or the 401/403/429 to send. */
async function authorize(db: Db, request: Request, scope: ApiScope): Promise<{ workspaceId: string } | Response> {
  const auth = await authenticateApiKey(db, { authorization: request.headers.get("Authorization"), scope, now: systemClock.now() });
  if (!auth.ok) {
    return apiError(auth.status, auth.code, auth.message, auth.status === 401 ? { headers: { "WWW-Authenticate": 'Bearer realm="nudgeflow"' } } : {});
  }
  const decision = limiter.take(auth.apiKeyId);
  if (!decision.allowed) {
    return apiError(429, "rate_limited", `Too many requests for this API key; retry in ${decision.retryAfterSeconds} s.`, {
      headers: { "Retry-After": String(decision.retryAfterSeconds) },
    });
  }
  return { workspaceId: auth.workspaceId };
}

function invalidRequest(error: z.ZodError, whole: string): Response {
  const details = error.issues.map((issue) => ({
    parameter: issue.path.length ? issue.path.join(".") : issueKeys(issue) || whole,
    message: issue.message,
  }));
  return apiError(400, "invalid_request", details.map((detail) => `${detail.parameter}: ${detail.message}`).join("; "), { details });
}


/** zod names unknown keys in the issue, not in its path. */
function issueKeys(issue: z.core.$ZodIssue): string {
  return issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "";
}

/** The action of a GET-only path (routes export it as is: `export const action = apiMethodNotAllowed`). */
export function apiMethodNotAllowed(): Response {
  return methodNotAllowed("GET");
}

/** A loader or action answering 405 for a path that only takes `allow` ("POST"). */
export const apiOnly = (allow: string) => (): Response => methodNotAllowed(allow);

/** 405 naming the methods the path does answer ("GET", "POST", "GET, POST"). */
function methodNotAllowed(allow: string): Response {
  return apiError(405, "method_not_allowed", `Only ${allow.split(", ").join(" and ")} ${allow.includes(",") ? "are" : "is"} supported here.`, { headers: { Allow: allow } });
}

/** Query-string pieces the endpoints share. */
export const QueryParams = {
  limit: z.coerce.number().int("a whole number").min(1, "at least 1").max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1, "the nextCursor of the previous page").optional(),
  boolean: z.enum(["true", "false"], "true or false").transform((value) => value === "true").optional(),
};
