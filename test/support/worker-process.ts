// Runs `nudgeflow worker` as a child process (`node --import tsx/esm bin/nudgeflow.ts worker`, as `npm run worker`
// does) with the settings given, and hands it back once it says it is running: for the scale-out tests, which
// start several, kill them with SIGKILL and start new ones.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const READY_LINE = "Nudgeflow worker running";
const START_TIMEOUT_MS = 60_000;
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "npm_config_nodedir"];

export interface WorkerProcess {
  pid: number;
  output(): string;
  /** SIGKILL: no shutdown, jobs in flight are cut wherever they are. */
  kill9(): Promise<void>;
  /** SIGTERM and wait: the graceful shutdown. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function startWorkerProcess(settings: Record<string, string>): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production", CHECKPOINT_DISABLE: "1" };
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, settings);
  // The test has migrated the database: several workers migrating one SQLite file at once would collide.
  const child = spawn(process.execPath, ["--import", "tsx/esm", "bin/nudgeflow.ts", "worker", "--no-migrate"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (output.includes(READY_LINE)) resolve();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    void exited.then(({ code, signal }) => reject(new Error(`the worker exited (${signal ?? `code ${code}`}) before running:\n${output}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const result = await exited;
      clearTimeout(killer);
      return result;
    },
  };
}
