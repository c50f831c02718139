// The benchmark contract every bench/*.ts file implements, and the timing and statistics helpers they share.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** One line of bench/results.json. */
export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  /** Timed runs behind median/min/max. */
  runs: number;
  /** The implementation timed side by side with ours in the same process and run, if any. */
  peer?: string;
  peer_median?: number;
  /** ours / peer, in the direction where higher is better for ours (throughput: ours/peer). */
  ratio?: number;
  /** Latency percentiles in microseconds, for latency benchmarks. */
  p50?: number;
  p99?: number;
  p999?: number;
  /** Benchmark-specific context (workload shape, configuration); printed, and kept in the JSON. */
  details?: Record<string, number | string | boolean>;
}

/** What a benchmark may use while it runs. */
export interface BenchContext {
  /** A progress line on stdout, prefixed with the benchmark's name. */
  log(message: string): void;
}

/** A benchmark definition: bench/<topic>.ts exports a list of these and bench/run.ts registers the list. */
export interface Benchmark {
  /** Unique; `npm run bench -- <filter>` runs the benchmarks whose name contains the filter. */
  name: string;
  /** One line for the table and README: what is measured and against what. */
  description: string;
  run(ctx: BenchContext): Promise<BenchResult[]> | BenchResult[];
}

/** Wall time of `fn` in seconds (monotonic clock). */
export function timeSeconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

let collect: (() => void) | undefined;

/**
 * Runs a full garbage collection before a timed section, so garbage left by an earlier run (the JS peer
 * makes plenty) is not collected on another implementation's clock.
 */
export function settleHeap(): void {
  if (collect === undefined) {
    // tsx gives no way to pass --expose-gc; setting the flag at run time exposes gc in a new context.
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}

/** A rate in a short human form: 23.41 M/s, 712.3 k/s. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(1)} /s`;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median (mean of the middle two for even counts), min and max of a sample. */
export function summarize(values: ArrayLike<number>): Summary {
  if (values.length === 0) throw new Error("summarize: no samples");
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], runs: n };
}

/** Nearest-rank percentile (q in [0, 1]) of an ascending-sorted sample. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) throw new Error("percentileSorted: no samples");
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Latency fields of a BenchResult from raw samples in microseconds: median/min/max plus p50, p99 and p999.
 * p999 needs at least ~1000 samples to mean anything; below that it is the maximum.
 */
export function latencySummary(samplesUs: Float64Array): Summary & { p50: number; p99: number; p999: number } {
  const sorted = Float64Array.from(samplesUs).sort();
  return {
    ...summarize(sorted),
    p50: percentileSorted(sorted, 0.5),
    p99: percentileSorted(sorted, 0.99),
    p999: percentileSorted(sorted, 0.999),
  };
}

/** Throws when a benchmark's correctness precondition fails: a figure from a broken workload is void. */
export function mustHold(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`benchmark precondition failed: ${message}`);
}
