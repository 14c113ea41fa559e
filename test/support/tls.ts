// A self-signed certificate for a test's local https server, made with the openssl command line (node:crypto
// makes keys but not X.509 certificates). The certificate is its own CA: tests hand it to the code under test
// as a trusted CA, never by turning verification off.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificate {
  key: string;
  cert: string;
}

/** A key and certificate valid for the given DNS names and IP addresses (subjectAltName), for one day. */
export async function makeTestCertificate(names: string[]): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "nudgeflow-tls-"));
  try {
    const san = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    await run("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyFile, "-out", certFile, "-days", "1",
      "-subj", `/CN=${names[0]}`,
      "-addext", `subjectAltName=${san}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
    ]);
    return { key: await readFile(keyFile, "utf8"), cert: await readFile(certFile, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
