/** Where time comes from. Core never calls `new Date()` for "now": tests and simulations move a manual clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests, replays and simulations. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  advance(by: { ms?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): Date {
    this.current +=
      (by.ms ?? 0) +
      (by.seconds ?? 0) * 1_000 +
      (by.minutes ?? 0) * 60_000 +
      (by.hours ?? 0) * 3_600_000 +
      (by.days ?? 0) * 86_400_000;
    return this.now();
  }
}
