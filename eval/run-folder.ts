// A run folder: episodes.arrow (one row per episode per policy), summary.json (the summary, the exact config,
// seeds and code version) and report.html. Written all or nothing: the files go into a temporary folder beside
// the target, which is renamed into place only when all three are complete.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Field, Schema, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from "apache-arrow";
import { EvalError } from "./errors.js";
import { RECORD_FIELDS } from "./episodes.js";
import type { Evaluation } from "./harness.js";
import { renderReport } from "./report.js";

export const EPISODES_FORMAT = "tranche-eval-episodes/1";

/** The files of a run folder, by name. */
export const RUN_FILES = { episodes: "episodes.arrow", summary: "summary.json", report: "report.html" } as const;

/**
 * Refuses a run folder that already holds files (a previous run would be mixed with this one) or whose parent
 * cannot hold it. Call it before the evaluation starts, so a bad --out costs nothing.
 */
export function checkRunFolder(dir: string): void {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new EvalError("RUN_FOLDER", `${target} exists and is not a folder`, "choose another --out");
    if (readdirSync(target).length > 0) throw new EvalError("RUN_FOLDER", `the run folder ${target} already holds files; a run never mixes its files with another's`, "choose another --out, or remove the old run first");
  }
  const parent = dirname(target);
  if (existsSync(parent) && !statSync(parent).isDirectory()) throw new EvalError("RUN_FOLDER", `${parent} is not a folder, so ${target} cannot be created in it`, "choose another --out");
}

/** One row per (policy, episode): the policy's label, the episode, its seed, every record field and the hindsight cost. */
export function episodesTable(evaluation: Evaluation): Table {
  const { policies, records, hindsightBps, summary } = evaluation;
  const E = hindsightBps.length, F = RECORD_FIELDS.length, rows = policies.length * E;
  const policy: string[] = new Array(rows);
  const episode = new Int32Array(rows), seed = new Float64Array(rows), hindsight = new Float64Array(rows);
  const fields = RECORD_FIELDS.map(() => new Float64Array(rows));
  for (let p = 0; p < policies.length; p++) {
    for (let e = 0; e < E; e++) {
      const r = p * E + e;
      policy[r] = policies[p].label;
      episode[r] = e;
      seed[r] = summary.episodes.seeds[e];
      hindsight[r] = hindsightBps[e];
      for (let f = 0; f < F; f++) fields[f][r] = records[p][e * F + f];
    }
  }
  const columns: Record<string, Vector> = {
    policy: vectorFromArray(policy, new Utf8()),
    episode: vectorFromArray(episode),
    seed: vectorFromArray(seed),
  };
  RECORD_FIELDS.forEach((name, f) => (columns[name] = vectorFromArray(fields[f])));
  columns.hindsightBps = vectorFromArray(hindsight);
  const table = new Table(columns);
  const metadata = new Map([
    ["tranche_format", EPISODES_FORMAT],
    ["units", "bps of the arrival notional for *Bps columns (positive = cost); shares in [0, 1]; startNs since the flow's origin"],
  ]);
  return new Table(new Schema(table.schema.fields.map((f) => new Field(f.name, f.type, f.nullable)), metadata), table.batches);
}

/** Writes the run folder `dir` (which must not hold files yet); returns the paths written. */
export function writeRunFolder(dir: string, evaluation: Evaluation): { dir: string; episodes: string; summary: string; report: string } {
  checkRunFolder(dir);
  const target = resolve(dir);
  const parent = dirname(target);
  const partial = join(parent, `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(partial);
    writeFileSync(join(partial, RUN_FILES.episodes), tableToIPC(episodesTable(evaluation), "file"));
    writeFileSync(join(partial, RUN_FILES.summary), JSON.stringify(evaluation.summary, jsonNumbers, 2) + "\n");
    writeFileSync(join(partial, RUN_FILES.report), renderReport(evaluation.summary));
    if (existsSync(target)) rmdirSync(target); // empty, as checked
    renameSync(partial, target);
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    if (e instanceof EvalError) throw e;
    throw new EvalError("RUN_FOLDER", `could not write the run folder ${target}: ${(e as Error).message}; nothing was left behind`, "check the disk space and permissions, or choose another --out");
  }
  return { dir: target, episodes: join(target, RUN_FILES.episodes), summary: join(target, RUN_FILES.summary), report: join(target, RUN_FILES.report) };
}

/** JSON has no NaN or ±Infinity: they are written as null (the report shows "—"). */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}
