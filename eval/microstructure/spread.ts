// The cost of trading a day: quoted spread over time, effective spread of the market orders, and its split
// into the liquidity provider's realised spread and the adverse-selection (price impact) part at 1, 5 and 30 s.
// Also the day's market orders (executions grouped into aggressive orders), which impact.ts reads too.
import type { L3Day } from "./day.js";
import { MessageType } from "../../data/schema.js";

/** One aggressive (market) order: successive executions with the same timestamp and aggressor direction. */
export interface MarketOrder {
  /** Index of its first and last execution message. */
  first: number;
  last: number;
  /** Seconds since the first message. */
  t: number;
  /** +1 buy (it executed against resting asks, LOBSTER side 1), −1 sell. */
  direction: 1 | -1;
  qtyLots: number;
  /** Volume-weighted price over its executions, ticks. */
  vwapTicks: number;
  /** Mid before the first execution and after the last, ticks (NaN when a side of the book was empty). */
  midBeforeTicks: number;
  midAfterTicks: number;
  executions: number;
}

/** Options of {@link marketOrders}. */
export interface MarketOrderOptions {
  /**
   * Count hidden executions (type 5) as market-order fills too. Default false: market orders are the visible
   * executions grouped by timestamp and direction, the definition of ../shared/notes/generative-flow.md.
   */
  includeHidden?: boolean;
}

/**
 * The day's market orders. LOBSTER reports one execution message per resting order hit, all at the aggressive
 * order's timestamp, so successive executions with the same time and resting side are one order; other messages
 * between them do not split it (the grouping of facts.ts). The aggressor is known exactly: an execution of a
 * resting ask (side 1) is a buy.
 */
export function marketOrders(day: L3Day, options: MarketOrderOptions = {}): MarketOrder[] {
  const counted = (type: number) => type === MessageType.VisibleExecution || (options.includeHidden === true && type === MessageType.HiddenExecution);
  const orders: MarketOrder[] = [];
  let open: MarketOrder | undefined;
  let notional = 0;
  const close = () => {
    if (open === undefined) return;
    open.vwapTicks = notional / open.qtyLots;
    open.midAfterTicks = day.mid[open.last];
    orders.push(open);
    open = undefined;
  };
  for (let i = 0; i < day.t.length; i++) {
    const type = day.type[i];
    if (!counted(type)) continue;
    const direction = day.side[i] === 1 ? 1 : -1;
    if (open !== undefined && day.t[i] === open.t && direction === open.direction) {
      open.last = i;
      open.qtyLots += day.qtyLots[i];
      open.executions++;
      notional += day.qtyLots[i] * day.priceTicks[i];
      continue;
    }
    close();
    notional = day.qtyLots[i] * day.priceTicks[i];
    open = {
      first: i, last: i, t: day.t[i], direction, qtyLots: day.qtyLots[i], vwapTicks: NaN,
      midBeforeTicks: i > 0 ? day.mid[i - 1] : NaN, midAfterTicks: NaN, executions: 1,
    };
  }
  close();
  return orders;
}

/** Index of the last message at or before `timeS` (−1 if none): the book as it stood at that time. */
export function indexAtTime(day: L3Day, timeS: number): number {
  let lo = 0, hi = day.t.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (day.t[m] <= timeS) lo = m + 1;
    else hi = m;
  }
  return lo - 1;
}

/** Time-weighted quoted spread: each book state weighs as long as it stood (until the next message). */
export interface QuotedSpread {
  meanTicks: number;
  medianTicks: number;
  meanBps: number;
  medianBps: number;
  /** Share of the day's time with a side of the book empty (left out of the averages). */
  oneSidedShare: number;
}

/**
 * Quoted spread a − b after each message, weighted by how long it stood: mean and (weighted) median, in ticks
 * and in bps of the mid (10⁴·(a − b)/m). The last message's state has no duration and does not count.
 */
export function quotedSpread(day: L3Day): QuotedSpread {
  const n = day.t.length;
  const ticks: number[] = [], bps: number[] = [], weights: number[] = [];
  let total = 0, oneSided = 0;
  for (let i = 0; i + 1 < n; i++) {
    const w = day.t[i + 1] - day.t[i];
    total += w;
    const s = day.askPrice[0][i] - day.bidPrice[0][i];
    if (!Number.isFinite(s)) {
      oneSided += w;
      continue;
    }
    if (w <= 0) continue;
    ticks.push(s);
    bps.push((1e4 * s) / day.mid[i]);
    weights.push(w);
  }
  return {
    meanTicks: weightedMean(ticks, weights),
    medianTicks: weightedMedian(ticks, weights),
    meanBps: weightedMean(bps, weights),
    medianBps: weightedMedian(bps, weights),
    oneSidedShare: total > 0 ? oneSided / total : NaN,
  };
}

/** Realised spread and price impact of the market orders at one horizon Δ; effective = realised + impact. */
export interface SpreadDecomposition {
  horizonS: number;
  /** Orders with a mid known at t + Δ (inside the day); the three figures are over these orders. */
  orders: number;
  effectiveBps: number;
  realisedBps: number;
  impactBps: number;
}

/** Effective spread of the day's market orders and its decomposition at each horizon. */
export interface EffectiveSpread {
  orders: number;
  volumeLots: number;
  /** Volume-weighted 2·s·(p − m)/m, bps. */
  effectiveBps: number;
  /** Volume-weighted 2·s·(p − m), ticks. */
  effectiveTicks: number;
  /** Per horizon Δ. */
  decomposition: SpreadDecomposition[];
}

/** Options of {@link effectiveSpread}. */
export interface EffectiveSpreadOptions extends MarketOrderOptions {
  /** Horizons Δ of the realised spread, seconds. Default [1, 5, 30]. */
  horizonsS?: readonly number[];
}

/**
 * Effective spread of each market order, 2·s·(p − m)/m in bps, with s its direction (+1 buy), p the VWAP of its
 * executions and m the mid just before it; averaged weighting each order by its volume. Realised spread at Δ,
 * 2·s·(p − m_{t+Δ})/m, is what a liquidity provider keeps after the mid has moved for Δ; price impact,
 * 2·s·(m_{t+Δ} − m)/m, is what it loses to the informed side (adverse selection). Per order, and so per
 * volume-weighted average, effective = realised(Δ) + impact(Δ) exactly. m_{t+Δ} is the mid as it stood at
 * t + Δ; orders whose t + Δ is past the last message, or with a one-sided book at m or m_{t+Δ}, are left out.
 * References: Huang & Stoll (1996), "Dealer versus auction markets", J. Financial Economics 41; Bessembinder
 * (2003), "Issues in assessing trade execution costs", J. Financial Markets 6.
 */
export function effectiveSpread(day: L3Day, options: EffectiveSpreadOptions = {}, orders = marketOrders(day, options)): EffectiveSpread {
  const horizons = options.horizonsS ?? [1, 5, 30];
  const end = day.t.length > 0 ? day.t[day.t.length - 1] : 0;
  let q = 0, bpsSum = 0, ticksSum = 0, count = 0;
  for (const o of orders) {
    if (!Number.isFinite(o.midBeforeTicks)) continue;
    const edge = o.direction * (o.vwapTicks - o.midBeforeTicks);
    q += o.qtyLots;
    bpsSum += o.qtyLots * ((2e4 * edge) / o.midBeforeTicks);
    ticksSum += o.qtyLots * 2 * edge;
    count++;
  }
  const decomposition = horizons.map((horizonS): SpreadDecomposition => {
    let w = 0, eff = 0, real = 0, imp = 0, k = 0;
    for (const o of orders) {
      const m = o.midBeforeTicks;
      if (!Number.isFinite(m) || o.t + horizonS > end) continue;
      const later = day.mid[indexAtTime(day, o.t + horizonS)];
      if (!Number.isFinite(later)) continue;
      w += o.qtyLots;
      eff += o.qtyLots * ((2e4 * o.direction * (o.vwapTicks - m)) / m);
      real += o.qtyLots * ((2e4 * o.direction * (o.vwapTicks - later)) / m);
      imp += o.qtyLots * ((2e4 * o.direction * (later - m)) / m);
      k++;
    }
    return { horizonS, orders: k, effectiveBps: eff / w, realisedBps: real / w, impactBps: imp / w };
  });
  return { orders: count, volumeLots: q, effectiveBps: bpsSum / q, effectiveTicks: ticksSum / q, decomposition };
}

function weightedMean(x: readonly number[], w: readonly number[]): number {
  let s = 0, ws = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] * w[i];
    ws += w[i];
  }
  return ws > 0 ? s / ws : NaN;
}

/** The smallest x whose cumulative weight reaches half the total. */
function weightedMedian(x: readonly number[], w: readonly number[]): number {
  if (x.length === 0) return NaN;
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const half = 0.5 * w.reduce((a, b) => a + b, 0);
  let c = 0;
  for (const i of order) {
    c += w[i];
    if (c >= half) return x[i];
  }
  return x[order[order.length - 1]];
}
