// Random: seeded, uniform over MultiDiscrete([5, 4]) in multiplier mode.
import { describe, expect, it } from "vitest";
import { PolicyError, RandomPolicy } from "../../agents/index.js";
import { MultiDiscrete } from "../../env/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";

function draws(policy: RandomPolicy, numEnvs: number, calls: number): Int32Array[] {
  const state = allocTaskState(numEnvs);
  for (let i = 0; i < numEnvs; i++) setEnv(state, i, { parentLots: 100, horizonSteps: 10 });
  const obs = new Float32Array(numEnvs * 16);
  const seen: Int32Array[] = [];
  for (let c = 0; c < calls; c++) {
    const out = new Int32Array(numEnvs * 2);
    policy.act(obs, state, out);
    seen.push(out);
  }
  return seen;
}

describe("RandomPolicy", () => {
  it("acts in multiplier mode and gives the same actions for the same seed", () => {
    expect(new RandomPolicy({ seed: 1 }).actionMode).toBe("multiplier");
    const a = draws(new RandomPolicy({ seed: 42 }), 8, 50);
    const b = draws(new RandomPolicy({ seed: 42 }), 8, 50);
    const c = draws(new RandomPolicy({ seed: 43 }), 8, 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const reseeded = new RandomPolicy({ seed: 42 });
    draws(reseeded, 8, 7);
    reseeded.reseed();
    expect(draws(reseeded, 8, 50)).toEqual(a);
  });

  it("keeps every action inside MultiDiscrete([5, 4]) and draws each cell about equally often", () => {
    const space = new MultiDiscrete([5, 4]);
    const counts = new Array(20).fill(0);
    const pair = new Int32Array(2);
    for (const out of draws(new RandomPolicy({ seed: 7 }), 16, 1250)) {
      for (let i = 0; i < 16; i++) {
        pair[0] = out[2 * i];
        pair[1] = out[2 * i + 1];
        expect(space.contains(pair)).toBe(true);
        counts[pair[0] * 4 + pair[1]]++;
      }
    }
    // 20,000 draws over 20 cells: 1,000 each, standard deviation ≈ 31; 5 sd either side.
    for (const n of counts) expect(Math.abs(n - 1000)).toBeLessThan(155);
  });

  it("refuses a seed that is not a whole number in [0, 2^53 − 1]", () => {
    for (const seed of [-1, 1.5, NaN, 2 ** 53]) expect(() => new RandomPolicy({ seed })).toThrow(PolicyError);
  });
});
