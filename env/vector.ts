// The vector-environment contract: N envs stepped together into preallocated typed arrays, with Gymnasium
// 1.x's next-step autoreset; and SyncVectorEnv, which runs any array of JS envs under that contract (the
// reference the native ExecutionVectorEnv is checked against).
import type { Env, EnvMetadata, Info } from "./core.js";
import { EnvError } from "./errors.js";
import { checkSeed } from "./rng.js";
import { Box, Discrete, MultiDiscrete, batchSpace, type Batched, type Space } from "./spaces.js";

/**
 * How a vector env starts a new episode in a sub-env whose episode ended. Only Gymnasium's `NextStep` mode is
 * part of this contract: the episode ends at step t; the step t + 1 call ignores that env's action, resets
 * it, and returns its first observation with reward 0, terminated 0 and truncated 0 (a "reset step").
 */
export type AutoresetMode = "next-step";

/** What a vector env declares about itself; `autoresetMode` is required. */
export interface VectorEnvMetadata extends EnvMetadata {
  readonly autoresetMode: AutoresetMode;
}

/** Arguments of {@link VectorEnv.reset}. */
export interface VectorResetArgs {
  /**
   * One number seeds env i with `seed + i` (as Gymnasium); an array gives each env its own seed (`undefined`
   * = that env continues its stream). Without a seed every env continues its stream.
   */
  seed?: number | readonly (number | undefined)[];
  /** Passed to every sub-env's reset. */
  options?: Record<string, unknown>;
}

/** RecordEpisodeStatistics over a vector env: arrays of N, non-zero only where `_episode` is 1. */
export interface VectorEpisodeStatistics {
  r: Float64Array;
  l: Int32Array;
  t: Float64Array;
}

/**
 * Per-env facts of a vector step, Gymnasium style: each key holds an array of N values (a Float64Array for
 * numbers, a Uint8Array for booleans, an array otherwise; plain objects nest), and `_key` is a Uint8Array mask
 * of the envs that reported it. Info objects are fresh on every call and may be kept.
 */
export interface VectorInfo {
  [key: string]: unknown;
  episode?: VectorEpisodeStatistics;
  _episode?: Uint8Array;
}

/** `reset()` returns the env-owned observations array and an info object. */
export type VectorResetResult = [observations: Float32Array, info: VectorInfo];

/** `step()` returns the env-owned arrays (the same objects as the env's fields) and an info object. */
export type VectorStepResult = [
  observations: Float32Array,
  rewards: Float64Array,
  terminated: Uint8Array,
  truncated: Uint8Array,
  info: VectorInfo,
];

/**
 * N copies of one environment stepped together (Gymnasium's `VectorEnv`), shaped for a batched native
 * implementation that writes into caller-visible typed arrays.
 *
 * Arrays: the env owns `observations` (Float32Array, N × F, env-major: row i is env i), `rewards`
 * (Float64Array, N), `terminated`, `truncated` and `resetMask` (Uint8Array, N, 0 or 1). `reset()` and `step()`
 * write into these same arrays on every call and return them: a caller that keeps anything across calls
 * copies it first.
 *
 * Autoreset (`metadata.autoresetMode = "next-step"`): when env i's episode ends at step t (terminated[i] or
 * truncated[i] is 1), the step t + 1 call ignores row i of the actions, resets env i without a seed (its stream
 * continues), and writes its first observation with rewards[i] = 0, terminated[i] = truncated[i] = 0 and
 * resetMask[i] = 1. resetMask[i] is 1 exactly on such reset steps (0 after `reset()`): learners drop those
 * transitions from the loss, and episode statistics do not count them.
 *
 * Actions: a typed array of N actions, env-major (Int32Array for Discrete and MultiDiscrete action spaces, the
 * Box's dtype array otherwise), as `actionSpace` describes; another type or length throws EnvError
 * `INVALID_ACTION`. `step()` before the first `reset()` throws `STEP_BEFORE_RESET`.
 */
export interface VectorEnv<Act> {
  readonly numEnvs: number;
  /** Space of one env's observation: a float32 Box of F elements. */
  readonly singleObservationSpace: Box<"float32">;
  readonly singleActionSpace: Space<Act>;
  /** `batchSpace(singleObservationSpace, numEnvs)`. */
  readonly observationSpace: Box<"float32">;
  /** `batchSpace(singleActionSpace, numEnvs)`. */
  readonly actionSpace: Space<Batched<Act>>;
  readonly metadata: VectorEnvMetadata;
  /** N × F; written by every reset and step. */
  readonly observations: Float32Array;
  /** N; written by every step (0 after reset). */
  readonly rewards: Float64Array;
  /** N; 1 where the episode reached a terminal state at this step. */
  readonly terminated: Uint8Array;
  /** N; 1 where a TimeLimit cut the episode at this step. */
  readonly truncated: Uint8Array;
  /** N; 1 where this step was a reset step (the env's previous step ended its episode). */
  readonly resetMask: Uint8Array;
  /** Resets every env; see {@link VectorResetArgs} for seeding. */
  reset(args?: VectorResetArgs): VectorResetResult;
  /** Steps every env (reset steps for those whose episode ended on the previous step). */
  step(actions: Batched<Act>): VectorStepResult;
  /** Closes every env; calling it twice is allowed. */
  close(): void;
}

/**
 * A vector env around another that changes one thing and forwards the rest, arrays included. Extend it and
 * override what the wrapper changes.
 */
export class VectorWrapper<Act> implements VectorEnv<Act> {
  private readonly result: VectorStepResult = [new Float32Array(0), new Float64Array(0), new Uint8Array(0), new Uint8Array(0), {}];
  constructor(readonly env: VectorEnv<Act>) {}
  /** This wrapper's one step-result tuple, filled in: a wrapped vector step allocates nothing. */
  protected stepResult(obs: Float32Array, rewards: Float64Array, terminated: Uint8Array, truncated: Uint8Array, info: VectorInfo): VectorStepResult {
    const r = this.result;
    r[0] = obs;
    r[1] = rewards;
    r[2] = terminated;
    r[3] = truncated;
    r[4] = info;
    return r;
  }
  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleObservationSpace(): Box<"float32"> {
    return this.env.singleObservationSpace;
  }
  get singleActionSpace(): Space<Act> {
    return this.env.singleActionSpace;
  }
  get observationSpace(): Box<"float32"> {
    return this.env.observationSpace;
  }
  get actionSpace(): Space<Batched<Act>> {
    return this.env.actionSpace;
  }
  get metadata(): VectorEnvMetadata {
    return this.env.metadata;
  }
  get observations(): Float32Array {
    return this.env.observations;
  }
  get rewards(): Float64Array {
    return this.env.rewards;
  }
  get terminated(): Uint8Array {
    return this.env.terminated;
  }
  get truncated(): Uint8Array {
    return this.env.truncated;
  }
  get resetMask(): Uint8Array {
    return this.env.resetMask;
  }
  reset(args?: VectorResetArgs): VectorResetResult {
    return this.env.reset(args);
  }
  step(actions: Batched<Act>): VectorStepResult {
    return this.env.step(actions);
  }
  close(): void {
    this.env.close();
  }
}

/** Options of {@link SyncVectorEnv}. */
export interface SyncVectorEnvOptions {
  /** Extra metadata entries; `autoresetMode` is always "next-step". */
  metadata?: EnvMetadata;
}

/**
 * Runs N JS envs one after another in this thread under the {@link VectorEnv} contract (Gymnasium's
 * `SyncVectorEnv` in next-step autoreset mode). Every env must have the same spaces; observations must be a
 * float32 Box.
 */
export class SyncVectorEnv<Act> implements VectorEnv<Act> {
  readonly numEnvs: number;
  /** The sub-envs, in row order. */
  readonly envs: readonly Env<Float32Array, Act>[];
  readonly singleObservationSpace: Box<"float32">;
  readonly singleActionSpace: Space<Act>;
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: Space<Batched<Act>>;
  readonly metadata: VectorEnvMetadata;
  readonly observations: Float32Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly resetMask: Uint8Array;

  private readonly obsSize: number;
  private readonly unbatch: ActionUnbatcher<Act>;
  // 1 where the previous step ended env i's episode: its next step is a reset step.
  private readonly autoresetPending: Uint8Array;
  private started = false;
  private closed = false;

  /** `envFns` are called once each, in order, to build the sub-envs. */
  constructor(envFns: readonly (() => Env<Float32Array, Act>)[], options: SyncVectorEnvOptions = {}) {
    if (!Array.isArray(envFns) || envFns.length < 1)
      throw new EnvError("INVALID_ARGUMENT", "SyncVectorEnv needs a non-empty array of env factories (() => Env)");
    envFns.forEach((fn, i) => {
      if (typeof fn !== "function")
        throw new EnvError("INVALID_ARGUMENT", `SyncVectorEnv envFns[${i}] must be a function that builds an env, got ${typeof fn}`);
    });
    this.envs = envFns.map((fn) => fn());
    this.numEnvs = this.envs.length;
    const first = this.envs[0];
    const obsSpace = first.observationSpace;
    if (!(obsSpace instanceof Box) || obsSpace.dtype !== "float32")
      throw new EnvError(
        "SPACE_MISMATCH",
        `SyncVectorEnv needs a float32 Box observation space, got ${String(obsSpace)}; wrap the env (e.g. NormalizeObservation) or build its Box with dtype "float32"`,
      );
    this.envs.forEach((env, i) => {
      if (!env.observationSpace.equals(obsSpace))
        throw new EnvError("SPACE_MISMATCH", `env ${i}'s observation space ${String(env.observationSpace)} differs from env 0's ${String(obsSpace)}`);
      if (!env.actionSpace.equals(first.actionSpace))
        throw new EnvError("SPACE_MISMATCH", `env ${i}'s action space ${String(env.actionSpace)} differs from env 0's ${String(first.actionSpace)}`);
    });
    this.singleObservationSpace = obsSpace as Box<"float32">;
    this.singleActionSpace = first.actionSpace;
    this.observationSpace = batchSpace(this.singleObservationSpace, this.numEnvs);
    this.actionSpace = batchSpace(this.singleActionSpace, this.numEnvs);
    this.unbatch = actionUnbatcher(this.singleActionSpace, this.numEnvs);
    this.metadata = Object.freeze({ ...options.metadata, autoresetMode: "next-step" as const });
    this.obsSize = this.singleObservationSpace.size;
    const n = this.numEnvs;
    this.observations = new Float32Array(n * this.obsSize);
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.resetMask = new Uint8Array(n);
    this.autoresetPending = new Uint8Array(n);
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.assertOpen();
    const seeds = resolveSeeds(args.seed, this.numEnvs);
    const infos = new InfoBatch(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const [obs, info] = this.envs[i].reset({ seed: seeds[i], options: args.options });
      this.writeObservation(i, obs);
      infos.add(i, info);
    }
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.resetMask.fill(0);
    this.autoresetPending.fill(0);
    this.started = true;
    return [this.observations, infos.result()];
  }

  step(actions: Batched<Act>): VectorStepResult {
    this.assertOpen();
    if (!this.started)
      throw new EnvError("STEP_BEFORE_RESET", "SyncVectorEnv.step() before reset(): call reset({ seed }) first");
    this.unbatch.check(actions);
    const infos = new InfoBatch(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i];
      if (this.autoresetPending[i] === 1) {
        // A reset step: the action of row i is not read.
        const [obs, info] = env.reset();
        this.writeObservation(i, obs);
        this.rewards[i] = 0;
        this.terminated[i] = 0;
        this.truncated[i] = 0;
        this.resetMask[i] = 1;
        infos.add(i, info);
      } else {
        const [obs, reward, terminated, truncated, info] = env.step(this.unbatch.row(actions, i));
        this.writeObservation(i, obs);
        this.rewards[i] = reward;
        this.terminated[i] = terminated ? 1 : 0;
        this.truncated[i] = truncated ? 1 : 0;
        this.resetMask[i] = 0;
        infos.add(i, info);
      }
      this.autoresetPending[i] = this.terminated[i] | this.truncated[i];
    }
    return [this.observations, this.rewards, this.terminated, this.truncated, infos.result()];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const env of this.envs) env.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EnvError("CLOSED", "SyncVectorEnv was closed; build a new one");
  }

  private writeObservation(i: number, obs: Float32Array): void {
    if (!(obs instanceof Float32Array) || obs.length !== this.obsSize)
      throw new EnvError(
        "SPACE_MISMATCH",
        `env ${i} returned an observation that is not a Float32Array of ${this.obsSize} elements (its space is ${String(this.singleObservationSpace)}); run checkEnv on it`,
      );
    this.observations.set(obs, i * this.obsSize);
  }
}

// ---- helpers shared with the vector wrappers ----------------------------------------------------

/** Seeds for each env from a VectorResetArgs seed. */
export function resolveSeeds(seed: VectorResetArgs["seed"], n: number): (number | undefined)[] {
  if (seed === undefined) return new Array<undefined>(n).fill(undefined);
  if (typeof seed === "number") {
    checkSeed("reset seed", seed);
    checkSeed("reset seed + numEnvs - 1", seed + n - 1);
    return Array.from({ length: n }, (_, i) => seed + i);
  }
  if (!Array.isArray(seed) || seed.length !== n)
    throw new EnvError("INVALID_ARGUMENT", `reset seed must be a number or an array of ${n} seeds (one per env), got ${String(seed)}`);
  return seed.map((s, i) => (s === undefined ? undefined : checkSeed(`reset seed[${i}]`, s)));
}

/** Throws unless the vector env follows next-step autoreset, naming the wrapper that needs it. */
export function requireNextStep(env: VectorEnv<unknown>, wrapper: string): void {
  if (env.metadata?.autoresetMode !== "next-step")
    throw new EnvError(
      "UNSUPPORTED_AUTORESET",
      `${wrapper} needs a vector env with metadata.autoresetMode "next-step", got ${JSON.stringify(env.metadata?.autoresetMode)}`,
    );
}

interface ActionUnbatcher<Act> {
  check(actions: unknown): void;
  row(actions: Batched<Act>, i: number): Act;
}

// Splits a batch of actions into one action per env; each row is a fresh copy, so an env may keep it.
function actionUnbatcher<Act>(space: Space<Act>, n: number): ActionUnbatcher<Act> {
  let arrayClass: Int32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;
  let width: number;
  if (space instanceof Discrete) {
    arrayClass = Int32Array;
    width = 1;
  } else if (space instanceof MultiDiscrete) {
    arrayClass = Int32Array;
    width = space.nvec.length;
  } else if (space instanceof Box) {
    arrayClass = space.dtype === "float32" ? Float32Array : space.dtype === "float64" ? Float64Array : Int32Array;
    width = space.size;
  } else {
    throw new EnvError("SPACE_MISMATCH", `SyncVectorEnv batches Box, Discrete and MultiDiscrete actions, not ${String(space)}`);
  }
  const scalar = space instanceof Discrete;
  return {
    check(actions) {
      if (!(actions instanceof arrayClass) || actions.length !== n * width)
        throw new EnvError(
          "INVALID_ACTION",
          `actions must be a ${arrayClass.name} of ${n} × ${width} = ${n * width} elements (env-major), got ${describeArray(actions)}`,
        );
    },
    row(actions, i) {
      const batch = actions as unknown as Int32Array | Float32Array | Float64Array;
      return (scalar ? batch[i] : batch.slice(i * width, (i + 1) * width)) as Act;
    },
  };
}

function describeArray(x: unknown): string {
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of ${(x as unknown as ArrayLike<number>).length}`;
  if (Array.isArray(x)) return `a plain array of ${x.length} (use a typed array)`;
  return String(x);
}

/**
 * Collects per-env info objects into one Gymnasium-style vector info: `info[key][i]` is env i's value and
 * `info["_" + key][i]` is 1 where env i reported it.
 */
export class InfoBatch {
  private readonly out: VectorInfo = {};
  constructor(private readonly n: number) {}

  add(i: number, info: Info): void {
    if (typeof info !== "object" || info === null) return;
    addInto(this.out, info, i, this.n);
  }

  result(): VectorInfo {
    return this.out;
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function addInto(out: Record<string, unknown>, info: Record<string, unknown>, i: number, n: number): void {
  for (const [key, value] of Object.entries(info)) {
    const maskKey = `_${key}`;
    let mask = out[maskKey];
    if (!(mask instanceof Uint8Array)) {
      mask = new Uint8Array(n);
      out[maskKey] = mask;
    }
    (mask as Uint8Array)[i] = 1;
    let column = out[key];
    if (isPlainObject(value)) {
      if (!isPlainObject(column)) {
        column = {};
        out[key] = column;
      }
      addInto(column as Record<string, unknown>, value, i, n);
      continue;
    }
    if (column === undefined) {
      column = typeof value === "number" ? new Float64Array(n) : typeof value === "boolean" ? new Uint8Array(n) : new Array<unknown>(n).fill(undefined);
      out[key] = column;
    }
    const fits =
      (column instanceof Float64Array && typeof value === "number") ||
      (column instanceof Uint8Array && typeof value === "boolean") ||
      Array.isArray(column);
    if (!fits) {
      // Envs disagree on the type of this key: fall back to a plain array of whatever each reported.
      const mixed: unknown[] = Array.from(column as ArrayLike<unknown>, (v, j) => ((mask as Uint8Array)[j] === 1 && j !== i ? v : undefined));
      if (column instanceof Uint8Array) for (let j = 0; j < n; j++) if (mixed[j] !== undefined) mixed[j] = mixed[j] === 1;
      column = mixed;
      out[key] = column;
    }
    if (column instanceof Float64Array) column[i] = value as number;
    else if (column instanceof Uint8Array) column[i] = value ? 1 : 0;
    else (column as unknown[])[i] = value;
  }
}
