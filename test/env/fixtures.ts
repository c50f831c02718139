// Small real environments for the env/ suites: an inventory-liquidation env whose episode lengths depend on
// the seed, a countdown env whose every step is predictable, and deliberate flaws, one per contract rule.
import {
  Box,
  Discrete,
  EnvError,
  MultiDiscrete,
  Rng,
  batchSpace,
  type Env,
  type EnvMetadata,
  type Info,
  type ResetArgs,
  type ResetResult,
  type StepResult,
  type VectorEnv,
  type VectorEnvMetadata,
  type VectorResetArgs,
  type VectorResetResult,
  type VectorStepResult,
} from "../../env/index.js";

/** One deliberate break of the contract each; checkEnv must reject every one. */
export type InventoryFlaw =
  | "truncates-itself"
  | "obs-outside-space"
  | "obs-wrong-dtype"
  | "ignores-seed"
  | "reseeds-from-entropy"
  | "nan-reward"
  | "numeric-flags"
  | "steps-after-end"
  | "info-null"
  | "leaks-state-across-episodes";

export interface InventoryOptions {
  /** Decision steps before the horizon forces the remainder out. Default 12. */
  horizon?: number;
  flaw?: InventoryFlaw;
}

/**
 * Liquidate a parent order of 4..11 lots (drawn from the seed) within `horizon` steps. Action: lots to sell
 * this step (Discrete(4): 0..3). Reward: minus the cost of what was sold, in bps-like units (1 per lot plus a
 * seeded noisy spread, more per lot when selling fast); at the horizon the rest is crossed at a penalty and
 * the episode terminates. Observation (float32): [inventory left / 11, time left / horizon, last spread].
 * The observation array is reused between calls, as the contract allows.
 */
export class InventoryEnv implements Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: [0, 0, 0], high: [1, 1, 1], dtype: "float32" });
  readonly actionSpace = new Discrete(4);
  readonly metadata: EnvMetadata = {};
  readonly horizon: number;
  private readonly flaw: InventoryFlaw | undefined;
  private readonly rng = new Rng(0);
  private readonly obs = new Float32Array(3);
  private inventory = 0;
  private stepsTaken = 0;
  private spread = 0;
  private started = false;
  private ended = false;
  private episodes = 0;
  closed = 0;

  constructor(options: InventoryOptions = {}) {
    this.horizon = options.horizon ?? 12;
    this.flaw = options.flaw;
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    if (this.flaw === "ignores-seed") this.rng.reseed(7);
    else if (this.flaw === "reseeds-from-entropy") this.rng.reseed(Math.floor(Math.random() * 2 ** 32));
    else if (args.seed !== undefined) this.rng.reseed(args.seed);
    this.episodes += 1;
    this.inventory = 4 + this.rng.below(8);
    if (this.flaw === "leaks-state-across-episodes") this.inventory = Math.min(11, this.inventory + (this.episodes % 3));
    this.stepsTaken = 0;
    this.spread = this.rng.uniform();
    this.started = true;
    this.ended = false;
    return [this.observe(), {}];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.started) throw new EnvError("STEP_BEFORE_RESET", "InventoryEnv: step() before reset()");
    if (this.ended && this.flaw !== "steps-after-end") throw new EnvError("STEP_AFTER_END", "InventoryEnv: step() after the episode ended; reset() first");
    const sold = Math.min(action, this.inventory);
    this.inventory -= sold;
    this.stepsTaken += 1;
    let cost = sold * (1 + 0.5 * this.spread) + 0.2 * sold * sold;
    this.spread = this.rng.uniform();
    const atHorizon = this.stepsTaken >= this.horizon;
    if (atHorizon && this.inventory > 0) {
      cost += this.inventory * 3;
      this.inventory = 0;
    }
    const done = this.inventory === 0;
    this.ended = done;
    const info: Info = { soldLots: sold, inventoryLots: this.inventory };
    const obs = this.observe();
    if (this.flaw === "obs-outside-space" && this.stepsTaken === 2) obs[1] = 1.5;
    const reward = this.flaw === "nan-reward" && this.stepsTaken === 3 ? NaN : -cost;
    // A time limit of its own, which only TimeLimit may impose.
    if (this.flaw === "truncates-itself" && this.stepsTaken === 3) return [obs, reward, false, true, info];
    if (this.flaw === "numeric-flags") return [obs, reward, (done ? 1 : 0) as unknown as boolean, false, info];
    if (this.flaw === "info-null" && this.stepsTaken === 1) return [obs, reward, done, false, null as unknown as Info];
    if (this.flaw === "obs-wrong-dtype") return [Float64Array.from(obs) as unknown as Float32Array, reward, done, false, info];
    return [obs, reward, done, false, info];
  }

  close(): void {
    this.closed += 1;
  }

  private observe(): Float32Array {
    this.obs[0] = this.inventory / 11;
    this.obs[1] = (this.horizon - this.stepsTaken) / this.horizon;
    this.obs[2] = this.spread;
    return this.obs;
  }
}

/**
 * Counts down from a seeded start (2..5) to 0, one per step, whatever the action; the reward is the action
 * taken, so a reset step's ignored action shows as reward 0. Observation (float32): [steps left, episode
 * length]. An env whose every step is known in advance is the easiest to walk through by hand.
 */
export class CountdownEnv implements Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: [0, 2], high: [5, 5], dtype: "float32" });
  readonly actionSpace = new Discrete(3, { start: 1 });
  readonly metadata: EnvMetadata = {};
  private readonly rng = new Rng(0);
  private left = 0;
  private length = 0;
  private started = false;
  /** Episodes started so far, minus one. */
  episode = -1;
  /** Lengths of the episodes started so far, in order. */
  readonly lengths: number[] = [];
  /** Actions this env was given, in order (reset steps give none). */
  readonly actions: number[] = [];

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    if (args.seed !== undefined) this.rng.reseed(args.seed);
    this.left = 2 + this.rng.below(4);
    this.length = this.left;
    this.lengths.push(this.left);
    this.episode += 1;
    this.started = true;
    return [Float32Array.of(this.left, this.length), { start: this.left }];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.started) throw new EnvError("STEP_BEFORE_RESET", "CountdownEnv: step() before reset()");
    if (this.left === 0) throw new EnvError("STEP_AFTER_END", "CountdownEnv: step() after the episode ended; reset() first");
    this.actions.push(action);
    this.left -= 1;
    return [Float32Array.of(this.left, this.length), action, this.left === 0, false, {}];
  }

  close(): void {}
}

/** An env without randomness: every seed gives the same episode; it says so in its metadata. */
export class FixedEnv implements Env<Float32Array, number> {
  readonly observationSpace = new Box({ low: 0, high: 5, shape: [1] });
  readonly actionSpace = new Discrete(2);
  readonly metadata: EnvMetadata;
  private t = 0;
  constructor(declareDeterministic: boolean) {
    this.metadata = { deterministic: declareDeterministic };
  }
  reset(): ResetResult<Float32Array> {
    this.t = 0;
    return [Float32Array.of(0), {}];
  }
  step(action: number): StepResult<Float32Array> {
    if (this.t === 5) throw new EnvError("STEP_AFTER_END", "FixedEnv: reset() first");
    this.t += 1;
    return [Float32Array.of(this.t), action, this.t === 5, false, {}];
  }
  close(): void {}
}

/** Mean and population variance of each column of rows × width values. */
export function columnMoments(rows: ArrayLike<number>[], width: number): { mean: number[]; variance: number[] } {
  const mean = new Array<number>(width).fill(0);
  const variance = new Array<number>(width).fill(0);
  for (const r of rows) for (let j = 0; j < width; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < width; j++) variance[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean, variance };
}

/** One deliberate break of the vector contract each; checkVectorEnv must reject every one. */
export type VectorFlaw =
  | "same-step-autoreset"
  | "reward-on-reset-step"
  | "reads-action-on-reset-step"
  | "reallocates"
  | "wrong-autoreset-mode"
  | "non-binary-flags"
  | "ignores-reset-seed"
  | "float64-observations";

/**
 * InventoryEnv's dynamics written the way the native ExecutionVectorEnv will be: struct-of-arrays state, one
 * loop over the envs per call, results written into arrays allocated once. For the same seeds and actions it
 * must match SyncVectorEnv over InventoryEnv bit for bit.
 */
export class ArrayInventoryVectorEnv implements VectorEnv<number> {
  readonly singleObservationSpace = new Box({ low: [0, 0, 0], high: [1, 1, 1], dtype: "float32" });
  readonly singleActionSpace = new Discrete(4);
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: MultiDiscrete;
  readonly metadata: VectorEnvMetadata;
  observations: Float32Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly resetMask: Uint8Array;
  private readonly rngs: Rng[];
  private readonly inventory: Float64Array;
  private readonly stepsTaken: Int32Array;
  private readonly spread: Float64Array;
  private readonly pending: Uint8Array;
  private started = false;

  constructor(readonly numEnvs: number, readonly horizon = 12, private readonly flaw?: VectorFlaw) {
    this.observationSpace = batchSpace(this.singleObservationSpace, numEnvs);
    this.actionSpace = batchSpace(this.singleActionSpace, numEnvs);
    this.metadata = { autoresetMode: (flaw === "wrong-autoreset-mode" ? "same-step" : "next-step") as "next-step" };
    this.observations = new Float32Array(numEnvs * 3);
    this.rewards = new Float64Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.resetMask = new Uint8Array(numEnvs);
    this.rngs = Array.from({ length: numEnvs }, () => new Rng(0));
    this.inventory = new Float64Array(numEnvs);
    this.stepsTaken = new Int32Array(numEnvs);
    this.spread = new Float64Array(numEnvs);
    this.pending = new Uint8Array(numEnvs);
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.fresh();
    for (let i = 0; i < this.numEnvs; i++) {
      const seed = typeof args.seed === "number" ? args.seed + i : args.seed?.[i];
      if (seed !== undefined) this.rngs[i].reseed(this.flaw === "ignores-reset-seed" ? 7 + i : seed);
      this.startEpisode(i);
    }
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.resetMask.fill(0);
    this.pending.fill(0);
    this.started = true;
    return [this.observations, {}];
  }

  step(actions: Int32Array): VectorStepResult {
    if (!this.started) throw new EnvError("STEP_BEFORE_RESET", "ArrayInventoryVectorEnv: reset() first");
    if (!(actions instanceof Int32Array) || actions.length !== this.numEnvs)
      throw new EnvError("INVALID_ACTION", `actions must be an Int32Array of ${this.numEnvs}`);
    this.fresh();
    for (let i = 0; i < this.numEnvs; i++) {
      const resetting = this.pending[i] === 1;
      if (resetting && this.flaw !== "same-step-autoreset") {
        this.startEpisode(i);
        this.rewards[i] = this.flaw === "reward-on-reset-step" ? -1 : 0;
        this.terminated[i] = 0;
        this.truncated[i] = 0;
        this.resetMask[i] = 1;
        if (this.flaw === "reads-action-on-reset-step") this.observations[i * 3 + 2] = actions[i] / 3;
      } else {
        this.advance(i, actions[i]);
        this.resetMask[i] = 0;
      }
      this.pending[i] = this.terminated[i] | this.truncated[i];
      if (this.flaw === "same-step-autoreset" && this.pending[i] === 1) {
        this.startEpisode(i);
        this.pending[i] = 0;
      }
      if (this.flaw === "non-binary-flags" && this.terminated[i] === 1) this.terminated[i] = 255;
    }
    return [this.observations, this.rewards, this.terminated, this.truncated, {}];
  }

  close(): void {}

  private fresh(): void {
    if (this.flaw === "reallocates") this.observations = new Float32Array(this.observations);
    if (this.flaw === "float64-observations") (this as { observations: unknown }).observations = new Float64Array(this.numEnvs * 3);
  }

  private startEpisode(i: number): void {
    const rng = this.rngs[i];
    this.inventory[i] = 4 + rng.below(8);
    this.stepsTaken[i] = 0;
    this.spread[i] = rng.uniform();
    this.observe(i);
  }

  // InventoryEnv.step for env i, same order of random draws.
  private advance(i: number, action: number): void {
    const sold = Math.min(action, this.inventory[i]);
    this.inventory[i] -= sold;
    this.stepsTaken[i] += 1;
    let cost = sold * (1 + 0.5 * this.spread[i]) + 0.2 * sold * sold;
    this.spread[i] = this.rngs[i].uniform();
    if (this.stepsTaken[i] >= this.horizon && this.inventory[i] > 0) {
      cost += this.inventory[i] * 3;
      this.inventory[i] = 0;
    }
    this.rewards[i] = -cost;
    this.terminated[i] = this.inventory[i] === 0 ? 1 : 0;
    this.truncated[i] = 0;
    this.observe(i);
  }

  private observe(i: number): void {
    this.observations[i * 3] = this.inventory[i] / 11;
    this.observations[i * 3 + 1] = (this.horizon - this.stepsTaken[i]) / this.horizon;
    this.observations[i * 3 + 2] = this.spread[i];
  }
}
