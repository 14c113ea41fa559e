// What the command-line modules share: a usage mistake (bad or missing options) exits 2 with the usage text.

export class UsageError extends Error {}

/** Our own usage errors and node:util parseArgs' (unknown option, missing value: ERR_PARSE_ARGS_*). */
export function isUsageError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  );
}
