// Secrets at rest (store API credentials, webhook secrets): AES-256-GCM with a key the caller supplies from
// outside the database. Sealed values are `v1.<iv>.<tag>.<ciphertext>` in base64url, so the scheme can evolve.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export class SecretBoxError extends Error {}

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** A 32-byte key from base64, base64url or hex text; throws a clear error for anything else. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64url");
  if (key.length !== 32) throw new SecretBoxError("the encryption key must be 32 bytes, as 64 hex characters or 43-44 base64 characters");
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError("the encryption key must be 32 bytes");
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new SecretBoxError("not a sealed value");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("the sealed value cannot be opened with this key (wrong key, or it was altered)");
      }
    },
  };
}
