// `npm run bench [-- <filter>]`: runs every registered benchmark (or those whose name contains the filter),
// prints progress and a table, and writes bench/results.json.
//
// To add benchmarks, write bench/<topic>.ts exporting a `Benchmark[]` and add it to REGISTRY below.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { batchBenchmarks } from "./batch.js";
import { bookBenchmarks } from "./book.js";
import { envBenchmarks } from "./env.js";
import { evalBenchmarks } from "./eval.js";
import { generativeBenchmarks } from "./generative.js";
import { ppoBenchmarks } from "./ppo.js";
import { type BenchResult, type Benchmark, formatRate } from "./harness.js";
import { replayBenchmarks } from "./replay.js";

const REGISTRY: Benchmark[] = [...bookBenchmarks, ...batchBenchmarks, ...replayBenchmarks, ...envBenchmarks, ...evalBenchmarks, ...generativeBenchmarks, ...ppoBenchmarks];

const resultsPath = join(dirname(fileURLToPath(import.meta.url)), "results.json");

function formatValue(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return "-";
  if (unit.endsWith("/s")) return formatRate(v).replace("/s", "");
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(2);
}

function printTable(results: BenchResult[]): void {
  const header = ["name", "median", "min", "max", "unit", "runs", "peer", "peer median", "ours/peer", "p50/p99/p999 µs"];
  const rows = results.map((r) => [
    r.name, formatValue(r.median, r.unit), formatValue(r.min, r.unit), formatValue(r.max, r.unit), r.unit, String(r.runs),
    r.peer ?? "", r.peer_median === undefined ? "" : formatValue(r.peer_median, r.unit),
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
    r.p50 === undefined ? "" : `${r.p50.toFixed(1)}/${r.p99?.toFixed(1)}/${r.p999?.toFixed(1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log("\n" + line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    if (r.details === undefined) continue;
    const text = Object.entries(r.details)
      .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v}`)
      .join(" ");
    console.log(`  ${r.name}: ${text}`);
  }
}

/** A filtered run replaces its own entries in results.json and keeps the others, in registry order. */
function mergeResults(fresh: BenchResult[]): BenchResult[] {
  let previous: BenchResult[] = [];
  if (existsSync(resultsPath)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(resultsPath, "utf8"));
      if (Array.isArray(parsed)) previous = parsed as BenchResult[];
    } catch {
      console.warn(`bench: ${resultsPath} is not valid JSON; rewriting it with this run's results only`);
    }
  }
  const names = new Set(fresh.map((r) => r.name));
  return [...previous.filter((r) => !names.has(r.name)), ...fresh];
}

async function main(): Promise<void> {
  const names = new Set<string>();
  for (const b of REGISTRY) {
    if (names.has(b.name)) throw new Error(`two benchmarks are named "${b.name}"; names must be unique`);
    names.add(b.name);
  }
  const filter = process.argv[2] ?? "";
  const selected = REGISTRY.filter((b) => b.name.includes(filter));
  if (selected.length === 0) {
    console.error(`bench: no benchmark name contains "${filter}". Benchmarks: ${REGISTRY.map((b) => b.name).join(", ")}`);
    process.exit(2);
  }

  const started = performance.now();
  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const [i, b] of selected.entries()) {
    const t0 = performance.now();
    console.log(`[${i + 1}/${selected.length}] ${b.name}: ${b.description}`);
    try {
      const out = await b.run({ log: (message) => console.log(`  ${b.name}: ${message}`) });
      results.push(...out);
      console.log(`  ${b.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed.push(b.name);
      console.error(`  ${b.name}: FAILED: ${(e as Error).message}`);
    }
  }

  const merged = mergeResults(results);
  writeFileSync(resultsPath, JSON.stringify(merged, null, 2) + "\n");
  printTable(results);
  const over = results.filter((r) => r.details?.withinLimit === false).map((r) => r.name);
  console.log(`\nwrote ${resultsPath} (${results.length} fresh entries, ${merged.length} in all); ` +
    `total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (over.length > 0) console.error(`bench: over budget: ${over.join(", ")}`);
  if (failed.length > 0) console.error(`bench: failed: ${failed.join(", ")}`);
  if (failed.length > 0 || over.length > 0) process.exitCode = 1;
}

await main();
