// An EvalSummary with the shapes a real run produces, for the report tests: six baselines on ~200 episodes of
// seeded costs with a common per-episode market move (so the paired statistics behave as they do under common
// random numbers), statistics computed by eval/stats.ts, trajectories of horizonSteps + 1 points, and start
// times of day on the replay variant.
import { Rng } from "../../env/rng.js";
import {
  bootstrapCI,
  episodesForPower,
  holm,
  pairedDifferences,
  pairedTTest,
  summarize,
  wilcoxonSignedRank,
} from "../../eval/stats.js";
import type { Comparison, EvalSummary, MeanOf, PolicyMetrics } from "../../eval/types.js";

/** Options of {@link reportFixture}. */
export interface ReportFixtureOptions {
  /** A replay market: episodes start between 09:45 and 15:30 and cost more near the open and the close. */
  hasTimeOfDay: boolean;
  episodes?: number;
  seed?: number;
  /** Renames policies (e.g. to a hostile string) everywhere they appear. */
  rename?: Record<string, string>;
}

/** How each baseline's costs and execution metrics are drawn. */
interface PolicyModel {
  policy: string;
  summary: string;
  params: Record<string, number | string>;
  /** Mean and per-episode noise of the policy's own cost, bps, on top of the shared market move. */
  meanBps: number;
  noiseBps: number;
  passiveShare: number;
  fillRatio: number;
  /** Probability that an episode does not complete by the horizon. */
  incompleteRate: number;
  /** Fraction of the parent left before decision k of K. */
  remaining: (k: number, horizon: number) => number;
}

const HORIZON_STEPS = 120;
const STEP_NS = 5e9;
const KAPPA_PER_S = 0.004;
const TAKER_BPS = 2;
const MAKER_BPS = -0.2;
const OPEN_S = 9 * 3600 + 45 * 60;
const LAST_START_S = 15 * 3600 + 30 * 60;

function almgrenChriss(k: number, horizon: number): number {
  // Almgren & Chriss (2000), eq. (18): x(t)/X = sinh(κ(T − t)) / sinh(κT).
  const totalS = (horizon * STEP_NS) / 1e9;
  const tS = (k * STEP_NS) / 1e9;
  return Math.sinh(KAPPA_PER_S * (totalS - tS)) / Math.sinh(KAPPA_PER_S * totalS);
}

const MODELS: PolicyModel[] = [
  {
    policy: "twap",
    summary: "Sends a market child of remaining ÷ decisions left at every decision.",
    params: { placement: "market" },
    meanBps: 3.25,
    noiseBps: 1.1,
    passiveShare: 0,
    fillRatio: 1,
    incompleteRate: 0,
    remaining: (k, h) => 1 - k / h,
  },
  {
    policy: "twap-passive",
    summary: "Works the TWAP schedule with a limit at the touch and crosses only what falls behind it.",
    params: { placement: "touch", catchUpLots: 2 },
    meanBps: 2.81,
    noiseBps: 1.3,
    passiveShare: 0.62,
    fillRatio: 0.71,
    incompleteRate: 0,
    remaining: (k, h) => Math.min(1, 1 - k / h + 0.04 * Math.sin((Math.PI * k) / h)),
  },
  {
    policy: "vwap",
    summary: "Follows the historical intraday volume profile with market children.",
    params: { profile: "u-shape", bins: 24 },
    meanBps: 3.05,
    noiseBps: 1.2,
    passiveShare: 0,
    fillRatio: 1,
    incompleteRate: 0,
    remaining: (k, h) => 1 - (k / h + 0.08 * Math.sin((2 * Math.PI * k) / h)),
  },
  {
    policy: "pov",
    summary: "Trades 10% of the observed market volume each step, crossing at the horizon.",
    params: { participationRate: 0.1 },
    meanBps: 3.6,
    noiseBps: 1.6,
    passiveShare: 0.05,
    fillRatio: 0.97,
    incompleteRate: 0.01,
    remaining: (k, h) => Math.max(0, 1 - (k / h) * 0.92 - (k === h ? 0.08 : 0)),
  },
  {
    policy: "almgren-chriss",
    summary: "Front-loads the schedule along the Almgren–Chriss curve for risk aversion λ.",
    params: { lambda: 2e-6, kappaPerS: KAPPA_PER_S },
    meanBps: 2.62,
    noiseBps: 1.4,
    passiveShare: 0,
    fillRatio: 1,
    incompleteRate: 0,
    remaining: (k, h) => almgrenChriss(k, h) * 0.98 + (1 - k / h) * 0.02,
  },
  {
    policy: "submit-and-leave",
    summary: "Rests the whole parent at the touch and crosses what is left at the horizon.",
    params: { offsetTicks: 0 },
    meanBps: 4.4,
    noiseBps: 3.1,
    passiveShare: 0.55,
    fillRatio: 0.55,
    incompleteRate: 0.03,
    remaining: (k, h) => (k === h ? 0 : 1 - 0.55 * (1 - Math.exp((-3 * k) / h)) / (1 - Math.exp(-3))),
  },
];

const REFERENCE = "twap";

/** A complete EvalSummary of six baselines; the same options give the same summary. */
export function reportFixture(options: ReportFixtureOptions): EvalSummary {
  const episodes = options.episodes ?? 200;
  const seed = options.seed ?? 20240611;
  const name = (policy: string): string => options.rename?.[policy] ?? policy;
  const rng = new Rng(seed);

  const seeds = Array.from({ length: episodes }, (_, i) => seed * 1000 + i);
  const startTimeOfDayS = seeds.map(() =>
    options.hasTimeOfDay ? Math.round(OPEN_S + rng.uniform() * (LAST_START_S - OPEN_S)) : null,
  );
  // The shared part of every policy's cost in an episode: the market's move and, on replays, the hour's spread.
  const marketMoveBps = startTimeOfDayS.map((startS) => {
    const hourEffect = startS === null ? 0 : 2.2 * ((startS - 45_000) / 10_350) ** 2;
    return 1.8 * rng.normal() + hourEffect;
  });

  const costs = new Map<string, Float64Array>();
  for (const model of MODELS)
    costs.set(model.policy, Float64Array.from(marketMoveBps, (move) => model.meanBps + move + model.noiseBps * rng.normal()));
  const hindsightBps = marketMoveBps.map((move, i) => {
    const cheapest = Math.min(...MODELS.map((m) => costs.get(m.policy)![i]));
    return Math.min(cheapest, move + 0.9) - 0.4 - 0.6 * Math.abs(rng.normal());
  });
  const hindsight = summarize(Float64Array.from(hindsightBps));
  const referenceMean = summarize(costs.get(REFERENCE)!).mean;

  const policies: PolicyMetrics[] = MODELS.map((model) => {
    const shortfallBps = summarize(costs.get(model.policy)!);
    const incomplete = Math.round(episodes * model.incompleteRate);
    const feesMean = model.passiveShare * MAKER_BPS + (1 - model.passiveShare) * TAKER_BPS;
    const meanOf = (mean: number, n = episodes): MeanOf => ({ mean, n });
    return {
      policy: name(model.policy),
      summary: model.summary,
      params: model.params,
      episodes,
      completed: episodes - incomplete,
      completionRate: (episodes - incomplete) / episodes,
      shortfallBps,
      arrivalSlippageBps: meanOf(shortfallBps.mean - feesMean),
      intervalVwapSlippageBps: meanOf(shortfallBps.mean - feesMean - 1.9 + 0.3 * rng.normal()),
      effectiveSpreadBps: meanOf(1.6 * (1 - 2 * model.passiveShare) + 0.2 * rng.normal()),
      // A fixture edge: a policy whose fills all came too late for a markout inside the episode.
      realisedSpreadBps: model.policy === "submit-and-leave" ? meanOf(Number.NaN, 0) : meanOf(0.4 + 0.2 * rng.normal()),
      fillRatio: meanOf(model.fillRatio),
      passiveShare: meanOf(model.passiveShare, model.passiveShare > 0 ? episodes - 3 : episodes),
      feesBps: meanOf(feesMean),
      participation: meanOf(0.06 + 0.04 * rng.uniform()),
      hindsightShare: (referenceMean - shortfallBps.mean) / (referenceMean - hindsight.mean),
    };
  });
  const best = MODELS.reduce((a, b) => (summarize(costs.get(a.policy)!).mean <= summarize(costs.get(b.policy)!).mean ? a : b)).policy;

  const pairs: { policy: string; against: string; kind: Comparison["kind"] }[] = [];
  for (const m of MODELS) if (m.policy !== REFERENCE) pairs.push({ policy: m.policy, against: REFERENCE, kind: "reference" });
  for (const m of MODELS)
    if (m.policy !== best && m.policy !== REFERENCE && best !== REFERENCE) pairs.push({ policy: m.policy, against: best, kind: "best" });
  const partial = pairs.map((pair, k) => {
    const diffs = pairedDifferences(costs.get(pair.policy)!, costs.get(pair.against)!);
    const tTest = pairedTTest(diffs);
    const wilcoxon = wilcoxonSignedRank(diffs);
    const power = episodesForPower(diffs);
    return {
      policy: name(pair.policy),
      against: name(pair.against),
      kind: pair.kind,
      n: diffs.length,
      meanDiffBps: tTest.meanDiff,
      bootstrap: bootstrapCI(diffs, { seed: seed + k, resamples: 2000 }),
      tTest: { t: tTest.t, df: tTest.df, p: tTest.p },
      wilcoxon: { statistic: wilcoxon.statistic, p: wilcoxon.p, method: wilcoxon.method },
      episodesFor80Power: Number.isFinite(power.episodes) ? power.episodes : null,
    };
  });
  const holmP = holm(partial.map((c) => c.wilcoxon.p));
  const comparisons: Comparison[] = partial.map((c, k) => ({ ...c, holmP: holmP[k] }));

  const steps = Array.from({ length: HORIZON_STEPS + 1 }, (_, k) => k);
  const market = options.hasTimeOfDay ? "LOBSTER replay of AAPL on 2012-06-21" : "zero-intelligence Poisson flow";
  return {
    format: "tranche-eval/1",
    createdAt: "2025-06-11T14:03:22.000Z",
    codeVersion: { package: "0.1.0", commit: "0f31f71" },
    config: {
      market: { kind: options.hasTimeOfDay ? "lobster" : "poisson" },
      task: { side: "buy", parentLots: 500, horizonSteps: HORIZON_STEPS, stepNs: STEP_NS },
      policies: MODELS.map((m) => name(m.policy)),
      episodes,
      seed,
      workers: 4,
    },
    setup: {
      market,
      marketKind: options.hasTimeOfDay ? "lobster" : "poisson",
      side: "buy",
      parentLots: 500,
      horizonSteps: HORIZON_STEPS,
      stepNs: STEP_NS,
      fees: { makerBps: MAKER_BPS, takerBps: TAKER_BPS },
      latency: { orderEntry: "lognormal, median 0.3 ms, σ 0.5, capped at 5 ms", marketData: "constant 0.1 ms" },
      markoutNs: 5e9,
      episodes,
      seed,
      reference: name(REFERENCE),
      hasTimeOfDay: options.hasTimeOfDay,
    },
    policies,
    statisticsEpisodes: episodes,
    best: name(best),
    comparisons,
    hindsight: {
      method: "per episode, the cheapest split of the parent into marketable orders over the decisions, found by dynamic programming on the recorded book",
      shortfallBps: hindsight,
    },
    trajectories: MODELS.map((m) => ({ policy: name(m.policy), remaining: steps.map((k) => m.remaining(k, HORIZON_STEPS)) })),
    almgrenChriss: { kappaPerS: KAPPA_PER_S, remaining: steps.map((k) => almgrenChriss(k, HORIZON_STEPS)) },
    episodes: {
      seeds,
      startTimeOfDayS,
      shortfallBps: Object.fromEntries(MODELS.map((m) => [name(m.policy), Array.from(costs.get(m.policy)!)])),
      incomplete: Object.fromEntries(MODELS.map((m) => [name(m.policy), seeds.map(() => 0)])),
      hindsightBps,
    },
    timing: { seconds: 12.4, envSeconds: 10.9, workers: 4, batchSize: 64 },
  };
}
