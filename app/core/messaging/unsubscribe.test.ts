import type { Db } from "~/db.server";
import { createUnsubscribeLinks } from "./unsubscribe.server";
import { listUnsubscribeHeaders } from "./sender";

// With a configured secret the links never touch the database.
const noDatabase = {} as Db;

describe("unsubscribe links", () => {
  const links = createUnsubscribeLinks({ db: noDatabase, appUrl: "https://app.example/", secret: "a-test-secret-of-16+chars" });

  it("signs a message id into a public URL and reads it back", async () => {
    const url = await links.urlFor("msg_abc-DEF_123");
    expect(url).toMatch(/^https:\/\/app\.example\/unsubscribe\/msg_abc-DEF_123\.[A-Za-z0-9_-]{43}$/);
    expect(await links.verify(url.split("/").pop() ?? "")).toBe("msg_abc-DEF_123");
  });

  it("refuses tokens that were changed or signed with another secret", async () => {
    const token = (await links.urlFor("msg_1")).split("/").pop() ?? "";
    expect(await links.verify(token.replace("msg_1", "msg_2"))).toBeNull();
    expect(await links.verify(`${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(await links.verify("msg_1")).toBeNull();
    const other = createUnsubscribeLinks({ db: noDatabase, appUrl: "https://app.example", secret: "another-secret-of-16+chars" });
    expect(await other.verify(token)).toBeNull();
  });

  it("makes the RFC 8058 headers", () => {
    expect(listUnsubscribeHeaders("https://app.example/unsubscribe/t")).toEqual({
      "List-Unsubscribe": "<https://app.example/unsubscribe/t>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(listUnsubscribeHeaders(null)).toEqual({});
  });
});
