// The execution task as Gymnasium envs (env/execution.ts over native/task.ts): the contract, the reward
// identity (the episode return is minus the implementation shortfall), the horizon cross, determinism, and
// configuration errors that name the field — on the Poisson flow and on real LOBSTER and Binance replays.
import { beforeAll, describe, expect, it } from "vitest";
import { parseBinance } from "../../data/binance.js";
import { parseLobster } from "../../data/lobster.js";
import { ExecutionEnv, ExecutionVectorEnv, type ExecutionEnvConfig } from "../../env/execution.js";
import { SyncVectorEnv, checkEnv, Rng } from "../../env/index.js";
import { FEATURES, FEATURE_VERSION, L2ReplayData, LobsterReplayData, TrancheError } from "../../native/index.js";
import { available, goog, spot } from "../data/fixtures.js";
import { vectorEnvConformance } from "./vector-conformance.js";

const poisson = (horizonSteps = 10, parentLots = 60): ExecutionEnvConfig => ({
  market: {
    fees: { makerBps: 0, takerBps: 2 },
    orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
    marketDataLatency: { kind: "constant", ns: 100_000 },
  },
  task: { side: "buy", parentLots, horizonSteps, stepNs: 500_000_000 },
});

/** Random actions over the default space, seeded. */
function randomActions(rng: Rng, n: number, out: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) {
    out[2 * i] = rng.below(5);
    out[2 * i + 1] = rng.below(4);
  }
  return out;
}

vectorEnvConformance("ExecutionVectorEnv (Poisson flow)", () => new ExecutionVectorEnv(3, poisson()));

describe("ExecutionEnv and ExecutionVectorEnv on the Poisson flow", () => {
  it("passes checkEnv", () => {
    const report = checkEnv(new ExecutionEnv(poisson()), { maxSteps: 50 });
    expect(report.passed.length).toBeGreaterThan(5);
  });

  it("names its features and their version", () => {
    const env = new ExecutionVectorEnv(2, poisson());
    expect(env.metadata.featureVersion).toBe(FEATURE_VERSION);
    expect(env.metadata.featureNames).toEqual(FEATURES.map((f) => f.name));
    expect(env.singleObservationSpace.shape).toEqual([FEATURES.length]);
  });

  it("steps exactly as a SyncVectorEnv of single envs seeded s, s+1, … (bit for bit)", () => {
    const n = 4;
    const vector = new ExecutionVectorEnv(n, poisson(8));
    const sync = new SyncVectorEnv(Array.from({ length: n }, () => () => new ExecutionEnv(poisson(8))));
    vector.reset({ seed: 40 });
    sync.reset({ seed: 40 });
    expect(Buffer.from(vector.observations.buffer).equals(Buffer.from(sync.observations.buffer))).toBe(true);
    const rng = new Rng(7);
    const actions = new Int32Array(2 * n);
    for (let t = 0; t < 60; t++) {
      randomActions(rng, n, actions);
      vector.step(actions);
      sync.step(actions);
      expect([...vector.rewards]).toEqual([...sync.rewards]);
      expect([...vector.terminated]).toEqual([...sync.terminated]);
      expect([...vector.resetMask]).toEqual([...sync.resetMask]);
      expect(Buffer.from(vector.observations.buffer).equals(Buffer.from(sync.observations.buffer))).toBe(true);
    }
  });

  it("returns minus the implementation shortfall that the market's own cash account gives, to 1e-9 bps", () => {
    const n = 16;
    const env = new ExecutionVectorEnv(n, poisson(12, 80));
    const s = env.state;
    env.reset({ seed: 3 });
    const returns = new Float64Array(n);
    const rng = new Rng(11);
    const actions = new Int32Array(2 * n);
    let checked = 0;
    for (let t = 0; t < 12 * 3; t++) {
      env.step(randomActions(rng, n, actions));
      for (let i = 0; i < n; i++) {
        if (s.resetMask[i]) continue;
        returns[i] += s.rewards[i];
        if (!s.terminated[i]) continue;
        expect(s.incomplete[i]).toBe(0);
        expect(s.filledLots[i]).toBe(80);
        // A buy of Q lots: IS = (what it cost, fees in) ÷ (Q × arrival mid) − 1, from the market's cash alone.
        const arrivalNotional = 80 * s.arrivalMidTicks[i] * 0.01;
        const isBps = (-s.cash[i] / arrivalNotional - 1) * 1e4;
        expect(Math.abs(-returns[i] - isBps)).toBeLessThan(1e-9);
        expect(Math.abs(s.episodeCostBps[i] - isBps)).toBeLessThan(1e-9);
        returns[i] = 0;
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * n);
  });

  it.each([
    ["buy", 0],
    ["sell", -0.5],
  ] as const)("keeps the return equal to minus the shortfall when orders take as long as a step to arrive (%s, maker %f bps)", (side, makerBps) => {
    // Latency on the scale of the decision interval: children fill while their cancels travel, also at the horizon.
    const n = 16;
    const config: ExecutionEnvConfig = {
      market: { fees: { makerBps, takerBps: 2 }, orderEntryLatency: { kind: "lognormal", medianNs: 50_000_000, sigma: 1.5, capNs: 300_000_000 }, marketDataLatency: { kind: "constant", ns: 20_000_000 } },
      task: { side, parentLots: 80, horizonSteps: 10, stepNs: 100_000_000 },
    };
    const env = new ExecutionVectorEnv(n, config);
    const s = env.state;
    env.reset({ seed: 17 });
    const returns = new Float64Array(n);
    const rng = new Rng(23);
    const actions = new Int32Array(2 * n);
    let checked = 0;
    for (let t = 0; t < 10 * 6; t++) {
      env.step(randomActions(rng, n, actions));
      for (let i = 0; i < n; i++) {
        if (s.resetMask[i]) continue;
        returns[i] += s.rewards[i];
        if (!s.terminated[i]) continue;
        const notional = 80 * s.arrivalMidTicks[i] * 0.01;
        const done = s.incomplete[i] === 0;
        if (done) {
          const isBps = (side === "buy" ? -s.cash[i] / notional - 1 : 1 - s.cash[i] / notional) * 1e4;
          expect(Math.abs(-returns[i] - isBps)).toBeLessThan(1e-9);
        }
        expect(Math.abs(-returns[i] - s.episodeCostBps[i])).toBeLessThan(1e-9);
        returns[i] = 0;
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4 * n);
  });

  const lotsTask = (overrides: Partial<ExecutionEnvConfig["task"]> = {}, market: Partial<ExecutionEnvConfig["market"]> = {}): ExecutionEnvConfig => ({
    market: { ...poisson().market, ...market },
    task: { side: "buy", parentLots: 200, horizonSteps: 40, stepNs: 500_000_000, actionMode: "lots", ...overrides },
  });

  it("grows a child at an unchanged price past eight orders, and still sends a market order after", () => {
    const env = new ExecutionVectorEnv(1, lotsTask());
    env.reset({ seed: 4 });
    const s = env.state;
    for (let k = 1; k <= 10; k++) {
      env.step(Int32Array.of(10 * k, 3)); // one tick behind the touch, 10 lots more each decision
      expect(s.restingLots[0] + s.filledLots[0]).toBeGreaterThanOrEqual(Math.min(10 * k, 200) - 10 * (k > 1 ? 1 : 0));
    }
    const filledBefore = s.filledLots[0];
    env.step(Int32Array.of(50, 0)); // a market child: no slot may be "busy"
    env.step(new Int32Array(2));
    expect(s.filledLots[0] - filledBefore).toBeGreaterThanOrEqual(50);
  });

  it("moves a child that holds all that is left to a new price, and sends it to market, instead of doing nothing", () => {
    const env = new ExecutionVectorEnv(1, lotsTask({ parentLots: 20 }));
    env.reset({ seed: 11 });
    const s = env.state;
    env.step(Int32Array.of(20, 3)); // all 20 one tick behind the touch
    expect(s.restingLots[0] + s.filledLots[0]).toBe(20);
    const behind = s.restingPriceTicks[0];
    env.step(Int32Array.of(20, 1)); // re-price to the touch
    expect(s.restingLots[0] + s.filledLots[0]).toBe(20);
    expect(s.restingPriceTicks[0]).not.toBe(behind);
    env.step(Int32Array.of(20, 0)); // everything to market
    expect(s.filledLots[0]).toBe(20);
  });

  it("leaves a child in flight at the asked price alone when the action repeats (no cancel-and-resend churn)", () => {
    // Orders take 1.5 decisions to arrive.
    const env = new ExecutionVectorEnv(1, lotsTask({ stepNs: 1_000_000 }, { orderEntryLatency: { kind: "constant", ns: 1_500_000 } }));
    env.reset({ seed: 2 });
    const s = env.state;
    const seen: number[] = [];
    for (let t = 0; t < 8; t++) {
      env.step(Int32Array.of(20, 3));
      seen.push(s.restingLots[0] + s.filledLots[0]);
    }
    expect(seen.slice(1)).toEqual(new Array(7).fill(20));
  });

  it("feeds the order-flow imbalance and the trade-sign features from the market's events between decisions", () => {
    const env = new ExecutionVectorEnv(8, poisson(40));
    env.reset({ seed: 3 });
    const wait = new Int32Array(16);
    const seen = { ofi: 0, trades: 0, volume: 0 };
    for (let t = 0; t < 30; t++) {
      env.step(wait);
      for (let i = 0; i < 8; i++) {
        if (env.observations[i * 16 + 9] !== 0) seen.ofi++;
        if (env.observations[i * 16 + 11] !== 0) seen.trades++;
        // A step with others' volume has a trade sign unless buys and sells balance exactly.
        if (env.state.stepMarketVolumeLots[i] === 0) expect(env.observations[i * 16 + 11]).toBe(0);
        else seen.volume++;
      }
    }
    expect(seen.ofi).toBeGreaterThan(100);
    expect(seen.trades).toBeGreaterThan(50);
    expect(seen.volume).toBeGreaterThanOrEqual(seen.trades);
  });

  it("gives every env of an unseeded first reset its own market, from episode 0", () => {
    const env = new ExecutionVectorEnv(4, poisson());
    env.reset();
    expect([...env.state.episodeIndex]).toEqual([0, 0, 0, 0]);
    const rng = new Rng(1);
    const actions = new Int32Array(8);
    for (let t = 0; t < 5; t++) env.step(randomActions(rng, 4, actions));
    expect(new Set(Array.from(env.state.bestBidTicks).concat(Array.from(env.state.askQtyLots))).size).toBeGreaterThan(2);
  });

  it.each([1, 2, 3])("fills the whole parent by a horizon of %i step(s), crossing the rest at the horizon", (horizon) => {
    const n = 8;
    const env = new ExecutionVectorEnv(n, poisson(horizon, 200));
    env.reset({ seed: 5 });
    // Wait every step: only the horizon cross trades.
    const wait = new Int32Array(2 * n);
    for (let t = 0; t < horizon; t++) env.step(wait);
    for (let i = 0; i < n; i++) {
      expect(env.terminated[i]).toBe(1);
      expect(env.state.filledLots[i] + env.state.remainingLots[i]).toBe(200);
      // Either done, or reported as incomplete: never averaged in as if it were.
      expect(env.state.incomplete[i] === 1 ? env.state.remainingLots[i] > 0 : env.state.remainingLots[i] === 0).toBe(true);
    }
  });

  it("reports a market too thin to absorb the remainder as incomplete", () => {
    const env = new ExecutionVectorEnv(2, { ...poisson(1, 1_000_000), market: { ...poisson().market, flow: { kind: "poisson", seedDepth: 2 } } });
    env.reset({ seed: 1 });
    env.step(new Int32Array(4));
    for (let i = 0; i < 2; i++) {
      expect(env.state.incomplete[i]).toBe(1);
      expect(env.state.remainingLots[i]).toBeGreaterThan(0);
      expect(env.state.filledLots[i]).toBeGreaterThan(0);
    }
  });

  it("keeps a resting child's queue place when the price is unchanged and it is resized", () => {
    const env = new ExecutionVectorEnv(1, { ...poisson(20, 100), task: { ...poisson().task, parentLots: 100, horizonSteps: 20, actionMode: "lots" } });
    // Seed 11: the bid stays at 9999 over both decisions and the child rests there, unfilled, behind others.
    env.reset({ seed: 11 });
    const s = env.state;
    env.step(Int32Array.of(20, 1)); // 20 lots at the touch
    expect([s.restingLots[0], s.restingPriceTicks[0], s.bestBidTicks[0]]).toEqual([20, 9999, 9999]);
    const queueBefore = env.observations[13];
    expect(queueBefore).toBeGreaterThan(0);
    env.step(Int32Array.of(10, 1)); // the same price, smaller: a reduce, not a cancel and a new order
    expect([s.restingLots[0], s.restingPriceTicks[0], s.filledLots[0]]).toEqual([10, 9999, 0]);
    // Sent again, it would queue behind everything at 9999; resized, it keeps its place (or moves up).
    expect(env.observations[13]).toBeLessThanOrEqual(queueBefore);
  });

  it("is deterministic: the same seed gives the same run, another seed another", () => {
    const run = (seed: number) => {
      const env = new ExecutionVectorEnv(4, poisson());
      env.reset({ seed });
      const rng = new Rng(1);
      const actions = new Int32Array(8);
      const trace: number[] = [];
      for (let t = 0; t < 40; t++) {
        env.step(randomActions(rng, 4, actions));
        trace.push(...env.rewards, ...env.observations);
      }
      return trace;
    };
    expect(run(21)).toEqual(run(21));
    expect(run(21)).not.toEqual(run(22));
  });

  it.each([
    ["a negative quantity", { parentLots: -5 }, "task.parentLots"],
    ["a horizon shorter than one step", { horizonSteps: 0 }, "task.horizonSteps"],
    ["an unknown side", { side: "hold" }, "task.side"],
    ["a window that ends before it starts", { starts: { kind: "window", fromNs: 10, toNs: 5 } }, "task.starts.toNs"],
  ])("refuses %s, naming the field", (_what, change, field) => {
    const config = poisson();
    expect(() => new ExecutionVectorEnv(2, { ...config, task: { ...config.task, ...change } as ExecutionEnvConfig["task"] })).toThrow(field);
  });

  it("refuses an unknown market kind, naming the field", () => {
    const config = poisson();
    const bad = { ...config, market: { ...config.market, flow: { kind: "garch" } } } as unknown as ExecutionEnvConfig;
    expect(() => new ExecutionVectorEnv(2, bad)).toThrow(/flow\.kind must be "poisson", "lobster" or "l2"/);
  });

  it("refuses an action outside the space, and a step before reset", () => {
    const env = new ExecutionVectorEnv(2, poisson());
    expect(() => env.step(new Int32Array(4))).toThrow(/before reset/);
    env.reset({ seed: 1 });
    expect(() => env.step(Int32Array.of(0, 0, 5, 0))).toThrow(/env 1: action \(5, 0\) is outside the action space/);
    expect(() => env.step(new Int32Array(3))).toThrow(/Int32Array of 4/);
  });
});

const haveGoog = available("execution env on the GOOG replay", goog.message, goog.orderbook);
describe.skipIf(!haveGoog)("ExecutionEnv on the GOOG LOBSTER replay", () => {
  let data: LobsterReplayData;
  const HOUR = 3_600e9;
  beforeAll(() => {
    const imp = parseLobster(goog.message, goog.orderbook);
    data = new LobsterReplayData(imp.messages.columns, imp.book.columns);
  });
  const config = (): ExecutionEnvConfig => ({
    market: { fees: { makerBps: 0, takerBps: 0.3 }, orderEntryLatency: { kind: "constant", ns: 200_000 }, flow: { kind: "lobster", data } },
    // Buy 300 shares over 2 minutes in 5-second decisions, starting somewhere in the morning.
    task: { side: "buy", parentLots: 300, horizonSteps: 24, stepNs: 5e9, starts: { kind: "window", fromNs: 0.25 * HOUR, toNs: 2 * HOUR } },
  });

  it("passes checkEnv", () => {
    expect(checkEnv(new ExecutionEnv(config()), { maxSteps: 30, otherSeeds: 2 }).passed.length).toBeGreaterThan(5);
  });

  it("completes every episode and its return is minus its shortfall", () => {
    const env = new ExecutionVectorEnv(8, config());
    env.reset({ seed: 100 });
    const s = env.state;
    const returns = new Float64Array(8);
    const done = new Uint8Array(8);
    const rng = new Rng(3);
    const actions = new Int32Array(16);
    // Every episode ends by its horizon (24 decisions), earlier if the parent is done first.
    for (let t = 0; t < 24; t++) {
      env.step(randomActions(rng, 8, actions));
      for (let i = 0; i < 8; i++) {
        if (done[i]) continue;
        returns[i] += env.rewards[i];
        if (!env.terminated[i]) continue;
        done[i] = 1;
        expect(s.filledLots[i]).toBe(300);
        const isBps = (-s.cash[i] / (300 * s.arrivalMidTicks[i] * 0.01) - 1) * 1e4;
        expect(Math.abs(-returns[i] - isBps)).toBeLessThan(1e-9);
      }
    }
    expect([...done]).toEqual(new Array(8).fill(1));
  });

  it("refuses a window that would run past the end of the file", () => {
    const c = config();
    expect(() => new ExecutionVectorEnv(2, { ...c, task: { ...c.task, starts: { kind: "list", startsNs: [7 * HOUR] } } })).toThrow(/after the lobster data.s first event would run to .*, past the end of the data \(23399\.857 s\); make the latest start earlier by/);
  });
});

const haveSpot = available("execution env on the Binance replay", spot.day08, spot.day09);
describe.skipIf(!haveSpot)("ExecutionEnv on the Binance BTCUSDT L2 replay", () => {
  let data: L2ReplayData;
  beforeAll(() => {
    const imp = parseBinance([spot.day08, spot.day09]);
    data = new L2ReplayData(imp.depth.columns, imp.trades.columns);
  });

  it("passes checkEnv, and sells the parent in every episode", () => {
    const config: ExecutionEnvConfig = {
      market: { tickSize: 0.01, lotSize: 1e-5, fees: { makerBps: 0, takerBps: 1 }, flow: { kind: "l2", data } },
      task: { side: "sell", parentLots: 5_000, horizonSteps: 30, stepNs: 1e9, starts: { kind: "window", fromNs: 10e9, toNs: 200e9 } },
    };
    expect(checkEnv(new ExecutionEnv(config), { maxSteps: 40, otherSeeds: 2 }).passed.length).toBeGreaterThan(5);
    const env = new ExecutionVectorEnv(4, config);
    env.reset({ seed: 8 });
    let volume = 0;
    const rng = new Rng(5);
    const actions = new Int32Array(8);
    const done = new Uint8Array(4);
    for (let t = 0; t < 30; t++) {
      env.step(randomActions(rng, 4, actions));
      for (let i = 0; i < 4; i++) {
        if (done[i] || !env.terminated[i]) continue;
        done[i] = 1;
        expect(env.state.filledLots[i] + env.state.remainingLots[i]).toBe(5_000);
        expect(env.state.incomplete[i] === 1 || env.state.remainingLots[i] === 0).toBe(true);
      }
      for (let i = 0; i < 4; i++) volume += env.state.stepMarketVolumeLots[i];
    }
    expect([...done]).toEqual([1, 1, 1, 1]);
    expect(volume).toBeGreaterThan(0);
    // Others' volume comes from the replayed tape (an L2 book matches nothing itself).
    expect(env.state.episodeMarketVolumeLots.every((v) => v >= 0)).toBe(true);
  });
});

it("wraps native failures as TrancheError with the reason", () => {
  const config = poisson();
  expect(() => new ExecutionVectorEnv(0, config)).toThrow(TrancheError);
});

describe("the incomplete penalty (a learner's reward only)", () => {
  it("charges lots the horizon's cross could not fill, and leaves the IS as it was", () => {
    // 2,000,000 lots in two decisions of waiting: the final cross empties the book and leaves most of the parent.
    const run = (incompletePenaltyBps: number) => {
      const base = poisson(2, 2_000_000);
      const env = new ExecutionVectorEnv(1, { ...base, task: { ...base.task, incompletePenaltyBps } });
      env.reset({ seed: 4 });
      const wait = Int32Array.of(0, 0);
      let reward = 0;
      for (let t = 0; t < 2; t++) reward += env.step(wait)[1][0];
      const out = { reward, incomplete: env.state.incomplete[0], costBps: env.state.episodeCostBps[0], left: env.state.remainingLots[0] };
      env.close();
      return out;
    };
    const free = run(0), charged = run(100);
    expect(free.incomplete).toBe(1);
    expect(free.left).toBeGreaterThan(1_000_000);
    expect(charged.costBps).toBe(free.costBps);
    expect(free.reward - charged.reward).toBeCloseTo((100 * free.left) / 2_000_000, 9);
    expect(() => new ExecutionVectorEnv(1, { ...poisson(), task: { ...poisson().task, incompletePenaltyBps: -1 } })).toThrow(/incompletePenaltyBps must be a finite number of bps >= 0/);
  });
});
