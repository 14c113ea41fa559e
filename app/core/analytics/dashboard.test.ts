import { bucketIndex, parseDashboardRange, rangeSearchParams, resolveRange } from "./dashboard";

const params = (query: string) => new URLSearchParams(query);

describe("dashboard ranges", () => {
  it("reads presets and custom dates from the URL, and says what is wrong with a bad range", () => {
    expect(parseDashboardRange(params(""))).toEqual({ ok: true, range: { range: "30d" } });
    expect(parseDashboardRange(params("range=7d"))).toEqual({ ok: true, range: { range: "7d" } });
    expect(parseDashboardRange(params("range=custom&from=2026-11-01&to=2026-11-20"))).toEqual({ ok: true, range: { range: "custom", from: "2026-11-01", to: "2026-11-20" } });
    expect(parseDashboardRange(params("range=14d"))).toEqual({ ok: false, range: { range: "30d" }, errors: ["range: must be 7d, 30d, 90d or custom (with from and to)."] });
    expect(parseDashboardRange(params("range=custom&from=2026-02-30&to=2026-03-01")).ok).toBe(false);
    expect(parseDashboardRange(params("range=custom&from=2026-02-30&to=2026-03-01"))).toMatchObject({ errors: ["from: That date does not exist."] });
    expect(parseDashboardRange(params("range=custom&from=2026-03-02&to=2026-03-01"))).toMatchObject({ errors: ["to: The start date must not be after the end date."] });
    expect(parseDashboardRange(params("range=custom&from=2020-01-01&to=2026-03-01"))).toMatchObject({ errors: ["to: A range can span at most 731 days."] });
    expect(rangeSearchParams({ range: "custom", from: "2026-11-01", to: "2026-11-20" }).toString()).toBe("range=custom&from=2026-11-01&to=2026-11-20");
  });

  it("ends a preset today in the workspace's zone, today included", () => {
    // 03:00 UTC on Nov 26 is still Nov 25 in Los Angeles.
    const range = resolveRange({ range: "7d" }, { now: new Date("2026-11-26T03:00:00Z"), timeZone: "America/Los_Angeles" });
    expect([range.firstDate, range.lastDate, range.days, range.buckets.length, range.label]).toEqual(["2026-11-19", "2026-11-25", 7, 7, "last 7 days"]);
    expect(range.from.toISOString()).toBe("2026-11-19T08:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-11-26T08:00:00.000Z");
  });

  it("uses Monday-to-Sunday weeks, clipped to the range, above 92 days", () => {
    // 2026-01-01 is a Thursday; 2026-06-30 a Tuesday.
    const range = resolveRange({ range: "custom", from: "2026-01-01", to: "2026-06-30" }, { now: new Date("2026-12-01T00:00:00Z"), timeZone: "UTC" });
    expect(range.granularity).toBe("week");
    expect(range.buckets[0].date).toBe("2026-01-01");
    expect(range.buckets[1].date).toBe("2026-01-05");
    expect(range.buckets.at(-1)?.date).toBe("2026-06-29");
    expect(range.buckets.at(-1)?.to.toISOString()).toBe("2026-07-01T00:00:00.000Z");
    expect(range.buckets).toHaveLength(27);
    expect(range.label).toBe("Jan 1, 2026 – Jun 30, 2026");
  });

  it("finds the bucket of an instant, and none outside the range", () => {
    const { buckets } = resolveRange({ range: "custom", from: "2026-03-07", to: "2026-03-09" }, { now: new Date("2026-03-20T00:00:00Z"), timeZone: "America/New_York" });
    expect(bucketIndex(buckets, new Date("2026-03-07T04:59:59.999Z"))).toBe(-1);
    expect(bucketIndex(buckets, new Date("2026-03-07T05:00:00Z"))).toBe(0);
    expect(bucketIndex(buckets, new Date("2026-03-09T03:59:59Z"))).toBe(1);
    expect(bucketIndex(buckets, new Date("2026-03-09T04:00:00Z"))).toBe(2);
    expect(bucketIndex(buckets, new Date("2026-03-10T04:00:00Z"))).toBe(-1);
  });
});
