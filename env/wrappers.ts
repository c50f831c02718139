// Wrappers, each doing one thing and composing (`new NormalizeObservation(new TimeLimit(env, 600))`):
// TimeLimit (the only source of truncated=true), RecordEpisodeStatistics, NormalizeObservation and
// NormalizeReward; and vector versions of the last three that skip next-step reset steps.
import { Wrapper, type Env, type EnvMetadata, type EpisodeStatistics, type ResetArgs, type ResetResult, type StepResult } from "./core.js";
import { EnvError } from "./errors.js";
import { Box, batchSpace, type Batched, type Space } from "./spaces.js";
import {
  VectorWrapper,
  requireNextStep,
  type VectorEnv,
  type VectorEpisodeStatistics,
  type VectorInfo,
  type VectorResetArgs,
  type VectorResetResult,
  type VectorStepResult,
} from "./vector.js";

function fail(message: string): never {
  throw new EnvError("INVALID_ARGUMENT", message);
}

function seconds(): number {
  return performance.now() / 1000;
}

// ---- TimeLimit ----------------------------------------------------------------------------------

/**
 * Ends an episode after `maxEpisodeSteps` steps with truncated = true (Gymnasium's TimeLimit), the only place
 * truncation comes from. The step that reaches the limit is truncated even when it also terminates.
 * It also guards the episode: step() before reset() or after the episode ended throws.
 */
export class TimeLimit<Obs, Act> extends Wrapper<Obs, Act> {
  readonly maxEpisodeSteps: number;
  private elapsed: number | undefined;
  private ended = false;

  constructor(env: Env<Obs, Act>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps < 1)
      fail(`TimeLimit maxEpisodeSteps must be a whole number >= 1, got ${String(maxEpisodeSteps)}`);
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken since the last reset; undefined before the first reset. */
  get elapsedSteps(): number | undefined {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    const result = this.env.reset(args);
    this.elapsed = 0;
    this.ended = false;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    if (this.elapsed === undefined) throw new EnvError("STEP_BEFORE_RESET", "TimeLimit: step() before reset(); call reset() first");
    if (this.ended)
      throw new EnvError("STEP_AFTER_END", `TimeLimit: step() after the episode ended at step ${this.elapsed}; call reset() to start the next one`);
    const [obs, reward, terminated, truncatedByEnv, info] = this.env.step(action);
    this.elapsed += 1;
    const truncated = truncatedByEnv || this.elapsed >= this.maxEpisodeSteps;
    this.ended = terminated || truncated;
    return [obs, reward, terminated, truncated, info];
  }
}

// ---- RecordEpisodeStatistics --------------------------------------------------------------------

/** Options of the episode-statistics wrappers. */
export interface RecordEpisodeStatisticsOptions {
  /** How many recent episodes `returnQueue`, `lengthQueue` and `timeQueue` keep. Default 100. */
  bufferLength?: number;
  /** Clock in seconds for `t`; default `performance.now() / 1000`. */
  clock?: () => number;
}

/** Recent episodes' statistics, oldest first, at most `bufferLength` of each. */
class EpisodeLog {
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  episodeCount = 0;
  constructor(readonly bufferLength: number) {}
  push(r: number, l: number, t: number): void {
    this.episodeCount += 1;
    for (const [queue, v] of [[this.returnQueue, r], [this.lengthQueue, l], [this.timeQueue, t]] as const) {
      queue.push(v);
      if (queue.length > this.bufferLength) queue.shift();
    }
  }
}

function episodeOptions(options: RecordEpisodeStatisticsOptions): { bufferLength: number; clock: () => number } {
  const bufferLength = options.bufferLength ?? 100;
  if (!Number.isSafeInteger(bufferLength) || bufferLength < 1) fail(`bufferLength must be a whole number >= 1, got ${String(bufferLength)}`);
  if (options.clock !== undefined && typeof options.clock !== "function") fail("clock must be a function returning seconds");
  return { bufferLength, clock: options.clock ?? seconds };
}

/** Wall time rounded to the microsecond, as Gymnasium reports `t`. */
function roundSeconds(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

/**
 * Adds `info.episode = { r, l, t }` on the last step of every episode: the sum of the rewards this wrapper saw,
 * the number of steps, and the wall time since reset in seconds. Keeps the last `bufferLength` episodes in
 * `returnQueue`, `lengthQueue` and `timeQueue`. Place it outside the wrappers whose rewards you want to sum
 * (outside NormalizeReward it sums normalised rewards).
 */
export class RecordEpisodeStatistics<Obs, Act> extends Wrapper<Obs, Act> {
  private readonly log: EpisodeLog;
  private readonly clock: () => number;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = 0;

  constructor(env: Env<Obs, Act>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    const { bufferLength, clock } = episodeOptions(options);
    this.log = new EpisodeLog(bufferLength);
    this.clock = clock;
  }

  get episodeCount(): number {
    return this.log.episodeCount;
  }
  get returnQueue(): readonly number[] {
    return this.log.returnQueue;
  }
  get lengthQueue(): readonly number[] {
    return this.log.lengthQueue;
  }
  get timeQueue(): readonly number[] {
    return this.log.timeQueue;
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    const result = this.env.reset(args);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodeStart = this.clock();
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.episodeReturn += reward;
    this.episodeLength += 1;
    if (!(terminated || truncated)) return [obs, reward, terminated, truncated, info];
    if (info !== null && typeof info === "object" && "episode" in info)
      throw new EnvError("INFO_KEY_TAKEN", "RecordEpisodeStatistics: the wrapped env already puts `episode` in info; wrap it only once");
    const episode: EpisodeStatistics = {
      r: this.episodeReturn,
      l: this.episodeLength,
      t: roundSeconds(this.clock() - this.episodeStart),
    };
    this.log.push(episode.r, episode.l, episode.t);
    return [obs, reward, terminated, truncated, { ...info, episode }];
  }
}

// ---- running statistics -------------------------------------------------------------------------

/**
 * A running mean and (population) variance saved as plain numbers, so a run can store them in JSON and the
 * ONNX export can bake them into the graph.
 */
export interface RunningStatsState {
  mean: number[];
  var: number[];
  /** Number of samples merged, plus the 1e-4 the statistics start with. */
  count: number;
}

/**
 * Running mean and variance of vectors, merged batch by batch with the parallel algorithm (Chan, Golub &
 * LeVeque, 1979; what Gymnasium's RunningMeanStd does). Starts at mean 0, variance 1, count 1e-4, so the first
 * batch all but replaces the prior.
 */
class RunningMeanVar {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count = 1e-4;
  private readonly batchMean: Float64Array;
  private readonly batchM2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.batchMean = new Float64Array(size);
    this.batchM2 = new Float64Array(size);
  }

  /** Merges the rows of `x` (rows × size, row-major) whose `skip` entry is not 1. */
  update(x: ArrayLike<number>, rows: number, skip?: Uint8Array): void {
    const { size, batchMean, batchM2 } = this;
    batchMean.fill(0);
    batchM2.fill(0);
    let n = 0;
    // Welford within the batch, then one parallel merge into the running statistics.
    for (let r = 0; r < rows; r++) {
      if (skip !== undefined && skip[r] === 1) continue;
      n += 1;
      const base = r * size;
      for (let j = 0; j < size; j++) {
        const v = x[base + j];
        const delta = v - batchMean[j];
        batchMean[j] += delta / n;
        batchM2[j] += delta * (v - batchMean[j]);
      }
    }
    if (n === 0) return;
    const total = this.count + n;
    for (let j = 0; j < size; j++) {
      const delta = batchMean[j] - this.mean[j];
      this.mean[j] += (delta * n) / total;
      const m2 = this.var[j] * this.count + batchM2[j] + (delta * delta * this.count * n) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  state(): RunningStatsState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  load(state: RunningStatsState, owner: string): void {
    if (typeof state !== "object" || state === null) fail(`${owner}.loadState needs { mean, var, count }`);
    const { mean, var: variance, count } = state;
    if (!Array.isArray(mean) || !Array.isArray(variance) || mean.length !== this.size || variance.length !== this.size)
      fail(`${owner}.loadState: mean and var must be arrays of ${this.size} numbers (the observation size)`);
    if (!mean.every(Number.isFinite)) fail(`${owner}.loadState: mean holds a non-finite number`);
    if (!variance.every((v) => Number.isFinite(v) && v >= 0)) fail(`${owner}.loadState: var must hold finite numbers >= 0`);
    if (!(Number.isFinite(count) && count > 0)) fail(`${owner}.loadState: count must be a finite number > 0, got ${String(count)}`);
    this.mean.set(mean);
    this.var.set(variance);
    this.count = count;
  }
}

function checkEpsilon(owner: string, epsilon: number): number {
  if (!(typeof epsilon === "number" && epsilon > 0 && Number.isFinite(epsilon)))
    fail(`${owner} epsilon must be a finite number > 0 (it keeps the division away from zero), got ${String(epsilon)}`);
  return epsilon;
}
function checkGamma(owner: string, gamma: number): number {
  if (!(typeof gamma === "number" && gamma >= 0 && gamma <= 1)) fail(`${owner} gamma must be in [0, 1], got ${String(gamma)}`);
  return gamma;
}

/** Typed arrays a Box observation can come in. */
export type BoxObservation = Float32Array | Float64Array | Int32Array;

/** Options of the observation normalisers. */
export interface NormalizeObservationOptions {
  /** Added to the variance under the square root. Default 1e-8. */
  epsilon?: number;
}

/** Options of the reward normalisers. */
export interface NormalizeRewardOptions {
  /** Discount of the return whose variance scales the rewards; use the learner's gamma. Default 0.99. */
  gamma?: number;
  /** Added to the variance under the square root. Default 1e-8. */
  epsilon?: number;
}

// ---- NormalizeObservation -----------------------------------------------------------------------

function normalizedSpace(space: Space<unknown>, owner: string): Box<"float32"> {
  if (!(space instanceof Box)) throw new EnvError("SPACE_MISMATCH", `${owner} needs a Box observation space, got ${String(space)}`);
  return new Box({ low: -Infinity, high: Infinity, shape: space.shape, dtype: "float32" });
}

function normalizeInto(out: Float32Array, x: ArrayLike<number>, stats: RunningMeanVar, epsilon: number, rows: number): void {
  const size = stats.size;
  for (let j = 0; j < size; j++) {
    const mean = stats.mean[j];
    const scale = 1 / Math.sqrt(stats.var[j] + epsilon);
    for (let r = 0; r < rows; r++) out[r * size + j] = (x[r * size + j] - mean) * scale;
  }
}

/**
 * Centres each observation element and scales it to unit variance with running statistics (Gymnasium's
 * NormalizeObservation): obs' = (obs − mean) / sqrt(var + epsilon), as float32. The statistics update on every
 * reset and step while `updateRunningMean` is true; set it false to freeze them (evaluation), and carry them
 * between runs with `state()` / `loadState()`.
 */
export class NormalizeObservation<Act> implements Env<Float32Array, Act> {
  readonly observationSpace: Box<"float32">;
  readonly epsilon: number;
  /** False freezes the statistics: observations are still normalised with them. */
  updateRunningMean = true;
  private readonly stats: RunningMeanVar;

  constructor(readonly env: Env<BoxObservation, Act>, options: NormalizeObservationOptions = {}) {
    this.observationSpace = normalizedSpace(env.observationSpace, "NormalizeObservation");
    this.epsilon = checkEpsilon("NormalizeObservation", options.epsilon ?? 1e-8);
    this.stats = new RunningMeanVar(this.observationSpace.size);
  }

  get actionSpace(): Space<Act> {
    return this.env.actionSpace;
  }
  get metadata(): EnvMetadata {
    return this.env.metadata;
  }

  /** The running statistics as plain numbers. */
  state(): RunningStatsState {
    return this.stats.state();
  }
  /** Replaces the running statistics (from `state()` of this or another run). */
  loadState(state: RunningStatsState): void {
    this.stats.load(state, "NormalizeObservation");
  }

  reset(args?: ResetArgs): ResetResult<Float32Array> {
    const [obs, info] = this.env.reset(args);
    return [this.normalize(obs), info];
  }

  step(action: Act): StepResult<Float32Array> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    return [this.normalize(obs), reward, terminated, truncated, info];
  }

  close(): void {
    this.env.close();
  }

  private normalize(obs: BoxObservation): Float32Array {
    if (this.updateRunningMean) this.stats.update(obs, 1);
    const out = new Float32Array(this.stats.size);
    normalizeInto(out, obs, this.stats, this.epsilon, 1);
    return out;
  }
}

// ---- NormalizeReward ----------------------------------------------------------------------------

/**
 * Scales rewards so that the discounted return has roughly unit variance (Gymnasium's NormalizeReward):
 * r' = r / sqrt(var(G) + epsilon), with G = gamma·G + r accumulated within the episode and restarted at 0 after
 * it ends. Rewards are scaled, not centred. Unlike Gymnasium 1.x, which multiplies G by (1 − terminated) of the
 * same step and so forgets the episode at its last step, the return at the last step includes the whole
 * episode (as OpenAI baselines' VecNormalize). `updateRunningMean`, `state()` and `loadState()` as in
 * NormalizeObservation.
 */
export class NormalizeReward<Obs, Act> extends Wrapper<Obs, Act> {
  readonly gamma: number;
  readonly epsilon: number;
  /** False freezes the statistics: rewards are still scaled with them. */
  updateRunningMean = true;
  private readonly stats = new RunningMeanVar(1);
  private discountedReturn = 0;
  private readonly one = new Float64Array(1);

  constructor(env: Env<Obs, Act>, options: NormalizeRewardOptions = {}) {
    super(env);
    this.gamma = checkGamma("NormalizeReward", options.gamma ?? 0.99);
    this.epsilon = checkEpsilon("NormalizeReward", options.epsilon ?? 1e-8);
  }

  /** The running statistics of the discounted return as plain numbers. */
  state(): RunningStatsState {
    return this.stats.state();
  }
  /** Replaces the running statistics (from `state()` of this or another run). */
  loadState(state: RunningStatsState): void {
    this.stats.load(state, "NormalizeReward");
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    const result = this.env.reset(args);
    this.discountedReturn = 0;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    const [obs, reward, terminated, truncated, info] = this.env.step(action);
    this.discountedReturn = this.gamma * this.discountedReturn + reward;
    if (this.updateRunningMean) {
      this.one[0] = this.discountedReturn;
      this.stats.update(this.one, 1);
    }
    if (terminated || truncated) this.discountedReturn = 0;
    return [obs, reward / Math.sqrt(this.stats.var[0] + this.epsilon), terminated, truncated, info];
  }
}

// ---- vector wrappers ----------------------------------------------------------------------------

/**
 * NormalizeObservation over a vector env: one set of statistics updated with all N rows of every reset and
 * step (a reset step's row is a real first observation, so it counts), written into this wrapper's own
 * `observations` array. Needs next-step autoreset.
 */
export class VectorNormalizeObservation<Act> extends VectorWrapper<Act> {
  readonly epsilon: number;
  /** False freezes the statistics: observations are still normalised with them. */
  updateRunningMean = true;
  private readonly stats: RunningMeanVar;
  private readonly single: Box<"float32">;
  private readonly batched: Box<"float32">;
  private readonly normalized: Float32Array;

  constructor(env: VectorEnv<Act>, options: NormalizeObservationOptions = {}) {
    super(env);
    requireNextStep(env, "VectorNormalizeObservation");
    this.single = normalizedSpace(env.singleObservationSpace, "VectorNormalizeObservation");
    this.batched = batchSpace(this.single, env.numEnvs);
    this.epsilon = checkEpsilon("VectorNormalizeObservation", options.epsilon ?? 1e-8);
    this.stats = new RunningMeanVar(this.single.size);
    this.normalized = new Float32Array(env.numEnvs * this.stats.size);
  }

  /** Box(-inf, inf) of the wrapped env's shape, float32. */
  override get singleObservationSpace(): Box<"float32"> {
    return this.single;
  }
  override get observationSpace(): Box<"float32"> {
    return this.batched;
  }
  /** This wrapper's normalised copy of the wrapped env's observations. */
  override get observations(): Float32Array {
    return this.normalized;
  }

  /** The running statistics as plain numbers. */
  state(): RunningStatsState {
    return this.stats.state();
  }
  /** Replaces the running statistics (from `state()` of this or another run). */
  loadState(state: RunningStatsState): void {
    this.stats.load(state, "VectorNormalizeObservation");
  }

  override reset(args?: VectorResetArgs): VectorResetResult {
    const [obs, info] = this.env.reset(args);
    return [this.normalize(obs), info];
  }

  override step(actions: Batched<Act>): VectorStepResult {
    const [obs, rewards, terminated, truncated, info] = this.env.step(actions);
    return this.stepResult(this.normalize(obs), rewards, terminated, truncated, info);
  }

  private normalize(obs: Float32Array): Float32Array {
    if (this.updateRunningMean) this.stats.update(obs, this.numEnvs);
    normalizeInto(this.normalized, obs, this.stats, this.epsilon, this.numEnvs);
    return this.normalized;
  }
}

/**
 * NormalizeReward over a vector env: one discounted return per env, and one set of statistics updated with
 * the returns of the envs that really stepped. Reset steps (resetMask 1) neither extend a return nor update
 * the statistics, and their reward stays 0. Writes into this wrapper's own `rewards` array. Needs next-step
 * autoreset.
 */
export class VectorNormalizeReward<Act> extends VectorWrapper<Act> {
  readonly gamma: number;
  readonly epsilon: number;
  /** False freezes the statistics: rewards are still scaled with them. */
  updateRunningMean = true;
  private readonly stats = new RunningMeanVar(1);
  private readonly discountedReturns: Float64Array;
  private readonly scaled: Float64Array;

  constructor(env: VectorEnv<Act>, options: NormalizeRewardOptions = {}) {
    super(env);
    requireNextStep(env, "VectorNormalizeReward");
    this.gamma = checkGamma("VectorNormalizeReward", options.gamma ?? 0.99);
    this.epsilon = checkEpsilon("VectorNormalizeReward", options.epsilon ?? 1e-8);
    this.scaled = new Float64Array(env.numEnvs);
    this.discountedReturns = new Float64Array(env.numEnvs);
  }

  /** This wrapper's scaled copy of the wrapped env's rewards. */
  override get rewards(): Float64Array {
    return this.scaled;
  }

  /** The running statistics of the discounted return as plain numbers. */
  state(): RunningStatsState {
    return this.stats.state();
  }
  /** Replaces the running statistics (from `state()` of this or another run). */
  loadState(state: RunningStatsState): void {
    this.stats.load(state, "VectorNormalizeReward");
  }

  override reset(args?: VectorResetArgs): VectorResetResult {
    const result = this.env.reset(args);
    this.discountedReturns.fill(0);
    this.scaled.fill(0);
    return result;
  }

  override step(actions: Batched<Act>): VectorStepResult {
    const [obs, rewards, terminated, truncated, info] = this.env.step(actions);
    const skip = this.env.resetMask;
    const g = this.discountedReturns;
    for (let i = 0; i < this.numEnvs; i++) if (skip[i] !== 1) g[i] = this.gamma * g[i] + rewards[i];
    if (this.updateRunningMean) this.stats.update(g, this.numEnvs, skip);
    const scale = 1 / Math.sqrt(this.stats.var[0] + this.epsilon);
    for (let i = 0; i < this.numEnvs; i++) {
      this.scaled[i] = skip[i] === 1 ? 0 : rewards[i] * scale;
      if (terminated[i] === 1 || truncated[i] === 1) g[i] = 0;
    }
    return this.stepResult(obs, this.scaled, terminated, truncated, info);
  }
}

/**
 * RecordEpisodeStatistics over a vector env: on a step where some envs' episodes end, `info.episode` holds
 * `r`, `l` and `t` arrays of N (0 where `info._episode` is 0). A reset step is not part of any episode: it
 * restarts that env's return, length and clock. Needs next-step autoreset.
 */
export class VectorRecordEpisodeStatistics<Act> extends VectorWrapper<Act> {
  private readonly log: EpisodeLog;
  private readonly clock: () => number;
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;
  private readonly episodeStarts: Float64Array;

  constructor(env: VectorEnv<Act>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    requireNextStep(env, "VectorRecordEpisodeStatistics");
    const { bufferLength, clock } = episodeOptions(options);
    this.log = new EpisodeLog(bufferLength);
    this.clock = clock;
    this.episodeReturns = new Float64Array(env.numEnvs);
    this.episodeLengths = new Int32Array(env.numEnvs);
    this.episodeStarts = new Float64Array(env.numEnvs);
  }

  get episodeCount(): number {
    return this.log.episodeCount;
  }
  get returnQueue(): readonly number[] {
    return this.log.returnQueue;
  }
  get lengthQueue(): readonly number[] {
    return this.log.lengthQueue;
  }
  get timeQueue(): readonly number[] {
    return this.log.timeQueue;
  }

  override reset(args?: VectorResetArgs): VectorResetResult {
    const result = this.env.reset(args);
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
    this.episodeStarts.fill(this.clock());
    return result;
  }

  override step(actions: Batched<Act>): VectorStepResult {
    const [obs, rewards, terminated, truncated, info] = this.env.step(actions);
    const n = this.numEnvs;
    const resetMask = this.env.resetMask;
    const now = this.clock();
    let ended = 0;
    for (let i = 0; i < n; i++) {
      if (resetMask[i] === 1) {
        this.episodeReturns[i] = 0;
        this.episodeLengths[i] = 0;
        this.episodeStarts[i] = now;
      } else {
        this.episodeReturns[i] += rewards[i];
        this.episodeLengths[i] += 1;
      }
      if (terminated[i] === 1 || truncated[i] === 1) ended += 1;
    }
    if (ended === 0) return this.stepResult(obs, rewards, terminated, truncated, info);
    if ("episode" in info || "_episode" in info)
      throw new EnvError("INFO_KEY_TAKEN", "VectorRecordEpisodeStatistics: the vector env already puts `episode` in info; wrap it only once");
    const episode: VectorEpisodeStatistics = { r: new Float64Array(n), l: new Int32Array(n), t: new Float64Array(n) };
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (terminated[i] !== 1 && truncated[i] !== 1) continue;
      mask[i] = 1;
      episode.r[i] = this.episodeReturns[i];
      episode.l[i] = this.episodeLengths[i];
      episode.t[i] = roundSeconds(now - this.episodeStarts[i]);
      this.log.push(episode.r[i], episode.l[i], episode.t[i]);
    }
    const withEpisode: VectorInfo = { ...info, episode, _episode: mask };
    return this.stepResult(obs, rewards, terminated, truncated, withEpisode);
  }
}
