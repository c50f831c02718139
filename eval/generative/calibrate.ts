// Calibration of the generative market on one L3 day. The visible flow is Cont–Stoikov–Talreja's, estimated
// directly: limit arrivals by distance from the reference (and those that join a quoted level, by level), their sizes
// by distance, cancel rates by distance from the opposite quote, market
// orders (visible and hidden executions) with their Hawkes clustering. The reference price moves with a power-law
// propagator and news (native/src/core/models/propagator.h): β = ½ and the news variance from the day's long-lag
// variogram, the kernel's amplitude from the square-root law's magnitude, its time scale τ0 from the short-lag
// excess of the variogram. Two figures are then fitted by simulated moments (the model run on whole simulated days):
// the placement law's offset from the reference, to the day's mean spread, and the news rate, to the day's
// long-lag variance.
import { basename } from "node:path";
import { FlowSim, type FlowRecording, type PoissonFlowSpec } from "../../native/index.js";
import { dayFromRecording, type L3Day } from "../microstructure/day.js";
import { stylizedFacts, type StylizedFacts } from "../microstructure/facts.js";
import { fitHawkes } from "../microstructure/hawkes.js";
import { marketOrders } from "../microstructure/spread.js";
import { EvalError } from "../errors.js";
import { PRESET_FORMAT, type MarketPreset } from "./preset.js";

/** The participations the impact protocol runs at; the kernel's amplitude puts Y = 1 at their geometric mean. */
export const PROTOCOL_PARTICIPATIONS = [0.1, 0.25] as const;
const CENTRE_PARTICIPATION = Math.sqrt(PROTOCOL_PARTICIPATIONS[0] * PROTOCOL_PARTICIPATIONS[1]);
/** β of the propagator, fixed a priori: G ∝ t^−½ gives the square-root law at fixed participation. */
export const PROPAGATOR_BETA = 0.5;
const MAX_DISTANCE = 160;
/** The placement offset τ0 is fitted at, before the offset's own fit (the spread barely moves the short-lag variance). */
const FIRST_OFFSET_TICKS = 7;

export interface CalibrateOptions {
  name?: string;
  description?: string;
  /** Simulated days per evaluation of the simulated moments. Default 6 of a 6.5-hour day; more of a shorter stream (at most 60). */
  fitDays?: number;
  seed?: number;
  /** Lots in one unit, the size of the model's market orders. Default: the day's most common limit-order size (GOOG: 100 shares). */
  unitLots?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The visible level (1-based) of its own side whose price the add at message i joins in the book before it, or 0 for a new price. */
function joinedLevel(day: L3Day, i: number): number {
  const prices = day.side[i] === 0 ? day.bidPrice : day.askPrice;
  for (let l = 0; l < day.levels; l++) if (prices[l][i - 1] === day.priceTicks[i]) return l + 1;
  return 0;
}

/**
 * Limit arrivals per second per side that join the 1st, 2nd, … visible level of their side (at a price already quoted):
 * GOOG's traders queue at the touch in 16% of their adds and behind it in another 21%, which is what makes a level deep.
 */
export function joinRatesByLevel(day: L3Day): number[] {
  const counts = new Float64Array(day.levels);
  for (let i = 1; i < day.t.length; i++) {
    if (day.type[i] !== 1) continue;
    const l = joinedLevel(day, i);
    if (l > 0) counts[l - 1]++;
  }
  const T = day.t[day.t.length - 1];
  return Array.from(counts, (c) => c / (2 * T));
}

/**
 * Limit arrivals per second per side at a new price, by distance d = 1, 2, … from the mid (bids at ⌈mid⌉ − d, asks at
 * ⌊mid⌋ + d); adds that join a quoted level are `joinRatesByLevel`'s.
 */
export function placementFromMid(day: L3Day, maxDistance = MAX_DISTANCE): number[] {
  const counts = new Float64Array(maxDistance);
  for (let i = 1; i < day.t.length; i++) {
    if (day.type[i] !== 1 || joinedLevel(day, i) > 0) continue;
    const m = day.mid[i - 1];
    if (!Number.isFinite(m)) continue;
    const d = day.side[i] === 0 ? Math.ceil(m) - day.priceTicks[i] : day.priceTicks[i] - Math.floor(m);
    if (d >= 1 && d <= maxDistance) counts[d - 1]++;
  }
  // LOBSTER lists no add for an order placed beyond its levels: it comes into view when the price moves to it. Those
  // orders are arrivals too (65,000 lots on GOOG's bid side), placed at least as far out as where they appear; they
  // are counted there, in orders of the mean size of the adds at that distance.
  const lots = new Float64Array(maxDistance), orders = new Float64Array(maxDistance);
  for (let i = 1; i < day.t.length; i++) {
    if (day.type[i] !== 1) continue;
    const m = day.mid[i - 1];
    const d = day.side[i] === 0 ? Math.ceil(m) - day.priceTicks[i] : day.priceTicks[i] - Math.floor(m);
    if (d >= 1 && d <= maxDistance) (lots[d - 1] += day.qtyLots[i]), orders[d - 1]++;
  }
  const meanSize = (d: number) => {
    let q = 0, n = 0;
    for (let w = 0; n < 100 && w < maxDistance; w++) for (const x of w === 0 ? [d] : [d - w, d + w]) if (x >= 1 && x <= maxDistance) (q += lots[x - 1]), (n += orders[x - 1]);
    return n > 0 ? q / n : 1;
  };
  // A level pushed out of view by a better price and back later is the same liquidity: only its growth counts.
  const last = day.levels - 1;
  for (const [prices, qtys, bid] of [[day.bidPrice, day.bidQty, true], [day.askPrice, day.askQty, false]] as const) {
    const pushedOut = new Map<number, number>();
    const inView = (p: number, i: number) => {
      for (let k = 0; k < day.levels; k++) if (prices[k][i] === p) return true;
      return false;
    };
    for (let i = 1; i < day.t.length; i++) {
      const edge = prices[last][i];
      for (let l = 0; l < day.levels; l++) {
        const p = prices[l][i - 1];
        if (Number.isFinite(p) && Number.isFinite(edge) && (bid ? p < edge : p > edge)) pushedOut.set(p, qtys[l][i - 1]);
      }
      const m = day.mid[i];
      if (!Number.isFinite(m)) continue;
      for (let l = 0; l < day.levels; l++) {
        const p = prices[l][i];
        if (!Number.isFinite(p) || (day.type[i] === 1 && day.priceTicks[i] === p) || inView(p, i - 1)) continue;
        const q = qtys[l][i] - (pushedOut.get(p) ?? 0);
        pushedOut.delete(p);
        const d = bid ? Math.ceil(m) - p : p - Math.floor(m);
        if (q > 0 && d >= 1 && d <= maxDistance) counts[d - 1] += q / meanSize(d);
      }
    }
  }
  const T = day.t[day.t.length - 1];
  return Array.from(counts, (c) => c / (2 * T));
}

/** Patient orders: placed this far from the mid or further (ticks) … */
export const PATIENT_FROM_TICKS = 25;
/** … and still resting this long after (seconds). */
export const PATIENT_AFTER_S = 600;

/**
 * The day's patient orders (the flow's `patience`): limits placed `fromTicks` or more from the mid that still rest
 * `afterS` seconds later. Order lifetimes are a mixture: GOOG's far orders are mostly gone within seconds, yet a
 * tenth of them outlive ten minutes, and a book's far levels are made of those. Returns their ids (the other orders'
 * cancel rates are measured without them), their cancel rate after `afterS` (deletes over their resting time, the
 * close censoring the rest), and the share of far orders that are patient from birth: the share seen outliving
 * `afterS`, over the chance that a patient order does.
 */
export function patientOrders(day: L3Day, fromTicks = PATIENT_FROM_TICKS, afterS = PATIENT_AFTER_S): { ids: Set<number>; share: number; cancelPerSec: number } {
  const n = day.t.length, T = day.t[n - 1];
  const open = new Map<number, { t: number; left: number; far: boolean }>();
  const ends = new Map<number, { born: number; end: number; deleted: boolean }>();
  for (let i = 1; i < n; i++) {
    const id = day.orderId[i], type = day.type[i];
    if (type === 1) {
      const m = day.mid[i - 1];
      const d = day.side[i] === 0 ? Math.ceil(m) - day.priceTicks[i] : day.priceTicks[i] - Math.floor(m);
      if (Number.isFinite(d)) open.set(id, { t: day.t[i], left: day.qtyLots[i], far: d >= fromTicks });
    } else if (type === 2 || type === 3 || type === 4) {
      const o = open.get(id);
      if (o === undefined) continue;
      o.left -= day.qtyLots[i];
      if (type === 3 || o.left <= 0) {
        if (o.far) ends.set(id, { born: o.t, end: day.t[i], deleted: type !== 4 });
        open.delete(id);
      }
    }
  }
  for (const [id, o] of open) if (o.far) ends.set(id, { born: o.t, end: T, deleted: false });
  const ids = new Set<number>();
  let classified = 0, patient = 0, deletes = 0, exposure = 0;
  for (const [id, e] of ends) {
    const life = e.end - e.born;
    if (life > afterS) {
      ids.add(id);
      exposure += life - afterS;
      if (e.deleted) deletes++;
    }
    if (e.born < T - afterS) (classified++, life > afterS && patient++);
  }
  const cancelPerSec = exposure > 0 ? deletes / exposure : 0;
  const seen = classified > 0 ? patient / classified : 0;
  return { ids, share: Math.min(1, seen / Math.exp(-cancelPerSec * afterS)), cancelPerSec };
}

/**
 * Cancels per resting lot per second by distance d = 1, 2, … ticks from the opposite quote: cancelled lots at d over
 * the time-integral of lots resting at d in the visible levels. Sparse distances pool their neighbours until the
 * exposure reaches `minLotSeconds`.
 */
export function cancelRatesByDistance(day: L3Day, maxDistance = MAX_DISTANCE, minLotSeconds = 200_000, exclude?: ReadonlySet<number>): number[] {
  const rest = new Float64Array(maxDistance + 1), cancelled = new Float64Array(maxDistance + 1);
  const bin = (d: number) => Math.min(maxDistance, Math.max(1, d));
  // The excluded orders' lots resting at each price (by side), taken out of the levels' volume; their cancels are not counted.
  const held = [new Map<number, number>(), new Map<number, number>()];
  const heldAt = (side: number, price: number) => held[side].get(price) ?? 0;
  for (let i = 1; i < day.t.length; i++) {
    const dt = day.t[i] - day.t[i - 1];
    const bb = day.bidPrice[0][i - 1], ba = day.askPrice[0][i - 1];
    if (dt > 0) {
      for (let l = 0; l < day.levels; l++) {
        const pb = day.bidPrice[l][i - 1], pa = day.askPrice[l][i - 1];
        if (Number.isFinite(pb) && Number.isFinite(ba)) rest[bin(ba - pb)] += Math.max(0, day.bidQty[l][i - 1] - heldAt(0, pb)) * dt;
        if (Number.isFinite(pa) && Number.isFinite(bb)) rest[bin(pa - bb)] += Math.max(0, day.askQty[l][i - 1] - heldAt(1, pa)) * dt;
      }
    }
    const type = day.type[i];
    if (exclude?.has(day.orderId[i]) && (type === 1 || type === 2 || type === 3 || type === 4)) {
      const m = held[day.side[i]], p = day.priceTicks[i];
      m.set(p, (m.get(p) ?? 0) + (type === 1 ? day.qtyLots[i] : -day.qtyLots[i]));
      continue;
    }
    if (type === 2 || type === 3) {
      const d = day.side[i] === 0 ? ba - day.priceTicks[i] : day.priceTicks[i] - bb;
      if (Number.isFinite(d)) cancelled[bin(d)] += day.qtyLots[i];
    }
  }
  const out: number[] = [];
  for (let d = 1; d <= maxDistance; d++) {
    let c = 0, e = 0;
    for (let w = 0; e < minLotSeconds && w <= maxDistance; w++) {
      for (const x of w === 0 ? [d] : [d - w, d + w]) if (x >= 1 && x <= maxDistance) (c += cancelled[x]), (e += rest[x]);
    }
    out.push(e > 0 ? c / e : 0);
  }
  return out;
}

/**
 * Limit-order sizes by distance from the mid (as `placementFromMid` measures it), as the flow's `limitSizes` law:
 * per bucket of `bucketTicks` distances, `atoms` equally likely sizes: the means of the day's sizes there in each of
 * `atoms` equal quantile bins. A bucket with fewer than `minOrders` orders pools its neighbours until it has them. GOOG's sizes depend
 * on distance: odd lots (under 100 shares) are a third of the orders near the touch and three fifths 15–35 ticks out.
 */
export function limitSizeLaw(day: L3Day, options: { bucketTicks?: number; atoms?: number; maxDistance?: number; minOrders?: number } = {}): NonNullable<PoissonFlowSpec["limitSizes"]> {
  const bucketTicks = options.bucketTicks ?? 5, atoms = options.atoms ?? 32, maxDistance = options.maxDistance ?? MAX_DISTANCE, minOrders = options.minOrders ?? 400;
  const rows = Math.ceil(maxDistance / bucketTicks);
  const sizes: number[][] = Array.from({ length: rows }, () => []);
  for (let i = 1; i < day.t.length; i++) {
    if (day.type[i] !== 1) continue;
    const m = day.mid[i - 1];
    if (!Number.isFinite(m)) continue;
    const d = day.side[i] === 0 ? Math.ceil(m) - day.priceTicks[i] : day.priceTicks[i] - Math.floor(m);
    if (d >= 1) sizes[Math.min(rows - 1, Math.floor((d - 1) / bucketTicks))].push(day.qtyLots[i]);
  }
  const all = sizes.flat();
  if (all.length === 0) throw new EvalError("INVALID_OPTION", "the day has no limit orders to read a size law from. Fix: calibrate on a day of L3 messages");
  const atomsLots = sizes.map((_, r) => {
    let pool: number[] = [];
    for (let w = 0; pool.length < minOrders && w < rows; w++) pool = w === 0 ? [...sizes[r]] : [...pool, ...(sizes[r - w] ?? []), ...(sizes[r + w] ?? [])];
    if (pool.length === 0) pool = all;
    pool.sort((a, b) => a - b);
    // Each atom the mean of its quantile bin, so the law keeps the day's mean size and its tail (GOOG's rare orders of
    // 1,000 shares and more carry much of the depth far from the touch).
    return Array.from({ length: atoms }, (_, i) => {
      const from = Math.floor((i * pool.length) / atoms), to = Math.max(from + 1, Math.floor(((i + 1) * pool.length) / atoms));
      let sum = 0;
      for (let j = from; j < to; j++) sum += pool[Math.min(j, pool.length - 1)];
      return Math.max(1, Math.round(sum / (to - from)));
    });
  });
  return { bucketTicks, atomsLots };
}

/**
 * The mean size of the day's market orders (executions grouped as `marketOrders` groups them), lots: a unit that keeps
 * the day's count of market orders when each is one unit (BTCUSDT's sizes are heavy-tailed: the median is a twentieth
 * of the mean, and a median unit would send twenty times too many market orders).
 */
export function meanMarketOrderSize(day: L3Day): number {
  const orders = marketOrders(day, { includeHidden: true });
  if (orders.length === 0) throw new EvalError("INVALID_OPTION", "the day has no trades to size a market order by. Fix: calibrate on a stream with its trade tape");
  return Math.max(1, Math.round(orders.reduce((s, o) => s + o.qtyLots, 0) / orders.length));
}

/** The most common size of a limit order, lots: the preset's unit (GOOG: 100 shares). */
export function modalOrderSize(day: L3Day): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < day.t.length; i++) if (day.type[i] === 1) counts.set(day.qtyLots[i], (counts.get(day.qtyLots[i]) ?? 0) + 1);
  let best = 1, n = -1;
  for (const [size, c] of counts) if (c > n || (c === n && size < best)) (best = size), (n = c);
  return best;
}

/**
 * The messages a LOBSTER file of the recording's levels would list: those at a price inside the top levels of their
 * side before or after them (LOBSTER writes only messages that touch the levels it keeps). The model's far orders
 * come and go out of view as a real file's do, so the event rates compare like with like.
 */
export function lobsterView(rec: FlowRecording): FlowRecording {
  const n = rec.tsNs.length, last = rec.bidPrice.length - 1;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const levels = rec.side[i] === 0 ? rec.bidPrice[last] : rec.askPrice[last];
    const inView = (edge: number) => !Number.isFinite(edge) || (rec.side[i] === 0 ? rec.priceTicks[i] >= edge : rec.priceTicks[i] <= edge);
    if (inView(levels[i]) || (i > 0 && inView(levels[i - 1]))) keep.push(i);
  }
  const pick = <A extends Float64Array | Uint8Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(keep.length);
    keep.forEach((j, k) => (out[k] = a[j]));
    return out;
  };
  return {
    tsNs: pick(rec.tsNs), type: pick(rec.type), side: pick(rec.side), orderId: pick(rec.orderId), priceTicks: pick(rec.priceTicks), qtyLots: pick(rec.qtyLots),
    bidPrice: rec.bidPrice.map(pick), bidQty: rec.bidQty.map(pick), askPrice: rec.askPrice.map(pick), askQty: rec.askQty.map(pick),
  };
}

/** Stylized facts of `days` simulated days of a flow (after a 30-minute warm-up each) as a 10-level LOBSTER file would show them. */
export function simulatedFacts(flow: Omit<PoissonFlowSpec, "kind">, meta: { tickSize: number; durationS: number }, days: number, seed: number): StylizedFacts[] {
  const sim = new FlowSim(flow);
  const out: StylizedFacts[] = [];
  for (let d = 0; d < days; d++) {
    sim.reset(seed + d);
    sim.advanceTo(1800e9);
    sim.record(10);
    sim.advanceTo((1800 + meta.durationS) * 1e9);
    const rec = lobsterView(sim.takeRecording());
    sim.record(null);
    out.push(stylizedFacts(dayFromRecording(rec, { symbol: "SIM", tickSize: meta.tickSize, lotSize: 1 })));
  }
  return out;
}

/** Rows of a by-distance law moved `shift` ticks out, to the nearest bucket (the first row repeats inward). */
function shiftedRows(rows: readonly (readonly number[])[], shift: number, bucketTicks: number): number[][] {
  const by = Math.round(shift / bucketTicks);
  return [...new Array<number>(by).fill(0).map(() => [...rows[0]]), ...rows.map((r) => [...r])];
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/**
 * Variance per second over the lags of 10 minutes and more: the diffusion the news must carry. A stream shorter than
 * that (the Binance sample: 11 minutes) uses its longest lags with data, from 1 minute on.
 */
function longLagRate(f: StylizedFacts): number {
  const known = f.variogram.filter((v) => Number.isFinite(v.variancePerSTicks2));
  const long = known.filter((v) => v.lagS >= 600);
  return mean((long.length > 0 ? long : known.filter((v) => v.lagS >= 60)).map((v) => v.variancePerSTicks2));
}

/** Calibrates the generative market on `day` (an imported LOBSTER day) and returns the preset. */
export function calibrate(day: L3Day, file: string, options: CalibrateOptions = {}): MarketPreset {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 1;
  if (day.t.length < 10_000) throw new EvalError("INVALID_OPTION", `the day has ${day.t.length} messages; calibration needs at least 10,000. Fix: calibrate on a full trading day`);
  const facts = stylizedFacts(day);
  const T = facts.durationS;
  // Six GOOG-length days of simulated moments; a shorter stream gets as many of its own length (at most 60), so the
  // fitted moments are as precise.
  const fitDays = options.fitDays ?? Math.min(60, Math.max(6, Math.round((6 * 23_400) / T)));
  const unit = options.unitLots ?? modalOrderSize(day);
  const mo = facts.marketOrdersWithHidden;
  // Market orders of one unit each, at the rate that carries the day's traded volume.
  const volumePerS = mo.total.lotsPerS / unit;
  const times = Float64Array.from(marketOrders(day, { includeHidden: true }), (o) => o.t).sort();
  const hawkes = fitHawkes(times, T);
  const branching = Math.min(hawkes.n, 0.95);
  log(`market orders: ${times.length} (visible and hidden), ${volumePerS.toFixed(3)} units of ${unit} lots/s; Hawkes n ${hawkes.n.toFixed(3)}, β ${hawkes.beta.toFixed(1)}/s`);
  const placement = placementFromMid(day);
  const joins = joinRatesByLevel(day);
  // Patient orders rest apart: the others' cancel rates are measured without them. Sparse distances pool their
  // neighbours until they hold 2,000 unit-seconds of resting volume (GOOG: 200,000 shares·s).
  const patience = patientOrders(day);
  const cancels = cancelRatesByDistance(day, MAX_DISTANCE, 2000 * unit, patience.ids);
  log(`patient orders: ${(100 * patience.share).toFixed(1)}% of the limits placed ${PATIENT_FROM_TICKS}+ ticks from the mid (${patience.ids.size} outlive ${PATIENT_AFTER_S} s), cancelled at ${patience.cancelPerSec.toExponential(2)}/s`);
  const sizes = limitSizeLaw(day);
  // News as ±J-tick jumps, J a tenth of the mean spread: the same variance in 1/J² of the draws, finer than the book shows.
  const newsTicks = Math.max(1, Math.round(facts.meanSpreadTicks / 10));
  const longRate = longLagRate(facts);
  const shortRate = facts.variogram[0].variancePerSTicks2;
  const sigma2 = longRate * T;
  const Vday = volumePerS * T;
  // Y = 1 at the centre participation φ*: G0 = σ_day / (2 V √(τ0 φ* / T)); the kernel's short-lag variance
  // v G0² must carry the variogram's excess at 1 s over its long-lag level, which sets τ0.
  // (first guess: the book passes the whole kernel through; the simulated moments below correct it).
  const excess = Math.max(shortRate - longRate, 0.05 * longRate);
  let tau0 = Math.min(600, Math.max(1, (volumePerS * sigma2 * T) / (4 * Vday * Vday * CENTRE_PARTICIPATION * excess)));
  const amplitude = (tau: number) => Math.sqrt(sigma2) / (2 * Vday * Math.sqrt((tau * CENTRE_PARTICIPATION) / T));
  log(`variogram: ${shortRate.toFixed(2)} ticks²/s at 1 s, ${longRate.toFixed(2)} at ≥ 10 min; first guess τ0 ${tau0.toFixed(1)} s, G0 ${amplitude(tau0).toFixed(2)} ticks per unit`);
  const meta = { tickSize: day.tickSize, durationS: T };
  const referencePriceTicks = Math.round(day.mid.find((m) => Number.isFinite(m)) ?? 10_000);
  const flowWith = (shift: number, news: number, tau = tau0): Omit<PoissonFlowSpec, "kind"> => ({
    distanceRatesPerSec: [...new Array<number>(shift).fill(0), ...placement],
    joinRatesPerSec: joins,
    // The size law shifts with the placement law: each size stays with the arrivals it came with.
    limitSizes: { bucketTicks: sizes.bucketTicks, atomsLots: shiftedRows(sizes.atomsLots, shift, sizes.bucketTicks) },
    cancelRatesPerSec: cancels,
    cancelRatePerSec: facts.cancelRatePerRestingLot,
    // Placed from the reference, `shift` ticks further out than the day's distances from the mid.
    ...(patience.share > 0 ? { patience: { share: patience.share, fromTicks: PATIENT_FROM_TICKS + shift, cancelPerSec: patience.cancelPerSec } } : {}),
    marketRatePerSec: (volumePerS / 2) * (1 - branching),
    hawkes: { branching, decayPerSec: hawkes.beta },
    marketLots: unit,
    referencePriceTicks,
    seedDepth: 60,
    anchored: true,
    propagator: { impactTicks: amplitude(tau), tau0Sec: tau, beta: PROPAGATOR_BETA, memorySec: 86_400, unitLots: unit, newsPerSec: news, newsTicks },
  });
  // Simulated moments, in two rounds (the news carries variance at every lag, so τ0 is fitted again under the rescaled
  // news): τ0 by bisection (in log, 0.5 s to 10 minutes) on the variance per second at 1 and 10 s (a shorter kernel
  // passes more of each order's shift to the mid at short lags; G0 follows τ0, so the square-root magnitude stays),
  // the offset by bisection on the mean spread (first round), then the news rate by rescaling to the long lags.
  let news = longRate / (newsTicks * newsTicks);
  const shortTarget = (facts.variogram[0].variancePerSTicks2 + facts.variogram[1].variancePerSTicks2) / 2;
  let shift = FIRST_OFFSET_TICKS;
  const shortAt = (tau: number) => mean(simulatedFacts(flowWith(shift, news, tau), meta, fitDays, seed).map((f) => (f.variogram[0].variancePerSTicks2 + f.variogram[1].variancePerSTicks2) / 2));
  const fitTau0 = (): number => {
    let tLo = Math.log(0.5), tHi = Math.log(600);
    for (let i = 0; i < 7; i++) {
      const mid = (tLo + tHi) / 2;
      const v = shortAt(Math.exp(mid));
      if (!Number.isFinite(v)) {
        throw new EvalError(
          "INVALID_OPTION",
          `the model fitted to ${day.symbol} empties a side of its simulated book (its mid variance at 1-10 s is undefined at τ0 ${Math.exp(mid).toFixed(2)} s), so the calibration cannot fit it`,
          "check the day's book is two-sided through most of it (`tranche data analyze`), or calibrate on a longer stretch",
        );
      }
      log(`  τ0 ${Math.exp(mid).toFixed(2)} s: variance per s at 1-10 s ${v.toFixed(2)} (day ${shortTarget.toFixed(2)})`);
      if (v < shortTarget) tHi = mid;
      else tLo = mid;
    }
    return Math.exp((tLo + tHi) / 2);
  };
  const fitOffset = (): number => {
    const spreads = new Map<number, number>();
    const spreadAt = (offset: number): number => {
      if (!spreads.has(offset)) spreads.set(offset, mean(simulatedFacts(flowWith(offset, news), meta, fitDays, seed).map((f) => f.meanSpreadTicks)));
      return spreads.get(offset)!;
    };
    let lo = 0, hi = 40;
    const target = facts.meanSpreadTicks;
    if (spreadAt(lo) >= target) hi = lo;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const s = spreadAt(mid);
      log(`  offset ${mid} ticks: mean spread ${s.toFixed(1)} (day ${target.toFixed(1)})`);
      if (s < target) lo = mid;
      else hi = mid;
    }
    return Math.abs(spreadAt(lo) - target) <= Math.abs(spreadAt(hi) - target) ? lo : hi;
  };
  let simLong = longRate;
  for (let round = 1; round <= 2; round++) {
    log(`round ${round}:`);
    tau0 = fitTau0();
    if (round === 1) shift = fitOffset();
    simLong = mean(simulatedFacts(flowWith(shift, news), meta, fitDays, seed).map(longLagRate));
    news = news * (longRate / simLong);
    log(`  news ${news.toFixed(2)} jumps/s (long-lag variance ${simLong.toFixed(2)} → ${longRate.toFixed(2)} ticks²/s)`);
  }
  const G0 = amplitude(tau0);
  log(`τ0 ${tau0.toFixed(2)} s, G0 ${G0.toFixed(2)} ticks per unit; placement offset ${shift} ticks; news ${news.toFixed(2)} jumps/s (long-lag variance ${simLong.toFixed(2)} → ${longRate.toFixed(2)} ticks²/s)`);
  return {
    format: PRESET_FORMAT,
    name: options.name ?? day.symbol.toLowerCase(),
    description: options.description ?? `${day.symbol} ${day.date}, calibrated with \`tranche calibrate\``,
    source: { symbol: day.symbol, date: day.date, file: basename(file), messages: day.t.length, calibratedAt: new Date().toISOString() },
    instrument: { tickSize: day.tickSize, lotSize: day.lotSize, unitLots: unit },
    flow: flowWith(shift, news),
    targets: { durationS: T, sigmaDayTicks: Math.sqrt(sigma2), volumeDayLots: Vday * unit, volumePerSLots: volumePerS * unit, meanSpreadTicks: facts.meanSpreadTicks },
    fit: {
      unitLots: unit, hawkesBranching: hawkes.n, hawkesDecayPerSec: hawkes.beta, marketOrders: times.length,
      varianceRate1sTicks2: shortRate, varianceRateLongTicks2: longRate, tau0Sec: tau0, impactTicksPerUnit: G0,
      centreParticipation: CENTRE_PARTICIPATION, placementOffsetTicks: shift, newsPerSec: news, newsTicks, fitDays,
      patientShare: patience.share, patientCancelPerSec: patience.cancelPerSec,
    },
  };
}
