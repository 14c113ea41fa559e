import { createHash, randomBytes } from "node:crypto";

/** A random id with a readable prefix: `msg_3fk2…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/**
 * A deterministic id from its parts: the same step of the same enrollment always yields the same message id,
 * so a retry cannot create a second message and provider events map back without a lookup.
 */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22)}`;
}
