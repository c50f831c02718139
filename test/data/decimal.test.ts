import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalToSteps, parseGrid } from "../../data/decimal.js";

const grid = (text: string) => {
  const g = parseGrid(text);
  if (!g) throw new Error(`bad grid ${text}`);
  return g;
};

describe("decimal strings to whole steps", () => {
  it("parses grids and normalises their text", () => {
    expect(parseGrid("0.01")).toEqual({ text: "0.01", units: 1, decimals: 2 });
    expect(parseGrid("0.10")).toEqual({ text: "0.1", units: 1, decimals: 1 });
    expect(parseGrid("100")).toEqual({ text: "100", units: 100, decimals: 0 });
    expect(parseGrid("0.005")).toEqual({ text: "0.005", units: 5, decimals: 3 });
    for (const bad of ["0", "0.000", "-1", "1e-2", "abc", ""]) expect(parseGrid(bad), bad).toBeUndefined();
  });

  it("converts where float multiplication would not", () => {
    expect(decimalToSteps("0.29", grid("0.01"))).toBe(29); // 0.29 / 0.01 = 28.999999999999996 in floats
    expect(decimalToSteps("61837.63000000", grid("0.01"))).toBe(6_183_763);
    expect(decimalToSteps("0.00000000", grid("0.00001"))).toBe(0);
    expect(decimalToSteps("25.42618900", grid("0.00000001"))).toBe(2_542_618_900);
    expect(decimalToSteps("61800.30", grid("0.1"))).toBe(618_003);
    expect(decimalToSteps("1.5", grid("0.5"))).toBe(3);
    expect(decimalToSteps("-2.50", grid("0.5"))).toBe(-5);
    expect(decimalToSteps("1200", grid("100"))).toBe(12);
  });

  it("rejects off-grid values and malformed text", () => {
    expect(decimalToSteps("25.42618900", grid("0.00001"))).toBeUndefined();
    expect(decimalToSteps("61800.35", grid("0.1"))).toBeUndefined();
    expect(decimalToSteps("1.7", grid("0.5"))).toBeUndefined();
    expect(decimalToSteps("150", grid("100"))).toBeUndefined();
    for (const bad of ["", ".", "1e5", "1,5", " 1", "1.2.3", "--1", "0x10"]) expect(decimalToSteps(bad, grid("0.01")), bad).toBeUndefined();
  });

  it("handles more than 15 significant digits exactly", () => {
    expect(decimalToSteps("12345678.12345678", grid("0.00000001"))).toBe(1_234_567_812_345_678);
    expect(decimalToSteps("0012345678.1234567800", grid("0.00000001"))).toBe(1_234_567_812_345_678);
    expect(decimalToSteps("12345678.123456785", grid("0.00000001"))).toBeUndefined();
    expect(decimalToSteps("12345678901234567.8", grid("0.1"))).toBeUndefined(); // beyond 2^53 steps
  });

  it("round-trips any whole number of steps written with any number of trailing zeros", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 }), (steps, decimals, zeros) => {
        const g = grid(decimals === 0 ? "1" : `0.${"0".repeat(decimals - 1)}1`);
        const abs = Math.abs(steps).toString().padStart(decimals + 1, "0");
        const text = (steps < 0 ? "-" : "") + (decimals === 0 ? abs + (zeros > 0 ? "." + "0".repeat(zeros) : "") : `${abs.slice(0, -decimals)}.${abs.slice(-decimals)}${"0".repeat(zeros)}`);
        expect(decimalToSteps(text, g)).toBe(steps === 0 ? 0 : steps);
      }),
    );
  });

  it("agrees with BigInt arithmetic on random prices and ticks", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 4 }), (raw, decimals, unit, tickDecimals) => {
        const s = raw.toString().padStart(decimals + 1, "0");
        const text = decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
        const tickText = tickDecimals === 0 ? String(unit) : (Number(unit) / 10 ** tickDecimals).toFixed(tickDecimals);
        const g = grid(tickText);
        // Exact reference: value = raw / 10^decimals, tick = units / 10^g.decimals.
        const num = raw * 10n ** BigInt(Math.max(g.decimals, decimals) - decimals);
        const den = BigInt(g.units) * 10n ** BigInt(Math.max(g.decimals, decimals) - g.decimals);
        // Results beyond 2^53 are refused (they would not be exact as numbers).
        const expected = num % den === 0n && num / den <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(num / den) : undefined;
        expect(decimalToSteps(text, g)).toBe(expected);
      }),
    );
  });
});
