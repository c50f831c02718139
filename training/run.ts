// A training run and its folder: PPO on an execution env, validated every few updates on episodes training never
// sees, the best policy chosen on validation (never on training returns), checkpoints to continue from, a JSONL
// log of every update, and the best policy exported to ONNX at the end (with its parity check).
//
//   <run>/config.json       the resolved config (what reruns it)
//   <run>/metrics.jsonl     one line per update: CleanRL's metrics, and validation IS where it ran
//   <run>/checkpoint.json   the state after the latest validation (weights, Adam, statistics): --resume reads it
//   <run>/best.json         the weights and statistics of the best validation IS so far
//   <run>/model.onnx        the best policy, exported when the run ends
//   <run>/eval.json         `tranche eval -c eval.json`: the model beside the baselines on the same market and parent
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionEnvConfig } from "../env/execution.js";
import { executionVectorEnv } from "../env/mixture.js";
import { TrancheError } from "../errors.js";
import { selectBackend, type BackendChoice, type BackendName } from "./backend.js";
import { exportPolicy, type ExportResult } from "./export.js";
import type { LearnerKind } from "./learner.js";
import { ActorCritic, RunningMeanStd } from "./network.js";
import { trainPpo, type PpoConfig, type TrainState, type UpdateMetrics } from "./ppo.js";

/** Validation episodes start from these seeds (training's start at 10⁹ and up, a test set's at TEST_SEED). */
export const VALIDATION_SEED = 100_000_000;
export const TEST_SEED = 200_000_000;

/** An env of one market or a mixture of several (env/mixture.ts). */
type TrainingEnv = ReturnType<typeof executionVectorEnv>;

export interface TrainingSpec {
  /** One market, or a mixture: the envs split evenly between the markets. */
  env: ExecutionEnvConfig | readonly ExecutionEnvConfig[];
  /** Where validation runs (replay windows training never sees); default: the training's markets, on other seeds. */
  validationEnv?: ExecutionEnvConfig | readonly ExecutionEnvConfig[];
  ppo: PpoConfig;
  validation: { episodes: number; every: number };
  backend: BackendChoice;
  /** What computes the update (training/learner.ts); default "fused". */
  learner?: LearnerKind;
  /** The config as the user resolved it, written to config.json and hashed into the model. */
  config: unknown;
  /** A `tranche eval` config of the same market and parent; the run writes it with the model added as eval.json. */
  evalConfig?: { policies: string[]; [field: string]: unknown };
  codeVersion: string;
}

export interface TrainingProgress {
  update: number;
  updates: number;
  metrics: UpdateMetrics;
  validationIsBps?: number;
  bestValidationIsBps: number;
}

export interface TrainingOutcome {
  folder: string;
  backend: BackendName;
  updates: number;
  /** True when shouldStop ended it before its last update (a checkpoint was written). */
  interrupted: boolean;
  bestValidationIsBps: number;
  bestUpdate: number;
  model?: { file: string; export: ExportResult };
  seconds: number;
}

/** A run folder could not be started or continued; the message names the file. */
export class TrainingError extends TrancheError {
  declare readonly code: "RUN_FOLDER";
  constructor(message: string, hint?: string) {
    super("RUN_FOLDER", message, hint);
    this.name = "TrainingError";
  }
}

interface BestPolicy {
  update: number;
  validationIsBps: number;
  weights: TrainState["weights"];
  observationStats: TrainState["observationStats"];
}

/** Writes through a temporary file, so a file is whole or absent, never half written (Ctrl-C, a full disk). */
function writeWhole(file: string, text: string | Uint8Array): void {
  writeFileSync(`${file}.partial`, text);
  renameSync(`${file}.partial`, file);
}

/** Observations the export's parity check replays (the issue's bar: 10,000). */
export const PARITY_OBSERVATIONS = 10_000;

/**
 * The greedy policy's mean implementation shortfall (bps) over `episodes` episodes from seed `seed` on, and the
 * first `record` raw observations it saw (it steps on until it has them): the export's parity check replays them.
 */
export function validate(network: ActorCritic, stats: RunningMeanStd, env: TrainingEnv, seed: number, episodes: number, record = PARITY_OBSERVATIONS): { isBps: number; observations: Float32Array; rows: number } {
  const N = env.numEnvs, F = network.spec.observationSize;
  const actions = new Int32Array(N * network.spec.actionDims.length), normalized = new Float32Array(N * F), ret = new Float64Array(N);
  const seen: Float32Array[] = [];
  let [obs] = env.reset({ seed });
  let sum = 0, n = 0, started = N;
  const counted = new Uint8Array(N).fill(1);
  while (n < episodes || seen.length * N < record) {
    if (seen.length * N < record) seen.push(obs.slice());
    stats.normalize(obs, N, normalized);
    network.greedy(normalized, N, actions);
    const [next, rewards, terminated] = env.step(actions);
    for (let i = 0; i < N; i++) {
      if (env.resetMask[i]) {
        // A new episode: counted only while the first `episodes` have not all started (every env's share is fixed).
        counted[i] = started < episodes ? 1 : 0;
        if (counted[i]) started++;
        continue;
      }
      ret[i] += rewards[i];
      if (terminated[i]) {
        if (counted[i]) (sum += -ret[i]), n++;
        ret[i] = 0;
        counted[i] = 0;
      }
    }
    obs = next;
  }
  const rows = Math.min(seen.length * N, record);
  const observations = new Float32Array(seen.length * N * F);
  seen.forEach((o, k) => observations.set(o, k * N * F));
  return { isBps: sum / n, observations: observations.subarray(0, rows * F), rows };
}

/** Envs validation steps together: as many as its episodes, up to the training's, and at least one per market. */
function validationEnvs(spec: Pick<TrainingSpec, "env" | "validationEnv" | "ppo" | "validation">): number {
  const markets = spec.validationEnv ?? spec.env;
  return Math.max(Array.isArray(markets) ? markets.length : 1, Math.min(spec.ppo.numEnvs, spec.validation.episodes));
}

/** Starts a run in `folder` (new) or continues the one there (`resume`). */
export async function runTraining(
  spec: TrainingSpec, folder: string,
  options: { resume?: boolean; onProgress?: (p: TrainingProgress) => void; shouldStop?: () => boolean; log?: (line: string) => void } = {},
): Promise<TrainingOutcome> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const files = { config: join(folder, "config.json"), metrics: join(folder, "metrics.jsonl"), checkpoint: join(folder, "checkpoint.json"), best: join(folder, "best.json"), model: join(folder, "model.onnx") };
  let resume: TrainState | undefined, best: BestPolicy | undefined;
  if (options.resume) {
    if (!existsSync(files.checkpoint)) throw new TrainingError(`${files.checkpoint} does not exist: there is nothing to resume`, "resume a run folder that `tranche train` wrote a checkpoint in (one is written at every validation)");
    resume = JSON.parse(readFileSync(files.checkpoint, "utf8")) as TrainState;
    if (existsSync(files.best)) best = JSON.parse(readFileSync(files.best, "utf8")) as BestPolicy;
  } else {
    if (existsSync(files.config)) throw new TrainingError(`${folder} already holds a run (config.json)`, "choose another --out, or continue it with --resume");
    mkdirSync(folder, { recursive: true });
    writeWhole(files.config, JSON.stringify(spec.config, null, 2) + "\n");
  }
  const { backend, skipped } = await selectBackend(spec.backend);
  log(`learner: ${spec.learner ?? "fused"}; backend: ${backend}${skipped.length > 0 ? ` (passed over: ${skipped.join("; ")})` : ""}`);

  const ppo = spec.ppo;
  const env = executionVectorEnv(ppo.numEnvs, spec.env);
  const validationEnv = executionVectorEnv(validationEnvs(spec), spec.validationEnv ?? spec.env);
  const updates = Math.max(1, Math.floor(ppo.totalSteps / (ppo.numEnvs * ppo.rolloutSteps)));
  let interrupted = false;
  try {
    const result = await trainPpo(env, ppo, {
      resume,
      learner: spec.learner,
      shouldStop: () => (interrupted = options.shouldStop?.() ?? false),
      onUpdate: async (m, network, stats, checkpoint) => {
        let validationIsBps: number | undefined;
        const stopping = options.shouldStop?.() ?? false;
        if (m.update % spec.validation.every === 0 || m.update === updates || stopping) {
          validationIsBps = validate(network, stats, validationEnv, VALIDATION_SEED, spec.validation.episodes, 0).isBps;
          if (best === undefined || validationIsBps < best.validationIsBps) {
            best = { update: m.update, validationIsBps, weights: (await checkpoint()).weights, observationStats: stats.toJSON() };
            writeWhole(files.best, JSON.stringify(best));
          }
          writeWhole(files.checkpoint, JSON.stringify(await checkpoint()));
        }
        appendFileSync(files.metrics, JSON.stringify({ ...m, learner: spec.learner ?? "fused", backend, validationIsBps: validationIsBps ?? null }) + "\n");
        options.onProgress?.({ update: m.update, updates, metrics: m, validationIsBps, bestValidationIsBps: best?.validationIsBps ?? NaN });
      },
    });
    interrupted = interrupted && result.state.update < updates;
    let model: TrainingOutcome["model"];
    if (!interrupted && best !== undefined) {
      model = { file: files.model, export: await exportBest(folder, spec, files.model, validationEnv) };
      // What evaluates it beside the baselines on the market and parent order it was trained for: tranche eval -c eval.json.
      if (spec.evalConfig !== undefined) writeWhole(join(folder, "eval.json"), JSON.stringify({ ...spec.evalConfig, policies: [...spec.evalConfig.policies, `model:${files.model}`] }, null, 2) + "\n");
    }
    result.dispose();
    return {
      folder, backend, updates: result.state.update, interrupted, bestValidationIsBps: best?.validationIsBps ?? NaN, bestUpdate: best?.update ?? 0,
      model, seconds: (performance.now() - started) / 1000,
    };
  } finally {
    env.close();
    validationEnv.close();
  }
}

/**
 * Exports a run's best policy (best.json) to `out`: its weights and statistics as ONNX, checked against TensorFlow.js
 * on 10,000 observations the policy meets on validation episodes; nothing is written when the check fails.
 */
export async function exportBest(folder: string, spec: Pick<TrainingSpec, "env" | "validationEnv" | "ppo" | "validation" | "config" | "codeVersion">, out: string, env?: TrainingEnv): Promise<ExportResult> {
  const bestFile = join(folder, "best.json");
  if (!existsSync(bestFile)) throw new TrainingError(`${bestFile} does not exist: the run has not validated a policy yet`, "train longer than validation.every updates, or resume the run");
  const best = JSON.parse(readFileSync(bestFile, "utf8")) as BestPolicy;
  const venv = env ?? executionVectorEnv(validationEnvs(spec), spec.validationEnv ?? spec.env);
  try {
    const network = new ActorCritic({ observationSize: venv.singleObservationSpace.shape[0], actionDims: Array.from(venv.singleActionSpace.nvec), hiddenSizes: spec.ppo.hiddenSizes, seed: spec.ppo.seed });
    network.setWeights(best.weights);
    const stats = RunningMeanStd.fromJSON(best.observationStats);
    const recorded = validate(network, stats, venv, VALIDATION_SEED, spec.validation.episodes);
    const exported = await exportPolicy(network, stats, { names: venv.metadata.featureNames as string[], version: String(venv.metadata.featureVersion) }, spec.config, spec.codeVersion, recorded.observations, recorded.rows);
    network.dispose();
    writeWhole(out, exported.bytes);
    return exported;
  } finally {
    if (env === undefined) venv.close();
  }
}
