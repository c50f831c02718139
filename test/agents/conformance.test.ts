// The Policy contract, run by every policy: one action per env in range, never more than remaining − resting
// (lots mode), nothing for an ended episode, obs ignored by baselines, a describe() a report can print, and
// errors for an action array that does not fit the batch.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AlmgrenChrissPolicy,
  PassiveTwapPolicy,
  PolicyError,
  PovPolicy,
  RandomPolicy,
  SubmitAndLeavePolicy,
  TwapPolicy,
  VwapPolicy,
  profileFromVolumes,
  uniformProfile,
  type Policy,
} from "../../agents/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";
import { ToyMarket } from "./toy-market.js";

interface Case {
  name: string;
  make: (numEnvs: number, horizonSteps: number) => Policy;
  /** Why the lots-mode checks do not apply, where they do not. */
  multiplierSkip?: string;
}

const cases: Case[] = [
  { name: "twap", make: () => new TwapPolicy() },
  { name: "twap-passive", make: () => new PassiveTwapPolicy() },
  { name: "vwap", make: (_n, horizon) => new VwapPolicy({ profile: profileFromVolumes(Array.from({ length: horizon }, (_, k) => 1 + ((k * 7) % 5))) }) },
  {
    name: "vwap",
    make: (n, horizon) => {
      const policy = new VwapPolicy({ profile: uniformProfile(horizon), numEnvs: n });
      for (let i = 0; i < n; i++) policy.setProfile(i, profileFromVolumes(Array.from({ length: horizon }, (_, k) => ((k + i) % 3) * 2)));
      return policy;
    },
  },
  { name: "pov", make: () => new PovPolicy({ participationRate: 0.15 }) },
  { name: "almgren-chriss", make: () => new AlmgrenChrissPolicy({ riskAversion: 0.05, volatilityBpsPerSqrtS: 3, temporaryImpactBpsS: 20 }) },
  { name: "almgren-chriss", make: () => new AlmgrenChrissPolicy({ kappaPerS: 0.2 }) },
  { name: "submit-and-leave", make: () => new SubmitAndLeavePolicy() },
  {
    name: "random",
    make: () => new RandomPolicy({ seed: 11 }),
    multiplierSkip: "multiplier mode: the size is an index into {0, ½, 1, 2, 4} × the slice, which the env caps at remaining − resting",
  },
];

/** Five envs mid-episode in different situations: fresh, behind, ahead, a child resting, a sell. */
function midEpisodeState(horizon: number) {
  const state = allocTaskState(5);
  setEnv(state, 0, { parentLots: 120, horizonSteps: horizon });
  setEnv(state, 1, { parentLots: 120, horizonSteps: horizon, elapsedSteps: Math.floor(horizon / 2), remainingLots: 110, episodeMarketVolumeLots: 900, stepMarketVolumeLots: 80 });
  setEnv(state, 2, { parentLots: 120, horizonSteps: horizon, elapsedSteps: Math.floor(horizon / 2), remainingLots: 10, episodeMarketVolumeLots: 10, stepMarketVolumeLots: 1 });
  setEnv(state, 3, { parentLots: 120, horizonSteps: horizon, elapsedSteps: 1, remainingLots: 100, restingLots: 97, restingPriceTicks: 999, episodeMarketVolumeLots: 400, stepMarketVolumeLots: 400 });
  setEnv(state, 4, { side: 1, parentLots: 120, horizonSteps: horizon, elapsedSteps: horizon - 1, remainingLots: 33, restingLots: 33, restingPriceTicks: 1001, episodeMarketVolumeLots: 5000, stepMarketVolumeLots: 100 });
  return state;
}

for (const c of cases) {
  describe(`Policy contract: ${c.name}`, () => {
    it("describes itself with its name, plain params and a one-sentence summary", () => {
      const policy = c.make(5, 12);
      const d = policy.describe();
      expect(d.name).toBe(policy.name);
      expect(d.name).toBe(c.name);
      expect(Object.keys(d.params).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(d.params))
        expect(typeof value === "string" || (typeof value === "number" && Number.isFinite(value)), `params.${key} = ${String(value)}`).toBe(true);
      expect(d.summary).toMatch(/^[^\n]{20,}\.$/);
      expect(() => JSON.stringify(d)).not.toThrow();
    });

    it("writes one in-range action per env, and ignores obs", () => {
      const state = midEpisodeState(12);
      const out = new Int32Array(10).fill(-7);
      c.make(5, 12).act(new Float32Array(5 * 16), state, out);
      const again = new Int32Array(10);
      c.make(5, 12).act(new Float32Array(5 * 16).fill(NaN), state, again);
      expect(Array.from(again)).toEqual(Array.from(out));
      for (let i = 0; i < 5; i++) {
        expect(out[2 * i + 1], `env ${i} placement`).toBeGreaterThanOrEqual(0);
        expect(out[2 * i + 1], `env ${i} placement`).toBeLessThanOrEqual(3);
        expect(out[2 * i], `env ${i} size`).toBeGreaterThanOrEqual(0);
        if (c.multiplierSkip) expect(out[2 * i], `env ${i} size index`).toBeLessThanOrEqual(4);
        else expect(out[2 * i], `env ${i} size`).toBeLessThanOrEqual(state.remainingLots[i] - state.restingLots[i]);
      }
    });

    it("throws STATE_MISMATCH for an action array that does not fit the batch", () => {
      const state = midEpisodeState(12);
      const policy = c.make(5, 12);
      for (const out of [new Int32Array(8), new Int32Array(12), new Float64Array(10) as unknown as Int32Array]) {
        try {
          policy.act(new Float32Array(0), state, out);
          expect.unreachable("act() accepted a bad out");
        } catch (e) {
          expect(e).toBeInstanceOf(PolicyError);
          expect((e as PolicyError).code).toBe("STATE_MISMATCH");
        }
      }
    });

    if (c.multiplierSkip) {
      it.skip(`never asks for more than remaining − resting (${c.multiplierSkip})`, () => {});
      it.skip(`sends nothing for an ended episode (draws for every env so its stream does not depend on which episodes ended; the env ignores an ended env's action)`, () => {});
      return;
    }

    it("sends nothing for an ended episode, or when everything left already rests", () => {
      const state = allocTaskState(3);
      setEnv(state, 0, { parentLots: 50, horizonSteps: 12, elapsedSteps: 4, remainingLots: 0 });
      setEnv(state, 1, { parentLots: 50, horizonSteps: 12, elapsedSteps: 12, remainingLots: 9 });
      setEnv(state, 2, { parentLots: 50, horizonSteps: 12, elapsedSteps: 3, remainingLots: 40, restingLots: 40, restingPriceTicks: 990, episodeMarketVolumeLots: 800, stepMarketVolumeLots: 200 });
      const out = new Int32Array(6).fill(-7);
      c.make(3, 12).act(new Float32Array(0), state, out);
      expect([out[0], out[2], out[4]]).toEqual([0, 0, 0]);
    });

    it("never asks for more than remaining − resting, in any toy market", () => {
      const scenario = fc.record({
        numEnvs: fc.integer({ min: 1, max: 4 }),
        horizon: fc.integer({ min: 1, max: 40 }),
        parents: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 4, maxLength: 4 }),
        sides: fc.array(fc.constantFrom(0 as const, 1 as const), { minLength: 4, maxLength: 4 }),
        passiveShare: fc.double({ min: 0, max: 1, noNaN: true }),
        marketShare: fc.double({ min: 0, max: 1, noNaN: true }),
        volumeScale: fc.integer({ min: 0, max: 500 }),
        touchDrift: fc.integer({ min: -2, max: 2 }),
      });
      fc.assert(
        fc.property(scenario, (sc) => {
          const market = new ToyMarket({
            numEnvs: sc.numEnvs,
            marketVolume: (e, k) => (sc.volumeScale * (1 + ((k * 13 + e * 7) % 9))) / 5,
            passiveFill: (_e, k, resting) => (k % 2 === 0 ? Math.floor(resting * sc.passiveShare) : 0),
            marketFill: (_e, k, lots) => (k % 3 === 1 ? Math.floor(lots * sc.marketShare) : lots),
            touch: (_e, k) => ({ bid: 1000 + sc.touchDrift * (k % 4), ask: 1001 + sc.touchDrift * (k % 4) + (k % 3) }),
          });
          const episodes = Array.from({ length: sc.numEnvs }, (_, i) => ({ parentLots: sc.parents[i], horizonSteps: sc.horizon, side: sc.sides[i] }));
          const logs = market.run(c.make(sc.numEnvs, sc.horizon), episodes);
          logs.forEach((log, i) => {
            expect(log.overAsks, `env ${i}`).toEqual([]);
            for (const d of log.decisions) expect(Number.isInteger(d.size) && d.size >= 0).toBe(true);
            expect(log.fillsByStep.reduce((a, b) => a + b, 0) + log.finalCrossLots, `env ${i} completes`).toBe(sc.parents[i]);
          });
        }),
        { numRuns: 150, seed: 20240611 },
      );
    });
  });
}
