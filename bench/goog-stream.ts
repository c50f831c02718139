// Deterministic, seeded operation stream shaped like a day of GOOG (LOBSTER, 2012-06-21) for book benchmarks.
//
// The generator keeps its own price-level FIFO book while it writes the stream, so it knows which orders
// every market order consumed: cancels and partial cancels only ever name orders that are still resting,
// and every engine fed the stream does the same work (none refuses an op). It also predicts the trade
// count and traded lots an engine must report, which the benchmarks check before timing anything.

// ---- shape, measured on GOOG_2012-06-21_34200000_57600000_message_10.csv (LOBSTER) ------------------
// 147,916 messages: 48.2% submissions, 43.9% full deletions, 0.013% partial cancels (19), 7.9% executions
// (5.2% visible + 2.6% hidden). Spread median 28 ticks (p10 14, p90 46); mid walked 1,465 ticks in the day.

/** Probability that an op is a market order (all LOBSTER executions, visible and hidden). */
const MARKET_P = 0.079;
/** Probability that an op is a partial cancel (reduce by one lot keeping priority). */
const PARTIAL_P = 0.00013;
/** Per-op standard deviation of the latent fair value the aggressors lean towards, in ticks. */
const FAIR_STEP_TICKS = 0.35;
/**
 * Cancels: 15% take the newest order at a touch, 80% an order drawn by age, the rest uniformly over the
 * book. GOOG cancels mostly young orders (median age 15 messages) and 21% of them at the touch; these
 * short-lived quotes are what keeps its spread wide (uniform cancels alone give a spread of ~16 ticks).
 */
const TOUCH_CANCEL_P = 0.15;
const RECENT_CANCEL_P = 0.8;
/** Submissions per message, to turn an age in messages into a distance in order ids. */
const ADD_SHARE_OF_MSGS = 0.48;
/**
 * Limit distance from the opposite quote in ticks: per-mille weights of the buckets 1–5, 6–10, …, 116–120,
 * then 121–200 and 201–340 (GOOG: median 38, p5 15, p95 68; 18% land inside the spread).
 */
const DISTANCE_BUCKETS_PERMILLE = [
  8, 16, 30, 48, 77, 109, 129, 140, 135, 112, 73, 41, 25, 16, 11, 5, 5, 3, 2, 2, 2, 2, 1, 1, 5, 2,
];
/** Submission sizes in lots of 100 shares (ceil): 96.8% one lot, 2.3% two, then a thin tail to 10. */
const ADD_LOTS = { values: [1, 2, 3, 4, 5, 10], permille: [968, 23, 4, 1, 2, 2] };
/** Market order sizes in lots (executions grouped per aggressor): 85% one lot, 10% two, tail to 10. */
const MARKET_LOTS = { values: [1, 2, 3, 4, 5, 6, 8, 10], permille: [854, 103, 24, 8, 4, 2, 2, 3] };

export interface GoogStreamOptions {
  /** Operations in the stream, seed phase included. */
  ops: number;
  seed?: number;
  /** Resting orders the add/cancel balance steers towards (GOOG's visible book: ~1,000–2,000). */
  targetRestingOrders?: number;
  /** Mid price at the start, in ticks of $0.01 (GOOG opened at $579.815). */
  startPriceTicks?: number;
}

/** What the stream turned out to be, measured by the generator's own book as it wrote it. */
export interface GoogStreamStats {
  ops: number;
  adds: number;
  cancels: number;
  partialCancels: number;
  markets: number;
  /** Trades and traded lots any correct price-time engine must produce on this stream. */
  expectedTrades: number;
  expectedTradedLots: number;
  restingOrdersMean: number;
  restingOrdersMin: number;
  restingOrdersMax: number;
  /** Price levels holding orders (both sides), mean over the sampled ops. */
  levelsMean: number;
  spreadTicksMedian: number;
  spreadTicksMean: number;
  midStartTicks: number;
  midEndTicks: number;
  midLowTicks: number;
  midHighTicks: number;
  /** Market orders that found the opposite side empty and were partly or wholly cancelled. */
  marketsUnfilled: number;
}

/**
 * An op stream with its integer columns as Float64Array, the representation both the engine and the
 * textbook book read (assignable to the engine's OpStream).
 */
export interface FloatOpStream {
  kind: Uint8Array;
  side: Uint8Array;
  id: Float64Array;
  priceTicks: Float64Array;
  qtyLots: Float64Array;
}

export interface GoogStream extends FloatOpStream {
  stats: GoogStreamStats;
}

// Small, fast, seedable PRNG (mulberry32): the stream must be identical on every machine and run.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cumulative(permille: number[]): Float64Array {
  const total = permille.reduce((a, b) => a + b, 0);
  const c = new Float64Array(permille.length);
  let run = 0;
  permille.forEach((w, i) => {
    run += w / total;
    c[i] = run;
  });
  c[c.length - 1] = 1;
  return c;
}

function pick(cdf: Float64Array, u: number): number {
  let i = 0;
  while (u >= cdf[i] && i < cdf.length - 1) i++;
  return i;
}

/** One price level of the generator's book: a FIFO of order ids with lazily skipped dead entries. */
interface Level {
  ids: number[];
  head: number;
  live: number;
}

const BID = 0;
const ASK = 1;

/** Builds the stream. ~3 M ops take about a second. */
export function googStream(options: GoogStreamOptions): GoogStream {
  const n = options.ops;
  const rand = mulberry32(options.seed ?? 20120621);
  const target = options.targetRestingOrders ?? 1500;
  const startMid = options.startPriceTicks ?? 57_982;

  const kind = new Uint8Array(n);
  const sideOut = new Uint8Array(n);
  const idOut = new Float64Array(n);
  const priceOut = new Float64Array(n);
  const qtyOut = new Float64Array(n);

  // Per order, indexed by id (ids are 1, 2, 3, … in submission order).
  const orderSide = new Uint8Array(n + 1);
  const orderPrice = new Float64Array(n + 1);
  const orderQty = new Int32Array(n + 1);
  const livePos = new Int32Array(n + 1).fill(-1);
  // Resting ids, unordered: uniform draws for cancels, swap-remove on exit.
  const live = new Int32Array(n + 1);
  let liveCount = 0;
  const sideCount = [0, 0];
  const levels = [new Map<number, Level>(), new Map<number, Level>()];
  let bestBid = -Infinity;
  let bestAsk = Infinity;
  let nextId = 1;

  const distanceCdf = cumulative(DISTANCE_BUCKETS_PERMILLE);
  const addCdf = cumulative(ADD_LOTS.permille);
  const marketCdf = cumulative(MARKET_LOTS.permille);

  const stats: GoogStreamStats = {
    ops: n, adds: 0, cancels: 0, partialCancels: 0, markets: 0, expectedTrades: 0, expectedTradedLots: 0,
    restingOrdersMean: 0, restingOrdersMin: Infinity, restingOrdersMax: 0, levelsMean: 0,
    spreadTicksMedian: 0, spreadTicksMean: 0, midStartTicks: startMid, midEndTicks: startMid,
    midLowTicks: startMid, midHighTicks: startMid, marketsUnfilled: 0,
  };

  function gaussian(): number {
    // Box–Muller; the second variate is dropped (the generator is not the hot path).
    return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }

  function sampleDistance(): number {
    const b = pick(distanceCdf, rand());
    const lo = b < 24 ? b * 5 + 1 : b === 24 ? 121 : 201;
    const width = b < 24 ? 5 : b === 24 ? 80 : 140;
    return lo + Math.floor(rand() * width);
  }

  // ---- the generator's book ------------------------------------------------------------------

  function removeLive(id: number): void {
    const p = livePos[id];
    const last = live[--liveCount];
    live[p] = last;
    livePos[last] = p;
    livePos[id] = -1;
    sideCount[orderSide[id]]--;
  }

  function repairBest(side: number, emptied: number): void {
    const book = levels[side];
    if (sideCount[side] === 0) {
      if (side === BID) bestBid = -Infinity;
      else bestAsk = Infinity;
      return;
    }
    if (side === BID && emptied === bestBid) {
      let p = emptied - 1;
      while (!book.has(p)) p--;
      bestBid = p;
    } else if (side === ASK && emptied === bestAsk) {
      let p = emptied + 1;
      while (!book.has(p)) p++;
      bestAsk = p;
    }
  }

  // An order left its level (filled or cancelled): drop the level when it has none left.
  function leaveLevel(side: number, price: number, lv: Level): void {
    lv.live--;
    if (lv.live === 0) {
      levels[side].delete(price);
      repairBest(side, price);
    } else if (lv.ids.length - lv.head > 2 * lv.live + 32) {
      // Cancelled ids stay in the FIFO until skipped; compact when they dominate.
      lv.ids = lv.ids.slice(lv.head).filter((id) => livePos[id] >= 0);
      lv.head = 0;
    }
  }

  function rest(side: number, price: number, qty: number): number {
    const id = nextId++;
    orderSide[id] = side;
    orderPrice[id] = price;
    orderQty[id] = qty;
    livePos[id] = liveCount;
    live[liveCount++] = id;
    sideCount[side]++;
    let lv = levels[side].get(price);
    if (lv === undefined) {
      lv = { ids: [], head: 0, live: 0 };
      levels[side].set(price, lv);
    }
    lv.ids.push(id);
    lv.live++;
    if (side === BID && price > bestBid) bestBid = price;
    if (side === ASK && price < bestAsk) bestAsk = price;
    return id;
  }

  function cancel(id: number): void {
    const side = orderSide[id], price = orderPrice[id];
    removeLive(id);
    orderQty[id] = 0;
    leaveLevel(side, price, levels[side].get(price)!);
  }

  // Price-time matching of a market order against the opposite side; returns the lots left unfilled.
  function market(takerSide: number, qty: number): number {
    const makerSide = 1 - takerSide;
    while (qty > 0 && sideCount[makerSide] > 0) {
      const price = makerSide === ASK ? bestAsk : bestBid;
      const lv = levels[makerSide].get(price)!;
      while (qty > 0 && lv.live > 0) {
        const id = lv.ids[lv.head];
        if (livePos[id] < 0) {
          lv.head++;
          continue;
        }
        const f = Math.min(qty, orderQty[id]);
        orderQty[id] -= f;
        qty -= f;
        stats.expectedTrades++;
        stats.expectedTradedLots += f;
        if (orderQty[id] === 0) {
          lv.head++;
          removeLive(id);
          leaveLevel(makerSide, price, lv);
        }
      }
    }
    return qty;
  }

  // A partial-cancel target: at least 2 lots, and the last live order of its level. Being last makes
  // "reduce keeping priority" and "cancel and re-add" (how some books modify) the same book afterwards.
  function partialTarget(): number {
    for (let tries = 0; tries < 4096 && liveCount > 0; tries++) {
      const id = live[Math.floor(rand() * liveCount)];
      if (orderQty[id] < 2) continue;
      const lv = levels[orderSide[id]].get(orderPrice[id])!;
      let k = lv.ids.length - 1;
      while (livePos[lv.ids[k]] < 0) k--;
      if (lv.ids[k] === id) return id;
    }
    return 0;
  }

  // Ages of GOOG's cancelled orders: median 15 messages, p90 106, p99 556; lognormal(ln 15, 1.53) fits.
  // The uniform remainder retires the deep, old orders.
  function cancelTarget(): number {
    const v = rand();
    if (v < TOUCH_CANCEL_P) {
      const side = rand() < 0.5 ? BID : ASK;
      if (sideCount[side] > 0) {
        const lv = levels[side].get(side === BID ? bestBid : bestAsk)!;
        let k = lv.ids.length - 1;
        while (livePos[lv.ids[k]] < 0) k--;
        return lv.ids[k];
      }
    } else if (v < TOUCH_CANCEL_P + RECENT_CANCEL_P) {
      for (let tries = 0; tries < 8; tries++) {
        const ageMsgs = Math.exp(Math.log(15) + 1.53 * gaussian());
        const id = nextId - 1 - Math.floor(ageMsgs * ADD_SHARE_OF_MSGS);
        if (id >= 1 && livePos[id] >= 0) return id;
      }
    }
    return live[Math.floor(rand() * liveCount)];
  }

  // ---- writing ops -----------------------------------------------------------------------------

  let i = 0;
  function emit(k: number, side: number, id: number, price: number, qty: number): void {
    kind[i] = k;
    sideOut[i] = side;
    idOut[i] = id;
    priceOut[i] = price;
    qtyOut[i] = qty;
    i++;
  }

  function addLimit(side: number, price: number): void {
    const qty = ADD_LOTS.values[pick(addCdf, rand())];
    const id = rest(side, price, qty);
    emit(0, side, id, price, qty);
    stats.adds++;
  }

  // Seed phase: a two-sided book around the opening mid, half the spread either side, GOOG-deep.
  const seedOrders = Math.min(target, Math.floor(n / 4));
  for (let k = 0; k < seedOrders; k++) {
    const side = k & 1;
    const behind = 14 + Math.max(0, sampleDistance() - 28);
    addLimit(side, side === BID ? startMid - behind : startMid + behind);
  }

  let mid = startMid;
  let fair = startMid;
  const sampleEvery = 64;
  const spreads: number[] = [];
  let restingSum = 0, levelsSum = 0, samples = 0;
  while (i < n) {
    const u = rand();
    fair += FAIR_STEP_TICKS * gaussian();
    if (u < MARKET_P) {
      // Aggressors lean towards the fair value: that is what walks the mid.
      const side = rand() < 0.5 + 0.4 * Math.tanh((fair - mid) / 20) ? BID : ASK;
      const qty = MARKET_LOTS.values[pick(marketCdf, rand())];
      if (market(side, qty) > 0) stats.marketsUnfilled++;
      emit(3, side, 0, 0, qty);
      stats.markets++;
    } else if (u < MARKET_P + PARTIAL_P && liveCount > 0) {
      const id = partialTarget();
      if (id !== 0) {
        orderQty[id] -= 1;
        emit(5, orderSide[id], id, 0, 1);
        stats.partialCancels++;
      } else {
        const victim = live[Math.floor(rand() * liveCount)];
        cancel(victim);
        emit(4, 0, victim, 0, 0);
        stats.cancels++;
      }
    } else {
      // Adds and cancels split the rest; the split leans towards adds when the book is below target,
      // which keeps the book near `target` orders without a drift over millions of ops.
      const addShare = Math.min(0.8, Math.max(0.2, 0.5 + 0.5 * (target - liveCount) / target));
      if (liveCount === 0 || rand() < addShare) {
        const side = rand() < 0.5 ? BID : ASK;
        const d = sampleDistance();
        // Place against the opposite quote; with that side empty, against where it would be.
        const opposite = side === BID
          ? (sideCount[ASK] > 0 ? bestAsk : sideCount[BID] > 0 ? bestBid + 28 : Math.round(mid) + 14)
          : (sideCount[BID] > 0 ? bestBid : sideCount[ASK] > 0 ? bestAsk - 28 : Math.round(mid) - 14);
        addLimit(side, side === BID ? opposite - d : opposite + d);
      } else {
        const victim = cancelTarget();
        cancel(victim);
        emit(4, 0, victim, 0, 0);
        stats.cancels++;
      }
    }
    if (sideCount[BID] > 0 && sideCount[ASK] > 0) mid = (bestBid + bestAsk) / 2;
    if ((i & (sampleEvery - 1)) === 0) {
      restingSum += liveCount;
      levelsSum += levels[0].size + levels[1].size;
      samples++;
      stats.restingOrdersMin = Math.min(stats.restingOrdersMin, liveCount);
      stats.restingOrdersMax = Math.max(stats.restingOrdersMax, liveCount);
      if (sideCount[BID] > 0 && sideCount[ASK] > 0) spreads.push(bestAsk - bestBid);
      stats.midLowTicks = Math.min(stats.midLowTicks, mid);
      stats.midHighTicks = Math.max(stats.midHighTicks, mid);
    }
  }

  stats.restingOrdersMean = samples > 0 ? restingSum / samples : liveCount;
  stats.levelsMean = samples > 0 ? levelsSum / samples : 0;
  spreads.sort((a, b) => a - b);
  stats.spreadTicksMedian = spreads.length > 0 ? spreads[spreads.length >> 1] : NaN;
  stats.spreadTicksMean = spreads.length > 0 ? spreads.reduce((a, b) => a + b, 0) / spreads.length : NaN;
  stats.midEndTicks = mid;
  return { kind, side: sideOut, id: idOut, priceTicks: priceOut, qtyLots: qtyOut, stats };
}

/** The first `ops` operations of a stream, as views (no copy). Every prefix of a valid stream is valid. */
export function streamPrefix(stream: FloatOpStream, ops: number): FloatOpStream {
  const k = Math.min(ops, stream.kind.length);
  return {
    kind: stream.kind.subarray(0, k), side: stream.side.subarray(0, k), id: stream.id.subarray(0, k),
    priceTicks: stream.priceTicks.subarray(0, k), qtyLots: stream.qtyLots.subarray(0, k),
  };
}

/** The same stream with its integer columns as BigInt64Array: Arrow's int64 layout, read without conversion. */
export interface Int64OpStream {
  kind: Uint8Array;
  side: Uint8Array;
  id: BigInt64Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
}

export function toInt64(stream: FloatOpStream): Int64OpStream {
  const col = (a: Float64Array) => {
    const out = new BigInt64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = BigInt(a[i]);
    return out;
  };
  return { kind: stream.kind, side: stream.side, id: col(stream.id), priceTicks: col(stream.priceTicks), qtyLots: col(stream.qtyLots) };
}
