import { generateKeyPairSync, sign } from "node:crypto";
import { parseSendGridPublicKey, sendGridDeliveryKey, verifySendGridSignature } from "./sendgrid-webhook.server";

const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const publicKeyBase64 = keys.publicKey.export({ type: "spki", format: "der" }).toString("base64");
const body = JSON.stringify([{ email: "ann@example.com", event: "delivered", timestamp: 1767225600, sg_event_id: "ev-1" }]);
const timestamp = "1767225600";

function signed(payload: string, privateKey = keys.privateKey): string {
  return sign("sha256", Buffer.from(payload, "utf8"), privateKey).toString("base64");
}

describe("SendGrid event webhook signature", () => {
  const publicKey = parseSendGridPublicKey(publicKeyBase64);
  if (!publicKey) throw new Error("the test key did not parse");

  it("accepts SendGrid's signature of timestamp + body", () => {
    expect(verifySendGridSignature({ publicKey, signature: signed(timestamp + body), timestamp, rawBody: body })).toBe(true);
  });

  it("refuses a signature made with another key", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    expect(verifySendGridSignature({ publicKey, signature: signed(timestamp + body, other.privateKey), timestamp, rawBody: body })).toBe(false);
  });

  it("refuses a valid signature presented with another timestamp", () => {
    expect(verifySendGridSignature({ publicKey, signature: signed(timestamp + body), timestamp: "1767225601", rawBody: body })).toBe(false);
  });

  it("refuses a changed body, and missing or garbage headers, without throwing", () => {
    const signature = signed(timestamp + body);
    expect(verifySendGridSignature({ publicKey, signature, timestamp, rawBody: body.replace("delivered", "bounce") })).toBe(false);
    expect(verifySendGridSignature({ publicKey, signature: null, timestamp, rawBody: body })).toBe(false);
    expect(verifySendGridSignature({ publicKey, signature, timestamp: null, rawBody: body })).toBe(false);
    expect(verifySendGridSignature({ publicKey, signature: "not-base64-der!!", timestamp, rawBody: body })).toBe(false);
  });

  it("takes only an EC P-256 public key in base64 DER", () => {
    expect(parseSendGridPublicKey("nonsense")).toBeNull();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(parseSendGridPublicKey(rsa)).toBeNull();
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(parseSendGridPublicKey(p384)).toBeNull();
  });

  it("keys a delivery by its body", () => {
    expect(sendGridDeliveryKey(body)).toBe(sendGridDeliveryKey(body));
    expect(sendGridDeliveryKey(body)).not.toBe(sendGridDeliveryKey(`${body} `));
  });
});
