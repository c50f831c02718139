// Property-based check of the native book against a deliberately simple reference book written here: the
// same random operation streams must give the same trades, results, levels and queue positions.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Status, OpKind, OrderBook, Side, Tif, TrancheError, type OpStream } from "../../native/index.js";

// ---- the reference book -------------------------------------------------------------------------

const { Ok: OK, UnknownOrder: UNKNOWN_ORDER, DuplicateId: DUPLICATE_ID, PostOnlyWouldCross: POST_ONLY_WOULD_CROSS, PriceOutOfRange: PRICE_OUT_OF_RANGE } = Status;

interface RefOrder {
  id: number;
  side: Side;
  priceTicks: number;
  qtyLots: number;
  seq: number;
}
interface RefTrade {
  makerId: number;
  takerId: number;
  priceTicks: number;
  qtyLots: number;
  aggressor: Side;
}
interface Outcome {
  status: number;
  filledLots: number;
  restingLots: number;
  cancelledLots: number;
  /** What cancel (quantity removed) or reduce (quantity left) returned. */
  returnedLots: number;
  trades: RefTrade[];
}

/**
 * A list of resting orders, sorted on demand by price (best first) then arrival. No windows, no maps, no
 * incremental bookkeeping: everything is recomputed from the list, so it is easy to see it is right.
 */
class ReferenceBook {
  orders: RefOrder[] = [];
  addedLots = 0;
  tradedLots = 0;
  cancelledLots = 0;
  private nextSeq = 1;

  constructor(readonly maxLevels: number) {}

  /** One side's orders in priority order: best price first, then first come. */
  side(s: Side): RefOrder[] {
    return this.orders
      .filter((o) => o.side === s)
      .sort((a, b) => (a.priceTicks !== b.priceTicks ? (s === Side.Buy ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks) : a.seq - b.seq));
  }
  find(id: number): RefOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }
  best(s: Side): number | null {
    const q = this.side(s);
    return q.length === 0 ? null : q[0].priceTicks;
  }

  limit(id: number, side: Side, priceTicks: number, qtyLots: number, tif: number): Outcome {
    const out = outcome();
    if (this.find(id)) return { ...out, status: DUPLICATE_ID };
    const opposite = this.best(side === Side.Buy ? Side.Sell : Side.Buy);
    const crosses = opposite !== null && (side === Side.Buy ? priceTicks >= opposite : priceTicks <= opposite);
    if (tif === Tif.PostOnly && crosses) return { ...out, status: POST_ONLY_WOULD_CROSS };
    // An order that may rest must keep every resting order and itself within maxLevels ticks; the check is
    // made before matching, so the orders it would match count too.
    if (tif !== Tif.IOC && this.orders.length > 0) {
      const prices = [priceTicks, ...this.orders.map((o) => o.priceTicks)];
      if (Math.max(...prices) - Math.min(...prices) + 1 > this.maxLevels) return { ...out, status: PRICE_OUT_OF_RANGE };
    }
    out.filledLots = this.take(id, side, priceTicks, qtyLots, out.trades);
    const left = qtyLots - out.filledLots;
    if (left > 0 && tif === Tif.IOC) out.cancelledLots = left;
    else if (left > 0) {
      this.orders.push({ id, side, priceTicks, qtyLots: left, seq: this.nextSeq++ });
      this.addedLots += left;
      out.restingLots = left;
    }
    return out;
  }

  market(id: number, side: Side, qtyLots: number): Outcome {
    const out = outcome();
    out.filledLots = this.take(id, side, side === Side.Buy ? Infinity : -Infinity, qtyLots, out.trades);
    out.cancelledLots = qtyLots - out.filledLots;
    return out;
  }

  cancel(id: number): Outcome {
    const o = this.find(id);
    if (!o) return { ...outcome(), status: UNKNOWN_ORDER };
    this.orders = this.orders.filter((x) => x !== o);
    this.cancelledLots += o.qtyLots;
    return { ...outcome(), returnedLots: o.qtyLots };
  }

  reduce(id: number, byLots: number): Outcome {
    const o = this.find(id);
    if (!o) return { ...outcome(), status: UNKNOWN_ORDER };
    const removed = Math.min(byLots, o.qtyLots);
    o.qtyLots -= removed;
    this.cancelledLots += removed;
    if (o.qtyLots === 0) this.orders = this.orders.filter((x) => x !== o);
    return { ...outcome(), returnedLots: o.qtyLots };
  }

  queueAhead(id: number): number | null {
    const o = this.find(id);
    if (!o) return null;
    return this.orders.filter((x) => x.side === o.side && x.priceTicks === o.priceTicks && x.seq < o.seq).reduce((sum, x) => sum + x.qtyLots, 0);
  }

  levels(s: Side): { priceTicks: number[]; qtyLots: number[] } {
    const priceTicks: number[] = [], qtyLots: number[] = [];
    for (const o of this.side(s)) {
      if (priceTicks[priceTicks.length - 1] === o.priceTicks) qtyLots[qtyLots.length - 1] += o.qtyLots;
      else priceTicks.push(o.priceTicks), qtyLots.push(o.qtyLots);
    }
    return { priceTicks, qtyLots };
  }

  private take(takerId: number, side: Side, limitPriceTicks: number, qtyLots: number, trades: RefTrade[]): number {
    let filled = 0;
    for (const maker of this.side(side === Side.Buy ? Side.Sell : Side.Buy)) {
      if (filled === qtyLots) break;
      if (side === Side.Buy ? maker.priceTicks > limitPriceTicks : maker.priceTicks < limitPriceTicks) break;
      const q = Math.min(maker.qtyLots, qtyLots - filled);
      trades.push({ makerId: maker.id, takerId, priceTicks: maker.priceTicks, qtyLots: q, aggressor: side });
      maker.qtyLots -= q;
      filled += q;
      this.tradedLots += q;
    }
    this.orders = this.orders.filter((o) => o.qtyLots > 0);
    return filled;
  }
}

function outcome(): Outcome {
  return { status: OK, filledLots: 0, restingLots: 0, cancelledLots: 0, returnedLots: 0, trades: [] };
}

// ---- random operation streams -------------------------------------------------------------------

const MAX_LEVELS = 4096;
const BASE_PRICE = 10_000;

/** How an op picks its order id; resolved against the run's history so ids hit live, dead and unknown orders. */
type IdPick = { kind: "fresh" } | { kind: "resting" | "seen" | "neverSeen"; k: number };
type OpSpec =
  | { t: "limit"; tif: 0 | 1 | 2; side: Side; priceTicks: number; qtyLots: number; id: IdPick; track: boolean }
  | { t: "market"; side: Side; qtyLots: number; anonymous: boolean }
  | { t: "cancel"; id: IdPick }
  | { t: "reduce"; id: IdPick; qtyLots: number };

const side = fc.constantFrom<Side>(Side.Buy, Side.Sell);
const qty = fc.integer({ min: 1, max: 10 });
// A narrow band so crossing is frequent, now and then a jump that is near, beyond, or far beyond maxLevels.
const price = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -5, max: 5 }).map((d) => BASE_PRICE + d) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1000, max: 6000 }), fc.boolean()).map(([d, up]) => BASE_PRICE + (up ? d : -d)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: MAX_LEVELS - 12, max: MAX_LEVELS + 2 }), fc.boolean()).map(([d, up]) => BASE_PRICE + (up ? d : -d)) },
  { weight: 1, arbitrary: fc.constantFrom(BASE_PRICE + 10_000_000, BASE_PRICE - 10_000_000) },
);
const k = fc.nat({ max: 1000 });
const newId: fc.Arbitrary<IdPick> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "fresh" as const }) },
  { weight: 1, arbitrary: k.map((k) => ({ kind: "seen" as const, k })) },
  { weight: 1, arbitrary: k.map((k) => ({ kind: "resting" as const, k })) },
);
const existingId: fc.Arbitrary<IdPick> = fc.oneof(
  { weight: 6, arbitrary: k.map((k) => ({ kind: "resting" as const, k })) },
  { weight: 2, arbitrary: k.map((k) => ({ kind: "seen" as const, k })) },
  { weight: 1, arbitrary: k.map((k) => ({ kind: "neverSeen" as const, k })) },
);
const opSpec: fc.Arbitrary<OpSpec> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ t: fc.constant("limit" as const), tif: fc.constantFrom<(0 | 1 | 2)[]>(Tif.GTC, Tif.GTC, Tif.GTC, Tif.IOC, Tif.PostOnly), side, priceTicks: price, qtyLots: qty, id: newId, track: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("market" as const), side, qtyLots: fc.integer({ min: 1, max: 25 }), anonymous: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("cancel" as const), id: existingId }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("reduce" as const), id: existingId, qtyLots: qty }) },
);
// size "max": lengths spread up to maxLength instead of fast-check's small default (about 10).
const opSpecs = fc.array(opSpec, { minLength: 1, maxLength: 150, size: "max" });

/** A concrete op, ready for either API. */
interface Op {
  kind: number;
  side: Side;
  id: number;
  priceTicks: number;
  qtyLots: number;
  track: boolean;
}

/** Resolves id picks against what the reference book has seen so far (ids are safe integers > 0). */
class IdResolver {
  private next = 1;
  private readonly seen: number[] = [];
  resolve(pick: IdPick, ref: ReferenceBook): number {
    if (pick.kind === "resting" && ref.orders.length > 0) return ref.orders[pick.k % ref.orders.length].id;
    if (pick.kind === "seen" && this.seen.length > 0) return this.seen[pick.k % this.seen.length];
    if (pick.kind === "neverSeen") return 1_000_000_000 + pick.k;
    const id = this.next++;
    this.seen.push(id);
    return id;
  }
}

function concretize(spec: OpSpec, ids: IdResolver, ref: ReferenceBook): Op {
  switch (spec.t) {
    case "limit":
      return { kind: spec.tif, side: spec.side, id: ids.resolve(spec.id, ref), priceTicks: spec.priceTicks, qtyLots: spec.qtyLots, track: spec.track };
    case "market":
      return { kind: OpKind.Market, side: spec.side, id: spec.anonymous ? 0 : ids.resolve({ kind: "fresh" }, ref), priceTicks: 0, qtyLots: spec.qtyLots, track: false };
    case "cancel":
      return { kind: OpKind.Cancel, side: 0, id: ids.resolve(spec.id, ref), priceTicks: 0, qtyLots: 0, track: false };
    case "reduce":
      return { kind: OpKind.Reduce, side: 0, id: ids.resolve(spec.id, ref), priceTicks: 0, qtyLots: spec.qtyLots, track: false };
  }
}

function applyToReference(ref: ReferenceBook, op: Op): Outcome {
  switch (op.kind) {
    case OpKind.Market:
      return ref.market(op.id, op.side, op.qtyLots);
    case OpKind.Cancel:
      return ref.cancel(op.id);
    case OpKind.Reduce:
      return ref.reduce(op.id, op.qtyLots);
    default:
      return ref.limit(op.id, op.side, op.priceTicks, op.qtyLots, op.kind);
  }
}

const ERROR_STATUS: Record<string, number> = { UNKNOWN_ORDER, DUPLICATE_ORDER_ID: DUPLICATE_ID, PRICE_OUT_OF_RANGE };

/** Runs one op through the single-call API and reports it in the reference's terms. */
function applyToNative(book: OrderBook, op: Op): Outcome {
  try {
    switch (op.kind) {
      case OpKind.Market: {
        const r = book.market({ id: op.id, side: op.side, qtyLots: op.qtyLots });
        return { ...outcome(), filledLots: r.filledLots, restingLots: r.restingLots, cancelledLots: r.cancelledLots, trades: r.trades };
      }
      case OpKind.Cancel:
        return { ...outcome(), returnedLots: book.cancel(op.id) };
      case OpKind.Reduce:
        return { ...outcome(), returnedLots: book.reduce(op.id, op.qtyLots) };
      default: {
        const r = book.limit({ id: op.id, side: op.side, priceTicks: op.priceTicks, qtyLots: op.qtyLots, tif: op.kind as 0 | 1 | 2, trackQueue: op.track });
        if (!r.accepted) return { ...outcome(), status: POST_ONLY_WOULD_CROSS, trades: r.trades };
        return { ...outcome(), filledLots: r.filledLots, restingLots: r.restingLots, cancelledLots: r.cancelledLots, trades: r.trades };
      }
    }
  } catch (e) {
    if (e instanceof TrancheError && e.code in ERROR_STATUS) return { ...outcome(), status: ERROR_STATUS[e.code] };
    throw e;
  }
}

/** The whole observable book: both sides' levels, totals, and each resting order with its queue place. */
function nativeState(book: OrderBook, ref: ReferenceBook) {
  const levelsWanted = ref.orders.length + 1;
  return {
    bids: book.levels(Side.Buy, levelsWanted),
    asks: book.levels(Side.Sell, levelsWanted),
    bestBid: book.bestBid(),
    bestAsk: book.bestAsk(),
    totals: book.totals(),
    orders: ref.orders.map((o) => ({ id: o.id, order: book.order(o.id), queueAhead: book.queueAhead(o.id) })),
  };
}
function referenceState(ref: ReferenceBook) {
  const restingLots = ref.orders.reduce((s, o) => s + o.qtyLots, 0);
  return {
    bids: ref.levels(Side.Buy),
    asks: ref.levels(Side.Sell),
    bestBid: ref.best(Side.Buy),
    bestAsk: ref.best(Side.Sell),
    totals: { addedLots: ref.addedLots, tradedLots: ref.tradedLots, cancelledLots: ref.cancelledLots, restingLots, orders: ref.orders.length },
    orders: ref.orders.map((o) => ({ id: o.id, order: { side: o.side, priceTicks: o.priceTicks, qtyLots: o.qtyLots }, queueAhead: ref.queueAhead(o.id) })),
  };
}

function toOpStream(ops: Op[]): OpStream<Float64Array> {
  return {
    kind: Uint8Array.from(ops, (o) => o.kind),
    side: Uint8Array.from(ops, (o) => o.side),
    id: Float64Array.from(ops, (o) => o.id),
    priceTicks: Float64Array.from(ops, (o) => o.priceTicks),
    qtyLots: Float64Array.from(ops, (o) => o.qtyLots),
  };
}

// ---- properties ---------------------------------------------------------------------------------

describe("the native book agrees with a simple reference book", () => {
  it("op by op through the single-call API: same results, trades, levels and queue places, invariants intact", () => {
    fc.assert(
      fc.property(opSpecs, (specs) => {
        const book = new OrderBook({ maxLevels: MAX_LEVELS, initialLevels: 64 });
        const ref = new ReferenceBook(MAX_LEVELS);
        const ids = new IdResolver();
        for (const [i, spec] of specs.entries()) {
          const op = concretize(spec, ids, ref);
          const expected = applyToReference(ref, op);
          const got = applyToNative(book, op);
          expect(got, `op ${i}: ${JSON.stringify(op)}`).toEqual(expected);
          expect(book.checkInvariants(), `op ${i}`).toBeNull();
          expect(nativeState(book, ref), `state after op ${i}: ${JSON.stringify(op)}`).toEqual(referenceState(ref));
        }
      }),
      { numRuns: 250 },
    );
  });

  it("in bulk through applyOps: same per-op statuses, the same trades in order, and the same book between chunks", () => {
    fc.assert(
      fc.property(opSpecs, fc.array(fc.nat({ max: 150 }), { maxLength: 4 }), fc.double({ min: 0, max: 1.2, noNaN: true }), (specs, cuts, capacityShare) => {
        const book = new OrderBook({ maxLevels: MAX_LEVELS });
        const ref = new ReferenceBook(MAX_LEVELS);
        const ids = new IdResolver();
        const ops: Op[] = [];
        const expected: Outcome[] = [];
        for (const spec of specs) {
          const op = concretize(spec, ids, ref);
          ops.push(op);
          expected.push(applyToReference(ref, op));
        }
        // Replay the same stream chunk by chunk on a fresh reference to compare the book between chunks.
        const replay = new ReferenceBook(MAX_LEVELS);
        const bounds = [...new Set([0, ...cuts.map((c) => c % (ops.length + 1)), ops.length])].sort((a, b) => a - b);
        for (let c = 0; c + 1 < bounds.length; c++) {
          const chunk = ops.slice(bounds[c], bounds[c + 1]);
          const chunkExpected = expected.slice(bounds[c], bounds[c + 1]);
          const trades = chunkExpected.flatMap((o) => o.trades);
          // Sometimes fewer trade slots than trades: the first ones are written, tradesWritten counts them all.
          const capacity = Math.floor(trades.length * capacityShare);
          const outputs = {
            status: new Int32Array(chunk.length).fill(-1),
            tradeMaker: new Float64Array(capacity),
            tradeTaker: new Float64Array(capacity),
            tradePrice: new Float64Array(capacity),
            tradeQty: new Float64Array(capacity),
            tradeAggressor: new Uint8Array(capacity),
          };
          const stats = book.applyOps(toOpStream(chunk), outputs);
          const statuses = chunkExpected.map((o) => o.status);
          expect(Array.from(outputs.status)).toEqual(statuses);
          expect(stats).toEqual({
            applied: chunk.length,
            trades: trades.length,
            refused: statuses.filter((s) => s !== OK).length,
            tradedLots: trades.reduce((s, t) => s + t.qtyLots, 0),
            tradesWritten: trades.length,
          });
          const written = Math.min(capacity, trades.length);
          const got = Array.from({ length: written }, (_, j) => ({
            makerId: outputs.tradeMaker[j],
            takerId: outputs.tradeTaker[j],
            priceTicks: outputs.tradePrice[j],
            qtyLots: outputs.tradeQty[j],
            aggressor: outputs.tradeAggressor[j],
          }));
          expect(got).toEqual(trades.slice(0, written));
          for (const op of chunk) applyToReference(replay, op);
          expect(nativeState(book, replay)).toEqual(referenceState(replay));
          expect(book.checkInvariants()).toBeNull();
        }
      }),
      { numRuns: 250 },
    );
  });

  it("with queue tracking on every order: tracked queue places stay exact through fills, cancels and reductions", () => {
    fc.assert(
      fc.property(opSpecs, (specs) => {
        const book = new OrderBook({ maxLevels: MAX_LEVELS });
        const ref = new ReferenceBook(MAX_LEVELS);
        const ids = new IdResolver();
        for (const spec of specs) {
          const op = { ...concretize(spec, ids, ref), track: true };
          expect(applyToNative(book, op)).toEqual(applyToReference(ref, op));
        }
        for (const o of ref.orders) expect(book.queueAhead(o.id)).toBe(ref.queueAhead(o.id));
        expect(book.checkInvariants()).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
