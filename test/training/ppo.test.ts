// PPO's maths on fixed numbers worked out by hand: GAE with both kinds of episode end and the next-step autoreset's
// reset steps, the clipped surrogate, the (clipped) value loss, approx_kl and clipfrac, explained variance.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PPO_CONFIG, clippedSurrogateLoss, computeGae, explainedVariance, policyShift, ppoConfigSchema, valueLoss, type Rollout,
} from "../../training/ppo.js";

/** One env's rollout from per-step columns. */
function rollout(rewards: number[], values: number[], terminated: number[], truncated: number[], resetMask: number[]): Rollout {
  return {
    steps: rewards.length, numEnvs: 1, rewards: Float32Array.from(rewards), values: Float32Array.from(values),
    terminated: Uint8Array.from(terminated), truncated: Uint8Array.from(truncated), resetMask: Uint8Array.from(resetMask),
  };
}

describe("computeGae", () => {
  const gamma = 0.9, lambda = 0.5;

  it("discounts and bootstraps an episode that runs on past the rollout", () => {
    // δ2 = 1 + 0.9·4 − 3 = 1.6; δ1 = 1 + 0.9·3 − 2 = 1.7; δ0 = 1 + 0.9·2 − 1 = 1.8.
    // A2 = 1.6; A1 = 1.7 + 0.45·1.6 = 2.42; A0 = 1.8 + 0.45·2.42 = 2.889.
    const r = rollout([1, 1, 1], [1, 2, 3], [0, 0, 0], [0, 0, 0], [0, 0, 0]);
    const { advantages, returns } = computeGae(r, Float32Array.of(4), gamma, lambda);
    expect(Array.from(advantages)).toEqual([2.889, 2.42, 1.6].map(Math.fround));
    expect(returns[0]).toBeCloseTo(3.889, 5);
  });

  it("does not bootstrap past a termination, and nothing flows back across it", () => {
    // Terminated at t = 1: A1 = r1 − V1 = 5 − 2 = 3. t = 2 is the reset step (0). t = 0: δ0 = 1 + 0.9·2 − 1 = 1.8,
    // A0 = 1.8 + 0.45·3 = 3.15. The value at t = 2 (a new episode's first observation) is never used.
    const r = rollout([1, 5, 0], [1, 2, 100], [0, 1, 0], [0, 0, 0], [0, 0, 1]);
    const { advantages } = computeGae(r, Float32Array.of(7), gamma, lambda);
    expect(advantages[2]).toBe(0);
    expect(advantages[1]).toBeCloseTo(3, 6);
    expect(advantages[0]).toBeCloseTo(3.15, 6);
  });

  it("bootstraps a truncation from the episode's last observation, which the reset step carries", () => {
    // Truncated at t = 1: under next-step autoreset the observation at t = 2 is the truncated episode's last one
    // (V = 10). A1 = 5 + 0.9·10 − 2 = 12; A0 = 1.8 + 0.45·12 = 7.2.
    const r = rollout([1, 5, 0], [1, 2, 10], [0, 0, 0], [0, 1, 0], [0, 0, 1]);
    const { advantages } = computeGae(r, Float32Array.of(7), gamma, lambda);
    expect(advantages[1]).toBeCloseTo(12, 5);
    expect(advantages[0]).toBeCloseTo(7.2, 5);
    expect(advantages[2]).toBe(0);
  });

  it("bootstraps a truncation at the rollout's last step from lastValues", () => {
    const r = rollout([1, 5], [1, 2], [0, 0], [0, 1], [0, 0]);
    const { advantages } = computeGae(r, Float32Array.of(10), gamma, lambda);
    expect(advantages[1]).toBeCloseTo(12, 5);
  });

  it("keeps envs apart (step-major layout)", () => {
    // Two envs, two steps: env 0 terminates at t = 0, env 1 runs on.
    const r: Rollout = {
      steps: 2, numEnvs: 2, rewards: Float32Array.of(3, 1, 0, 1), values: Float32Array.of(1, 1, 9, 1),
      terminated: Uint8Array.of(1, 0, 0, 0), truncated: new Uint8Array(4), resetMask: Uint8Array.of(0, 0, 1, 0),
    };
    const { advantages } = computeGae(r, Float32Array.of(0, 2), 1, 1);
    // env 0: A0 = 3 − 1 = 2, reset step 0. env 1: A1 = 1 + 2 − 1 = 2, A0 = 1 + 1 − 1 + 2 = 3.
    expect(Array.from(advantages)).toEqual([2, 3, 0, 2]);
  });
});

describe("the PPO objective", () => {
  it("clips the ratio on the side that would profit from moving further", () => {
    const eps = 0.2;
    const oldLp = [0, 0, 0, 0];
    // ρ = 1.5 with A = 1 (clipped to 1.2), ρ = 1.5 with A = −1 (unclipped: min picks −1.5),
    // ρ = 0.5 with A = 1 (unclipped: 0.5), ρ = 0.5 with A = −1 (clipped: −0.8).
    const newLp = [Math.log(1.5), Math.log(1.5), Math.log(0.5), Math.log(0.5)];
    const loss = clippedSurrogateLoss(newLp, oldLp, [1, -1, 1, -1], eps);
    expect(loss).toBeCloseTo(-(1.2 - 1.5 + 0.5 - 0.8) / 4, 12);
    const { approxKl, clipFraction } = policyShift(newLp, oldLp, eps);
    // (ρ − 1) − log ρ: 0.5 − log 1.5 twice, −0.5 − log 0.5 twice.
    expect(approxKl).toBeCloseTo((2 * (0.5 - Math.log(1.5)) + 2 * (-0.5 - Math.log(0.5))) / 4, 12);
    expect(clipFraction).toBe(1);
    expect(policyShift([0.1, 0], [0, 0], eps).clipFraction).toBe(0);
  });

  it("takes the larger of the plain and the clipped value error", () => {
    // New 3, old 1, return 2, ε 0.5: plain (3 − 2)² = 1, clipped (1.5 − 2)² = 0.25 → 1; ½ · 1.
    expect(valueLoss([3], [1], [2], 0.5)).toBeCloseTo(0.5, 12);
    // New 3, old 1, return 4: plain 1, clipped (1.5 − 4)² = 6.25 → 6.25; ½ · 6.25.
    expect(valueLoss([3], [1], [4], 0.5)).toBeCloseTo(3.125, 12);
    expect(valueLoss([3], [1], [4], null)).toBeCloseTo(0.5, 12);
  });

  it("explains all of the variance with a perfect critic and none with a constant one", () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0, 12);
    expect(explainedVariance([3, 2, 1], [1, 2, 3])).toBeCloseTo(-3, 12);
  });
});

describe("the hyperparameter schema", () => {
  it("gives every hyperparameter a default and a one-line meaning", () => {
    for (const [key, field] of Object.entries(ppoConfigSchema.shape)) {
      expect(field.description, key).toMatch(/\w{3}/);
      expect((DEFAULT_PPO_CONFIG as Record<string, unknown>)[key], key).not.toBeUndefined();
    }
    expect(DEFAULT_PPO_CONFIG.gamma).toBe(1);
  });

  it("names the field that does not fit", () => {
    const r = ppoConfigSchema.safeParse({ clipCoef: -1, learningrate: 1 });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => (i.path.length > 0 ? i.path.join(".") : (i as { keys?: string[] }).keys?.join(",")));
    expect(paths).toContain("clipCoef");
    expect(paths.join()).toContain("learningrate");
  });
});
