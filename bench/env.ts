// `npm run bench -- env`: ExecutionVectorEnv steps per second with random actions, measured from TypeScript
// (the N-API crossing, action mapping and features included), side by side with the same task written the
// obvious way: one env object per market, one native call per env per step, features in TypeScript.
import { parseLobster } from "../data/lobster.js";
import { sharedDataFiles } from "../data/paths.js";
import { ExecutionVectorEnv, type ExecutionEnvConfig } from "../env/execution.js";
import { Rng } from "../env/rng.js";
import { BatchMarket, CommandKind, LobsterReplayData, SlotState, Tif, type BatchOptions } from "../native/index.js";
import { type BenchResult, type Benchmark, mustHold, settleHeap, summarize, timeSeconds } from "./harness.js";
import { existsSync } from "node:fs";

const ENVS = 64;
const RUNS = 7;
// Each workload's timed run lasts a quarter to half a second: shorter ones measure the machine's noise more
// than the env.

/** The task both implementations run: buy, TWAP-slice multipliers {0, ½, 1, 2, 4}, four placements. */
interface Workload {
  name: string;
  what: string;
  market: Omit<BatchOptions, "markets">;
  task: ExecutionEnvConfig["task"];
  stepsPerRun: number;
}

const MULTIPLIERS = [0, 0.5, 1, 2, 4];

/**
 * The peer: one market per env object, one `BatchMarket.step` per env per step, the action mapped and the
 * features computed in TypeScript from `depth()` — what a first version would do.
 */
class ObviousExecutionEnv {
  private readonly market: BatchMarket;
  private remaining = 0;
  private elapsed = 0;
  private arrivalMid = 0;
  private prevMid = 0;
  private vol = 0;
  readonly features = new Float32Array(16);

  constructor(
    options: Omit<BatchOptions, "markets">,
    private readonly task: ExecutionEnvConfig["task"],
    private readonly seed: number,
  ) {
    this.market = new BatchMarket({ ...options, markets: 1 });
  }

  reset(episode: number, startNs: number): void {
    this.market.reset(this.seed * 1000 + episode, startNs);
    const bid = this.market.depth(0, 0, 1).priceTicks[0], ask = this.market.depth(0, 1, 1).priceTicks[0];
    this.arrivalMid = this.prevMid = (bid + ask) / 2;
    this.remaining = this.task.parentLots;
    this.elapsed = 0;
    this.vol = 0;
  }

  /** One decision; returns true when the episode ended. */
  step(size: number, placement: number): boolean {
    const io = this.market.io;
    io.cmdKind.fill(CommandKind.None);
    const slice = this.remaining / (this.task.horizonSteps - this.elapsed);
    const qty = size === 0 ? 0 : Math.max(1, Math.round(MULTIPLIERS[size] * slice));
    if (io.slotState[0] === SlotState.Resting || io.slotState[0] === SlotState.InFlight) {
      io.cmdKind[0] = CommandKind.Cancel;
      io.cmdSlot[0] = 0;
    }
    const free = this.remaining - io.slotRemainingLots[0];
    if (qty > 0 && free > 0) {
      const bid = io.bestBid[0];
      io.cmdSide[1] = 0;
      io.cmdSlot[1] = 1;
      io.cmdQtyLots[1] = Math.min(qty, free);
      if (placement === 0 || !Number.isFinite(bid) || io.slotState[1] === SlotState.Resting || io.slotState[1] === SlotState.InFlight) {
        io.cmdKind[1] = CommandKind.Market;
      } else {
        io.cmdKind[1] = CommandKind.Limit;
        io.cmdTif[1] = Tif.GTC;
        io.cmdPriceTicks[1] = placement === 1 ? bid : placement === 2 ? bid + 1 : bid - 1;
      }
    }
    this.market.step(this.task.stepNs);
    for (let f = 0; f < Math.min(io.fillCount[0], this.market.fillsPerMarket); f++) this.remaining -= io.fillQtyLots[f];
    this.elapsed++;
    if (this.elapsed >= this.task.horizonSteps && this.remaining > 0) {
      io.cmdKind.fill(CommandKind.None);
      io.cmdKind[0] = CommandKind.Market;
      io.cmdSide[0] = 0;
      io.cmdSlot[0] = 2;
      io.cmdQtyLots[0] = this.remaining;
      this.market.step(1_000_000);
      this.remaining = 0;
    }
    this.computeFeatures();
    return this.remaining <= 0 || this.elapsed >= this.task.horizonSteps;
  }

  private computeFeatures(): void {
    const bids = this.market.depth(0, 0, 5), asks = this.market.depth(0, 1, 5);
    const bid = bids.priceTicks[0] ?? NaN, ask = asks.priceTicks[0] ?? NaN;
    const mid = (bid + ask) / 2;
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const b1 = bids.qtyLots[0] ?? 0, a1 = asks.qtyLots[0] ?? 0, b5 = sum(bids.qtyLots), a5 = sum(asks.qtyLots);
    const f = this.features, H = this.task.horizonSteps;
    f[0] = (H - this.elapsed) / H;
    f[1] = this.remaining / this.task.parentLots;
    f[2] = (this.remaining - (this.task.parentLots * (H - this.elapsed)) / H) / this.task.parentLots;
    f[3] = Math.log1p(ask - bid) / 4;
    f[4] = ((mid - this.arrivalMid) / this.arrivalMid) * 1e3;
    f[5] = ((bid * a1 + ask * b1) / (a1 + b1) - mid) / ((ask - bid) / 2);
    f[6] = (b1 - a1) / (b1 + a1);
    f[7] = (b5 - a5) / (b5 + a5);
    f[8] = Math.log1p((b5 + a5) / this.task.parentLots) / 4;
    const r = ((mid - this.prevMid) / this.prevMid) * 1e4;
    this.vol = 0.9 * this.vol + 0.1 * r * r;
    f[10] = Math.sqrt(this.vol) / 10;
    f[15] = this.market.io.slotRemainingLots[1] / Math.max(1, this.remaining);
    this.prevMid = mid;
  }
}

function workloads(): Workload[] {
  const costs = { fees: { makerBps: 0, takerBps: 2 }, orderEntryLatency: { kind: "constant" as const, ns: 200_000 }, marketDataLatency: { kind: "constant" as const, ns: 50_000 } };
  const list: Workload[] = [
    {
      name: "env-poisson-1",
      // The default Poisson flow runs about 190 events a second (measured: eventsPerStep in the results).
      what: "Poisson flow, about 1 background event per step (5 ms decisions)",
      market: costs,
      task: { side: "buy", parentLots: 400, horizonSteps: 400, stepNs: 5_000_000 },
      stepsPerRun: 8000,
    },
    {
      name: "env-poisson-100",
      what: "Poisson flow, about 100 background events per step (500 ms decisions)",
      market: costs,
      task: { side: "buy", parentLots: 400, horizonSteps: 120, stepNs: 500_000_000 },
      stepsPerRun: 1000,
    },
  ];
  const goog = sharedDataFiles().goog;
  if (existsSync(goog.message) && existsSync(goog.orderbook)) {
    const imp = parseLobster(goog.message, goog.orderbook);
    const data = new LobsterReplayData(imp.messages.columns, imp.book.columns);
    list.push({
      name: "env-goog-1s",
      what: "GOOG LOBSTER replay, 1-second decisions, morning windows",
      market: { ...costs, fees: { makerBps: 0, takerBps: 0.3 }, flow: { kind: "lobster", data } },
      task: { side: "buy", parentLots: 1000, horizonSteps: 300, stepNs: 1e9, starts: { kind: "window", fromNs: 0, toNs: 2 * 3600e9 } },
      stepsPerRun: 4000,
    });
  } else {
    console.warn(`[skip] env-goog-1s: ${goog.message} not found (set TRANCHE_DATA_DIR)`);
  }
  return list;
}

function runWorkload(w: Workload, log: (m: string) => void): BenchResult {
  const env = new ExecutionVectorEnv(ENVS, { market: w.market, task: w.task });
  const rng = new Rng(1);
  const actions = new Int32Array(2 * ENVS);
  const randomise = () => {
    for (let i = 0; i < 2 * ENVS; i += 2) {
      actions[i] = rng.below(5);
      actions[i + 1] = rng.below(4);
    }
  };
  env.reset({ seed: 1 });
  for (let t = 0; t < w.stepsPerRun / 4; t++) randomise(), env.step(actions); // warm the books and the JIT
  const peers = Array.from({ length: ENVS }, (_, i) => new ObviousExecutionEnv(w.market, w.task, i + 1));
  const starts = w.task.starts?.kind === "window" ? w.task.starts : undefined;
  const peerStart = (i: number, e: number) => (starts ? starts.fromNs + ((i * 7919 + e * 104729) % 1000) * ((starts.toNs - starts.fromNs) / 1000) : 0);
  const episodes = new Int32Array(ENVS);
  peers.forEach((p, i) => p.reset(0, Math.round(peerStart(i, 0))));
  const peerSteps = Math.max(20, Math.round(w.stepsPerRun / 10));

  const ours: number[] = [], theirs: number[] = [];
  let events = 0, stepsCounted = 0;
  for (let run = 0; run < RUNS; run++) {
    settleHeap();
    const before = env.flowEvents();
    const seconds = timeSeconds(() => {
      for (let t = 0; t < w.stepsPerRun; t++) {
        randomise();
        env.step(actions);
      }
    });
    events += env.flowEvents() - before;
    stepsCounted += w.stepsPerRun * ENVS;
    ours.push((w.stepsPerRun * ENVS) / seconds);
    settleHeap();
    const peerSeconds = timeSeconds(() => {
      for (let t = 0; t < peerSteps; t++) {
        for (let i = 0; i < ENVS; i++) {
          if (peers[i].step(rng.below(5), rng.below(4))) peers[i].reset(++episodes[i], Math.round(peerStart(i, episodes[i])));
        }
      }
    });
    theirs.push((peerSteps * ENVS) / peerSeconds);
    log(`run ${run + 1}/${RUNS}: ${(ours[run] / 1e6).toFixed(2)} M env-steps/s, peer ${(theirs[run] / 1e3).toFixed(1)} k/s`);
  }
  mustHold(env.observations.every(Number.isFinite), "every feature is finite");
  const s = summarize(ours), p = summarize(theirs);
  return {
    name: w.name,
    unit: "env-steps/s",
    ...s,
    peer: "one TS env per market (BatchMarket of 1, features from depth())",
    peer_median: p.median,
    ratio: s.median / p.median,
    details: { envs: ENVS, stepNs: w.task.stepNs, eventsPerStep: events / stepsCounted, workload: w.what },
  };
}

export const envBenchmarks: Benchmark[] = [
  {
    name: "env",
    description: "ExecutionVectorEnv, 64 envs, random actions, env steps/s from TypeScript; peer: one TS env per market",
    run(ctx) {
      return workloads().map((w) => runWorkload(w, (m) => ctx.log(`${w.name}: ${m}`)));
    },
  },
];
