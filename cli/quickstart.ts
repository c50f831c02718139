// `tranche quickstart`: the most complete job the project can run today. Until evaluation and training land
// it runs the agents/ TWAP and TWAP-passive baselines on the same episodes of an ExecutionVectorEnv and reports
// their implementation shortfall; the evaluation issue replaces this with the full report.
import { PassiveTwapPolicy, TwapPolicy, type Policy } from "../agents/index.js";
import { ExecutionVectorEnv, type ExecutionEnvConfig } from "../env/execution.js";

export interface QuickstartOptions {
  markets: number;
  /** Parent order size in lots, bought in every market. */
  parentLots: number;
  /** Decision interval and horizon in milliseconds. */
  stepMs: number;
  horizonSteps: number;
  seed: number;
}

export const quickstartDefaults: QuickstartOptions = { markets: 64, parentLots: 200, stepMs: 1000, horizonSteps: 120, seed: 1 };

/** One policy's episodes: every market ran one parent order. */
export interface QuickstartPolicyResult {
  policy: string;
  summary: string;
  filledLots: number;
  /** Episodes the book could not complete at the horizon (never averaged in as done). */
  incomplete: number;
  /** Implementation shortfall against the arrival mid, bps of the parent notional, fees included (positive = cost). */
  meanShortfallBps: number;
  stdShortfallBps: number;
}

export interface QuickstartReport {
  markets: number;
  steps: number;
  /** Env steps per second over both policies' runs (wall clock, TypeScript included). */
  envStepsPerSec: number;
  seconds: number;
  policies: QuickstartPolicyResult[];
}

/** The embedded default market: zero-intelligence Poisson flow, lognormal order-entry latency, taker 2 bps. */
export function quickstartMarket(opts: QuickstartOptions): ExecutionEnvConfig {
  return {
    market: {
      tickSize: 0.01, lotSize: 1,
      fees: { makerBps: 0, takerBps: 2 },
      orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
      marketDataLatency: { kind: "constant", ns: 100_000 },
      flow: { kind: "poisson", referencePriceTicks: 10_000 },
    },
    task: { side: "buy", parentLots: opts.parentLots, horizonSteps: opts.horizonSteps, stepNs: opts.stepMs * 1_000_000, actionMode: "lots" },
  };
}

/** Runs each baseline on the same seeded episodes (one per market) and summarises its shortfall. */
export function runQuickstart(opts: QuickstartOptions, log: (line: string) => void = () => {}): QuickstartReport {
  const policies: Policy[] = [new TwapPolicy(), new PassiveTwapPolicy()];
  const env = new ExecutionVectorEnv(opts.markets, quickstartMarket(opts));
  const n = env.numEnvs;
  const actions = new Int32Array(2 * n);
  const results: QuickstartPolicyResult[] = [];
  let steps = 0;
  const started = performance.now();
  for (const policy of policies) {
    // The same seeds for every policy: common random numbers, so the difference is the policy's.
    const [obs] = env.reset({ seed: opts.seed });
    const done = new Uint8Array(n), cost = new Float64Array(n), filled = new Float64Array(n);
    let finished = 0;
    for (let t = 0; finished < n; t++) {
      policy.act(obs, env.state, actions);
      env.step(actions);
      steps++;
      for (let i = 0; i < n; i++) {
        if (done[i] || !env.terminated[i]) continue;
        done[i] = 1;
        finished++;
        cost[i] = env.state.episodeCostBps[i];
        filled[i] = env.state.filledLots[i];
      }
      if (t % 30 === 0) log(`  ${policy.name} step ${t}/${opts.horizonSteps}: ${env.state.filledLots.reduce((a, b) => a + b, 0)} lots filled across ${n} markets`);
    }
    const incomplete = Array.from(filled).filter((f) => f < opts.parentLots).length;
    const complete = Array.from(cost).filter((_, i) => filled[i] === opts.parentLots);
    const mean = complete.reduce((a, b) => a + b, 0) / Math.max(1, complete.length);
    const std = Math.sqrt(complete.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, complete.length - 1));
    results.push({ policy: policy.name, summary: policy.describe().summary, filledLots: filled.reduce((a, b) => a + b, 0), incomplete, meanShortfallBps: mean, stdShortfallBps: std });
  }
  const seconds = (performance.now() - started) / 1000;
  return { markets: n, steps: opts.horizonSteps, envStepsPerSec: (steps * n) / seconds, seconds, policies: results };
}
