import { compare, integerRange, periodStart, startOfDate, wholeDays, windowStart } from "./time";

describe("integerRange", () => {
  it.each([
    ["gte", 3, { lo: 3, hi: null }],
    ["gte", 2.5, { lo: 3, hi: null }],
    ["gt", 5, { lo: 6, hi: null }],
    ["gt", 5.5, { lo: 6, hi: null }],
    ["lte", 7, { lo: null, hi: 8 }],
    ["lt", 10, { lo: null, hi: 10 }],
    ["lt", 9.5, { lo: null, hi: 10 }],
    ["eq", 4, { lo: 4, hi: 5 }],
    ["eq", 4.5, "none"],
  ] as const)("%s %d → %j", (op, value, expected) => {
    expect(integerRange(op, value)).toEqual(expected);
  });

  it("agrees with comparing every whole number directly", () => {
    for (const op of ["gte", "gt", "lte", "lt", "eq"] as const) {
      for (const value of [0, 1, 2.5, 3, 7.25]) {
        const range = integerRange(op, value);
        for (let k = 0; k <= 10; k += 1) {
          const inRange = range !== "none" && (range.lo === null || k >= range.lo) && (range.hi === null || k < range.hi);
          expect(inRange, `${k} ${op} ${value}`).toBe(compare(k, op, value));
        }
      }
    }
  });
});

describe("calendar and days", () => {
  it("floors whole days", () => {
    expect(wholeDays(new Date("2026-01-01T00:00:00Z"), new Date("2026-01-31T23:59:59Z"))).toBe(30);
    expect(wholeDays(new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"))).toBe(0);
  });

  it("starts dates, months and years in the store's time zone", () => {
    expect(startOfDate("2026-06-01", "America/New_York").toISOString()).toBe("2026-06-01T04:00:00.000Z");
    expect(startOfDate("2026-01-15", "Europe/Berlin").toISOString()).toBe("2026-01-14T23:00:00.000Z");
    const now = new Date("2026-06-01T02:00:00Z"); // still May 31 in New York
    expect(periodStart("this_month", now, "America/New_York").toISOString()).toBe("2026-05-01T04:00:00.000Z");
    expect(periodStart("this_month", now, "UTC").toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(periodStart("this_month", new Date("2026-01-10T00:00:00Z"), "UTC", 1).toISOString()).toBe("2025-12-01T00:00:00.000Z");
    expect(periodStart("this_year", now, "Asia/Tokyo").toISOString()).toBe("2025-12-31T15:00:00.000Z");
    expect(windowStart({ days: 30 }, now, "UTC").toISOString()).toBe("2026-05-02T02:00:00.000Z");
  });

  it("starts a day just after a midnight that daylight saving skips", () => {
    // Chile (America/Santiago) moved clocks from 00:00 to 01:00 on 2025-09-07.
    expect(startOfDate("2025-09-07", "America/Santiago").toISOString()).toBe("2025-09-07T04:00:00.000Z");
  });
});
