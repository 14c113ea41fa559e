// The key that seals store credentials at rest. Production sets ENCRYPTION_KEY (32 bytes: 64 hex characters or
// base64). Without it, development and the demo use a key file under .data/ (gitignored), made on first use, so
// the key never sits in the database next to what it protects.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSecretBox, parseKey, type SecretBox } from "~/core/crypto.server";
import { env } from "~/env.server";

const DEV_KEY_FILE = path.join(".data", "encryption.key");

let box: SecretBox | undefined;

export function secretBox(): SecretBox {
  if (box) return box;
  const configured = env().ENCRYPTION_KEY;
  if (configured) return (box = createSecretBox(parseKey(configured)));
  if (env().NODE_ENV === "production" && !existsSync(DEV_KEY_FILE)) {
    throw new Error("ENCRYPTION_KEY is required in production to store store credentials (openssl rand -hex 32)");
  }
  if (!existsSync(DEV_KEY_FILE)) {
    mkdirSync(path.dirname(DEV_KEY_FILE), { recursive: true });
    writeFileSync(DEV_KEY_FILE, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return (box = createSecretBox(parseKey(readFileSync(DEV_KEY_FILE, "utf8"))));
}
