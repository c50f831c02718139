// Time-weighted baselines: TWAP (equal marketable slices) and TWAP-passive (the same schedule worked at the
// touch, crossing only what falls behind it).
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import {
  decisionsLeft,
  freeLots,
  nearTouchTicks,
  nearestWholeLots,
  restingOf,
  scheduleChildLots,
  writeChild,
  writeWait,
} from "./slicing.js";
import { Placement, type ActionMode, type ExecutionTaskState } from "./task-state.js";

/**
 * TWAP: at every decision a market child of remaining ÷ decisions left, so a parent that fills spreads evenly
 * over the horizon and one that does not (a thin book) spreads its shortfall over the decisions left.
 *
 * - child = ⌊R/S⌋ or ⌈R/S⌉ (R remaining, S decisions left), whichever leaves the holdings nearer the linear
 *   plan X·(S−1)/T (see {@link scheduleChildLots}); fully filled, children differ by at most one lot, holdings
 *   stay within half a lot of X·(T−k)/T and the last decision sends all that is left;
 * - capped at remaining − resting; the env's horizon cross completes what the book did not absorb.
 */
export class TwapPolicy implements Policy {
  readonly name = "twap";
  readonly actionMode: ActionMode = "lots";

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    for (let i = 0; i < state.numEnvs; i++) {
      const left = decisionsLeft(state, i);
      if (left === 0) {
        writeWait(out, i);
        continue;
      }
      const remaining = state.remainingLots[i];
      const planned = (state.parentLots[i] * (left - 1)) / state.horizonSteps[i];
      writeChild(out, i, scheduleChildLots(remaining / left, remaining, planned), freeLots(state, i), Placement.Market);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { placement: "market", slice: "remaining / decisions left" },
      summary: "TWAP: a market child of remaining ÷ decisions left at every decision, so the parent trades evenly over the horizon.",
    };
  }
}

/**
 * TWAP-passive: the linear schedule worked with a limit child at the touch; at each slice end (a decision),
 * what the schedule says should be done and is not is crossed with a market child.
 *
 * At decision k (R remaining, S = T − k decisions left, target_k = the whole-lot schedule
 * round(scheduleRemainingLots), target_{k+1} = round(X·(S−1)/T)):
 * - a child rested through the last slice and R > target_k: a market child of exactly R − target_k (the
 *   shortfall), capped at remaining − resting;
 * - otherwise the passive child: a limit at the touch of R − target_{k+1} (what this slice must do to be on
 *   schedule at its end), capped at remaining − resting. A child already resting at the touch with that size
 *   is left alone (size 0 keeps its queue place); at the touch with another size it is resized, never shrunk
 *   only because the cap bites; at another price it is replaced at the touch.
 *
 * The env cancels resting children when a market child goes out and takes one child per decision, so the
 * slice after a cross has no passive child resting: it gets its passive chance first (posted with the slice
 * after it) and is crossed at the next slice end if it does not fill. At the horizon the env crosses the rest.
 */
export class PassiveTwapPolicy implements Policy {
  readonly name = "twap-passive";
  readonly actionMode: ActionMode = "lots";

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    for (let i = 0; i < state.numEnvs; i++) {
      const left = decisionsLeft(state, i);
      if (left === 0) {
        writeWait(out, i, Placement.Touch);
        continue;
      }
      const remaining = state.remainingLots[i];
      const resting = restingOf(state, i);
      const free = freeLots(state, i);
      const target = nearestWholeLots(state.scheduleRemainingLots[i]);
      if (resting > 0 && remaining > target) {
        writeChild(out, i, remaining - target, free, Placement.Market);
        continue;
      }
      const desired = remaining - nearestWholeLots((state.parentLots[i] * (left - 1)) / state.horizonSteps[i]);
      const want = desired < free ? desired : free;
      const atTouch = resting > 0 && state.restingPriceTicks[i] === nearTouchTicks(state, i);
      // At the touch already: resize only toward the slice, never down because the cap bites.
      if (want <= 0 || (atTouch && (want === resting || (want < resting && want < desired)))) writeWait(out, i, Placement.Touch);
      else writeChild(out, i, want, free, Placement.Touch);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { placement: "touch", catchUp: "market at each slice end", slice: "linear schedule" },
      summary:
        "TWAP-passive: works the linear schedule with a limit child at the touch and crosses, at each slice end, exactly what the schedule says should be done and is not.",
    };
  }
}
