// From the per-episode records of a run to its summary: per-policy execution metrics, the paired comparisons
// against the reference and the best baseline (Holm across all of them), the best execution in hindsight and
// each policy's share of it, the mean inventory trajectories, and how the run was made.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { almgrenChrissTrajectory } from "../agents/index.js";
import { FIELD, RECORD_FIELDS, type RecordField, type RunSpec } from "./episodes.js";
import { blockBootstrapCI, bootstrapCI, episodesForPower, holm, pairedDifferences, pairedTTest, summarize, wilcoxonSignedRank, type BootstrapInterval } from "./stats.js";
import type { Comparison, EvalSetup, EvalSummary, MeanOf, PolicyMetrics } from "./types.js";
import { POLICIES } from "./policies.js";

export const SUMMARY_FORMAT = "tranche-eval/1";

export interface RunOutcome {
  spec: RunSpec;
  description: string;
  episodes: number;
  reference: string;
  records: Float64Array[];
  remaining: Float64Array[];
  hindsightBps: Float64Array;
  bootstrapSeed: number;
  config: unknown;
  timing: EvalSummary["timing"];
  /** The bootstrap of each planned comparison ({@link planComparisons}), when computed elsewhere (the workers). */
  bootstraps?: BootstrapInterval[];
}

/** The episodes every policy completed, each policy's costs on them, the reference and the best baseline. */
interface CommonCosts {
  common: number[];
  costs: Float64Array[];
  means: number[];
  refIndex: number;
  /** -1 when no episode is common. */
  bestIndex: number;
}

function commonCosts(o: Pick<RunOutcome, "spec" | "episodes" | "reference" | "records">): CommonCosts {
  const F = RECORD_FIELDS.length;
  const common: number[] = [];
  for (let e = 0; e < o.episodes; e++) if (o.records.every((r) => r[e * F + FIELD.incomplete] === 0)) common.push(e);
  const costs = o.records.map((r) => Float64Array.from(common, (e) => r[e * F + FIELD.shortfallBps]));
  const means = costs.map((c) => (c.length > 0 ? c.reduce((a, b) => a + b, 0) / c.length : NaN));
  let bestIndex = -1;
  for (let i = 0; i < means.length; i++) if (Number.isFinite(means[i]) && (bestIndex < 0 || means[i] < means[bestIndex])) bestIndex = i;
  return { common, costs, means, refIndex: o.spec.policies.findIndex((p) => p.label === o.reference), bestIndex };
}

/** One paired comparison a run makes: policy p against q on the common episodes, and its bootstrap seed. */
export interface PlannedComparison {
  p: number;
  q: number;
  kind: Comparison["kind"];
  differences: Float64Array;
  seed: number;
}

/**
 * The comparisons of a run, in the summary's order: every policy against the reference, then every other policy
 * against the best baseline when the best is not the reference. None with fewer than two common episodes.
 */
export function planComparisons(o: Pick<RunOutcome, "spec" | "episodes" | "reference" | "records" | "bootstrapSeed">, cc: CommonCosts = commonCosts(o)): PlannedComparison[] {
  const { costs, refIndex, bestIndex } = cc;
  if (cc.common.length < 2) return [];
  const pairs: Omit<PlannedComparison, "differences" | "seed">[] = [];
  for (let p = 0; p < costs.length; p++) if (p !== refIndex) pairs.push({ p, q: refIndex, kind: "reference" });
  if (bestIndex >= 0 && bestIndex !== refIndex) for (let p = 0; p < costs.length; p++) if (p !== bestIndex && p !== refIndex) pairs.push({ p, q: bestIndex, kind: "best" });
  return pairs.map((c, k) => ({ ...c, differences: pairedDifferences(costs[c.p], costs[c.q]), seed: o.bootstrapSeed + k }));
}

/** The bootstrap a planned comparison reports: the seeded percentile interval of its mean difference. */
export function comparisonBootstrap(c: Pick<PlannedComparison, "differences" | "seed">): BootstrapInterval {
  return bootstrapCI(c.differences, { seed: c.seed });
}

/** How the hindsight bound is found, in the report's words. */
export const HINDSIGHT_METHOD =
  "The cheapest schedule of market orders that completes the parent, found in hindsight by dynamic programming over " +
  "decisions and inventory left, on the realised path of the same episode without the agent: an order of q lots at a " +
  "decision walks that decision's recorded book (20 levels; past them, the horizon's deepest level), with the taker fee, " +
  "and the book refills between decisions; a replay's linear permanent impact shifts later prices (other impact shapes " +
  "are not in it). No policy could run it: it sees the future book. An episode whose horizon book is empty on the parent's " +
  "side has no bound and is left out of it.";

/** Builds the summary JSON of a run. Statistics use the episodes every policy completed; completion uses all. */
export function summarizeRun(o: RunOutcome): EvalSummary {
  const { spec, episodes } = o;
  const F = RECORD_FIELDS.length, K = spec.task.horizonSteps;
  const labels = spec.policies.map((p) => p.label);
  // The common set: episodes that every policy completed (an incomplete episode's cost leaves lots uncounted);
  // the best baseline is the lowest mean over it (none when no episode is common).
  const cc = commonCosts(o);
  const { common, costs, means, refIndex, bestIndex } = cc;
  const column = (p: number, field: RecordField, rows: readonly number[] = common) => Float64Array.from(rows, (e) => o.records[p][e * F + FIELD[field]]);
  // The bound exists where the horizon's book had a price on the parent's side (a generative market's side can empty).
  const bounded = common.filter((e) => Number.isFinite(o.hindsightBps[e]));
  const hindsight = Float64Array.from(bounded, (e) => o.hindsightBps[e]);
  const n = common.length;
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  // The saving the hindsight bound shows against the reference, on the episodes that have one; a reference already
  // below the bound has none to share.
  const refCost = (e: number) => o.records[refIndex][e * F + FIELD.shortfallBps];
  const available = bounded.length > 0 ? mean(Float64Array.from(bounded, refCost)) - mean(hindsight) : NaN;

  const policies: PolicyMetrics[] = spec.policies.map((ps, p) => {
    const entry = POLICIES[ps.name];
    const completed = episodes - column(p, "incomplete", range(episodes)).reduce((a, b) => a + b, 0);
    const meanOf = (field: RecordField): MeanOf => {
      const x = column(p, field).filter((v) => Number.isFinite(v));
      return { mean: x.length > 0 ? mean(x) : NaN, n: x.length };
    };
    return {
      policy: ps.label,
      summary: entry.summary,
      params: entry.param ? { [entry.param.meaning.split(":")[0]]: ps.param } : {},
      episodes,
      completed,
      completionRate: completed / episodes,
      shortfallBps: n > 0 ? summarize(costs[p]) : emptySummary(),
      arrivalSlippageBps: meanOf("arrivalSlippageBps"),
      intervalVwapSlippageBps: meanOf("intervalVwapSlippageBps"),
      effectiveSpreadBps: meanOf("effectiveSpreadBps"),
      realisedSpreadBps: meanOf("realisedSpreadBps"),
      fillRatio: meanOf("fillRatio"),
      passiveShare: meanOf("passiveShare"),
      feesBps: meanOf("feesBps"),
      participation: meanOf("participation"),
      hindsightShare: available > 0 ? (means[refIndex] - means[p]) / available : NaN,
    };
  });

  const planned = planComparisons(o, cc);
  if (o.bootstraps !== undefined && o.bootstraps.length !== planned.length) throw new Error(`summarizeRun: ${o.bootstraps.length} bootstraps for ${planned.length} comparisons`);
  const comparisons: Comparison[] = planned.map((c, k) => compare(labels[c.p], labels[c.q], c, o.bootstraps?.[k] ?? comparisonBootstrap(c)));
  const adjusted = holm(comparisons.map((c) => (Number.isNaN(c.wilcoxon.p) ? 1 : c.wilcoxon.p)));
  comparisons.forEach((c, k) => (c.holmP = adjusted[k]));

  // On a replay, episodes that start within one horizon of each other share prices: the block bootstrap resamples
  // whole windows of the horizon's length.
  const startS = column(0, "startTimeOfDayS");
  const blockSeconds = (spec.task.horizonSteps * spec.task.stepNs) / 1e9;
  if (startS.length > 1 && startS.every((v) => Number.isFinite(v))) {
    const blocks = Array.from(startS, (v) => Math.floor(v / blockSeconds));
    if (new Set(blocks).size >= 2) comparisons.forEach((c, k) => (c.timeBlocks = { ...blockBootstrapCI(planned[k].differences, blocks, { seed: planned[k].seed }), blockSeconds }));
  }

  const trajectories = labels.map((policy, p) => {
    const r = new Array<number>(K + 1).fill(0);
    for (let e = 0; e < episodes; e++) for (let k = 0; k <= K; k++) r[k] += o.remaining[p][e * (K + 1) + k];
    return { policy, remaining: r.map((v) => v / episodes) };
  });
  const ac = spec.policies.find((s) => s.name === "ac");
  const horizonS = (K * spec.task.stepNs) / 1e9;
  const kappaPerS = (ac?.param ?? POLICIES.ac.param!.default) / horizonS;
  const acCurve = Array.from(almgrenChrissTrajectory(1, K, kappaPerS, spec.task.stepNs / 1e9));

  const start = column(0, "startTimeOfDayS", range(episodes));
  const setup: EvalSetup = {
    market: o.description,
    marketKind: spec.market.kind,
    side: spec.task.side,
    parentLots: spec.task.parentLots,
    horizonSteps: K,
    stepNs: spec.task.stepNs,
    fees: spec.market.fees ?? { makerBps: 0, takerBps: 0 },
    latency: { orderEntry: latencyText(spec.market.orderEntryLatency), marketData: latencyText(spec.market.marketDataLatency) },
    markoutNs: spec.markoutNs,
    episodes,
    seed: spec.seed,
    reference: o.reference,
    hasTimeOfDay: Number.isFinite(start[0]),
  };
  return {
    format: SUMMARY_FORMAT,
    createdAt: new Date().toISOString(),
    codeVersion: codeVersion(),
    config: o.config,
    setup,
    policies,
    statisticsEpisodes: n,
    best: bestIndex >= 0 ? labels[bestIndex] : null,
    comparisons,
    hindsight: { method: HINDSIGHT_METHOD, shortfallBps: hindsight.length > 0 ? summarize(hindsight) : emptySummary() },
    trajectories,
    almgrenChriss: { kappaPerS, remaining: acCurve },
    episodes: {
      seeds: range(episodes).map((e) => spec.seed + e),
      startTimeOfDayS: Array.from(start, (s) => (Number.isFinite(s) ? s : null)),
      shortfallBps: Object.fromEntries(labels.map((l, p) => [l, Array.from(column(p, "shortfallBps", range(episodes)))])),
      incomplete: Object.fromEntries(labels.map((l, p) => [l, Array.from(column(p, "incomplete", range(episodes)))])),
      hindsightBps: Array.from(o.hindsightBps, (x) => (Number.isFinite(x) ? x : null)),
    },
    timing: o.timing,
  };
}

function compare(policy: string, against: string, c: PlannedComparison, bootstrap: BootstrapInterval): Comparison {
  const d = c.differences;
  const t = pairedTTest(d);
  const w = wilcoxonSignedRank(d);
  const power = episodesForPower(d);
  return {
    policy,
    against,
    kind: c.kind,
    n: d.length,
    meanDiffBps: t.meanDiff,
    bootstrap,
    tTest: { t: t.t, df: t.df, p: t.p },
    wilcoxon: { statistic: w.statistic, p: w.p, method: w.method },
    holmP: NaN,
    episodesFor80Power: Number.isFinite(power.episodes) ? power.episodes : null,
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function emptySummary(): EvalSummary["hindsight"]["shortfallBps"] {
  return { n: 0, mean: NaN, median: NaN, std: NaN, q05: NaN, q95: NaN, cvar95: NaN };
}

function latencyText(l: RunSpec["market"]["orderEntryLatency"]): string {
  if (l === undefined) return "none";
  const ms = (ns: number) => `${+(ns / 1e6).toPrecision(3)} ms`;
  switch (l.kind) {
    case "constant": return `constant ${ms(l.ns)}`;
    case "uniform": return `uniform ${ms(l.minNs)}–${ms(l.maxNs)}`;
    case "lognormal": return `lognormal, median ${ms(l.medianNs)}, σ ${l.sigma}${l.capNs !== undefined ? `, capped at ${ms(l.capNs)}` : ""}`;
  }
}

let version: EvalSummary["codeVersion"] | undefined;
/** The package version and, in a git checkout, its commit (with "-dirty" when the tree has changes). */
export function codeVersion(): EvalSummary["codeVersion"] {
  if (version) return version;
  const require = createRequire(import.meta.url);
  let dir = dirname(fileURLToPath(import.meta.url));
  let pkg: { version?: string } = {};
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      pkg = require(`${dir}/package.json`) as { version?: string };
      break;
    } catch {
      /* not here: one folder up */
    }
  }
  let commit: string | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (dirty) commit += "-dirty";
  } catch {
    commit = null;
  }
  version = { package: pkg.version ?? "unknown", commit };
  return version;
}
