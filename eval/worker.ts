// A worker thread of the evaluation: builds the run once from the spec it is started with, then runs the units
// it is sent, one at a time, and posts each result back (typed arrays are transferred, not copied).
import { parentPort, workerData } from "node:worker_threads";
import { TrancheError } from "../errors.js";
import { UnitRunner, type RunSpec, type Unit, type UnitResult } from "./episodes.js";
import type { BootstrapInterval } from "./stats.js";
import { comparisonBootstrap } from "./summary.js";

/** A comparison's bootstrap, computed here once the episodes are in (the summary's heaviest part). */
export interface BootstrapJob {
  type: "bootstrap";
  id: number;
  differences: Float64Array;
  seed: number;
}

export type WorkerMessage =
  | { type: "ready"; description: string }
  | { type: "result"; result: UnitResult }
  | { type: "bootstrap"; id: number; interval: BootstrapInterval }
  | { type: "error"; message: string; code?: string; hint?: string; name?: string };

const port = parentPort;
if (port === null) throw new Error("eval/worker.ts runs as a worker thread of evaluate()");

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function fail(e: unknown): void {
  // A TrancheError crosses as its code, message and hint; anything else is a bug, and crosses with its stack.
  if (e instanceof TrancheError) post({ type: "error", message: e.message, code: e.code, hint: e.hint, name: e.name });
  else post({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e), name: e instanceof Error ? e.name : undefined });
}

let runner: UnitRunner | undefined;
try {
  runner = new UnitRunner(workerData as RunSpec);
  post({ type: "ready", description: runner.loaded.description });
} catch (e) {
  fail(e);
}

// Jobs run one at a time, in the order they came: a unit may await its policy's inference (ONNX Runtime).
let queue: Promise<void> = Promise.resolve();
port.on("message", (job: Unit | BootstrapJob) => {
  queue = queue.then(() => handle(job));
});

async function handle(job: Unit | BootstrapJob): Promise<void> {
  if (runner === undefined) return;
  try {
    if ("type" in job) {
      post({ type: "bootstrap", id: job.id, interval: comparisonBootstrap(job) });
      return;
    }
    const result = await runner.run(job);
    const transfer = [result.records, result.remaining, result.hindsightBps].filter((a): a is Float64Array => a !== undefined).map((a) => a.buffer as ArrayBuffer);
    post({ type: "result", result }, transfer);
  } catch (e) {
    fail(e);
  }
}
