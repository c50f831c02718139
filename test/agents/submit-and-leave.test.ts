// Submit-and-leave: one touch limit for the parent, then waits; the horizon cross takes the rest.
import { describe, expect, it } from "vitest";
import { Placement, SubmitAndLeavePolicy } from "../../agents/index.js";
import { allocTaskState, setEnv } from "./task-state-fixtures.js";
import { ToyMarket } from "./toy-market.js";

describe("SubmitAndLeavePolicy", () => {
  it("sends a limit at the touch for the whole parent first, then waits so it rests", () => {
    const [log] = new ToyMarket({ numEnvs: 1, passiveFill: () => 3 }).run(new SubmitAndLeavePolicy(), [{ parentLots: 50, horizonSteps: 8 }]);
    expect(log.decisions[0]).toMatchObject({ size: 50, placement: Placement.Touch });
    expect(log.decisions.slice(1).map((d) => d.size)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // The child kept resting: it filled 3 lots in every step, and the horizon cross took the other 26.
    expect(log.fillsByStep).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    expect(log.finalCrossLots).toBe(26);
  });

  it("posts for both sides at their own touch and never asks for lots already resting", () => {
    const state = allocTaskState(3);
    setEnv(state, 0, { parentLots: 20, horizonSteps: 4 });
    setEnv(state, 1, { parentLots: 20, horizonSteps: 4, side: 1 });
    setEnv(state, 2, { parentLots: 20, horizonSteps: 4, restingLots: 5, restingPriceTicks: 1000 });
    const out = new Int32Array(6);
    new SubmitAndLeavePolicy().act(new Float32Array(0), state, out);
    expect(Array.from(out)).toEqual([20, Placement.Touch, 20, Placement.Touch, 15, Placement.Touch]);
  });
});
