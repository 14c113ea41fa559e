// SendGrid's signed Event Webhook: an ECDSA (P-256, SHA-256) signature over `timestamp + raw body`, sent base64
// (DER) in X-Twilio-Email-Event-Webhook-Signature, checked against the public key SendGrid shows under
// Mail Settings → Event Webhook (base64 DER, SubjectPublicKeyInfo).
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";

export const SENDGRID_SOURCE = "sendgrid";
export const SENDGRID_EVENTS_TOPIC = "events";
export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

/** The verification key from its base64 DER form; null when it is not an EC P-256 public key. */
export function parseSendGridPublicKey(base64Der: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(base64Der.trim(), "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? key : null;
  } catch {
    return null;
  }
}

/** True when `signature` is SendGrid's signature of `timestamp + rawBody`. Never throws. */
export function verifySendGridSignature(input: {
  publicKey: KeyObject;
  signature: string | null;
  timestamp: string | null;
  rawBody: string;
}): boolean {
  if (!input.signature || !input.timestamp) return false;
  try {
    return verify("sha256", Buffer.from(input.timestamp + input.rawBody, "utf8"), input.publicKey, Buffer.from(input.signature, "base64"));
  } catch {
    return false;
  }
}

/** The inbox dedupe key of a delivery: SendGrid retries a batch with the same body, so the body's hash. */
export function sendGridDeliveryKey(rawBody: string): string {
  return createHash("sha256").update(rawBody, "utf8").digest("hex");
}
