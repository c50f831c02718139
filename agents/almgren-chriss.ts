// Almgren–Chriss: the mean-variance optimal trajectory under linear impact, re-solved at every decision.
import { PolicyError, checkNumber } from "./errors.js";
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import { decisionsLeft, freeLots, scheduleChildLots, writeChild, writeWait } from "./slicing.js";
import { Placement, type ActionMode, type ExecutionTaskState } from "./task-state.js";

/**
 * The model's parameters in the units of the env's optional risk term (native ExecutionSpec): holdings as a
 * fraction of the parent, prices in bps of the arrival price, time in seconds.
 */
export interface AlmgrenChrissImpact {
  /** λ, 1/bps: weight of the shortfall's variance against its mean (the env's `riskAversion`). */
  readonly riskAversion: number;
  /** σ, bps per √s (the env's `sigmaBpsPerSqrtS`). */
  readonly volatilityBpsPerSqrtS: number;
  /** η, bps · s: temporary impact per unit trading rate (price concession in bps per parent-fraction per second). */
  readonly temporaryImpactBpsS: number;
  /** γ, bps: permanent impact per parent-fraction traded (default 0). */
  readonly permanentImpactBps?: number;
}

/**
 * κ, per second, of the discrete-time Almgren–Chriss solution (Almgren & Chriss 2000, "Optimal execution of
 * portfolio transactions", J. Risk 3(2), §2.2): cosh(κτ) = 1 + τ²λσ²/(2η̃) with η̃ = η − γτ/2, i.e.
 * (2/τ²)(cosh κτ − 1) = κ̃² = λσ²/η̃. As τ → 0 it tends to the continuous κ = √(λσ²/η).
 */
export function almgrenChrissKappa(impact: AlmgrenChrissImpact, stepSeconds: number): number {
  if (impact === null || typeof impact !== "object") throw new PolicyError("INVALID_ARGUMENT", "almgrenChrissKappa needs the impact parameters");
  const lambda = checkNumber("riskAversion", impact.riskAversion, 0, Number.MAX_VALUE);
  const sigma = checkNumber("volatilityBpsPerSqrtS", impact.volatilityBpsPerSqrtS, 0, Number.MAX_VALUE);
  const eta = checkNumber("temporaryImpactBpsS", impact.temporaryImpactBpsS, Number.MIN_VALUE, Number.MAX_VALUE);
  const gamma = checkNumber("permanentImpactBps", impact.permanentImpactBps ?? 0, 0, Number.MAX_VALUE);
  const tau = checkNumber("stepSeconds", stepSeconds, Number.MIN_VALUE, Number.MAX_VALUE);
  const etaTilde = eta - (gamma * tau) / 2;
  if (!(etaTilde > 0))
    throw new PolicyError(
      "INVALID_ARGUMENT",
      `Almgren–Chriss needs η − γτ/2 > 0 (temporary impact above half the permanent impact of one step); got η ${eta}, γ ${gamma}, τ ${tau} s`,
    );
  const y = (tau * tau * lambda * sigma * sigma) / (2 * etaTilde);
  // acosh(1 + y), accurate for small y (risk aversion near 0): log1p(y + √(y(y + 2))).
  return Math.log1p(y + Math.sqrt(y * (y + 2))) / tau;
}

/** sinh(a·p) / sinh(a·q) for 0 ≤ p ≤ q, q > 0, in a form that neither overflows for large a nor loses p/q as a → 0. */
export function sinhRatio(a: number, p: number, q: number): number {
  if (a === 0) return p / q;
  return (Math.exp(-a * (q - p)) * Math.expm1(-2 * a * p)) / Math.expm1(-2 * a * q);
}

/**
 * The closed-form holdings x_0 … x_T of the optimal trajectory (Almgren & Chriss 2000, §2.2):
 * x_k = X · sinh(κ(T − t_k)) / sinh(κT), t_k = kτ, horizon Tτ. κ = 0 is the linear (TWAP) trajectory; larger κ
 * (more risk aversion) front-loads. x_0 = X and x_T = 0 exactly.
 */
export function almgrenChrissTrajectory(parentLots: number, horizonSteps: number, kappaPerS: number, stepSeconds: number): Float64Array {
  checkNumber("parentLots", parentLots, 0, Number.MAX_VALUE);
  if (!Number.isSafeInteger(horizonSteps) || horizonSteps < 1)
    throw new PolicyError("INVALID_ARGUMENT", `horizonSteps must be a whole number >= 1, got ${String(horizonSteps)}`);
  checkNumber("kappaPerS", kappaPerS, 0, Number.MAX_VALUE);
  checkNumber("stepSeconds", stepSeconds, Number.MIN_VALUE, Number.MAX_VALUE);
  const a = kappaPerS * stepSeconds;
  const x = new Float64Array(horizonSteps + 1);
  for (let k = 0; k <= horizonSteps; k++) x[k] = parentLots * sinhRatio(a, horizonSteps - k, horizonSteps);
  return x;
}

/** Settings of {@link AlmgrenChrissPolicy}: the model's parameters, or κ itself. */
export type AlmgrenChrissOptions = AlmgrenChrissImpact | { readonly kappaPerS: number };

/**
 * Almgren–Chriss: market children along the optimal trajectory, re-solved at every decision for the lots and
 * the time left, so what did not fill is re-planned rather than chased.
 *
 * At decision k (R remaining, S = T − k decisions left, a = κτ):
 * - slice = R · (1 − sinh(a(S−1)) / sinh(aS)): the first step of the trajectory from (R, S);
 * - rounded toward the original trajectory's holdings X · sinh(a(T−k−1)) / sinh(aT) ({@link scheduleChildLots}),
 *   so a fully filled parent stays within half a lot of the closed form; with κ = 0 this is TWAP;
 * - capped at remaining − resting; the env's horizon cross completes what the book did not absorb.
 * κ comes from the model's parameters and the env's decision interval τ (the state's stepNs) at the first act().
 */
export class AlmgrenChrissPolicy implements Policy {
  readonly name = "almgren-chriss";
  readonly actionMode: ActionMode = "lots";
  private readonly impact: AlmgrenChrissImpact | undefined;
  private readonly fixedKappa: number | undefined;
  private stepNs = NaN;
  private kappaPerS = NaN;

  constructor(options: AlmgrenChrissOptions) {
    if (options === null || typeof options !== "object") throw new PolicyError("INVALID_ARGUMENT", "AlmgrenChrissPolicy needs options");
    if ("kappaPerS" in options) {
      this.fixedKappa = checkNumber("options.kappaPerS", options.kappaPerS, 0, Number.MAX_VALUE);
    } else {
      // Checked now, with a one-second step, so a bad parameter fails at construction rather than at act().
      almgrenChrissKappa(options, 1);
      this.impact = { ...options };
    }
  }

  /** κ per second for a decision interval of `stepNs` (the fixed κ, or the model's discrete κ for that τ). */
  kappaFor(stepNs: number): number {
    if (this.fixedKappa !== undefined) return this.fixedKappa;
    return almgrenChrissKappa(this.impact as AlmgrenChrissImpact, stepNs * 1e-9);
  }

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    if (state.stepNs !== this.stepNs) {
      this.kappaPerS = this.kappaFor(state.stepNs);
      this.stepNs = state.stepNs;
    }
    const a = this.kappaPerS * state.stepNs * 1e-9;
    for (let i = 0; i < state.numEnvs; i++) {
      const left = decisionsLeft(state, i);
      if (left === 0) {
        writeWait(out, i);
        continue;
      }
      const remaining = state.remainingLots[i];
      const horizon = state.horizonSteps[i];
      const slice = remaining * (1 - sinhRatio(a, left - 1, left));
      const planned = state.parentLots[i] * sinhRatio(a, left - 1, horizon);
      writeChild(out, i, scheduleChildLots(slice, remaining, planned), freeLots(state, i), Placement.Market);
    }
  }

  describe(): PolicyDescription {
    const params: Record<string, number | string> = { placement: "market" };
    if (this.fixedKappa !== undefined) params.kappaPerS = this.fixedKappa;
    else {
      const m = this.impact as AlmgrenChrissImpact;
      params.riskAversion = m.riskAversion;
      params.volatilityBpsPerSqrtS = m.volatilityBpsPerSqrtS;
      params.temporaryImpactBpsS = m.temporaryImpactBpsS;
      params.permanentImpactBps = m.permanentImpactBps ?? 0;
    }
    if (Number.isFinite(this.kappaPerS)) params.kappaPerS = this.kappaPerS;
    return {
      name: this.name,
      params,
      summary: "Almgren–Chriss: market children along the mean-variance optimal sinh trajectory, re-solved each decision for the lots and time left.",
    };
  }
}
