// The public surface of the Gymnasium contract: spaces, Env, VectorEnv, SyncVectorEnv, wrappers, the checkers
// and their errors. Everything else in env/ stays internal.
export {
  Box,
  Discrete,
  MultiDiscrete,
  batchSpace,
  type Space,
  type Dtype,
  type ArrayOf,
  type Batched,
  type BoxOptions,
  type DiscreteOptions,
  type MultiDiscreteOptions,
} from "./spaces.js";
export { Rng } from "./rng.js";
export {
  Wrapper,
  type Env,
  type EnvMetadata,
  type Info,
  type EpisodeStatistics,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from "./core.js";
export {
  SyncVectorEnv,
  VectorWrapper,
  type VectorEnv,
  type VectorEnvMetadata,
  type AutoresetMode,
  type VectorResetArgs,
  type VectorResetResult,
  type VectorStepResult,
  type VectorInfo,
  type VectorEpisodeStatistics,
  type SyncVectorEnvOptions,
} from "./vector.js";
export {
  TimeLimit,
  RecordEpisodeStatistics,
  NormalizeObservation,
  NormalizeReward,
  VectorNormalizeObservation,
  VectorNormalizeReward,
  VectorRecordEpisodeStatistics,
  type BoxObservation,
  type RecordEpisodeStatisticsOptions,
  type NormalizeObservationOptions,
  type NormalizeRewardOptions,
  type RunningStatsState,
} from "./wrappers.js";
export { checkEnv, checkVectorEnv, type CheckEnvOptions, type EnvCheckReport } from "./check.js";
export { EnvError, EnvCheckError, ENV_CHECK_RULES, type EnvErrorCode, type EnvCheckCode } from "./errors.js";
export { ExecutionEnv, ExecutionVectorEnv, type ExecutionEnvConfig } from "./execution.js";
export { loadMarket, type LoadedMarket, type MarketConfig, type MarketCosts, type TimeOfDayStarts } from "./markets.js";
