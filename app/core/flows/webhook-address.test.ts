import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { makeTestCertificate } from "../../../test/support/tls";
import { checkWebhookHost, ipv6Bytes, refusedAddress } from "./webhook-address.server";
import { deliverWebhook } from "./webhook.server";

describe("webhook address checks", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["10.1.2.3", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["169.254.169.254", /link-local/],
    ["100.64.0.1", /shared/],
    ["0.0.0.0", /this network/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["fc00::1", /unique local/],
    ["fd12:3456::1", /unique local/],
    ["fe80::1%eth0", /link-local/],
    ["ff02::1", /multicast/],
    ["::ffff:127.0.0.1", /maps to 127\.0\.0\.1 is loopback/],
    ["::ffff:7f00:1", /maps to 127\.0\.0\.1 is loopback/],
    ["::ffff:10.0.0.1", /private/],
    ["::ffff:169.254.169.254", /link-local/],
    ["64:ff9b::a00:1", /translates to 10\.0\.0\.1 is private/],
    ["::10.0.0.1", /IPv4-compatible/],
    ["2002:7f00:1::", /6to4/],
    ["2001:db8::1", /documentation/],
  ])("refuses %s", (address, reason) => {
    expect(refusedAddress(address)).toMatch(reason);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])("lets public %s through", (address) => {
    expect(refusedAddress(address)).toBeNull();
  });

  it("expands IPv6 text to bytes", () => {
    expect(ipv6Bytes("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(ipv6Bytes("fe80::1")).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("refuses a host when any of its addresses is refused, and says which", async () => {
    const resolve = async () => [
      { address: "93.184.216.34", family: 4 as const },
      { address: "10.0.0.7", family: 4 as const },
    ];
    expect(await checkWebhookHost("mixed.example", { resolve })).toEqual({ ok: false, error: "refused: mixed.example resolves to 10.0.0.7 is private" });
    expect(await checkWebhookHost("[::1]")).toEqual({ ok: false, error: "refused: ::1 resolves to ::1 is loopback" });
    expect(await checkWebhookHost("public.example", { resolve: async () => [{ address: "8.8.8.8", family: 4 }] })).toEqual({ ok: true, address: { address: "8.8.8.8", family: 4 } });
  });

  it("refuses http and connects to the address it checked, not to a second DNS answer (no rebinding)", async () => {
    const cert = await makeTestCertificate(["rebind.example.test"]);
    let requests = 0;
    const server = createServer({ key: cert.key, cert: cert.cert }, (_request, response) => {
      requests += 1;
      response.writeHead(200).end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const input = { body: "{}", secret: "s", deliveryId: "whd_1", now: new Date() };
      expect(await deliverWebhook({ ...input, url: `http://rebind.example.test:${port}/` })).toMatchObject({ ok: false, retryable: false, error: "refused: webhooks go over https only" });

      // A resolver that answers the allowed test address first and a private one on any later lookup.
      let lookups = 0;
      const resolve = async () => {
        lookups += 1;
        return [{ address: lookups === 1 ? "127.0.0.1" : "10.0.0.1", family: 4 as const }];
      };
      const outcome = await deliverWebhook({ ...input, url: `https://rebind.example.test:${port}/` }, { resolve, ca: cert.cert, allowAddresses: ["127.0.0.1"] });
      expect(outcome).toMatchObject({ ok: true, status: 200 });
      expect(lookups).toBe(1);
      expect(requests).toBe(1);

      // Without the test's CA the certificate does not verify: a TLS failure, not retried.
      const untrusted = await deliverWebhook({ ...input, url: `https://rebind.example.test:${port}/` }, { resolve: async () => [{ address: "127.0.0.1", family: 4 }], allowAddresses: ["127.0.0.1"] });
      expect(untrusted).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^TLS error/) });
    } finally {
      server.close();
    }
  });
});
