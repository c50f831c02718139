// A Binance L2 stream (price-level depth diffs and the trade tape) replayed into the L3 day the microstructure
// analytics and the calibration read (day.ts). L2 has no order ids, so the messages are inferred per price level:
//
// - Trades and diffs are matched by exchange time. A diff with event time E_k carries the net change of every level
//   since the previous diff (E_{k−1}); the trades of that batch are those with trade time T in [E_{k−1}, E_k).
//   (A trade stamped exactly E_k shows in the next diff: on the 2024-08-08/09 spot stream this window matches 74.8%
//   of the traded volume to a level decrease at its price and side, (E_{k−1}, E_k] 73.1%; shifting it by ±5 ms or
//   more matches less.)
// - A level whose quantity falls by D in a batch is executed by the trades of the batch at that price on its side
//   (a buy executes asks), in trade-time order, up to D in all: each such trade is a type 4 at its own time T. The
//   rest of D is a type 3 at E_k (a cancel: L2 cannot tell a partial cancel, LOBSTER's type 2, from a whole one).
// - A level whose quantity grows is a type 1 (add) of the increase at E_k.
// - Traded volume not matched to a decrease (the level grew or fell by less, stood still, or is not in the book) is a
//   type 5 at T: the visible book does not change, and no traded volume is lost.
// - The day is what a LOBSTER file of `levels` levels would list (the view calibrate.ts's `lobsterView` gives a
//   simulated day): adds and cancels at a price outside the top `levels` levels of their side are not listed (the
//   depth diffs cover the whole book, and its far levels' flow outnumbers the near flow; the stylized facts' cancel
//   rate per resting lot and the calibration's cancel rates count only listed cancels). Executions are always listed.
//   Skipping a message outside the levels changes no recorded level, so the book after each message stays exact.
// - The REST snapshot holds the best 1000 levels a side; diffs also touch levels beyond them. Such a level's first
//   diff sets a quantity whose change is unknown: it is taken as the level's state, not as an add, in either view,
//   unless it lands inside the recorded levels (then it is an add, so that the recorded book stays the depth table's).
//
// What this cannot see: adds and cancels that net out inside one 100 ms batch (an order placed and cancelled, or
// a level executed and refilled, between two diffs), the order count behind one level change (one message per level
// and batch), and a trade whose decrease is published one batch late (about 7% of the volume on that stream): it
// becomes a type 5 now and a cancel in the next batch. Per level and batch, adds − cancels − executions is exact, so
// the book after each diff is the depth table's.
import { DataError } from "../../data/errors.js";
import { openDataFile, readBinance } from "../../data/reader.js";
import { MessageType, type DepthGap, type L2Columns, type SnapshotRecord, type TradeColumns } from "../../data/schema.js";
import { EvalError } from "../errors.js";
import type { L3Day } from "./day.js";

/** A Binance depth table and its trade tape, with what the replay needs from the import's metadata. */
export interface L2Stream {
  symbol: string;
  /** The import's native tick (quote currency) and lot (base currency). */
  tickSize: number;
  lotSize: number;
  depth: L2Columns;
  trades: TradeColumns;
  /** Where each REST snapshot's levels are in `depth` (the import's `snapshots` metadata). */
  snapshots: readonly Pick<SnapshotRecord, "row" | "levels">[];
  /** Where the diff sequence breaks (the import's `gaps` metadata): the book is unreliable from `row` to the next snapshot. */
  gaps: readonly Pick<DepthGap, "row">[];
}

/** Options of {@link loadL2Day} and {@link l2ToL3Day}. */
export interface L2DayOptions {
  /**
   * Native ticks per tick of the day's price grid. Default 1. A level is moved to the coarse price that keeps it on
   * its own side of the book: bids down (⌊p / m⌋), asks up (⌈p / m⌉); levels that land on one coarse price are summed.
   * A trade takes the coarse price of the level it executed. Messages stay one per native level and batch, so an
   * order moved between two native ticks of one coarse tick is still a cancel and an add.
   */
  tickMultiple?: number;
  /** Book levels per side recorded after each message. Default 10. */
  levels?: number;
  /**
   * Which adds and cancels are listed. `"levels"` (default): those at a price inside the top `levels` levels of their
   * side, as a LOBSTER file of that many levels lists them (what the facts and the calibration expect). `"book"`:
   * every level change, far from the touch included.
   */
  view?: "levels" | "book";
}

/** The replay's L3 day and where the depth table's diffs fall in it. */
export interface L2Reconstruction {
  day: L3Day;
  /** First depth row of each diff event replayed, in order. */
  diffRows: Int32Array;
  /** For each diff event replayed, the last message emitted once it was applied (−1 before any): the book there is the depth table's. */
  afterDiff: Int32Array;
  /** Trades outside the replayed stretch (before its first batch or at/after its last diff), left out of the day. */
  tradesOutside: number;
  /** Adds and cancels applied to the book but not listed: outside the recorded levels (view `"levels"`). */
  unlisted: number;
  /** Levels beyond the snapshot's depth whose first diff was taken as their state rather than as an add. */
  seededBeyondSnapshot: number;
}

const REIMPORT = "import the collector files with `tranche data import-binance <file.gz>... -o <out.arrow>` and pass <out.arrow>";

/** Reads a Binance import (`tranche data import-binance`): the depth table at `depthFile` and its trades companion. */
export function readL2Stream(depthFile: string): L2Stream {
  const meta = openDataFile(depthFile).meta;
  if (meta.kind !== "l2" || meta.binance === undefined) {
    const what = meta.kind === "l3" || meta.kind === "book" ? `a LOBSTER "${meta.kind}" table (read it with loadL3Day)` : `a "${meta.kind}" table`;
    throw new DataError("WRONG_KIND", `the file holds ${what}; an L2 day is built from the depth ("l2") table of a Binance import`, `${REIMPORT} (the depth file, not its .trades/.bbo companions)`, { file: depthFile });
  }
  if (meta.companions.trades === undefined) {
    throw new DataError("FILE_NOT_FOUND", "the import records no trades companion; without the trade tape executions cannot be told from cancels", `re-import with \`tranche data import-binance\`, which writes <out>.trades.arrow next to <out>.arrow`, { file: depthFile });
  }
  const { depth, trades } = readBinance(depthFile);
  return {
    symbol: depth.meta.symbol,
    tickSize: Number(depth.meta.tickSize),
    lotSize: Number(depth.meta.lotSize),
    depth: depth.columns,
    trades: trades!.columns,
    snapshots: depth.meta.binance!.snapshots,
    gaps: depth.meta.binance!.gaps,
  };
}

/** Reads a Binance import as an L3 day; see the file header for how messages are inferred, {@link L2DayOptions} for the grid. */
export function loadL2Day(depthFile: string, options: L2DayOptions = {}): L3Day {
  return l2ToL3Day(readL2Stream(depthFile), options).day;
}

/** One synchronised stretch of the depth table: a snapshot and the diffs that follow it without a break. */
interface Stretch {
  snapshotRow: number;
  /** Rows of the diffs: [first, end). */
  first: number;
  end: number;
}

/**
 * The stretches a book can be rebuilt over: from each snapshot to the next snapshot or the first gap after it. The
 * replay takes the one spanning the longest exchange time (a day is one continuous book; the first of equals).
 */
function longestStretch(s: L2Stream): Stretch {
  const rows = s.depth.tsNs.length;
  const snapshots = [...s.snapshots].sort((a, b) => a.row - b.row);
  let best: Stretch | undefined, bestSpan = -1;
  snapshots.forEach((snap, i) => {
    const first = snap.row + snap.levels;
    let end = i + 1 < snapshots.length ? snapshots[i + 1].row : rows;
    for (const g of s.gaps) if (g.row >= first && g.row < end) end = g.row;
    if (end <= first) return;
    const span = Number(s.depth.exchangeTsNs[end - 1] - s.depth.exchangeTsNs[first]);
    if (span > bestSpan) (best = { snapshotRow: snap.row, first, end }), (bestSpan = span);
  });
  if (best === undefined) {
    throw new DataError("NO_SNAPSHOT", `no depth diff applies after a snapshot without a break (${snapshots.length} snapshots, ${s.gaps.length} gaps)`, "record a stream whose REST snapshot is followed by an unbroken diff sequence, and re-import it");
  }
  return best;
}

/** One side's levels on the day's grid: prices sorted with the best last (changes happen near the top). */
class SideBook {
  readonly prices: number[] = [];
  readonly lots = new Map<number, number>();
  constructor(private readonly isBid: boolean) {}

  /** Levels strictly better than `price` (its rank if it is a level). */
  better(price: number): number {
    return this.prices.length - this.position(price) - (this.lots.has(price) ? 1 : 0);
  }

  /** Adds `deltaLots` (either sign) at `price`; a level at 0 lots is removed. */
  change(price: number, deltaLots: number): void {
    const now = (this.lots.get(price) ?? 0) + deltaLots;
    if (now > 0) {
      if (!this.lots.has(price)) this.prices.splice(this.position(price), 0, price);
      this.lots.set(price, now);
    } else if (this.lots.delete(price)) this.prices.splice(this.position(price), 1);
  }

  /** Index of `price` in `prices`, or where it would go (bids ascending, asks descending). */
  private position(price: number): number {
    let lo = 0, hi = this.prices.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.isBid ? this.prices[m] < price : this.prices[m] > price) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

/** The median step between successive diff events of the table, ns (the stream's batch interval); undefined with one diff. */
function batchIntervalNs(d: L2Columns): bigint | undefined {
  const steps: bigint[] = [];
  let previous: bigint | undefined;
  for (let i = 0; i < d.tsNs.length; i++) {
    if (d.isSnapshot[i] === 1 || (i > 0 && d.isSnapshot[i - 1] === 0 && d.lastUpdateId[i] === d.lastUpdateId[i - 1])) continue;
    if (previous !== undefined) steps.push(d.exchangeTsNs[i] - previous);
    previous = d.exchangeTsNs[i];
  }
  steps.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return steps.length > 0 ? steps[steps.length >> 1] : undefined;
}

/**
 * Replays an L2 stream into an L3 day (the rules are in the file header). Only the longest synchronised stretch is
 * replayed. Its first batch takes the trades after the snapshot's exchange time; a spot snapshot carries none, so
 * those of one batch interval (the table's median step between diffs) before the first diff, or every earlier trade
 * if the table has one diff. Trades before that, or at or after the last diff, have no diff to show them and are
 * left out ({@link L2Reconstruction.tradesOutside}). Within a batch the executions come first (at their
 * trade times), then the cancels, then the adds (so the book never crosses in between), each in depth-table order.
 */
export function l2ToL3Day(s: L2Stream, options: L2DayOptions = {}): L2Reconstruction {
  const m = options.tickMultiple ?? 1;
  const levels = options.levels ?? 10;
  const view = options.view ?? "levels";
  if (!Number.isSafeInteger(m) || m < 1) throw new EvalError("INVALID_OPTION", `l2ToL3Day: tickMultiple must be a positive integer, got ${m}`);
  if (!Number.isSafeInteger(levels) || levels < 1) throw new EvalError("INVALID_OPTION", `l2ToL3Day: levels must be a positive integer, got ${levels}`);
  if (view !== "levels" && view !== "book") throw new EvalError("INVALID_OPTION", `l2ToL3Day: view must be "levels" or "book", got ${String(view)}`);
  const d = s.depth, tr = s.trades;
  const stretch = longestStretch(s);

  // Diff events: rows of one event share their update id.
  const eventRows: number[] = [];
  for (let i = stretch.first; i < stretch.end; i++) if (i === stretch.first || d.lastUpdateId[i] !== d.lastUpdateId[i - 1]) eventRows.push(i);
  const eventEnd = (k: number) => (k + 1 < eventRows.length ? eventRows[k + 1] : stretch.end);

  // Trades in exchange-time order (the tape is in receive order; ties keep it).
  const nTrades = tr.tsNs.length;
  const order = Array.from({ length: nTrades }, (_, i) => i);
  for (let i = 1; i < nTrades; i++) {
    if (tr.exchangeTsNs[i] < tr.exchangeTsNs[i - 1]) {
      order.sort((a, b) => (tr.exchangeTsNs[a] < tr.exchangeTsNs[b] ? -1 : tr.exchangeTsNs[a] > tr.exchangeTsNs[b] ? 1 : a - b));
      break;
    }
  }
  const snapshotNs = d.exchangeTsNs[stretch.snapshotRow];
  const interval = batchIntervalNs(d);
  const fromNs = snapshotNs > 0n ? snapshotNs : interval === undefined ? undefined : d.exchangeTsNs[eventRows[0]] - interval;
  const untilNs = d.exchangeTsNs[eventRows[eventRows.length - 1]];
  let ti = 0;
  while (fromNs !== undefined && ti < nTrades && tr.exchangeTsNs[order[ti]] < fromNs) ti++;
  let tradesInside = 0;
  for (let j = ti; j < nTrades && tr.exchangeTsNs[order[j]] < untilNs; j++) tradesInside++;

  // The native book (to tell each level's change) and the day's book on the coarse grid.
  const native = [new Map<number, number>(), new Map<number, number>()];
  const book = [new SideBook(true), new SideBook(false)];
  const coarse = (side: number, price: number) => (m === 1 ? price : side === 0 ? Math.floor(price / m) : Math.ceil(price / m));
  const setNative = (side: number, price: number, lots: number) => {
    const old = native[side].get(price) ?? 0;
    if (lots > 0) native[side].set(price, lots);
    else native[side].delete(price);
    book[side].change(coarse(side, price), lots - old);
  };
  // Prices the snapshot vouches for: a bid at or above its deepest bid, an ask at or below its deepest ask.
  let deepestBid = Infinity, deepestAsk = -Infinity;
  for (let i = stretch.snapshotRow; i < stretch.first; i++) {
    const price = Number(d.priceTicks[i]);
    setNative(d.side[i], price, Number(d.qtyLots[i]));
    if (d.side[i] === 0) deepestBid = Math.min(deepestBid, price);
    else deepestAsk = Math.max(deepestAsk, price);
  }
  const seenBeyond = [new Set<number>(), new Set<number>()];
  const known = (levelSide: number, price: number) =>
    (levelSide === 0 ? price >= deepestBid : price <= deepestAsk) || seenBeyond[levelSide].has(price);
  const inView = (levelSide: number, price: number) => book[levelSide].better(coarse(levelSide, price)) < levels;
  let unlisted = 0, seededBeyondSnapshot = 0;

  // Messages: at most one per diff row, two per trade (a matched part and a hidden rest).
  const capacity = stretch.end - stretch.first + 2 * tradesInside;
  const sinceFirstNs = new Float64Array(capacity);
  const type = new Uint8Array(capacity), side = new Uint8Array(capacity);
  const priceTicks = new Float64Array(capacity), qtyLots = new Float64Array(capacity);
  const column = () => new Float64Array(capacity);
  const bidPrice = Array.from({ length: levels }, column), bidQty = Array.from({ length: levels }, column);
  const askPrice = Array.from({ length: levels }, column), askQty = Array.from({ length: levels }, column);
  let n = 0;
  let t0Ns: bigint | undefined;
  let lastNs = -Infinity;
  const emit = (atNs: bigint, messageType: number, restingSide: number, nativePrice: number, lots: number) => {
    t0Ns ??= atNs;
    // Exchange times of diffs and trades never go back on Binance; clamp so that a day's times never decrease.
    lastNs = Math.max(lastNs, Number(atNs - t0Ns));
    sinceFirstNs[n] = lastNs;
    type[n] = messageType;
    side[n] = restingSide;
    priceTicks[n] = coarse(restingSide, nativePrice);
    qtyLots[n] = lots;
    const [bids, asks] = book;
    for (let l = 0; l < levels; l++) {
      const b = bids.prices[bids.prices.length - 1 - l], a = asks.prices[asks.prices.length - 1 - l];
      bidPrice[l][n] = b ?? NaN;
      bidQty[l][n] = b === undefined ? 0 : bids.lots.get(b)!;
      askPrice[l][n] = a ?? NaN;
      askQty[l][n] = a === undefined ? 0 : asks.lots.get(a)!;
    }
    n++;
  };

  const diffRows = Int32Array.from(eventRows);
  const afterDiff = new Int32Array(eventRows.length);
  // Per batch: the level's target quantity, and the decrease trades may still explain, keyed by price·2 + side.
  const target = new Map<number, number>();
  const explainable = new Map<number, number>();
  const key = (restingSide: number, price: number) => price * 2 + restingSide;
  for (let k = 0; k < eventRows.length; k++) {
    const eventNs = d.exchangeTsNs[eventRows[k]];
    target.clear();
    explainable.clear();
    for (let i = eventRows[k]; i < eventEnd(k); i++) target.set(key(d.side[i], Number(d.priceTicks[i])), Number(d.qtyLots[i]));
    for (const [at, lots] of target) {
      const old = native[at & 1].get(Math.floor(at / 2)) ?? 0;
      if (lots < old) explainable.set(at, old - lots);
    }
    // The batch's trades, at their own times: the part a decrease of their level explains is executed there.
    for (; ti < nTrades && tr.exchangeTsNs[order[ti]] < eventNs; ti++) {
      const j = order[ti];
      const resting = tr.aggressorSide[j] === 0 ? 1 : 0;
      const price = Number(tr.priceTicks[j]), lots = Number(tr.qtyLots[j]);
      const at = key(resting, price);
      const executed = Math.min(lots, explainable.get(at) ?? 0);
      if (executed > 0) {
        explainable.set(at, explainable.get(at)! - executed);
        setNative(resting, price, native[resting].get(price)! - executed);
        emit(tr.exchangeTsNs[j], MessageType.VisibleExecution, resting, price, executed);
      }
      if (lots > executed) emit(tr.exchangeTsNs[j], MessageType.HiddenExecution, resting, price, lots - executed);
    }
    // Then the rest of each decrease (cancels), then the increases (adds).
    for (const adds of [false, true]) {
      for (const [at, lots] of target) {
        const levelSide = at & 1, price = Math.floor(at / 2);
        const old = native[levelSide].get(price) ?? 0;
        if (adds ? lots <= old : lots >= old) continue;
        const visible = inView(levelSide, price), listed = view === "book" || visible;
        if (adds && !visible && !known(levelSide, price)) {
          seededBeyondSnapshot++;
          setNative(levelSide, price, lots);
          continue;
        }
        setNative(levelSide, price, lots);
        if (listed) emit(eventNs, adds ? MessageType.Add : MessageType.Delete, levelSide, price, Math.abs(lots - old));
        else unlisted++;
      }
    }
    for (const at of target.keys()) if (!known(at & 1, Math.floor(at / 2))) seenBeyond[at & 1].add(Math.floor(at / 2));
    afterDiff[k] = n - 1;
  }
  const tradesOutside = nTrades - tradesInside;

  const firstNs = t0Ns ?? 0n;
  const firstMs = Number(firstNs / 1_000_000n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = sinceFirstNs[i] / 1e9;
  const cut = (a: Float64Array) => a.slice(0, n);
  const bp = bidPrice.map(cut), ap = askPrice.map(cut);
  const mid = new Float64Array(n);
  for (let i = 0; i < n; i++) mid[i] = 0.5 * (bp[0][i] + ap[0][i]);
  const day: L3Day = {
    symbol: s.symbol,
    date: new Date(firstMs).toISOString().slice(0, 10),
    // Rounded so that 0.01 × 3 reads 0.03, not 0.030000000000000002.
    tickSize: Number((s.tickSize * m).toPrecision(12)),
    lotSize: s.lotSize,
    startLocalS: (firstMs % 86_400_000) / 1000,
    t,
    type: type.slice(0, n),
    side: side.slice(0, n),
    orderId: Float64Array.from({ length: n }, (_, i) => i + 1),
    priceTicks: cut(priceTicks),
    qtyLots: cut(qtyLots),
    levels,
    bidPrice: bp,
    bidQty: bidQty.map(cut),
    askPrice: ap,
    askQty: askQty.map(cut),
    mid,
  };
  return { day, diffRows, afterDiff, tradesOutside, unlisted, seededBeyondSnapshot };
}
