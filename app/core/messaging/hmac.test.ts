import { createHmac, randomBytes } from "node:crypto";
import { hmacSha256Base64url } from "./hmac";

describe("hmacSha256Base64url", () => {
  it("gives what createHmac gives, for short, block-sized and long keys and any message", () => {
    const keys = ["k", "bench-send-signing-key", randomBytes(32).toString("base64url"), "x".repeat(64), "y".repeat(65), "ключ-é-🔑".repeat(9)];
    const messages = ["", "unsubscribe:v1:msg_1", `click:v1:msg_2:3:https://shop.example/ü?a=1&b=${"z".repeat(5000)}`, "🔑".repeat(3000)];
    for (const key of keys) {
      for (const message of messages) {
        expect(hmacSha256Base64url(key, message), `${key.length}/${message.length}`).toBe(createHmac("sha256", key).update(message).digest("base64url"));
      }
    }
  });
});
