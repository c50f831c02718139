// Wrappers by their numbers: TimeLimit truncates at exactly N, episode statistics sum the rewards, the
// normalisers reach zero mean and unit variance and stay put when frozen; and the vector versions skip reset steps.
import { describe, expect, it } from "vitest";
import {
  Box,
  Discrete,
  EnvError,
  NormalizeObservation,
  NormalizeReward,
  RecordEpisodeStatistics,
  Rng,
  SyncVectorEnv,
  TimeLimit,
  VectorNormalizeObservation,
  VectorNormalizeReward,
  VectorRecordEpisodeStatistics,
  checkEnv,
  checkVectorEnv,
  type Env,
  type EnvMetadata,
  type ResetArgs,
  type ResetResult,
  type StepResult,
  type VectorEnv,
} from "../../env/index.js";
import { ArrayInventoryVectorEnv, CountdownEnv, InventoryEnv, columnMoments } from "./fixtures.js";

/**
 * Observations drawn from N(mean_j, sd_j) per element, rewards N(3, 2); episodes of a seeded length 20..59.
 * Non-normalised on purpose: the normalisers' numbers are checked against the known moments.
 */
class GaussianEnv implements Env<Float64Array, number> {
  static readonly means = [5, -100, 0.01];
  static readonly sds = [2, 30, 0.001];
  readonly observationSpace = new Box({ low: -Infinity, high: Infinity, shape: [3], dtype: "float64" });
  readonly actionSpace = new Discrete(2);
  readonly metadata: EnvMetadata = {};
  private readonly rng = new Rng(0);
  private left = 0;
  reset(args: ResetArgs = {}): ResetResult<Float64Array> {
    if (args.seed !== undefined) this.rng.reseed(args.seed);
    this.left = 20 + this.rng.below(40);
    return [this.draw(), {}];
  }
  step(): StepResult<Float64Array> {
    if (this.left === 0) throw new EnvError("STEP_AFTER_END", "GaussianEnv: reset() first");
    this.left -= 1;
    return [this.draw(), 3 + 2 * this.rng.normal(), this.left === 0, false, {}];
  }
  close(): void {}
  private draw(): Float64Array {
    return Float64Array.from(GaussianEnv.means, (m, j) => m + GaussianEnv.sds[j] * this.rng.normal());
  }
}

/** Steps `env` for `steps` steps with action 0, resetting at each episode end; returns what step returned. */
function run<Obs>(env: Env<Obs, number>, steps: number, seed = 1): { obs: Obs[]; rewards: number[] } {
  const obs: Obs[] = [];
  const rewards: number[] = [];
  env.reset({ seed });
  for (let t = 0; t < steps; t++) {
    const [o, r, terminated, truncated] = env.step(0);
    obs.push(o);
    rewards.push(r);
    if (terminated || truncated) env.reset();
  }
  return { obs, rewards };
}

describe("TimeLimit", () => {
  it("truncates at exactly maxEpisodeSteps and not a step before", () => {
    const env = new TimeLimit(new InventoryEnv({ horizon: 100 }), 7);
    env.reset({ seed: 0 });
    const truncated: boolean[] = [];
    for (let t = 0; t < 7; t++) truncated.push(env.step(0)[3]);
    expect(truncated).toEqual([false, false, false, false, false, false, true]);
    expect(env.elapsedSteps).toBe(7);
  });

  it("leaves an episode that terminates first alone, and restarts the count on reset", () => {
    const env = new TimeLimit(new CountdownEnv(), 100);
    env.reset({ seed: 0 });
    let last: StepResult<Float32Array>;
    do last = env.step(1);
    while (!last[2]);
    expect(last[3]).toBe(false);
    env.reset();
    expect(env.elapsedSteps).toBe(0);
  });

  it("reports both flags when the limit falls on the terminal step", () => {
    const inner = new CountdownEnv();
    inner.reset({ seed: 4 });
    const length = inner.lengths[0];
    const env = new TimeLimit(new CountdownEnv(), length);
    env.reset({ seed: 4 });
    let last!: StepResult<Float32Array>;
    for (let t = 0; t < length; t++) last = env.step(1);
    expect([last[2], last[3]]).toEqual([true, true]);
  });

  it("refuses step() before reset() and after the episode ended", () => {
    const env = new TimeLimit(new InventoryEnv({ horizon: 100 }), 2);
    expect(() => env.step(0)).toThrow(expect.objectContaining({ code: "STEP_BEFORE_RESET" }));
    env.reset({ seed: 0 });
    env.step(0);
    env.step(0);
    expect(() => env.step(0)).toThrow(expect.objectContaining({ code: "STEP_AFTER_END" }));
  });

  it("refuses a limit below 1", () => {
    expect(() => new TimeLimit(new CountdownEnv(), 0)).toThrow(/maxEpisodeSteps must be a whole number >= 1/);
  });
});

describe("RecordEpisodeStatistics", () => {
  it("puts r = the summed rewards, l = the steps and t = the elapsed time in the last step's info", () => {
    let now = 100;
    const env = new RecordEpisodeStatistics(new InventoryEnv(), { clock: () => now });
    env.reset({ seed: 9 });
    let sum = 0;
    let steps = 0;
    for (;;) {
      now += 0.25;
      const [, reward, terminated, truncated, info] = env.step(1);
      sum += reward;
      steps += 1;
      if (terminated || truncated) {
        expect(info.episode).toEqual({ r: sum, l: steps, t: 0.25 * steps });
        expect(info.soldLots).toBe(1); // the env's own info is kept
        break;
      }
      expect(info.episode).toBeUndefined();
    }
    expect(env.episodeCount).toBe(1);
    expect(env.returnQueue).toEqual([sum]);
    expect(env.lengthQueue).toEqual([steps]);
  });

  it("keeps the last bufferLength episodes", () => {
    const env = new RecordEpisodeStatistics(new CountdownEnv(), { bufferLength: 3 });
    run(env, 60);
    expect(env.episodeCount).toBeGreaterThan(5);
    expect(env.lengthQueue).toHaveLength(3);
  });

  it("refuses to stack on another RecordEpisodeStatistics", () => {
    const env = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new CountdownEnv()));
    expect(() => run(env, 10)).toThrow(expect.objectContaining({ code: "INFO_KEY_TAKEN" }));
  });
});

describe("NormalizeObservation", () => {
  it("gives observations of about zero mean and unit variance after many steps", () => {
    const env = new NormalizeObservation(new GaussianEnv());
    const { obs } = run(env, 20_000);
    const { mean, variance } = columnMoments(obs.slice(10_000), 3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(mean[j]), `mean of element ${j}`).toBeLessThan(0.05);
      expect(Math.abs(variance[j] - 1), `variance of element ${j}`).toBeLessThan(0.05);
    }
    const state = env.state();
    for (let j = 0; j < 3; j++) {
      expect(state.mean[j]).toBeCloseTo(GaussianEnv.means[j], 1);
      expect(Math.sqrt(state.var[j]) / GaussianEnv.sds[j]).toBeCloseTo(1, 1);
    }
  });

  it("matches the textbook mean and population variance of what it saw", () => {
    const env = new NormalizeObservation(new GaussianEnv());
    const raw: Float64Array[] = [];
    const inner = env.env as GaussianEnv;
    const step = inner.step.bind(inner);
    const reset = inner.reset.bind(inner);
    inner.step = () => { const r = step(); raw.push(r[0].slice()); return r; };
    inner.reset = (a) => { const r = reset(a); raw.push(r[0].slice()); return r; };
    run(env, 500);
    const { mean, variance } = columnMoments(raw, 3);
    const state = env.state();
    // The statistics start as a prior of mean 0 and variance 1 with weight 1e-4 (as Gymnasium's): the running
    // values are the exact moments of the data merged with that prior.
    const n = raw.length;
    const total = n + 1e-4;
    expect(state.count).toBeCloseTo(total, 9);
    for (let j = 0; j < 3; j++) {
      expect(state.mean[j] / ((n * mean[j]) / total)).toBeCloseTo(1, 9);
      const m2 = 1e-4 + n * variance[j] + (mean[j] * mean[j] * 1e-4 * n) / total;
      expect(state.var[j] / (m2 / total)).toBeCloseTo(1, 9);
    }
  });

  it("exposes a float32 Box of the same shape and returns Float32Arrays", () => {
    const env = new NormalizeObservation(new GaussianEnv());
    expect(env.observationSpace.toString()).toBe("Box(-inf, inf, (3,), float32)");
    expect(env.reset({ seed: 0 })[0]).toBeInstanceOf(Float32Array);
  });

  it("does not move frozen statistics, and still normalises with them", () => {
    const env = new NormalizeObservation(new GaussianEnv());
    run(env, 2000);
    env.updateRunningMean = false;
    const frozen = env.state();
    const { obs } = run(env, 500, 2);
    expect(env.state()).toEqual(frozen);
    const { mean } = columnMoments(obs, 3);
    for (let j = 0; j < 3; j++) expect(Math.abs(mean[j])).toBeLessThan(0.2);
  });

  it("saves its statistics as plain numbers and loads them into a fresh wrapper", () => {
    const trained = new NormalizeObservation(new GaussianEnv());
    run(trained, 1000);
    const saved = JSON.parse(JSON.stringify(trained.state()));
    const evalEnv = new NormalizeObservation(new GaussianEnv());
    evalEnv.loadState(saved);
    evalEnv.updateRunningMean = false;
    trained.updateRunningMean = false;
    expect(Array.from(evalEnv.reset({ seed: 5 })[0])).toEqual(Array.from(trained.reset({ seed: 5 })[0]));
    expect(() => evalEnv.loadState({ mean: [0], var: [1], count: 1 })).toThrow(/arrays of 3 numbers/);
    expect(() => evalEnv.loadState({ mean: [0, 0, 0], var: [1, -1, 1], count: 1 })).toThrow(/var must hold finite numbers >= 0/);
  });

  it("refuses a non-Box observation space and a non-positive epsilon", () => {
    const discreteObs = { ...new CountdownEnv(), observationSpace: new Discrete(3) } as unknown as Env<Float32Array, number>;
    expect(() => new NormalizeObservation(discreteObs)).toThrow(expect.objectContaining({ code: "SPACE_MISMATCH" }));
    expect(() => new NormalizeObservation(new GaussianEnv(), { epsilon: 0 })).toThrow(/epsilon must be a finite number > 0/);
  });
});

describe("NormalizeReward", () => {
  it("scales rewards by the standard deviation of the discounted return", () => {
    const gamma = 0.9;
    const env = new NormalizeReward(new GaussianEnv(), { gamma });
    const inner = env.env as GaussianEnv;
    const raw: number[] = [];
    const returns: number[] = [];
    let g = 0;
    const step = inner.step.bind(inner);
    inner.step = () => {
      const r = step();
      raw.push(r[1]);
      g = gamma * g + r[1];
      returns.push(g);
      if (r[2]) g = 0;
      return r;
    };
    const { rewards } = run(env, 5000);
    const { variance } = columnMoments(returns.map((x) => [x]), 1);
    const scale = Math.sqrt(env.state().var[0]);
    expect(scale / Math.sqrt(variance[0])).toBeCloseTo(1, 6);
    // The last reward was scaled with the final statistics.
    expect(rewards[rewards.length - 1]).toBeCloseTo(raw[raw.length - 1] / Math.sqrt(env.state().var[0] + 1e-8), 12);
  });

  it("does not move frozen statistics and restores them from plain numbers", () => {
    const env = new NormalizeReward(new GaussianEnv());
    run(env, 1000);
    env.updateRunningMean = false;
    const frozen = env.state();
    run(env, 300, 3);
    expect(env.state()).toEqual(frozen);
    const copy = new NormalizeReward(new GaussianEnv());
    copy.loadState(JSON.parse(JSON.stringify(frozen)));
    expect(copy.state()).toEqual(frozen);
  });

  it("refuses gamma outside [0, 1]", () => {
    expect(() => new NormalizeReward(new GaussianEnv(), { gamma: 1.5 })).toThrow(/gamma must be in \[0, 1\]/);
  });
});

describe("composed wrappers", () => {
  it("pass checkEnv as a stack: NormalizeObservation(NormalizeReward(RecordEpisodeStatistics(TimeLimit(env))))", () => {
    const rewardNorm = new NormalizeReward(new RecordEpisodeStatistics(new TimeLimit(new InventoryEnv({ horizon: 30 }), 6)));
    const env = new NormalizeObservation(rewardNorm);
    run(env, 200);
    const before = [env.state(), rewardNorm.state()];
    const report = checkEnv(env);
    expect(report.passed).toContain("ENV_TRUNCATES");
    expect(report.skipped).toEqual([]);
    // checkEnv froze the normalisers while it ran and unfroze them after.
    expect([env.state(), rewardNorm.state()]).toEqual(before);
    expect([env.updateRunningMean, rewardNorm.updateRunningMean]).toEqual([true, true]);
  });
});

// ---- vector wrappers ----------------------------------------------------------------------------

/** Float32 raw Gaussian observations for the vector normaliser: a thin float32 view of GaussianEnv. */
class GaussianEnv32 implements Env<Float32Array, number> {
  private readonly inner = new GaussianEnv();
  readonly observationSpace = new Box({ low: -Infinity, high: Infinity, shape: [3] });
  readonly actionSpace = this.inner.actionSpace;
  readonly metadata = this.inner.metadata;
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    const [o, info] = this.inner.reset(args);
    return [Float32Array.from(o), info];
  }
  step(a: number): StepResult<Float32Array> {
    const [o, r, te, tr, info] = this.inner.step();
    void a;
    return [Float32Array.from(o), r, te, tr, info];
  }
  close(): void {}
}

function stepAll(venv: VectorEnv<number>, steps: number, seed = 1): { obs: Float32Array[]; rewards: Float64Array[]; resetMasks: Uint8Array[] } {
  const obs: Float32Array[] = [];
  const rewards: Float64Array[] = [];
  const resetMasks: Uint8Array[] = [];
  venv.reset({ seed });
  const actions = new Int32Array(venv.numEnvs);
  for (let t = 0; t < steps; t++) {
    const [o, r] = venv.step(actions);
    obs.push(o.slice());
    rewards.push(r.slice());
    resetMasks.push(venv.resetMask.slice());
  }
  return { obs, rewards, resetMasks };
}

describe("VectorNormalizeObservation", () => {
  it("gives rows of about zero mean and unit variance, in its own array", () => {
    const venv = new VectorNormalizeObservation(new SyncVectorEnv(Array.from({ length: 8 }, () => () => new GaussianEnv32())));
    const { obs } = stepAll(venv, 3000);
    expect(venv.observations).not.toBe(venv.env.observations);
    const rowsSeen = obs.slice(1000).flatMap((o) => Array.from({ length: 8 }, (_, i) => o.subarray(i * 3, i * 3 + 3)));
    const { mean, variance } = columnMoments(rowsSeen, 3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(mean[j])).toBeLessThan(0.05);
      expect(Math.abs(variance[j] - 1)).toBeLessThan(0.05);
    }
    expect(venv.singleObservationSpace.toString()).toBe("Box(-inf, inf, (3,), float32)");
    expect(venv.observationSpace.shape).toEqual([8, 3]);
  });

  it("freezes, saves and loads like the single-env wrapper", () => {
    const venv = new VectorNormalizeObservation(new SyncVectorEnv([() => new GaussianEnv32(), () => new GaussianEnv32()]));
    stepAll(venv, 500);
    venv.updateRunningMean = false;
    const frozen = venv.state();
    stepAll(venv, 100, 2);
    expect(venv.state()).toEqual(frozen);
  });

  it("passes checkVectorEnv", () => {
    const venv = new VectorNormalizeObservation(new ArrayInventoryVectorEnv(3));
    expect(checkVectorEnv(venv, { maxSteps: 100 }).skipped).toEqual([]);
  });
});

describe("VectorNormalizeReward", () => {
  it("leaves reset steps out of the returns and the statistics, and gives them reward 0", () => {
    const n = 3;
    const gamma = 0.95;
    const inner = new ArrayInventoryVectorEnv(n);
    const venv = new VectorNormalizeReward(inner, { gamma });
    venv.reset({ seed: 4 });
    const actions = new Int32Array(n).fill(1);
    // The same returns computed by hand from the raw rewards, skipping reset steps.
    const g = new Float64Array(n);
    const seen: number[] = [];
    let resetSteps = 0;
    for (let t = 0; t < 400; t++) {
      venv.step(actions);
      for (let i = 0; i < n; i++) {
        if (inner.resetMask[i] === 1) {
          resetSteps += 1;
          expect(venv.rewards[i]).toBe(0);
          continue;
        }
        g[i] = gamma * g[i] + inner.rewards[i];
        seen.push(g[i]);
        if (inner.terminated[i] === 1) g[i] = 0;
      }
    }
    expect(resetSteps).toBeGreaterThan(10);
    const { mean, variance } = columnMoments(seen.map((x) => [x]), 1);
    const state = venv.state();
    expect(state.count).toBeCloseTo(seen.length + 1e-4, 9);
    expect(state.mean[0] / mean[0]).toBeCloseTo(1, 6);
    expect(state.var[0] / variance[0]).toBeCloseTo(1, 4);
    const scale = 1 / Math.sqrt(state.var[0] + 1e-8);
    for (let i = 0; i < n; i++) if (inner.resetMask[i] === 0) expect(venv.rewards[i]).toBeCloseTo(inner.rewards[i] * scale, 12);
  });

  it("does not move frozen statistics", () => {
    const venv = new VectorNormalizeReward(new ArrayInventoryVectorEnv(2));
    stepAll(venv, 200);
    venv.updateRunningMean = false;
    const frozen = venv.state();
    stepAll(venv, 100, 9);
    expect(venv.state()).toEqual(frozen);
  });

  it("refuses a vector env with another autoreset mode", () => {
    expect(() => new VectorNormalizeReward(new ArrayInventoryVectorEnv(2, 12, "wrong-autoreset-mode"))).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_AUTORESET" }),
    );
  });
});

describe("VectorRecordEpisodeStatistics", () => {
  it("reports each episode's summed rewards and length, not counting the reset step", () => {
    const n = 3;
    const venv = new VectorRecordEpisodeStatistics(new SyncVectorEnv(Array.from({ length: n }, () => () => new CountdownEnv())));
    const solo = Array.from({ length: n }, () => new RecordEpisodeStatistics(new CountdownEnv()));
    venv.reset({ seed: 20 });
    solo.forEach((e, i) => e.reset({ seed: 20 + i }));
    const ended: { env: number; r: number; l: number }[] = [];
    const expected: { env: number; r: number; l: number }[] = [];
    const soloDone = new Array<boolean>(n).fill(false);
    for (let t = 0; t < 60; t++) {
      const actions = Int32Array.from({ length: n }, (_, i) => 1 + ((t + i) % 3));
      const [, , terminated, , info] = venv.step(actions);
      for (let i = 0; i < n; i++) {
        if (terminated[i] === 1) {
          expect(info._episode![i]).toBe(1);
          ended.push({ env: i, r: info.episode!.r[i], l: info.episode!.l[i] });
        } else if (info._episode) expect([info.episode!.r[i], info.episode!.l[i]]).toEqual([0, 0]);
        // The same actions, one episode at a time, through the single-env wrapper.
        if (soloDone[i]) {
          solo[i].reset();
          soloDone[i] = false;
          continue;
        }
        const [, , te, , soloInfo] = solo[i].step(actions[i]);
        if (te) {
          expected.push({ env: i, r: soloInfo.episode!.r, l: soloInfo.episode!.l });
          soloDone[i] = true;
        }
      }
    }
    expect(ended.length).toBeGreaterThan(10);
    expect(ended).toEqual(expected);
    expect(venv.episodeCount).toBe(ended.length);
  });

  it("passes checkVectorEnv", () => {
    const venv = new VectorRecordEpisodeStatistics(new ArrayInventoryVectorEnv(3));
    expect(checkVectorEnv(venv, { maxSteps: 100 }).skipped).toEqual([]);
  });
});
