// Small hand-built L3 days for the microstructure tests: a list of messages, each with the book as it stood
// after it, turned into the same `L3Day` the loader returns, so an estimator's answer can be worked out by hand.
import type { L3Day } from "../../../eval/microstructure/day.js";
import { MessageType } from "../../../data/schema.js";

/** One message and the book after it. Prices in ticks, sizes in lots; levels best first. */
export interface L3Row {
  /** Seconds since the first message. */
  t: number;
  /** MessageType (1 add … 5 hidden execution); default 1 (add). */
  type?: number;
  /** Side of the resting order: 0 bid, 1 ask. Default 0. */
  side?: 0 | 1;
  priceTicks?: number;
  qtyLots?: number;
  orderId?: number;
  /** The bid levels after the message as [priceTicks, qtyLots], best first. */
  bids: readonly (readonly [number, number])[];
  /** The ask levels after the message as [priceTicks, qtyLots], best first. */
  asks: readonly (readonly [number, number])[];
}

/** Shorthand for an execution row: `side` is the resting side, so side 1 (ask) is a buy market order. */
export function execution(t: number, side: 0 | 1, priceTicks: number, qtyLots: number, book: Pick<L3Row, "bids" | "asks">, hidden = false): L3Row {
  return { t, type: hidden ? MessageType.HiddenExecution : MessageType.VisibleExecution, side, priceTicks, qtyLots, ...book };
}

/** Shorthand for an add (or other non-trade) row that only moves the book. */
export function quote(t: number, bids: L3Row["bids"], asks: L3Row["asks"], type: number = MessageType.Add): L3Row {
  return { t, type, side: 0, priceTicks: bids[0]?.[0] ?? NaN, qtyLots: 1, bids, asks };
}

/** An `L3Day` from rows in time order; `levels` defaults to the deepest book given. Empty levels are NaN. */
export function syntheticDay(rows: readonly L3Row[], options: { levels?: number; tickSize?: number; symbol?: string } = {}): L3Day {
  const n = rows.length;
  const levels = options.levels ?? Math.max(1, ...rows.map((r) => Math.max(r.bids.length, r.asks.length)));
  const column = () => new Float64Array(n);
  const bidPrice = Array.from({ length: levels }, column), bidQty = Array.from({ length: levels }, column);
  const askPrice = Array.from({ length: levels }, column), askQty = Array.from({ length: levels }, column);
  const t = column(), orderId = column(), priceTicks = column(), qtyLots = column(), mid = column();
  const type = new Uint8Array(n), side = new Uint8Array(n);
  rows.forEach((r, i) => {
    if (i > 0 && r.t < rows[i - 1].t) throw new Error(`syntheticDay: row ${i} at t=${r.t} is before row ${i - 1} at t=${rows[i - 1].t}`);
    t[i] = r.t;
    type[i] = r.type ?? MessageType.Add;
    side[i] = r.side ?? 0;
    orderId[i] = r.orderId ?? i + 1;
    priceTicks[i] = r.priceTicks ?? NaN;
    qtyLots[i] = r.qtyLots ?? 0;
    for (let l = 0; l < levels; l++) {
      bidPrice[l][i] = r.bids[l]?.[0] ?? NaN;
      bidQty[l][i] = r.bids[l]?.[1] ?? 0;
      askPrice[l][i] = r.asks[l]?.[0] ?? NaN;
      askQty[l][i] = r.asks[l]?.[1] ?? 0;
    }
    mid[i] = 0.5 * (bidPrice[0][i] + askPrice[0][i]);
  });
  return {
    symbol: options.symbol ?? "TEST",
    date: "2000-01-01",
    tickSize: options.tickSize ?? 0.01,
    lotSize: 1,
    startLocalS: 34_200,
    t, type, side, orderId, priceTicks, qtyLots,
    levels, bidPrice, bidQty, askPrice, askQty, mid,
  };
}
