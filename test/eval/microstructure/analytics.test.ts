// The microstructure estimators (eval/microstructure/: spread, impact, vpin, predict, analyze) and the
// `tranche data analyze` command: each on a hand-built day whose answer is worked out by hand, then on the real
// GOOG day against known facts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance } from "../../../data/binance.js";
import { parseLobster, writeLobster } from "../../../data/lobster.js";
import { addAnalyzeCommand } from "../../../cli/analyze.js";
import { createProgram, runProgram, type CliIO } from "../../../cli/program.js";
import { analyzeDay, formatMicrostructure, type MicrostructureReport } from "../../../eval/microstructure/analyze.js";
import { loadL3Day } from "../../../eval/microstructure/day.js";
import { fitLine, impactBySize, kyleLambda } from "../../../eval/microstructure/impact.js";
import { gridFeatures, predictability } from "../../../eval/microstructure/predict.js";
import { effectiveSpread, marketOrders, quotedSpread } from "../../../eval/microstructure/spread.js";
import { vpin } from "../../../eval/microstructure/vpin.js";
import { EvalError } from "../../../eval/errors.js";
import { available, goog, tempFolder, writeLines } from "../../data/fixtures.js";
import { execution, quote, syntheticDay, type L3Row } from "./l3-fixture.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

// A buy of 2 lots lifting the ask at 101 (mid 100.5 before) in two executions, then a sell of 1 lot hitting the
// bid at 102 (mid 102.5 before); the quotes move in between.
const twoOrders: L3Row[] = [
  quote(0, [[100, 5]], [[101, 2], [103, 5]]), // mid 100.5, spread 1 for 1 s
  execution(1, 1, 101, 1, { bids: [[100, 5]], asks: [[101, 1], [103, 5]] }),
  execution(1, 1, 101, 1, { bids: [[100, 5]], asks: [[103, 5]] }), // mid 101.5, spread 3 for 2 s
  quote(3, [[102, 1], [99, 1]], [[103, 5]]), // mid 102.5, spread 1 for 7 s
  execution(10, 0, 102, 1, { bids: [[99, 1]], asks: [[103, 5]] }), // mid 101, spread 4 for 30 s
  quote(40, [[99, 1]], [[104, 5]]), // mid 101.5, the last message
];

describe("spreads on a hand-built day", () => {
  const day = syntheticDay(twoOrders);

  it("groups executions with one timestamp and direction into one market order, signed by the aggressor", () => {
    const orders = marketOrders(day);
    expect(orders.map((o) => [o.direction, o.qtyLots, o.vwapTicks, o.midBeforeTicks, o.midAfterTicks, o.executions])).toEqual([
      [1, 2, 101, 100.5, 101.5, 2],
      [-1, 1, 102, 102.5, 101, 1],
    ]);
  });

  it("counts hidden executions only when asked to", () => {
    const book = { bids: [[100, 5]] as const, asks: [[102, 5]] as const };
    const withHidden = syntheticDay([quote(0, book.bids, book.asks), execution(1, 1, 101, 3, book, true), execution(1, 1, 102, 1, book), execution(2, 0, 101, 2, book, true)]);
    expect(marketOrders(withHidden).map((o) => o.qtyLots)).toEqual([1]);
    expect(marketOrders(withHidden, { includeHidden: true }).map((o) => [o.direction, o.qtyLots, o.vwapTicks])).toEqual([[1, 4, 101.25], [-1, 2, 101]]);
  });

  it("weights the quoted spread by the time each book stood", () => {
    const q = quotedSpread(day);
    // (1·1 + 3·2 + 1·7 + 4·30) / 40; the spread of 4 stands for 30 of the 40 s, so it is the median.
    expect(q.meanTicks).toBeCloseTo(134 / 40, 12);
    expect(q.medianTicks).toBe(4);
    expect(q.meanBps).toBeCloseTo((1e4 * (1 / 100.5 + 6 / 101.5 + 7 / 102.5 + (4 * 30) / 101)) / 40, 9);
    expect(q.oneSidedShare).toBe(0);
  });

  it("computes the volume-weighted effective spread 2·s·(p − m)/m", () => {
    const e = effectiveSpread(day);
    const buy = 2e4 * (101 - 100.5) / 100.5, sell = 2e4 * (102.5 - 102) / 102.5;
    expect(e.orders).toBe(2);
    expect(e.effectiveBps).toBeCloseTo((2 * buy + 1 * sell) / 3, 9);
    expect(e.effectiveTicks).toBeCloseTo(1, 12);
  });

  it("splits it into realised spread and price impact at each horizon, using the mid as it stood at t + Δ", () => {
    const [d1, d5, d30] = effectiveSpread(day).decomposition;
    // Buy at t = 1: the mid is 101.5 at 2 s, 102.5 at 6 s, 101 at 31 s. Sell at t = 10: 101 at 11 s and 15 s, 101.5 at 40 s.
    const w = (buy: number, sell: number) => (2 * (2e4 * buy) / 100.5 + (2e4 * sell) / 102.5) / 3;
    expect(d1.realisedBps).toBeCloseTo(w(101 - 101.5, -(102 - 101)), 9);
    expect(d1.impactBps).toBeCloseTo(w(101.5 - 100.5, -(101 - 102.5)), 9);
    expect(d5.realisedBps).toBeCloseTo(w(101 - 102.5, -(102 - 101)), 9);
    expect(d30.realisedBps).toBeCloseTo(w(101 - 101, -(102 - 101.5)), 9);
    for (const d of [d1, d5, d30]) {
      expect(d.orders).toBe(2);
      expect(d.realisedBps + d.impactBps).toBeCloseTo(d.effectiveBps, 12);
    }
  });

  it("leaves out orders whose horizon runs past the day's last message", () => {
    const short = syntheticDay(twoOrders.slice(0, 5));
    expect(effectiveSpread(short, { horizonsS: [1, 30] }).decomposition.map((d) => d.orders)).toEqual([1, 0]);
  });
});

describe("impact on hand-built days", () => {
  it("buckets single market orders by size in powers of two, with the signed immediate mid move", () => {
    const buckets = impactBySize(syntheticDay(twoOrders));
    expect(buckets.map((b) => [b.minLots, b.maxLots, b.orders, b.meanMoveTicks, b.movedShare])).toEqual([
      [1, 2, 1, 1.5, 1],
      [2, 4, 1, 1, 1],
    ]);
    expect(buckets[1].meanMoveBps).toBeCloseTo(1e4 / 100.5, 9);
    expect(buckets[0].seMoveBps).toBeNaN(); // one order: no standard error
  });

  it("gives the standard error of the mean move from the bucket's spread", () => {
    // Two 1-lot buys, each with the mid at 100.5 before: the first leaves it there, the second moves it half a tick.
    const day = syntheticDay([
      quote(0, [[100, 5]], [[101, 1], [102, 1], [103, 1]]),
      execution(1, 1, 101, 1, { bids: [[99, 5]], asks: [[102, 1], [103, 1]] }), // mid 100.5 → 100.5
      quote(2, [[100, 5]], [[101, 1], [102, 1]]),
      execution(3, 1, 101, 1, { bids: [[100, 5]], asks: [[102, 1]] }), // 100.5 → 101
    ]);
    const [b] = impactBySize(day);
    const moves = [0, 1e4 * 0.5 / 100.5];
    expect(b.orders).toBe(2);
    expect(b.meanMoveBps).toBeCloseTo((moves[0] + moves[1]) / 2, 9);
    expect(b.seMoveBps).toBeCloseTo(Math.abs(moves[1] - moves[0]) / 2, 9); // sd = |a − b|/√2, over √2
  });

  // Three 10 s intervals: signed volume −1, 0, +1 lots; mid changes 0, +1, +5 ticks.
  const kyleDay = syntheticDay([
    quote(0, [[100, 5]], [[102, 5]]),
    execution(5, 0, 100, 1, { bids: [[100, 4]], asks: [[102, 5]] }),
    quote(16, [[101, 5]], [[103, 5]]),
    execution(25, 1, 103, 1, { bids: [[101, 5]], asks: [[103, 4]] }),
    quote(26, [[106, 5]], [[108, 5]]),
    quote(30, [[106, 5]], [[108, 5]]),
  ]);

  it("estimates Kyle's lambda by OLS of mid changes on signed volume, with its OLS and Newey–West errors", () => {
    const k = kyleLambda(kyleDay, { intervalS: 10 });
    // x = (−1, 0, 1), y = (0, 1, 5): slope 5/2, intercept 2, residuals (0.5, −1, 0.5), SSE 1.5, SST 14.
    expect(k.intervals).toBe(3);
    expect(k.lambdaTicksPerLot).toBeCloseTo(2.5, 12);
    expect(k.seOls).toBeCloseTo(Math.sqrt(1.5 / 1 / 2), 12);
    expect(k.tOls).toBeCloseTo(2.5 / Math.sqrt(0.75), 9);
    expect(k.rSquared).toBeCloseTo(1 - 1.5 / 14, 12);
    // L = ⌊4·(3/100)^(2/9)⌋ = 1; x̃ε = (−0.5, 0, 0.5) has no lag-1 cross products, so the HAC variance is Σ(x̃ε)²/(Σx̃²)² = 0.5/2².
    expect(k.neweyWestLags).toBe(1);
    expect(k.seNeweyWest).toBeCloseTo(Math.sqrt(0.5) / 2, 12);
  });

  it("refuses an interval that is not positive", () => {
    expect(() => kyleLambda(kyleDay, { intervalS: 0 })).toThrow(EvalError);
  });

  it("fits a line exactly when there is no noise", () => {
    const fit = fitLine([1, 2, 3, 4], [3, 5, 7, 9]);
    expect([fit.slope, fit.intercept, fit.rSquared, fit.slopeSe]).toEqual([2, 1, 1, 0]);
  });
});

describe("VPIN on hand-built volume buckets", () => {
  const book = { bids: [[100, 50]] as const, asks: [[101, 50]] as const };
  // 16 lots: buy 4 | sell 2, buy 2 (hidden) | sell 4 of a 6 | the other 2, sell 2.
  const day = syntheticDay([
    execution(1, 1, 101, 4, book),
    execution(2, 0, 100, 2, book),
    execution(3, 1, 101, 2, book, true),
    execution(4, 0, 100, 6, book),
    execution(5, 0, 100, 2, book),
  ]);

  it("fills buckets of V = volume / buckets in trade order, carrying an overflowing trade into the next", () => {
    const v = vpin(day, { bucketsPerDay: 4, window: 2 });
    expect(v.bucketVolumeLots).toBe(4);
    expect(v.buckets).toBe(4);
    // Bucket imbalances |V_S − V_B|/V = 1, 0, 1, 1; VPIN over 2 buckets: 0.5, 0.5, 1.
    expect(v.series).toEqual([0.5, 0.5, 1]);
    expect([v.values, v.mean, v.median, v.max]).toEqual([3, 2 / 3, 0.5, 1]);
    expect([v.bucketImbalanceMean, v.bucketImbalanceMax]).toEqual([0.75, 1]);
  });

  it("gives a single value for one day with ELO's defaults (V = volume / 50, 50 buckets a window)", () => {
    const v = vpin(day);
    expect([v.buckets, v.window, v.values]).toEqual([50, 50, 1]);
    // V = 0.32: the trades fill 12.5, 6.25, 6.25, 18.75 and 6.25 buckets; every bucket is one-sided except
    // bucket 12 (half buy, half sell: 0) and bucket 18 (0.75 sell, 0.25 buy: 0.5). (48 + 0.5)/50.
    expect(v.mean).toBeCloseTo(0.97, 12);
  });
});

describe("predictability on hand-built days", () => {
  it("computes the grid features: imbalances, Cont–Kukanov–Stoikov order-flow imbalance and microprice offset", () => {
    const day = syntheticDay([
      quote(0, [[100, 5], [99, 5]], [[102, 5], [103, 15]]),
      quote(0.5, [[100, 7], [99, 5]], [[102, 5], [103, 15]]), // e = +7 − 5 (the bid grew)
      quote(0.8, [[100, 7], [99, 5]], [[101, 1], [102, 5]]), // e = −1 (a better ask of 1)
      quote(1.5, [[99, 5]], [[101, 1], [102, 5]]), // e = −7 (the best bid left)
      quote(2, [[99, 5]], [[101, 1], [102, 5]]),
    ]);
    const { index, features } = gridFeatures(day, 1);
    expect([...index]).toEqual([0, 2, 4]);
    expect(features.ofi[0]).toBeNaN();
    expect([features.ofi[1], features.ofi[2]]).toEqual([1, -7]);
    expect(features.imbalance1[0]).toBe(0);
    expect(features.imbalance1[1]).toBeCloseTo((7 - 1) / 8, 12);
    expect(features.imbalance5[0]).toBeCloseTo((10 - 20) / 30, 12);
    // Microprice (b·q^a + a·q^b)/(q^a + q^b) at t = 1: (100·1 + 101·7)/8 = 100.875; mid 100.5.
    expect(features.micropriceOffset[1]).toBeCloseTo(0.375, 12);
  });

  it("scores a feature that predicts the next move exactly with R² = 1 out of sample, and without look-ahead", () => {
    // Each second the touch imbalance is ±1/2 and the mid moves ±1 tick in the next second: y = 2·imbalance.
    const signs = [1, -1, -1, 1, 1, 1, -1, 1, -1, -1, 1, -1, 1, 1, -1, -1, 1, -1, 1, 1];
    const rows: L3Row[] = [];
    let level = 0;
    signs.forEach((s, k) => {
      rows.push(quote(k, [[100 + level, s > 0 ? 3 : 1]], [[102 + level, s > 0 ? 1 : 3]]));
      level += s;
    });
    rows.push(quote(signs.length, [[100 + level, 2]], [[102 + level, 2]]));
    const p = predictability(syntheticDay(rows), { horizonsS: [1] });
    expect(p.splitS).toBe(10);
    const score = (f: string) => p.scores.find((s) => s.feature === f)!;
    for (const f of ["imbalance1", "imbalance5", "micropriceOffset"]) {
      // Training: t + 1 ≤ 10, t = 0 … 9; test: t = 10 … 19.
      expect([score(f).trainN, score(f).testN]).toEqual([10, 10]);
      expect(score(f).rSquaredOos).toBeCloseTo(1, 12);
      expect(score(f).rSquaredOosVsZero).toBeCloseTo(1, 12);
    }
    expect(score("imbalance1").slope).toBeCloseTo(2, 12);
  });
});

// A small Binance import: a depth snapshot and one diff, written as an l2 Arrow file.
function binanceFile(): string {
  const ts = (i: number) => String(1_723_161_253_000_000_000n + BigInt(i) * 1_000_000n);
  const lines = [
    `${ts(0)} ${JSON.stringify({ lastUpdateId: 10, bids: [["99.99", "2.5"]], asks: [["100.01", "1"]] })}`,
    `${ts(1)} ${JSON.stringify({ stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: 1_723_161_254_000, s: "BTCUSDT", U: 11, u: 12, b: [["100.00", "1.0"]], a: [] } })}`,
  ];
  const out = join(tmp.dir, "spot.arrow");
  writeBinance(parseBinance([writeLines(join(tmp.dir, "spot.txt"), lines)]), out);
  return out;
}

async function analyzeCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIO = { print: (l) => out.push(l), printError: (l) => err.push(l) };
  const program = createProgram();
  addAnalyzeCommand(program.command("data"), io);
  const code = await runProgram(program, ["data", "analyze", ...args], io);
  return { code, out, err };
}

describe("tranche data analyze", () => {
  it("refuses a file that is not a LOBSTER L3 import, naming it and what is supported", async () => {
    const file = binanceFile();
    const r = await analyzeCli([file]);
    expect(r.code).toBe(1);
    expect(r.err.join("\n")).toMatch(/tranche data analyze: WRONG_KIND: .*spot\.arrow: the file holds a Binance "l2" table; `tranche data analyze` supports only LOBSTER L3 files so far/);
  });

  it("asks for exactly one file and a .json report name", async () => {
    expect((await analyzeCli([])).code).toBe(2);
    expect((await analyzeCli(["a.arrow", "--json", "out.txt"])).err[0]).toMatch(/--json must end in \.json/);
  });
});

const haveGoog = available("microstructure analytics of the GOOG day", goog.message, goog.orderbook);
describe.skipIf(!haveGoog)("the GOOG day", () => {
  const file = join(tmp.dir, "goog.arrow");
  let report: MicrostructureReport;
  beforeAll(() => {
    writeLobster(parseLobster(goog.message, goog.orderbook), file);
    report = analyzeDay(loadL3Day(file), { queues: false, facts: false });
  });

  it("has the known quoted spread and market-order count", () => {
    // ../shared/notes/generative-flow.md: time-averaged spread 27.3 ticks; about 6,100 market orders.
    expect(Math.abs(report.quotedSpread.meanTicks / 27.3 - 1)).toBeLessThan(0.1);
    expect(Math.abs(report.marketOrders.orders / 6100 - 1)).toBeLessThan(0.15);
  });

  it("has a positive effective spread that splits exactly into realised spread and impact", () => {
    expect(report.effectiveSpread.effectiveBps).toBeGreaterThan(0);
    expect(report.effectiveSpread.effectiveBps).toBeLessThan(report.quotedSpread.meanBps);
    for (const d of report.effectiveSpread.decomposition) {
      expect(Math.abs(d.realisedBps + d.impactBps - d.effectiveBps)).toBeLessThan(1e-9);
      expect(d.impactBps).toBeGreaterThan(0);
    }
  });

  it("finds order flow moving the price and the touch imbalance predicting the next second", () => {
    expect(report.kyleLambda.lambdaTicksPerLot).toBeGreaterThan(0);
    expect(Math.abs(report.kyleLambda.tOls)).toBeGreaterThan(3);
    const level1 = report.predictability.scores.find((s) => s.feature === "imbalance1" && s.horizonS === 1)!;
    expect(level1.rSquaredOos).toBeGreaterThan(0);
    expect(report.vpin.values).toBeGreaterThanOrEqual(1);
    expect(report.vpin.mean).toBeGreaterThan(0);
    expect(report.vpin.mean).toBeLessThan(1);
  });

  it("prints the whole report and writes it as JSON", async () => {
    const json = join(tmp.dir, "goog.json");
    const r = await analyzeCli([file, "--json", json]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    console.log(r.out.join("\n"));
    const back = JSON.parse(readFileSync(json, "utf8")) as MicrostructureReport;
    expect(back.marketOrders.orders).toBe(report.marketOrders.orders);
    expect(back.effectiveSpread.effectiveBps).toBe(report.effectiveSpread.effectiveBps);
    expect(back.queues?.orders).toBeGreaterThan(0);
    expect(back.facts?.meanSpreadTicks).toBeCloseTo(report.quotedSpread.meanTicks, 9);
    expect(r.out).toEqual(formatMicrostructure(back).concat(r.out.slice(-2)));
  });
});
