/** Ends exhaustive switches: adding a case without handling it is a type error. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
