// What in the book predicts the next mid move: imbalance at the touch and over five levels, order-flow
// imbalance, and the microprice offset, each scored out of sample (fit on the first half of the day, scored on
// the second) at several horizons.
import { EvalError } from "../errors.js";
import type { L3Day } from "./day.js";
import { fitLine } from "./impact.js";
import { indexAtTime } from "./spread.js";

/** The features scored. */
export type PredictorName = "imbalance1" | "imbalance5" | "ofi" | "micropriceOffset";

export const PREDICTORS: readonly PredictorName[] = ["imbalance1", "imbalance5", "ofi", "micropriceOffset"];

/** Options of {@link predictability}. */
export interface PredictOptions {
  /** Sampling grid step, seconds; also the OFI look-back. Default 1. */
  gridS?: number;
  /** Horizons h of the target m(t + h) − m(t), seconds. Default [1, 5, 30]. */
  horizonsS?: readonly number[];
}

/** One feature at one horizon. */
export interface PredictorScore {
  feature: PredictorName;
  horizonS: number;
  trainN: number;
  testN: number;
  /** OLS slope on the training half (target ticks per feature unit). */
  slope: number;
  rSquaredInSample: number;
  /** 1 − SSE/SST on the test half, SST around the test half's mean. */
  rSquaredOos: number;
  /** 1 − SSE/Σy² on the test half: against forecasting no move. */
  rSquaredOosVsZero: number;
}

/** Every feature × horizon. */
export interface Predictability {
  gridS: number;
  /** Training points have t + h ≤ splitS, test points t ≥ splitS. */
  splitS: number;
  scores: PredictorScore[];
}

/**
 * Order-flow imbalance of one message (Cont, Kukanov & Stoikov 2014, "The price impact of order book events",
 * J. Financial Econometrics 12, eq. (10)): e_n = 1{b_n ≥ b_{n−1}}·q^b_n − 1{b_n ≤ b_{n−1}}·q^b_{n−1}
 * − 1{a_n ≤ a_{n−1}}·q^a_n + 1{a_n ≥ a_{n−1}}·q^a_{n−1}, with b, a the best prices and q their sizes.
 */
function ofiIncrements(day: L3Day): Float64Array {
  const n = day.t.length;
  const cumulative = new Float64Array(n);
  const b = day.bidPrice[0], qb = day.bidQty[0], a = day.askPrice[0], qa = day.askQty[0];
  for (let i = 1; i < n; i++) {
    let e = 0;
    // An empty side is no price: compare only when both states have one.
    if (Number.isFinite(b[i]) && Number.isFinite(b[i - 1])) e += (b[i] >= b[i - 1] ? qb[i] : 0) - (b[i] <= b[i - 1] ? qb[i - 1] : 0);
    if (Number.isFinite(a[i]) && Number.isFinite(a[i - 1])) e += -(a[i] <= a[i - 1] ? qa[i] : 0) + (a[i] >= a[i - 1] ? qa[i - 1] : 0);
    cumulative[i] = cumulative[i - 1] + e;
  }
  return cumulative;
}

/** The features of {@link predictability} on the grid t_k = k·gridS, k = 0 … ⌊end/gridS⌋. */
export interface GridFeatures {
  /** Index of the message whose book stood at t_k (−1 before the first message). */
  index: Int32Array;
  /** One value per grid point; NaN where undefined (an empty side, or no interval before the first point). */
  features: Record<PredictorName, Float64Array>;
}

/** The book features on the regular grid, as {@link predictability} defines them. */
export function gridFeatures(day: L3Day, gridS: number): GridFeatures {
  const end = day.t.length > 0 ? day.t[day.t.length - 1] : 0;
  const ofi = ofiIncrements(day);
  const points = Math.floor(end / gridS) + 1;
  const index = new Int32Array(points);
  const features: Record<PredictorName, Float64Array> = {
    imbalance1: new Float64Array(points), imbalance5: new Float64Array(points), ofi: new Float64Array(points), micropriceOffset: new Float64Array(points),
  };
  const levels = Math.min(5, day.levels);
  for (let k = 0; k < points; k++) {
    const i = indexAtTime(day, k * gridS);
    index[k] = i;
    const qb = day.bidQty[0][i], qa = day.askQty[0][i];
    features.imbalance1[k] = (qb - qa) / (qb + qa);
    let sb = 0, sa = 0;
    for (let l = 0; l < levels; l++) {
      sb += day.bidQty[l][i] || 0;
      sa += day.askQty[l][i] || 0;
    }
    features.imbalance5[k] = (sb - sa) / (sb + sa);
    features.ofi[k] = k === 0 ? NaN : ofi[i] - ofi[index[k - 1]];
    const micro = (day.bidPrice[0][i] * qa + day.askPrice[0][i] * qb) / (qa + qb);
    features.micropriceOffset[k] = micro - day.mid[i];
  }
  return { index, features };
}

/**
 * Out-of-sample predictability of the mid move. On a grid t_k = k·gridS the book as it stood gives:
 * - imbalance1 = (q^b_1 − q^a_1)/(q^b_1 + q^a_1), the touch's size imbalance;
 * - imbalance5 = the same with sizes summed over levels 1–5;
 * - ofi = the Cont–Kukanov–Stoikov order-flow imbalance summed over (t_k − gridS, t_k], lots;
 * - micropriceOffset = microprice − mid, ticks, with microprice (b·q^a + a·q^b)/(q^a + q^b) (Stoikov 2018,
 *   "The micro-price", Quantitative Finance 18, his weighted mid).
 * Target: m(t_k + h) − m(t_k), ticks. A univariate OLS with intercept is fitted on the first half of the day
 * (points whose target ends by the split, so no test data leaks in) and scored on the second:
 * R²_oos = 1 − SSE/SST with SST around the test mean (Campbell & Thompson 2008 use the training mean; the test
 * mean is the stricter benchmark), and against a zero forecast, 1 − SSE/Σy².
 */
export function predictability(day: L3Day, options: PredictOptions = {}): Predictability {
  const gridS = options.gridS ?? 1;
  const horizons = options.horizonsS ?? [1, 5, 30];
  if (!(gridS > 0)) throw new EvalError("INVALID_OPTION", `predictability: gridS must be > 0, got ${gridS}`);
  const end = day.t.length > 0 ? day.t[day.t.length - 1] : 0;
  const splitS = end / 2;
  const { index: idx, features } = gridFeatures(day, gridS);
  const points = idx.length;
  const scores: PredictorScore[] = [];
  for (const feature of PREDICTORS) {
    for (const horizonS of horizons) {
      const train = { x: [] as number[], y: [] as number[] }, test = { x: [] as number[], y: [] as number[] };
      for (let k = 0; k < points; k++) {
        const t = k * gridS;
        if (t + horizonS > end) break;
        const x = features[feature][k];
        const y = day.mid[indexAtTime(day, t + horizonS)] - day.mid[idx[k]];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const set = t + horizonS <= splitS ? train : t >= splitS ? test : undefined;
        set?.x.push(x);
        set?.y.push(y);
      }
      const fit = fitLine(train.x, train.y);
      let sse = 0, sy = 0, syy = 0;
      for (let j = 0; j < test.y.length; j++) {
        sse += (test.y[j] - fit.intercept - fit.slope * test.x[j]) ** 2;
        sy += test.y[j];
        syy += test.y[j] ** 2;
      }
      const sst = syy - (sy * sy) / test.y.length;
      scores.push({
        feature, horizonS, trainN: fit.n, testN: test.y.length, slope: fit.slope, rSquaredInSample: fit.rSquared,
        rSquaredOos: 1 - sse / sst, rSquaredOosVsZero: 1 - sse / syy,
      });
    }
  }
  return { gridS, splitS, scores };
}
