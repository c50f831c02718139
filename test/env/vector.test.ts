// SyncVectorEnv: next-step autoreset walked step by step, seeding, batched spaces, info batching, ownership of
// the arrays; and the shared VectorEnv conformance suite over it and over an array-style implementation.
import { describe, expect, it } from "vitest";
import {
  Box,
  Discrete,
  EnvError,
  MultiDiscrete,
  RecordEpisodeStatistics,
  SyncVectorEnv,
  TimeLimit,
  type Env,
} from "../../env/index.js";
import { ArrayInventoryVectorEnv, CountdownEnv, InventoryEnv } from "./fixtures.js";
import { vectorEnvConformance } from "./vector-conformance.js";

function countdowns(n: number): { venv: SyncVectorEnv<number>; envs: CountdownEnv[] } {
  const envs = Array.from({ length: n }, () => new CountdownEnv());
  return { venv: new SyncVectorEnv(envs.map((e) => () => e)), envs };
}
const rows = (obs: Float32Array, width: number) => Array.from({ length: obs.length / width }, (_, i) => Array.from(obs.subarray(i * width, (i + 1) * width)));

describe("SyncVectorEnv next-step autoreset", () => {
  it("walks an episode end: the step after it is a reset step that ignores the action and returns reward 0", () => {
    const { venv, envs } = countdowns(2);
    const [obs] = venv.reset({ seed: 0 });
    const [len0, len1] = [envs[0].lengths[0], envs[1].lengths[0]];
    expect(rows(obs, 2)).toEqual([[len0, len0], [len1, len1]]);
    expect(Array.from(venv.resetMask)).toEqual([0, 0]);

    // Step until env 0's episode ends, checking each step of env 0.
    for (let t = 1; t <= len0; t++) {
      venv.step(Int32Array.of(2, 3));
      expect(venv.observations[0]).toBe(len0 - t);
      expect(venv.rewards[0]).toBe(2);
      expect(venv.terminated[0]).toBe(t === len0 ? 1 : 0);
      expect(venv.truncated[0]).toBe(0);
      expect(venv.resetMask[0]).toBe(0);
    }
    expect(envs[0].actions).toHaveLength(len0);

    // Step len0 + 1: env 0 is reset, its action (3) is not passed on.
    venv.step(Int32Array.of(3, 3));
    expect(envs[0].actions).toHaveLength(len0);
    expect(envs[0].episode).toBe(1);
    expect(Array.from(venv.observations.subarray(0, 2))).toEqual([envs[0].lengths[1], envs[0].lengths[1]]);
    expect([venv.rewards[0], venv.terminated[0], venv.truncated[0], venv.resetMask[0]]).toEqual([0, 0, 0, 1]);

    // Step len0 + 2: env 0 steps again in its second episode.
    venv.step(Int32Array.of(1, 1));
    expect(envs[0].actions).toHaveLength(len0 + 1);
    expect(venv.resetMask[0]).toBe(0);
    expect(venv.rewards[0]).toBe(1);
    expect(venv.observations[0]).toBe(envs[0].lengths[1] - 1);
  });

  it("sets resetMask for exactly the envs whose episode ended on the step before, over many episodes", () => {
    const { venv, envs } = countdowns(3);
    venv.reset({ seed: 5 });
    const prevDone = new Uint8Array(3);
    const actionsPassed = [0, 0, 0];
    for (let t = 0; t < 100; t++) {
      venv.step(Int32Array.of(1, 2, 3));
      for (let i = 0; i < 3; i++) {
        expect(venv.resetMask[i], `step ${t}, env ${i}`).toBe(prevDone[i]);
        if (prevDone[i] === 0) actionsPassed[i] += 1;
        prevDone[i] = venv.terminated[i] | venv.truncated[i];
      }
    }
    // Every episode of length L takes L + 1 vector steps: L steps plus the reset step.
    expect(envs.map((e) => e.actions.length)).toEqual(actionsPassed);
  });

  it("resets a TimeLimit-truncated env on the next step as well", () => {
    const venv = new SyncVectorEnv([() => new TimeLimit(new InventoryEnv({ horizon: 50 }), 3)]);
    venv.reset({ seed: 2 });
    const flags: number[][] = [];
    for (let t = 0; t < 8; t++) {
      venv.step(Int32Array.of(0)); // never sells: only the limit ends the episode
      flags.push([venv.terminated[0], venv.truncated[0], venv.resetMask[0]]);
    }
    expect(flags).toEqual([
      [0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1],
      [0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1],
    ]);
  });
});

describe("SyncVectorEnv", () => {
  it("batches the spaces as batchSpace does", () => {
    const venv = new SyncVectorEnv([() => new InventoryEnv(), () => new InventoryEnv(), () => new InventoryEnv()]);
    expect(venv.numEnvs).toBe(3);
    expect(venv.metadata.autoresetMode).toBe("next-step");
    expect(venv.observationSpace.shape).toEqual([3, 3]);
    expect(venv.actionSpace).toBeInstanceOf(MultiDiscrete);
    expect(Array.from((venv.actionSpace as MultiDiscrete).nvec)).toEqual([4, 4, 4]);
    expect(venv.observations).toBeInstanceOf(Float32Array);
    expect(venv.observations.length).toBe(9);
  });

  it("seeds env i with seed + i, and with its own entry of a seed array", () => {
    const one = countdowns(3);
    one.venv.reset({ seed: 10 });
    const many = countdowns(3);
    many.venv.reset({ seed: [10, 11, 12] });
    expect(Array.from(one.venv.observations)).toEqual(Array.from(many.venv.observations));
    const solo = new CountdownEnv();
    solo.reset({ seed: 12 });
    expect(one.envs[2].lengths[0]).toBe(solo.lengths[0]);
  });

  it("continues each env's stream when reset without a seed", () => {
    const a = countdowns(2);
    a.venv.reset({ seed: 3 });
    a.venv.reset();
    const b = countdowns(2);
    b.venv.reset({ seed: 3 });
    b.venv.reset();
    expect(a.envs.map((e) => e.lengths)).toEqual(b.envs.map((e) => e.lengths));
  });

  it("copies each env's observation, even when the env reuses its buffer", () => {
    const venv = new SyncVectorEnv([() => new InventoryEnv(), () => new InventoryEnv()]);
    venv.reset({ seed: 1 });
    const single = [new InventoryEnv(), new InventoryEnv()];
    const expected = single.map((e, i) => Array.from(e.reset({ seed: 1 + i })[0]));
    expect(rows(venv.observations, 3)).toEqual(expected);
  });

  it("batches info Gymnasium style: an array per key and a _key mask", () => {
    const { venv } = countdowns(2);
    const [, info] = venv.reset({ seed: 0 });
    expect(info.start).toBeInstanceOf(Float64Array);
    expect(Array.from(info._start as Uint8Array)).toEqual([1, 1]);
  });

  it("nests the episode statistics of wrapped sub-envs as r, l, t arrays under info.episode", () => {
    const venv = new SyncVectorEnv([() => new RecordEpisodeStatistics(new CountdownEnv()), () => new RecordEpisodeStatistics(new CountdownEnv())]);
    venv.reset({ seed: 0 });
    for (let t = 0; t < 10; t++) {
      const [, rewards, terminated, , info] = venv.step(Int32Array.of(2, 2));
      if (terminated[0] === 1 || terminated[1] === 1) {
        expect(info.episode?.r).toBeInstanceOf(Float64Array);
        for (let i = 0; i < 2; i++) {
          expect((info._episode as Uint8Array)[i]).toBe(terminated[i]);
          if (terminated[i] === 1) expect(info.episode!.r[i]).toBe(2 * info.episode!.l[i]);
        }
        expect(rewards).toBe(venv.rewards);
        return;
      }
    }
    expect.unreachable("no episode ended in 10 steps");
  });

  it("refuses sub-envs with different spaces, and observations that are not float32 boxes", () => {
    expect(() => new SyncVectorEnv([() => new CountdownEnv(), () => new InventoryEnv()])).toThrow(/env 1's observation space/);
    const float64Env = {
      observationSpace: new Box({ low: 0, high: 1, shape: [1], dtype: "float64" }),
      actionSpace: new Discrete(2),
      metadata: {},
      reset: () => [new Float64Array(1), {}],
      step: () => [new Float64Array(1), 0, true, false, {}],
      close: () => undefined,
    } as unknown as Env<Float32Array, number>;
    expect(() => new SyncVectorEnv([() => float64Env])).toThrow(expect.objectContaining({ code: "SPACE_MISMATCH" }));
    expect(() => new SyncVectorEnv([])).toThrow(/non-empty array/);
  });

  it("refuses a batch of actions that is a plain array or the wrong length, naming the expected type", () => {
    const { venv } = countdowns(2);
    venv.reset({ seed: 0 });
    expect(() => venv.step([1, 1] as unknown as Int32Array)).toThrow(/Int32Array of 2 × 1 = 2 elements .*plain array/);
    expect(() => venv.step(Int32Array.of(1))).toThrow(expect.objectContaining({ code: "INVALID_ACTION" }));
  });

  it("closes every sub-env once and refuses to run after close", () => {
    const envs = [new InventoryEnv(), new InventoryEnv()];
    const venv = new SyncVectorEnv(envs.map((e) => () => e));
    venv.reset({ seed: 0 });
    venv.close();
    venv.close();
    expect(envs.map((e) => e.closed)).toEqual([1, 1]);
    expect(() => venv.reset()).toThrow(EnvError);
    expect(() => venv.step(Int32Array.of(0, 0))).toThrow(expect.objectContaining({ code: "CLOSED" }));
  });

  it("matches an array-style batched implementation of the same env bit for bit", () => {
    const sync = new SyncVectorEnv(Array.from({ length: 4 }, () => () => new InventoryEnv()));
    const batched = new ArrayInventoryVectorEnv(4);
    sync.reset({ seed: 77 });
    batched.reset({ seed: 77 });
    const actions = new MultiDiscrete([4, 4, 4, 4], { seed: 1 });
    for (let t = 0; t < 200; t++) {
      const a = actions.sample();
      sync.step(a);
      batched.step(a);
      expect(Array.from(batched.observations), `step ${t}`).toEqual(Array.from(sync.observations));
      expect(Array.from(batched.rewards)).toEqual(Array.from(sync.rewards));
      expect(Array.from(batched.terminated)).toEqual(Array.from(sync.terminated));
      expect(Array.from(batched.resetMask)).toEqual(Array.from(sync.resetMask));
    }
  });
});

vectorEnvConformance("SyncVectorEnv(InventoryEnv × 3)", () => new SyncVectorEnv(Array.from({ length: 3 }, () => () => new InventoryEnv())));
vectorEnvConformance("SyncVectorEnv(TimeLimit(InventoryEnv, 5) × 2)", () =>
  new SyncVectorEnv(Array.from({ length: 2 }, () => () => new TimeLimit(new InventoryEnv({ horizon: 40 }), 5))),
);
vectorEnvConformance("ArrayInventoryVectorEnv(4)", () => new ArrayInventoryVectorEnv(4));
