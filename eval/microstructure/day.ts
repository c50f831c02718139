// A day of LOBSTER L3 data as the microstructure analytics read it: every message with the book's top after
// it, times in seconds since the first message, prices in ticks. One loader, so every estimate (spreads, impact,
// toxicity, predictability, queues, stylized facts) reads the same numbers.
import { readLobster } from "../../data/reader.js";
import { MessageType } from "../../data/schema.js";
import type { FlowRecording } from "../../native/index.js";

/** One LOBSTER day in memory. Arrays have one entry per message, in file order; the book is as it stood after it. */
export interface L3Day {
  symbol: string;
  date: string;
  tickSize: number;
  lotSize: number;
  /** Seconds after midnight, local (exchange) time, of the first message. */
  startLocalS: number;
  /** Seconds since the first message. */
  t: Float64Array;
  /** MessageType: 1 add, 2 reduce, 3 delete, 4 visible execution, 5 hidden execution, 6 cross, 7 halt. */
  type: Uint8Array;
  /** Side of the resting order: 0 bid, 1 ask (an execution on side 0 is a sell market order hitting a bid). */
  side: Uint8Array;
  orderId: Float64Array;
  priceTicks: Float64Array;
  qtyLots: Float64Array;
  /** The book's best `levels` levels after each message (ticks, lots), level-major: bidPrice[l][i]. NaN where empty. */
  levels: number;
  bidPrice: Float64Array[];
  bidQty: Float64Array[];
  askPrice: Float64Array[];
  askQty: Float64Array[];
  /** Mid after each message, ticks (NaN when a side is empty). */
  mid: Float64Array;
}

/** Reads an imported LOBSTER day (`tranche data import-lobster`). */
export function loadL3Day(file: string): L3Day {
  const { messages, book } = readLobster(file);
  const m = messages.columns, b = book.columns;
  const n = m.type.length;
  const t0 = m.tsNs[0];
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Number(m.tsNs[i] - t0) / 1e9;
  const toF64 = (a: BigInt64Array) => Float64Array.from(a, (v) => Number(v));
  // LOBSTER writes empty levels as dummy prices (±9999999999 / −9999999999) with size 0: read them as NaN.
  const level = (prices: BigInt64Array, sizes: BigInt64Array) => {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) p[i] = sizes[i] > 0n ? Number(prices[i]) : NaN;
    return p;
  };
  const bidPrice = b.bidPriceTicks.map((p, l) => level(p, b.bidQtyLots[l]));
  const askPrice = b.askPriceTicks.map((p, l) => level(p, b.askQtyLots[l]));
  const mid = new Float64Array(n);
  for (let i = 0; i < n; i++) mid[i] = 0.5 * (bidPrice[0][i] + askPrice[0][i]);
  const offset = messages.meta.lobster?.utcOffsetSeconds ?? 0;
  const startLocalS = ((((Number(t0 / 1_000_000n) / 1000 + offset) % 86_400) + 86_400) % 86_400);
  return {
    symbol: messages.meta.symbol,
    date: messages.meta.lobster?.date ?? "",
    tickSize: Number(messages.meta.tickSize),
    lotSize: Number(messages.meta.lotSize),
    startLocalS,
    t,
    type: m.type,
    side: m.side,
    orderId: toF64(m.orderId),
    priceTicks: toF64(m.priceTicks),
    qtyLots: toF64(m.qtyLots),
    levels: b.levels,
    bidPrice,
    bidQty: b.bidQtyLots.map(toF64),
    askPrice,
    askQty: b.askQtyLots.map(toF64),
    mid,
  };
}

/**
 * The messages from local time of day `fromS` (inclusive) to `untilS` (exclusive), seconds after midnight, as a day of
 * their own (its clock starts at the first kept message). Throws a RangeError, naming the day's span, if none is left.
 */
export function sliceDay(day: L3Day, fromS: number, untilS: number): L3Day {
  const local = (i: number) => day.startLocalS + day.t[i];
  let a = 0;
  while (a < day.t.length && local(a) < fromS) a++;
  let b = a;
  while (b < day.t.length && local(b) < untilS) b++;
  if (b - a < 2) {
    const hhmm = (s: number) => (s >= 86_400 ? "24:00:00" : new Date(s * 1000).toISOString().slice(11, 19));
    throw new RangeError(`no messages between ${hhmm(fromS)} and ${hhmm(untilS)}: the day runs from ${hhmm(local(0))} to ${hhmm(local(day.t.length - 1))}`);
  }
  const t0 = day.t[a];
  const cut = <T extends Float64Array | Uint8Array>(x: T) => x.subarray(a, b) as T;
  return {
    ...day,
    startLocalS: day.startLocalS + t0,
    t: day.t.slice(a, b).map((x) => x - t0),
    type: cut(day.type), side: cut(day.side), orderId: cut(day.orderId), priceTicks: cut(day.priceTicks), qtyLots: cut(day.qtyLots),
    bidPrice: day.bidPrice.map(cut), bidQty: day.bidQty.map(cut), askPrice: day.askPrice.map(cut), askQty: day.askQty.map(cut),
    mid: cut(day.mid),
  };
}

/** True for a visible or hidden execution (a trade). */
export function isExecution(type: number): boolean {
  return type === MessageType.VisibleExecution || type === MessageType.HiddenExecution;
}

/** A recorded stretch of a generative flow (native FlowSim) as an L3 day, so every estimate reads it as it reads data. */
export function dayFromRecording(
  rec: FlowRecording,
  meta: { symbol: string; date?: string; tickSize: number; lotSize: number; startLocalS?: number },
): L3Day {
  const n = rec.tsNs.length;
  const t0 = n > 0 ? rec.tsNs[0] : 0;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = (rec.tsNs[i] - t0) / 1e9;
  const mid = new Float64Array(n);
  for (let i = 0; i < n; i++) mid[i] = 0.5 * (rec.bidPrice[0][i] + rec.askPrice[0][i]);
  return {
    symbol: meta.symbol, date: meta.date ?? "", tickSize: meta.tickSize, lotSize: meta.lotSize, startLocalS: meta.startLocalS ?? 34_200,
    t, type: rec.type, side: rec.side, orderId: rec.orderId, priceTicks: rec.priceTicks, qtyLots: rec.qtyLots,
    levels: rec.bidPrice.length, bidPrice: rec.bidPrice, bidQty: rec.bidQty, askPrice: rec.askPrice, askQty: rec.askQty, mid,
  };
}
