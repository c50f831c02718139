// `npm run bench -- ppo`: environment steps per second of the whole PPO loop (rollout and update) with the fused
// native learner, beside the same loop with TensorFlow.js (wasm backend) as the learner, with the shares of the time
// spent in the env, in inference (sampling the policy) and in the update.
// Issue 17's target: 20,000 steps/s end to end on 2 cores, and 1 million steps in under 2 minutes.
import { ExecutionVectorEnv } from "../env/execution.js";
import { loadMarket } from "../env/markets.js";
import { DEFAULT_MARKET, ZI_MARKET } from "../eval/defaults.js";
import type { MarketConfig } from "../env/markets.js";
import { selectBackend } from "../training/backend.js";
import type { LearnerKind } from "../training/learner.js";
import { ppoConfigSchema, trainPpo, type UpdateMetrics } from "../training/ppo.js";
import { type BenchResult, type Benchmark, summarize } from "./harness.js";

const UPDATES = 6;

function ppoBenchmark(label: string, market: MarketConfig, task: { side: "buy"; parentLots: number; horizonSteps: number; stepNs: number }): Benchmark {
  return {
    name: `ppo-${label}`,
    description: `the PPO loop on the ${label} market, 64 envs × 128-step rollouts, 4 epochs × 4 minibatches, the fused learner beside tfjs-wasm's; env steps/s (target ≥ 20,000)`,
    async run(ctx) {
      const { backend } = await selectBackend("wasm");
      const loop = async (learner: LearnerKind): Promise<UpdateMetrics[]> => {
        const env = new ExecutionVectorEnv(64, { market: loadMarket(market).market, task });
        const config = ppoConfigSchema.parse({ totalSteps: (UPDATES + 1) * 64 * 128, seed: 1 });
        const { metrics, dispose } = await trainPpo(env, config, { learner });
        env.close();
        dispose();
        // The first update warms up (kernel compilation, buffers): it is left out.
        const timed = metrics.slice(1);
        for (const m of timed) ctx.log(`${learner} learner, update ${m.update}: ${Math.round(m.stepsPerSecond)} steps/s (env ${(100 * m.timeShares.env).toFixed(0)}%, inference ${(100 * m.timeShares.inference).toFixed(0)}%, update ${(100 * m.timeShares.update).toFixed(0)}%)`);
        return timed;
      };
      const fused = await loop("fused"), tfjs = await loop("tfjs");
      const s = summarize(fused.map((m) => m.stepsPerSecond)), p = summarize(tfjs.map((m) => m.stepsPerSecond));
      const share = (k: "env" | "inference" | "update") => +(fused.reduce((a, m) => a + m.timeShares[k], 0) / fused.length).toFixed(3);
      return [{
        name: `ppo-${label}`, unit: "steps/s", ...s, peer: `tfjs-${backend} learner`, peer_median: p.median, ratio: s.median / p.median,
        details: { learner: "fused", envs: 64, rolloutSteps: 128, epochs: 4, minibatches: 4, envShare: share("env"), inferenceShare: share("inference"), updateShare: share("update"), target: ">= 20000", withinTarget: s.median >= 20_000, secondsPerMillionSteps: Math.round(1e6 / s.median) },
      } satisfies BenchResult];
    },
  };
}

export const ppoBenchmarks: Benchmark[] = [
  ppoBenchmark("zi", ZI_MARKET, { side: "buy", parentLots: 200, horizonSteps: 20, stepNs: 1e9 }),
  ppoBenchmark("goog", DEFAULT_MARKET, { side: "buy", parentLots: 2000, horizonSteps: 60, stepNs: 10e9 }),
];
