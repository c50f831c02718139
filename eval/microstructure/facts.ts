// Stylized facts of one L3 day: the measured numbers a generative market is compared against before any impact
// test (spread, depth profile, order-flow rates, placement of limit orders, the mid's variogram, the speed at which
// the visible book forgets). Every figure is defined in its doc comment; time averages weight the book after each
// message by the time until the next message.
import { EvalError } from "../errors.js";
import type { L3Day } from "./day.js";

/** Options of {@link stylizedFacts}. */
export interface StylizedFactsOptions {
  /** Lags of the variogram, seconds; each a positive multiple of `gridStepS`. Default 1, 10, 60, 600, 1800, 3600. */
  lagsS?: readonly number[];
  /** Step of the regular grid the mid is sampled on for the variogram, seconds. Default 1. */
  gridStepS?: number;
  /** Limit arrivals at this many ticks or more from the opposite quote share the last bin. Default 100. */
  maxDistanceTicks?: number;
}

/** Counts and rates of one kind of event on one side (or both). */
export interface FlowRate {
  count: number;
  /** Events per second of the day. */
  perS: number;
  /** Lots per second of the day. */
  lotsPerS: number;
  /** Mean size of one event, lots (NaN with no events). */
  meanLots: number;
}

/** A flow split by the side of the resting order (`bid` 0, `ask` 1), and both together. */
export interface SidedFlow {
  bid: FlowRate;
  ask: FlowRate;
  total: FlowRate;
}

/** Market orders split by direction: a sell market order hits the bids (resting side 0), a buy lifts the asks. */
export interface MarketOrderFlow {
  buy: FlowRate;
  sell: FlowRate;
  total: FlowRate;
}

/** One lag of the mid-price variogram. */
export interface VariogramPoint {
  lagS: number;
  /** Pairs (mid(s), mid(s + lag)) on the grid with both mids defined; overlapping. */
  pairs: number;
  /** Mean of (mid(s + lag) − mid(s))², ticks². */
  varianceTicks2: number;
  /** `varianceTicks2 / lagS`: variance per unit time, ticks²/s (constant in the lag for a diffusion). */
  variancePerSTicks2: number;
}

/** Limit arrivals by distance from the opposite quote, ticks. */
export interface PlacementDistribution {
  /**
   * `counts[d]`: limit arrivals (type 1) d ticks from the opposite best quote in the book just before them —
   * best ask − price for a bid, price − best bid for an ask — for d = 0 … max − 1; `counts[max]` holds d ≥ max.
   * Distance 1 is one tick inside the opposite quote; an order joining its own best quote is `spread` away.
   */
  counts: number[];
  /** The distance with the most arrivals (the first of ties). */
  modeTicks: number;
  /** Share of the counted arrivals with 1 ≤ d ≤ 10. */
  shareWithin10: number;
  /** Share of the counted arrivals with d ≤ 50. */
  shareWithin50: number;
  /** Arrivals not counted because the opposite side was empty just before them (or it was the first message). */
  noOppositeQuote: number;
  /** Arrivals through the opposite quote (d < 0); LOBSTER has none (`counts[0]` holds those at it). */
  crossing: number;
}

/** The facts the fidelity protocol compares a generative model against. */
export interface StylizedFacts {
  symbol: string;
  date: string;
  /** Seconds from the first to the last message: the denominator of every rate. */
  durationS: number;
  messages: number;
  /** Time-weighted mean of best ask − best bid, ticks, over the time both sides are non-empty. */
  meanSpreadTicks: number;
  /** Time-weighted median of the spread, ticks (the spread in force at half of the time). */
  medianSpreadTicks: number;
  /** Share of the day with one side of the book empty (no spread). */
  oneSideEmptyShare: number;
  /** Time-weighted mean depth at levels 1 … `levels` (index 0 the best), lots; an empty level counts 0. */
  meanDepthLots: { bid: number[]; ask: number[] };
  /** Time-weighted mean of all lots resting in the visible levels, both sides. */
  meanRestingLots: number;
  /** Limit orders added (type 1). */
  limitArrivals: SidedFlow;
  /** Partial cancels (type 2) and deletes (type 3); lots are the cancelled volume. */
  cancellations: SidedFlow;
  /** Executions against visible orders (type 4). */
  visibleExecutions: SidedFlow;
  /** Executions against hidden orders (type 5). */
  hiddenExecutions: SidedFlow;
  /**
   * Market orders: visible executions grouped by timestamp and direction (one aggressive order that walks
   * through several resting orders writes one type-4 message per order, all with its timestamp). Consecutive
   * type-4 messages with the same time and resting side are one market order; other messages between them
   * do not split it.
   */
  marketOrders: MarketOrderFlow;
  /** As {@link marketOrders}, grouping visible and hidden executions (types 4 and 5) together. */
  marketOrdersWithHidden: MarketOrderFlow;
  placement: PlacementDistribution;
  /**
   * The variogram of the mid price: the mid is sampled on a regular grid from the first message, taking the
   * mid after the last message at or before each grid time (last value before); for each lag, the mean squared
   * change over all overlapping pairs of grid points `lag` apart, and that divided by the lag.
   */
  variogram: VariogramPoint[];
  /**
   * Cancelled lots per second (types 2 and 3, everywhere in the book) ÷ {@link meanRestingLots}: the rate
   * at which a resting lot is cancelled, per second; its inverse is the visible book's memory. (A LOBSTER file of
   * `levels` levels holds only the messages that touch those levels, so every cancel it has is in view.)
   */
  cancelRatePerRestingLot: number;
}

const DEFAULT_LAGS_S = [1, 10, 60, 600, 1800, 3600];

function option(name: string, value: number, ok: boolean, rule: string): number {
  if (!ok) throw new EvalError("INVALID_OPTION", `stylizedFacts: ${name} must be ${rule}, got ${value}`);
  return value;
}

/** The stylized facts of one L3 day; see {@link StylizedFacts} for each definition. */
export function stylizedFacts(day: L3Day, options: StylizedFactsOptions = {}): StylizedFacts {
  const n = day.t.length;
  if (n < 2) throw new EvalError("INVALID_OPTION", `stylizedFacts: the day needs at least 2 messages, got ${n}`);
  const step = options.gridStepS ?? 1;
  option("gridStepS", step, Number.isFinite(step) && step > 0, "a positive number of seconds");
  const lagsS = options.lagsS ?? DEFAULT_LAGS_S;
  lagsS.forEach((lag, i) => {
    const steps = lag / step;
    option(`lagsS[${i}]`, lag, Number.isFinite(lag) && lag > 0 && Math.abs(steps - Math.round(steps)) < 1e-9, `a positive multiple of gridStepS (${step})`);
  });
  const maxDistance = options.maxDistanceTicks ?? 100;
  option("maxDistanceTicks", maxDistance, Number.isInteger(maxDistance) && maxDistance >= 1, "a positive integer");

  const durationS = day.t[n - 1] - day.t[0];
  const { t, levels } = day;
  const bid0 = day.bidPrice[0], ask0 = day.askPrice[0];

  // Time averages of the book: the book after message i stands until message i + 1.
  let spreadWeight = 0, spreadSum = 0, emptyWeight = 0;
  const spreadTime = new Map<number, number>();
  const depthBid = new Array<number>(levels).fill(0), depthAsk = new Array<number>(levels).fill(0);
  for (let i = 0; i + 1 < n; i++) {
    const dt = t[i + 1] - t[i];
    if (dt <= 0) continue;
    const spread = ask0[i] - bid0[i];
    if (Number.isNaN(spread)) emptyWeight += dt;
    else {
      spreadWeight += dt;
      spreadSum += spread * dt;
      spreadTime.set(spread, (spreadTime.get(spread) ?? 0) + dt);
    }
    for (let l = 0; l < levels; l++) {
      depthBid[l] += day.bidQty[l][i] * dt;
      depthAsk[l] += day.askQty[l][i] * dt;
    }
  }
  const meanDepthLots = { bid: depthBid.map((x) => x / durationS), ask: depthAsk.map((x) => x / durationS) };
  const meanRestingLots = [...meanDepthLots.bid, ...meanDepthLots.ask].reduce((a, b) => a + b, 0);

  // Event counts by type and side, and placement distances against the book just before each message.
  const counter = () => ({ count: [0, 0], lots: [0, 0] });
  const adds = counter(), cancels = counter(), visible = counter(), hidden = counter();
  const counts = new Array<number>(maxDistance + 1).fill(0);
  let noOppositeQuote = 0, crossing = 0;
  for (let i = 0; i < n; i++) {
    const type = day.type[i], side = day.side[i] === 0 ? 0 : 1, qty = day.qtyLots[i], price = day.priceTicks[i];
    if (type === 1) {
      adds.count[side]++;
      adds.lots[side] += qty;
      const opposite = i === 0 ? NaN : side === 0 ? ask0[i - 1] : bid0[i - 1];
      if (Number.isNaN(opposite)) noOppositeQuote++;
      else {
        const d = side === 0 ? opposite - price : price - opposite;
        if (d < 0) crossing++;
        else counts[Math.min(Math.round(d), maxDistance)]++;
      }
    } else if (type === 2 || type === 3) {
      cancels.count[side]++;
      cancels.lots[side] += qty;
    } else if (type === 4) {
      visible.count[side]++;
      visible.lots[side] += qty;
    } else if (type === 5) {
      hidden.count[side]++;
      hidden.lots[side] += qty;
    }
  }

  const rate = (count: number, lots: number): FlowRate => ({ count, perS: count / durationS, lotsPerS: lots / durationS, meanLots: count > 0 ? lots / count : NaN });
  const sided = (c: { count: number[]; lots: number[] }): SidedFlow => ({
    bid: rate(c.count[0], c.lots[0]),
    ask: rate(c.count[1], c.lots[1]),
    total: rate(c.count[0] + c.count[1], c.lots[0] + c.lots[1]),
  });
  const cancellations = sided(cancels);

  const counted = counts.reduce((a, b) => a + b, 0);
  let modeTicks = 0;
  for (let d = 1; d <= maxDistance; d++) if (counts[d] > counts[modeTicks]) modeTicks = d;
  const share = (from: number, to: number) => (counted > 0 ? counts.slice(from, to + 1).reduce((a, b) => a + b, 0) / counted : NaN);

  return {
    symbol: day.symbol,
    date: day.date,
    durationS,
    messages: n,
    meanSpreadTicks: spreadSum / spreadWeight,
    medianSpreadTicks: weightedMedian(spreadTime),
    oneSideEmptyShare: emptyWeight / durationS,
    meanDepthLots,
    meanRestingLots,
    limitArrivals: sided(adds),
    cancellations,
    visibleExecutions: sided(visible),
    hiddenExecutions: sided(hidden),
    marketOrders: marketOrders(day, [4], rate),
    marketOrdersWithHidden: marketOrders(day, [4, 5], rate),
    placement: {
      counts,
      modeTicks,
      shareWithin10: share(1, 10),
      shareWithin50: share(0, 50),
      noOppositeQuote,
      crossing,
    },
    variogram: variogram(day, step, lagsS),
    cancelRatePerRestingLot: cancellations.total.lotsPerS / meanRestingLots,
  };
}

/** The value at which the cumulative weight first reaches half of the total (values sorted ascending). */
function weightedMedian(weights: Map<number, number>): number {
  const values = [...weights.keys()].sort((a, b) => a - b);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  let cumulative = 0;
  for (const v of values) {
    cumulative += weights.get(v)!;
    if (cumulative >= total / 2) return v;
  }
  return NaN;
}

function marketOrders(day: L3Day, types: readonly number[], rate: (count: number, lots: number) => FlowRate): MarketOrderFlow {
  const count = [0, 0], lots = [0, 0];
  let lastT = NaN, lastSide = -1;
  for (let i = 0; i < day.t.length; i++) {
    if (!types.includes(day.type[i])) continue;
    const side = day.side[i] === 0 ? 0 : 1;
    if (day.t[i] !== lastT || side !== lastSide) count[side]++;
    lots[side] += day.qtyLots[i];
    lastT = day.t[i];
    lastSide = side;
  }
  // Resting side 0 (bids) is hit by sell market orders.
  return { sell: rate(count[0], lots[0]), buy: rate(count[1], lots[1]), total: rate(count[0] + count[1], lots[0] + lots[1]) };
}

/** The mid on a regular grid from the first message, last value at or before each grid time. */
export function midOnGrid(day: L3Day, stepS: number): Float64Array {
  const n = day.t.length;
  const points = Math.floor((day.t[n - 1] - day.t[0]) / stepS + 1e-9) + 1;
  const grid = new Float64Array(points);
  let j = 0;
  for (let k = 0; k < points; k++) {
    const s = day.t[0] + k * stepS;
    while (j + 1 < n && day.t[j + 1] <= s) j++;
    grid[k] = day.mid[j];
  }
  return grid;
}

function variogram(day: L3Day, stepS: number, lagsS: readonly number[]): VariogramPoint[] {
  const grid = midOnGrid(day, stepS);
  return lagsS.map((lagS) => {
    const lag = Math.round(lagS / stepS);
    let pairs = 0, sum = 0;
    for (let k = 0; k + lag < grid.length; k++) {
      const d = grid[k + lag] - grid[k];
      if (Number.isNaN(d)) continue;
      pairs++;
      sum += d * d;
    }
    const varianceTicks2 = pairs > 0 ? sum / pairs : NaN;
    return { lagS, pairs, varianceTicks2, variancePerSTicks2: varianceTicks2 / lagS };
  });
}
