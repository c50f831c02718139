// TWAP and TWAP-passive: the schedule's arithmetic, checked in the toy fill simulator and on hand-built states.
import { describe, expect, it } from "vitest";
import { Placement, PassiveTwapPolicy, TwapPolicy, nearestWholeLots } from "../../agents/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";
import { ToyMarket, childSizes } from "./toy-market.js";

const M = Placement.Market;
const T = Placement.Touch;

describe("TwapPolicy", () => {
  it("spreads the parent evenly and completes exactly at the horizon, horizons 1 and 2 included", () => {
    const cases: Array<[number, number]> = [];
    for (const horizon of [1, 2, 3, 4, 7, 10, 33, 60]) for (const parent of [1, 2, 5, 10, 59, 60, 61, 100, 997]) cases.push([parent, horizon]);
    for (const [parent, horizon] of cases) {
      const market = new ToyMarket({ numEnvs: 1 });
      const [log] = market.run(new TwapPolicy(), [{ parentLots: parent, horizonSteps: horizon }]);
      const sizes = childSizes(log);
      const what = `parent ${parent}, horizon ${horizon}: ${sizes.join(" ")}`;
      // The episode ends when the last lot fills: at the last decision once the parent has a lot per step.
      if (parent >= horizon) expect(sizes.length, what).toBe(horizon);
      else expect(sizes.length, what).toBeLessThanOrEqual(horizon);
      expect(Math.max(...sizes) - Math.min(...sizes), what).toBeLessThanOrEqual(1);
      expect(sizes.reduce((a, b) => a + b, 0), what).toBe(parent);
      expect(log.finalCrossLots, what).toBe(0);
      expect(log.decisions.every((d) => d.placement === M), what).toBe(true);
      // Holdings stay within half a lot of the linear schedule X·(T − k)/T.
      let held = parent;
      sizes.forEach((size, k) => {
        held -= size;
        expect(Math.abs(held - (parent * (horizon - k - 1)) / horizon), `${what}, after step ${k}`).toBeLessThanOrEqual(0.5);
      });
    }
  });

  it("sends the whole parent at once with a horizon of 1, and halves (rounded toward the schedule) with 2", () => {
    const one = new ToyMarket({ numEnvs: 1 }).run(new TwapPolicy(), [{ parentLots: 17, horizonSteps: 1 }]);
    expect(childSizes(one[0])).toEqual([17]);
    const two = new ToyMarket({ numEnvs: 2 }).run(new TwapPolicy(), [
      { parentLots: 5, horizonSteps: 2 },
      { parentLots: 6, horizonSteps: 2, side: 1 },
    ]);
    expect(childSizes(two[0])).toEqual([2, 3]);
    expect(childSizes(two[1])).toEqual([3, 3]);
  });

  it("rounds each slice toward the linear schedule rather than always up", () => {
    const [log] = new ToyMarket({ numEnvs: 1 }).run(new TwapPolicy(), [{ parentLots: 10, horizonSteps: 4 }]);
    expect(childSizes(log)).toEqual([2, 3, 2, 3]);
    // 60 lots over 80 steps: always rounding 0.75 up would trade 1 lot a step and finish 20 steps early.
    const [small] = new ToyMarket({ numEnvs: 1 }).run(new TwapPolicy(), [{ parentLots: 60, horizonSteps: 80 }]);
    expect(childSizes(small).filter((s) => s === 1).length).toBe(60);
    expect(childSizes(small).slice(0, 4)).toEqual([1, 0, 1, 1]);
    expect(childSizes(small).slice(-4).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("spreads what a thin book did not fill over the decisions left (remaining ÷ steps left)", () => {
    const [log] = new ToyMarket({ numEnvs: 1, marketFill: () => 7 }).run(new TwapPolicy(), [{ parentLots: 100, horizonSteps: 10 }]);
    for (const d of log.decisions) {
      const slice = d.remaining / (10 - d.step);
      expect([Math.floor(slice), Math.ceil(slice)], `step ${d.step}`).toContain(d.size);
    }
    expect(log.finalCrossLots).toBe(100 - 7 * 10);
  });

  it("waits where the parent is done or the horizon is reached", () => {
    const state = allocTaskState(3);
    setEnv(state, 0, { parentLots: 10, horizonSteps: 5, elapsedSteps: 2, remainingLots: 0 });
    setEnv(state, 1, { parentLots: 10, horizonSteps: 5, elapsedSteps: 5, remainingLots: 4 });
    setEnv(state, 2, { parentLots: 10, horizonSteps: 5, elapsedSteps: 4, remainingLots: 4 });
    const out = new Int32Array(6);
    new TwapPolicy().act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([0, M, 0, M, 4, M]);
  });
});

describe("PassiveTwapPolicy", () => {
  it("posts the first slice at the touch", () => {
    const state = allocTaskState(1);
    setEnv(state, 0, { parentLots: 100, horizonSteps: 10 });
    const out = new Int32Array(2);
    new PassiveTwapPolicy().act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([10, T]);
  });

  it("crosses exactly the shortfall against the schedule at a slice end, and works the next slice passively", () => {
    // 4 lots of the resting child fill per step: every slice ends behind the schedule.
    const [log] = new ToyMarket({ numEnvs: 1, passiveFill: () => 4 }).run(new PassiveTwapPolicy(), [{ parentLots: 100, horizonSteps: 10 }]);
    const actions = log.decisions.map((d) => [d.size, d.placement]);
    expect(actions.slice(0, 5)).toEqual([[10, T], [6, M], [20, T], [16, M], [20, T]]);
    for (const d of log.decisions) {
      const target = nearestWholeLots(d.schedule);
      if (d.placement === M) {
        expect(d.resting, `step ${d.step}`).toBeGreaterThan(0);
        expect(d.size, `step ${d.step}: shortfall ${d.remaining} − ${target}`).toBe(Math.min(d.remaining - target, d.remaining - d.resting));
      } else {
        // Passive: either on schedule, or no child rested through the last slice (the cross cancelled it).
        expect(d.remaining <= target || d.resting === 0, `step ${d.step}`).toBe(true);
      }
    }
    expect(log.decisions.filter((d) => d.placement === M).length).toBeGreaterThan(0);
  });

  it("never crosses while the passive child keeps the parent on schedule", () => {
    const [log] = new ToyMarket({ numEnvs: 1, passiveFill: (_e, _k, resting) => resting }).run(new PassiveTwapPolicy(), [
      { parentLots: 100, horizonSteps: 10 },
    ]);
    expect(log.decisions.map((d) => [d.size, d.placement])).toEqual(Array.from({ length: 10 }, () => [10, T]));
    expect(log.finalCrossLots).toBe(0);
  });

  it("leaves the env's horizon cross to finish what never filled", () => {
    const [log] = new ToyMarket({ numEnvs: 1 }).run(new PassiveTwapPolicy(), [{ parentLots: 30, horizonSteps: 3 }]);
    expect(log.decisions.map((d) => [d.size, d.placement])).toEqual([[10, T], [10, M], [20, T]]);
    expect(log.finalCrossLots).toBe(20);
  });

  it("keeps a child at the touch alone, resizes it toward the slice, and replaces it when the touch moves", () => {
    const policy = new PassiveTwapPolicy();
    const state = allocTaskState(4);
    const base = { parentLots: 100, horizonSteps: 10, elapsedSteps: 5, remainingLots: 50, bidTicks: 1000, askTicks: 1001 };
    setEnv(state, 0, { ...base, restingLots: 10, restingPriceTicks: 1000 }); // the slice, at the touch
    setEnv(state, 1, { ...base, restingLots: 6, restingPriceTicks: 1000 }); // smaller than the slice
    setEnv(state, 2, { ...base, restingLots: 10, restingPriceTicks: 999 }); // the bid moved up
    setEnv(state, 3, { ...base, side: 1, restingLots: 10, restingPriceTicks: 1001 }); // a sell at the ask
    const out = new Int32Array(8);
    policy.act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([0, T, 10, T, 10, T, 0, T]);
  });

  it("does not shrink a resting child only because remaining − resting caps the resize", () => {
    const state = allocTaskState(1);
    // Last slice, on schedule: the slice is all 10 lots but only 2 may be asked for; 8 rest at the touch.
    setEnv(state, 0, { parentLots: 100, horizonSteps: 10, elapsedSteps: 9, remainingLots: 10, restingLots: 8, restingPriceTicks: 1000 });
    const out = new Int32Array(2);
    new PassiveTwapPolicy().act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([0, T]);
  });
});
