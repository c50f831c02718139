// The only TypeScript file that touches the compiled addon: loads it, validates arguments once at the
// boundary, and gives the engine typed classes whose errors name the bad argument.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// ---- errors -------------------------------------------------------------------------------------

/** Stable codes so callers can branch on the kind of failure without parsing messages. */
export type TrancheErrorCode =
  | "NATIVE_LOAD_FAILED"
  | "INVALID_ARGUMENT"
  | "UNKNOWN_ORDER"
  | "DUPLICATE_ORDER_ID"
  | "PRICE_OUT_OF_RANGE"
  | "INVALID_COMMAND";

export class TrancheError extends Error {
  readonly code: TrancheErrorCode;
  constructor(code: TrancheErrorCode, message: string) {
    super(message);
    this.name = "TrancheError";
    this.code = code;
  }
}

// ---- loading ------------------------------------------------------------------------------------

interface NativeBookHandle {
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

interface NativeBatchHandle {
  reset(seed: number, startNs: number | Float64Array): void;
  flowStats(market: number): LobsterReplayState | L2ReplayStats | null;
  depth(market: number, side: number, levels: number): Float64Array;
  flowEvents(): number;
  step(dtNs: number): void;
  now(): number;
  bytesReserved(): number;
  checkInvariants(): string | null;
}

interface NativeLobsterDataHandle {
  verify(fromRow?: number): LobsterReplayStats & { report: string };
  replay(fromRow?: number): LobsterReplayStats & { seconds: number; invariants: string | null };
}
interface NativeL2DataHandle {
  checkBbo(bbo: BboColumnsInput, maxLevels?: number): BboCheck;
  replay(): L2ReplayStats & { seconds: number };
}

interface Binding {
  NativeBook: new (config?: BookOptions) => NativeBookHandle;
  NativeBatch: new (config: NativeBatchConfig, io: BatchIO) => NativeBatchHandle;
  NativeLobsterData: new (columns: LobsterColumnsInput) => NativeLobsterDataHandle;
  NativeL2Data: new (columns: L2ColumnsInput) => NativeL2DataHandle;
  statusNames: string[];
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new TrancheError("NATIVE_LOAD_FAILED", "cannot find the tranche package root above " + import.meta.url);
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
  throw new TrancheError(
    "NATIVE_LOAD_FAILED",
    "The tranche native addon could not be loaded. Tried:\n  " + tried.join("\n  ") +
      "\nPossible solutions:\n  npm run build:native        (rebuild the addon with node-gyp)\n" +
      "  apt-get install g++ make python3   (if the build says a compiler is missing)\n" +
      "  npm ci                      (reinstall dependencies and rebuild everything)",
  );
}

let cached: Binding | undefined;
function binding(): Binding {
  cached ??= loadBinding();
  return cached;
}

// ---- argument checks ----------------------------------------------------------------------------

function fail(message: string): never {
  throw new TrancheError("INVALID_ARGUMENT", message);
}
function wholeNumber(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) fail(`${name} must be a whole number, got ${String(v)}`);
  return v;
}
function orderId(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    fail(`${name} must be a positive whole number (order ids start at 1), got ${String(v)}`);
  return v;
}
function qtyLots(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    fail(`${name} must be a positive whole number of lots, got ${String(v)}`);
  return v;
}
function priceTicks(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`${name} must be a finite number of ticks, got ${String(v)}`);
  if (!Number.isSafeInteger(v))
    fail(`${name} ${v} is off the tick grid: prices are whole numbers of ticks (convert with Instrument.toTicks)`);
  return v;
}
function side(name: string, v: Side): Side {
  if (v !== 0 && v !== 1) fail(`${name} must be Side.Buy (0) or Side.Sell (1), got ${String(v)}`);
  return v;
}

const MAX_LEVELS_LIMIT = 1 << 24;
function bookOptions(name: string, options: BookOptions | undefined): BookOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) fail(`${name} must be an object`);
  for (const key of ["initialLevels", "maxLevels", "orderCapacity"] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0 || v > MAX_LEVELS_LIMIT))
      fail(`${name}.${key} must be a whole number in [1, ${MAX_LEVELS_LIMIT}], got ${String(v)}`);
  }
  return options;
}

// ---- public types -------------------------------------------------------------------------------

/** Order side: 0 is the bid (buy), 1 the ask (sell). Trades carry the aggressor's side. */
export const Side = { Buy: 0, Sell: 1, Bid: 0, Ask: 1 } as const;
export type Side = 0 | 1;

/** Time in force of a limit order. */
export const Tif = { GTC: 0, IOC: 1, PostOnly: 2 } as const;
export type Tif = 0 | 1 | 2;

/** Contract specification: converts decimal prices and sizes to the engine's integer ticks and lots. */
export class Instrument {
  constructor(readonly tickSize: number, readonly lotSize: number) {
    if (!(tickSize > 0) || !(lotSize > 0)) fail(`tickSize and lotSize must be positive, got ${tickSize} and ${lotSize}`);
  }
  /** Decimal price → ticks; throws when the price is not on the grid (within 1e-9 of a tick). */
  toTicks(price: number): number {
    const t = Math.round(price / this.tickSize);
    if (!Number.isFinite(price) || Math.abs(t * this.tickSize - price) > 1e-9 * Math.max(1, Math.abs(price)))
      fail(`price ${price} is off the tick grid (tick size ${this.tickSize}); round it to a multiple of the tick`);
    return t;
  }
  /** Decimal size → lots; throws when the size is not a multiple of the lot. */
  toLots(size: number): number {
    const l = Math.round(size / this.lotSize);
    if (!Number.isFinite(size) || size <= 0 || Math.abs(l * this.lotSize - size) > 1e-9 * Math.max(1, Math.abs(size)))
      fail(`size ${size} is not a positive multiple of the lot size ${this.lotSize}`);
    return l;
  }
}

export interface BookOptions {
  /** Width of the tick-indexed level window at start (rounded up to a power of two). Default 1024. */
  initialLevels?: number;
  /**
   * Widest the tick window may grow to (memory: 32 bytes per tick, both sides); a price that cannot share a window
   * of this width with the resting book is refused with PRICE_OUT_OF_RANGE. Default 2^20, at most 2^24.
   */
  maxLevels?: number;
  /** Order slots reserved up front; the arena grows past it, amortised. Default 1024. */
  orderCapacity?: number;
}

/** One execution at the resting (maker) order's price. */
export interface Trade {
  makerId: number;
  takerId: number;
  priceTicks: number;
  qtyLots: number;
  aggressor: Side;
}

export interface OrderResult {
  /** False when the book refused the order (a post-only order that would have crossed). */
  accepted: boolean;
  rejectReason?: "post-only-would-cross";
  filledLots: number;
  restingLots: number;
  /** IOC remainder, or a market order's remainder when the opposite side ran dry. */
  cancelledLots: number;
  trades: Trade[];
}

export interface LimitOrder {
  id: number;
  side: Side;
  priceTicks: number;
  qtyLots: number;
  /** Default GTC. */
  tif?: Tif;
  /** Keep this order's queue place current in O(1) (agent orders always are). */
  trackQueue?: boolean;
}

/**
 * Column-wise operation stream (one element per op) for bulk application. Integer columns come either
 * all as BigInt64Array (Arrow's int64 columns, no conversion needed: the fast path) or all as
 * Float64Array holding whole numbers below 2^51 (checked per op).
 */
export interface OpStream<T extends Float64Array | BigInt64Array = Float64Array | BigInt64Array> {
  /** 0 limit GTC, 1 limit IOC, 2 limit post-only, 3 market, 4 cancel, 5 reduce (qty = amount removed). */
  kind: Uint8Array;
  side: Uint8Array;
  id: T;
  priceTicks: T;
  qtyLots: T;
}
export const OpKind = { LimitGtc: 0, LimitIoc: 1, LimitPostOnly: 2, Market: 3, Cancel: 4, Reduce: 5 } as const;

/** Optional outputs of applyOps: per-op status codes and every trade (up to the arrays' length). */
export interface OpOutputs {
  status?: Int32Array;
  tradeMaker?: Float64Array;
  tradeTaker?: Float64Array;
  tradePrice?: Float64Array;
  tradeQty?: Float64Array;
  tradeAggressor?: Uint8Array;
}

export interface OpStats {
  applied: number;
  trades: number;
  /** Ops the book refused as an exchange would: unknown id, duplicate id, post-only crossing. */
  refused: number;
  tradedLots: number;
  /** Trades produced, including those beyond the trade arrays' capacity. */
  tradesWritten: number;
}

export interface BookTotals {
  addedLots: number;
  tradedLots: number;
  cancelledLots: number;
  restingLots: number;
  orders: number;
}

const STATUS = {
  ok: 0, unknownOrder: 1, duplicateId: 2, postOnlyWouldCross: 3, invalidQty: 4, invalidPrice: 5, invalidId: 6,
  priceOutOfRange: 7,
} as const;

/** Status code → description, as the engine names them. */
export function statusName(code: number): string {
  return binding().statusNames[code] ?? `status ${code}`;
}

// ---- the order book -----------------------------------------------------------------------------

/** An L3 price-time priority book with integer ticks and lots. */
export class OrderBook {
  private readonly native: NativeBookHandle;
  private readonly levelPrices = new Float64Array(64);
  private readonly levelQtys = new Float64Array(64);

  constructor(options: BookOptions = {}) {
    this.native = new (binding().NativeBook)(bookOptions("BookOptions", options));
  }

  /** Submits a limit order: matches what crosses, then rests, cancels (IOC) or is refused (post-only). */
  limit(order: LimitOrder): OrderResult {
    const tif = order.tif ?? Tif.GTC;
    if (tif !== 0 && tif !== 1 && tif !== 2) fail(`tif must be Tif.GTC, Tif.IOC or Tif.PostOnly, got ${String(tif)}`);
    const r = this.native.limit(
      orderId("id", order.id), side("side", order.side), priceTicks("priceTicks", order.priceTicks),
      qtyLots("qtyLots", order.qtyLots), tif, order.trackQueue === true,
    );
    return this.result(r, order.id, order.priceTicks);
  }

  /** Takes up to qtyLots from the opposite side at any price; what finds no liquidity is cancelled. */
  market(order: { id?: number; side: Side; qtyLots: number }): OrderResult {
    const id = order.id === undefined ? 0 : wholeNumber("id", order.id);
    if (id < 0) fail(`id must be 0 (anonymous) or a positive whole number, got ${id}`);
    return this.result(this.native.market(id, side("side", order.side), qtyLots("qtyLots", order.qtyLots)), id, NaN);
  }

  /** Cancels a resting order and returns the quantity it still had. Unknown ids throw UNKNOWN_ORDER. */
  cancel(id: number): number {
    const [status, qty] = this.native.cancel(orderId("id", id));
    if (status === STATUS.unknownOrder) throw new TrancheError("UNKNOWN_ORDER", `cancel: no resting order with id ${id}`);
    return qty;
  }

  /** Reduces a resting order by `byLots`, keeping its time priority; returns what is left (0 = removed). */
  reduce(id: number, byLots: number): number {
    const [status, left] = this.native.reduce(orderId("id", id), qtyLots("byLots", byLots));
    if (status === STATUS.unknownOrder) throw new TrancheError("UNKNOWN_ORDER", `reduce: no resting order with id ${id}`);
    return left;
  }

  /** Rests an order without matching (seeding from a snapshot); refuses a price that would cross. */
  insertResting(order: Omit<LimitOrder, "tif">): void {
    const s = this.native.insertResting(
      orderId("id", order.id), side("side", order.side), priceTicks("priceTicks", order.priceTicks),
      qtyLots("qtyLots", order.qtyLots), order.trackQueue === true,
    );
    if (s === STATUS.postOnlyWouldCross) fail(`insertResting: order ${order.id} at ${order.priceTicks} would cross the book`);
    this.check(s, order.id, order.priceTicks);
  }


  clear(): void {
    this.native.clear();
  }

  bestBid(): number | null {
    return this.native.bestBid();
  }
  bestAsk(): number | null {
    return this.native.bestAsk();
  }
  depthAt(s: Side, price: number): number {
    return this.native.depthAt(side("side", s), priceTicks("priceTicks", price));
  }
  /** The best `n` levels of one side, touch first. */
  levels(s: Side, n: number): { priceTicks: number[]; qtyLots: number[] } {
    const want = wholeNumber("n", n);
    if (want < 0 || want > 1 << 20) fail(`n must be a whole number of levels in [0, 1048576], got ${n}`);
    const prices = want <= 64 ? this.levelPrices : new Float64Array(want);
    const qtys = want <= 64 ? this.levelQtys : new Float64Array(want);
    const k = this.native.topLevels(side("side", s), want, prices, qtys);
    return { priceTicks: Array.from(prices.subarray(0, k)), qtyLots: Array.from(qtys.subarray(0, k)) };
  }
  /** Quantity resting ahead of the order at its price, or null if it is not resting. */
  queueAhead(id: number): number | null {
    return this.native.queueAhead(orderId("id", id));
  }
  order(id: number): { side: Side; priceTicks: number; qtyLots: number } | null {
    const o = this.native.order(orderId("id", id));
    return o === null ? null : { side: o[0] as Side, priceTicks: o[1], qtyLots: o[2] };
  }
  totals(): BookTotals {
    const [addedLots, tradedLots, cancelledLots, restingLots, orders] = this.native.totals();
    return { addedLots, tradedLots, cancelledLots, restingLots, orders };
  }
  /** Null when the book is consistent; otherwise the first breach (crossed, links, conservation, ...). */
  checkInvariants(): string | null {
    return this.native.checkInvariants();
  }
  bytesReserved(): number {
    return this.native.bytesReserved();
  }

  /**
   * Applies an operation stream in one native call. Malformed ops (NaN, fractions, unknown kinds) throw
   * before anything after them runs; refusals an exchange would give (unknown id, post-only crossing)
   * are counted and, with `outputs.status`, reported per op.
   */
  applyOps(ops: OpStream, outputs?: OpOutputs): OpStats {
    const n = ops.kind.length;
    for (const key of ["side", "id", "priceTicks", "qtyLots"] as const) {
      if (ops[key].length !== n) fail(`OpStream.${key} has ${ops[key].length} elements but kind has ${n}`);
    }
    const big = ops.id instanceof BigInt64Array;
    if ((ops.priceTicks instanceof BigInt64Array) !== big || (ops.qtyLots instanceof BigInt64Array) !== big)
      fail("OpStream.id, priceTicks and qtyLots must all be BigInt64Array or all be Float64Array");
    const [applied, trades, refused, tradedLots, badIndex, badField, tradesWritten] = this.native.applyOps(
      ops.kind, ops.side, ops.id, ops.priceTicks, ops.qtyLots, outputs,
    );
    if (badIndex >= 0) {
      fail(`OpStream.${badField ?? "?"}[${badIndex}] is malformed (kind ${ops.kind[badIndex]}, side ${ops.side[badIndex]}, id ${ops.id[badIndex]}, ` +
        `price ${ops.priceTicks[badIndex]}, qty ${ops.qtyLots[badIndex]}); ${badIndex} ops before it were applied`);
    }
    return { applied, trades, refused, tradedLots, tradesWritten };
  }

  private check(status: number, id: number, price: number): void {
    if (status === STATUS.ok) return;
    if (status === STATUS.duplicateId) throw new TrancheError("DUPLICATE_ORDER_ID", `order id ${id} is already resting in the book`);
    if (status === STATUS.priceOutOfRange)
      throw new TrancheError("PRICE_OUT_OF_RANGE", `price ${price} is further from the book than maxLevels allows; raise BookOptions.maxLevels`);
    fail(`order ${id}: ${statusName(status)}`);
  }

  private result(r: number[], id: number, price: number): OrderResult {
    const [status, filledLots, restingLots, cancelledLots] = r;
    const trades = this.takeTrades();
    if (status === STATUS.postOnlyWouldCross)
      return { accepted: false, rejectReason: "post-only-would-cross", filledLots: 0, restingLots: 0, cancelledLots: 0, trades };
    this.check(status, id, price);
    return { accepted: true, filledLots, restingLots, cancelledLots, trades };
  }

  private takeTrades(): Trade[] {
    const flat = this.native.takeTrades();
    const trades: Trade[] = [];
    for (let i = 0; i < flat.length; i += 5) {
      trades.push({ makerId: flat[i], takerId: flat[i + 1], priceTicks: flat[i + 2], qtyLots: flat[i + 3], aggressor: flat[i + 4] as Side });
    }
    return trades;
  }
}

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
  referencePriceTicks?: number;
  seedDepth?: number;
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

/**
 * Caller-owned arrays the batch reads commands from and writes observations into, market-major:
 * element [m * C + c] is command c of market m (C = commandsPerMarket), [m * 8 + s] slot s, [m * F + f] fill f.
 */
export interface BatchIO {
  cmdKind: Uint8Array;
  cmdSide: Uint8Array;
  cmdTif: Uint8Array;
  cmdSlot: Uint8Array;
  cmdPriceTicks: Float64Array;
  cmdQtyLots: Float64Array;
  /** Status of each command at submission (0 accepted; see statusName). */
  cmdStatus: Int32Array;
  /** Top of book as the agent sees it through market-data latency; NaN for an empty side. */
  bestBid: Float64Array;
  bestAsk: Float64Array;
  bidQty: Float64Array;
  askQty: Float64Array;
  positionLots: Float64Array;
  /** Quote currency: minus what buys cost, plus what sells earned, minus fees. */
  cash: Float64Array;
  feesPaid: Float64Array;
  /** Fills this step; rows at and beyond min(fillCount, fillsPerMarket) keep stale values. */
  fillCount: Int32Array;
  slotState: Int8Array;
  slotPriceTicks: Float64Array;
  slotFilledLots: Float64Array;
  slotRemainingLots: Float64Array;
  /** Quantity ahead of the slot's resting order at its price; -1 unless resting. */
  slotQueueAheadLots: Float64Array;
  slotReject: Int32Array;
  fillPriceTicks: Float64Array;
  fillQtyLots: Float64Array;
  fillFee: Float64Array;
  fillSlot: Uint8Array;
  fillMaker: Uint8Array;
}

interface NativeLatency {
  kind: number;
  fixedNs: number;
  maxNs: number;
  sigma: number;
}
interface NativeBatchConfig {
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

  /** Allocates a BatchIO of the right sizes; pass your own to share buffers with other code. */
  static createIO(markets: number, commandsPerMarket = 4, fillsPerMarket = 16): BatchIO {
    const nc = markets * commandsPerMarket, ns = markets * AGENT_SLOTS, nf = markets * fillsPerMarket;
    return {
      cmdKind: new Uint8Array(nc), cmdSide: new Uint8Array(nc), cmdTif: new Uint8Array(nc), cmdSlot: new Uint8Array(nc),
      cmdPriceTicks: new Float64Array(nc), cmdQtyLots: new Float64Array(nc), cmdStatus: new Int32Array(nc),
      bestBid: new Float64Array(markets), bestAsk: new Float64Array(markets), bidQty: new Float64Array(markets),
      askQty: new Float64Array(markets), positionLots: new Float64Array(markets), cash: new Float64Array(markets),
      feesPaid: new Float64Array(markets), fillCount: new Int32Array(markets),
      slotState: new Int8Array(ns), slotPriceTicks: new Float64Array(ns), slotFilledLots: new Float64Array(ns),
      slotRemainingLots: new Float64Array(ns), slotQueueAheadLots: new Float64Array(ns), slotReject: new Int32Array(ns),
      fillPriceTicks: new Float64Array(nf), fillQtyLots: new Float64Array(nf), fillFee: new Float64Array(nf),
      fillSlot: new Uint8Array(nf), fillMaker: new Uint8Array(nf),
    };
  }

  constructor(options: BatchOptions, io?: BatchIO) {
    if (typeof options !== "object" || options === null) fail("BatchMarket needs an options object ({ markets: N, ... })");
    if (options.markets === 0) fail("markets must be at least 1 (N = 0 markets has nothing to step)");
    this.markets = positiveInt("markets", options.markets, 1 << 16);
    this.commandsPerMarket = positiveInt("commandsPerMarket", options.commandsPerMarket ?? 4, 64);
    this.fillsPerMarket = positiveInt("fillsPerMarket", options.fillsPerMarket ?? 16, 4096);
    const tickSize = options.tickSize ?? 0.01, lotSize = options.lotSize ?? 1;
    new Instrument(tickSize, lotSize);
    const fees = options.fees ?? { makerBps: 0, takerBps: 0 };
    if (!Number.isFinite(fees.makerBps) || !Number.isFinite(fees.takerBps)) fail("fees.makerBps and fees.takerBps must be finite numbers");
    const flow = nativeFlow(options.flow ?? { kind: "poisson" });
    this.io = io ?? BatchMarket.createIO(this.markets, this.commandsPerMarket, this.fillsPerMarket);
    try {
      this.native = new (binding().NativeBatch)({
        markets: this.markets, commandsPerMarket: this.commandsPerMarket, fillsPerMarket: this.fillsPerMarket,
        tickSize, lotSize, makerBps: fees.makerBps, takerBps: fees.takerBps,
        orderEntryLatency: latency("orderEntryLatency", options.orderEntryLatency),
        marketDataLatency: latency("marketDataLatency", options.marketDataLatency),
        flow, book: bookOptions("book", options.book),
      }, this.io);
    } catch (e) {
      if (e instanceof TrancheError) throw e;
      throw new TrancheError("INVALID_ARGUMENT", `BatchMarket: ${(e as Error).message}`);
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
      throw new TrancheError("INVALID_COMMAND", (e as Error).message);
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

// ---- replayed market data -----------------------------------------------------------------------

/** LOBSTER message columns (the `l3` table) as typed arrays; data/reader.ts returns them. */
export interface L3ColumnsInput {
  tsNs: BigInt64Array;
  type: Uint8Array;
  orderId: BigInt64Array;
  side: Uint8Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
}
/** LOBSTER orderbook rows (the `book` table): one array per level, prices in ticks, size 0 = empty level. */
export interface BookRowsInput {
  levels: number;
  askPriceTicks: BigInt64Array[];
  askQtyLots: BigInt64Array[];
  bidPriceTicks: BigInt64Array[];
  bidQtyLots: BigInt64Array[];
}
type LobsterColumnsInput = L3ColumnsInput & BookRowsInput;

/** Depth events (the `l2` table) and, optionally, trades. */
export interface L2DepthInput {
  tsNs: BigInt64Array;
  side: Uint8Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
  isSnapshot: Uint8Array;
  lastUpdateId: BigInt64Array;
}
export interface L2TradesInput {
  tsNs: BigInt64Array;
  priceTicks: BigInt64Array;
  qtyLots: BigInt64Array;
  aggressorSide: Uint8Array;
}
interface L2ColumnsInput {
  depth: L2DepthInput;
  trades?: L2TradesInput;
}
export interface BboColumnsInput {
  updateId: BigInt64Array;
  bidPriceTicks: BigInt64Array;
  bidQtyLots: BigInt64Array;
  askPriceTicks: BigInt64Array;
  askQtyLots: BigInt64Array;
}

export interface LobsterReplayStats {
  messages: number;
  /** Orderbook rows compared (verification only). */
  rowsChecked: number;
  /** Rows where the replay's top N levels differed from the file's (verification; must be 0 without an agent). */
  visibleMismatches: number;
  firstMismatchRow: number;
  /** Levels that came into view changed since the replay last saw them (or new), adopted from the file, and
   *  their net lots, by side. */
  adoptionsBid: number;
  adoptionsAsk: number;
  adoptedLotsBid: number;
  adoptedLotsAsk: number;
  /** Adoptions at prices the previous row already showed (inside the visible range): the rule forbids them. */
  adoptionsInViewBid: number;
  adoptionsInViewAsk: number;
  /** Removals of orders the replay never saw (resting before the file began, or placed beyond view). */
  unknownIdMessages: number;
  /** Messages about liquidity the agent had taken, shrunk to what was left, and the lots they lost. */
  reconciled: number;
  reconciledLots: number;
  /** Replayed executions that met one of the agent's orders first. */
  agentFillsByReplay: number;
  hiddenExecutions: number;
  /** Messages after which prices beyond the previous row's N-th level came into view, by side. */
  intoViewBid: number;
  intoViewAsk: number;
}

/** A LOBSTER replay's counters and where it stands in its market. */
export interface LobsterReplayState extends LobsterReplayStats {
  /** Current impact offset of replayed prices, ticks. */
  offsetTicks: number;
  /** Next message row to replay. */
  nextRow: number;
  /** Lots the agent took that the file still shows: the replayed book holds that much less than the file. */
  agentTakenLots: number;
}

export interface L2ReplayStats {
  depthEvents: number;
  tradeEvents: number;
  snapshots: number;
  outOfRange: number;
  crossRepairs: number;
  queueAdvanceLots: number;
  cancelsAheadLots: number;
  cancelsBehindLots: number;
  agentFillsByTrades: number;
}

export interface BboCheck {
  compared: number;
  matched: number;
  firstMismatchRow: number;
  firstMismatch: string;
}

function checkColumns(name: string, cols: Record<string, unknown>, keys: readonly string[], rows: number): void {
  for (const k of keys) {
    const v = cols[k];
    if (!ArrayBuffer.isView(v)) fail(`${name}.${k} is missing or not a typed array`);
    if ((v as unknown as { length: number }).length !== rows) fail(`${name}.${k} has ${(v as unknown as { length: number }).length} rows, expected ${rows}`);
  }
}

/** One LOBSTER day in memory (borrowed columns, no copy), shared by every market that replays it. */
export class LobsterReplayData {
  /** @internal */
  readonly native: NativeLobsterDataHandle;
  readonly rows: number;
  readonly levels: number;
  /** First message time, ns since the Unix epoch: replay time 0. */
  readonly startNs: bigint;

  constructor(messages: L3ColumnsInput, book: BookRowsInput) {
    const rows = messages.tsNs.length;
    if (rows === 0) fail("the LOBSTER messages are empty");
    checkColumns("messages", messages as unknown as Record<string, unknown>, ["tsNs", "type", "orderId", "side", "priceTicks", "qtyLots"], rows);
    if (!Number.isSafeInteger(book.levels) || book.levels < 1) fail(`book.levels must be a positive whole number, got ${book.levels}`);
    for (const k of ["askPriceTicks", "askQtyLots", "bidPriceTicks", "bidQtyLots"] as const) {
      if (book[k].length !== book.levels) fail(`book.${k} has ${book[k].length} columns, expected ${book.levels}`);
      book[k].forEach((c, i) => { if (c.length !== rows) fail(`book.${k}[${i}] has ${c.length} rows, the messages ${rows}`); });
    }
    this.native = new (binding().NativeLobsterData)({ ...messages, ...book });
    this.rows = rows;
    this.levels = book.levels;
    this.startNs = messages.tsNs[0];
  }

  /**
   * Replays from `fromRow` (seeded from the orderbook row before it; row 0 with message 0 undone) with no
   * agent and compares every later row with the orderbook file by the replay rule.
   */
  verify(fromRow = 0): LobsterReplayStats & { report: string } {
    if (!Number.isSafeInteger(fromRow) || fromRow < 0 || fromRow >= this.rows) fail(`fromRow must be in [0, ${this.rows - 1}], got ${fromRow}`);
    return this.native.verify(fromRow);
  }

  /** The replay's fast path over the whole file from `fromRow`, timed natively (for benchmarks). */
  replay(fromRow = 0): LobsterReplayStats & { seconds: number; invariants: string | null } {
    if (!Number.isSafeInteger(fromRow) || fromRow < 0 || fromRow > this.rows) fail(`fromRow must be in [0, ${this.rows}], got ${fromRow}`);
    return this.native.replay(fromRow);
  }
}

/** An L2 depth + trades recording in memory (borrowed columns), shared by every market that replays it. */
export class L2ReplayData {
  /** @internal */
  readonly native: NativeL2DataHandle;
  readonly depthRows: number;
  readonly tradeRows: number;

  constructor(depth: L2DepthInput, trades?: L2TradesInput) {
    const rows = depth.tsNs.length;
    if (rows === 0) fail("the depth table is empty");
    checkColumns("depth", depth as unknown as Record<string, unknown>, ["tsNs", "side", "priceTicks", "qtyLots", "isSnapshot", "lastUpdateId"], rows);
    if (depth.isSnapshot[0] !== 1) fail("the depth table must start with a snapshot (is_snapshot = 1 on row 0)");
    if (trades) checkColumns("trades", trades as unknown as Record<string, unknown>, ["tsNs", "priceTicks", "qtyLots", "aggressorSide"], trades.tsNs.length);
    this.native = new (binding().NativeL2Data)({ depth, trades });
    this.depthRows = rows;
    this.tradeRows = trades?.tsNs.length ?? 0;
  }

  /** Rebuilds the book from the depth rows alone and compares its touch with bookTicker where update ids coincide. */
  checkBbo(bbo: BboColumnsInput, maxLevels = 1 << 20): BboCheck {
    checkColumns("bbo", bbo as unknown as Record<string, unknown>, ["updateId", "bidPriceTicks", "bidQtyLots", "askPriceTicks", "askQtyLots"], bbo.updateId.length);
    return this.native.checkBbo(bbo, maxLevels);
  }

  /** Every depth row and trade, no agent, timed natively. */
  replay(): L2ReplayStats & { seconds: number } {
    return this.native.replay();
  }
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

function nativeFlow(flow: PoissonFlowSpec | LobsterFlowSpec | L2FlowSpec): Record<string, unknown> {
  switch (flow.kind) {
    case "poisson": {
      for (const key of ["limitRatePerSec", "marketRatePerSec", "cancelRatePerSec"] as const) {
        const v = flow[key];
        if (v !== undefined && !(v >= 0 && Number.isFinite(v))) fail(`flow.${key} must be a finite rate >= 0, got ${String(v)}`);
      }
      for (const key of ["distanceP", "sizeP"] as const) {
        const v = flow[key];
        if (v !== undefined && !(v > 0 && v <= 1)) fail(`flow.${key} must be a probability in (0, 1], got ${String(v)}`);
      }
      const { kind: _kind, ...params } = flow;
      return { kind: "poisson", ...params };
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
