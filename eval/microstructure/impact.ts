// Price impact of order flow: Kyle's λ (mid changes regressed on signed market-order volume over fixed
// intervals) and the immediate mid move of single market orders by size. Also the univariate OLS both this file
// and predict.ts fit.
import { EvalError } from "../errors.js";
import type { L3Day } from "./day.js";
import { indexAtTime, marketOrders, type MarketOrder, type MarketOrderOptions } from "./spread.js";

/** A univariate least-squares fit y = α + β·x. */
export interface LinearFit {
  n: number;
  intercept: number;
  slope: number;
  /** The textbook OLS standard error of the slope, √(σ̂²/Σ(x − x̄)²) with σ̂² = SSE/(n − 2). */
  slopeSe: number;
  rSquared: number;
  /** Residuals y − α − β·x, in input order. */
  residuals: Float64Array;
  /** x − x̄, in input order. */
  centredX: Float64Array;
}

/** OLS of y on x with an intercept. NaN figures when n < 3 or x has no variance. */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const residuals = new Float64Array(n), centredX = new Float64Array(n);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    residuals[i] = y[i] - intercept - slope * x[i];
    centredX[i] = x[i] - mx;
    sse += residuals[i] ** 2;
  }
  return { n, intercept, slope, slopeSe: Math.sqrt(sse / (n - 2) / sxx), rSquared: 1 - sse / syy, residuals, centredX };
}

/**
 * Newey–West (1987) HAC standard error of the slope: the sandwich Σ(x̃ε)² plus Bartlett-weighted
 * autocovariances 2·Σ_{l≤L}(1 − l/(L+1))·Σ_t x̃_t ε_t x̃_{t−l} ε_{t−l}, over (Σx̃²)².
 */
export function neweyWestSlopeSe(fit: LinearFit, lags: number): number {
  const u = fit.centredX.map((xc, i) => xc * fit.residuals[i]);
  let s = 0, sxx = 0;
  for (let i = 0; i < fit.n; i++) {
    s += u[i] * u[i];
    sxx += fit.centredX[i] ** 2;
  }
  for (let l = 1; l <= lags; l++) {
    let c = 0;
    for (let i = l; i < fit.n; i++) c += u[i] * u[i - l];
    s += 2 * (1 - l / (lags + 1)) * c;
  }
  return Math.sqrt(s) / sxx;
}

/** Kyle's λ over one interval length. */
export interface KyleLambda {
  intervalS: number;
  intervals: number;
  /** Mid change (ticks) per lot of signed market-order volume. */
  lambdaTicksPerLot: number;
  /** λ relative to the day's mean mid: bps per 1,000 lots. */
  lambdaBpsPer1000Lots: number;
  seOls: number;
  tOls: number;
  /** Newey–West lags L = ⌊4·(n/100)^(2/9)⌋. */
  neweyWestLags: number;
  seNeweyWest: number;
  tNeweyWest: number;
  rSquared: number;
}

/** Options of {@link kyleLambda}. */
export interface KyleLambdaOptions extends MarketOrderOptions {
  /** Interval length, seconds. Default 60. */
  intervalS?: number;
}

/**
 * Kyle's λ: the OLS slope of Δm_k = α + λ·x_k + ε_k over consecutive intervals k of fixed length, with Δm_k the
 * mid change across the interval (ticks, mid as it stood at each end) and x_k the signed market-order volume in
 * it (buys +, lots; an order at t belongs to the interval (kΔ, (k+1)Δ]). Only whole intervals with a two-sided
 * book at both ends count. Reported with the OLS and the Newey–West standard errors and R².
 * References: Kyle (1985), "Continuous auctions and insider trading", Econometrica 53; the regression form as in
 * Hasbrouck (2007), Empirical Market Microstructure, ch. 5, and Goyenko, Holden & Trzcinka (2009).
 */
export function kyleLambda(day: L3Day, options: KyleLambdaOptions = {}, orders: readonly MarketOrder[] = marketOrders(day, options)): KyleLambda {
  const intervalS = options.intervalS ?? 60;
  if (!(intervalS > 0)) throw new EvalError("INVALID_OPTION", `kyleLambda: intervalS must be > 0, got ${intervalS}`);
  const end = day.t.length > 0 ? day.t[day.t.length - 1] : 0;
  const k = Math.floor(end / intervalS);
  const flow = new Float64Array(k);
  for (const o of orders) {
    const j = Math.ceil(o.t / intervalS) - 1;
    if (j >= 0 && j < k) flow[j] += o.direction * o.qtyLots;
  }
  const x: number[] = [], y: number[] = [];
  let midSum = 0, midCount = 0;
  let before = day.mid[indexAtTime(day, 0)];
  for (let j = 0; j < k; j++) {
    const after = day.mid[indexAtTime(day, (j + 1) * intervalS)];
    if (Number.isFinite(before) && Number.isFinite(after)) {
      x.push(flow[j]);
      y.push(after - before);
      midSum += before;
      midCount++;
    }
    before = after;
  }
  const fit = fitLine(x, y);
  const lags = Math.floor(4 * (fit.n / 100) ** (2 / 9));
  const seNeweyWest = neweyWestSlopeSe(fit, lags);
  return {
    intervalS,
    intervals: fit.n,
    lambdaTicksPerLot: fit.slope,
    lambdaBpsPer1000Lots: (1e7 * fit.slope) / (midSum / midCount),
    seOls: fit.slopeSe,
    tOls: fit.slope / fit.slopeSe,
    neweyWestLags: lags,
    seNeweyWest,
    tNeweyWest: fit.slope / seNeweyWest,
    rSquared: fit.rSquared,
  };
}

/** The immediate impact of the market orders in one size bucket. */
export interface ImpactBucket {
  /** Sizes in [minLots, maxLots), lots. */
  minLots: number;
  maxLots: number;
  orders: number;
  meanLots: number;
  /** Mean of s·(m_after − m_before)/m_before, bps, and its standard error (sd/√n). */
  meanMoveBps: number;
  seMoveBps: number;
  /** The same in ticks. */
  meanMoveTicks: number;
  /** Share of the orders that moved the mid (it changed the touch on the side they hit). */
  movedShare: number;
}

/**
 * Immediate impact of single market orders by size: orders are put in power-of-two size buckets [2^k, 2^(k+1))
 * lots, and in each the mean signed mid move s·(m_after − m_before)/m_before (bps; s = +1 buy), with m_before the
 * mid just before its first execution and m_after just after its last. Empty buckets are left out; orders with a
 * one-sided book are too. Reference: the concave shape of this curve is the single-order impact of Lillo,
 * Farmer & Mantegna (2003), "Master curve for price-impact function", Nature 421; Bouchaud et al. (2018), Trades,
 * Quotes and Prices, ch. 11.
 */
export function impactBySize(day: L3Day, options: MarketOrderOptions = {}, orders: readonly MarketOrder[] = marketOrders(day, options)): ImpactBucket[] {
  const groups = new Map<number, MarketOrder[]>();
  for (const o of orders) {
    if (!Number.isFinite(o.midBeforeTicks) || !Number.isFinite(o.midAfterTicks) || !(o.qtyLots > 0)) continue;
    const k = Math.floor(Math.log2(o.qtyLots) + 1e-12);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(o);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, g]): ImpactBucket => {
      const bps = g.map((o) => (1e4 * o.direction * (o.midAfterTicks - o.midBeforeTicks)) / o.midBeforeTicks);
      const ticks = g.map((o) => o.direction * (o.midAfterTicks - o.midBeforeTicks));
      const mean = average(bps);
      const sd = g.length > 1 ? Math.sqrt(bps.reduce((s, v) => s + (v - mean) ** 2, 0) / (g.length - 1)) : NaN;
      return {
        minLots: 2 ** k,
        maxLots: 2 ** (k + 1),
        orders: g.length,
        meanLots: average(g.map((o) => o.qtyLots)),
        meanMoveBps: mean,
        seMoveBps: sd / Math.sqrt(g.length),
        meanMoveTicks: average(ticks),
        movedShare: ticks.filter((v) => v !== 0).length / g.length,
      };
    });
}

function average(x: readonly number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}
