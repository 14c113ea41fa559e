import { formatMoney, parseDecimalToMinor } from "./money";

describe("parseDecimalToMinor", () => {
  it("parses platform decimal strings into minor units without floating point", () => {
    expect(parseDecimalToMinor("421.88", "USD")).toBe(42188);
    expect(parseDecimalToMinor("0.1", "USD")).toBe(10);
    expect(parseDecimalToMinor("19.99", "EUR")).toBe(1999);
    expect(parseDecimalToMinor("1500", "JPY")).toBe(1500);
    expect(parseDecimalToMinor("1.2345", "KWD")).toBe(1235);
    expect(parseDecimalToMinor(12.5, "USD")).toBe(1250);
  });

  it("refuses what is not a decimal", () => {
    expect(parseDecimalToMinor("12,50", "EUR")).toBeNull();
    expect(parseDecimalToMinor("", "USD")).toBeNull();
    expect(parseDecimalToMinor("abc", "USD")).toBeNull();
  });
});

describe("formatMoney", () => {
  it("formats minor units in the currency", () => {
    expect(formatMoney({ amount: 42188, currency: "USD" })).toBe("$421.88");
    expect(formatMoney({ amount: 1500, currency: "JPY" })).toBe("¥1,500");
  });
});
