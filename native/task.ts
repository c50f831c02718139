// The execution task over N markets (native/src/core/execution_task.h): a parent order per market, the
// action → child-order mapping, the named feature vector, the implementation-shortfall reward and
// next-step autoreset, stepped in one native call into caller-owned arrays.
import type { ActionMode, ExecutionTaskState } from "../agents/task-state.js";
import { checkIoTable, ioArray, nativeBatchConfig, type BatchOptions, type IoArray, type IoElement } from "./batch.js";
import { fail } from "./checks.js";
import { NativeError } from "./errors.js";
import { binding, type NativeExecutionHandle } from "./load.js";

/** Where episodes start, in ns since the flow's origin (a replay: since the file's first message). */
export type EpisodeStarts =
  /** Each episode starts at one of these, drawn from the episode's seed. */
  | { kind: "list"; startsNs: readonly number[] }
  /** Uniformly in [fromNs, toNs], drawn from the episode's seed. */
  | { kind: "window"; fromNs: number; toNs: number };

/** The parent order every env of a batch executes, and how its actions are read. */
export interface ExecutionTaskSpec {
  side: "buy" | "sell";
  parentLots: number;
  /** Decisions to the horizon; at the horizon what is left crosses the book. */
  horizonSteps: number;
  /** Decision interval, ns. */
  stepNs: number;
  /** Default "multiplier": MultiDiscrete([5, 4]) over {0, ½, 1, 2, 4} × the adaptive TWAP slice. */
  actionMode?: ActionMode;
  /** Optional Almgren–Chriss penalty per step, bps: aversion × σ² × (fraction left)² × Δt (s). */
  risk?: { aversion: number; sigmaBpsPerSqrtS: number };
  /**
   * Reward only: lots the horizon's cross cannot fill (the book ran out) cost this many bps of their share of the
   * parent notional, so a learner gains nothing by leaving them. Default 0; episodeCostBps (the IS) is unchanged.
   */
  incompletePenaltyBps?: number;
  /** Default: every episode starts at 0. */
  starts?: EpisodeStarts;
  /**
   * Realised spread: every fill is marked against the mid this many ns after it (`episodeRealisedSpreadBps`);
   * when an episode ends the market runs on this long so its last fills are marked. Default 0: no markouts.
   */
  markoutNs?: number;
}

/** The flat task config the binding reads (validated here). */
export interface NativeTaskConfig {
  side: 0 | 1;
  parentLots: number;
  horizonSteps: number;
  stepNs: number;
  lotsMode: boolean;
  riskAversion: number;
  sigmaBpsPerSqrtS: number;
  incompletePenaltyBps: number;
  startMinNs: number;
  startMaxNs: number;
  starts?: Float64Array;
  markoutNs: number;
}

/**
 * The arrays of an execution batch: [element type, elements per env ("F" = the feature count)], in the order
 * of TRANCHE_EXECUTION_IO in native/src/core/execution_task.h. The ExecutionIO type and the allocator follow
 * from this table; at load it is compared with the addon's own.
 */
export const EXECUTION_IO = {
  /** (size, placement) per env, env-major; read by every step. */
  actions: ["Int32Array", 2],
  /** The feature vector of each env's next decision. */
  observations: ["Float32Array", "F"],
  /** Minus the step's implementation shortfall in bps of the parent's arrival notional (fees in), minus the risk term. */
  rewards: ["Float64Array", 1],
  terminated: ["Uint8Array", 1],
  /** 1 where this step reset the env (next-step autoreset): its action was ignored and its reward is 0. */
  resetMask: ["Uint8Array", 1],
  /** 1 where the episode ended with lots the book could not absorb at the horizon (never averaged in as done). */
  incomplete: ["Uint8Array", 1],
  /** The episode's implementation shortfall so far, bps of the parent's arrival notional, fees included. */
  episodeCostBps: ["Float64Array", 1],
  /** The market's own account of the episode, quote currency: minus what buys cost, plus sells earned, minus fees. */
  cash: ["Float64Array", 1],
  episodeIndex: ["Int32Array", 1],
  side: ["Uint8Array", 1],
  parentLots: ["Float64Array", 1],
  remainingLots: ["Float64Array", 1],
  filledLots: ["Float64Array", 1],
  elapsedSteps: ["Int32Array", 1],
  horizonSteps: ["Int32Array", 1],
  scheduleRemainingLots: ["Float64Array", 1],
  episodeStartNs: ["Float64Array", 1],
  arrivalMidTicks: ["Float64Array", 1],
  bestBidTicks: ["Float64Array", 1],
  bestAskTicks: ["Float64Array", 1],
  bidQtyLots: ["Float64Array", 1],
  askQtyLots: ["Float64Array", 1],
  stepFilledLots: ["Float64Array", 1],
  stepMarketVolumeLots: ["Float64Array", 1],
  episodeMarketVolumeLots: ["Float64Array", 1],
  restingLots: ["Float64Array", 1],
  restingPriceTicks: ["Float64Array", 1],
  /** The episode's account, for evaluation. Fees paid, bps of the arrival notional. */
  episodeFeesBps: ["Float64Array", 1],
  /** Lots filled while resting in the book (maker fills). */
  episodeMakerLots: ["Float64Array", 1],
  /** Lots of the child orders placed in the book (a replace's new order included; rejected orders not). */
  episodePlacedLots: ["Float64Array", 1],
  /** Volume-weighted price of the agent's fills, ticks; NaN before the first fill. */
  episodeFillPriceTicks: ["Float64Array", 1],
  /** Σ q · 2s(p − m) / m ÷ Σ q in bps, over fills, m the mid just before the event that filled each (s = +1 buy). */
  episodeEffectiveSpreadBps: ["Float64Array", 1],
  /** The same with m the mid `markoutNs` after each fill (divided by the mid at the fill); NaN when none is marked. */
  episodeRealisedSpreadBps: ["Float64Array", 1],
  /** VWAP of everyone else's trades since the episode started, ticks; NaN when nobody traded. */
  episodeMarketVwapTicks: ["Float64Array", 1],
} as const satisfies Record<string, readonly [IoElement, number | "F"]>;

type ExecutionArrays = { readonly [K in keyof typeof EXECUTION_IO]: IoArray<(typeof EXECUTION_IO)[K][0]> };

/**
 * Caller-visible arrays of an execution batch: the task state policies read (agents/task-state.ts: the
 * compiler checks the table agrees with it) and the env's step outputs. See {@link EXECUTION_IO}.
 */
export interface ExecutionIO extends ExecutionTaskState, ExecutionArrays {}

/** One feature: its name, what it measures and how it is scaled. */
export interface FeatureSpec {
  readonly name: string;
  readonly meaning: string;
}

/**
 * The feature vector (version {@link FEATURE_VERSION}), in order. Signed features are positive when they
 * work against the parent order (prices rising for a buy); each is scaled to order one.
 */
export const FEATURES: readonly FeatureSpec[] = [
  { name: "time_left", meaning: "decisions left ÷ horizon, 1 → 0" },
  { name: "inventory_left", meaning: "lots left ÷ parent" },
  { name: "schedule_deviation", meaning: "(left − a linear schedule's left) ÷ parent; > 0 behind schedule" },
  { name: "spread", meaning: "ln(1 + spread in ticks) ÷ 4" },
  { name: "mid_move", meaning: "mid move since arrival against the order, bps ÷ 10, in [−10, 10]" },
  { name: "microprice_offset", meaning: "(microprice − mid) ÷ half spread, against the order, in [−1, 1]" },
  { name: "imbalance_l1", meaning: "(bid − ask) ÷ (bid + ask) size at level 1, against the order" },
  { name: "imbalance_l5", meaning: "the same over the best five levels" },
  { name: "depth", meaning: "ln(1 + lots on the best five levels of both sides ÷ parent) ÷ 4" },
  { name: "order_flow_imbalance", meaning: "Cont–Kukanov–Stoikov OFI summed over every top-of-book update since the last decision ÷ (half the level-1 depth + 1) ÷ 5, against the order, in [−1, 1]" },
  { name: "volatility", meaning: "√(EWMA of squared mid changes between decisions, bps²) ÷ 10" },
  { name: "signed_trade_volume", meaning: "(buy − sell) ÷ (buy + sell) volume of others' trades since the last decision (a replay's tape included), against the order" },
  { name: "resting_price_offset", meaning: "ticks the resting child sits behind the touch ÷ 5 (0 none, < 0 inside)" },
  { name: "queue_ahead", meaning: "ln(1 + lots ahead of the resting child) ÷ 8 (queue model: exact on L3, modelled on L2)" },
  { name: "queue_fraction", meaning: "lots ahead ÷ lots at the child's price, in [0, 1]" },
  { name: "resting_share", meaning: "resting child lots ÷ lots left" },
];
export const FEATURE_VERSION = "tranche-exec-features/1";

function positive(name: string, v: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(v) || v < 1 || v > max) fail(`${name} must be a whole number in [1, ${max}], got ${String(v)}`);
  return v;
}

function ns(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) fail(`${name} must be a whole, non-negative number of nanoseconds, got ${String(v)}`);
  return v;
}

/** Checks a task spec once; every message names the field. */
export function nativeTaskConfig(spec: ExecutionTaskSpec): NativeTaskConfig {
  if (typeof spec !== "object" || spec === null) fail("the task must be an object ({ side, parentLots, horizonSteps, stepNs })");
  if (spec.side !== "buy" && spec.side !== "sell") fail(`task.side must be "buy" or "sell", got ${JSON.stringify(spec.side)}`);
  const mode = spec.actionMode ?? "multiplier";
  if (mode !== "multiplier" && mode !== "lots") fail(`task.actionMode must be "multiplier" or "lots", got ${JSON.stringify(mode)}`);
  const config: NativeTaskConfig = {
    side: spec.side === "buy" ? 0 : 1,
    parentLots: positive("task.parentLots", spec.parentLots, 2 ** 52),
    horizonSteps: positive("task.horizonSteps (a horizon shorter than one step has no decision)", spec.horizonSteps, 1 << 24),
    stepNs: positive("task.stepNs", spec.stepNs),
    lotsMode: mode === "lots",
    riskAversion: 0,
    sigmaBpsPerSqrtS: 0,
    incompletePenaltyBps: spec.incompletePenaltyBps ?? 0,
    startMinNs: 0,
    startMaxNs: 0,
    markoutNs: spec.markoutNs === undefined ? 0 : ns("task.markoutNs", spec.markoutNs),
  };
  if (!(config.incompletePenaltyBps >= 0 && Number.isFinite(config.incompletePenaltyBps))) fail(`task.incompletePenaltyBps must be a finite number of bps >= 0, got ${String(spec.incompletePenaltyBps)}`);
  if (spec.risk !== undefined) {
    const { aversion, sigmaBpsPerSqrtS } = spec.risk;
    if (!(aversion >= 0 && Number.isFinite(aversion))) fail(`task.risk.aversion must be a finite number >= 0, got ${String(aversion)}`);
    if (!(sigmaBpsPerSqrtS >= 0 && Number.isFinite(sigmaBpsPerSqrtS))) fail(`task.risk.sigmaBpsPerSqrtS must be a finite number >= 0, got ${String(sigmaBpsPerSqrtS)}`);
    config.riskAversion = aversion;
    config.sigmaBpsPerSqrtS = sigmaBpsPerSqrtS;
  }
  const starts = spec.starts;
  if (starts !== undefined) {
    if (starts.kind === "list") {
      if (!Array.isArray(starts.startsNs) || starts.startsNs.length === 0) fail("task.starts.startsNs must list at least one start");
      config.starts = Float64Array.from(starts.startsNs, (v, i) => ns(`task.starts.startsNs[${i}]`, v));
    } else if (starts.kind === "window") {
      config.startMinNs = ns("task.starts.fromNs", starts.fromNs);
      config.startMaxNs = ns("task.starts.toNs", starts.toNs);
      if (config.startMaxNs < config.startMinNs) fail(`task.starts.toNs (${starts.toNs}) must not be before fromNs (${starts.fromNs})`);
    } else {
      fail(`task.starts.kind must be "list" or "window", got ${JSON.stringify((starts as { kind: unknown }).kind)}`);
    }
  }
  return config;
}

/** A replay's episodes must start and reach their horizon inside the file. */
function checkWindowInData(market: BatchOptions, task: NativeTaskConfig): void {
  const flow = market.flow;
  if (flow === undefined || flow.kind === "poisson") return;
  const duration = flow.data.durationNs;
  const latest = task.starts ? Math.max(...task.starts) : task.startMaxNs;
  const end = latest + task.horizonSteps * task.stepNs + task.markoutNs;
  if (end > duration) {
    const sec = (ns: number) => `${+(ns / 1e9).toFixed(3)} s`;
    fail(
      `task.starts: an episode starting ${sec(latest)} after the ${flow.kind} data's first event would run to ${sec(end)} ` +
        `(the horizon${task.markoutNs > 0 ? " and the markout" : ""}), past the end of the data (${sec(duration)}); make the latest start earlier by ${sec(end - duration)} or shorten the horizon`,
    );
  }
}

/** Allocates the arrays of an execution batch of N envs, from {@link EXECUTION_IO}. */
export function createExecutionIO(numEnvs: number, stepNs: number): ExecutionIO {
  const arrays: Record<string, unknown> = { numEnvs, stepNs };
  for (const [name, [type, perEnv]] of Object.entries(EXECUTION_IO)) {
    arrays[name] = ioArray(type, numEnvs * (perEnv === "F" ? FEATURES.length : perEnv));
  }
  return arrays as unknown as ExecutionIO;
}

/** Refuses an addon whose IO table or features differ from this file's: a stale build. */
function checkAddonAgrees(fields: readonly (readonly [string, string, string])[], featureNames: readonly string[], featureVersion: string): void {
  // The addon names the sizes as its table writes them: a number, or kFeatureCount for "F".
  const ours = Object.entries(EXECUTION_IO).map(([name, [type, perEnv]]) => `${name}:${type}:${perEnv === "F" ? "kFeatureCount" : perEnv}`);
  checkIoTable("execution", ours, fields.map(([name, type, perEnv]) => `${name}:${type}:${perEnv}`));
  if (featureNames.join() !== FEATURES.map((f) => f.name).join() || featureVersion !== FEATURE_VERSION) {
    throw new NativeError("NATIVE_LOAD_FAILED", `the addon's features (${featureVersion}) differ from native/task.ts (${FEATURE_VERSION}): it is a stale build. Fix: npm run build:native`);
  }
}

/**
 * N execution tasks, each on its own market (the same options as {@link BatchMarket}), stepped together. The
 * arrays of {@link ExecutionIO} are written in place by `reset` and `step`.
 */
export class ExecutionBatch {
  readonly numEnvs: number;
  readonly io: ExecutionIO;
  readonly task: NativeTaskConfig;
  private readonly native: NativeExecutionHandle;
  private readonly seeds: Float64Array;

  constructor(market: BatchOptions, task: ExecutionTaskSpec) {
    const config = nativeBatchConfig(market);
    this.task = nativeTaskConfig(task);
    checkWindowInData(market, this.task);
    this.numEnvs = config.markets;
    this.io = createExecutionIO(this.numEnvs, this.task.stepNs);
    this.seeds = new Float64Array(this.numEnvs);
    const cls = binding().NativeExecution;
    checkAddonAgrees(cls.ioFields, cls.featureNames, cls.featureVersion);
    try {
      this.native = new cls(config, this.task, this.io);
    } catch (e) {
      throw new NativeError("INVALID_ARGUMENT", `ExecutionBatch: ${(e as Error).message}`);
    }
  }

  /** Env i starts episode 0 of seeds[i]; an undefined seed continues that env's sequence of episodes. */
  reset(seeds: readonly (number | undefined)[]): void {
    if (seeds.length !== this.numEnvs) fail(`reset needs one seed per env (${this.numEnvs}), got ${seeds.length}`);
    for (let i = 0; i < this.numEnvs; i++) {
      const s = seeds[i];
      if (s !== undefined && (!Number.isSafeInteger(s) || s < 0)) fail(`seed ${i} must be a whole number >= 0, got ${String(s)}`);
      this.seeds[i] = s === undefined ? NaN : s;
    }
    this.run(() => this.native.reset(this.seeds));
  }

  /** One decision in every env from `io.actions`. */
  step(): void {
    // No closure here: the vector path allocates nothing per step.
    try {
      this.native.step();
    } catch (e) {
      throw new NativeError("INVALID_ARGUMENT", (e as Error).message);
    }
  }

  checkInvariants(): string | null {
    return this.native.checkInvariants();
  }

  /** Background-flow events applied in all markets since construction, over every episode. */
  flowEvents(): number {
    return this.native.flowEvents();
  }

  /**
   * The book's best `levels` levels on the side the parent order takes (asks for a buy) in every market, as the
   * book stands now (no market-data delay): (price ticks, lots) pairs, env-major, into `out` of N × levels × 2;
   * missing levels are (NaN, 0).
   */
  takeSideDepth(out: Float64Array, levels: number): void {
    if (!Number.isSafeInteger(levels) || levels < 1) fail(`levels must be a whole number >= 1, got ${String(levels)}`);
    if (!(out instanceof Float64Array) || out.length < this.numEnvs * levels * 2) fail(`out must be a Float64Array of ${this.numEnvs * levels * 2} (N × levels × 2)`);
    this.native.takeSideDepth(out, levels);
  }

  private run(f: () => void): void {
    try {
      f();
    } catch (e) {
      throw new NativeError("INVALID_ARGUMENT", (e as Error).message);
    }
  }
}
