// The public surface of agents/: the Policy contract, the baseline policies and their helpers.
export {
  ACTION_COMPONENTS,
  DEFAULT_ACTION_NVEC,
  SIZE_MULTIPLIERS,
  checkActArgs,
  type Policy,
  type PolicyDescription,
} from "./policy.js";
export { Placement, type ActionMode, type ExecutionTaskState, type ParentSide } from "./task-state.js";
export { PolicyError, type PolicyErrorCode } from "./errors.js";
export { LOT_TOLERANCE, nearestWholeLots, scheduleChildLots } from "./slicing.js";
export { TwapPolicy, PassiveTwapPolicy } from "./twap.js";
export { VwapPolicy, type VwapOptions } from "./vwap.js";
export {
  DAY_NS,
  uniformProfile,
  profileFromVolumes,
  timeOfDayNs,
  tradeVolumeByTimeOfDay,
  stepProfileFromBuckets,
  type EpisodeClock,
} from "./volume-profile.js";
export { PovPolicy, type PovOptions } from "./pov.js";
export {
  AlmgrenChrissPolicy,
  almgrenChrissKappa,
  almgrenChrissTrajectory,
  sinhRatio,
  type AlmgrenChrissImpact,
  type AlmgrenChrissOptions,
} from "./almgren-chriss.js";
export { SubmitAndLeavePolicy } from "./submit-and-leave.js";
export { RandomPolicy, type RandomOptions } from "./random.js";
export { LearnedPolicy } from "./learned.js";
