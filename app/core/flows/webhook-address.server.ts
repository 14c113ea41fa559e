// Which addresses an outbound webhook may connect to: public unicast only. Loopback, private, shared (CGNAT),
// link-local, multicast, documentation, benchmarking and reserved ranges are refused, for IPv4 and IPv6, and
// IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by that address.
// The delivery resolves the host once, checks every address, and connects to the checked one (see webhook.server.ts).
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";

/** [first address as a number, prefix length] for IPv4. */
const BLOCKED_V4: [string, number, string][] = [
  ["0.0.0.0", 8, "\"this network\""],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4ToNumber(address: string): number {
  return address.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
}

function v4FromBytes(bytes: number[]): string {
  return bytes.join(".");
}

/** Why an IPv4 address is refused, or null when it is public. */
function refuseV4(address: string): string | null {
  const value = v4ToNumber(address);
  for (const [base, prefix, label] of BLOCKED_V4) {
    const size = 2 ** (32 - prefix);
    const start = v4ToNumber(base);
    if (value >= start && value < start + size) return `${address} is ${label}`;
  }
  return null;
}

/** The 16 bytes of an IPv6 address (with an optional embedded dotted IPv4 tail and zone). */
export function ipv6Bytes(address: string): number[] {
  let text = address.split("%")[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const tail = dotted[1].split(".").map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((tail[0] << 8) | tail[1]).toString(16)}:${((tail[2] << 8) | tail[3]).toString(16)}`;
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, null];
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest ? rest.split(":") : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === null ? headGroups : [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...restGroups];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group || "0", 16);
    return [value >> 8, value & 0xff];
  });
}

function startsWith(bytes: number[], prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 1) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((bytes[byte] & mask) !== (prefix[byte] & mask)) return false;
  }
  return true;
}

/** Why an IPv6 address is refused, or null when it is public. */
function refuseV6(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const zero = (count: number) => bytes.slice(0, count).every((byte) => byte === 0);
  if (zero(16)) return `${address} is unspecified`;
  if (zero(15) && bytes[15] === 1) return `${address} is loopback`;
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible): the IPv4 address decides.
  if (zero(10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    const inner = v4FromBytes(bytes.slice(12));
    return refuseV4(inner) ? `${address} maps to ${refuseV4(inner)}` : null;
  }
  if (zero(12)) return `${address} is IPv4-compatible (deprecated)`;
  // NAT64 (64:ff9b::/96): judged by the IPv4 address it translates to.
  if (startsWith(bytes, ipv6Bytes("64:ff9b::"), 96)) {
    const inner = v4FromBytes(bytes.slice(12));
    return refuseV4(inner) ? `${address} translates to ${refuseV4(inner)}` : null;
  }
  const ranges: [string, number, string][] = [
    ["64:ff9b:1::", 48, "local-use NAT64"],
    ["100::", 64, "discard-only"],
    ["2001::", 32, "Teredo"],
    ["2001:db8::", 32, "documentation"],
    ["2001:10::", 28, "ORCHID"],
    ["2002::", 16, "6to4"],
    ["fc00::", 7, "unique local (private)"],
    ["fe80::", 10, "link-local"],
    ["fec0::", 10, "site-local"],
    ["ff00::", 8, "multicast"],
  ];
  for (const [base, bits, label] of ranges) if (startsWith(bytes, ipv6Bytes(base), bits)) return `${address} is ${label}`;
  return null;
}

/** Why an IP address may not receive a webhook (loopback, private, link-local, multicast, …), or null when it may. */
export function refusedAddress(address: string): string | null {
  const family = isIP(address.split("%")[0]);
  if (family === 4) return refuseV4(address);
  if (family === 6) return refuseV6(address);
  return `${address} is not an IP address`;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (the system resolver, as connections use). Replaceable in tests. */
export type Resolve = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = async (host) => {
  const results = await dnsLookup(host, { all: true, verbatim: true });
  return results.map((result) => ({ address: result.address, family: result.family === 6 ? 6 : 4 }));
};

export type AddressCheck = { ok: true; address: ResolvedAddress } | { ok: false; error: string };

/**
 * Resolves `host` and checks every address it has; one refused address refuses the host (a name that also
 * points inside would let a later lookup land there). Returns the address to connect to. `allow` lists exact
 * addresses that are let through anyway (a test's own loopback server; never from a flow definition).
 */
export async function checkWebhookHost(host: string, options: { resolve?: Resolve; allow?: readonly string[] } = {}): Promise<AddressCheck> {
  const bare = host.replace(/^\[|\]$/g, "");
  const allow = new Set(options.allow ?? []);
  let addresses: ResolvedAddress[];
  if (isIP(bare)) {
    addresses = [{ address: bare, family: isIP(bare) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolve)(bare);
    } catch (error) {
      return { ok: false, error: `could not resolve ${bare}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (addresses.length === 0) return { ok: false, error: `${bare} has no address` };
  for (const candidate of addresses) {
    const refused = allow.has(candidate.address) ? null : refusedAddress(candidate.address);
    if (refused) return { ok: false, error: `refused: ${bare} resolves to ${refused}` };
  }
  return { ok: true, address: addresses[0] };
}
