import { randomBytes } from "node:crypto";
import { createSecretBox, parseKey, SecretBoxError } from "./crypto.server";

describe("createSecretBox", () => {
  const key = randomBytes(32);

  it("opens what it sealed, and seals the same text differently each time", () => {
    const box = createSecretBox(key);
    const first = box.seal("ck_live_123:cs_live_456");
    expect(first).toMatch(/^v1\./);
    expect(first).not.toContain("ck_live");
    expect(box.seal("ck_live_123:cs_live_456")).not.toBe(first);
    expect(box.open(first)).toBe("ck_live_123:cs_live_456");
  });

  it("refuses a value sealed with another key or altered", () => {
    const sealed = createSecretBox(key).seal("secret");
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(SecretBoxError);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => createSecretBox(key).open(parts.join("."))).toThrow(/cannot be opened/);
    expect(() => createSecretBox(key).open("plain text")).toThrow(/not a sealed value/);
  });

  it("reads keys as hex or base64, and says what is wrong with a bad one", () => {
    expect(parseKey(key.toString("hex"))).toEqual(key);
    expect(parseKey(key.toString("base64"))).toEqual(key);
    expect(() => parseKey("short")).toThrow(/32 bytes/);
  });
});
