// `tranche eval`: the baselines (and later, learned policies) on the same episodes of a market, with the paired
// statistics, written to a run folder with its report. The config is one schema: a JSON/YAML file, then the
// flags, then --set overrides, validated once; the work is eval/'s evaluate() and writeRunFolder().
import { availableParallelism } from "node:os";
import { dirname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import cliProgress from "cli-progress";
import { InvalidArgumentError, Option, type Command } from "commander";
import { z } from "zod";
import { REGIME_NAMES } from "../eval/generative/preset.js";
import { openDataFile } from "../data/reader.js";
import type { MarketConfig } from "../env/markets.js";
import { DEFAULT_MARKET } from "../eval/defaults.js";
import { evaluate, type EvalProgress, type Evaluation } from "../eval/harness.js";
import { EvalError } from "../eval/errors.js";
import { DEFAULT_POLICIES, parsePolicies } from "../eval/policies.js";
import { checkRunFolder, writeRunFolder } from "../eval/run-folder.js";
import type { EvalSummary } from "../eval/types.js";
import { ConfigError, addConfigOptions, applySets, loadConfigFile, parseConfig } from "./config.js";
import { closest } from "../errors.js";
import { EXIT, wholeNumber, workAction, type CliIO } from "./program.js";

// ---- the config schema --------------------------------------------------------------------------------------

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/;
const UNIT_NS: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, min: 60e9, h: 3600e9 };

/** A duration: a number of seconds, or a string such as "500ms", "90s", "2m", "1h". */
const duration = z
  .union([z.number().positive(), z.string().regex(DURATION, 'a duration such as "500ms", "90s", "2m" or "1h"')])
  .transform((v) => {
    if (typeof v === "number") return Math.round(v * 1e9);
    const m = DURATION.exec(v.trim())!;
    return Math.round(Number(m[1]) * UNIT_NS[m[2] ?? "s"]);
  })
  .refine((ns) => ns >= 1, "a duration longer than 0");

const latency = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("constant"), ns: z.number().int().nonnegative() }).strict(),
  z.object({ kind: z.literal("uniform"), minNs: z.number().int().nonnegative(), maxNs: z.number().int().nonnegative() }).strict(),
  z.object({ kind: z.literal("lognormal"), medianNs: z.number().positive(), sigma: z.number().nonnegative(), capNs: z.number().positive().optional() }).strict(),
]);
const fees = z.object({ makerBps: z.number(), takerBps: z.number() }).strict();
const costs = { fees: fees.optional(), orderEntryLatency: latency.optional(), marketDataLatency: latency.optional() };
const timeOfDay = z.string().regex(/^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/, 'a time of day "HH:MM" or "HH:MM:SS"');
const starts = z.union([z.object({ from: timeOfDay, to: timeOfDay }).strict(), z.object({ at: z.array(timeOfDay).min(1) }).strict()]);
const impact = z
  .object({ kind: z.enum(["linear", "sqrt", "power"]), permanentTicks: z.number().optional(), transientTicks: z.number().optional(), decayNs: z.number().positive().optional(), delta: z.number().positive().optional() })
  .strict();
const poissonFlow = z
  .object({
    limitRatePerSec: z.number().positive().optional(),
    marketRatePerSec: z.number().positive().optional(),
    cancelRatePerSec: z.number().positive().optional(),
    distanceP: z.number().gt(0).lte(1).optional(),
    sizeP: z.number().gt(0).lte(1).optional(),
    referencePriceTicks: z.number().int().positive().optional(),
    seedDepth: z.number().int().positive().optional(),
    distanceRatesPerSec: z.array(z.number().nonnegative()).min(1).optional(),
    hawkes: z.object({ branching: z.number().min(0).lt(1), decayPerSec: z.number().positive() }).strict().optional(),
  })
  .strict();
/** Single parameters of a preset's flow to override (checked again, with the field named, when the market loads). */
const presetFlow = z.record(z.string(), z.unknown());

/** A market: "default", the path of an imported .arrow file, or a market config object by kind. */
const market = z.union([
  z.string().min(1),
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("poisson"), tickSize: z.number().positive().optional(), lotSize: z.number().positive().optional(), flow: poissonFlow.optional(), ...costs }).strict(),
    z.object({ kind: z.literal("preset"), name: z.string().min(1).optional(), file: z.string().min(1).optional(), regime: z.enum(REGIME_NAMES).optional(), flow: presetFlow.optional(), ...costs }).strict(),
    z.object({ kind: z.literal("lobster"), file: z.string().min(1), starts: starts.optional(), impact: impact.optional(), mirror: z.boolean().optional(), ...costs }).strict(),
    z.object({ kind: z.literal("binance"), file: z.string().min(1), starts: starts.optional(), impact: impact.optional(), ...costs }).strict(),
  ]),
]);

/** Every field of an evaluation, with its default. */
export const evalConfigSchema = z
  .object({
    /** Policy names (eval/policies.ts), e.g. "pov:0.05". */
    policies: z.array(z.string().min(1)).min(1).default([...DEFAULT_POLICIES]),
    market: market.default("default"),
    episodes: z.number().int().min(1).max(10_000_000).default(500),
    parent: z
      .object({ side: z.enum(["buy", "sell"]).default("buy"), lots: z.number().int().min(1).default(2000), horizon: duration.default(600e9), step: duration.default(10e9) })
      .strict()
      .default({ side: "buy", lots: 2000, horizon: 600e9, step: 10e9 }),
    seed: z.number().int().min(0).max(2 ** 47).default(1),
    workers: z.number().int().min(0).max(256).optional(),
    batchSize: z.number().int().min(1).max(65_536).default(64),
    reference: z.string().optional(),
    /** Realised spread's horizon after each fill (defaults are in ns: zod returns a default as the output). */
    markout: duration.default(5e9),
    /** The run folder; default runs/eval-<time>. */
    out: z.string().min(1).optional(),
  })
  .strict();
export type EvalConfig = z.output<typeof evalConfigSchema>;

// ---- from the config to a market ----------------------------------------------------------------------------

/** The market a config names: the embedded default, an imported file (its kind read from the file), or a config. */
export function resolveMarket(m: EvalConfig["market"], window?: { from?: string; to?: string }, base = process.cwd()): MarketConfig {
  // A market's file is stored absolute, so the run folder's config reruns from anywhere.
  if (typeof m !== "string") return withWindow("file" in m && m.file !== undefined ? ({ ...m, file: resolve(base, m.file) } as MarketConfig) : (m as MarketConfig), window);
  if (m === "default") return withWindow(DEFAULT_MARKET, window);
  if (m.endsWith(".arrow")) {
    const file = resolve(base, m);
    const kind = openDataFile(file, ["l3", "l2"]).meta.kind;
    const config: MarketConfig = { ...costsOf(DEFAULT_MARKET), kind: kind === "l3" ? "lobster" : "binance", file };
    return withWindow(config, window);
  }
  if (/\.(json|ya?ml)$/i.test(m)) {
    const path = resolve(base, m);
    // A market config's own file paths are relative to the config's folder.
    return resolveMarket(parseConfig(market, loadConfigFile(path), m), window, dirname(path));
  }
  throw new ConfigError("CONFIG_INVALID", "market", `market: ${JSON.stringify(m)} is neither "default", an imported .arrow file nor a .json/.yaml market config`, "pass --market default, a file from `tranche data import-*`, or a market config file");
}

function costsOf(m: MarketConfig): Pick<MarketConfig, "fees" | "orderEntryLatency" | "marketDataLatency"> {
  return { fees: m.fees, orderEntryLatency: m.orderEntryLatency, marketDataLatency: m.marketDataLatency };
}

function withWindow(m: MarketConfig, window?: { from?: string; to?: string }): MarketConfig {
  if (window?.from === undefined && window?.to === undefined) return m;
  if (m.kind === "poisson" || m.kind === "preset") throw new ConfigError("CONFIG_INVALID", "--from/--to", `--from/--to set a replay's episode window, but the market is the generative ${m.kind === "preset" ? "preset" : "Poisson flow"} (it has no time of day)`, "drop --from/--to, or pass an imported .arrow file as --market");
  const from = window.from ?? (m.starts && "from" in m.starts ? m.starts.from : undefined);
  const to = window.to ?? (m.starts && "to" in m.starts ? m.starts.to : undefined);
  if (from === undefined || to === undefined) throw new ConfigError("CONFIG_INVALID", "--from/--to", "a replay window needs both --from and --to", "e.g. --from 09:45 --to 15:30");
  for (const [flag, v] of [["--from", from], ["--to", to]] as const)
    if (!timeOfDay.safeParse(v).success) throw new ConfigError("CONFIG_INVALID", flag, `${flag} ${JSON.stringify(v)} is not a time of day`, 'write it as "HH:MM" or "HH:MM:SS", e.g. --from 09:45');
  return { ...m, starts: { from, to } };
}

// ---- the command --------------------------------------------------------------------------------------------

interface EvalFlags {
  config?: string;
  set: string[];
  policies?: string;
  market?: string;
  episodes?: number;
  side?: string;
  qty?: number;
  horizon?: string;
  step?: string;
  seed?: number;
  workers?: number;
  batchSize?: number;
  reference?: string;
  markout?: string;
  from?: string;
  to?: string;
  out?: string;
}

/** The raw config: the file, the flags over it, then --set over both. */
function rawConfig(f: EvalFlags): unknown {
  // An empty file is an empty config: every field takes its default.
  const raw = ((f.config === undefined ? {} : loadConfigFile(f.config)) ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError("CONFIG_INVALID", f.config ?? "the config", `${f.config}: the config must be an object of fields (policies, market, episodes, parent, …)`, "write it as a YAML or JSON object, e.g. `episodes: 500`");
  const parent = { ...((raw.parent as Record<string, unknown> | undefined) ?? {}) };
  if (f.side !== undefined) parent.side = f.side;
  if (f.qty !== undefined) parent.lots = f.qty;
  if (f.horizon !== undefined) parent.horizon = f.horizon;
  if (f.step !== undefined) parent.step = f.step;
  const flags: Record<string, unknown> = {
    policies: f.policies?.split(",").map((s) => s.trim()).filter((s) => s.length > 0),
    market: f.market,
    episodes: f.episodes,
    seed: f.seed,
    workers: f.workers,
    batchSize: f.batchSize,
    reference: f.reference,
    markout: f.markout,
    out: f.out,
  };
  const merged: Record<string, unknown> = { ...raw, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  if (Object.keys(parent).length > 0) merged.parent = parent;
  return applySets(merged, f.set);
}

// Flags are checked as they are parsed, so a malformed one is a usage error (exit 2) like any other; the schema
// then reads the same text.
function durationFlag(value: string): string {
  const m = DURATION.exec(value.trim());
  if (!m || !(Number(m[1]) > 0)) throw new InvalidArgumentError('expected a duration longer than 0, such as "500ms", "90s", "2m" or "1h".');
  return value;
}

function timeOfDayFlag(value: string): string {
  if (!timeOfDay.safeParse(value).success) throw new InvalidArgumentError('expected a time of day "HH:MM" or "HH:MM:SS", e.g. 09:45.');
  return value;
}

/**
 * On a replay, the comparisons again with the bootstrap over windows of the horizon's length: episodes that overlap in
 * time see the same prices, so the episode-level interval above is too narrow. Against the best baseline where it is
 * not the reference.
 */
function timeBlockLines(s: EvalSummary): string[] {
  const shown = s.comparisons.filter((c) => c.timeBlocks !== undefined && c.kind === (s.best !== null && s.best !== s.setup.reference ? "best" : "reference"));
  if (shown.length === 0) return [];
  const b = shown[0].timeBlocks!;
  return [
    `  episodes overlap in time: bootstrap over the ${b.blocks} windows of ${b.blockSeconds / 60 >= 1 ? `${+(b.blockSeconds / 60).toFixed(2)} min` : `${b.blockSeconds} s`} they start in (${Math.round(b.level * 100)}%):`,
    ...shown.map((c) => `    ${c.policy} − ${c.against}: ${c.meanDiffBps.toFixed(2)} [${c.timeBlocks!.low.toFixed(2)}, ${c.timeBlocks!.high.toFixed(2)}]`),
  ];
}

/** Options shared by `tranche eval` and `tranche quickstart`. */
export function addEvalOptions(command: Command, defaults: { episodes: number }): Command {
  return addConfigOptions(
    command
      .option("--policies <list>", `comma-separated policies (${DEFAULT_POLICIES.join(", ")}; pov:<rate>, ac:<κT>)`)
      .option("--market <market>", 'market: "default" (the GOOG preset of the generative market, regime normal), an imported .arrow file, or a .json/.yaml market config (kind "preset" picks a preset and regime)')
      .option("--episodes <K>", `episodes per policy (default ${defaults.episodes})`, wholeNumber(1))
      .addOption(new Option("--side <side>", "parent order side (default buy)").choices(["buy", "sell"]))
      .option("--qty <lots>", "parent order size in lots (default 2000: 2,000 shares on the GOOG preset, whose lot is one share)", wholeNumber(1))
      .option("--horizon <duration>", 'time to the horizon, e.g. "120s", "10m" (default 10m)', durationFlag)
      .option("--step <duration>", 'decision interval, e.g. "1s" (default 10s)', durationFlag)
      .option("--seed <n>", "episode e runs seed + e (default 1)", wholeNumber(0))
      .option("--workers <n>", `worker threads (default every core: ${availableParallelism()}); 0 runs in this thread`, wholeNumber(0))
      .option("--batch-size <n>", "episodes per vector env (default 64)", wholeNumber(1))
      .option("--reference <policy>", "the policy every comparison is made against (default twap)")
      .option("--markout <duration>", "realised spread is measured this long after each fill (default 5s)", durationFlag)
      .option("--from <HH:MM>", "replay markets: the earliest episode start, local time", timeOfDayFlag)
      .option("--to <HH:MM>", "replay markets: the latest episode start, local time", timeOfDayFlag)
      .option("--out <dir>", "the run folder (default runs/eval-<date>-<time>); it must not hold files yet"),
  );
}

/** Runs an evaluation from the command's flags: validates everything, runs, writes the run folder, prints the table. */
export async function runEvalCommand(io: CliIO, flags: EvalFlags, defaults: { episodes: number; title: string }): Promise<Evaluation> {
  const raw = rawConfig(flags) as Record<string, unknown>;
  if (raw.episodes === undefined) raw.episodes = defaults.episodes;
  // Errors name where the config came from: the file, the command line, or both.
  const source = flags.config === undefined ? "the command line" : `${flags.config} with the command line`;
  const config = parseConfig(evalConfigSchema, raw, source);
  const specs = parsePolicies(config.policies);
  const p = config.parent;
  if (p.horizon < p.step || p.horizon % p.step !== 0)
    throw new ConfigError("CONFIG_INVALID", source, `parent.horizon (${seconds(p.horizon)}) must be a whole number of decision steps of parent.step (${seconds(p.step)})`, "choose a horizon that is a multiple of the step, e.g. --horizon 120s --step 1s");
  if (p.horizon / p.step > 1 << 20) throw new ConfigError("CONFIG_INVALID", source, `parent.horizon ÷ parent.step is ${p.horizon / p.step} decisions; at most ${1 << 20} are allowed`, "use a longer --step or a shorter --horizon");
  const reference = config.reference;
  if (reference !== undefined && !specs.some((s) => s.label === reference)) {
    const guess = closest(reference, specs.map((s) => s.label));
    throw new ConfigError("CONFIG_INVALID", source, `reference: "${reference}" is not among the policies evaluated (${specs.map((s) => s.label).join(", ")})${guess ? `; did you mean "${guess}"?` : ""}`, "add it to --policies or choose one of them");
  }
  const marketConfig = resolveMarket(config.market, { from: flags.from, to: flags.to }, flags.config !== undefined && flags.market === undefined ? dirname(resolve(flags.config)) : process.cwd());
  const out = resolve(config.out ?? defaultRunFolder());
  checkRunFolder(out);
  const workers = config.workers ?? availableParallelism();
  io.print(`${defaults.title}: ${specs.map((s) => s.label).join(", ")} on ${config.episodes} episodes each (common random numbers)`);
  const m = config.market;
  io.print(`  market: ${m === "default" ? "default (the GOOG preset, regime normal)" : typeof m === "string" ? m : m.kind === "preset" ? `preset ${m.name ?? m.file} (regime ${m.regime ?? "normal"})` : m.kind}; parent: ${p.side} ${p.lots} lots over ${seconds(p.horizon)} in ${seconds(p.step)} decisions; ${workers === 0 ? "in this thread" : `${workers} worker threads`}`);
  const progress = progressReporter(io);
  const evaluation = await evaluate(
    specs.map((s) => s.label),
    marketConfig,
    config.episodes,
    {
      parent: { side: p.side, parentLots: p.lots, horizonSteps: p.horizon / p.step, stepNs: p.step },
      seed: config.seed,
      workers,
      batchSize: config.batchSize,
      markoutNs: config.markout,
      reference: config.reference,
      config: { ...config, market: marketConfig, out },
      onProgress: progress.update,
    },
  ).finally(progress.stop);
  const written = writeRunFolder(out, evaluation);
  for (const line of formatTable(evaluation.summary)) io.print(line);
  io.print("");
  io.print(`run folder: ${displayPath(written.dir)} (episodes.arrow, summary.json, report.html)`);
  io.print(`report: ${displayPath(written.report)}  — open it in a browser: ${pathToFileURL(written.report).href}`);
  if (evaluation.summary.statisticsEpisodes < 2) {
    throw new EvalError(
      "NO_STATISTICS",
      `only ${evaluation.summary.statisticsEpisodes} of ${config.episodes} episodes were completed by every policy, so there are no statistics (the run folder is written)`,
      `the book could not absorb ${p.lots} lots within ${seconds(p.horizon)}: use a smaller --qty, a longer --horizon, or more --episodes`,
    );
  }
  return evaluation;
}

/** `tranche eval`. */
export function addEvalCommand(program: Command, io: CliIO): Command {
  const command = program
    .command("eval")
    .summary("evaluate policies against each other on the same episodes, with paired statistics and a report")
    .description(
      "Runs every policy on the same episodes of a market (common random numbers: the same seeds, replay windows " +
        "and background randomness), measures implementation shortfall and the execution metrics, compares each " +
        "policy with the reference and the best baseline (bootstrap interval, paired t-test, Wilcoxon, Holm, power), " +
        "bounds them by the best execution in hindsight, and writes a run folder: episodes.arrow, summary.json and " +
        "report.html. A config file (-c) gives any field; flags override it; --set overrides both.",
    );
  addEvalOptions(command, { episodes: 500 });
  return command.action(
    workAction(io, async (cmd) => {
      await runEvalCommand(io, cmd.opts<EvalFlags>(), { episodes: 500, title: "tranche eval" });
      return EXIT.done;
    }),
  );
}

// ---- output -------------------------------------------------------------------------------------------------

function defaultRunFolder(): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `runs/eval-${t}`;
}

function seconds(ns: number): string {
  const s = ns / 1e9;
  return s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${+s.toPrecision(4)} s`;
}

function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith("..") ? p : r;
}

/** A bar with ETA on a terminal; a plain line every tenth of the work otherwise. */
function progressReporter(io: CliIO): { update: (p: EvalProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "  {bar} {percentage}% | {value}/{total} policy-episodes | ETA {eta_formatted}", stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        if (!started) bar.start(p.total, 0), (started = true);
        bar.update(p.done);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let next = 0.1;
  const t0 = performance.now();
  return {
    update: (p) => {
      if (p.done / p.total + 1e-9 < next && p.done < p.total) return;
      while (next <= p.done / p.total + 1e-9) next += 0.1;
      io.print(`  ${p.done}/${p.total} policy-episodes (${Math.round((100 * p.done) / p.total)}%), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },
    stop: () => {},
  };
}

const fmt = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d));
const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : "—");
const pValue = (p: number) => (!Number.isFinite(p) ? "—" : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** The table printed at the end: IS statistics, the comparison with the reference, and the execution metrics. */
export function formatTable(s: EvalSummary): string[] {
  const vsRef = new Map(s.comparisons.filter((c) => c.kind === "reference").map((c) => [c.policy, c]));
  const head = ["policy", "IS mean", "median", "std", "CVaR95", `Δ vs ${s.setup.reference} [95% CI]`, "Holm p", "n for 80%", "fill", "passive", "done", "hindsight share"];
  const rows = s.policies.map((m) => {
    const c = vsRef.get(m.policy);
    const best = s.best !== null && m.policy === s.best ? " *" : "";
    return [
      m.policy + best,
      fmt(m.shortfallBps.mean),
      fmt(m.shortfallBps.median),
      fmt(m.shortfallBps.std),
      fmt(m.shortfallBps.cvar95),
      m.policy === s.setup.reference ? "(reference)" : c ? `${fmt(c.meanDiffBps)} [${fmt(c.bootstrap.low)}, ${fmt(c.bootstrap.high)}]` : "—",
      c ? pValue(c.holmP) : "",
      c ? (c.episodesFor80Power === null ? "—" : String(c.episodesFor80Power)) : "",
      pct(m.fillRatio.mean),
      pct(m.passiveShare.mean),
      pct(m.completionRate),
      pct(m.hindsightShare),
    ];
  });
  rows.push(["best in hindsight", fmt(s.hindsight.shortfallBps.mean), fmt(s.hindsight.shortfallBps.median), fmt(s.hindsight.shortfallBps.std), fmt(s.hindsight.shortfallBps.cvar95), "", "", "", "", "", "", ""]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => "  " + r.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join("  ");
  return [
    "",
    `implementation shortfall vs the arrival mid, bps, fees included (positive = cost); ${s.statisticsEpisodes} episodes every policy completed; * = best`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    `  Δ = policy − ${s.setup.reference} per episode; ${s.comparisons[0]?.bootstrap.method ?? "percentile"} bootstrap interval; Holm-adjusted Wilcoxon p; hindsight share = saving vs ${s.setup.reference} ÷ the saving the best schedule of market orders in hindsight had.`,
    ...timeBlockLines(s),
    `  ${(s.timing.seconds).toFixed(1)} s wall (${s.timing.workers === 0 ? "in this thread" : `${s.timing.workers} worker${s.timing.workers === 1 ? "" : "s"}`}; env ${(s.timing.envSeconds).toFixed(1)} s summed over them)`,
  ];
}
