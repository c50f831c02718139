// Queue curves measured on L3 data, where queues are exact: for limit orders that join the touch, how long until
// they are filled, by the lots ahead of them at arrival. These are the curves an L2 queue model (the engine's
// probabilistic queue, native/src/core/models/queue.h) should reproduce; `modelledQueueCurves` applies that model's
// rule to the same orders, from what an L2 feed would show, for the comparison.
//
// - An order is "at the touch" if it is added (type 1) at its side's best price in the book just before it (the
//   book after the previous message), or inside the spread (it improves the quote, or its side was empty).
// - Lots ahead at arrival = the visible depth at its price just before it; 0 for an order that improves the quote.
//   NASDAQ fills visible orders at a price in time priority before hidden ones, so hidden depth is never ahead.
// - Each order is followed by its id: visible executions (type 4) fill it, partial cancels (type 2) shrink it,
//   a delete (type 3) removes it. It is fully filled when type-4 fills have taken all of its size.
// - Fill times are censored at the delete (or at a partial cancel that takes its last lots) and at the day's
//   last message, and the probability of a fill within t is 1 − S(t) of the Kaplan–Meier estimate of the
//   fill-time survival (Kaplan & Meier 1958): a cancelled order counts as at risk until it is cancelled.
//   Kaplan–Meier assumes the cancel tells nothing about the fill; real orders are cancelled when the price moves
//   away, so it overstates, and the raw share (cancelled = never filled) understates, the fill probability of an
//   order that is never cancelled. Both are reported.
import { EvalError } from "../errors.js";
import type { L3Day } from "./day.js";

/** Options of {@link queueCurves}. */
export interface QueueCurvesOptions {
  /**
   * Lower edges of the lots-ahead buckets, ascending from 0; bucket j holds edges[j] ≤ k < edges[j + 1], the last
   * k ≥ its edge. Default 0, 1, 100, 200, 400, 800 (GOOG's lots are shares; its touch holds ~160 on average).
   */
  bucketEdgesLots?: readonly number[];
  /** Horizons of the fill probabilities, seconds. Default 1, 5, 10, 30, 60, 300. */
  horizonsS?: readonly number[];
  /** Truncation of the restricted mean wait, seconds. Default 300. */
  restrictedMeanS?: number;
}

/** The fill-time distribution of one bucket, for one notion of "filled". */
export interface FillCurve {
  /** Orders whose fill was observed (at any time before censoring). */
  fills: number;
  /**
   * Distinct times of those fills: one aggressive order that fills several followed orders counts once. Fills
   * that share a sweep are not independent, so this, more than `fills`, says how much evidence a curve rests on
   * (Greenwood's error assumes independent orders and is too small when fills cluster).
   */
  distinctFillTimes: number;
  /** Kaplan–Meier probability of a fill within each horizon (cancellation and the day's end censor). */
  kmProbability: number[];
  /** Greenwood's standard error of each {@link kmProbability} (Greenwood 1926). */
  kmStdError: number[];
  /** Share of all the bucket's orders filled within each horizon (a cancelled order counts as not filled). */
  rawShare: number[];
  /** Restricted mean time to the fill, ∫₀^τ S(u) du under Kaplan–Meier with τ = `restrictedMeanS`, seconds. */
  restrictedMeanWaitS: number;
}

/** Orders that joined the touch with lots ahead in one range. */
export interface QueueBucket {
  /** Lots ahead from `fromLots` (inclusive) to `toLots` (exclusive; Infinity for the last bucket). */
  fromLots: number;
  toLots: number;
  orders: number;
  /** Mean lots ahead at arrival. */
  meanAheadLots: number;
  /** Mean size of the orders, lots. */
  meanSizeLots: number;
  /** Filled completely (the fill that takes its last lot). */
  full: FillCurve;
  /** Filled at least partly (its first fill). */
  partial: FillCurve;
}

/** Queue curves of one L3 day; see the file header for the rules. */
export interface QueueCurves {
  horizonsS: number[];
  restrictedMeanS: number;
  /** Orders added at the touch and followed. */
  orders: number;
  /** Of those, orders that improved the quote (0 ahead). */
  improving: number;
  /** Of those, orders cancelled before their full fill (censored there). */
  cancelled: number;
  /** Of those, orders neither fully filled nor cancelled by the day's last message (censored there). */
  openAtEnd: number;
  buckets: QueueBucket[];
}

const DEFAULT_EDGES = [0, 1, 100, 200, 400, 800];
const DEFAULT_HORIZONS = [1, 5, 10, 30, 60, 300];

function invalid(message: string): never {
  throw new EvalError("INVALID_OPTION", `queueCurves: ${message}`);
}

/** Time-to-fill curves of orders added at the touch, bucketed by lots ahead; see the file header for the rules. */
export function queueCurves(day: L3Day, options: QueueCurvesOptions = {}): QueueCurves {
  const settings = parseOptions(options);
  const orders = followTouchOrders(day);
  return curves(day, orders, orders.firstFill, orders.fullFill, settings);
}

/**
 * The engine's probabilistic L2 queue model (native/src/core/models/queue.h): `f` weighs how much of a cancel
 * comes from behind the order; `power` f(x) = x^n (the engine's default, n = 2), `linear` f(x) = x, `log`
 * f(x) = ln(1 + x).
 */
export type QueueModel = { kind: "power"; power: number } | { kind: "linear" } | { kind: "log" };

/**
 * How much of a cancel of `qty` lots comes from ahead of an order with `front` lots ahead and `back` behind it:
 * a share f(front) / (f(front) + f(back)) of it, and all of what the back cannot hold; rounded to whole lots.
 * A port of `ProbabilisticQueue::cancelledAhead` (hftbacktest's ProbQueueModel, after Rigtorp).
 */
export function cancelledAhead(model: QueueModel, front: number, back: number, qty: number): number {
  if (qty <= 0 || front <= 0) return 0;
  if (back <= 0) return Math.min(front, qty);
  const f = (x: number) => (model.kind === "linear" ? x : model.kind === "log" ? Math.log1p(x) : Math.pow(x, model.power));
  const probBack = f(back) / (f(front) + f(back));
  const fromAhead = (1 - probBack) * qty + Math.max(0, probBack * qty - back);
  return Math.min(Math.min(front, qty), Math.max(Math.max(0, qty - back), Math.round(fromAhead)));
}

/**
 * The same orders and censoring as {@link queueCurves}, but filled as the engine's L2 replay would fill them
 * (native/src/core/flow/l2_replay.cc), from what an L2 feed shows at the order's price — the depth of the other
 * orders there and the visible trades — rather than from its id:
 * - at arrival all the lots at its price are ahead of it (exact, as on L3);
 * - a visible trade at its price takes from the front first, then fills the order, then takes from behind it;
 * - after each message at its price the model's level is set to the other orders' depth: a decrease is a cancel
 *   split by {@link cancelledAhead}, an increase joins the back.
 * The modelled order rests until the real one is cancelled (the same decision) or the day ends, even after the
 * real one was filled. Hidden executions do not advance it (the displayed queue does not change).
 */
export function modelledQueueCurves(day: L3Day, model: QueueModel, options: QueueCurvesOptions = {}): QueueCurves {
  if (model.kind === "power" && !(Number.isFinite(model.power) && model.power > 0)) invalid(`model.power must be a positive number, got ${model.power}`);
  const settings = parseOptions(options);
  const orders = followTouchOrders(day);
  // The messages at each (side, price), in order.
  const atLevel = new Map<number, number[]>();
  const key = (side: number, price: number) => price * 2 + side;
  for (let i = 0; i < day.t.length; i++) {
    const type = day.type[i];
    if (type < 1 || type > 4) continue;
    const k = key(day.side[i], day.priceTicks[i]);
    let list = atLevel.get(k);
    if (!list) atLevel.set(k, (list = []));
    list.push(i);
  }
  const endS = day.t[day.t.length - 1];
  const count = orders.arrival.length;
  const firstFill = new Array<number>(count).fill(NaN), fullFill = new Array<number>(count).fill(NaN);
  for (let j = 0; j < count; j++) {
    const list = atLevel.get(key(orders.side[j], orders.price[j]))!;
    const until = Number.isNaN(orders.cancelledAt[j]) ? endS : orders.cancelledAt[j];
    const id = orders.id[j];
    let front = orders.ahead[j], back = 0, others = orders.ahead[j], left = orders.size[j];
    for (let m = lowerBound(list, orders.arrivalIndex[j]) + 1; m < list.length && left > 0; m++) {
      const i = list[m];
      if (day.t[i] > until) break;
      const type = day.type[i], qty = day.qtyLots[i];
      if (day.orderId[i] === id && (type === 2 || type === 3)) {
        // The real order's own cancel: the modelled one is cancelled with it.
        left = type === 3 ? 0 : Math.max(0, left - qty);
        if (left <= 0) break;
        continue;
      }
      if (type === 4) {
        let q = qty;
        const fromFront = Math.min(front, q);
        front -= fromFront;
        q -= fromFront;
        const filled = Math.min(left, q);
        if (filled > 0) {
          if (Number.isNaN(firstFill[j])) firstFill[j] = day.t[i];
          left -= filled;
          if (left <= 0) fullFill[j] = day.t[i];
        }
        back = Math.max(0, back - (q - filled));
      }
      // The other orders' depth at the price after the message (the real order's own lots are not "others").
      if (day.orderId[i] !== id) others += type === 1 ? qty : -qty;
      const modelled = front + back;
      if (others < modelled) {
        const fromAhead = cancelledAhead(model, front, back, modelled - others);
        front -= fromAhead;
        back -= modelled - others - fromAhead;
      } else back += others - modelled;
    }
  }
  return curves(day, orders, firstFill, fullFill, settings);
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Settings {
  edges: number[];
  horizonsS: number[];
  restrictedMeanS: number;
}

function parseOptions(options: QueueCurvesOptions): Settings {
  const edges = [...(options.bucketEdgesLots ?? DEFAULT_EDGES)];
  if (edges.length === 0 || edges[0] !== 0) invalid(`bucketEdgesLots must start at 0, got [${edges.join(", ")}]`);
  edges.forEach((e, j) => {
    if (!Number.isFinite(e) || (j > 0 && e <= edges[j - 1])) invalid(`bucketEdgesLots must be finite and increasing, got [${edges.join(", ")}]`);
  });
  const horizonsS = [...(options.horizonsS ?? DEFAULT_HORIZONS)];
  horizonsS.forEach((h, j) => {
    if (!Number.isFinite(h) || h < 0) invalid(`horizonsS[${j}] must be a non-negative number of seconds, got ${h}`);
  });
  const restrictedMeanS = options.restrictedMeanS ?? 300;
  if (!Number.isFinite(restrictedMeanS) || restrictedMeanS <= 0) invalid(`restrictedMeanS must be a positive number of seconds, got ${restrictedMeanS}`);
  return { edges, horizonsS, restrictedMeanS };
}

/** The orders added at the touch, one entry each; times are the day's, NaN where not observed. */
interface TouchOrders {
  id: number[];
  side: number[];
  price: number[];
  arrivalIndex: number[];
  arrival: number[];
  ahead: number[];
  size: number[];
  firstFill: number[];
  fullFill: number[];
  /** When it was deleted (or a partial cancel took its last lots) before its full fill. */
  cancelledAt: number[];
  improving: number;
}

function followTouchOrders(day: L3Day): TouchOrders {
  const n = day.t.length;
  const bid0 = day.bidPrice[0], ask0 = day.askPrice[0];
  const o: TouchOrders = { id: [], side: [], price: [], arrivalIndex: [], arrival: [], ahead: [], size: [], firstFill: [], fullFill: [], cancelledAt: [], improving: 0 };
  const remaining: number[] = [];
  const followed = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const type = day.type[i];
    if (type === 1) {
      const p = day.priceTicks[i];
      const best = day.side[i] === 0 ? bid0[i - 1] : ask0[i - 1];
      const depth = day.side[i] === 0 ? day.bidQty[0][i - 1] : day.askQty[0][i - 1];
      const joins = p === best;
      const improves = Number.isNaN(best) || (day.side[i] === 0 ? p > best : p < best);
      if (!joins && !improves) continue;
      if (improves) o.improving++;
      followed.set(day.orderId[i], o.arrival.length);
      o.id.push(day.orderId[i]);
      o.side.push(day.side[i]);
      o.price.push(p);
      o.arrivalIndex.push(i);
      o.arrival.push(day.t[i]);
      o.ahead.push(joins ? depth : 0);
      o.size.push(day.qtyLots[i]);
      remaining.push(day.qtyLots[i]);
      o.firstFill.push(NaN);
      o.fullFill.push(NaN);
      o.cancelledAt.push(NaN);
      continue;
    }
    if (type !== 2 && type !== 3 && type !== 4) continue;
    const j = followed.get(day.orderId[i]);
    if (j === undefined) continue;
    remaining[j] -= day.qtyLots[i];
    if (type === 4 && Number.isNaN(o.firstFill[j])) o.firstFill[j] = day.t[i];
    if (type === 4 && remaining[j] <= 0) o.fullFill[j] = day.t[i];
    if (type === 3 || (type === 2 && remaining[j] <= 0)) o.cancelledAt[j] = day.t[i];
    if (type === 3 || remaining[j] <= 0) followed.delete(day.orderId[i]);
  }
  return o;
}

function curves(day: L3Day, orders: TouchOrders, firstFill: readonly number[], fullFill: readonly number[], { edges, horizonsS, restrictedMeanS }: Settings): QueueCurves {
  const { arrival, ahead, size, cancelledAt } = orders;
  const endS = day.t[day.t.length - 1];
  // An order not filled is censored when it was cancelled, or else at the day's end.
  const censorAt = (j: number) => (Number.isNaN(cancelledAt[j]) ? endS : cancelledAt[j]);
  const buckets: QueueBucket[] = edges.map((fromLots, b) => {
    const toLots = b + 1 < edges.length ? edges[b + 1] : Infinity;
    const members: number[] = [];
    for (let j = 0; j < arrival.length; j++) if (ahead[j] >= fromLots && ahead[j] < toLots) members.push(j);
    const curve = (fill: readonly number[]): FillCurve => {
      const times = members.map((j) => (Number.isNaN(fill[j]) ? censorAt(j) : fill[j]) - arrival[j]);
      const events = members.map((j) => !Number.isNaN(fill[j]));
      const km = kaplanMeier(times, events);
      return {
        fills: events.filter((e) => e).length,
        distinctFillTimes: new Set(members.filter((j) => !Number.isNaN(fill[j])).map((j) => fill[j])).size,
        kmProbability: horizonsS.map((h) => 1 - km.survival(h)),
        kmStdError: horizonsS.map((h) => km.stdError(h)),
        rawShare: horizonsS.map((h) => (members.length > 0 ? events.filter((e, m) => e && times[m] <= h).length / members.length : NaN)),
        restrictedMeanWaitS: km.restrictedMean(restrictedMeanS),
      };
    };
    const mean = (x: number[]) => (members.length > 0 ? members.reduce((a, j) => a + x[j], 0) / members.length : NaN);
    return { fromLots, toLots, orders: members.length, meanAheadLots: mean(ahead), meanSizeLots: mean(size), full: curve(fullFill), partial: curve(firstFill) };
  });
  let cancelled = 0, openAtEnd = 0;
  for (let j = 0; j < arrival.length; j++) {
    if (!Number.isNaN(fullFill[j])) continue;
    if (Number.isNaN(cancelledAt[j])) openAtEnd++;
    else cancelled++;
  }
  return { horizonsS, restrictedMeanS, orders: arrival.length, improving: orders.improving, cancelled, openAtEnd, buckets };
}

/** The Kaplan–Meier survival curve of event times with right censoring, as a step function. */
export interface KaplanMeier {
  /** S(t): the estimated probability that the event has not happened by time t (events at t count as happened). */
  survival(t: number): number;
  /** Greenwood's standard error of S(t): S(t)·√(Σ over tᵢ ≤ t of dᵢ / (nᵢ (nᵢ − dᵢ))). */
  stdError(t: number): number;
  /** ∫₀^τ S(u) du: the mean of min(T, τ). */
  restrictedMean(tau: number): number;
}

/**
 * Kaplan & Meier (1958): S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ/nᵢ), with dᵢ events at tᵢ and nᵢ subjects
 * still at risk (time ≥ tᵢ). A censoring at the same time as an event is taken to come after it (the usual rule).
 */
export function kaplanMeier(times: readonly number[], events: readonly boolean[]): KaplanMeier {
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || Number(events[b]) - Number(events[a]));
  const stepTimes: number[] = [], stepSurvival: number[] = [], stepGreenwood: number[] = [];
  let atRisk = times.length, s = 1, greenwood = 0;
  for (let k = 0; k < order.length; ) {
    const t = times[order[k]];
    let deaths = 0, leaving = 0;
    while (k < order.length && times[order[k]] === t) {
      if (events[order[k]]) deaths++;
      leaving++;
      k++;
    }
    if (deaths > 0) {
      s *= 1 - deaths / atRisk;
      greenwood += atRisk > deaths ? deaths / (atRisk * (atRisk - deaths)) : 0;
      stepTimes.push(t);
      stepSurvival.push(s);
      stepGreenwood.push(greenwood);
    }
    atRisk -= leaving;
  }
  // The last step at or before t (-1 before the first event).
  const stepAt = (t: number) => {
    let k = -1;
    while (k + 1 < stepTimes.length && stepTimes[k + 1] <= t) k++;
    return k;
  };
  const survival = (t: number) => {
    const k = stepAt(t);
    return k < 0 ? 1 : stepSurvival[k];
  };
  const stdError = (t: number) => {
    const k = stepAt(t);
    return k < 0 ? 0 : stepSurvival[k] * Math.sqrt(stepGreenwood[k]);
  };
  const restrictedMean = (tau: number) => {
    let area = 0, from = 0, value = 1;
    for (let k = 0; k < stepTimes.length && stepTimes[k] < tau; k++) {
      area += value * (stepTimes[k] - from);
      from = stepTimes[k];
      value = stepSurvival[k];
    }
    return area + value * (tau - from);
  };
  return { survival, stdError, restrictedMean };
}
