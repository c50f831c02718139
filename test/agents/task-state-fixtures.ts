// Hand-built task states for policy tests: the arrays the native execution task fills, allocated for N envs,
// with a setter for one env's fields.
import type { ExecutionTaskState, ParentSide } from "../../agents/index.js";

/** A task state whose numbers a test may write (the arrays are the state's own). */
export type TestTaskState = ExecutionTaskState;

/** Arrays for `numEnvs` envs, all zero except prices (NaN: empty book, nothing resting). */
export function allocTaskState(numEnvs: number, stepNs = 1_000_000_000): TestTaskState {
  const f64 = (fill = 0) => new Float64Array(numEnvs).fill(fill);
  return {
    numEnvs,
    stepNs,
    side: new Uint8Array(numEnvs),
    parentLots: f64(),
    remainingLots: f64(),
    filledLots: f64(),
    elapsedSteps: new Int32Array(numEnvs),
    horizonSteps: new Int32Array(numEnvs),
    scheduleRemainingLots: f64(),
    episodeStartNs: f64(0),
    arrivalMidTicks: f64(NaN),
    bestBidTicks: f64(NaN),
    bestAskTicks: f64(NaN),
    bidQtyLots: f64(),
    askQtyLots: f64(),
    stepFilledLots: f64(),
    stepMarketVolumeLots: f64(),
    episodeMarketVolumeLots: f64(),
    restingLots: f64(),
    restingPriceTicks: f64(NaN),
  };
}

/** One env's fields; what is left out follows from the rest (filled = parent − remaining, the linear schedule). */
export interface EnvFields {
  side?: ParentSide;
  parentLots: number;
  horizonSteps: number;
  elapsedSteps?: number;
  remainingLots?: number;
  bidTicks?: number;
  askTicks?: number;
  restingLots?: number;
  restingPriceTicks?: number;
  stepMarketVolumeLots?: number;
  episodeMarketVolumeLots?: number;
}

/** Writes env i's fields into `state`. */
export function setEnv(state: TestTaskState, i: number, f: EnvFields): void {
  const elapsed = f.elapsedSteps ?? 0;
  const remaining = f.remainingLots ?? f.parentLots;
  state.side[i] = f.side ?? 0;
  state.parentLots[i] = f.parentLots;
  state.horizonSteps[i] = f.horizonSteps;
  state.elapsedSteps[i] = elapsed;
  state.remainingLots[i] = remaining;
  state.filledLots[i] = f.parentLots - remaining;
  state.scheduleRemainingLots[i] = (f.parentLots * (f.horizonSteps - elapsed)) / f.horizonSteps;
  state.bestBidTicks[i] = f.bidTicks ?? 1000;
  state.bestAskTicks[i] = f.askTicks ?? 1001;
  state.arrivalMidTicks[i] = (state.bestBidTicks[i] + state.bestAskTicks[i]) / 2;
  state.bidQtyLots[i] = 50;
  state.askQtyLots[i] = 50;
  state.restingLots[i] = f.restingLots ?? 0;
  state.restingPriceTicks[i] = f.restingLots ? (f.restingPriceTicks ?? NaN) : NaN;
  state.stepMarketVolumeLots[i] = f.stepMarketVolumeLots ?? 0;
  state.episodeMarketVolumeLots[i] = f.episodeMarketVolumeLots ?? 0;
  state.stepFilledLots[i] = 0;
}
