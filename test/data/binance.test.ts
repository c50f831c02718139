import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance, type BinanceImport } from "../../data/binance.js";
import { DataError } from "../../data/errors.js";
import { readBinance } from "../../data/reader.js";
import type { BboColumns, L2Columns } from "../../data/schema.js";
import { available, gzLines, sameValues, spot, tempFolder, usdm, writeLines, caught } from "./fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

const isDepth = (line: string) => line.includes('"stream":"btcusdt@depth');

/**
 * Rebuilds the book from the depth table and compares its best bid/ask (price and quantity) with every
 * bookTicker record whose update id equals the `u` of a diff just applied.
 */
function compareWithBookTicker(depth: L2Columns, bbo: BboColumns): { points: number; mismatches: number } {
  const tickerAt = new Map<bigint, number>();
  for (let i = bbo.updateId.length - 1; i >= 0; i--) tickerAt.set(bbo.updateId[i], i);
  const bids = new Map<bigint, bigint>();
  const asks = new Map<bigint, bigint>();
  let points = 0;
  let mismatches = 0;
  const rows = depth.tsNs.length;
  for (let i = 0; i < rows; i++) {
    if (depth.isSnapshot[i] === 1 && (i === 0 || depth.isSnapshot[i - 1] === 0)) {
      bids.clear();
      asks.clear();
    }
    const book = depth.side[i] === 0 ? bids : asks;
    if (depth.qtyLots[i] === 0n) book.delete(depth.priceTicks[i]);
    else book.set(depth.priceTicks[i], depth.qtyLots[i]);
    const endOfEvent = i + 1 === rows || depth.lastUpdateId[i + 1] !== depth.lastUpdateId[i] || depth.isSnapshot[i + 1] !== depth.isSnapshot[i];
    if (!endOfEvent || depth.isSnapshot[i] === 1) continue;
    const t = tickerAt.get(depth.lastUpdateId[i]);
    if (t === undefined) continue;
    points++;
    const bestBid = [...bids.keys()].reduce((a, b) => (b > a ? b : a));
    const bestAsk = [...asks.keys()].reduce((a, b) => (b < a ? b : a));
    const same = bestBid === bbo.bidPriceTicks[t] && bids.get(bestBid) === bbo.bidQtyLots[t] && bestAsk === bbo.askPriceTicks[t] && asks.get(bestAsk) === bbo.askQtyLots[t];
    if (!same) mismatches++;
  }
  return { points, mismatches };
}

const haveSpot = available("Binance spot import", spot.day08, spot.day09);
const haveUsdm = available("Binance USD-M import", usdm);

describe.skipIf(!haveSpot)("Binance spot BTCUSDT 2024-08-08 + 09 as one stream", () => {
  let imp: BinanceImport;
  beforeAll(() => {
    const t0 = performance.now();
    imp = parseBinance([spot.day08, spot.day09]);
    console.log(`spot 08+09 parse: ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  });

  it("finds no gap across the two files", () => {
    expect(imp.depth.meta.binance?.gaps).toEqual([]);
    expect(imp.depth.meta.binance?.market).toBe("spot");
  });

  it("accounts for every diff, trade and bookTicker line of the README table", () => {
    const b = imp.depth.meta.binance!;
    expect(b.diffEvents + b.droppedStale + b.droppedDuplicate).toBe(3_451 + 3_044);
    expect(b.droppedDuplicate).toBe(0);
    expect(imp.trades.rows).toBe(9_757 + 10_147);
    expect(imp.bbo.rows).toBe(28_040 + 45_134);
    expect(imp.lines).toBe(41_249 + 58_325);
    expect(b.snapshots).toHaveLength(1);
    expect(b.snapshots[0]).toMatchObject({ lastUpdateId: 50_093_239_218, row: 0, levels: 2_000, file: "btcusdt_20240808.gz" });
    expect(b.tradeIdGaps).toBe(0);
    let snapshotRows = 0;
    for (const s of imp.depth.columns.isSnapshot) snapshotRows += s;
    expect(snapshotRows).toBe(2_000);
  });

  it("converts decimal strings to ticks and lots exactly", () => {
    // First trade: {"t":3735683259,"p":"61837.63000000","q":"0.02000000","m":true}
    const t = imp.trades.columns;
    expect(t.tradeId[0]).toBe(3_735_683_259n);
    expect(t.priceTicks[0]).toBe(6_183_763n);
    expect(t.qtyLots[0]).toBe(2_000_000n);
    expect(t.aggressorSide[0]).toBe(1);
    expect(t.exchangeTsNs[0]).toBe(1_723_161_255_342_000_000n);
    expect(t.tsNs[0]).toBe(1_723_161_254_087_896_568n);
    // The snapshot's best bid: ["61837.63000000","3.78826000"].
    const d = imp.depth.columns;
    expect(d.priceTicks[0]).toBe(6_183_763n);
    expect(d.qtyLots[0]).toBe(378_826_000n);
    expect(d.firstUpdateId[0]).toBe(50_093_239_218n);
    expect(d.prevUpdateId[0]).toBe(-1n);
    expect(imp.depth.meta).toMatchObject({ symbol: "BTCUSDT", venue: "binance-spot", tickSize: "0.01", lotSize: "0.00000001", currency: "USDT" });
  });

  it("puts the bracketing diff, received before the snapshot, right after the snapshot rows", () => {
    const d = imp.depth.columns;
    const id = 50_093_239_218n;
    expect(d.isSnapshot[2_000]).toBe(0);
    expect(d.firstUpdateId[2_000] <= id + 1n && id + 1n <= d.lastUpdateId[2_000]).toBe(true);
    expect(d.tsNs[2_000] < d.tsNs[0]).toBe(true);
  });

  it("rebuilds a book whose best bid/ask equals bookTicker wherever their update ids coincide", () => {
    const { points, mismatches } = compareWithBookTicker(imp.depth.columns, imp.bbo.columns);
    console.log(`spot: rebuilt BBO compared with bookTicker at ${points} coinciding update ids`);
    expect(points).toBeGreaterThan(1_000);
    expect(mismatches).toBe(0);
  });

  it("measures the collector's clock skew (about −1.27 s)", () => {
    expect(imp.depth.meta.binance!.clockOffsetMsMedian).toBeGreaterThan(-1_300);
    expect(imp.depth.meta.binance!.clockOffsetMsMedian).toBeLessThan(-1_250);
  });
});

describe.skipIf(!haveUsdm)("Binance USD-M BTCUSDT 2024-08-08", () => {
  let imp: BinanceImport;
  beforeAll(() => {
    const t0 = performance.now();
    imp = parseBinance([usdm]);
    console.log(`usdm parse: ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  });

  it("finds no gap and accounts for every line", () => {
    const b = imp.depth.meta.binance!;
    expect(b.market).toBe("usdm");
    expect(b.gaps).toEqual([]);
    expect(b.diffEvents + b.droppedStale).toBe(6_551);
    expect(imp.trades.rows).toBe(21_313);
    expect(imp.bbo.rows).toBe(66_089);
    expect(b.snapshots[0].lastUpdateId).toBe(5_123_107_852_948);
    expect(imp.depth.meta).toMatchObject({ venue: "binance-usdm", tickSize: "0.1", lotSize: "0.001" });
    expect(imp.depth.columns.prevUpdateId[2_000]).toBeGreaterThan(0n);
  });

  it("rebuilds a book whose best bid/ask equals bookTicker wherever their update ids coincide", () => {
    // The data README counted 126 such points with its own matching; every diff end whose u has a bookTicker is compared here.
    const { points, mismatches } = compareWithBookTicker(imp.depth.columns, imp.bbo.columns);
    console.log(`usdm: rebuilt BBO compared with bookTicker at ${points} coinciding update ids`);
    expect(points).toBeGreaterThanOrEqual(126);
    expect(mismatches).toBe(0);
  });

  it("writes depth, trades and bbo files that read back with the same columns", () => {
    const out = join(tmp.dir, "usdm.arrow");
    expect(writeBinance(imp, out)).toEqual([out, join(tmp.dir, "usdm.trades.arrow"), join(tmp.dir, "usdm.bbo.arrow")]);
    const back = readBinance(out);
    expect(back.depth.rows).toBe(imp.depth.rows);
    for (const key of Object.keys(imp.depth.columns) as (keyof L2Columns)[]) {
      expect(sameValues(back.depth.columns[key], imp.depth.columns[key]), key).toBe(true);
    }
    expect(sameValues(back.trades!.columns.priceTicks, imp.trades.columns.priceTicks)).toBe(true);
    expect(sameValues(back.bbo!.columns.askQtyLots, imp.bbo.columns.askQtyLots)).toBe(true);
    expect(back.depth.meta.binance?.snapshots).toEqual(imp.depth.meta.binance?.snapshots);
  });
});

describe.skipIf(!haveSpot || !haveUsdm)("Binance gaps and errors on edited copies of the real files", () => {
  it("reports a gap where a spot diff line was removed, with file, line and update ids", () => {
    const lines = gzLines(spot.day08).slice(0, 4_000);
    const depthAt = lines.flatMap((l, i) => (isDepth(l) && i > 100 ? [i] : []));
    const removed = depthAt[10];
    const before = JSON.parse(lines[depthAt[9]].slice(lines[depthAt[9]].indexOf(" ") + 1)).data;
    const after = JSON.parse(lines[depthAt[11]].slice(lines[depthAt[11]].indexOf(" ") + 1)).data;
    const edited = lines.filter((_, i) => i !== removed);
    const path = writeLines(join(tmp.dir, "spot_gap.gz"), edited);
    const imp = parseBinance([path]);
    const gaps = imp.depth.meta.binance!.gaps;
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({
      file: "spot_gap.gz",
      line: depthAt[11], // 1-based line in the edited file: one line was removed before it
      rule: "U == prev u + 1",
      prevLastUpdateId: before.u,
      firstUpdateId: after.U,
      lastUpdateId: after.u,
      prevUpdateId: -1,
    });
    expect(imp.depth.columns.firstUpdateId[gaps[0].row]).toBe(BigInt(after.U));
    expect(imp.depth.columns.isSnapshot[gaps[0].row]).toBe(0);
  });

  it("reports a gap where a USD-M diff line was removed (pu no longer matches)", () => {
    const lines = gzLines(usdm).slice(0, 3_000);
    const depthAt = lines.flatMap((l, i) => (isDepth(l) && i > 200 ? [i] : []));
    const edited = lines.filter((_, i) => i !== depthAt[5]);
    const imp = parseBinance([writeLines(join(tmp.dir, "usdm_gap.gz"), edited)]);
    const gaps = imp.depth.meta.binance!.gaps;
    expect(gaps).toHaveLength(1);
    expect(gaps[0].rule).toBe("pu == prev u");
    expect(gaps[0].line).toBe(depthAt[6]);
  });

  it("drops a repeated diff as a duplicate without reporting a gap", () => {
    const lines = gzLines(spot.day08).slice(0, 2_000);
    const at = lines.findIndex((l, i) => i > 100 && isDepth(l));
    const edited = [...lines.slice(0, at + 1), lines[at], ...lines.slice(at + 1)];
    const b = parseBinance([writeLines(join(tmp.dir, "spot_dup.gz"), edited)]).depth.meta.binance!;
    expect(b.gaps).toEqual([]);
    expect(b.droppedDuplicate).toBe(1);
  });

  it("refuses a stream without a snapshot, mixed markets, an off-grid tick, and a truncated gzip", () => {
    expect(caught(() => parseBinance([spot.day09])).code).toBe("NO_SNAPSHOT");
    expect(caught(() => parseBinance([spot.day08, usdm])).code).toBe("MIXED_STREAMS");
    const offGrid = caught(() => parseBinance([spot.day08], { tick: "0.1" }));
    expect(offGrid.code).toBe("OFF_GRID");
    expect(offGrid.line).toBeGreaterThan(0);
    expect(offGrid.message).toContain("is not a whole number of ticks of 0.1");
    expect(offGrid.message).toContain("--tick");
    const bytes = readFileSync(spot.day08);
    const cut = join(tmp.dir, "cut.gz");
    writeFileSync(cut, bytes.subarray(0, 100_000));
    expect(caught(() => parseBinance([cut])).code).toBe("TRUNCATED");
    expect(caught(() => parseBinance([spot.day08], { lot: "abc" })).code).toBe("INVALID_OPTION");
  });
});

describe("Binance sync rule on a small synthetic stream", () => {
  const ts = (i: number) => String(1_723_161_253_000_000_000n + BigInt(i) * 1_000_000n);
  let clock = 0;
  const spotDiff = (U: number, u: number, b: [string, string][] = [["100.00", "1.0"]], a: [string, string][] = []) =>
    `${ts(clock++)} ${JSON.stringify({ stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: 1_723_161_254_000 + clock, s: "BTCUSDT", U, u, b, a } })}`;
  const usdmDiff = (U: number, u: number, pu: number) =>
    `${ts(clock++)} ${JSON.stringify({ stream: "btcusdt@depth@0ms", data: { e: "depthUpdate", E: 1_723_161_254_000, T: 1_723_161_254_000, s: "BTCUSDT", U, u, pu, b: [["100.0", "0.001"]], a: [] } })}`;
  const snapshot = (id: number, extra: Record<string, number> = {}, bids = [["99.99", "2.5"], ["99.98", "1"]], asks = [["100.01", "0.00001"]]) =>
    `${ts(clock++)} ${JSON.stringify({ lastUpdateId: id, ...extra, bids, asks })}`;
  const ticker = (u: number) => `${ts(clock++)} ${JSON.stringify({ stream: "btcusdt@bookTicker", data: { u, s: "BTCUSDT", b: "99.99", B: "2.5", a: "100.01", A: "0.00001" } })}`;

  it("buffers diffs before the snapshot, drops stale ones, requires the bracket, and resyncs on a new snapshot", () => {
    const lines = [
      spotDiff(1, 5), // 1: stale (u <= 10), buffered
      spotDiff(6, 12), // 2: brackets 11, buffered
      snapshot(10), // 3
      ticker(12), // 4
      spotDiff(13, 15), // 5
      spotDiff(13, 15), // 6: duplicate
      spotDiff(18, 20), // 7: gap (expected U 16)
      spotDiff(21, 22), // 8
      snapshot(30), // 9: replaces the book
      spotDiff(25, 29), // 10: stale
      spotDiff(35, 40), // 11: does not bracket 31: gap
      "", // blank lines are skipped
    ];
    const path = writeLines(join(tmp.dir, "synthetic_spot.txt"), lines);
    const imp = parseBinance([path]);
    const b = imp.depth.meta.binance!;
    expect(b.bufferedBeforeSnapshot).toBe(2);
    expect(b.droppedStale).toBe(2);
    expect(b.droppedDuplicate).toBe(1);
    expect(b.diffEvents).toBe(5);
    expect(b.snapshots.map((s) => [s.line, s.row, s.levels, s.lastUpdateId])).toEqual([
      [3, 0, 3, 10],
      [9, 7, 3, 30],
    ]);
    expect(b.gaps.map((g) => [g.line, g.row, g.rule, g.prevLastUpdateId, g.firstUpdateId])).toEqual([
      [7, 5, "U == prev u + 1", 15, 18],
      [11, 10, "U <= lastUpdateId + 1 <= u (first diff after the snapshot)", 30, 35],
    ]);
    const d = imp.depth.columns;
    // Rows: snapshot(3), diff 6..12, diff 13..15, diff 18..20, diff 21..22, snapshot(3), diff 35..40.
    expect([...d.isSnapshot]).toEqual([1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0]);
    expect([...d.lastUpdateId]).toEqual([10n, 10n, 10n, 12n, 15n, 20n, 22n, 30n, 30n, 30n, 40n]);
    expect([...d.side.subarray(0, 3)]).toEqual([0, 0, 1]);
    expect([...d.qtyLots.subarray(0, 3)]).toEqual([250_000_000n, 100_000_000n, 1_000n]);
    expect(d.exchangeTsNs[0]).toBe(0n); // a spot REST snapshot carries no exchange time
    expect(imp.bbo.columns.updateId[0]).toBe(12n);
  });

  it("applies USD-M's rule: u < lastUpdateId is stale, U <= lastUpdateId <= u brackets, then pu == prev u", () => {
    const lines = [snapshot(100, { E: 1_723_161_254_000, T: 1_723_161_254_000 }, [["99.9", "0.002"]], [["100.1", "1.5"]]), usdmDiff(90, 99, 89), usdmDiff(95, 100, 94), usdmDiff(101, 105, 100), usdmDiff(106, 110, 104)];
    const imp = parseBinance([writeLines(join(tmp.dir, "synthetic_usdm.txt.gz"), lines)]);
    const b = imp.depth.meta.binance!;
    expect(b.market).toBe("usdm");
    expect(b.droppedStale).toBe(1);
    expect(b.diffEvents).toBe(3);
    expect(b.gaps.map((g) => [g.line, g.rule, g.prevLastUpdateId, g.prevUpdateId])).toEqual([[5, "pu == prev u", 105, 104]]);
    expect(imp.depth.columns.exchangeTsNs[0]).toBe(1_723_161_254_000_000_000n);
  });

  it("names the line of malformed input", () => {
    const bad = writeLines(join(tmp.dir, "bad.txt"), [snapshot(10), spotDiff(11, 12), `${ts(99)} {"stream":"btcusdt@depth@100ms","data":{"U":1`]);
    const e = caught(() => parseBinance([bad]));
    expect(e.code).toBe("BAD_JSON");
    expect(e.line).toBe(3);
    expect(e.message).toContain("bad.txt:3:");
    const noTs = writeLines(join(tmp.dir, "nots.txt"), [snapshot(10), "hello world", spotDiff(11, 12)]);
    expect(caught(() => parseBinance([noTs])).line).toBe(2);
    const offLot = writeLines(join(tmp.dir, "offlot.txt"), [snapshot(10), spotDiff(11, 12, [["100.00", "0.000000001"]])]);
    const e2 = caught(() => parseBinance([offLot]));
    expect(e2.code).toBe("OFF_GRID");
    expect(e2.line).toBe(2);
  });
});
