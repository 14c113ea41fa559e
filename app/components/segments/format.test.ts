import { countOf, formatAmount, formatPercent, trendText } from "./format";

describe("segment formats", () => {
  it("says how a segment changed over its trend, in words", () => {
    expect(trendText([])).toBe("No history yet");
    expect(trendText([{ members: 4 }])).toBe("History starts today");
    expect(trendText([{ members: 4 }, { members: 4 }, { members: 4 }])).toBe("No change in 3 days");
    expect(trendText([{ members: 10 }, { members: 8 }, { members: 1_022 }])).toBe("+1,012 in 3 days");
    expect(trendText([{ members: 10 }, { members: 3 }])).toBe("−7 in 2 days");
  });

  it("counts, money and probabilities", () => {
    expect(countOf(1234, 5000)).toBe("1,234 of 5,000 customers");
    expect(countOf(0, 1)).toBe("0 of 1 customer");
    expect(formatAmount(61_200, "USD")).toBe("$612.00");
    expect(formatAmount(500, "JPY")).toBe("¥500");
    expect(formatAmount(0, null)).toBe("—");
    expect(formatPercent(0.347)).toBe("35 %");
  });
});
