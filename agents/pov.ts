// POV (percentage of volume): trade a fixed share of what everyone else trades.
import { checkNumber } from "./errors.js";
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import { decisionsLeft, freeLots, nearestWholeLots, writeChild, writeWait } from "./slicing.js";
import { Placement, type ActionMode, type ExecutionTaskState } from "./task-state.js";

/** Settings of {@link PovPolicy}. */
export interface PovOptions {
  /** ρ in (0, 1]: lots to trade per lot the rest of the market trades. */
  readonly participationRate: number;
}

/**
 * POV: market children that keep the agent's fills at a share ρ of the volume others trade.
 *
 * At a decision, with V the others' volume since the episode started, v the last step's and F the agent's fills:
 * - child = round(ρ · (V + v) − F): the catch-up ρV − F to where participation should stand now, plus ρv for
 *   the step ahead, forecast as a repeat of the last one; never negative, capped at remaining − resting;
 * - ρ is measured against the others' volume (the task state's market volume leaves the agent out), so the
 *   agent's share of all volume traded is ρ / (1 + ρ);
 * - at the horizon the env crosses whatever ρ of the market did not cover.
 *
 * Known lag: it reacts to volume after the fact. A step's volume is traded against in the step after it, so
 * fills trail ρ · V by ρ × (this step's volume − the last step's); a burst is under-traded while it happens and
 * over-traded in the step after it ends, and the first decision (no volume seen yet) sends nothing.
 */
export class PovPolicy implements Policy {
  readonly name = "pov";
  readonly actionMode: ActionMode = "lots";
  readonly participationRate: number;

  constructor(options: PovOptions) {
    this.participationRate = checkNumber("options.participationRate", options?.participationRate, Number.MIN_VALUE, 1);
  }

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    const rho = this.participationRate;
    for (let i = 0; i < state.numEnvs; i++) {
      if (decisionsLeft(state, i) === 0) {
        writeWait(out, i);
        continue;
      }
      const volume = state.episodeMarketVolumeLots[i] + state.stepMarketVolumeLots[i];
      writeChild(out, i, nearestWholeLots(rho * volume - state.filledLots[i]), freeLots(state, i), Placement.Market);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { participationRate: this.participationRate, placement: "market", volume: "others' traded lots" },
      summary: `POV: market children that keep fills at ${this.participationRate} of the volume others trade, forecasting each step's volume by the last one's.`,
    };
  }
}
