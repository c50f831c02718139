// What a quant asks of a day before trusting a model of it (issue 16): spreads and their decomposition, impact,
// toxicity, predictability, queue curves and stylized facts, as one JSON-able report and one printed table.
import type { L3Day } from "./day.js";
import { stylizedFacts, type StylizedFacts, type StylizedFactsOptions } from "./facts.js";
import { impactBySize, kyleLambda, type ImpactBucket, type KyleLambda, type KyleLambdaOptions } from "./impact.js";
import { predictability, type Predictability, type PredictOptions } from "./predict.js";
import { queueCurves, type QueueCurves, type QueueCurvesOptions } from "./queues.js";
import { effectiveSpread, marketOrders, quotedSpread, type EffectiveSpread, type EffectiveSpreadOptions, type MarketOrderOptions, type QuotedSpread } from "./spread.js";
import { vpin, type Vpin, type VpinOptions } from "./vpin.js";

/** Options of {@link analyzeDay}; each estimator's own options, and whether to run the slower parts. */
export interface AnalyzeOptions {
  /** How market orders are formed (shared by the spread and impact estimators). */
  marketOrders?: MarketOrderOptions;
  /** Realised-spread horizons. */
  spread?: Pick<EffectiveSpreadOptions, "horizonsS">;
  kyle?: Pick<KyleLambdaOptions, "intervalS">;
  vpin?: VpinOptions;
  predict?: PredictOptions;
  /** Queue curves (queues.ts); false leaves them out. Default: on, with its defaults. */
  queues?: QueueCurvesOptions | false;
  /** Stylized facts (facts.ts); false leaves them out. Default: on, with its defaults. */
  facts?: StylizedFactsOptions | false;
}

/** The day's market orders in brief. */
export interface MarketOrderCounts {
  orders: number;
  buys: number;
  sells: number;
  volumeLots: number;
  meanLots: number;
  /** Whether hidden executions were counted as market-order fills. */
  includeHidden: boolean;
}

/** Everything `tranche data analyze` reports on one L3 day. JSON-able (NaN is written as null). */
export interface MicrostructureReport {
  symbol: string;
  date: string;
  tickSize: number;
  lotSize: number;
  messages: number;
  durationS: number;
  marketOrders: MarketOrderCounts;
  quotedSpread: QuotedSpread;
  effectiveSpread: EffectiveSpread;
  kyleLambda: KyleLambda;
  impactBySize: ImpactBucket[];
  vpin: Vpin;
  predictability: Predictability;
  /** Fill-time curves of orders joining the touch (queues.ts); absent when left out. */
  queues?: QueueCurves;
  /** Stylized facts (facts.ts); absent when left out. */
  facts?: StylizedFacts;
}

/** Runs every estimator on `day`. */
export function analyzeDay(day: L3Day, options: AnalyzeOptions = {}): MicrostructureReport {
  const orderOptions = options.marketOrders ?? {};
  const orders = marketOrders(day, orderOptions);
  const buys = orders.filter((o) => o.direction === 1).length;
  const volumeLots = orders.reduce((s, o) => s + o.qtyLots, 0);
  const report: MicrostructureReport = {
    symbol: day.symbol,
    date: day.date,
    tickSize: day.tickSize,
    lotSize: day.lotSize,
    messages: day.t.length,
    durationS: day.t.length > 0 ? day.t[day.t.length - 1] : 0,
    marketOrders: { orders: orders.length, buys, sells: orders.length - buys, volumeLots, meanLots: volumeLots / orders.length, includeHidden: orderOptions.includeHidden === true },
    quotedSpread: quotedSpread(day),
    effectiveSpread: effectiveSpread(day, { ...orderOptions, ...options.spread }, orders),
    kyleLambda: kyleLambda(day, { ...orderOptions, ...options.kyle }, orders),
    impactBySize: impactBySize(day, orderOptions, orders),
    vpin: vpin(day, options.vpin),
    predictability: predictability(day, options.predict),
  };
  if (options.queues !== false) report.queues = queueCurves(day, options.queues);
  if (options.facts !== false) report.facts = stylizedFacts(day, options.facts);
  return report;
}

/** The report as JSON text: NaN and ±Infinity (JSON has neither) become null. */
export function microstructureJson(report: MicrostructureReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2) + "\n";
}

const fixed = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : "—");
const whole = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "—");
const signif = (x: number, digits = 3): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(Math.max(0, digits - Math.max(0, Math.floor(Math.log10(Math.abs(x) || 1)) + 1))) : x.toExponential(digits - 1)) : "—");

/** Rows of cells as aligned lines: the first column left-aligned, the others right-aligned. */
function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ").trimEnd());
}

/** The printed table of a report: one section per estimator, the figures a reader quotes. */
export function formatMicrostructure(report: MicrostructureReport): string[] {
  const r = report;
  const lines: string[] = [];
  const mo = r.marketOrders;
  lines.push(`${r.symbol} ${r.date}: ${whole(r.messages)} messages over ${fixed(r.durationS / 3600)} h; tick ${r.tickSize}, lot ${r.lotSize}`);
  lines.push(`market orders: ${whole(mo.orders)} (${whole(mo.buys)} buys, ${whole(mo.sells)} sells), ${whole(mo.volumeLots)} lots, mean ${fixed(mo.meanLots, 1)} lots` + (mo.includeHidden ? " (hidden executions included)" : " (visible executions grouped by time and direction)"));

  const q = r.quotedSpread, e = r.effectiveSpread;
  lines.push("", "spreads (time-weighted quoted; volume-weighted effective, realised and impact)");
  lines.push(...table([
    ["", "ticks", "bps"],
    ["quoted spread, mean", fixed(q.meanTicks), fixed(q.meanBps)],
    ["quoted spread, median", fixed(q.medianTicks), fixed(q.medianBps)],
    ["effective spread", fixed(e.effectiveTicks), fixed(e.effectiveBps)],
  ]));
  if (q.oneSidedShare > 0) lines.push(`  one side empty ${fixed(100 * q.oneSidedShare, 3)}% of the time (left out)`);
  lines.push(...table([
    ["horizon", "orders", "effective bps", "realised bps", "impact bps"],
    ...e.decomposition.map((d) => [`${d.horizonS} s`, whole(d.orders), fixed(d.effectiveBps), fixed(d.realisedBps), fixed(d.impactBps)]),
  ]));

  const k = r.kyleLambda;
  lines.push("", `Kyle's lambda (OLS of mid change on signed market-order volume, ${k.intervalS} s intervals, n = ${k.intervals})`);
  lines.push(...table([
    ["lambda", "ticks/lot", "bps/1000 lots", "se OLS", "t OLS", `se NW(${k.neweyWestLags})`, "t NW", "R²"],
    ["", signif(k.lambdaTicksPerLot, 4), fixed(k.lambdaBpsPer1000Lots, 3), signif(k.seOls, 3), fixed(k.tOls), signif(k.seNeweyWest, 3), fixed(k.tNeweyWest), fixed(k.rSquared, 3)],
  ]));

  lines.push("", "immediate impact of single market orders by size (signed mid move, just before vs just after)");
  lines.push(...table([
    ["size lots", "orders", "mean lots", "move bps", "se bps", "move ticks", "moved %"],
    ...r.impactBySize.map((b) => [`[${b.minLots}, ${b.maxLots})`, whole(b.orders), fixed(b.meanLots, 1), fixed(b.meanMoveBps, 3), fixed(b.seMoveBps, 3), fixed(b.meanMoveTicks), fixed(100 * b.movedShare, 1)]),
  ]));

  const v = r.vpin;
  lines.push("", `VPIN (aggressor side exact from LOBSTER): bucket ${whole(v.bucketVolumeLots)} lots, ${v.buckets} buckets, window ${v.window}, ${v.values} value(s)`);
  lines.push(`  VPIN mean ${fixed(v.mean, 3)}, median ${fixed(v.median, 3)}, max ${fixed(v.max, 3)}; single-bucket |buy − sell|/V mean ${fixed(v.bucketImbalanceMean, 3)}, max ${fixed(v.bucketImbalanceMax, 3)}`);

  const p = r.predictability;
  const horizons = [...new Set(p.scores.map((s) => s.horizonS))];
  const features = [...new Set(p.scores.map((s) => s.feature))];
  lines.push("", `predictability of the mid move: out-of-sample R² (%) of a univariate OLS fitted on the first half (grid ${p.gridS} s; vs test mean / vs zero)`);
  lines.push(...table([
    ["feature", ...horizons.map((h) => `${h} s`)],
    ...features.map((f) => [f, ...horizons.map((h) => {
      const s = p.scores.find((x) => x.feature === f && x.horizonS === h);
      return s === undefined ? "—" : `${fixed(100 * s.rSquaredOos)} / ${fixed(100 * s.rSquaredOosVsZero)}`;
    })]),
  ]));

  if (r.queues !== undefined) {
    const qc = r.queues;
    lines.push("", `queues: ${whole(qc.orders)} orders joined the touch (${whole(qc.improving)} improving, ${whole(qc.cancelled)} cancelled); Kaplan–Meier P(full fill within t)`);
    lines.push(...table([
      ["lots ahead", "orders", ...qc.horizonsS.map((h) => `${h} s`)],
      ...qc.buckets.map((b) => [`[${b.fromLots}, ${Number.isFinite(b.toLots) ? b.toLots : "∞"})`, whole(b.orders), ...b.full.kmProbability.map((x) => fixed(x, 3))]),
    ]));
  }
  if (r.facts !== undefined) {
    const f = r.facts;
    lines.push("", "stylized facts");
    lines.push(`  best-level depth ${fixed(f.meanDepthLots.bid[0], 1)} bid / ${fixed(f.meanDepthLots.ask[0], 1)} ask lots; cancel rate per resting lot ${fixed(f.cancelRatePerRestingLot, 3)}/s`);
    lines.push(`  limit placement: mode ${f.placement.modeTicks} ticks from the opposite quote, ${fixed(100 * f.placement.shareWithin10, 1)}% within 1–10, ${fixed(100 * f.placement.shareWithin50, 1)}% within 50`);
    lines.push(...table([
      ["mid variogram lag", ...f.variogram.map((x) => `${x.lagS} s`)],
      ["ticks²", ...f.variogram.map((x) => fixed(x.varianceTicks2, 1))],
    ]));
  }
  return lines;
}
