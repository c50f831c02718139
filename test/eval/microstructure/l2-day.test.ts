// The L2 → L3 replay of a Binance stream (eval/microstructure/l2-day.ts): a hand-made depth and trade sequence whose
// messages are worked out by hand, the errors of the loader, then the real spot BTCUSDT stream of 2024-08-08/09
// against its own depth table and trade tape.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance } from "../../../data/binance.js";
import { DataError } from "../../../data/errors.js";
import { MessageType, type L2Columns, type TradeColumns } from "../../../data/schema.js";
import { encodeFixedTable, writeFilesAtomically } from "../../../data/writer.js";
import { EvalError } from "../../../eval/errors.js";
import type { L3Day } from "../../../eval/microstructure/day.js";
import { stylizedFacts } from "../../../eval/microstructure/facts.js";
import { l2ToL3Day, loadL2Day, readL2Stream, type L2Stream } from "../../../eval/microstructure/l2-day.js";
import { available, caught, spot, tempFolder, writeLines } from "../../data/fixtures.js";

const tmp = tempFolder();
afterAll(tmp.cleanup);

// ---- a hand-made stream ----

const BASE_NS = 1_723_161_254_000_000_000n;
const ms = (x: number) => BASE_NS + BigInt(x) * 1_000_000n;

/** A depth event: its level rows as [side, priceTicks, qtyLots], its exchange time (ms after BASE) and update ids. */
interface DepthEvent {
  atMs: number;
  snapshot?: boolean;
  firstId: number;
  lastId: number;
  levels: readonly (readonly [0 | 1, number, number])[];
}

function depthColumns(events: readonly DepthEvent[]): L2Columns {
  const rows = events.flatMap((e) => e.levels.map((l) => ({ e, l })));
  const i64 = (f: (r: (typeof rows)[number]) => bigint) => BigInt64Array.from(rows, f);
  return {
    tsNs: i64(({ e }) => ms(e.atMs) - 1_270_000_000n),
    exchangeTsNs: i64(({ e }) => (e.snapshot ? 0n : ms(e.atMs))),
    side: Uint8Array.from(rows, ({ l }) => l[0]),
    priceTicks: i64(({ l }) => BigInt(l[1])),
    qtyLots: i64(({ l }) => BigInt(l[2])),
    isSnapshot: Uint8Array.from(rows, ({ e }) => (e.snapshot ? 1 : 0)),
    firstUpdateId: i64(({ e }) => BigInt(e.firstId)),
    lastUpdateId: i64(({ e }) => BigInt(e.lastId)),
    prevUpdateId: i64(() => -1n),
  };
}

/** Trades as [atMs, aggressor (0 buy, 1 sell), priceTicks, qtyLots]. */
function tradeColumns(trades: readonly (readonly [number, 0 | 1, number, number])[]): TradeColumns {
  return {
    tsNs: BigInt64Array.from(trades, ([t]) => ms(t) - 1_270_000_000n),
    exchangeTsNs: BigInt64Array.from(trades, ([t]) => ms(t)),
    priceTicks: BigInt64Array.from(trades, ([, , p]) => BigInt(p)),
    qtyLots: BigInt64Array.from(trades, ([, , , q]) => BigInt(q)),
    aggressorSide: Uint8Array.from(trades, ([, a]) => a),
    tradeId: BigInt64Array.from(trades, (_, i) => BigInt(i + 1)),
  };
}

// Snapshot: bids 100×5, 99×3, 90×1; asks 101×4, 102×6, 110×1. Diff A at 1000 ms: bid 100 → 2, ask 101 → 0, ask 103 → 7. Diff B at
// 1100 ms: bid 99 → 1, ask 102 → 9.
const events: DepthEvent[] = [
  { atMs: 0, snapshot: true, firstId: 10, lastId: 10, levels: [[0, 100, 5], [0, 99, 3], [0, 90, 1], [1, 101, 4], [1, 102, 6], [1, 110, 1]] },
  { atMs: 1000, firstId: 11, lastId: 12, levels: [[0, 100, 2], [1, 101, 0], [1, 103, 7]] },
  { atMs: 1100, firstId: 13, lastId: 14, levels: [[0, 99, 1], [1, 102, 9]] },
];
const trades = tradeColumns([
  [850, 1, 100, 1], // before diff A's batch (one 100 ms batch back): left out
  [920, 1, 100, 1], // sell hitting bid 100, which falls by 3: executed; the other 2 are a cancel
  [950, 0, 101, 4], // buy lifting ask 101, which falls by 4: executed
  [960, 0, 105, 2], // buy at 105, not in the book: hidden
  [1000, 1, 99, 3], // at diff A's time, so in B's batch: bid 99 falls by 2, so 2 executed and 1 hidden
  [1050, 0, 102, 1], // buy at 102, which grows by 3 in the batch: hidden (the add is seen net: 3, not 4)
  [1100, 0, 102, 1], // at the last diff's time: no diff shows it, left out
]);
const stream = (gapRows: number[] = []): L2Stream => ({
  symbol: "TEST", tickSize: 0.01, lotSize: 1,
  depth: depthColumns(events), trades,
  snapshots: [{ row: 0, levels: 6 }],
  gaps: gapRows.map((row) => ({ row })),
});

/** Messages as [t, type, side, priceTicks, qtyLots]. */
const messages = (day: L3Day) => Array.from(day.t, (t, i) => [Math.round(t * 1000) / 1000, day.type[i], day.side[i], day.priceTicks[i], day.qtyLots[i]]);
/** The book after message i as [[price, lots]…] per side. */
const bookAt = (day: L3Day, i: number) => {
  const side = (price: Float64Array[], qty: Float64Array[]) => price.map((p, l) => [p[i], qty[l][i]]).filter(([p]) => !Number.isNaN(p));
  return { bids: side(day.bidPrice, day.bidQty), asks: side(day.askPrice, day.askQty) };
};
const { Add, Delete, VisibleExecution: Exec, HiddenExecution: Hidden } = MessageType;

describe("l2ToL3Day on a hand-made stream", () => {
  it("executes a decrease by the batch's trades at that level, cancels the rest, adds the increases and hides unmatched trades", () => {
    const r = l2ToL3Day(stream());
    expect(messages(r.day)).toEqual([
      [0, Exec, 0, 100, 1],
      [0.03, Exec, 1, 101, 4],
      [0.04, Hidden, 1, 105, 2],
      [0.08, Delete, 0, 100, 2],
      [0.08, Add, 1, 103, 7],
      [0.08, Exec, 0, 99, 2],
      [0.08, Hidden, 0, 99, 1],
      [0.13, Hidden, 1, 102, 1],
      [0.18, Add, 1, 102, 3],
    ]);
    expect(Array.from(r.afterDiff)).toEqual([4, 8]);
    expect(Array.from(r.diffRows)).toEqual([6, 9]);
    expect(r.tradesOutside).toBe(2);
    expect(bookAt(r.day, 1)).toEqual({ bids: [[100, 4], [99, 3], [90, 1]], asks: [[102, 6], [110, 1]] });
    expect(bookAt(r.day, 4)).toEqual({ bids: [[100, 2], [99, 3], [90, 1]], asks: [[102, 6], [103, 7], [110, 1]] });
    expect(bookAt(r.day, 8)).toEqual({ bids: [[100, 2], [99, 1], [90, 1]], asks: [[102, 9], [103, 7], [110, 1]] });
    expect(r.day.mid[8]).toBe(101);
    expect(Array.from(r.day.orderId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("dates the day by the first message's exchange time (UTC)", () => {
    const day = l2ToL3Day(stream()).day;
    // BASE + 920 ms = 2024-08-08T23:54:14.920Z.
    expect(day.date).toBe("2024-08-08");
    expect(day.startLocalS).toBeCloseTo(23 * 3600 + 54 * 60 + 14.92, 9);
    expect(day).toMatchObject({ symbol: "TEST", tickSize: 0.01, lotSize: 1, levels: 10 });
  });

  it("moves bids down and asks up onto a coarser grid, summing the levels that meet", () => {
    const r = l2ToL3Day(stream(), { tickMultiple: 2 });
    // Bids 100 → 50, 99 → 49, 90 → 45; asks 101, 102 → 51, 103 → 52, 105 → 53, 110 → 55.
    expect(messages(r.day).map(([, type, side, price, lots]) => [type, side, price, lots])).toEqual([
      [Exec, 0, 50, 1],
      [Exec, 1, 51, 4],
      [Hidden, 1, 53, 2],
      [Delete, 0, 50, 2],
      [Add, 1, 52, 7],
      [Exec, 0, 49, 2],
      [Hidden, 0, 49, 1],
      [Hidden, 1, 51, 1],
      [Add, 1, 51, 3],
    ]);
    expect(bookAt(r.day, 0)).toEqual({ bids: [[50, 4], [49, 3], [45, 1]], asks: [[51, 10], [55, 1]] });
    expect(bookAt(r.day, 8)).toEqual({ bids: [[50, 2], [49, 1], [45, 1]], asks: [[51, 9], [52, 7], [55, 1]] });
    expect(r.day.tickSize).toBe(0.02);
  });

  it("lists only the adds and cancels inside the recorded levels, and the recorded book stays exact", () => {
    const r = l2ToL3Day(stream(), { levels: 1 });
    // The add at 103, behind the best ask 102, is applied but not listed.
    expect(messages(r.day).map(([, type, , price]) => [type, price])).toEqual([
      [Exec, 100], [Exec, 101], [Hidden, 105], [Delete, 100], [Exec, 99], [Hidden, 99], [Hidden, 102], [Add, 102],
    ]);
    expect(r.unlisted).toBe(1);
    expect(bookAt(r.day, 7)).toEqual({ bids: [[100, 2]], asks: [[102, 9]] });
    const all = l2ToL3Day(stream(), { levels: 1, view: "book" });
    expect(all.day.t.length).toBe(9);
    expect(all.unlisted).toBe(0);
  });

  it("takes a level beyond the snapshot's depth as found on its first diff, not as an add, and follows it after", () => {
    const far: DepthEvent[] = [
      events[0],
      { atMs: 1000, firstId: 11, lastId: 12, levels: [[0, 80, 5], [0, 100, 6]] },
      { atMs: 1100, firstId: 13, lastId: 14, levels: [[0, 80, 2]] },
    ];
    const r = l2ToL3Day({ ...stream(), depth: depthColumns(far), trades: tradeColumns([]) }, { levels: 2, view: "book" });
    expect(messages(r.day).map(([, type, , price, lots]) => [type, price, lots])).toEqual([[Add, 100, 1], [Delete, 80, 3]]);
    expect(r.seededBeyondSnapshot).toBe(1);
  });

  it("replays only up to the first break in the diff sequence", () => {
    const r = l2ToL3Day(stream([9]));
    expect(r.day.t.length).toBe(5);
    expect(Array.from(r.afterDiff)).toEqual([4]);
    expect(r.tradesOutside).toBe(4);
  });

  it("refuses a tick multiple or level count that is not a positive integer", () => {
    expect(() => l2ToL3Day(stream(), { tickMultiple: 0 })).toThrow(EvalError);
    expect(() => l2ToL3Day(stream(), { tickMultiple: 2.5 })).toThrow(/tickMultiple must be a positive integer, got 2.5/);
    expect(() => l2ToL3Day(stream(), { levels: 0 })).toThrow(/levels must be a positive integer/);
  });
});

// ---- the loader, on a tiny collector file imported as the CLI does ----

function importTiny(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const ts = (i: number) => String(BASE_NS - 1_300_000_000n + BigInt(i) * 1_000_000n);
  const lines = [
    `${ts(0)} ${JSON.stringify({ lastUpdateId: 10, bids: [["100.00", "2.5"]], asks: [["100.01", "1"]] })}`,
    `${ts(1)} ${JSON.stringify({ stream: "btcusdt@trade", data: { e: "trade", E: 1_723_161_254_050, s: "BTCUSDT", t: 7, p: "100.01", q: "0.5", T: 1_723_161_254_050, m: false, M: true } })}`,
    `${ts(2)} ${JSON.stringify({ stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: 1_723_161_254_100, s: "BTCUSDT", U: 11, u: 12, b: [], a: [["100.01", "0.5"]] } })}`,
  ];
  const out = join(dir, "spot.arrow");
  writeBinance(parseBinance([writeLines(join(dir, "spot.txt"), lines)]), out);
  return out;
}

describe("loadL2Day", () => {
  it("reads a Binance import in exchange time, with the import's tick and lot", () => {
    const day = loadL2Day(importTiny(join(tmp.dir, "tiny")));
    expect(messages(day)).toEqual([[0, Exec, 1, 10_001, 50_000_000]]);
    expect(day).toMatchObject({ symbol: "BTCUSDT", date: "2024-08-08", tickSize: 0.01, lotSize: 1e-8 });
    // The trade's exchange time T (23:54:14.050), not the collector's receive time (1.3 s earlier).
    expect(day.startLocalS).toBeCloseTo(86_054.05, 9);
  });

  it("refuses a file that is not a depth table, naming it and the file to pass", () => {
    importTiny(join(tmp.dir, "kind"));
    const e = caught(() => loadL2Day(join(tmp.dir, "kind", "spot.trades.arrow")));
    expect(e.code).toBe("WRONG_KIND");
    expect(e.message).toContain("spot.trades.arrow");
    expect(e.message).toMatch(/holds a "trades" table; an L2 day is built from the depth \("l2"\) table of a Binance import.*tranche data import-binance/);
  });

  it("refuses a depth table whose trades companion is missing or was never written", () => {
    const dir = join(tmp.dir, "alone");
    mkdirSync(dir);
    copyFileSync(importTiny(join(tmp.dir, "src")), join(dir, "spot.arrow"));
    const missing = caught(() => loadL2Day(join(dir, "spot.arrow")));
    expect(missing.code).toBe("FILE_NOT_FOUND");
    expect(missing.message).toMatch(/the "trades" companion of spot\.arrow .* is missing/);

    const imp = parseBinance([writeLines(join(dir, "x.txt"), [
      `${BASE_NS} ${JSON.stringify({ lastUpdateId: 10, bids: [["100.00", "2.5"]], asks: [["100.01", "1"]] })}`,
      `${BASE_NS + 1n} ${JSON.stringify({ stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: 1_723_161_254_100, s: "BTCUSDT", U: 11, u: 12, b: [], a: [] } })}`,
    ])]);
    const depthOnly = join(dir, "depth-only.arrow");
    writeFilesAtomically([{ path: depthOnly, bytes: encodeFixedTable("l2", imp.depth.meta, imp.depth.columns) }]);
    const never = caught(() => loadL2Day(depthOnly));
    expect(never.code).toBe("FILE_NOT_FOUND");
    expect(never.message).toMatch(/depth-only\.arrow: the import records no trades companion.*Fix: re-import with `tranche data import-binance`/);
  });
});

// ---- the real spot stream ----

/** The depth table replayed on its own: the top `levels` levels (coarse grid) after each diff event. */
function replayTop(s: L2Stream, tickMultiple: number, levels: number): { rows: number[]; bids: number[][][]; asks: number[][][] } {
  const d = s.depth;
  const book = [new Map<number, number>(), new Map<number, number>()];
  const out = { rows: [] as number[], bids: [] as number[][][], asks: [] as number[][][] };
  const top = (side: 0 | 1) => {
    const coarse = new Map<number, number>();
    for (const [p, q] of book[side]) {
      const c = side === 0 ? Math.floor(p / tickMultiple) : Math.ceil(p / tickMultiple);
      coarse.set(c, (coarse.get(c) ?? 0) + q);
    }
    return [...coarse].sort((a, b) => (side === 0 ? b[0] - a[0] : a[0] - b[0])).slice(0, levels);
  };
  for (let i = 0; i < d.tsNs.length; i++) {
    if (d.qtyLots[i] === 0n) book[d.side[i]].delete(Number(d.priceTicks[i]));
    else book[d.side[i]].set(Number(d.priceTicks[i]), Number(d.qtyLots[i]));
    if (d.isSnapshot[i] === 0 && (i === 0 || d.lastUpdateId[i - 1] !== d.lastUpdateId[i] || d.isSnapshot[i - 1] === 1)) out.rows.push(i);
    const endOfDiff = d.isSnapshot[i] === 0 && (i + 1 === d.tsNs.length || d.lastUpdateId[i + 1] !== d.lastUpdateId[i]);
    if (endOfDiff) {
      out.bids.push(top(0));
      out.asks.push(top(1));
    }
  }
  return out;
}

const haveSpot = available("L2 day of the Binance spot stream", spot.day08, spot.day09);
describe.skipIf(!haveSpot)("the Binance spot BTCUSDT stream of 2024-08-08/09 as an L2 day", () => {
  let s: L2Stream;
  let tradeLots = 0;
  beforeAll(() => {
    const file = join(tmp.dir, "spot-btcusdt.arrow");
    writeBinance(parseBinance([spot.day08, spot.day09]), file);
    s = readL2Stream(file);
    for (const q of s.trades.qtyLots) tradeLots += Number(q);
  });

  it.each([1, 10, 100])("rebuilds the depth table's top 10 levels after every diff (tick multiple %i)", (tickMultiple) => {
    const r = l2ToL3Day(s, { tickMultiple });
    const ref = replayTop(s, tickMultiple, 10);
    expect(Array.from(r.diffRows)).toEqual(ref.rows);
    expect(ref.rows.length).toBe(6_493);
    let compared = 0;
    for (let k = 0; k < ref.rows.length; k++) {
      const i = r.afterDiff[k];
      expect(i, `diff ${k}`).toBeGreaterThanOrEqual(0);
      const got = (price: Float64Array[], qty: Float64Array[]) => price.map((p, l) => [p[i], qty[l][i]]);
      expect(got(r.day.bidPrice, r.day.bidQty), `bids after diff ${k}`).toEqual(ref.bids[k]);
      expect(got(r.day.askPrice, r.day.askQty), `asks after diff ${k}`).toEqual(ref.asks[k]);
      compared++;
    }
    expect(compared).toBe(6_493);
  });

  it("executes exactly the trade tape's volume (types 4 and 5), most of it matched to a level decrease", () => {
    const r = l2ToL3Day(s);
    let visible = 0, hidden = 0;
    for (let i = 0; i < r.day.t.length; i++) {
      if (r.day.type[i] === Exec) visible += r.day.qtyLots[i];
      if (r.day.type[i] === Hidden) hidden += r.day.qtyLots[i];
    }
    expect(r.tradesOutside).toBe(0);
    expect(visible + hidden).toBe(tradeLots);
    // 74.8% on this stream (see the file header of l2-day.ts).
    expect(visible / tradeLots).toBeGreaterThan(0.7);
  });

  it("gives a day the stylized facts read: exchange times from 0, finite spread, depth and rates", () => {
    const day = l2ToL3Day(s, { tickMultiple: 10 }).day;
    expect(day.t[0]).toBe(0);
    for (let i = 1; i < day.t.length; i++) if (day.t[i] < day.t[i - 1]) throw new Error(`time goes back at message ${i}`);
    expect(day.date).toBe("2024-08-08");
    expect(day.startLocalS).toBeGreaterThan(23 * 3600 + 54 * 60);
    const f = stylizedFacts(day);
    expect(f.durationS).toBeGreaterThan(600);
    expect(f.meanSpreadTicks).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(f.meanSpreadTicks)).toBe(true);
    for (const q of [...f.meanDepthLots.bid, ...f.meanDepthLots.ask]) expect(q).toBeGreaterThan(0);
    for (const rate of [f.limitArrivals.total.perS, f.cancellations.total.perS, f.visibleExecutions.total.perS, f.marketOrders.total.perS, f.cancelRatePerRestingLot]) {
      expect(Number.isFinite(rate) && rate > 0).toBe(true);
    }
    expect(f.oneSideEmptyShare).toBe(0);
    expect(f.placement.crossing).toBe(0);
  });
});
