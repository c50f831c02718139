// The only importer of the compiled addon: loads tranche.node once, or fails saying what it tried and how to fix it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BatchIO, NativeBatchConfig } from "./batch.js";
import type { BookOptions, OpOutputs } from "./book.js";
import type { ExecutionIO, NativeTaskConfig } from "./task.js";
import { NativeError } from "./errors.js";
import type {
  BboCheck, BboColumnsInput, L2ColumnsInput, L2ReplayStats, LobsterColumnsInput, LobsterReplayState, LobsterReplayStats,
} from "./replay.js";

export interface NativeBookHandle {
  limit(id: number, side: number, price: number, qty: number, tif: number, track: boolean): number[];
  market(id: number, side: number, qty: number): number[];
  cancel(id: number): number[];
  reduce(id: number, by: number): number[];
  insertResting(id: number, side: number, price: number, qty: number, track: boolean): number;
  clear(): void;
  takeTrades(): Float64Array;
  bestBid(): number | null;
  bestAsk(): number | null;
  depthAt(side: number, price: number): number;
  topLevels(side: number, n: number, prices: Float64Array, qtys: Float64Array): number;
  queueAhead(id: number): number | null;
  order(id: number): [number, number, number] | null;
  totals(): [number, number, number, number, number];
  checkInvariants(): string | null;
  applyOps(
    kind: Uint8Array, side: Uint8Array, id: Float64Array | BigInt64Array, price: Float64Array | BigInt64Array,
    qty: Float64Array | BigInt64Array, outputs?: OpOutputs,
  ): [number, number, number, number, number, string | null, number];
  bytesReserved(): number;
}

export interface NativeBatchHandle {
  reset(seed: number, startNs: number | Float64Array): void;
  flowStats(market: number): LobsterReplayState | L2ReplayStats | null;
  depth(market: number, side: number, levels: number): Float64Array;
  flowEvents(): number;
  step(dtNs: number): void;
  now(): number;
  bytesReserved(): number;
  checkInvariants(): string | null;
}

export interface NativeExecutionHandle {
  reset(seeds: Float64Array): void;
  step(): void;
  checkInvariants(): string | null;
  flowEvents(): number;
  takeSideDepth(out: Float64Array, levels: number): void;
}

export interface NativeFlowSimHandle {
  reset(seed: number, startNs: number): void;
  advanceTo(tNs: number): void;
  market(side: number, qty: number): number;
  top(): Float64Array;
  events(): number;
  record(levels: number | null): void;
  takeRecording(): import("./flow-sim.js").FlowRecording;
  impactRuns(spec: {
    seeds: Float64Array; side: number; units: number; unitLots: number; warmupNs: number; intervalNs: number; checkpointsNs: Float64Array;
  }): import("./flow-sim.js").ImpactRuns;
}

export interface NativeLearnerHandle {
  paramCount(): number;
  getParams(out: Float32Array): void;
  setParams(values: Float32Array): void;
  getOptimizer(): import("./learner.js").AdamState;
  setOptimizer(state: import("./learner.js").AdamState): void;
  forward(obs: Float32Array, rows: number, logits: Float32Array, values: Float32Array | null): void;
  gradients(batch: import("./learner.js").PpoBatch, loss: import("./learner.js").PpoLossSpec, out: Float32Array): Float64Array;
  update(batch: import("./learner.js").PpoBatch, loss: import("./learner.js").PpoLossSpec, adam: import("./learner.js").AdamSpec): Float64Array;
}

export interface NativeLobsterDataHandle {
  verify(fromRow?: number): LobsterReplayStats & { report: string };
  replay(fromRow?: number): LobsterReplayStats & { seconds: number; invariants: string | null };
}
export interface NativeL2DataHandle {
  checkBbo(bbo: BboColumnsInput, maxLevels?: number): BboCheck;
  replay(): L2ReplayStats & { seconds: number };
}

interface Binding {
  NativeBook: new (config?: BookOptions) => NativeBookHandle;
  NativeBatch: {
    new (config: NativeBatchConfig, io: BatchIO): NativeBatchHandle;
    readonly ioFields: [string, string, string][];
  };
  NativeExecution: {
    new (config: NativeBatchConfig, task: NativeTaskConfig, io: ExecutionIO): NativeExecutionHandle;
    readonly featureNames: string[];
    readonly featureVersion: string;
    readonly ioFields: [string, string, string][];
  };
  NativeLobsterData: new (columns: LobsterColumnsInput) => NativeLobsterDataHandle;
  NativeL2Data: new (columns: L2ColumnsInput) => NativeL2DataHandle;
  NativeFlowSim: new (config: { flow: Record<string, unknown>; book: unknown }) => NativeFlowSimHandle;
  NativeLearner: new (spec: { observationSize: number; actionDims: readonly number[]; hiddenSizes: readonly number[] }) => NativeLearnerHandle;
  statusNames: string[];
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new NativeError("NATIVE_LOAD_FAILED", "cannot find the tranche package root above " + import.meta.url);
    dir = up;
  }
  return dir;
}

function loadBinding(): Binding {
  const root = packageRoot();
  const tried: string[] = [];
  const candidates = [
    process.env.TRANCHE_NATIVE_PATH,
    join(root, "native", "build", "Release", "tranche.node"),
    join(root, "native", "build", "Debug", "tranche.node"),
  ].filter((p): p is string => typeof p === "string" && p.length > 0);
  const require = createRequire(import.meta.url);
  for (const path of candidates) {
    const abs = resolve(path);
    if (!existsSync(abs)) {
      tried.push(`${abs} (missing)`);
      continue;
    }
    try {
      return require(abs) as Binding;
    } catch (e) {
      tried.push(`${abs} (${(e as Error).message.split("\n")[0]})`);
    }
  }
  throw new NativeError(
    "NATIVE_LOAD_FAILED",
    "The tranche native addon could not be loaded. Tried:\n  " + tried.join("\n  ") +
      "\nPossible solutions:\n  npm run build:native        (rebuild the addon with node-gyp)\n" +
      "  apt-get install g++ make python3   (if the build says a compiler is missing)\n" +
      "  npm ci                      (reinstall dependencies and rebuild everything)",
  );
}

let cached: Binding | undefined;
export function binding(): Binding {
  cached ??= loadBinding();
  return cached;
}
