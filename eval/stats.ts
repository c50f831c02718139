// Paired statistics for comparing execution policies episode by episode: per-policy cost summaries, paired
// differences, a seeded bootstrap interval, the paired t-test, the Wilcoxon signed-rank test, Holm's correction
// and a sample-size estimate. All numerics are written here (no dependency); each function cites its formula
// and names the reference call it was checked against in test/eval/stats.test.ts (numpy 2.4 / scipy 1.17).
// Costs are positive = bad (e.g. implementation shortfall in bps); a difference a − b < 0 means a was cheaper.
import { Rng } from "../env/rng.js";
import { TrancheError } from "../errors.js";

/** A statistics routine was given input outside its domain; the message names the argument and the rule. */
export class StatsError extends TrancheError {
  declare readonly code: "INVALID_ARGUMENT";
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
    this.name = "StatsError";
  }
}

function checkSample(name: string, x: Float64Array, minLength: number): void {
  if (!(x instanceof Float64Array))
    throw new StatsError(`${name} must be a Float64Array, got ${Object.prototype.toString.call(x)}`);
  if (x.length < minLength) throw new StatsError(`${name} needs at least ${minLength} values, got ${x.length}`);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) throw new StatsError(`${name}[${i}] must be finite, got ${x[i]}`);
}

function checkProbability(name: string, p: number, open: boolean): void {
  const ok = open ? p > 0 && p < 1 : p >= 0 && p <= 1;
  if (typeof p !== "number" || !ok)
    throw new StatsError(`${name} must be in ${open ? "(0, 1)" : "[0, 1]"}, got ${String(p)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Special functions

/** ln Γ(x) for x > 0: Lanczos (1964) approximation with g = 7, n = 9 (Godfrey's coefficients), |rel err| < 1e-15. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x); // reflection
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a): the series for P when x < a + 1, else the continued
 * fraction for Q by modified Lentz (Numerical Recipes, 3rd ed., §6.2, `gser` and `gcf`).
 */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let i = 0; i < 10_000; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(lnPrefactor);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(lnPrefactor) * h;
}

/**
 * Complementary error function: erfc(x) = Q(1/2, x²) for x ≥ 0 and 2 − erfc(−x) below (Numerical Recipes, 3rd
 * ed., eq. 6.2.9). Relative accuracy near machine precision, also deep in the tail.
 */
export function erfc(x: number): number {
  return x >= 0 ? gammaQ(0.5, x * x) : 2 - gammaQ(0.5, x * x);
}

/** Standard normal CDF Φ(x) = erfc(−x/√2)/2 (accurate in both tails). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Standard normal quantile Φ⁻¹(p): Acklam's (2003) rational approximation (|rel err| < 1.15e-9), then one Halley
 * step on Φ(x) − p with {@link normalCdf}, which brings it to about machine precision (Acklam's suggested refinement).
 */
export function normalQuantile(p: number): number {
  checkProbability("p", p, true);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley: e = Φ(x) − p, u = e·√(2π)·exp(x²/2), x ← x − u/(1 + x·u/2). In the upper tail use the upper-tail
  // error so that 1 − p is not lost to rounding.
  const e = p > 0.5 ? -(0.5 * erfc(x / Math.SQRT2) - (1 - p)) : normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * Continued fraction for the incomplete beta function by modified Lentz (Numerical Recipes, 3rd ed., §6.4,
 * `betacf`, eq. 6.4.5).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), using the continued fraction directly when x < (a+1)/(a+b+2) and the
 * symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise (Numerical Recipes, 3rd ed., §6.4, `betai`).
 */
export function incompleteBeta(a: number, b: number, x: number): number {
  if (!(a > 0 && b > 0)) throw new StatsError(`incompleteBeta needs a > 0 and b > 0, got a=${a}, b=${b}`);
  checkProbability("x", x, false);
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Two-sided tail of Student's t with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2)
 * (Numerical Recipes, 3rd ed., eq. 6.14.11). Computed directly, so small p-values keep their precision.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new StatsError(`df must be positive, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / 2, 0.5, df / (df + t * t));
}

// ---------------------------------------------------------------------------------------------------------------
// Summaries

/**
 * Quantile of a sorted sample by linear interpolation between order statistics at h = (n − 1)·p (Hyndman & Fan
 * (1996) definition 7; numpy.quantile's default method "linear").
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  checkProbability("p", p, false);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Per-policy summary of episode costs (positive = bad). */
export interface CostSummary {
  /** Number of episodes. */
  n: number;
  mean: number;
  /** Median (the 0.5 quantile under the linear definition). */
  median: number;
  /** Sample standard deviation with n − 1 in the denominator (numpy.std(ddof=1)); NaN when n = 1. */
  std: number;
  /** 5% quantile, numpy's default "linear" definition (Hyndman & Fan type 7). */
  q05: number;
  /** 95% quantile, same definition. */
  q95: number;
  /**
   * CVaR at 95% of costs: the mean of the costs at or above q95, i.e. numpy `x[x >= np.quantile(x, 0.95)].mean()`
   * (the worst ⌈0.05·(n − 1)⌉ costs, plus ties with the cutoff). It is ≥ q95 and is the max for n ≤ 20.
   */
  cvar95: number;
}

/** Mean, median, std (n − 1), 5%/95% quantiles and CVaR 95% of per-episode costs. */
export function summarize(costs: Float64Array): CostSummary {
  checkSample("costs", costs, 1);
  const n = costs.length;
  const sorted = Float64Array.from(costs).sort();
  const mean = meanOf(costs);
  const q95 = quantileSorted(sorted, 0.95);
  let tailSum = 0;
  let tailCount = 0;
  for (let i = n - 1; i >= 0 && sorted[i] >= q95; i--) {
    tailSum += sorted[i];
    tailCount++;
  }
  return {
    n,
    mean,
    median: quantileSorted(sorted, 0.5),
    std: n > 1 ? Math.sqrt(sumSquaredDeviations(costs, mean) / (n - 1)) : Number.NaN,
    q05: quantileSorted(sorted, 0.05),
    q95,
    cvar95: tailSum / tailCount,
  };
}

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

// Two-pass: deviations from the computed mean, as numpy does, to avoid the cancellation of Σx² − n·x̄².
function sumSquaredDeviations(x: Float64Array, mean: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - mean) ** 2;
  return s;
}

/** Per-episode differences a[i] − b[i]; the two policies must have run the same episodes (same seeds, same order). */
export function pairedDifferences(a: Float64Array, b: Float64Array): Float64Array {
  checkSample("a", a, 1);
  checkSample("b", b, 1);
  if (a.length !== b.length)
    throw new StatsError(`paired samples need the same episodes: a has ${a.length} values, b has ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Interval and tests on paired differences

/** Options of {@link bootstrapCI}. */
export interface BootstrapOptions {
  /** Seed of the resampling stream (env/rng.ts's xoshiro256**); the same seed gives the same interval. */
  seed: number;
  /** Number of bootstrap resamples; default 10 000. */
  resamples?: number;
  /** Two-sided coverage; default 0.95. */
  level?: number;
}

/** A bootstrap confidence interval for the mean difference. */
export interface BootstrapInterval {
  /** Always "percentile": the interval is read off the bootstrap distribution of the mean directly. */
  method: "percentile";
  /** Mean of the observed differences (the point estimate). */
  mean: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
}

/**
 * Percentile bootstrap interval of the mean (Efron & Tibshirani (1993), §13.3): draw `resamples` samples of n
 * episodes with replacement (indices by Rng.below), take each sample's mean, and return the (1 − level)/2 and
 * (1 + level)/2 quantiles of those means under the linear (type 7) definition. Resampling whole episodes keeps
 * the pairing, since the input is already the per-episode difference.
 */
export function bootstrapCI(diffs: Float64Array, options: BootstrapOptions): BootstrapInterval {
  checkSample("diffs", diffs, 2);
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (!Number.isSafeInteger(resamples) || resamples < 100)
    throw new StatsError(`resamples must be a whole number ≥ 100, got ${String(resamples)}`);
  checkProbability("level", level, true);
  const rng = new Rng(options.seed);
  const n = diffs.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diffs[rng.below(n)];
    means[r] = s / n;
  }
  means.sort();
  return {
    method: "percentile",
    mean: meanOf(diffs),
    low: quantileSorted(means, (1 - level) / 2),
    high: quantileSorted(means, (1 + level) / 2),
    level,
    resamples,
  };
}

/** A bootstrap interval that resamples blocks of episodes, not episodes. */
export interface BlockBootstrapInterval extends Omit<BootstrapInterval, "method"> {
  method: "block percentile";
  /** Distinct blocks resampled. */
  blocks: number;
}

/**
 * Percentile bootstrap of the mean over blocks (Künsch 1989; a cluster bootstrap): episodes that share a block (on a
 * replay, episodes whose windows overlap in time see the same prices) are resampled together. Each resample draws as
 * many blocks as there are, with replacement, and takes the mean of every difference in them. The interval is honest
 * about how many independent stretches of market the episodes came from; it needs at least 2 blocks.
 */
export function blockBootstrapCI(diffs: Float64Array, blocks: ArrayLike<number>, options: BootstrapOptions): BlockBootstrapInterval {
  checkSample("diffs", diffs, 2);
  if (blocks.length !== diffs.length) throw new StatsError(`blocks has ${blocks.length} entries for ${diffs.length} differences`);
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (!Number.isSafeInteger(resamples) || resamples < 100)
    throw new StatsError(`resamples must be a whole number ≥ 100, got ${String(resamples)}`);
  checkProbability("level", level, true);
  const index = new Map<number, number>();
  for (let i = 0; i < blocks.length; i++) if (!index.has(blocks[i])) index.set(blocks[i], index.size);
  const B = index.size;
  if (B < 2) throw new StatsError(`a block bootstrap needs at least 2 blocks, got ${B}`);
  const sums = new Float64Array(B), counts = new Float64Array(B);
  for (let i = 0; i < diffs.length; i++) {
    const b = index.get(blocks[i])!;
    sums[b] += diffs[i];
    counts[b]++;
  }
  const rng = new Rng(options.seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0, c = 0;
    for (let k = 0; k < B; k++) {
      const b = rng.below(B);
      s += sums[b];
      c += counts[b];
    }
    means[r] = s / c;
  }
  means.sort();
  return { method: "block percentile", mean: meanOf(diffs), low: quantileSorted(means, (1 - level) / 2), high: quantileSorted(means, (1 + level) / 2), level, resamples, blocks: B };
}

/** Result of {@link pairedTTest}. */
export interface TTestResult {
  /** t = d̄ / (s_d / √n). */
  t: number;
  /** Degrees of freedom, n − 1. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  meanDiff: number;
  /** Standard error of the mean difference, s_d / √n. */
  stdError: number;
}

/**
 * Paired t-test on per-episode differences (a one-sample t-test of d against 0), two-sided; matches
 * scipy.stats.ttest_rel(a, b) and scipy.stats.ttest_1samp(d, 0). All-equal differences give t = ±∞ / NaN as scipy.
 */
export function pairedTTest(diffs: Float64Array): TTestResult {
  checkSample("diffs", diffs, 2);
  const n = diffs.length;
  const meanDiff = meanOf(diffs);
  const stdError = Math.sqrt(sumSquaredDeviations(diffs, meanDiff) / (n - 1) / n);
  const t = meanDiff / stdError;
  return { t, df: n - 1, p: studentTTwoSidedP(t, n - 1), meanDiff, stdError };
}

/** Which null distribution {@link wilcoxonSignedRank} used for its p-value. */
export type WilcoxonMethod = "exact" | "permutation" | "asymptotic";

/** Result of {@link wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** min(R⁺, R⁻), scipy's two-sided statistic. */
  statistic: number;
  /** Sum of the ranks of |d| over the positive differences. */
  rPlus: number;
  rMinus: number;
  /** Two-sided p-value. */
  p: number;
  method: WilcoxonMethod;
  /** Differences left after dropping zeros. */
  nonZero: number;
  /** (R⁺ − n(n+1)/4)/σ with the tie-corrected σ; reported for every method, used only by "asymptotic". */
  z: number;
}

/**
 * Wilcoxon signed-rank test on per-episode differences, two-sided, with scipy.stats.wilcoxon(d)'s defaults
 * (scipy 1.17: zero_method="wilcox", correction=False, method="auto"):
 * - zeros are dropped ("wilcox"); |d| is ranked with average ranks for ties;
 * - n ≤ 50 (n counts the zeros) with no ties and no zeros: the exact null distribution of R⁺ (all 2ⁿ sign
 *   patterns equally likely, built by the usual convolution), p = 2·min(P(R⁺ ≤ r), P(R⁺ ≥ r)) clipped to 1;
 * - n ≤ 13 with ties or zeros: scipy's exact permutation test, i.e. every sign flip of the differences enumerated,
 *   p = 2·min(#{R⁺* ≤ r}, #{R⁺* ≥ r})/2ⁿ clipped to 1 (comparisons with scipy's relative tolerance 100·eps);
 * - otherwise the normal approximation without continuity correction: σ² = [n(n+1)(2n+1) − Σ(t³ − t)/2]/24
 *   over tie groups of size t, z = (R⁺ − n(n+1)/4)/σ, p = erfc(|z|/√2).
 */
export function wilcoxonSignedRank(diffs: Float64Array): WilcoxonResult {
  checkSample("diffs", diffs, 1);
  const nonZeroDiffs = diffs.filter((v) => v !== 0);
  const n = nonZeroDiffs.length;
  const zeros = diffs.length - n;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => Math.abs(nonZeroDiffs[i]) - Math.abs(nonZeroDiffs[j]),
  );
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && Math.abs(nonZeroDiffs[order[end]]) === Math.abs(nonZeroDiffs[order[start]])) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = averageRank;
    const t = end - start;
    tieTerm += t ** 3 - t;
    start = end;
  }
  const hasTies = tieTerm > 0;
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (nonZeroDiffs[i] > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  }
  const meanR = (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  const z = (rPlus - meanR) / sigma;

  let method: WilcoxonMethod;
  let p: number;
  if (diffs.length <= 50 && !hasTies && zeros === 0) {
    method = "exact";
    const pmf = signedRankPmf(n);
    let lower = 0;
    let upper = 0;
    for (let k = 0; k < pmf.length; k++) {
      if (k <= rPlus) lower += pmf[k];
      if (k >= rPlus) upper += pmf[k];
    }
    p = Math.min(1, 2 * Math.min(lower, upper));
  } else if (diffs.length <= 13) {
    method = "permutation";
    // Flipping the sign of a zero changes nothing, so enumerating the non-zero signs gives the same proportions.
    const gamma = Math.abs(100 * EPS * rPlus);
    let lower = 0;
    let upper = 0;
    const patterns = 2 ** n;
    for (let mask = 0; mask < patterns; mask++) {
      let r = 0;
      for (let i = 0; i < n; i++) if (mask & (1 << i)) r += ranks[i];
      if (r <= rPlus + gamma) lower++;
      if (r >= rPlus - gamma) upper++;
    }
    p = Math.min(1, (2 * Math.min(lower, upper)) / patterns);
  } else {
    method = "asymptotic";
    p = n === 0 ? Number.NaN : erfc(Math.abs(z) / Math.SQRT2);
  }
  return { statistic: Math.min(rPlus, rMinus), rPlus, rMinus, p, method, nonZero: n, z };
}

// P(R⁺ = k), k = 0..n(n+1)/2, under H0: each rank j enters R⁺ with probability 1/2 independently (scipy's
// _get_wilcoxon_distr recursion).
function signedRankPmf(n: number): Float64Array {
  let pmf = new Float64Array([1]);
  for (let j = 1; j <= n; j++) {
    const next = new Float64Array(pmf.length + j);
    for (let k = 0; k < pmf.length; k++) {
      next[k] += pmf[k] / 2;
      next[k + j] += pmf[k] / 2;
    }
    pmf = next;
  }
  return pmf;
}

/**
 * Holm (1979) step-down adjusted p-values, returned in the input order: with p sorted ascending,
 * p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)) (statsmodels.stats.multitest.multipletests(method="holm")).
 * Reject hypothesis i at family-wise level α when p̃_i ≤ α.
 */
export function holm(pValues: readonly number[] | Float64Array): Float64Array {
  const m = pValues.length;
  for (let i = 0; i < m; i++) checkProbability(`pValues[${i}]`, pValues[i], false);
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Float64Array(m);
  let running = 0;
  for (let rank = 0; rank < m; rank++) {
    const i = order[rank];
    running = Math.max(running, Math.min(1, (m - rank) * pValues[i]));
    adjusted[i] = running;
  }
  return adjusted;
}

/** Options of {@link episodesForPower}. */
export interface PowerOptions {
  /** Target power; default 0.8. */
  power?: number;
  /** Two-sided significance level; default 0.05. */
  alpha?: number;
}

/** Result of {@link episodesForPower}. */
export interface PowerResult {
  /** Episodes needed, ⌈nExact⌉ (at least 2); Infinity when the observed mean difference is 0. */
  episodes: number;
  /** The unrounded normal-approximation value. */
  nExact: number;
  /** Observed mean difference δ. */
  meanDiff: number;
  /** Observed standard deviation of the differences σ (n − 1). */
  stdDiff: number;
}

/**
 * Episodes needed for a two-sided paired test at level α to detect the observed mean difference δ with the
 * given power, by the normal approximation n = ((z_{1−α/2} + z_{power})·σ/δ)² (e.g. Chow, Shao & Wang, "Sample
 * Size Calculations in Clinical Research", §3.1), with δ and σ the observed mean and std of the differences. It
 * ignores the t distribution's heavier tails, so for answers below ~30 the t-test needs one or two more episodes.
 */
export function episodesForPower(diffs: Float64Array, options: PowerOptions = {}): PowerResult {
  checkSample("diffs", diffs, 2);
  const power = options.power ?? 0.8;
  const alpha = options.alpha ?? 0.05;
  checkProbability("power", power, true);
  checkProbability("alpha", alpha, true);
  const meanDiff = meanOf(diffs);
  const stdDiff = Math.sqrt(sumSquaredDeviations(diffs, meanDiff) / (diffs.length - 1));
  const zSum = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const nExact = ((zSum * stdDiff) / meanDiff) ** 2;
  return { episodes: Number.isFinite(nExact) ? Math.max(2, Math.ceil(nExact)) : Infinity, nExact, meanDiff, stdDiff };
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison the harness reports

/** One policy compared with one other on the same episodes (differences are policy − other). */
export interface PairedComparison {
  /** Name of the policy compared against (the reference or the best baseline). */
  against: string;
  /** Per-episode policy − other costs; negative mean = the policy is cheaper. */
  differences: Float64Array;
  summary: CostSummary;
  bootstrap: BootstrapInterval;
  tTest: TTestResult;
  wilcoxon: WilcoxonResult;
  /** Holm-adjusted t-test p-value across all the comparisons passed to {@link comparePaired} together. */
  tTestPHolm: number;
  /** Holm-adjusted Wilcoxon p-value across the same comparisons. */
  wilcoxonPHolm: number;
  power: PowerResult;
}

/**
 * Compares `policy` with each named other policy on the same episodes (typically the reference, TWAP by default,
 * and the best baseline) and applies Holm's correction across those comparisons, separately for the t-test and
 * the Wilcoxon p-values. Each comparison's bootstrap uses `seed + index` so they are independent yet reproducible.
 */
export function comparePaired(
  policy: Float64Array,
  others: ReadonlyArray<{ name: string; costs: Float64Array }>,
  options: { seed: number; resamples?: number; level?: number; power?: number; alpha?: number },
): PairedComparison[] {
  const partial = others.map(({ name, costs }, k) => {
    const differences = pairedDifferences(policy, costs);
    return {
      against: name,
      differences,
      summary: summarize(differences),
      bootstrap: bootstrapCI(differences, { seed: options.seed + k, resamples: options.resamples, level: options.level }),
      tTest: pairedTTest(differences),
      wilcoxon: wilcoxonSignedRank(differences),
      power: episodesForPower(differences, { power: options.power, alpha: options.alpha }),
    };
  });
  const tHolm = holm(partial.map((c) => c.tTest.p));
  const wHolm = holm(partial.map((c) => (Number.isNaN(c.wilcoxon.p) ? 1 : c.wilcoxon.p)));
  return partial.map((c, k) => ({ ...c, tTestPHolm: tHolm[k], wilcoxonPHolm: wHolm[k] }));
}
