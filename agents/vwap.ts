// VWAP: marketable slices that follow an intraday volume profile.
import { PolicyError, checkWhole } from "./errors.js";
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import { decisionsLeft, freeLots, scheduleChildLots, writeChild, writeWait } from "./slicing.js";
import { Placement, type ActionMode, type ExecutionTaskState } from "./task-state.js";

/** Settings of {@link VwapPolicy}. */
export interface VwapOptions {
  /**
   * Expected share of the episode's volume in each decision step (non-negative, positive total; normalised
   * here). Its length is the horizon it serves. Build it with profileFromVolumes, stepProfileFromBuckets or
   * uniformProfile.
   */
  readonly profile: ArrayLike<number>;
  /** Give this to set a profile per env with {@link VwapPolicy.setProfile} (time-of-day profiles differ by episode start). */
  readonly numEnvs?: number;
  /** Longest profile setProfile accepts (default: the length of `profile`). */
  readonly maxHorizonSteps?: number;
}

/**
 * VWAP: the parent traded in proportion to the volume expected in each step, with market children. Following
 * the expected volume profile is the static schedule that minimises the expected VWAP slippage when volume and
 * price moves are independent (Konishi 2002, "Optimal slice of a VWAP trade", J. Financial Markets 5(2)).
 *
 * With profile weights w_k and W_k = Σ_{j≥k} w_j, at decision k (R remaining, X parent):
 * - slice = R · w_k / W_k: this step's share of what is left, so on schedule the child is X·w_k / W_0 and a
 *   parent that is behind (or ahead) spreads the difference over the rest of the profile in proportion to it;
 * - rounded toward the plan's holdings X · W_{k+1} / W_0 ({@link scheduleChildLots}), so cumulative children of
 *   a fully filled parent stay within half a lot of X · (w_0 + … + w_k) / W_0; a uniform profile gives TWAP;
 * - where the profile expects no more volume (W_k = 0) and lots are left, remaining ÷ decisions left;
 * - capped at remaining − resting; the env's horizon cross completes what the book did not absorb.
 */
export class VwapPolicy implements Policy {
  readonly name = "vwap";
  readonly actionMode: ActionMode = "lots";
  private readonly numEnvs: number | undefined;
  private readonly capacity: number;
  /** Row r: weights [r·capacity, …), suffix sums [r·(capacity+1), …), length lengths[r]. */
  private readonly weights: Float64Array;
  private readonly suffix: Float64Array;
  private readonly lengths: Int32Array;
  private readonly sharedSteps: number;

  constructor(options: VwapOptions) {
    if (options === null || typeof options !== "object") throw new PolicyError("INVALID_ARGUMENT", "VwapPolicy needs options { profile }");
    const steps = profileLength(options.profile, "options.profile");
    this.numEnvs = options.numEnvs === undefined ? undefined : checkWhole("options.numEnvs", options.numEnvs, 1, 2 ** 31 - 1);
    this.capacity = options.maxHorizonSteps === undefined ? steps : checkWhole("options.maxHorizonSteps", options.maxHorizonSteps, steps, 2 ** 31 - 1);
    const rows = this.numEnvs ?? 1;
    this.weights = new Float64Array(rows * this.capacity);
    this.suffix = new Float64Array(rows * (this.capacity + 1));
    this.lengths = new Int32Array(rows);
    this.sharedSteps = steps;
    for (let r = 0; r < rows; r++) this.store(r, options.profile);
  }

  /** Gives env i its own profile from its next decision on (call it when env i starts an episode). */
  setProfile(envIndex: number, profile: ArrayLike<number>): void {
    if (this.numEnvs === undefined)
      throw new PolicyError("INVALID_ARGUMENT", "VwapPolicy.setProfile needs a policy built with options.numEnvs");
    checkWhole("envIndex", envIndex, 0, this.numEnvs - 1);
    const steps = profileLength(profile, "profile");
    if (steps > this.capacity)
      throw new PolicyError("INVALID_ARGUMENT", `profile has ${steps} steps but this VwapPolicy holds at most ${this.capacity}; raise options.maxHorizonSteps`);
    this.store(envIndex, profile);
  }

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out, this.numEnvs);
    for (let i = 0; i < state.numEnvs; i++) {
      const left = decisionsLeft(state, i);
      if (left === 0) {
        writeWait(out, i);
        continue;
      }
      const row = this.numEnvs === undefined ? 0 : i;
      const steps = this.lengths[row];
      if (steps !== state.horizonSteps[i])
        throw new PolicyError(
          "PROFILE_MISMATCH",
          `vwap: env ${i}'s profile has ${steps} steps but its horizon is ${state.horizonSteps[i]} decisions; give one fraction per decision step (stepProfileFromBuckets builds one)`,
        );
      const k = state.elapsedSteps[i];
      const base = row * (this.capacity + 1);
      const wLeft = this.suffix[base + k];
      const remaining = state.remainingLots[i];
      let slice: number;
      let planned: number;
      if (wLeft > 0) {
        slice = (remaining * this.weights[row * this.capacity + k]) / wLeft;
        planned = (state.parentLots[i] * this.suffix[base + k + 1]) / this.suffix[base];
      } else {
        slice = remaining / left;
        planned = remaining - slice;
      }
      writeChild(out, i, scheduleChildLots(slice, remaining, planned), freeLots(state, i), Placement.Market);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { placement: "market", profileSteps: this.sharedSteps, perEnvProfiles: this.numEnvs === undefined ? "no" : "yes" },
      summary: "VWAP: market children in proportion to the volume an intraday profile expects in each step, re-spreading any shortfall over the rest of the profile.",
    };
  }

  private store(row: number, profile: ArrayLike<number>): void {
    const steps = profile.length;
    let total = 0;
    for (let k = 0; k < steps; k++) total += profile[k];
    const w = row * this.capacity;
    const s = row * (this.capacity + 1);
    this.suffix[s + steps] = 0;
    // Summed from the end so W_k of the last steps is exact and W_{T} is 0.
    for (let k = steps - 1; k >= 0; k--) {
      this.weights[w + k] = profile[k] / total;
      this.suffix[s + k] = this.suffix[s + k + 1] + this.weights[w + k];
    }
    this.lengths[row] = steps;
  }
}

function profileLength(profile: ArrayLike<number>, name: string): number {
  if (profile === null || typeof profile !== "object" || typeof profile.length !== "number" || profile.length < 1)
    throw new PolicyError("INVALID_ARGUMENT", `${name} must be a non-empty array of fractions, one per decision step`);
  let total = 0;
  for (let k = 0; k < profile.length; k++) {
    const f = profile[k];
    if (typeof f !== "number" || !Number.isFinite(f) || f < 0)
      throw new PolicyError("INVALID_ARGUMENT", `${name}[${k}] must be a finite number >= 0, got ${String(f)}`);
    total += f;
  }
  if (!(total > 0)) throw new PolicyError("INVALID_ARGUMENT", `${name} sums to 0: no step expects volume (uniformProfile(steps) is the fallback)`);
  return profile.length;
}
