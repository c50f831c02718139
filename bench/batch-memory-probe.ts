// Run as its own process by the batch-memory benchmark: builds 1024 markets, steps them, prints the RSS
// growth and bytesReserved as one JSON line. A fresh process keeps other benchmarks' freed memory out of it.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BatchMarket } from "../native/index.js";

export const BATCH_MEMORY_LIMIT_MIB = 1024;
const MARKETS = 1024;
const STEPS = 300;
const DT_NS = 100_000_000;

export interface MemoryProbeResult {
  markets: number;
  steps: number;
  rssGrowthMiB: number;
  bytesReservedMiB: number;
  seconds: number;
}

const MiB = 1024 * 1024;

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function probe(): MemoryProbeResult {
  collect();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const batch = new BatchMarket({ markets: MARKETS });
  batch.reset(11);
  for (let k = 0; k < STEPS; k++) batch.step(DT_NS);
  const seconds = (performance.now() - t0) / 1000;
  collect();
  const rssAfter = process.memoryUsage().rss;
  return {
    markets: MARKETS, steps: STEPS, rssGrowthMiB: (rssAfter - rssBefore) / MiB,
    bytesReservedMiB: batch.bytesReserved() / MiB, seconds,
  };
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  console.log(JSON.stringify(probe()));
}
