// The fidelity protocol of a generative preset, fixed in advance: its stylized facts against the day it was calibrated
// on (each within a factor of 1.5, the variogram at 30 minutes within 2), then metaorder impact from paired runs (a
// run with the metaorder and a control on the same random numbers; impact = the paired difference of mid moves),
// its exponent against size with a bootstrap interval at participations 0.1 and 0.25, Y against the square-root law,
// the share of units left unexecuted and the relaxation after the metaorder ends; and the regime map.
import { FlowSim, type PoissonFlowSpec } from "../../native/index.js";
import { fitLine } from "../microstructure/impact.js";
import type { StylizedFacts } from "../microstructure/facts.js";
import { Rng } from "../../env/rng.js";
import { simulatedFacts } from "./calibrate.js";
import type { MarketPreset } from "./preset.js";

export interface FactRow {
  fact: string;
  day: number;
  model: number;
  /** model ÷ day */
  ratio: number;
  /** Passes when ratio lies in [1/tolerance, tolerance]. */
  tolerance: number;
  pass: boolean;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The stylized facts of `models` (simulated days, averaged) against the day's. Depth is per level, both sides averaged. */
export function factsTable(day: StylizedFacts, models: readonly StylizedFacts[]): FactRow[] {
  const rows: FactRow[] = [];
  const add = (fact: string, d: number, m: number, tolerance = 1.5) => {
    const ratio = m / d;
    rows.push({ fact, day: d, model: m, ratio, tolerance, pass: ratio >= 1 / tolerance && ratio <= tolerance });
  };
  add("mean spread, ticks", day.meanSpreadTicks, mean(models.map((f) => f.meanSpreadTicks)));
  for (let l = 0; l < 10; l++) {
    const depth = (f: StylizedFacts) => (f.meanDepthLots.bid[l] + f.meanDepthLots.ask[l]) / 2;
    add(`mean depth at level ${l + 1}, lots`, depth(day), mean(models.map(depth)));
  }
  add("limit orders per s", day.limitArrivals.total.perS, mean(models.map((f) => f.limitArrivals.total.perS)));
  add("cancels per s", day.cancellations.total.perS, mean(models.map((f) => f.cancellations.total.perS)));
  // The model's market orders carry the day's visible and hidden executions.
  add("market orders per s", day.marketOrdersWithHidden.total.perS, mean(models.map((f) => f.marketOrders.total.perS)));
  add("traded lots per s", day.marketOrdersWithHidden.total.lotsPerS, mean(models.map((f) => f.marketOrders.total.lotsPerS)));
  day.variogram.forEach((v, i) => {
    // A lag the day is too short for (the Binance sample runs 11 minutes) has nothing to compare.
    if (v.lagS > 1800 || !Number.isFinite(v.variancePerSTicks2)) return;
    const label = v.lagS >= 60 ? `${v.lagS / 60} min` : `${v.lagS} s`;
    add(`mid variance per s at ${label}, ticks²/s`, v.variancePerSTicks2, mean(models.map((f) => f.variogram[i].variancePerSTicks2)), v.lagS >= 1800 ? 2 : 1.5);
  });
  return rows;
}

export interface ImpactPoint {
  units: number;
  durationS: number;
  runs: number;
  /** Mean paired impact at the end of the metaorder (T) and at 2T, ticks (positive = against the metaorder). */
  peakTicks: number;
  peakSeTicks: number;
  at2TTicks: number;
  /** Y = peak / (σ_day √(Q / V_day)). */
  y: number;
  unexecutedShare: number;
}

export interface ImpactCurve {
  participation: number;
  points: ImpactPoint[];
  /** Fitted exponent of peak impact against size (log-log least squares on the per-size means). */
  exponent: number;
  /** Percentile bootstrap 95% interval of the exponent, resampling runs within each size. */
  exponentCi: [number, number];
  /** Local slopes on the lower and upper halves of the size range. */
  lowSlope: number;
  highSlope: number;
  /** Mean of at2T / peak over sizes: the share of the peak left after as long again. */
  relaxation: number;
  unexecutedShare: number;
}

export interface ImpactStudyOptions {
  participations?: readonly number[];
  sizes?: readonly number[];
  runs?: number;
  seed?: number;
  warmupS?: number;
  bootstrap?: number;
  log?: (line: string) => void;
}

/** Paired metaorder runs on the preset: buys of one unit (its market orders' size) each at fixed participation of the day's traded volume. */
export function impactStudy(flow: Omit<PoissonFlowSpec, "kind">, preset: MarketPreset, options: ImpactStudyOptions = {}): ImpactCurve[] {
  const participations = options.participations ?? [0.1, 0.25];
  const sizes = options.sizes ?? [5, 10, 20, 50, 100, 200];
  const runs = options.runs ?? 300, seed = options.seed ?? 1_000_000, warmupS = options.warmupS ?? 600;
  const { sigmaDayTicks, volumeDayLots, volumePerSLots } = preset.targets;
  const unitLots = preset.instrument.unitLots;
  const sim = new FlowSim(flow);
  const rng = new Rng(seed);
  return participations.map((phi) => {
    const intervalS = unitLots / (phi * volumePerSLots);
    const perSize: { peak: Float64Array; at2T: Float64Array }[] = [];
    const points = sizes.map((units, s) => {
      const T = units * intervalS;
      const seeds = Array.from({ length: runs }, (_, i) => seed + 7919 * s + 104_729 * Math.round(phi * 1000) + i);
      const r = sim.impactRuns({ seeds, side: 0, units, unitLots, warmupNs: warmupS * 1e9, intervalNs: intervalS * 1e9, checkpointsNs: [T * 1e9, 2 * T * 1e9] });
      const peak: number[] = [], at2T: number[] = [];
      let unexecuted = 0;
      for (let i = 0; i < runs; i++) {
        const a = r.meta[2 * i] - r.control[2 * i], b = r.meta[2 * i + 1] - r.control[2 * i + 1];
        if (Number.isFinite(a) && Number.isFinite(b)) peak.push(a), at2T.push(b);
        unexecuted += r.unexecuted[i];
      }
      perSize.push({ peak: Float64Array.from(peak), at2T: Float64Array.from(at2T) });
      const m = mean(peak);
      const sd = Math.sqrt(mean(peak.map((x) => (x - m) ** 2)));
      const point: ImpactPoint = {
        units, durationS: T, runs: peak.length, peakTicks: m, peakSeTicks: sd / Math.sqrt(peak.length), at2TTicks: mean(at2T),
        y: m / (sigmaDayTicks * Math.sqrt((units * unitLots) / volumeDayLots)), unexecutedShare: unexecuted / (units * runs),
      };
      options.log?.(`  participation ${phi}: ${units} units over ${T.toFixed(0)} s: impact ${m.toFixed(2)} ± ${point.peakSeTicks.toFixed(2)} ticks, Y ${point.y.toFixed(2)}, at 2T ${(point.at2TTicks / m).toFixed(2)} of the peak`);
      return point;
    });
    const logQ = sizes.map(Math.log);
    const slope = (ms: readonly number[], from = 0, to = sizes.length) => fitLine(logQ.slice(from, to), ms.slice(from, to).map((x) => Math.log(Math.max(x, 1e-9)))).slope;
    const means = points.map((p) => p.peakTicks);
    const boots: number[] = [];
    for (let b = 0; b < (options.bootstrap ?? 2000); b++) {
      boots.push(slope(perSize.map(({ peak }) => {
        let s = 0;
        for (let i = 0; i < peak.length; i++) s += peak[Math.floor(rng.uniform() * peak.length)];
        return s / peak.length;
      })));
    }
    boots.sort((a, b) => a - b);
    const half = Math.ceil(sizes.length / 2);
    return {
      participation: phi, points, exponent: slope(means), exponentCi: [boots[Math.floor(0.025 * boots.length)], boots[Math.ceil(0.975 * boots.length) - 1]],
      lowSlope: slope(means, 0, half), highSlope: slope(means, sizes.length - half),
      relaxation: mean(points.map((p) => p.at2TTicks / p.peakTicks)),
      unexecutedShare: points.reduce((s, p) => s + p.unexecutedShare * p.units, 0) / points.reduce((s, p) => s + p.units, 0),
    };
  });
}

export interface RegimeCell {
  participation: number;
  /** Metaorder duration (of the median size) × the kernel's inverse time scale 1/τ0. */
  durationTimesMemoryRate: number;
  exponent: number;
}

/** The regime map: the exponent against participation, and against duration × memory rate (1/τ0). */
export function regimeMap(flow: Omit<PoissonFlowSpec, "kind">, preset: MarketPreset, participations: readonly number[], options: ImpactStudyOptions = {}): RegimeCell[] {
  const tau0 = flow.propagator?.tau0Sec ?? 1;
  return impactStudy(flow, preset, { ...options, participations, bootstrap: 1 }).map((c) => ({
    participation: c.participation,
    durationTimesMemoryRate: c.points[Math.floor(c.points.length / 2)].durationS / tau0,
    exponent: c.exponent,
  }));
}

export interface FidelityResult {
  preset: string;
  regime: string;
  facts: FactRow[];
  factsDays: number;
  impact: ImpactCurve[];
  regimeMap: RegimeCell[];
  /** Every line of the protocol. */
  pass: { facts: boolean; exponents: boolean; unexecuted: boolean; y: boolean };
}

export interface FidelityOptions extends ImpactStudyOptions {
  factsDays?: number;
  regimeParticipations?: readonly number[];
}

/** The whole protocol for a preset's flow against its day's facts. */
export function runFidelity(preset: MarketPreset, regimeName: string, flow: Omit<PoissonFlowSpec, "kind">, day: StylizedFacts, options: FidelityOptions = {}): FidelityResult {
  const factsDays = options.factsDays ?? 8;
  options.log?.(`stylized facts: ${factsDays} simulated days`);
  const models = simulatedFacts(flow, { tickSize: preset.instrument.tickSize, durationS: preset.targets.durationS }, factsDays, (options.seed ?? 1) + 500);
  const facts = factsTable(day, models);
  options.log?.("impact: paired metaorder runs");
  const impact = impactStudy(flow, preset, options);
  const map = regimeMap(flow, preset, options.regimeParticipations ?? [0.05, 0.1, 0.25, 0.5], { ...options, runs: Math.max(20, Math.round((options.runs ?? 300) / 3)) });
  return {
    preset: preset.name, regime: regimeName, facts, factsDays, impact, regimeMap: map,
    pass: {
      facts: facts.every((r) => r.pass),
      exponents: impact.every((c) => c.exponentCi[0] >= 0.3 && c.exponentCi[1] <= 0.7),
      unexecuted: impact.every((c) => c.unexecutedShare < 0.01),
      y: impact.every((c) => c.points.every((p) => p.y >= 0.3 && p.y <= 3)),
    },
  };
}
