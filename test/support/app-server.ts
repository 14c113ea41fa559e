// Runs the real app server as a child process on a free local port, the way `npm run serve` does
// (`node --import tsx/esm bin/nudgeflow.ts serve`: the tsx CLI's CommonJS hook breaks express's dependencies),
// and hands back its URL once it says it is listening.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const READY_LINE = "Nudgeflow listening on";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

// Only what a Node process needs from the test's environment: the app's settings come from `env` alone, so a
// developer's own SHOPIFY_* or DATABASE_URL cannot leak into a test.
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "SystemRoot", "npm_config_nodedir"];

export interface AppServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

// A last resort when the test process exits normally. Vitest ends its workers with SIGTERM, which skips exit
// hooks: call stop() in afterAll.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function startAppServer(options: { env: Record<string, string | undefined> }): Promise<AppServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production", CHECKPOINT_DISABLE: "1" };
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, { HOST: "127.0.0.1", PORT: String(port), NODE_ENV: "production" });

  const child = spawn(process.execPath, ["--import", "tsx/esm", "bin/nudgeflow.ts", "serve"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));

  let output = "";
  let stdoutLine = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      stdoutLine += chunk;
      if (stdoutLine.includes(READY_LINE)) resolve();
      stdoutLine = stdoutLine.slice(stdoutLine.lastIndexOf("\n") + 1); // keep only the unfinished line
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", (error) => reject(new Error(`could not start the app server: ${error.message}\n${output}`)));
    child.once("exit", (code, signal) => {
      reject(new Error(`the app server exited (${signal ?? `code ${code}`}) before listening:\n${output}`));
    });
  });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the app server did not print "${READY_LINE}" within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
      START_TIMEOUT_MS,
    );
  });

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
  }

  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
}

/** A port nobody listens on right now (the OS picks it; the server binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("expected a TCP address");
  return address.port;
}
