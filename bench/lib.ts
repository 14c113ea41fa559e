// Helpers shared by the benchmarks: medians, 3-significant-digit figures, the one result line, options.

/** What a benchmark module exports by default (bench/run.ts registers it by name). */
export interface Benchmark {
  /** Runs the benchmark; prints its summary and, last, the one result line. Options are what follows NAME. */
  run(args: string[]): Promise<void>;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** 3 significant digits, never in exponent form: 421.88 → "422", 1.5 → "1.50", 0.012345 → "0.0123", 12345 → "12300". */
export function sig3(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = value.toPrecision(3);
  if (!text.includes("e")) return text;
  const plain = Number(text);
  return Math.abs(plain) >= 1 ? plain.toFixed(0) : plain.toFixed(20).replace(/0+$/, "");
}

/** The line every benchmark ends with; the ratio is ours ÷ floor (higher is better, 1.0 = as fast as the floor). */
export function resultLine(name: string, unit: string, ours: number, floor: number): string {
  return `${name}: value=${sig3(ours)} ${unit} floor=${sig3(floor)} ratio=${sig3(ours / floor)}`;
}

/**
 * The result line for a benchmark measured in time (lower is better): value and floor in seconds, and the ratio
 * floor ÷ ours, so that here too higher is better and 1.0 = as fast as the floor.
 */
export function timeResultLine(name: string, oursMs: number, floorMs: number): string {
  return `${name}: value=${sig3(oursMs / 1000)} s floor=${sig3(floorMs / 1000)} s ratio=${sig3(floorMs / oursMs)}`;
}

/** A wrong command line: the runner prints the message alone and exits with status 2. */
export class UsageError extends Error {}

/** `--name=value` or `--name value` options with positive integer values; anything else is an error. */
export function intOptions<K extends string>(args: string[], defaults: Record<K, number>): Record<K, number> {
  const result = { ...defaults };
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    const key = match?.[1];
    if (!match || !key || !Object.hasOwn(defaults, key)) {
      throw new UsageError(`Unknown option "${args[i]}". Options: ${Object.keys(defaults).map((k) => `--${k}=N`).join(" ")}`);
    }
    const raw = match[2] ?? args[++i];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${key} must be a positive integer, got ${JSON.stringify(raw)}`);
    result[key as K] = value;
  }
  return result;
}

export function seconds(ms: number): string {
  return `${sig3(ms / 1000)} s`;
}
