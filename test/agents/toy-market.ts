// A tiny deterministic fill simulator for policy tests: it advances remaining, elapsed, schedule and volume
// from the actions the way the native execution task's lots mode reads them, with fills a test chooses. It
// tests a policy's arithmetic, not a market.
//
// Fill rules, per env and decision (lots mode):
// - size 0 waits: resting children stay as they are;
// - market (placement 0): cancels the resting child, then fills min(size, remaining − resting) at once, or
//   what `marketFill` allows;
// - limit (1–3) priced off the touch: at the resting child's price it resizes it to min(size, remaining), at
//   another price it replaces it with min(size, remaining − resting);
// - during the step a resting child fills `passiveFill(env, step, resting)` lots (default none), others trade
//   `marketVolume(env, step)` lots, the touch moves to `touch(env, step + 1)` when given;
// - at the horizon whatever is left is crossed and logged as the final cross.
import { Placement, type Policy } from "../../agents/index.js";
import { allocTaskState, setEnv, type EnvFields, type TestTaskState } from "./task-state-fixtures.js";

export interface ToyMarketOptions {
  numEnvs: number;
  stepNs?: number;
  /** Lots others trade in step k of env i (default 0). */
  marketVolume?: (env: number, step: number) => number;
  /** Lots of a resting child that fill during step k (default 0); capped at the child. */
  passiveFill?: (env: number, step: number, restingLots: number) => number;
  /** Lots of a market child of `lots` that fill (default all). */
  marketFill?: (env: number, step: number, lots: number) => number;
  /** The touch at decision k (default bid 1000, ask 1001 throughout). */
  touch?: (env: number, step: number) => { bid: number; ask: number };
}

/** What one env's episode did. */
export interface ToyEpisodeLog {
  /** Every decision's action as the policy wrote it, and the state it saw. */
  decisions: Array<{ step: number; size: number; placement: number; remaining: number; resting: number; schedule: number; filled: number; marketVolume: number }>;
  /** Lots filled by each step (market and passive), before the final cross. */
  fillsByStep: number[];
  /** Others' volume in each step. */
  marketVolumeByStep: number[];
  /** Lots the horizon cross took. */
  finalCrossLots: number;
  /** Decisions whose size exceeded remaining − resting. */
  overAsks: Array<{ step: number; size: number; free: number }>;
}

export class ToyMarket {
  readonly state: TestTaskState;
  readonly obs: Float32Array;
  readonly out: Int32Array;
  readonly logs: ToyEpisodeLog[];
  private readonly options: ToyMarketOptions;
  private readonly done: boolean[];

  constructor(options: ToyMarketOptions) {
    this.options = options;
    this.state = allocTaskState(options.numEnvs, options.stepNs);
    this.obs = new Float32Array(options.numEnvs * 4);
    this.out = new Int32Array(options.numEnvs * 2);
    this.logs = [];
    this.done = [];
  }

  /** Starts every env's episode with its fields. */
  reset(episodes: EnvFields[]): void {
    this.logs.length = 0;
    this.done.length = 0;
    for (let i = 0; i < this.state.numEnvs; i++) {
      const touch = this.options.touch?.(i, 0);
      setEnv(this.state, i, { ...episodes[i], bidTicks: touch?.bid ?? episodes[i].bidTicks, askTicks: touch?.ask ?? episodes[i].askTicks });
      this.logs.push({ decisions: [], fillsByStep: [], marketVolumeByStep: [], finalCrossLots: 0, overAsks: [] });
      this.done.push(false);
    }
  }

  /** Runs `policy` until every episode ends; returns the logs. */
  run(policy: Policy, episodes: EnvFields[]): ToyEpisodeLog[] {
    this.reset(episodes);
    for (let i = 0; i < this.state.numEnvs; i++) policy.reset?.(i);
    while (this.done.some((d) => !d)) {
      policy.act(this.obs, this.state, this.out);
      this.step();
    }
    return this.logs;
  }

  /** Applies `out` to every live env and advances it one step. */
  step(): void {
    const s = this.state;
    for (let i = 0; i < s.numEnvs; i++) {
      if (this.done[i]) continue;
      const k = s.elapsedSteps[i];
      const log = this.logs[i];
      const size = this.out[2 * i];
      const placement = this.out[2 * i + 1];
      const free = s.remainingLots[i] - s.restingLots[i];
      log.decisions.push({
        step: k,
        size,
        placement,
        remaining: s.remainingLots[i],
        resting: s.restingLots[i],
        schedule: s.scheduleRemainingLots[i],
        filled: s.filledLots[i],
        marketVolume: s.episodeMarketVolumeLots[i],
      });
      if (size > free) log.overAsks.push({ step: k, size, free });
      let filled = 0;
      if (size > 0 && placement === Placement.Market) {
        s.restingLots[i] = 0;
        s.restingPriceTicks[i] = NaN;
        const want = Math.min(size, Math.max(0, free));
        filled = Math.min(want, this.options.marketFill?.(i, k, want) ?? want);
      } else if (size > 0) {
        const price = this.limitPrice(i, placement);
        if (s.restingLots[i] > 0 && s.restingPriceTicks[i] === price) s.restingLots[i] = Math.min(size, s.remainingLots[i]);
        else s.restingLots[i] = Math.min(size, Math.max(0, free));
        s.restingPriceTicks[i] = s.restingLots[i] > 0 ? price : NaN;
      }
      if (s.restingLots[i] > 0) {
        const passive = Math.min(s.restingLots[i], this.options.passiveFill?.(i, k, s.restingLots[i]) ?? 0);
        s.restingLots[i] -= passive;
        if (s.restingLots[i] === 0) s.restingPriceTicks[i] = NaN;
        filled += passive;
      }
      s.remainingLots[i] -= filled;
      s.filledLots[i] += filled;
      s.stepFilledLots[i] = filled;
      log.fillsByStep.push(filled);
      const volume = this.options.marketVolume?.(i, k) ?? 0;
      log.marketVolumeByStep.push(volume);
      s.stepMarketVolumeLots[i] = volume;
      s.episodeMarketVolumeLots[i] += volume;
      s.elapsedSteps[i] = k + 1;
      s.scheduleRemainingLots[i] = (s.parentLots[i] * (s.horizonSteps[i] - k - 1)) / s.horizonSteps[i];
      const touch = this.options.touch?.(i, k + 1);
      if (touch) {
        s.bestBidTicks[i] = touch.bid;
        s.bestAskTicks[i] = touch.ask;
      }
      if (s.elapsedSteps[i] >= s.horizonSteps[i] && s.remainingLots[i] > 0) {
        log.finalCrossLots = s.remainingLots[i];
        s.filledLots[i] += s.remainingLots[i];
        s.remainingLots[i] = 0;
      }
      if (s.remainingLots[i] <= 0 || s.elapsedSteps[i] >= s.horizonSteps[i]) {
        s.restingLots[i] = 0;
        s.restingPriceTicks[i] = NaN;
        this.done[i] = true;
      }
    }
  }

  private limitPrice(i: number, placement: number): number {
    const s = this.state;
    const buy = s.side[i] === 0;
    const near = buy ? s.bestBidTicks[i] : s.bestAskTicks[i];
    const far = buy ? s.bestAskTicks[i] : s.bestBidTicks[i];
    if (placement === Placement.Inside && Math.abs(far - near) > 1) return buy ? near + 1 : near - 1;
    if (placement === Placement.Behind) return buy ? near - 1 : near + 1;
    return near;
  }
}

/** Sizes of a log's decisions. */
export function childSizes(log: ToyEpisodeLog): number[] {
  return log.decisions.map((d) => d.size);
}
