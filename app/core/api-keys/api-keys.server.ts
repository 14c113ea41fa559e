// Keys for the HTTP API: `nf_` + 32 random bytes (base64url). Only the key's SHA-256 is stored, with its first
// characters to tell keys apart and its scopes; the key itself is shown once, at creation. A request is
// authenticated by hashing the bearer token and looking the hash up: the comparison happens on a digest inside
// a unique index, so its timing says nothing about how much of a guessed key was right.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "~/db.server";

/**
 * What a key may do. Later issues add `events:write` (POST /api/v1/events) and more: add them here and to
 * docs/api/openapi.yaml.
 */
export const API_SCOPES = ["segments:read", "customers:read", "flows:read", "flows:write"] as const;
export const ApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScope>;
/** A key made without naming scopes may read everything; a key that changes things is asked for by name. */
export const DEFAULT_API_SCOPES: readonly ApiScope[] = API_SCOPES.filter((scope) => scope.endsWith(":read"));

export const KEY_PREFIX = "nf_";
/** `nf_` and the first 8 characters of the random part: enough to recognise a key in a list. */
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;
/** lastUsedAt is written at most this often per key, so a busy key does not write on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export class ApiKeyError extends Error {}

const hashKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

/** Space- or comma-separated scopes, each known; duplicates dropped, order kept. */
export function parseScopes(text: string): { ok: true; scopes: ApiScope[] } | { ok: false; error: string } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return { ok: false, error: `name at least one scope (${API_SCOPES.join(", ")})` };
  const unknown = words.filter((word) => !ApiScope.safeParse(word).success);
  if (unknown.length > 0) return { ok: false, error: `unknown scope ${unknown.map((word) => `"${word}"`).join(", ")}; known: ${API_SCOPES.join(", ")}` };
  return { ok: true, scopes: [...new Set(words.map((word) => ApiScope.parse(word)))] };
}

/** Scopes as stored: unknown words (say, from a newer version) are ignored rather than granted. */
function storedScopes(text: string): ApiScope[] {
  return text.split(/\s+/).flatMap((word) => {
    const scope = ApiScope.safeParse(word);
    return scope.success ? [scope.data] : [];
  });
}

function summary(row: { id: string; name: string; prefix: string; scopes: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): ApiKeySummary {
  return { ...row, scopes: storedScopes(row.scopes) };
}

/** Makes a key; `key` is returned here only and cannot be recovered later. */
export async function createApiKey(
  db: Db,
  input: { workspaceId: string; name: string; scopes?: readonly ApiScope[]; now: Date },
): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const name = input.name.trim();
  if (!name) throw new ApiKeyError("an API key needs a name");
  if (name.length > 100) throw new ApiKeyError("an API key's name is at most 100 characters");
  const scopes = [...new Set(input.scopes ?? DEFAULT_API_SCOPES)];
  if (scopes.length === 0) throw new ApiKeyError("an API key needs at least one scope");
  const workspace = await db.workspace.findUnique({ where: { id: input.workspaceId }, select: { id: true } });
  if (!workspace) throw new ApiKeyError(`there is no workspace ${input.workspaceId}`);

  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await db.apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name,
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      hash: hashKey(key),
      scopes: scopes.join(" "),
      createdAt: input.now,
    },
  });
  return { key, apiKey: summary(row) };
}

/** The workspace's keys, revoked ones included, newest first. */
export async function listApiKeys(db: Db, input: { workspaceId: string }): Promise<ApiKeySummary[]> {
  const rows = await db.apiKey.findMany({ where: { workspaceId: input.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(summary);
}

/** Revokes a key of the workspace at once; false when it has no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Db, input: { workspaceId: string; apiKeyId: string; now: Date }): Promise<boolean> {
  const key = await db.apiKey.findFirst({ where: { id: input.apiKeyId, workspaceId: input.workspaceId }, select: { id: true } });
  if (!key) return false;
  await db.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: input.now } });
  return true;
}

export type ApiAuthResult =
  | { ok: true; workspaceId: string; apiKeyId: string; scopes: ApiScope[] }
  | { ok: false; status: 401 | 403; code: "unauthorized" | "forbidden"; message: string };

/**
 * Checks an `Authorization` header for a key that is live and holds `scope`: 401 without a key, with an unknown
 * or revoked one; 403 when the key lacks the scope. Marks the key used (at most once a minute).
 */
export async function authenticateApiKey(db: Db, input: { authorization: string | null; scope: ApiScope; now: Date }): Promise<ApiAuthResult> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? "")?.[1];
  if (!token) return { ok: false, status: 401, code: "unauthorized", message: "Send an API key: Authorization: Bearer nf_…" };
  if (!token.startsWith(KEY_PREFIX)) return { ok: false, status: 401, code: "unauthorized", message: "This is not a Nudgeflow API key." };
  const key = await db.apiKey.findUnique({ where: { hash: hashKey(token) } });
  if (!key) return { ok: false, status: 401, code: "unauthorized", message: "Unknown API key." };
  if (key.revokedAt) return { ok: false, status: 401, code: "unauthorized", message: "This API key has been revoked." };
  const scopes = storedScopes(key.scopes);
  if (!scopes.includes(input.scope)) {
    return { ok: false, status: 403, code: "forbidden", message: `This API key lacks the "${input.scope}" scope.` };
  }
  if (!key.lastUsedAt || input.now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests of one key write once per minute between them.
    await db.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(input.now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: input.now },
    });
  }
  return { ok: true, workspaceId: key.workspaceId, apiKeyId: key.id, scopes };
}
