// Submit-and-leave: one limit order for the whole parent, left to rest until the horizon.
import { checkActArgs, type Policy, type PolicyDescription } from "./policy.js";
import { decisionsLeft, freeLots, writeChild, writeWait } from "./slicing.js";
import { Placement, type ActionMode, type ExecutionTaskState } from "./task-state.js";

/**
 * Submit-and-leave: at the first decision a limit child at the touch for the whole parent (remaining − resting),
 * then size 0 at every decision so it rests with its queue place; the env's horizon cross takes what did not
 * fill. It reads the episode's start from elapsedSteps = 0, so it keeps no memory between decisions.
 */
export class SubmitAndLeavePolicy implements Policy {
  readonly name = "submit-and-leave";
  readonly actionMode: ActionMode = "lots";

  act(_obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void {
    checkActArgs(this.name, state, out);
    for (let i = 0; i < state.numEnvs; i++) {
      if (decisionsLeft(state, i) > 0 && state.elapsedSteps[i] === 0) writeChild(out, i, state.remainingLots[i], freeLots(state, i), Placement.Touch);
      else writeWait(out, i, Placement.Touch);
    }
  }

  describe(): PolicyDescription {
    return {
      name: this.name,
      params: { placement: "touch", resubmit: "never" },
      summary: "Submit-and-leave: one limit order at the touch for the whole parent at the start, left to rest; the horizon cross takes the rest.",
    };
  }
}
