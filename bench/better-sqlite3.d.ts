// @types/better-sqlite3 is not installed (better-sqlite3 comes in through @prisma/adapter-better-sqlite3), so
// the floors declare the little of its API they use. Remove this file if @types/better-sqlite3 is added.
declare module "better-sqlite3" {
  interface RunResult {
    changes: number;
    lastInsertRowid: number | bigint;
  }
  interface Statement {
    run(...params: unknown[]): RunResult;
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  }
  class Database {
    constructor(filename: string, options?: Record<string, unknown>);
    prepare(sql: string): Statement;
    exec(sql: string): this;
    transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
    close(): this;
  }
  export default Database;
}
