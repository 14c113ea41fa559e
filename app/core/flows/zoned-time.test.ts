import { nextLocalTime, windowEnd } from "./zoned-time";

const at = (iso: string) => new Date(iso);

describe("nextLocalTime", () => {
  it("finds the next Tue-Thu at 10:00 in New York, across a weekend", () => {
    // Friday 2026-03-06 15:00 UTC is 10:00 EST: not an allowed day, so next Tuesday
    expect(nextLocalTime(at("2026-03-06T15:00:00Z"), "10:00", ["tue", "wed", "thu"], "America/New_York")).toEqual(at("2026-03-10T14:00:00Z"));
  });

  it("counts the same day when the time is still ahead, and the moment itself", () => {
    expect(nextLocalTime(at("2026-03-03T12:00:00Z"), "10:00", ["tue"], "America/New_York")).toEqual(at("2026-03-03T15:00:00Z"));
    expect(nextLocalTime(at("2026-03-03T15:00:00Z"), "10:00", ["tue"], "America/New_York")).toEqual(at("2026-03-03T15:00:00Z"));
  });

  it("follows daylight saving time (EST → EDT on 2026-03-08)", () => {
    expect(nextLocalTime(at("2026-03-07T16:00:00Z"), "10:00", ["sun", "mon"], "America/New_York")).toEqual(at("2026-03-08T14:00:00Z"));
    // 02:30 does not exist that night: just after the gap
    expect(nextLocalTime(at("2026-03-08T05:00:00Z"), "02:30", ["sun"], "America/New_York")).toEqual(at("2026-03-08T07:30:00Z"));
  });

  it("works east of UTC, where the local date is ahead", () => {
    // 2026-03-02 23:30 UTC is Tuesday 08:30 in Tokyo
    expect(nextLocalTime(at("2026-03-02T23:30:00Z"), "09:00", ["tue"], "Asia/Tokyo")).toEqual(at("2026-03-03T00:00:00Z"));
  });
});

describe("windowEnd", () => {
  const quiet = { start: "21:00", end: "08:00" };
  it("is the end of a window that wraps midnight, or null outside it", () => {
    expect(windowEnd(at("2026-03-03T02:30:00Z"), quiet, "America/New_York")).toEqual(at("2026-03-03T13:00:00Z")); // 21:30 → 08:00
    expect(windowEnd(at("2026-03-03T10:00:00Z"), quiet, "America/New_York")).toEqual(at("2026-03-03T13:00:00Z")); // 05:00 → 08:00
    expect(windowEnd(at("2026-03-03T13:00:00Z"), quiet, "America/New_York")).toBeNull(); // 08:00 sharp: open
    expect(windowEnd(at("2026-03-03T18:00:00Z"), quiet, "America/New_York")).toBeNull();
  });
});
