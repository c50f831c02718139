// Proximal Policy Optimization (Schulman et al. 2017) for the execution task, read top to bottom in run order:
// the hyperparameters (one schema, each with its default and meaning), then the advantages of a rollout (GAE),
// then the update's objective (the clipped surrogate, the value loss, the entropy bonus) and the diagnostics
// practitioners read (approx_kl, clipfrac, explained_variance). The reference implementations are CleanRL's
// ppo.py and Stable-Baselines3's PPO; where they treat a truncated episode as a terminated one, this follows
// Gymnasium's semantics instead (bootstrap from V(s) on truncation, never on termination), and the next-step
// autoreset's reset steps are left out of the loss.
import { z } from "zod";

// ---- hyperparameters ------------------------------------------------------------------------------------------

/** Every PPO hyperparameter: its default and what it means (the CLI, the run folder and the report read this). */
export const PPO_HYPERPARAMETERS = {
  numEnvs: z.number().int().min(1).max(65_536).default(64).describe("environments stepped together (one native call per step)"),
  rolloutSteps: z.number().int().min(1).max(100_000).default(128).describe("steps per environment in each rollout"),
  totalSteps: z.number().int().min(1).default(1_000_000).describe("environment steps over the whole run"),
  gamma: z.number().min(0).max(1).default(1).describe("discount: 1 counts every step's shortfall, as the episode's IS does"),
  gaeLambda: z.number().min(0).max(1).default(0.95).describe("λ of generalised advantage estimation"),
  learningRate: z.number().positive().default(3e-4).describe("Adam's step size at the start"),
  annealLearningRate: z.boolean().default(true).describe("decay the learning rate linearly to 0 over the run"),
  updateEpochs: z.number().int().min(1).default(4).describe("passes over each rollout"),
  minibatches: z.number().int().min(1).default(4).describe("minibatches per pass"),
  clipCoef: z.number().positive().default(0.2).describe("ε of the clipped surrogate: the ratio is clipped to [1 − ε, 1 + ε]"),
  clipValueLoss: z.boolean().default(true).describe("clip the value prediction's change to ±ε, as the policy's"),
  entropyCoef: z.number().min(0).default(0.01).describe("weight of the entropy bonus"),
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
 * expression on tensors (training/network.ts); this one is the reference its test checks it against.
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
