// A real learning test, small enough for CI: PPO on a market where crossing the spread is plainly costly (the
// zero-intelligence flow with a 2 bps taker fee, a parent of 200 lots over 20 one-second decisions: TWAP pays about 5 bps,
// a limit order left at the touch under 1). Trained for 30 updates on the wasm backend, the greedy policy must beat
// TWAP on episodes training never saw.
import { beforeAll, describe, expect, it } from "vitest";
import { ExecutionVectorEnv } from "../../env/execution.js";
import type { ActionMode } from "../../agents/task-state.js";
import { loadMarket } from "../../env/markets.js";
import { ZI_MARKET } from "../../eval/defaults.js";
import { TwapPolicy } from "../../agents/twap.js";
import type { ActorCritic, RunningMeanStd } from "../../training/network.js";
import { selectBackend } from "../../training/backend.js";
import { LEARNERS } from "../../training/learner.js";
import { ppoConfigSchema, trainPpo, type UpdateMetrics } from "../../training/ppo.js";

const TASK = { side: "buy", parentLots: 200, horizonSteps: 20, stepNs: 1e9 } as const;
const ENVS = 64;

function makeEnv(actionMode: ActionMode = "multiplier"): ExecutionVectorEnv {
  return new ExecutionVectorEnv(ENVS, { market: loadMarket(ZI_MARKET).market, task: { ...TASK, actionMode } });
}

/** Mean IS (bps) of the first `episodes` episodes from seed `seed` on, acting with `act`. */
function meanShortfall(act: (obs: Float32Array, env: ExecutionVectorEnv, out: Int32Array) => void, seed: number, episodes: number, actionMode?: ActionMode): number {
  const env = makeEnv(actionMode);
  const out = new Int32Array(2 * ENVS), ret = new Float64Array(ENVS);
  let [obs] = env.reset({ seed });
  let sum = 0, n = 0;
  while (n < episodes) {
    act(obs, env, out);
    const [next, rewards, terminated] = env.step(out);
    for (let i = 0; i < ENVS; i++) {
      if (env.resetMask[i]) continue;
      ret[i] += rewards[i];
      if (terminated[i]) (sum += -ret[i]), (ret[i] = 0), n++;
    }
    obs = next;
  }
  env.close();
  return sum / n;
}

describe("PPO on the zero-intelligence market", () => {
  let network: ActorCritic, stats: RunningMeanStd;
  const log: UpdateMetrics[] = [];
  beforeAll(async () => {
    const { backend } = await selectBackend("wasm");
    expect(backend).toBe("wasm");
    const config = ppoConfigSchema.parse({ numEnvs: ENVS, rolloutSteps: 64, totalSteps: 30 * ENVS * 64, learningRate: 1e-3, seed: 7 });
    const env = makeEnv();
    ({ network, observationStats: stats } = await trainPpo(env, config, { onUpdate: (m) => void log.push(m) }));
    env.close();
  }, 240_000);

  it("learns to beat TWAP on episodes it never saw", () => {
    for (const m of log.filter((_, i) => i % 5 === 4)) console.log(`update ${m.update}: IS ${m.episodeIsBps.toFixed(2)} bps, entropy ${m.entropy.toFixed(3)}, approx_kl ${m.approxKl.toFixed(4)}, explained variance ${m.explainedVariance.toFixed(2)}, ${m.stepsPerSecond.toFixed(0)} steps/s`);
    const normalized = new Float32Array(ENVS * network.spec.observationSize);
    const learned = meanShortfall((obs, _env, out) => {
      stats.normalize(obs, ENVS, normalized);
      network.greedy(normalized, ENVS, out);
    }, 1_000_000, 640);
    const twap = new TwapPolicy();
    const baseline = meanShortfall((obs, env, out) => twap.act(obs, env.state, out), 1_000_000, 640, twap.actionMode);
    console.log(`test episodes: learned ${learned.toFixed(2)} bps, TWAP ${baseline.toFixed(2)} bps`);
    expect(learned).toBeLessThan(baseline - 0.5);
    // It learned from its own episodes: the last updates' shortfall is below the first's.
    expect(log.at(-1)!.episodeIsBps).toBeLessThan(log[0].episodeIsBps);
  });
});

describe.each(LEARNERS)("a PPO run's determinism with the %s learner", (learner) => {
  it("gives the same learning curve for the same seed, backend and config", async () => {
    await selectBackend("wasm");
    const run = async (seed: number) => {
      const env = new ExecutionVectorEnv(8, { market: loadMarket(ZI_MARKET).market, task: TASK });
      const { metrics, dispose } = await trainPpo(env, ppoConfigSchema.parse({ numEnvs: 8, rolloutSteps: 32, totalSteps: 3 * 8 * 32, seed }), { learner });
      env.close();
      const curve = metrics.map((m) => [m.episodeIsBps, m.policyLoss, m.valueLoss, m.entropy, m.approxKl]);
      dispose();
      return curve;
    };
    const a = await run(11), b = await run(11), c = await run(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  }, 60_000);

  it("continues from a checkpoint exactly as the run that was not interrupted", async () => {
    await selectBackend("wasm");
    const config = ppoConfigSchema.parse({ numEnvs: 8, rolloutSteps: 32, totalSteps: 4 * 8 * 32, seed: 3 });
    const env = () => new ExecutionVectorEnv(8, { market: loadMarket(ZI_MARKET).market, task: TASK });
    const curve = (ms: UpdateMetrics[]) => ms.map((m) => [m.update, m.episodeIsBps, m.policyLoss, m.valueLoss, m.entropy, m.approxKl, m.explainedVariance]);
    const whole = await trainPpo(env(), config, { learner });
    let updates = 0;
    const first = await trainPpo(env(), config, { learner, shouldStop: () => ++updates === 2 });
    expect(first.state.update).toBe(2);
    // Through JSON, as a checkpoint file carries it.
    const resumed = await trainPpo(env(), config, { learner, resume: JSON.parse(JSON.stringify(first.state)) });
    expect(curve([...first.metrics, ...resumed.metrics])).toEqual(curve(whole.metrics));
    expect(resumed.state.weights).toEqual(whole.state.weights);
    [whole, first, resumed].forEach((r) => r.dispose());
    // A checkpoint of the other learner is refused, naming both.
    const other = LEARNERS.find((l) => l !== learner)!;
    await expect(trainPpo(env(), config, { learner: other, resume: JSON.parse(JSON.stringify(first.state)) })).rejects.toThrow(`the checkpoint's optimizer state is the ${learner} learner's and this run uses the ${other} learner`);
  }, 60_000);
});
