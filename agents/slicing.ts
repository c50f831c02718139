// How a schedule becomes whole-lot child orders: the rounding every schedule policy shares, the cap on what a
// child may ask for, and the few reads of the task state they all make.
import { Placement, type ExecutionTaskState } from "./task-state.js";

/** Lots within this of a whole (or half) lot count as it: absorbs float noise in schedule arithmetic. */
export const LOT_TOLERANCE = 1e-7;

const MAX_CHILD_LOTS = 0x7fff_ffff;

/** The whole number of lots nearest `lots`, halves up. */
export function nearestWholeLots(lots: number): number {
  return Math.floor(lots + 0.5 + LOT_TOLERANCE);
}

/**
 * A schedule's child for one step, in whole lots: the adaptive slice (what the schedule, re-solved from the
 * lots and time left, trades this step) rounded down or up, whichever leaves the holdings nearer the original
 * plan's holdings at the end of the step. Rounding toward the plan keeps a fully filled schedule within half a
 * lot of its continuous trajectory, where always rounding up (or to nearest) drifts ahead by up to a quarter of
 * the horizon in lots when the parent is small; the child is still ⌊slice⌋ or ⌈slice⌉, and the last step's
 * slice is all that is left, so the parent completes.
 */
export function scheduleChildLots(sliceLots: number, remainingLots: number, plannedAfterLots: number): number {
  const down = Math.floor(sliceLots + LOT_TOLERANCE);
  const up = Math.ceil(sliceLots - LOT_TOLERANCE);
  if (up <= down) return down > 0 ? down : 0;
  const due = remainingLots - nearestWholeLots(plannedAfterLots);
  const child = due <= down ? down : due >= up ? up : due;
  return child > 0 ? child : 0;
}

/** Lots of env i's resting children (0 when none). */
export function restingOf(state: ExecutionTaskState, i: number): number {
  const resting = state.restingLots[i];
  return resting > 0 ? resting : 0;
}

/** What a new child of env i may ask for: remaining − resting, whole lots, never below 0. */
export function freeLots(state: ExecutionTaskState, i: number): number {
  const free = Math.floor(state.remainingLots[i] - restingOf(state, i) + LOT_TOLERANCE);
  return free > 0 ? free : 0;
}

/** Decisions left in env i's episode, this one included; 0 once the parent is done or the horizon is reached. */
export function decisionsLeft(state: ExecutionTaskState, i: number): number {
  if (!(state.remainingLots[i] > 0)) return 0;
  const left = state.horizonSteps[i] - state.elapsedSteps[i];
  return left > 0 ? left : 0;
}

/** The near touch for env i's parent: the best bid for a buy, the best ask for a sell (NaN when empty). */
export function nearTouchTicks(state: ExecutionTaskState, i: number): number {
  return state.side[i] === 0 ? state.bestBidTicks[i] : state.bestAskTicks[i];
}

/** Writes env i's action: `lots` capped at `capLots` (and at int32), never below 0, with `placement`. */
export function writeChild(out: Int32Array, i: number, lots: number, capLots: number, placement: Placement): void {
  let size = lots < capLots ? lots : capLots;
  if (!(size > 0)) size = 0;
  else if (size > MAX_CHILD_LOTS) size = MAX_CHILD_LOTS;
  out[2 * i] = size;
  out[2 * i + 1] = placement;
}

/** Writes a wait (size 0) for env i; the placement is the policy's usual one, which the env ignores. */
export function writeWait(out: Int32Array, i: number, placement: Placement = Placement.Market): void {
  out[2 * i] = 0;
  out[2 * i + 1] = placement;
}
