// `tranche train`: PPO on an execution env from a config (one schema: the market and parent order as `tranche eval`
// reads them, every PPO hyperparameter with its default and meaning, validation and the backend), with a live
// progress display, a run folder (training/run.ts), --resume, and Ctrl-C that checkpoints before it exits.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import cliProgress from "cli-progress";
import { Option, type Command } from "commander";
import { z } from "zod";
import { episodeStarts, loadMarket, type MarketConfig } from "../env/markets.js";
import { DEFAULT_POLICIES } from "../eval/policies.js";
import { codeVersion } from "../eval/summary.js";
import { BACKENDS, selectBackend, type BackendChoice } from "../training/backend.js";
import { LEARNERS } from "../training/learner.js";
import { ppoConfigSchema } from "../training/ppo.js";
import { TrainingError, exportBest, runTraining, type TrainingOutcome, type TrainingProgress, type TrainingSpec } from "../training/run.js";
import { addConfigOptions, applySets, loadConfigFile, parseConfig } from "./config.js";
import { evalConfigSchema, resolveMarket, type EvalConfig } from "./eval.js";
import { EXIT, UsageError, workAction, type CliIO } from "./program.js";

/** A market, or a list of markets stepped together (the envs split evenly between them). */
const markets = z.union([evalConfigSchema.shape.market.removeDefault(), z.array(evalConfigSchema.shape.market.removeDefault()).min(1)]);

export const trainConfigSchema = z
  .object({
    market: markets.default("default").describe("the market, or a list of markets trained on together (the envs split evenly; eval.json evaluates on the first)"),
    parent: evalConfigSchema.shape.parent,
    ppo: ppoConfigSchema.default(ppoConfigSchema.parse({})),
    validation: z
      .object({
        episodes: z.number().int().min(1).max(1_000_000).default(256).describe("validation episodes (seeds training never sees)"),
        every: z.number().int().min(1).default(10).describe("validate (and checkpoint) every this many updates"),
        market: markets.optional().describe("validate on this market (or list) instead of the training's: replay windows training never sees"),
      })
      .strict()
      .default({ episodes: 256, every: 10 }),
    incompletePenaltyBps: z.number().min(0).default(100).describe("reward only: bps of their share of the parent charged for lots the horizon's cross cannot fill"),
    learner: z.enum(LEARNERS).default("fused").describe("what computes PPO's update: the fused native MLP step (fast on CPUs) or TensorFlow.js (the reference; the path to GPUs)"),
    backend: z.enum(["auto", ...BACKENDS]).default("auto").describe("TensorFlow.js backend (the tfjs learner, validation and the export's reference): the fastest present, or the one named"),
    /** The run folder; default runs/train-<time>. */
    out: z.string().min(1).optional(),
  })
  .strict();
export type TrainConfig = z.output<typeof trainConfigSchema>;

interface TrainFlags {
  config?: string;
  set: string[];
  out?: string;
  resume?: string;
  backend?: string;
}

/** Exit code of a run stopped by Ctrl-C after its checkpoint was written (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

function defaultRunFolder(): string {
  return `runs/train-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
}

/** A bar with ETA, steps/s and the latest validation IS on a terminal; a line per validation otherwise. */
function progress(io: CliIO): { update: (p: TrainingProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "  {bar} {percentage}% | {value}/{total} updates | {sps} steps/s | validation IS {val} (best {best}) bps | ETA {eta_formatted}", barsize: 24, stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false, val = "—";
    return {
      update: (p) => {
        if (!started) bar.start(p.updates, 0, { sps: 0, val, best: "—" }), (started = true);
        if (p.validationIsBps !== undefined) val = p.validationIsBps.toFixed(2);
        bar.update(p.update, { sps: Math.round(p.metrics.stepsPerSecond), val, best: Number.isFinite(p.bestValidationIsBps) ? p.bestValidationIsBps.toFixed(2) : "—" });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  return {
    update: (p) => {
      if (p.validationIsBps === undefined) return;
      const m = p.metrics;
      io.print(
        `  update ${p.update}/${p.updates}: ${m.globalStep} steps, training IS ${m.episodeIsBps.toFixed(2)} bps, validation IS ${p.validationIsBps.toFixed(2)} bps (best ${p.bestValidationIsBps.toFixed(2)}), ` +
          `entropy ${m.entropy.toFixed(3)}, approx_kl ${m.approxKl.toFixed(4)}, explained variance ${m.explainedVariance.toFixed(2)}, ${Math.round(m.stepsPerSecond)} steps/s`,
      );
    },
    stop: () => {},
  };
}

/** What a resolved config trains: the env, the hyperparameters, and the config as config.json keeps it. */
/** `base`: where the config's relative file paths start (its own folder, as `tranche eval` reads them). */
export function trainingSpec(config: TrainConfig, base = process.cwd()): TrainingSpec {
  const resolved = (m: TrainConfig["market"]) => (Array.isArray(m) ? m : [m]).map((x) => resolveMarket(x, undefined, base));
  const trained = resolved(config.market), validated = config.validation.market === undefined ? undefined : resolved(config.validation.market);
  const market = trained[0];
  const p = config.parent;
  if (p.horizon % p.step !== 0) throw new UsageError("parent.horizon must be a whole number of parent.step decisions");
  const parent = { side: p.side, lots: p.lots, horizon: p.horizon / 1e9, step: p.step / 1e9 };
  const task = { side: p.side, parentLots: p.lots, horizonSteps: p.horizon / p.step, stepNs: p.step, incompletePenaltyBps: config.incompletePenaltyBps };
  // A replay's episode starts (its `starts` window, else anywhere with room for the horizon) travel with the task.
  const envs = (ms: MarketConfig[]) => ms.map((m) => {
    const loaded = loadMarket(m);
    return { market: loaded.market, task: { ...task, starts: episodeStarts(loaded, p.horizon + p.step) } };
  });
  const asGiven = (given: TrainConfig["market"], ms: MarketConfig[]) => (Array.isArray(given) ? ms : ms[0]);
  return {
    env: envs(trained),
    validationEnv: validated === undefined ? undefined : envs(validated),
    ppo: config.ppo, validation: config.validation, backend: config.backend, learner: config.learner,
    // Written as the schema reads it (durations in seconds, paths absolute), so --resume parses it again.
    config: {
      ...config, market: asGiven(config.market, trained), parent,
      validation: { ...config.validation, ...(validated === undefined ? {} : { market: asGiven(config.validation.market!, validated) }) },
    },
    codeVersion: String(codeVersion()),
    evalConfig: { policies: [...DEFAULT_POLICIES], market, parent, episodes: 1000 },
  };
}

/** A run folder's config.json, parsed. */
function runConfig(folder: string): TrainConfig {
  const file = resolve(folder, "config.json");
  if (!existsSync(file)) throw new TrainingError(`${file} does not exist: ${folder} is not a run folder of tranche train`, "pass the folder `tranche train` printed (runs/train-<time>)");
  return parseConfig(trainConfigSchema, loadConfigFile(file), file);
}

/** Reads the config (file, --set, flags) and runs; returns the outcome. A library user calls runTraining directly. */
export async function runTrainCommand(io: CliIO, flags: TrainFlags): Promise<TrainingOutcome> {
  let folder: string, config: TrainConfig;
  if (flags.resume !== undefined) {
    if (flags.config !== undefined || flags.set.length > 0) throw new UsageError("--resume continues a run with the config it started with; drop --config and --set");
    folder = resolve(flags.resume);
    config = runConfig(folder);
  } else {
    const raw = ((flags.config === undefined ? {} : loadConfigFile(flags.config)) ?? {}) as Record<string, unknown>;
    const merged = applySets({ ...raw, ...(flags.out !== undefined ? { out: flags.out } : {}), ...(flags.backend !== undefined ? { backend: flags.backend } : {}) }, flags.set);
    config = parseConfig(trainConfigSchema, merged, flags.config ?? "the config");
    folder = resolve(config.out ?? defaultRunFolder());
    config = { ...config, out: folder };
  }
  const spec = trainingSpec(config, flags.config !== undefined ? dirname(resolve(flags.config)) : process.cwd());
  const p = config.parent, ppo = config.ppo;
  io.print(`tranche train: PPO, ${ppo.totalSteps.toLocaleString("en-US")} steps in ${ppo.numEnvs} envs × ${ppo.rolloutSteps}-step rollouts; ${p.side} ${p.lots} lots over ${p.horizon / 1e9} s in ${p.step / 1e9} s decisions`);
  const name = (m: EvalConfig["market"]) => (typeof m === "string" ? m : m.kind === "lobster" && m.mirror === true ? "lobster (mirrored)" : m.kind);
  io.print(`  market: ${Array.isArray(config.market) ? `a mixture of ${config.market.map(name).join(", ")}` : name(config.market)}; run folder ${folder}${flags.resume !== undefined ? " (resumed)" : ""}`);

  // The first Ctrl-C asks the run to stop after the update in progress (it checkpoints); a second one exits now.
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(EXIT_INTERRUPTED);
    stopRequested = true;
    io.printError("tranche train: stopping after this update and writing a checkpoint (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  const bar = progress(io);
  try {
    const outcome = await runTraining(
      spec,
      folder,
      { resume: flags.resume !== undefined, onProgress: bar.update, shouldStop: () => stopRequested, log: (l) => io.print(`  ${l}`) },
    );
    bar.stop();
    io.print(`${outcome.interrupted ? "stopped" : "done"} after ${outcome.updates} updates in ${outcome.seconds.toFixed(1)} s (${config.learner} learner, ${outcome.backend} backend); best validation IS ${outcome.bestValidationIsBps.toFixed(2)} bps at update ${outcome.bestUpdate}`);
    if (outcome.model) io.print(`model: ${outcome.model.file} (ONNX Runtime vs TensorFlow.js: ${outcome.model.export.parity.maxAbsDiff.toExponential(1)} at most over ${outcome.model.export.parity.observations} observations)`);
    io.print(outcome.interrupted ? `checkpoint written; continue with: tranche train --resume ${folder}` : `evaluate it beside the baselines on the same market: tranche eval -c ${resolve(folder, "eval.json")}`);
    return outcome;
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
  }
}

export function addTrainCommand(program: Command, io: CliIO): Command {
  const command = program
    .command("train")
    .summary("train a PPO execution agent and export it to ONNX")
    .description(
      "Trains an actor-critic with PPO on the execution task (the market and parent order as tranche eval reads them; default: " +
        "the GOOG preset, buy 2,000 shares over 10 minutes), validates the greedy policy every few updates on episodes training " +
        "never sees, keeps the best by validation, checkpoints, and exports the best to <run>/model.onnx. Every hyperparameter " +
        "is a field of ppo (--set ppo.totalSteps=200000). `market` may be a list (a mixture) and `validation.market` moves " +
        "validation to markets of its own (held-out replay windows). The update runs on the fused native learner (learner: " +
        "\"tfjs\" for TensorFlow.js). Ctrl-C stops after the current update with a checkpoint; --resume continues.",
    )
    .usage("[-c <config>] [--set key=value …] [--out <run folder>] [--backend auto|tfjs-node-gpu|tfjs-node|wasm|cpu] | --resume <run folder>");
  addConfigOptions(command);
  return command
    .option("--out <folder>", "the run folder (default runs/train-<time>)")
    .option("--resume <folder>", "continue the run in this folder from its checkpoint")
    .addOption(new Option("--backend <name>", "TensorFlow.js backend").choices(["auto", ...BACKENDS]))
    .action(
      workAction(io, async (cmd) => {
        const outcome = await runTrainCommand(io, cmd.opts<TrainFlags>());
        return outcome.interrupted ? EXIT_INTERRUPTED : EXIT.done;
      }),
    );
}

export function addExportCommand(program: Command, io: CliIO): Command {
  return program
    .command("export")
    .summary("export a training run's best policy to ONNX, with its parity check")
    .description(
      "Writes the best policy of a `tranche train` run folder (best.json: chosen on validation) as an ONNX model (opset 17; the " +
        "observation normalisation in the graph; feature names and version, action space, config hash, code version and time as " +
        "metadata), after checking ONNX Runtime's outputs against TensorFlow.js's on 10,000 observations (within 1e-5); a model " +
        "that fails the check is not written.",
    )
    .usage("<run folder> [-o <model.onnx>] [--backend <name>]")
    .allowExcessArguments()
    .option("-o, --out <model.onnx>", "where to write it (default <run folder>/model.onnx)")
    .addOption(new Option("--backend <name>", "TensorFlow.js backend for the reference outputs").choices(["auto", ...BACKENDS]).default("auto"))
    .action(
      workAction(io, async (cmd) => {
        if (cmd.args.length !== 1) throw new UsageError(`expected one run folder, got ${cmd.args.length}`);
        const folder = resolve(cmd.args[0]);
        const o = cmd.opts<{ out?: string; backend: BackendChoice }>();
        const out = resolve(o.out ?? resolve(folder, "model.onnx"));
        if (!out.endsWith(".onnx")) throw new UsageError(`-o must end in .onnx (got ${o.out})`);
        const config = runConfig(folder);
        const { backend } = await selectBackend(o.backend);
        const r = await exportBest(folder, trainingSpec(config), out);
        io.print(`wrote ${out}: features ${r.metadata.featureVersion}, actions ${r.metadata.actionSpace.names.join(" × ")} [${r.metadata.actionSpace.nvec.join(", ")}], config ${r.metadata.configHash.slice(0, 12)}`);
        io.print(`parity (${backend}): ONNX Runtime vs TensorFlow.js ${r.parity.maxAbsDiff.toExponential(1)} at most over ${r.parity.observations} observations`);
        return EXIT.done;
      }),
    );
}
