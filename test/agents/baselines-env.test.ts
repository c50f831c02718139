// Every baseline on the real execution env (Poisson flow): episodes end complete, actions lie in the env's
// action space, and no lots-mode child asks for more than remaining − resting. A smoke test of the policies
// against the native task; the arithmetic is specified by the other suites on hand-built states.
import { describe, expect, it } from "vitest";
import {
  AlmgrenChrissPolicy,
  almgrenChrissTrajectory,
  PassiveTwapPolicy,
  PovPolicy,
  RandomPolicy,
  SubmitAndLeavePolicy,
  TwapPolicy,
  VwapPolicy,
  profileFromVolumes,
  type Policy,
} from "../../agents/index.js";
import { ExecutionVectorEnv, type ExecutionEnvConfig } from "../../env/execution.js";

const HORIZON = 12;
const N = 4;

const config = (policy: Policy): ExecutionEnvConfig => ({
  market: {
    fees: { makerBps: 0, takerBps: 2 },
    orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
    marketDataLatency: { kind: "constant", ns: 100_000 },
  },
  task: { side: "buy", parentLots: 120, horizonSteps: HORIZON, stepNs: 500_000_000, actionMode: policy.actionMode },
});

const policies: Array<() => Policy> = [
  () => new TwapPolicy(),
  () => new PassiveTwapPolicy(),
  () => new VwapPolicy({ profile: profileFromVolumes(Array.from({ length: HORIZON }, (_, k) => 12 - k)) }),
  () => new PovPolicy({ participationRate: 0.1 }),
  () => new AlmgrenChrissPolicy({ riskAversion: 0.05, volatilityBpsPerSqrtS: 3, temporaryImpactBpsS: 20 }),
  () => new SubmitAndLeavePolicy(),
  () => new RandomPolicy({ seed: 3 }),
];

describe("baselines on ExecutionVectorEnv (Poisson flow)", () => {
  for (const make of policies) {
    const name = make().name;
    it(`${name}: finishes every episode by the horizon with actions the env accepts`, () => {
      const policy = make();
      const env = new ExecutionVectorEnv(N, config(policy));
      const s = env.state;
      env.reset({ seed: 21 });
      const out = new Int32Array(2 * N);
      const pair = new Int32Array(2);
      const ended = new Array<boolean>(N).fill(false);
      for (let t = 0; t < HORIZON && ended.includes(false); t++) {
        policy.act(env.observations, s, out);
        for (let i = 0; i < N; i++) {
          if (ended[i]) continue;
          pair.set(out.subarray(2 * i, 2 * i + 2));
          expect(env.singleActionSpace.contains(pair), `env ${i}, step ${t}: ${pair}`).toBe(true);
          if (policy.actionMode === "lots") expect(out[2 * i], `env ${i}, step ${t}`).toBeLessThanOrEqual(s.remainingLots[i] - s.restingLots[i]);
        }
        env.step(out);
        for (let i = 0; i < N; i++) {
          if (ended[i] || !s.terminated[i]) continue;
          ended[i] = true;
          expect(s.incomplete[i], `env ${i}`).toBe(0);
          expect(Number.isFinite(s.episodeCostBps[i])).toBe(true);
        }
      }
      expect(ended).toEqual(new Array(N).fill(true));
    });
  }
});

// The schedules on the real env: marketable slices on the Poisson book fill at once, so fills follow each
// policy's plan exactly (TWAP, Almgren–Chriss) or its target (POV).
describe("baseline schedules on ExecutionVectorEnv (Poisson flow)", () => {
  const market = { fees: { makerBps: 0, takerBps: 2 }, orderEntryLatency: { kind: "constant" as const, ns: 200_000 } };
  const run = (policy: Policy, parentLots: number, horizonSteps: number, steps = horizonSteps) => {
    const env = new ExecutionVectorEnv(8, { market, task: { side: "buy", parentLots, horizonSteps, stepNs: 1e9, actionMode: "lots" } });
    const [obs] = env.reset({ seed: 3 });
    const actions = new Int32Array(16);
    const filled = Array.from({ length: 8 }, () => [] as number[]);
    for (let k = 0; k < steps; k++) {
      policy.act(obs, env.state, actions);
      env.step(actions);
      for (let i = 0; i < 8; i++) filled[i].push(env.state.filledLots[i]);
    }
    return { env, filled };
  };

  it("TWAP fills the same lots at every decision", () => {
    const { filled } = run(new TwapPolicy(), 120, 12);
    for (const f of filled) expect(f.map((x, k) => x - (k === 0 ? 0 : f[k - 1]))).toEqual(new Array(12).fill(10));
  });

  it("POV's realised participation stays within 0.01 of a 10% target (before the horizon cross)", () => {
    const { env } = run(new PovPolicy({ participationRate: 0.1 }), 100_000, 60, 59);
    for (let i = 0; i < 8; i++) {
      expect(env.state.episodeMarketVolumeLots[i]).toBeGreaterThan(1000);
      expect(Math.abs(env.state.filledLots[i] / env.state.episodeMarketVolumeLots[i] - 0.1)).toBeLessThan(0.01);
    }
  });

  it("Almgren–Chriss holds the closed-form trajectory to within a lot", () => {
    const kappaPerS = 0.05;
    const { filled } = run(new AlmgrenChrissPolicy({ kappaPerS }), 300, 20);
    const x = almgrenChrissTrajectory(300, 20, kappaPerS, 1);
    for (const f of filled) f.forEach((done, k) => expect(Math.abs(300 - done - x[k + 1])).toBeLessThanOrEqual(1));
  });
});
