// The univariate Hawkes process with an exponential kernel, for the clustering of market orders: its exact
// maximum-likelihood fit to event times and a seeded simulator, so a calibration can be checked by recovering
// known parameters from a long simulated stream.
//
//   λ(t) = μ + n · Σ_{t_i < t} β e^{−β (t − t_i)}
//
// μ > 0 is the background rate, n ∈ [0, 1) the branching ratio (the mean number of events each event triggers,
// the kernel's integral), β > 0 the decay rate (1/β the memory). The stationary rate is μ / (1 − n).
import { Rng } from "../../env/rng.js";

export interface HawkesParams {
  /** Background rate, events per second. */
  mu: number;
  /** Branching ratio n = ∫ kernel, in [0, 1). */
  n: number;
  /** Decay rate of the kernel, per second. */
  beta: number;
}

export interface HawkesFit extends HawkesParams {
  /** Standard errors from the inverse of the observed information (the negative Hessian of the log-likelihood). */
  se: HawkesParams;
  logLikelihood: number;
  /** Log-likelihood of the best homogeneous Poisson process (n = 0), for the likelihood-ratio comparison. */
  poissonLogLikelihood: number;
  events: number;
  /** Observation window, seconds. */
  horizon: number;
  /** Nelder–Mead iterations used. */
  iterations: number;
}

/**
 * Log-likelihood of sorted event times in [0, horizon] (Ozaki 1979, with the O(N) recursion
 * A_i = e^{−β(t_i − t_{i−1})} (1 + A_{i−1})):
 *   ℓ = Σ_i log(μ + n β A_i) − μ T − n Σ_i (1 − e^{−β (T − t_i)}).
 */
export function hawkesLogLikelihood(times: Float64Array, horizon: number, p: HawkesParams): number {
  const { mu, n, beta } = p;
  let a = 0;
  let sum = 0;
  let compensator = mu * horizon;
  for (let i = 0; i < times.length; i++) {
    if (i > 0) a = Math.exp(-beta * (times[i] - times[i - 1])) * (1 + a);
    sum += Math.log(mu + n * beta * a);
    compensator += n * (1 - Math.exp(-beta * (horizon - times[i])));
  }
  return sum - compensator;
}

/** Simulates a Hawkes process on [0, horizon] by Ogata's thinning, from a seed: the same seed gives the same times. */
export function simulateHawkes(p: HawkesParams, horizon: number, seed: number): Float64Array {
  checkParams(p);
  const rng = new Rng(seed);
  const out: number[] = [];
  let t = 0;
  // excitation = n β Σ e^{−β (t − t_i)} at the current time; it only decays between events, so λ at t bounds λ after.
  let excitation = 0;
  for (;;) {
    const bound = p.mu + excitation;
    const dt = rng.exponential(bound);
    t += dt;
    if (t > horizon) break;
    excitation *= Math.exp(-p.beta * dt);
    if (rng.uniform() * bound <= p.mu + excitation) {
      out.push(t);
      excitation += p.n * p.beta;
    }
  }
  return Float64Array.from(out);
}

/**
 * Maximum-likelihood fit by Nelder–Mead on (log μ, logit n, log β), started from the Poisson rate, n = 0.5 and
 * β = 1 / (the median gap). `times` must be sorted and lie in [0, horizon].
 */
export function fitHawkes(times: Float64Array, horizon: number): HawkesFit {
  if (!(horizon > 0) || !Number.isFinite(horizon)) throw new RangeError(`fitHawkes: horizon must be a positive number of seconds, got ${horizon}`);
  if (times.length < 10) throw new RangeError(`fitHawkes: needs at least 10 events, got ${times.length}`);
  for (let i = 0; i < times.length; i++) {
    if (!(times[i] >= 0 && times[i] <= horizon) || (i > 0 && times[i] < times[i - 1])) throw new RangeError(`fitHawkes: times must be sorted and within [0, ${horizon}]; entry ${i} is ${times[i]}`);
  }
  const gaps = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) gaps[i - 1] = times[i] - times[i - 1];
  gaps.sort();
  const medianGap = Math.max(gaps[gaps.length >> 1], 1e-6);
  const rate = times.length / horizon;
  const decode = (x: readonly number[]): HawkesParams => ({ mu: Math.exp(x[0]), n: 1 / (1 + Math.exp(-x[1])), beta: Math.exp(x[2]) });
  const objective = (x: readonly number[]) => -hawkesLogLikelihood(times, horizon, decode(x));
  const start = [Math.log(rate * 0.5), 0, Math.log(1 / medianGap)];
  let best = nelderMead(objective, start, 0.5, 4000);
  // A restart from the optimum escapes the simplex's occasional early collapse.
  best = nelderMead(objective, best.x, 0.1, 4000, best.iterations);
  const p = decode(best.x);
  return {
    ...p,
    se: standardErrors(times, horizon, p),
    logLikelihood: -best.value,
    poissonLogLikelihood: times.length * Math.log(rate) - times.length,
    events: times.length,
    horizon,
    iterations: best.iterations,
  };
}

/** Standard errors of (μ, n, β) from a central-difference Hessian of ℓ in the natural parameters. */
function standardErrors(times: Float64Array, horizon: number, p: HawkesParams): HawkesParams {
  const x = [p.mu, p.n, p.beta];
  const h = x.map((v) => Math.max(Math.abs(v) * 1e-4, 1e-7));
  const f = (y: number[]) => hawkesLogLikelihood(times, horizon, { mu: y[0], n: y[1], beta: y[2] });
  const H: number[][] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j++) {
      const at = (di: number, dj: number) => {
        const y = x.slice();
        y[i] += di * h[i];
        y[j] += dj * h[j];
        return f(y);
      };
      const v = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j]);
      H[i][j] = H[j][i] = v;
    }
  }
  const cov = invert3(H.map((row) => row.map((v) => -v)));
  const se = (k: number) => (cov && cov[k][k] > 0 ? Math.sqrt(cov[k][k]) : NaN);
  return { mu: se(0), n: se(1), beta: se(2) };
}

function invert3(m: number[][]): number[][] | null {
  const [a, b, c] = m[0], [d, e, f] = m[1], [g, h, i] = m[2];
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || det === 0) return null;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** Nelder–Mead minimisation (Lagarias et al. 1998 coefficients), to a relative tolerance of 1e-10 on the values. */
function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], step: number, maxIterations: number, used = 0): { x: number[]; value: number; iterations: number } {
  const d = start.length;
  let simplex = [start.slice()];
  for (let k = 0; k < d; k++) {
    const v = start.slice();
    v[k] += step;
    simplex.push(v);
  }
  let values = simplex.map(f);
  let it = 0;
  for (; it < maxIterations; it++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[d] - values[0]) <= 1e-10 * (Math.abs(values[0]) + 1e-10)) break;
    const centroid = new Array<number>(d).fill(0);
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) centroid[j] += simplex[k][j] / d;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[d][j] - c));
    const reflected = along(-1), fr = f(reflected);
    if (fr < values[0]) {
      const expanded = along(-2), fe = f(expanded);
      [simplex[d], values[d]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[d - 1]) {
      [simplex[d], values[d]] = [reflected, fr];
    } else {
      const contracted = fr < values[d] ? along(-0.5) : along(0.5), fc = f(contracted);
      if (fc < Math.min(fr, values[d])) {
        [simplex[d], values[d]] = [contracted, fc];
      } else {
        for (let k = 1; k <= d; k++) {
          simplex[k] = simplex[k].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[k] = f(simplex[k]);
        }
      }
    }
  }
  const i = values.indexOf(Math.min(...values));
  return { x: simplex[i], value: values[i], iterations: used + it };
}

function checkParams(p: HawkesParams): void {
  if (!(p.mu > 0) || !(p.n >= 0 && p.n < 1) || !(p.beta > 0)) throw new RangeError(`Hawkes parameters need μ > 0, 0 ≤ n < 1, β > 0; got μ ${p.mu}, n ${p.n}, β ${p.beta}`);
}
