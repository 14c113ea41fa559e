import { createHash } from "node:crypto";
import { sha256Hex } from "./hash";

describe("sha256Hex", () => {
  it("agrees with node:crypto on short, multi-block and non-ASCII input", () => {
    for (const input of ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "x".repeat(1000), "cus_1\u0000flow_1\u0000ab — ünïcode 🎉"]) {
      expect(sha256Hex(input)).toBe(createHash("sha256").update(input, "utf8").digest("hex"));
    }
  });
});
