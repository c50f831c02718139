// POV: fills track ρ × the volume others trade, one step behind it.
import { describe, expect, it } from "vitest";
import { Placement, PolicyError, PovPolicy } from "../../agents/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";
import { ToyMarket, childSizes } from "./toy-market.js";

// Others' volume per step: a slow swing with a saw-tooth on top, 70 to 160 lots a step.
const volumePath = (_env: number, k: number) => Math.round(110 + 30 * Math.sin(k / 4) + 7 * (k % 5));

describe("PovPolicy", () => {
  it("keeps realised participation (fills ÷ others' volume) within 5% of ρ from step 10 on, and within 1% at the horizon", () => {
    // Tolerance: fills after step k differ from ρ·V_k by ρ·(v_k − v_{k−1}) (the forecast error) plus half a lot
    // of rounding, i.e. a relative error of |Δv|/V + 0.5/(ρV) ≤ 30/1,200 + 0.5/60 ≈ 3.3% once V ≥ 1,200 lots
    // (step 10) and ≈ 0.6% at the horizon (V ≈ 6,600). Without the forecast term the lag alone (v/V) would be
    // ≈ 9% at step 10 and ≈ 1.7% at the horizon.
    for (const rho of [0.05, 0.1, 0.25]) {
      const [log] = new ToyMarket({ numEnvs: 1, marketVolume: volumePath }).run(new PovPolicy({ participationRate: rho }), [
        { parentLots: 1_000_000, horizonSteps: 60 },
      ]);
      let filled = 0;
      let volume = 0;
      log.fillsByStep.forEach((lots, k) => {
        filled += lots;
        volume += log.marketVolumeByStep[k];
        if (k >= 10) expect(Math.abs(filled / volume / rho - 1), `ρ ${rho}, after step ${k}`).toBeLessThanOrEqual(0.05);
      });
      expect(Math.abs(filled / volume / rho - 1), `ρ ${rho}, at the horizon`).toBeLessThanOrEqual(0.01);
      // The env's final cross takes the rest of the parent; it is not participation.
      expect(log.finalCrossLots).toBe(1_000_000 - filled);
    }
  });

  it("sends ρ·(V + v) − F: the catch-up plus the last step's volume as the forecast of the next", () => {
    const state = allocTaskState(3);
    const base = { parentLots: 1000, horizonSteps: 20, elapsedSteps: 5, episodeMarketVolumeLots: 500, stepMarketVolumeLots: 100 };
    setEnv(state, 0, { ...base, remainingLots: 910 }); // 90 filled: 0.2·600 − 90 = 30
    setEnv(state, 1, { ...base, remainingLots: 850 }); // 150 filled, ahead: nothing
    setEnv(state, 2, { ...base, parentLots: 110, remainingLots: 20 }); // 90 filled, 30 due, but 20 are left
    const out = new Int32Array(6);
    new PovPolicy({ participationRate: 0.2 }).act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([30, Placement.Market, 0, Placement.Market, 20, Placement.Market]);
  });

  it("sends nothing at the first decision (no volume seen yet) and trades a burst's share in the step after it (its known lag)", () => {
    const volumes = [100, 100, 1000, 100, 100];
    const [log] = new ToyMarket({ numEnvs: 1, marketVolume: (_e, k) => volumes[k] }).run(new PovPolicy({ participationRate: 0.1 }), [
      { parentLots: 10_000, horizonSteps: 5 },
    ]);
    // k0: 0; k1: 0.1·200 − 0 = 20; k2: 0.1·300 − 20 = 10; k3: 0.1·2200 − 30 = 190 (the burst, late, doubled);
    // k4: 0.1·1300 − 220 < 0 → 0 (the over-trade is paid back).
    expect(childSizes(log)).toEqual([0, 20, 10, 190, 0]);
  });

  it("stops at the parent when ρ of the market is more than the parent", () => {
    const [log] = new ToyMarket({ numEnvs: 1, marketVolume: volumePath }).run(new PovPolicy({ participationRate: 0.25 }), [
      { parentLots: 300, horizonSteps: 60 },
    ]);
    expect(log.fillsByStep.reduce((a, b) => a + b, 0)).toBe(300);
    expect(log.finalCrossLots).toBe(0);
    expect(log.decisions.length).toBeLessThan(60);
    expect(log.overAsks).toEqual([]);
  });

  it("refuses a participation rate outside (0, 1]", () => {
    for (const participationRate of [0, -0.1, 1.5, NaN]) expect(() => new PovPolicy({ participationRate })).toThrow(PolicyError);
  });
});
