// The native addon's public surface: re-exports one file per concern; load.ts alone touches the compiled .node.
export { NativeError, TrancheError, type NativeErrorCode, type TrancheErrorCode } from "./errors.js";
export {
  Instrument, OpKind, OrderBook, Side, Status, Tif, statusName,
  type BookOptions, type BookTotals, type LimitOrder, type OpOutputs, type OpStats, type OpStream, type OrderResult, type Trade,
} from "./book.js";
export {
  AGENT_SLOTS, BATCH_IO, BatchMarket, CommandKind, SlotState,
  type BatchIO, type BatchOptions, type ImpactSpec, type PropagatorSpec, type L2FlowSpec, type LatencySpec, type LobsterFlowSpec, type PoissonFlowSpec,
} from "./batch.js";
export {
  L2ReplayData, LobsterReplayData,
  type BboCheck, type BboColumnsInput, type BookRowsInput, type L2DepthInput, type L2ReplayStats, type L2TradesInput,
  type L3ColumnsInput, type LobsterReplayState, type LobsterReplayStats,
} from "./replay.js";
export {
  EXECUTION_IO, ExecutionBatch, FEATURES, FEATURE_VERSION, createExecutionIO,
  type EpisodeStarts, type ExecutionIO, type ExecutionTaskSpec, type FeatureSpec,
} from "./task.js";
export { NativeActorCritic, type AdamSpec, type AdamState, type PpoBatch, type PpoLossSpec, type PpoStepStats } from "./learner.js";
export { FlowSim, type FlowRecording, type ImpactRuns, type ImpactRunsSpec } from "./flow-sim.js";
