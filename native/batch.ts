// N markets stepped in one native call: BatchMarket, BatchIO, slots and commands, flow/latency/impact specs.
import { Instrument, type BookOptions, type Side } from "./book.js";
import { bookOptions, fail, side, wholeNumber } from "./checks.js";
import { NativeError, TrancheError } from "./errors.js";
import { binding, type NativeBatchHandle } from "./load.js";
import { L2ReplayData, LobsterReplayData, type L2ReplayStats, type LobsterReplayState } from "./replay.js";


// ---- N markets in one call ----------------------------------------------------------------------

/** How long a message takes; all in nanoseconds. */
export type LatencySpec =
  | { kind: "constant"; ns: number }
  | { kind: "uniform"; minNs: number; maxNs: number }
  | { kind: "lognormal"; medianNs: number; sigma: number; capNs?: number };

/** Background flow of each market. `poisson` is a zero-intelligence flow (uncalibrated). */
export interface PoissonFlowSpec {
  kind: "poisson";
  limitRatePerSec?: number;
  marketRatePerSec?: number;
  cancelRatePerSec?: number;
  /** Limit price = opposite quote ∓ (1 + Geometric(distanceP)) ticks. */
  distanceP?: number;
  /** Order size = 1 + Geometric(sizeP) lots. */
  sizeP?: number;
  /** Market orders' size law, 1 + Geometric(marketSizeP) lots. Default: sizeP. */
  marketSizeP?: number;
  /** Every market order exactly this many lots (replaces marketSizeP). */
  marketLots?: number;
  /**
   * Limit sizes by distance, an empirical law (replaces sizeP for limit orders): a limit at distance d draws one of
   * the equally likely sizes of row min(⌊(d − 1) / bucketTicks⌋, rows − 1) of `atomsLots` (each row the quantiles of
   * a day's sizes at those distances; every row the same length).
   */
  limitSizes?: { bucketTicks: number; atomsLots: readonly (readonly number[])[] };
  referencePriceTicks?: number;
  seedDepth?: number;
  /**
   * Cont–Stoikov–Talreja: limit orders per second per side at 1, 2, … ticks from the opposite quote. When given,
   * it replaces limitRatePerSec and distanceP.
   */
  distanceRatesPerSec?: readonly number[];
  /**
   * Limit orders per second per side that join the 1st, 2nd, … visible level of their side (queueing at a price
   * already quoted); where the side has fewer levels, the order is placed by the distance law. Adds to the limit rate.
   */
  joinRatesPerSec?: readonly number[];
  /**
   * Cancels per resting order per second by its distance 1, 2, … ticks from the opposite quote (the last entry
   * beyond). When given, it replaces cancelRatePerSec.
   */
  cancelRatesPerSec?: readonly number[];
  /**
   * Patient orders: a limit placed at least `fromTicks` (default 1) from where it is priced is patient with probability
   * `share`, and cancels at `cancelPerSec` whatever its distance, where the others cancel at their distance's rate.
   */
  patience?: { share: number; fromTicks?: number; cancelPerSec: number };
  /**
   * Market orders clustered as an exponential Hawkes process: background 2 × marketRatePerSec (both sides),
   * branching ratio n in [0, 1), kernel n β e^{−β t}. Absent: a Poisson stream.
   */
  hawkes?: { branching: number; decayPerSec: number };
  /**
   * Limit prices anchored to a reference price instead of the opposite quote: a bid at ⌈r⌉ − d, an ask at ⌊r⌋ + d
   * (d drawn from the distance law), never through the opposite quote. Market orders then run on their own random
   * stream. The reference moves with the propagator (below). Default false.
   */
  anchored?: boolean;
  /** How the reference of an anchored flow moves (native/src/core/models/propagator.h). */
  propagator?: PropagatorSpec;
}

/**
 * The reference price of an anchored flow: r(t) = r0 + news(t) + Σ ε_i G(t − t_i) q_i / unitLots over market orders
 * (the agent's included), G(t) = impactTicks · (1 + t/τ0)^−β, forgotten beyond memorySec; news jumps ±newsTicks at
 * newsPerSec on a random stream of its own.
 */
export interface PropagatorSpec {
  /** G0: the reference's shift right after one unit of market volume, ticks. */
  impactTicks: number;
  /** τ0, seconds. Default 1. */
  tau0Sec?: number;
  /** β in (0, 1). Default 0.5. */
  beta?: number;
  /** The kernel's longest timescale, seconds. Default 86,400. */
  memorySec?: number;
  /** Lots in one unit of market volume. Default 1. */
  unitLots?: number;
  /** News jumps per second. Default 0. */
  newsPerSec?: number;
  /** Size of one news jump, ticks. Default 1. */
  newsTicks?: number;
  /** Probability that a news jump is up. Default 0.5 (no drift). */
  newsUpProbability?: number;
}

/** Impact of the agent's liquidity-taking volume q on later replayed prices (ticks): see models/impact.h. */
export interface ImpactSpec {
  kind: "linear" | "sqrt" | "power";
  /** η: permanent shift in ticks per unit of f(q). */
  permanentTicks?: number;
  /** κ: transient shift in ticks per unit of f(q), decaying exponentially. */
  transientTicks?: number;
  /** τ of the transient part, ns. Default 1 s. */
  decayNs?: number;
  /** Exponent δ of f(q) = q^δ for kind "power". Default 0.5. */
  delta?: number;
}

/** Replays a LOBSTER day (L3): exact book from the data, the agent's orders in it. Time = ns since the file's first message. */
export interface LobsterFlowSpec {
  kind: "lobster";
  data: LobsterReplayData;
  impact?: ImpactSpec;
}

/** Replays L2 depth + trades (Binance); the agent's queue place follows the probabilistic queue model. */
export interface L2FlowSpec {
  kind: "l2";
  data: L2ReplayData;
  impact?: ImpactSpec;
  /** How cancels split ahead of / behind the agent: f(x) = x, x^power (default, power 2) or ln(1+x). */
  queue?: { kind: "linear" } | { kind: "power"; power?: number } | { kind: "log" };
  /** Trades move the agent's queue and fill it. Default true. */
  applyTrades?: boolean;
}

export interface BatchOptions {
  markets: number;
  /** Agent commands read per market per step. Default 4. */
  commandsPerMarket?: number;
  /** Fills written per market per step (fillCount may exceed it). Default 16. */
  fillsPerMarket?: number;
  tickSize?: number;
  lotSize?: number;
  fees?: { makerBps: number; takerBps: number };
  orderEntryLatency?: LatencySpec;
  marketDataLatency?: LatencySpec;
  flow?: PoissonFlowSpec | LobsterFlowSpec | L2FlowSpec;
  book?: BookOptions;
}

/** Agent order slots per market. */
export const AGENT_SLOTS = 8;
export const SlotState = { Empty: 0, InFlight: 1, Resting: 2, Filled: 3, Cancelled: 4, Rejected: 5 } as const;
export const CommandKind = { None: 0, Limit: 1, Market: 2, Cancel: 3 } as const;

/** Element types of IO arrays, named as the binding names them. */
export type IoElement = "Int8Array" | "Int32Array" | "Float32Array" | "Float64Array" | "Uint8Array";
/** The typed array of an IO element type. */
export type IoArray<E extends IoElement> = E extends "Int8Array" ? Int8Array : E extends "Int32Array" ? Int32Array : E extends "Float32Array" ? Float32Array : E extends "Float64Array" ? Float64Array : Uint8Array;

/** Allocates `n` elements of an IO element type. */
export function ioArray(type: IoElement, n: number): ArrayBufferView {
  switch (type) {
    case "Int8Array": return new Int8Array(n);
    case "Int32Array": return new Int32Array(n);
    case "Float32Array": return new Float32Array(n);
    case "Float64Array": return new Float64Array(n);
    case "Uint8Array": return new Uint8Array(n);
  }
}

/** Refuses an addon whose IO table differs from ours (rows `name:type:size`): a stale build. */
export function checkIoTable(what: string, ours: readonly string[], theirs: readonly string[]): void {
  if (ours.join() !== theirs.join()) {
    const first = ours.findIndex((row, i) => row !== theirs[i]);
    throw new NativeError(
      "NATIVE_LOAD_FAILED",
      `the addon's ${what} IO differs from the TypeScript table (at ${ours[first] ?? "the end"} vs ${theirs[first] ?? "the end"}): it is a stale build. Fix: npm run build:native`,
    );
  }
}

/**
 * The arrays a batch reads commands from and writes outputs into: [element type, elements per market], in
 * the order of TRANCHE_BATCH_IO in native/src/core/batch.h (C = commandsPerMarket, S = AGENT_SLOTS,
 * F = fillsPerMarket). Market-major: element [m * C + c] is command c of market m. The BatchIO type and
 * `BatchMarket.createIO` follow from it; at load it is compared with the addon's own.
 */
export const BATCH_IO = {
  cmdKind: ["Uint8Array", "C"],
  cmdSide: ["Uint8Array", "C"],
  cmdTif: ["Uint8Array", "C"],
  cmdSlot: ["Uint8Array", "C"],
  cmdPriceTicks: ["Float64Array", "C"],
  cmdQtyLots: ["Float64Array", "C"],
  /** Status of each command at submission (`Status`; see statusName). */
  cmdStatus: ["Int32Array", "C"],
  /** Top of book as the agent sees it through market-data latency; NaN for an empty side. */
  bestBid: ["Float64Array", "One"],
  bestAsk: ["Float64Array", "One"],
  bidQty: ["Float64Array", "One"],
  askQty: ["Float64Array", "One"],
  positionLots: ["Float64Array", "One"],
  /** Quote currency: minus what buys cost, plus what sells earned, minus fees. */
  cash: ["Float64Array", "One"],
  feesPaid: ["Float64Array", "One"],
  /** Fills this step; rows at and beyond min(fillCount, fillsPerMarket) keep stale values. */
  fillCount: ["Int32Array", "One"],
  slotState: ["Int8Array", "S"],
  slotPriceTicks: ["Float64Array", "S"],
  slotFilledLots: ["Float64Array", "S"],
  slotRemainingLots: ["Float64Array", "S"],
  /** Quantity ahead of the slot's resting order at its price; -1 unless resting. */
  slotQueueAheadLots: ["Float64Array", "S"],
  slotReject: ["Int32Array", "S"],
  fillPriceTicks: ["Float64Array", "F"],
  fillQtyLots: ["Float64Array", "F"],
  fillFee: ["Float64Array", "F"],
  fillSlot: ["Uint8Array", "F"],
  fillMaker: ["Uint8Array", "F"],
  /** The agent's side in the fill: 0 bought, 1 sold. */
  fillSide: ["Uint8Array", "F"],
  /** When it filled, ns on the market's clock. */
  fillTsNs: ["Float64Array", "F"],
} as const satisfies Record<string, readonly [IoElement, "C" | "S" | "F" | "One"]>;

/** Caller-owned arrays of a batch, from {@link BATCH_IO}. */
export type BatchIO = { [K in keyof typeof BATCH_IO]: IoArray<(typeof BATCH_IO)[K][0]> };

interface NativeLatency {
  kind: number;
  fixedNs: number;
  maxNs: number;
  sigma: number;
}
export interface NativeBatchConfig {
  markets: number;
  commandsPerMarket: number;
  fillsPerMarket: number;
  tickSize: number;
  lotSize: number;
  makerBps: number;
  takerBps: number;
  orderEntryLatency: NativeLatency;
  marketDataLatency: NativeLatency;
  flow: Record<string, unknown>;
  book: BookOptions;
}

function nonNegativeNs(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) fail(`${name} must be a whole, non-negative number of nanoseconds, got ${String(v)}`);
  return v;
}

function latency(name: string, spec: LatencySpec | undefined): NativeLatency {
  if (spec === undefined) return { kind: 0, fixedNs: 0, maxNs: 0, sigma: 0 };
  if (typeof spec !== "object" || spec === null) fail(`${name} must be a latency spec such as { kind: "constant", ns: 0 }, got ${String(spec)}`);
  switch (spec.kind) {
    case "constant":
      return { kind: 0, fixedNs: nonNegativeNs(`${name}.ns`, spec.ns), maxNs: 0, sigma: 0 };
    case "uniform": {
      const lo = nonNegativeNs(`${name}.minNs`, spec.minNs), hi = nonNegativeNs(`${name}.maxNs`, spec.maxNs);
      if (hi < lo) fail(`${name}.maxNs (${hi}) must not be below minNs (${lo})`);
      return { kind: 1, fixedNs: lo, maxNs: hi, sigma: 0 };
    }
    case "lognormal":
      if (!(spec.sigma >= 0 && spec.sigma < 10)) fail(`${name}.sigma must be in [0, 10), got ${String(spec.sigma)}`);
      return { kind: 2, fixedNs: nonNegativeNs(`${name}.medianNs`, spec.medianNs), maxNs: nonNegativeNs(`${name}.capNs`, spec.capNs ?? 0), sigma: spec.sigma };
    default:
      return fail(`${name}.kind must be "constant", "uniform" or "lognormal", got ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

function positiveInt(name: string, v: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < 1 || v > max) fail(`${name} must be a whole number in [1, ${max}], got ${String(v)}`);
  return v;
}

/** N independent markets (book + background flow + agent orders) stepped together in one native call. */
export class BatchMarket {
  readonly markets: number;
  readonly commandsPerMarket: number;
  readonly fillsPerMarket: number;
  readonly io: BatchIO;
  private readonly native: NativeBatchHandle;

  /** Allocates a BatchIO of the right sizes (from {@link BATCH_IO}); pass your own to share buffers with other code. */
  static createIO(markets: number, commandsPerMarket = 4, fillsPerMarket = 16): BatchIO {
    const per = { C: commandsPerMarket, S: AGENT_SLOTS, F: fillsPerMarket, One: 1 };
    const io: Record<string, ArrayBufferView> = {};
    for (const [name, [type, dim]] of Object.entries(BATCH_IO)) io[name] = ioArray(type, markets * per[dim]);
    return io as BatchIO;
  }

  constructor(options: BatchOptions, io?: BatchIO) {
    const config = nativeBatchConfig(options);
    this.markets = config.markets;
    this.commandsPerMarket = config.commandsPerMarket;
    this.fillsPerMarket = config.fillsPerMarket;
    this.io = io ?? BatchMarket.createIO(this.markets, this.commandsPerMarket, this.fillsPerMarket);
    const cls = binding().NativeBatch;
    checkIoTable("batch", Object.entries(BATCH_IO).map(([n, [t, d]]) => `${n}:${t}:${d}`), cls.ioFields.map(([n, t, d]) => `${n}:${t}:${d}`));
    try {
      this.native = new cls(config, this.io);
    } catch (e) {
      if (e instanceof TrancheError) throw e;
      throw new NativeError("INVALID_ARGUMENT", `BatchMarket: ${(e as Error).message}`);
    }
  }

  /**
   * Restarts every market: market i draws from a stream seeded by (seed, i). `startNs` is one start for
   * all, or one per market (replays: N windows of one file, ns since its first event).
   */
  reset(seed: number, startNs: number | ArrayLike<number> = 0): void {
    if (typeof startNs === "number") {
      this.native.reset(wholeNumber("seed", seed), nonNegativeNs("startNs", startNs));
      return;
    }
    if (startNs.length !== this.markets) fail(`startNs has ${startNs.length} entries, one per market (${this.markets}) is needed`);
    const starts = Float64Array.from(startNs, (v, i) => nonNegativeNs(`startNs[${i}]`, v));
    this.native.reset(wholeNumber("seed", seed), starts);
  }

  /** Counters of market m's replay (messages, adoptions, reconciled, offset, ...); null for generative flow. */
  replayStats(market: number): LobsterReplayState | L2ReplayStats | null {
    return this.native.flowStats(wholeNumber("market", market));
  }

  /** The live (undelayed) top `levels` of one side of market m: prices and quantities. */
  depth(market: number, s: Side, levels: number): { priceTicks: number[]; qtyLots: number[] } {
    const flat = this.native.depth(wholeNumber("market", market), side("side", s), wholeNumber("levels", levels));
    const priceTicks: number[] = [], qtyLots: number[] = [];
    for (let i = 0; i < flat.length; i += 2) priceTicks.push(flat[i]), qtyLots.push(flat[i + 1]);
    return { priceTicks, qtyLots };
  }

  /** Submits this step's commands (io.cmd*), advances every market by dtNs, fills the outputs. */
  step(dtNs: number): void {
    nonNegativeNs("dtNs", dtNs);
    try {
      this.native.step(dtNs);
    } catch (e) {
      throw new NativeError("INVALID_COMMAND", (e as Error).message);
    }
  }

  nowNs(): number {
    return this.native.now();
  }
  /** Background-flow events applied in all markets since the last reset. */
  flowEvents(): number {
    return this.native.flowEvents();
  }
  bytesReserved(): number {
    return this.native.bytesReserved();
  }
  checkInvariants(): string | null {
    return this.native.checkInvariants();
  }
}

/** Checks `options` once and turns them into the flat config the native batch and execution task read. */
export function nativeBatchConfig(options: BatchOptions): NativeBatchConfig {
  if (typeof options !== "object" || options === null) fail("the market options must be an object ({ markets: N, ... })");
  if (options.markets === 0) fail("markets must be at least 1 (N = 0 markets has nothing to step)");
  const markets = positiveInt("markets", options.markets, 1 << 16);
  const commandsPerMarket = positiveInt("commandsPerMarket", options.commandsPerMarket ?? 4, 64);
  const fillsPerMarket = positiveInt("fillsPerMarket", options.fillsPerMarket ?? 16, 4096);
  const tickSize = options.tickSize ?? 0.01, lotSize = options.lotSize ?? 1;
  new Instrument(tickSize, lotSize);
  const fees = options.fees ?? { makerBps: 0, takerBps: 0 };
  if (!Number.isFinite(fees.makerBps) || !Number.isFinite(fees.takerBps)) fail("fees.makerBps and fees.takerBps must be finite numbers");
  return {
    markets, commandsPerMarket, fillsPerMarket, tickSize, lotSize, makerBps: fees.makerBps, takerBps: fees.takerBps,
    orderEntryLatency: latency("orderEntryLatency", options.orderEntryLatency),
    marketDataLatency: latency("marketDataLatency", options.marketDataLatency),
    flow: nativeFlow(options.flow ?? { kind: "poisson" }),
    book: bookOptions("book", options.book),
  };
}

const IMPACT_KINDS = { linear: 1, sqrt: 2, power: 3 } as const;
const QUEUE_KINDS = { linear: 0, power: 1, log: 2 } as const;

function impact(spec: ImpactSpec | undefined): Record<string, number> | undefined {
  if (spec === undefined) return undefined;
  const kind = IMPACT_KINDS[spec.kind];
  if (kind === undefined) fail(`flow.impact.kind must be "linear", "sqrt" or "power", got ${JSON.stringify(spec.kind)}`);
  const out: Record<string, number> = { kind, permanentTicks: spec.permanentTicks ?? 0, transientTicks: spec.transientTicks ?? 0, decayNs: spec.decayNs ?? 1e9, delta: spec.delta ?? 0.5 };
  for (const [k, v] of Object.entries(out)) if (!Number.isFinite(v)) fail(`flow.impact.${k} must be a finite number, got ${v}`);
  if (!(out.decayNs > 0)) fail(`flow.impact.decayNs must be positive, got ${out.decayNs}`);
  if (!(out.delta > 0 && out.delta <= 2)) fail(`flow.impact.delta must be in (0, 2], got ${out.delta}`);
  return out;
}

function propagator(spec: PropagatorSpec): Record<string, number> {
  if (typeof spec !== "object" || spec === null) fail("flow.propagator must be an object ({ impactTicks, tau0Sec, beta, ... })");
  const out = {
    impactTicks: spec.impactTicks, tau0Sec: spec.tau0Sec ?? 1, beta: spec.beta ?? 0.5, memorySec: spec.memorySec ?? 86_400,
    unitLots: spec.unitLots ?? 1, newsPerSec: spec.newsPerSec ?? 0, newsTicks: spec.newsTicks ?? 1, newsUpProbability: spec.newsUpProbability ?? 0.5,
  };
  if (!(out.newsUpProbability >= 0 && out.newsUpProbability <= 1)) fail(`flow.propagator.newsUpProbability must be in [0, 1], got ${String(out.newsUpProbability)}`);
  for (const key of ["impactTicks", "newsPerSec"] as const) {
    if (!(out[key] >= 0 && Number.isFinite(out[key]))) fail(`flow.propagator.${key} must be a finite number >= 0, got ${String(out[key])}`);
  }
  for (const key of ["tau0Sec", "memorySec", "unitLots", "newsTicks"] as const) {
    if (!(out[key] > 0 && Number.isFinite(out[key]))) fail(`flow.propagator.${key} must be a finite number > 0, got ${String(out[key])}`);
  }
  if (!(out.beta > 0 && out.beta < 1)) fail(`flow.propagator.beta must be in (0, 1), got ${String(out.beta)}`);
  if (!(out.memorySec >= out.tau0Sec)) fail(`flow.propagator.memorySec (${out.memorySec}) must be at least tau0Sec (${out.tau0Sec})`);
  return out;
}

/** The limit-size law as the addon reads it: the rows flattened, with their width and bucket. */
function sizeAtoms(law: NonNullable<PoissonFlowSpec["limitSizes"]>): Record<string, unknown> {
  const rows = law?.atomsLots;
  if (typeof law !== "object" || law === null || !Array.isArray(rows) || rows.length === 0 || rows.length > 10_000)
    fail("flow.limitSizes must be { bucketTicks, atomsLots: [[sizes at distances 1..bucketTicks], …] } with 1 to 10,000 rows");
  if (!(Number.isInteger(law.bucketTicks) && law.bucketTicks >= 1 && law.bucketTicks <= 100_000)) fail(`flow.limitSizes.bucketTicks must be a whole number >= 1, got ${String(law.bucketTicks)}`);
  const width = Array.isArray(rows[0]) ? rows[0].length : 0;
  if (width < 1 || width > 4096) fail(`flow.limitSizes.atomsLots[0] must list 1 to 4,096 sizes, got ${width}`);
  const flat = new Float64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== width) fail(`flow.limitSizes.atomsLots[${r}] must list ${width} sizes like row 0, got ${Array.isArray(row) ? row.length : typeof row}`);
    row.forEach((q, i) => {
      if (!(Number.isInteger(q) && q >= 1 && q <= 1e12)) fail(`flow.limitSizes.atomsLots[${r}][${i}] must be a whole number of lots >= 1, got ${String(q)}`);
      flat[r * width + i] = q;
    });
  });
  return { sizeAtomsLots: flat, sizeAtomsPerRow: width, sizeBucketTicks: law.bucketTicks };
}

/** The flow part of the flat config the addon reads (validated). */
export function nativeFlow(flow: PoissonFlowSpec | LobsterFlowSpec | L2FlowSpec): Record<string, unknown> {
  switch (flow.kind) {
    case "poisson": {
      for (const key of ["limitRatePerSec", "marketRatePerSec", "cancelRatePerSec"] as const) {
        const v = flow[key];
        if (v !== undefined && !(v >= 0 && Number.isFinite(v))) fail(`flow.${key} must be a finite rate >= 0, got ${String(v)}`);
      }
      for (const key of ["distanceP", "sizeP", "marketSizeP"] as const) {
        const v = flow[key];
        if (v !== undefined && !(v > 0 && v <= 1)) fail(`flow.${key} must be a probability in (0, 1], got ${String(v)}`);
      }
      const { kind: _kind, distanceRatesPerSec, cancelRatesPerSec, joinRatesPerSec, hawkes, propagator: reference, limitSizes, patience, ...params } = flow;
      const out: Record<string, unknown> = { kind: "poisson", ...params };
      if (params.marketLots !== undefined && !(Number.isInteger(params.marketLots) && params.marketLots >= 1 && params.marketLots <= 1e12))
        fail(`flow.marketLots must be a whole number of lots >= 1, got ${String(params.marketLots)}`);
      if (limitSizes !== undefined) Object.assign(out, sizeAtoms(limitSizes));
      if (distanceRatesPerSec !== undefined) {
        if (!Array.isArray(distanceRatesPerSec) || distanceRatesPerSec.length === 0 || distanceRatesPerSec.length > 10_000)
          fail("flow.distanceRatesPerSec must list 1 to 10,000 rates (limit orders per second per side at 1, 2, … ticks from the opposite quote)");
        distanceRatesPerSec.forEach((r, k) => {
          if (!(r >= 0 && Number.isFinite(r))) fail(`flow.distanceRatesPerSec[${k}] must be a finite rate >= 0, got ${String(r)}`);
        });
        out.distanceRatesPerSec = Float64Array.from(distanceRatesPerSec);
      }
      if (cancelRatesPerSec !== undefined) {
        if (!Array.isArray(cancelRatesPerSec) || cancelRatesPerSec.length === 0 || cancelRatesPerSec.length > 10_000)
          fail("flow.cancelRatesPerSec must list 1 to 10,000 rates (cancels per resting order per second at 1, 2, … ticks from the opposite quote)");
        cancelRatesPerSec.forEach((r, k) => {
          if (!(r >= 0 && Number.isFinite(r))) fail(`flow.cancelRatesPerSec[${k}] must be a finite rate >= 0, got ${String(r)}`);
        });
        out.cancelRatesPerSec = Float64Array.from(cancelRatesPerSec);
      }
      if (joinRatesPerSec !== undefined) {
        if (!Array.isArray(joinRatesPerSec) || joinRatesPerSec.length > 1000) fail("flow.joinRatesPerSec must list at most 1,000 rates (limit orders per second per side joining level 1, 2, …)");
        joinRatesPerSec.forEach((r, k) => {
          if (!(r >= 0 && Number.isFinite(r))) fail(`flow.joinRatesPerSec[${k}] must be a finite rate >= 0, got ${String(r)}`);
        });
        out.joinRatesPerSec = Float64Array.from(joinRatesPerSec);
      }
      if (patience !== undefined) {
        if (!(patience.share >= 0 && patience.share <= 1)) fail(`flow.patience.share must be a probability in [0, 1], got ${String(patience.share)}`);
        if (!(patience.cancelPerSec >= 0 && Number.isFinite(patience.cancelPerSec))) fail(`flow.patience.cancelPerSec must be a finite rate >= 0, got ${String(patience.cancelPerSec)}`);
        const from = patience.fromTicks ?? 1;
        if (!(Number.isInteger(from) && from >= 1 && from <= 1_000_000)) fail(`flow.patience.fromTicks must be a whole number of ticks >= 1, got ${String(patience.fromTicks)}`);
        Object.assign(out, { patientShare: patience.share, patientFromTicks: from, patientCancelPerSec: patience.cancelPerSec });
      }
      if (hawkes !== undefined) {
        if (!(hawkes.branching >= 0 && hawkes.branching < 1)) fail(`flow.hawkes.branching must be in [0, 1) (a stationary process), got ${String(hawkes.branching)}`);
        if (!(hawkes.decayPerSec > 0 && Number.isFinite(hawkes.decayPerSec))) fail(`flow.hawkes.decayPerSec must be a finite rate > 0, got ${String(hawkes.decayPerSec)}`);
        out.hawkesBranching = hawkes.branching;
        out.hawkesDecayPerSec = hawkes.decayPerSec;
      }
      if (reference !== undefined) out.propagator = propagator(reference);
      if (params.anchored !== undefined && typeof params.anchored !== "boolean") fail(`flow.anchored must be true or false, got ${JSON.stringify(params.anchored)}`);
      return out;
    }
    case "lobster":
      if (!(flow.data instanceof LobsterReplayData)) fail("flow.data must be a LobsterReplayData (new LobsterReplayData(messages, book))");
      return { kind: "lobster", data: flow.data.native, impact: impact(flow.impact) };
    case "l2": {
      if (!(flow.data instanceof L2ReplayData)) fail("flow.data must be an L2ReplayData (new L2ReplayData(depth, trades))");
      const q = flow.queue ?? { kind: "power", power: 2 };
      const qk = QUEUE_KINDS[q.kind];
      if (qk === undefined) fail(`flow.queue.kind must be "linear", "power" or "log", got ${JSON.stringify(q.kind)}`);
      const power = q.kind === "power" ? q.power ?? 2 : 1;
      if (!(power > 0 && power <= 10)) fail(`flow.queue.power must be in (0, 10], got ${power}`);
      return { kind: "l2", data: flow.data.native, impact: impact(flow.impact), queue: { kind: qk, power }, applyTrades: flow.applyTrades ?? true };
    }
    default:
      return fail(`flow.kind must be "poisson", "lobster" or "l2", got ${JSON.stringify((flow as { kind: unknown }).kind)}`);
  }
}
