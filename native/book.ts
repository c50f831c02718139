// The L3 order book: sides and time in force, Instrument, order and op-stream types, status names, OrderBook.
import { bookOptions, fail, orderId, priceTicks, qtyLots, side, wholeNumber } from "./checks.js";
import { NativeError } from "./errors.js";
import { binding, type NativeBookHandle } from "./load.js";

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

/**
 * The engine's status codes by name (native/src/core/types.h `Status`): what `cmdStatus`, `slotReject` and
 * the book's results hold. `statusName(code)` gives the engine's own description.
 */
export const Status = {
  Ok: 0,
  /** cancel/reduce of an id that is not resting */
  UnknownOrder: 1,
  /** a new order reused the id of a resting order */
  DuplicateId: 2,
  /** a post-only order would have taken liquidity */
  PostOnlyWouldCross: 3,
  InvalidQty: 4,
  InvalidPrice: 5,
  InvalidId: 6,
  /** further from the book than the level window may span */
  PriceOutOfRange: 7,
  /** an agent order slot already holds a live order */
  SlotBusy: 8,
  /** the agent's cancel arrived after its order had filled or gone */
  TooLateToCancel: 9,
} as const;
export type Status = (typeof Status)[keyof typeof Status];


/** Status code → description, as the engine names them. */
export function statusName(code: number): string {
  return binding().statusNames[code] ?? `status ${code}`;
}

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
    if (status === Status.UnknownOrder) throw new NativeError("UNKNOWN_ORDER", `cancel: no resting order with id ${id}`);
    return qty;
  }

  /** Reduces a resting order by `byLots`, keeping its time priority; returns what is left (0 = removed). */
  reduce(id: number, byLots: number): number {
    const [status, left] = this.native.reduce(orderId("id", id), qtyLots("byLots", byLots));
    if (status === Status.UnknownOrder) throw new NativeError("UNKNOWN_ORDER", `reduce: no resting order with id ${id}`);
    return left;
  }

  /** Rests an order without matching (seeding from a snapshot); refuses a price that would cross. */
  insertResting(order: Omit<LimitOrder, "tif">): void {
    const s = this.native.insertResting(
      orderId("id", order.id), side("side", order.side), priceTicks("priceTicks", order.priceTicks),
      qtyLots("qtyLots", order.qtyLots), order.trackQueue === true,
    );
    if (s === Status.PostOnlyWouldCross) fail(`insertResting: order ${order.id} at ${order.priceTicks} would cross the book`);
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
    if (status === Status.Ok) return;
    if (status === Status.DuplicateId) throw new NativeError("DUPLICATE_ORDER_ID", `order id ${id} is already resting in the book`);
    if (status === Status.PriceOutOfRange)
      throw new NativeError("PRICE_OUT_OF_RANGE", `price ${price} is further from the book than maxLevels allows; raise BookOptions.maxLevels`);
    fail(`order ${id}: ${statusName(status)}`);
  }

  private result(r: number[], id: number, price: number): OrderResult {
    const [status, filledLots, restingLots, cancelledLots] = r;
    const trades = this.takeTrades();
    if (status === Status.PostOnlyWouldCross)
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
