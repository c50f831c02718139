// The shapes an evaluation produces: what the harness measures per episode, what the summary JSON of a run
// folder holds, and what the HTML report draws. One file so the harness, the run folder and the report agree.
import type { BlockBootstrapInterval, BootstrapInterval, CostSummary, WilcoxonMethod } from "./stats.js";

/** What the run measured, for a reader of the report or the JSON: the market, the parent order and the costs. */
export interface EvalSetup {
  /** One line: what market ran (e.g. "zero-intelligence Poisson flow", "LOBSTER replay of GOOG on 2012-06-21"). */
  market: string;
  /** "poisson" | "lobster" | "binance" | … (the market config's kind). */
  marketKind: string;
  side: "buy" | "sell";
  parentLots: number;
  horizonSteps: number;
  stepNs: number;
  /** Fees in bps of notional (maker may be negative: a rebate). */
  fees: { makerBps: number; takerBps: number };
  /** One line each: order-entry and market-data latency. */
  latency: { orderEntry: string; marketData: string };
  /** Realised spread is measured this long after each fill, ns. */
  markoutNs: number;
  episodes: number;
  seed: number;
  /** The policy every comparison is made against (default TWAP). */
  reference: string;
  /** True on replay markets, where an episode's start has a time of day. */
  hasTimeOfDay: boolean;
}

/** Mean of a per-episode quantity over the episodes where it is defined (NaN where none is). */
export interface MeanOf {
  mean: number;
  /** Episodes that defined it (a policy with no passive fills has no passive price, …). */
  n: number;
}

/** One policy's execution metrics over the episodes of a run. Costs in bps, positive = worse for the trader. */
export interface PolicyMetrics {
  policy: string;
  /** The policy's own one-sentence description and settings (Policy.describe()). */
  summary: string;
  params: Record<string, number | string>;
  episodes: number;
  /**
   * Episodes the book completed by the horizon. The statistics (here and in the comparisons) use the episodes
   * every policy completed (`EvalSummary.statisticsEpisodes`): an incomplete episode leaves lots uncounted.
   */
  completed: number;
  completionRate: number;
  /** Implementation shortfall against the arrival mid, fees included. */
  shortfallBps: CostSummary;
  /** Average fill price against the arrival mid, fees excluded. */
  arrivalSlippageBps: MeanOf;
  /** Average fill price against the VWAP of everyone else's trades over the episode. */
  intervalVwapSlippageBps: MeanOf;
  /** 2 × (fill − mid at the fill) ÷ mid, signed against the trader, volume-weighted over the child orders' fills. */
  effectiveSpreadBps: MeanOf;
  /** 2 × (fill − mid `markoutNs` after the fill) ÷ mid at the fill: what the spread paid kept after the move. */
  realisedSpreadBps: MeanOf;
  /** Lots filled ÷ lots of the child orders placed in the book. */
  fillRatio: MeanOf;
  /** Share of the filled lots that rested in the book (maker fills). */
  passiveShare: MeanOf;
  feesBps: MeanOf;
  /** The policy's fills ÷ (its fills + everyone else's volume) over the episode. */
  participation: MeanOf;
  /**
   * Share of the saving available in hindsight that the policy captured:
   * (mean IS of the reference − mean IS of the policy) ÷ (mean IS of the reference − mean best-in-hindsight IS);
   * NaN when the reference is already at or below the bound (there is no saving to share).
   */
  hindsightShare: number;
}

/** A paired comparison of one policy against another on the same episodes: d = IS(policy) − IS(against). */
export interface Comparison {
  policy: string;
  against: string;
  /** Why this comparison was made: against the reference, or against the best baseline. */
  kind: "reference" | "best";
  n: number;
  meanDiffBps: number;
  /** Seeded percentile bootstrap of the mean difference (BootstrapInterval.method says which kind). */
  bootstrap: BootstrapInterval;
  tTest: { t: number; df: number; p: number };
  wilcoxon: { statistic: number; p: number; method: WilcoxonMethod };
  /** Holm-adjusted Wilcoxon p across every comparison of the run. */
  holmP: number;
  /** Episodes a paired test needs to detect this mean difference at 80% power (two-sided, 5%); null when d̄ = 0. */
  episodesFor80Power: number | null;
  /**
   * On a replay: the bootstrap over blocks of episodes that start in the same window of one horizon's length (they
   * overlap in time and see the same prices, so they are not independent). Absent where the market has no clock.
   */
  timeBlocks?: BlockBootstrapInterval & { blockSeconds: number };
}

/** The summary JSON of a run folder (`summary.json`): everything the report draws, and how it was made. */
export interface EvalSummary {
  /** "tranche-eval/1". */
  format: string;
  createdAt: string;
  /** package version and git commit where known. */
  codeVersion: { package: string; commit: string | null };
  /** The exact resolved config the run executed (market, task, policies, episodes, seed, workers). */
  config: unknown;
  setup: EvalSetup;
  /** In the order the policies were asked for. */
  policies: PolicyMetrics[];
  /** Episodes every policy completed: the sample of every statistic and comparison. */
  statisticsEpisodes: number;
  /** The best baseline: lowest mean IS over the common episodes; null when no episode was completed by every policy. */
  best: string | null;
  comparisons: Comparison[];
  hindsight: {
    /** What the best schedule of marketable orders in hindsight is and how it is found. */
    method: string;
    shortfallBps: CostSummary;
  };
  /** Mean fraction of the parent still to trade before decision k (k = 0 … horizon), per policy. */
  trajectories: { policy: string; remaining: number[] }[];
  /** The Almgren–Chriss curve the report draws the trajectories against: fraction left before decision k. */
  almgrenChriss: { kappaPerS: number; remaining: number[] };
  /** Per-episode costs, for the distributions and time-of-day charts: episode order, one array per policy. */
  episodes: {
    seeds: number[];
    /** Seconds after local midnight of each episode's start (replay markets); null elsewhere. */
    startTimeOfDayS: (number | null)[];
    shortfallBps: Record<string, number[]>;
    /** 1 where the policy's episode ended with lots the book could not absorb. */
    incomplete: Record<string, number[]>;
    /** null where the horizon's book was empty on the parent's side (no bound). */
    hindsightBps: (number | null)[];
  };
  timing: { seconds: number; envSeconds: number; workers: number; batchSize: number };
}
