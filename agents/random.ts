// Random: uniform actions over the default action space, from a seeded stream (a floor for every report).
import { Rng } from "../env/index.js";
import { checkWhole } from "./errors.js";
import { DEFAULT_ACTION_NVEC, checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import type { ActionMode, ExecutionTaskState } from "./task-state.js";

/** Settings of {@link RandomPolicy}. */
export interface RandomOptions {
  /** Seed of the action stream (a whole number in [0, 2^53 − 1]). */
  readonly seed: number;
}

/**
 * Random: each env's action drawn uniformly from `MultiDiscrete([5, 4])` in `multiplier` mode (size index
 * into {0, ½, 1, 2, 4} × the adaptive TWAP slice, placement index), the size and the placement independently.
 * One stream for the batch, two draws per env per act() in env order (ended envs included), so the same seed and
 * batch size give the same actions. The env caps the size at remaining − resting.
 */
export class RandomPolicy implements Policy {
  readonly name = "random";
  readonly actionMode: ActionMode = "multiplier";
  readonly seed: number;
  private readonly rng: Rng;

  constructor(options: RandomOptions) {
    this.seed = checkWhole("options.seed", options?.seed, 0, Number.MAX_SAFE_INTEGER);
    this.rng = new Rng(this.seed);
  }

  /** Restarts the action stream from `seed` (the constructor's when omitted). */
  reseed(seed: number = this.seed): void {
    this.rng.reseed(checkWhole("seed", seed, 0, Number.MAX_SAFE_INTEGER));
  }

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    const sizes = DEFAULT_ACTION_NVEC[0];
    const placements = DEFAULT_ACTION_NVEC[1];
    for (let i = 0; i < state.numEnvs; i++) {
      out[2 * i] = this.rng.below(sizes);
      out[2 * i + 1] = this.rng.below(placements);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { seed: this.seed, actionSpace: `MultiDiscrete([${DEFAULT_ACTION_NVEC.join(", ")}])` },
      summary: `Random: actions drawn uniformly from MultiDiscrete([${DEFAULT_ACTION_NVEC.join(", ")}]) with seed ${this.seed}.`,
    };
  }
}
