// Proximal Policy Optimization (Schulman et al. 2017) for the execution task, read top to bottom in run order:
// the hyperparameters (one schema, each with its default and meaning), then the advantages of a rollout (GAE),
// then the update's objective (the clipped surrogate, the value loss, the entropy bonus) and the diagnostics
// practitioners read (approx_kl, clipfrac, explained_variance). The reference implementations are CleanRL's
// ppo.py and Stable-Baselines3's PPO; where they treat a truncated episode as a terminated one, this follows
// Gymnasium's semantics instead (bootstrap from V(s) on truncation, never on termination), and the next-step
// autoreset's reset steps are left out of the loss.
import { z } from "zod";
import type { ExecutionVectorEnv } from "../env/execution.js";
import { Rng } from "../env/rng.js";
import { createLearner, type LearnerKind, type OptimizerState } from "./learner.js";
import { NORMALIZER_EPS, RunningMeanStd, type ActorCritic } from "./network.js";

// ---- hyperparameters ------------------------------------------------------------------------------------------

/** Every PPO hyperparameter: its default and what it means (the CLI, the run folder and the report read this). */
export const PPO_HYPERPARAMETERS = {
  numEnvs: z.number().int().min(1).max(65_536).default(64).describe("environments stepped together (one native call per step)"),
  rolloutSteps: z.number().int().min(1).max(100_000).default(128).describe("steps per environment in each rollout"),
  totalSteps: z.number().int().min(1).default(1_000_000).describe("environment steps over the whole run"),
  gamma: z.number().min(0).max(1).default(1).describe("discount: 1 counts every step's shortfall, as the episode's IS does"),
  gaeLambda: z.number().min(0).max(1).default(0.9).describe("λ of generalised advantage estimation"),
  learningRate: z.number().positive().default(1e-3).describe("Adam's step size at the start (3e-4, CleanRL's, barely moves the policy on the GOOG preset in 1 M steps)"),
  annealLearningRate: z.boolean().default(true).describe("decay the learning rate linearly to 0 over the run"),
  updateEpochs: z.number().int().min(1).default(4).describe("passes over each rollout"),
  minibatches: z.number().int().min(1).default(4).describe("minibatches per pass"),
  clipCoef: z.number().positive().default(0.2).describe("ε of the clipped surrogate: the ratio is clipped to [1 − ε, 1 + ε]"),
  clipValueLoss: z.boolean().default(true).describe("clip the value prediction's change to ±ε, as the policy's"),
  entropyCoef: z.number().min(0).default(0.001).describe("weight of the entropy bonus"),
  valueCoef: z.number().min(0).default(0.5).describe("weight of the value loss"),
  maxGradNorm: z.number().positive().default(0.5).describe("global norm the gradients are clipped to"),
  targetKl: z.number().positive().nullable().default(0.02).describe("stop the epochs of an update once approx_kl exceeds it (null: never)"),
  normalizeAdvantages: z.boolean().default(true).describe("standardise the advantages within each minibatch"),
  hiddenSizes: z.array(z.number().int().min(1).max(4096)).min(1).default([64, 64]).describe("widths of the actor's and the critic's hidden layers (tanh)"),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).describe("seeds the weights, the minibatch order and the episodes"),
} as const;

export const ppoConfigSchema = z.object(PPO_HYPERPARAMETERS).strict();
export type PpoConfig = z.infer<typeof ppoConfigSchema>;

/** The defaults, resolved. */
export const DEFAULT_PPO_CONFIG: PpoConfig = ppoConfigSchema.parse({});

// ---- advantages -----------------------------------------------------------------------------------------------

/**
 * A rollout of T steps of N envs, step-major (index t·N + i). `values[t]` = V(obs_t). On a reset step (resetMask 1)
 * the env ignored the action and returned a new episode's first observation: its transition belongs to no episode.
 */
export interface Rollout {
  steps: number;
  numEnvs: number;
  rewards: Float32Array;
  values: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  resetMask: Uint8Array;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016, eq. 11–16), with the two kinds of episode end kept apart:
 *
 * - terminated at t (the parent order is done): δ_t = r_t − V(s_t), and nothing flows back from t + 1;
 * - truncated at t (a time limit cut it): δ_t = r_t + γ V(s_{t+1}) − V(s_t), bootstrapping from the episode's last
 *   observation, which next-step autoreset returns at t + 1 (at t + 1 = T: `lastValues`), and nothing flows back;
 * - otherwise δ_t = r_t + γ V(s_{t+1}) − V(s_t) and A_t = δ_t + γλ A_{t+1};
 * - a reset step has A_t = 0 and is dropped from the loss (its action did nothing).
 *
 * `lastValues[i]` = V(obs_T) of env i. Returns advantages and returns (A + V), step-major.
 */
export function computeGae(r: Rollout, lastValues: Float32Array, gamma: number, lambda: number): { advantages: Float32Array; returns: Float32Array } {
  const { steps: T, numEnvs: N } = r;
  const advantages = new Float32Array(T * N), returns = new Float32Array(T * N);
  for (let i = 0; i < N; i++) {
    let next = 0; // A_{t+1}
    for (let t = T - 1; t >= 0; t--) {
      const k = t * N + i;
      if (r.resetMask[k]) {
        advantages[k] = 0;
        next = 0;
        continue;
      }
      const nextValue = t + 1 < T ? r.values[k + N] : lastValues[i];
      let a: number;
      if (r.terminated[k]) a = r.rewards[k] - r.values[k];
      else if (r.truncated[k]) a = r.rewards[k] + gamma * nextValue - r.values[k];
      else a = r.rewards[k] + gamma * nextValue - r.values[k] + gamma * lambda * next;
      advantages[k] = a;
      next = a;
    }
  }
  for (let k = 0; k < T * N; k++) returns[k] = advantages[k] + r.values[k];
  return { advantages, returns };
}

// ---- the objective --------------------------------------------------------------------------------------------

/**
 * The clipped surrogate (PPO paper, eq. 7), as a loss to minimise over the samples in `mask`:
 * −mean(min(ρ A, clip(ρ, 1 − ε, 1 + ε) A)), ρ = exp(log π_new − log π_old). The update computes the same
 * expression on tensors and natively (training/learner.ts); this one is the reference their tests check them against.
 */
export function clippedSurrogateLoss(newLogProb: ArrayLike<number>, oldLogProb: ArrayLike<number>, advantages: ArrayLike<number>, clipCoef: number): number {
  let sum = 0;
  for (let k = 0; k < advantages.length; k++) {
    const ratio = Math.exp(newLogProb[k] - oldLogProb[k]);
    const clipped = Math.min(Math.max(ratio, 1 - clipCoef), 1 + clipCoef);
    sum += Math.min(ratio * advantages[k], clipped * advantages[k]);
  }
  return -sum / advantages.length;
}

/**
 * ½·mean of the squared error of the value prediction against the returns; clipped (as the policy's ratio), the
 * larger of the error of the new prediction and of the old one moved at most ε towards it.
 */
export function valueLoss(newValues: ArrayLike<number>, oldValues: ArrayLike<number>, returns: ArrayLike<number>, clipCoef: number | null): number {
  let sum = 0;
  for (let k = 0; k < returns.length; k++) {
    const plain = (newValues[k] - returns[k]) ** 2;
    if (clipCoef === null) {
      sum += plain;
      continue;
    }
    const moved = oldValues[k] + Math.min(Math.max(newValues[k] - oldValues[k], -clipCoef), clipCoef);
    sum += Math.max(plain, (moved - returns[k]) ** 2);
  }
  return (0.5 * sum) / returns.length;
}

/**
 * How far the updated policy moved, as CleanRL logs it: approx_kl = mean((ρ − 1) − log ρ) (Schulman's unbiased,
 * always non-negative estimator of KL(π_old ‖ π_new)), and clipfrac = the share of samples with |ρ − 1| > ε.
 */
export function policyShift(newLogProb: ArrayLike<number>, oldLogProb: ArrayLike<number>, clipCoef: number): { approxKl: number; clipFraction: number } {
  let kl = 0, clipped = 0;
  for (let k = 0; k < newLogProb.length; k++) {
    const logRatio = newLogProb[k] - oldLogProb[k];
    const ratio = Math.exp(logRatio);
    kl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > clipCoef) clipped++;
  }
  return { approxKl: kl / newLogProb.length, clipFraction: clipped / newLogProb.length };
}

/** 1 − Var(returns − values) / Var(returns): 1 is a perfect critic, 0 one that predicts the mean, below 0 worse. */
export function explainedVariance(values: ArrayLike<number>, returns: ArrayLike<number>): number {
  const n = returns.length;
  let mr = 0, md = 0;
  for (let k = 0; k < n; k++) (mr += returns[k]), (md += returns[k] - values[k]);
  mr /= n;
  md /= n;
  let vr = 0, vd = 0;
  for (let k = 0; k < n; k++) (vr += (returns[k] - mr) ** 2), (vd += (returns[k] - values[k] - md) ** 2);
  return vr === 0 ? NaN : 1 - vd / vr;
}

// ---- the run: rollouts and updates ---------------------------------------------------------------------------

/** What one update logs, with the names practitioners know (CleanRL's). */
export interface UpdateMetrics {
  update: number;
  globalStep: number;
  learningRate: number;
  /** Mean implementation shortfall of the episodes that ended in this rollout, bps (the negated return). */
  episodeIsBps: number;
  /** Their mean undiscounted return, unscaled (bps of the parent's arrival notional; the incomplete penalty included). */
  episodeReturn: number;
  episodes: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipfrac: number;
  explainedVariance: number;
  /** Environment steps per second over the rollout and update together. */
  stepsPerSecond: number;
  /** Shares of the update's wall time: environment stepping, inference (sampling), learning. */
  timeShares: { env: number; inference: number; update: number };
}

/** The vector env PPO drives: the Gymnasium contract with MultiDiscrete actions and next-step autoreset. */
export type PpoEnv = Pick<ExecutionVectorEnv, "numEnvs" | "singleObservationSpace" | "singleActionSpace" | "reset" | "step" | "resetMask">;

export interface TrainResult {
  network: ActorCritic;
  observationStats: RunningMeanStd;
  metrics: UpdateMetrics[];
  /** Where the run stood when it returned (after its last update): what a checkpoint holds. */
  state: TrainState;
  /** Frees the network and the learner's state. */
  dispose(): void;
}

/**
 * Everything a run needs to continue exactly where it stopped, taken between updates: each update starts fresh
 * episodes from seeds of its own and draws from a random stream of its own, so nothing else carries over.
 */
export interface TrainState {
  /** Updates done. */
  update: number;
  globalStep: number;
  weights: Record<string, { shape: number[]; values: number[] }>;
  /** Adam's step count, moments and running β₁ᵗ, β₂ᵗ, and the learner that wrote them. */
  optimizer: OptimizerState;
  observationStats: ReturnType<RunningMeanStd["toJSON"]>;
  returnStats: ReturnType<RunningMeanStd["toJSON"]>;
}

export interface TrainHooks {
  /** After every update; `checkpoint()` gives the state to continue from there. */
  onUpdate?: (m: UpdateMetrics, network: ActorCritic, observationStats: RunningMeanStd, checkpoint: () => Promise<TrainState>) => void | Promise<void>;
  /** Continue from a checkpoint (same config). */
  resume?: TrainState;
  /** Asked after every update: true stops the run there (Ctrl-C), and it returns its state. */
  shouldStop?: () => boolean;
  /** What computes the update (training/learner.ts); default "fused". */
  learner?: LearnerKind;
}

/** The first episode seed of update u's rollout (env i takes it + i): training's seeds, apart from any evaluation's. */
export function trainingSeed(config: Pick<PpoConfig, "seed" | "numEnvs">, update: number): number {
  return (config.seed + 1) * 1_000_000_000 + update * config.numEnvs;
}

/**
 * Samples one action per dimension from each row's logits (softmax), with the run's own seeded stream, and writes the
 * sampled action's log-probability (summed over the dimensions) to `logProb`.
 */
function sampleActions(logits: Float32Array, rows: number, dims: readonly number[], rng: Rng, out: Int32Array, logProb: Float32Array): void {
  const width = dims.reduce((a, b) => a + b, 0);
  for (let r = 0; r < rows; r++) {
    let from = r * width, lp = 0;
    dims.forEach((n, d) => {
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, logits[from + j]);
      let total = 0;
      for (let j = 0; j < n; j++) total += Math.exp(logits[from + j] - max);
      let u = rng.uniform() * total, pick = n - 1;
      for (let j = 0; j < n; j++) {
        u -= Math.exp(logits[from + j] - max);
        if (u < 0) {
          pick = j;
          break;
        }
      }
      out[r * dims.length + d] = pick;
      lp += logits[from + pick] - max - Math.log(total);
      from += n;
    });
    logProb[r] = lp;
  }
}

/**
 * Trains an actor-critic on `env` with PPO. Each update: a rollout of `rolloutSteps` steps of every env (actions
 * sampled from the policy on normalised observations), GAE, then `updateEpochs` passes of `minibatches` minibatches
 * of the clipped objective with Adam and global gradient-norm clipping, stopping early once approx_kl passes
 * `targetKl`. Rewards are scaled by the running standard deviation of the discounted return (Gymnasium's
 * NormalizeReward); the metrics report the episodes' shortfall unscaled.
 */
export async function trainPpo(env: PpoEnv, config: PpoConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  const N = env.numEnvs, T = config.rolloutSteps, F = env.singleObservationSpace.shape[0];
  const dims = Array.from(env.singleActionSpace.nvec);
  const D = dims.length;
  const learner = createLearner(hooks.learner ?? "fused", { observationSize: F, actionDims: dims, hiddenSizes: config.hiddenSizes, seed: config.seed });
  const width = dims.reduce((a, b) => a + b, 0);
  let observationStats = new RunningMeanStd(F);
  let returnStats = new RunningMeanStd(1);
  let firstUpdate = 1, globalStep = 0;
  if (hooks.resume !== undefined) {
    const r = hooks.resume;
    learner.setWeights(r.weights);
    await learner.setOptimizerState(r.optimizer);
    observationStats = RunningMeanStd.fromJSON(r.observationStats);
    returnStats = RunningMeanStd.fromJSON(r.returnStats);
    firstUpdate = r.update + 1;
    globalStep = r.globalStep;
  }

  const obsBuf = new Float32Array(T * N * F), actBuf = new Int32Array(T * N * D), logpBuf = new Float32Array(T * N);
  const rollout: Rollout = {
    steps: T, numEnvs: N, rewards: new Float32Array(T * N), values: new Float32Array(T * N),
    terminated: new Uint8Array(T * N), truncated: new Uint8Array(T * N), resetMask: new Uint8Array(T * N),
  };
  const normalized = new Float32Array(N * F), actions = new Int32Array(N * D), logits = new Float32Array(N * width), values = new Float32Array(N);
  const discounted = new Float64Array(N), discountedF32 = new Float32Array(N), episodeReturn = new Float64Array(N);
  // One minibatch's rows, gathered into buffers made once (a minibatch holds at most T·N / minibatches rows).
  const maxRows = Math.max(1, Math.floor((T * N) / config.minibatches));
  const mbObs = new Float32Array(maxRows * F), mbActions = new Int32Array(maxRows * D), mbLogProb = new Float32Array(maxRows);
  const mbAdvantages = new Float32Array(maxRows), mbReturns = new Float32Array(maxRows), mbValues = new Float32Array(maxRows);
  const metrics: UpdateMetrics[] = [];
  const updates = Math.max(1, Math.floor(config.totalSteps / (N * T)));

  let lastUpdate = firstUpdate - 1;
  for (let update = firstUpdate; update <= updates; update++) {
    const started = performance.now();
    // Fresh episodes and a random stream of this update's own: a run resumed here continues exactly.
    let [obs] = env.reset({ seed: trainingSeed(config, update) });
    const rng = new Rng((config.seed + 1) * 1_000_003 + update);
    discounted.fill(0);
    episodeReturn.fill(0);
    let envMs = 0, inferenceMs = 0;
    const lr = config.annealLearningRate ? config.learningRate * (1 - (update - 1) / updates) : config.learningRate;
    let endedReturns = 0, ended = 0;

    // Rollout.
    for (let t = 0; t < T; t++) {
      const i0 = performance.now();
      observationStats.update(obs, N);
      observationStats.normalize(obs, N, normalized);
      obsBuf.set(normalized, t * N * F);
      learner.infer(normalized, N, logits, values);
      sampleActions(logits, N, dims, rng, actions, logpBuf.subarray(t * N, (t + 1) * N));
      actBuf.set(actions, t * N * D);
      rollout.values.set(values, t * N);
      const e0 = performance.now();
      inferenceMs += e0 - i0;
      const [next, rewards, terminated, truncated] = env.step(actions);
      envMs += performance.now() - e0;
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        rollout.resetMask[k] = env.resetMask[i];
        rollout.terminated[k] = terminated[i];
        rollout.truncated[k] = truncated[i];
        if (env.resetMask[i]) {
          rollout.rewards[k] = 0;
          continue;
        }
        episodeReturn[i] += rewards[i];
        discounted[i] = discounted[i] * config.gamma + rewards[i];
        if (terminated[i] || truncated[i]) {
          endedReturns += episodeReturn[i];
          ended++;
          episodeReturn[i] = 0;
        }
      }
      discountedF32.set(discounted);
      returnStats.update(discountedF32, N);
      const scale = Math.sqrt(returnStats.var[0] + NORMALIZER_EPS);
      for (let i = 0; i < N; i++) {
        const k = t * N + i;
        if (!env.resetMask[i]) rollout.rewards[k] = rewards[i] / scale;
        if (terminated[i] || truncated[i]) discounted[i] = 0;
      }
      obs = next;
    }
    observationStats.normalize(obs, N, normalized);
    learner.infer(normalized, N, logits, values);
    const lastValues = values;
    const { advantages, returns } = computeGae(rollout, lastValues, config.gamma, config.gaeLambda);
    globalStep += T * N;

    // Update: minibatches over the transitions that belong to an episode (reset steps dropped).
    const u0 = performance.now();
    const kept = Int32Array.from({ length: T * N }, (_, k) => k).filter((k) => !rollout.resetMask[k]);
    const batch = kept.length, mb = Math.max(1, Math.floor(batch / config.minibatches));
    let pl = 0, vl = 0, ent = 0, kl = 0, cf = 0, count = 0;
    for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
      for (let k = kept.length - 1; k > 0; k--) {
        const j = Math.floor(rng.uniform() * (k + 1));
        [kept[k], kept[j]] = [kept[j], kept[k]];
      }
      let epochKl = 0, epochBatches = 0;
      for (let start = 0; start + mb <= batch; start += mb) {
        const idx = kept.subarray(start, start + mb);
        const o = mbObs.subarray(0, mb * F), a = mbActions.subarray(0, mb * D), oldLp = mbLogProb.subarray(0, mb);
        const adv = mbAdvantages.subarray(0, mb), ret = mbReturns.subarray(0, mb), oldV = mbValues.subarray(0, mb);
        idx.forEach((k, r) => {
          o.set(obsBuf.subarray(k * F, (k + 1) * F), r * F);
          a.set(actBuf.subarray(k * D, (k + 1) * D), r * D);
          oldLp[r] = logpBuf[k];
          adv[r] = advantages[k];
          ret[r] = returns[k];
          oldV[r] = rollout.values[k];
        });
        if (config.normalizeAdvantages && mb > 1) {
          let m = 0, v = 0;
          for (const x of adv) m += x;
          m /= mb;
          for (const x of adv) v += (x - m) ** 2;
          const sd = Math.sqrt(v / (mb - 1)) + 1e-8;
          for (let r = 0; r < mb; r++) adv[r] = (adv[r] - m) / sd;
        }
        const step = learner.step({ obs: o, actions: a, oldLogProb: oldLp, advantages: adv, returns: ret, oldValues: oldV, rows: mb }, config, lr);
        const stats = [step.policyLoss, step.valueLoss, step.entropy, step.approxKl, step.clipFraction];
        pl += stats[0], vl += stats[1], ent += stats[2], kl += stats[3], cf += stats[4], count++;
        epochKl += stats[3], epochBatches++;
      }
      if (config.targetKl !== null && epochBatches > 0 && epochKl / epochBatches > config.targetKl) break;
    }
    const updateMs = performance.now() - u0;
    const totalMs = performance.now() - started;
    const keptValues = Float32Array.from(kept, (k) => rollout.values[k]), keptReturns = Float32Array.from(kept, (k) => returns[k]);
    const m: UpdateMetrics = {
      update, globalStep, learningRate: lr, episodeIsBps: ended > 0 ? -endedReturns / ended : NaN, episodeReturn: ended > 0 ? endedReturns / ended : NaN, episodes: ended,
      policyLoss: pl / count, valueLoss: vl / count, entropy: ent / count, approxKl: kl / count, clipfrac: cf / count,
      explainedVariance: explainedVariance(keptValues, keptReturns), stepsPerSecond: (T * N) / (totalMs / 1000),
      timeShares: { env: envMs / totalMs, inference: inferenceMs / totalMs, update: updateMs / totalMs },
    };
    metrics.push(m);
    lastUpdate = update;
    await hooks.onUpdate?.(m, learner.network(), observationStats, snapshot);
    // Let the event loop run once per update: a Ctrl-C (SIGINT) is only delivered to a handler between macrotasks.
    await new Promise((resolve) => setImmediate(resolve));
    if (hooks.shouldStop?.()) break;
  }
  const state = await snapshot();
  const network = learner.network();
  return { network, observationStats, metrics, state, dispose: () => learner.dispose() };

  async function snapshot(): Promise<TrainState> {
    return {
      update: lastUpdate, globalStep,
      weights: Object.fromEntries(Object.entries(learner.network().weights()).map(([k, w]) => [k, { shape: w.shape, values: Array.from(w.values) }])),
      optimizer: await learner.optimizerState(),
      observationStats: observationStats.toJSON(),
      returnStats: returnStats.toJSON(),
    };
  }
}
