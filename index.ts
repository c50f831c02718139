// Tranche as a library (`import { ExecutionVectorEnv } from "tranche"`): the public surface of each part, in
// one place. What is not exported here (or from a part's own index.ts) is internal and may change.

// The error base every error class of the project extends: `instanceof TrancheError`, then branch on `code`.
export { TrancheError } from "./errors.js";

// env/: the Gymnasium contract (spaces, Env, VectorEnv, wrappers, the checkers), the execution envs and markets.
export * from "./env/index.js";

// agents/: the Policy contract and the baselines.
export * from "./agents/index.js";

// data/: importers and readers of the Arrow market-data files.
export * from "./data/index.js";

// native/: its error class and the types an env or market config is written in; the replay data a config
// passes in; the feature names. The engine itself (OrderBook, BatchMarket) stays reachable via native/index.js.
export {
  FEATURES,
  FEATURE_VERSION,
  L2ReplayData,
  LobsterReplayData,
  NativeError,
  type BatchOptions,
  type EpisodeStarts,
  type ExecutionTaskSpec,
  type FeatureSpec,
  type ImpactSpec,
  type L2FlowSpec,
  type LatencySpec,
  type LobsterFlowSpec,
  type NativeErrorCode,
  type PoissonFlowSpec,
} from "./native/index.js";

// eval/: the paired statistics of an evaluation.
export {
  StatsError,
  bootstrapCI,
  comparePaired,
  episodesForPower,
  holm,
  pairedDifferences,
  pairedTTest,
  summarize,
  wilcoxonSignedRank,
  type BootstrapInterval,
  type BootstrapOptions,
  type CostSummary,
  type PairedComparison,
  type PowerOptions,
  type PowerResult,
  type TTestResult,
  type WilcoxonMethod,
  type WilcoxonResult,
} from "./eval/stats.js";
// eval/: the evaluation harness, its policies by name, the run folder and the report.
export { evaluate, DEFAULT_PARENT, type EvaluateOptions, type Evaluation, type EvalProgress, type ParentOrder } from "./eval/harness.js";
export { DEFAULT_MARKET, ZI_MARKET } from "./eval/defaults.js";
export { DEFAULT_POLICIES, POLICIES, parsePolicy, parsePolicies, buildPolicy, type PolicySpec, type PolicyContext, type BuiltPolicy } from "./eval/policies.js";
export { bestInHindsight, type HindsightCosts, type HindsightResult } from "./eval/hindsight.js";
export { RECORD_FIELDS, type RecordField } from "./eval/episodes.js";
export { writeRunFolder, checkRunFolder, episodesTable, RUN_FILES } from "./eval/run-folder.js";
export { renderReport } from "./eval/report.js";
export { EvalError, type EvalErrorCode } from "./eval/errors.js";
export type * from "./eval/types.js";

// cli/: the config mechanism the commands use, for programs that read the same config files.
export { ConfigError, applySets, loadConfig, loadConfigFile, parseConfig, type ConfigErrorCode, type ConfigIssue } from "./cli/config.js";
