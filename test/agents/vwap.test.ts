// VWAP: children follow the volume profile, re-spread a shortfall over the rest of it, and reduce to TWAP on a
// uniform profile.
import { describe, expect, it } from "vitest";
import { Placement, PolicyError, TwapPolicy, VwapPolicy, profileFromVolumes, uniformProfile } from "../../agents/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";
import { ToyMarket, childSizes, type ToyMarketOptions } from "./toy-market.js";

function cumulative(xs: ArrayLike<number>): number[] {
  let sum = 0;
  return Array.from(xs, (x) => (sum += x));
}

describe("VwapPolicy", () => {
  it("trades parent × profile[k] when the profile's shares are whole lots", () => {
    const [log] = new ToyMarket({ numEnvs: 1 }).run(new VwapPolicy({ profile: [0.1, 0.2, 0.4, 0.3] }), [{ parentLots: 100, horizonSteps: 4 }]);
    expect(childSizes(log)).toEqual([10, 20, 40, 30]);
    expect(log.decisions.every((d) => d.placement === Placement.Market)).toBe(true);
  });

  it("keeps cumulative children within half a lot of the profile's cumulative fractions, and completes", () => {
    const volumes = [5, 9, 14, 0, 3, 8, 21, 13, 2, 0, 7, 11, 30];
    const profile = profileFromVolumes(volumes);
    for (const parent of [1, 13, 97, 250, 1001]) {
      const [log] = new ToyMarket({ numEnvs: 1 }).run(new VwapPolicy({ profile }), [{ parentLots: parent, horizonSteps: volumes.length }]);
      const done = cumulative(log.fillsByStep);
      const planned = cumulative(profile).map((f) => parent * f);
      done.forEach((lots, k) => expect(Math.abs(lots - planned[k]), `parent ${parent}, step ${k}`).toBeLessThanOrEqual(0.5 + 1e-9));
      expect(done[done.length - 1]).toBe(parent);
      expect(log.finalCrossLots).toBe(0);
    }
  });

  it("with a uniform profile gives TWAP's actions, step for step, full fills or not", () => {
    const fills: Array<ToyMarketOptions["marketFill"]> = [undefined, (_e, k, lots) => (k % 3 === 0 ? Math.floor(lots / 2) : lots)];
    for (const marketFill of fills)
      for (const [parent, horizon] of [[1, 1], [5, 2], [10, 4], [61, 60], [997, 33], [40, 80]]) {
        const twap = new ToyMarket({ numEnvs: 1, marketFill }).run(new TwapPolicy(), [{ parentLots: parent, horizonSteps: horizon }]);
        const vwap = new ToyMarket({ numEnvs: 1, marketFill }).run(new VwapPolicy({ profile: uniformProfile(horizon) }), [
          { parentLots: parent, horizonSteps: horizon },
        ]);
        expect(childSizes(vwap[0]), `parent ${parent}, horizon ${horizon}`).toEqual(childSizes(twap[0]));
      }
  });

  it("spreads a shortfall over the rest of the profile in proportion to it", () => {
    const state = allocTaskState(2);
    // Profile 25/25/50; after the first step 90 of 100 are left (on schedule would be 75).
    setEnv(state, 0, { parentLots: 100, horizonSteps: 3, elapsedSteps: 1, remainingLots: 90 });
    // Ahead of schedule: 60 left, so the 25-of-75 share is 20.
    setEnv(state, 1, { parentLots: 100, horizonSteps: 3, elapsedSteps: 1, remainingLots: 60 });
    const out = new Int32Array(4);
    new VwapPolicy({ profile: [0.25, 0.25, 0.5] }).act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([30, Placement.Market, 20, Placement.Market]);
  });

  it("waits in steps the profile expects no volume in, and spreads what is left once the profile is spent", () => {
    const [gap] = new ToyMarket({ numEnvs: 1 }).run(new VwapPolicy({ profile: [0.5, 0, 0.5] }), [{ parentLots: 50, horizonSteps: 3 }]);
    expect(childSizes(gap)).toEqual([25, 0, 25]);
    const [spent] = new ToyMarket({ numEnvs: 1, marketFill: () => 4 }).run(new VwapPolicy({ profile: [1, 0, 0] }), [{ parentLots: 10, horizonSteps: 3 }]);
    expect(childSizes(spent)).toEqual([10, 3, 3]);
  });

  it("takes a profile per env with setProfile", () => {
    const policy = new VwapPolicy({ profile: uniformProfile(2), numEnvs: 2 });
    policy.setProfile(1, [0.8, 0.2]);
    const logs = new ToyMarket({ numEnvs: 2 }).run(policy, [
      { parentLots: 10, horizonSteps: 2 },
      { parentLots: 10, horizonSteps: 2 },
    ]);
    expect(childSizes(logs[0])).toEqual([5, 5]);
    expect(childSizes(logs[1])).toEqual([8, 2]);
  });

  it("refuses a profile that does not cover the env's horizon step for step", () => {
    const state = allocTaskState(1);
    setEnv(state, 0, { parentLots: 10, horizonSteps: 5 });
    const act = () => new VwapPolicy({ profile: uniformProfile(4) }).act(new Float32Array(0), state, new Int32Array(2));
    expect(act).toThrow(PolicyError);
    expect(act).toThrow(/horizon is 5/);
    try {
      act();
    } catch (e) {
      expect((e as PolicyError).code).toBe("PROFILE_MISMATCH");
    }
  });

  it("refuses profiles that are empty, negative or all zero, and setProfile without numEnvs", () => {
    for (const profile of [[], [0.5, -0.1], [0, 0], [NaN, 1]])
      expect(() => new VwapPolicy({ profile }), JSON.stringify(profile)).toThrow(PolicyError);
    expect(() => new VwapPolicy({ profile: [1] }).setProfile(0, [1])).toThrow(/numEnvs/);
    expect(() => new VwapPolicy({ profile: [1], numEnvs: 1 }).setProfile(0, [0.5, 0.5])).toThrow(/maxHorizonSteps/);
    expect(() => new VwapPolicy({ profile: [1], numEnvs: 2, maxHorizonSteps: 2 }).setProfile(1, [0.5, 0.5])).not.toThrow();
  });
});
