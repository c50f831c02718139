// Order-flow toxicity: VPIN on volume buckets, with every trade's aggressor known from the data.
import { EvalError } from "../errors.js";
import { isExecution, type L3Day } from "./day.js";

/** Options of {@link vpin}. */
export interface VpinOptions {
  /** Buckets the day's volume is cut into: V = day volume / bucketsPerDay. Default 50 (ELO's choice). */
  bucketsPerDay?: number;
  /** Buckets per VPIN value (the rolling window n). Default 50. */
  window?: number;
}

/** VPIN of a day: the series' summary and the bucket imbalances it averages. */
export interface Vpin {
  bucketVolumeLots: number;
  /** Full buckets (a trailing partial one is dropped). */
  buckets: number;
  window: number;
  /** Values in the series: buckets − window + 1 (0 when there are fewer buckets than the window). */
  values: number;
  mean: number;
  median: number;
  max: number;
  /** |V_buy − V_sell| / V of single buckets: mean and max. */
  bucketImbalanceMean: number;
  bucketImbalanceMax: number;
  /** The series itself, one value per bucket from the window-th on. */
  series: number[];
}

/**
 * VPIN (Easley, López de Prado & O'Hara 2012, "Flow toxicity and liquidity in a high-frequency world", Review of
 * Financial Studies 25): the day's trades (visible and hidden executions, in order) fill volume buckets of V
 * lots each, a trade that overflows a bucket carrying its rest into the next; VPIN_τ = Σ_{j=τ−n+1..τ}
 * |V^S_j − V^B_j| / (n·V). ELO classify volume by bulk classification because their tape has no aggressor;
 * LOBSTER says which resting order each execution hit, so each trade's side is exact (a resting ask executed is
 * a buy) and no classification is needed. Note that with ELO's defaults (V = day volume / 50, n = 50) one day
 * yields a single VPIN value; a finer V gives a series.
 */
export function vpin(day: L3Day, options: VpinOptions = {}): Vpin {
  const bucketsPerDay = options.bucketsPerDay ?? 50;
  const window = options.window ?? 50;
  if (!(bucketsPerDay >= 1) || !(window >= 1)) throw new EvalError("INVALID_OPTION", `vpin: bucketsPerDay and window must be >= 1, got ${bucketsPerDay} and ${window}`);
  let total = 0;
  for (let i = 0; i < day.t.length; i++) if (isExecution(day.type[i])) total += day.qtyLots[i];
  const v = total / bucketsPerDay;
  const imbalance: number[] = [];
  let buy = 0, sell = 0;
  for (let i = 0; i < day.t.length && v > 0; i++) {
    if (!isExecution(day.type[i])) continue;
    let q = day.qtyLots[i];
    const isBuy = day.side[i] === 1;
    while (q > 0) {
      const room = v - buy - sell;
      const take = Math.min(q, room);
      if (isBuy) buy += take;
      else sell += take;
      q -= take;
      // A relative tolerance: bucket volumes are fractions of lots, and rounding must not drop the last bucket.
      if (buy + sell >= v * (1 - 1e-12)) {
        imbalance.push(Math.abs(buy - sell) / v);
        buy = sell = 0;
      }
    }
  }
  const series: number[] = [];
  let rolling = 0;
  for (let j = 0; j < imbalance.length; j++) {
    rolling += imbalance[j];
    if (j >= window) rolling -= imbalance[j - window];
    if (j >= window - 1) series.push(rolling / window);
  }
  const sorted = [...series].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    bucketVolumeLots: v,
    buckets: imbalance.length,
    window,
    values: series.length,
    mean: series.length > 0 ? series.reduce((a, b) => a + b, 0) / series.length : NaN,
    median: sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]),
    max: series.length > 0 ? sorted[sorted.length - 1] : NaN,
    bucketImbalanceMean: imbalance.length > 0 ? imbalance.reduce((a, b) => a + b, 0) / imbalance.length : NaN,
    bucketImbalanceMax: imbalance.length > 0 ? Math.max(...imbalance) : NaN,
    series,
  };
}
