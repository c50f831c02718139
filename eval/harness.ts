// evaluate(): every policy on the same K episodes (common random numbers: episode e is episode 0 of seed
// seed + e for every policy, so the same background flow, latency draws and replay window), in blocks of
// `batchSize` episodes through the vector env, spread over worker threads. Then the summary: execution metrics,
// paired statistics and the best execution in hindsight (eval/summary.ts).
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { MarketConfig } from "../env/markets.js";
import { TrancheError } from "../errors.js";
import { EvalError } from "./errors.js";
import { RECORD_FIELDS, UnitRunner, type RunSpec, type Unit, type UnitResult } from "./episodes.js";
import { parsePolicies, type PolicySpec } from "./policies.js";
import type { BootstrapInterval } from "./stats.js";
import { planComparisons, summarizeRun, type PlannedComparison } from "./summary.js";
import type { EvalSummary } from "./types.js";
import type { BootstrapJob, WorkerMessage } from "./worker.js";

/** The parent order of an evaluation. */
export interface ParentOrder {
  side: "buy" | "sell";
  parentLots: number;
  horizonSteps: number;
  /** Decision interval, ns. */
  stepNs: number;
}

/** The default parent order: buy 200 lots over 120 one-second decisions. */
export const DEFAULT_PARENT: ParentOrder = { side: "buy", parentLots: 200, horizonSteps: 120, stepNs: 1_000_000_000 };

/** Progress of a run, after every block of episodes. */
export interface EvalProgress {
  /** Policy-episodes finished, of policies × episodes (the hindsight run counts as one more policy). */
  done: number;
  total: number;
}

export interface EvaluateOptions {
  /** Default {@link DEFAULT_PARENT}. */
  parent?: ParentOrder;
  /** Episode e runs seed + e. Default 1. */
  seed?: number;
  /** Worker threads; default every core. 0 runs in this thread. Results do not depend on it. */
  workers?: number;
  /** Episodes per vector env. Default 64. Results do not depend on it. */
  batchSize?: number;
  /** Realised spread is measured this long after each fill, ns. Default 5 s. */
  markoutNs?: number;
  /** Book levels the hindsight run records per decision. Default 20. */
  levels?: number;
  /** The policy every comparison is made against. Default "twap" when it runs, else the first policy. */
  reference?: string;
  /** Seed of the bootstrap resampling. Default the run's seed. */
  bootstrapSeed?: number;
  /** Stored in the summary as the exact config that ran (the CLI passes its resolved config). */
  config?: unknown;
  onProgress?: (progress: EvalProgress) => void;
}

/** The raw results of a run, one array per policy in the order asked for, and its summary. */
export interface Evaluation {
  summary: EvalSummary;
  policies: PolicySpec[];
  /** Per policy: episodes × RECORD_FIELDS.length values, episode-major (see RECORD_FIELDS). */
  records: Float64Array[];
  /** Per policy: episodes × (horizon + 1) fractions of the parent left before each decision. */
  remaining: Float64Array[];
  /** Per episode: the best execution in hindsight, bps. */
  hindsightBps: Float64Array;
}

function whole(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new EvalError("INVALID_OPTION", `${name} must be a whole number in [${min}, ${max}], got ${String(v)}`, `give ${name} a whole number >= ${min}`);
  return v;
}

/**
 * Runs `policies` (names: {@link POLICIES}) on the same `episodes` episodes of `market` and summarises them.
 * Every option is checked before any work starts; a bad one throws EvalError naming it.
 */
export async function evaluate(policies: readonly string[], market: MarketConfig, episodes: number, options: EvaluateOptions = {}): Promise<Evaluation> {
  const specs = parsePolicies(policies);
  whole("episodes", episodes, 1, 10_000_000);
  const parent = options.parent ?? DEFAULT_PARENT;
  const seed = whole("seed", options.seed ?? 1, 0, 2 ** 47);
  const workers = whole("workers", options.workers ?? availableParallelism(), 0, 256);
  const batchSize = whole("batchSize", options.batchSize ?? 64, 1, 65_536);
  const markoutNs = whole("markoutNs", options.markoutNs ?? 5_000_000_000, 0);
  const levels = whole("levels", options.levels ?? 20, 1, 1000);
  const reference = options.reference ?? (specs.some((s) => s.label === "twap") ? "twap" : specs[0].label);
  if (!specs.some((s) => s.label === reference))
    throw new EvalError("INVALID_OPTION", `the reference policy "${reference}" is not among the policies evaluated (${specs.map((s) => s.label).join(", ")})`, "add it to the policies or choose one of them as the reference");
  if (parent.side !== "buy" && parent.side !== "sell") throw new EvalError("INVALID_OPTION", `side must be "buy" or "sell", got ${JSON.stringify(parent.side)}`, 'use "buy" or "sell"');
  whole("parentLots", parent.parentLots, 1);
  whole("horizonSteps", parent.horizonSteps, 1, 1 << 20);
  whole("stepNs", parent.stepNs, 1);

  const spec: RunSpec = { market, task: parent, policies: specs, seed, markoutNs, levels };
  // Units: the hindsight run (policy -1), then each policy, block by block.
  const units: Unit[] = [];
  for (let p = -1; p < specs.length; p++) {
    for (let first = 0; first < episodes; first += batchSize) units.push({ id: units.length, policy: p, first, count: Math.min(batchSize, episodes - first) });
  }
  const total = (specs.length + 1) * episodes;
  let done = 0;
  const started = performance.now();
  const results: UnitResult[] = new Array(units.length);
  const onResult = (r: UnitResult) => {
    results[r.id] = r;
    done += units[r.id].count;
    options.onProgress?.({ done, total });
  };
  const F = RECORD_FIELDS.length, K = parent.horizonSteps;
  const records = specs.map(() => new Float64Array(episodes * F));
  const remaining = specs.map(() => new Float64Array(episodes * (K + 1)));
  const hindsightBps = new Float64Array(episodes);
  let envSeconds = 0;
  const bootstrapSeed = options.bootstrapSeed ?? seed;
  // Once every unit is back: the episodes in order, then the comparisons whose bootstraps the workers compute.
  const assemble = (): PlannedComparison[] => {
    for (const u of units) {
      const r = results[u.id];
      envSeconds += r.envSeconds;
      if (u.policy < 0) hindsightBps.set(r.hindsightBps!, u.first);
      else {
        records[u.policy].set(r.records!, u.first * F);
        remaining[u.policy].set(r.remaining!, u.first * (K + 1));
      }
    }
    return planComparisons({ spec, episodes, reference, records, bootstrapSeed });
  };
  let description: string, bootstraps: BootstrapInterval[] | undefined;
  if (workers === 0) {
    description = await runHere(spec, units, onResult);
    assemble();
  } else {
    ({ description, bootstraps } = await runInWorkers(spec, units, Math.min(workers, units.length), onResult, assemble));
  }
  const summary = summarizeRun({
    spec,
    description,
    episodes,
    reference,
    records,
    remaining,
    hindsightBps,
    bootstrapSeed,
    bootstraps,
    config: options.config ?? { policies: specs.map((s) => s.label), market, episodes, parent, seed, markoutNs, levels, reference },
    timing: { seconds: NaN, envSeconds, workers, batchSize },
  });
  // The whole run, statistics included.
  summary.timing.seconds = (performance.now() - started) / 1000;
  return { summary, policies: specs, records, remaining, hindsightBps };
}

async function runHere(spec: RunSpec, units: Unit[], onResult: (r: UnitResult) => void): Promise<string> {
  const runner = new UnitRunner(spec);
  for (const u of units) onResult(await runner.run(u));
  return runner.loaded.description;
}

/**
 * The worker's module: the compiled JavaScript beside this file, or, when this file runs as TypeScript source
 * (tests, benchmarks under tsx), a bootstrap that loads the TypeScript worker through tsx's API.
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith(".ts")) return { entry: new URL("./worker.js", import.meta.url), eval: false };
  const worker = new URL("./worker.ts", import.meta.url).href;
  const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "esm", "api", "index.mjs")).href;
  return { entry: `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(worker)}, ${JSON.stringify(worker)}));`, eval: true };
}

/**
 * Hands units to workers as they free up; when every unit is back, `afterUnits` plans the comparisons and the
 * workers compute their bootstraps (the summary's heaviest part) the same way. Resolves with the market's
 * description and the bootstraps in plan order.
 */
function runInWorkers(
  spec: RunSpec,
  units: Unit[],
  count: number,
  onResult: (r: UnitResult) => void,
  afterUnits: () => PlannedComparison[],
): Promise<{ description: string; bootstraps: BootstrapInterval[] }> {
  const { entry, eval: isCode } = workerEntry();
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0, back = 0, description = "", failed = false;
    let jobs: BootstrapJob[] = [];
    const bootstraps: BootstrapInterval[] = [];
    let nextJob = 0, jobsBack = 0;
    const stop = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(e);
    };
    let completed = false;
    const finish = () => {
      completed = true;
      for (const x of pool) void x.terminate();
      resolve({ description, bootstraps });
    };
    const feed = (w: Worker) => {
      if (next < units.length) w.postMessage(units[next++]);
      else if (nextJob < jobs.length) w.postMessage(jobs[nextJob++]);
    };
    for (let k = 0; k < count; k++) {
      const w = new Worker(entry, { workerData: spec, eval: isCode });
      pool.push(w);
      w.on("message", (m: WorkerMessage) => {
        if (m.type === "ready") {
          description = m.description;
          feed(w);
        } else if (m.type === "result") {
          onResult(m.result);
          back++;
          if (back === units.length) {
            try {
              jobs = afterUnits().map((c, id) => ({ type: "bootstrap", id, differences: c.differences, seed: c.seed }));
            } catch (e) {
              return stop(e as Error);
            }
            if (jobs.length === 0) return finish();
            for (const x of pool) feed(x);
          } else feed(w);
        } else if (m.type === "bootstrap") {
          bootstraps[m.id] = m.interval;
          if (++jobsBack === jobs.length) finish();
          else feed(w);
        } else stop(remoteError(m));
      });
      w.on("error", (e) => stop(e));
      w.on("exit", (code) => {
        if (!completed && !failed) stop(new EvalError("WORKER_FAILED", `an evaluation worker exited with code ${code} before finishing its work`, "run again with --workers 0 to see the error in this thread"));
      });
    }
  });
}

/** A worker's error as this thread's: a TrancheError keeps its name, code, message and hint; anything else is a bug. */
function remoteError(m: Extract<WorkerMessage, { type: "error" }>): Error {
  const e = m.code !== undefined ? new TrancheError(m.code, m.message, m.hint) : new Error(m.message);
  if (m.name) e.name = m.name;
  return e;
}
