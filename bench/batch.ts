// N-market stepping: step throughput of BatchMarket with an agent writing commands, and its memory at scale.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AGENT_SLOTS, BatchMarket, CommandKind, SlotState, Tif, type BatchIO } from "../native/index.js";
import { type Benchmark, formatRate, mustHold, settleHeap, summarize, timeSeconds } from "./harness.js";
import { BATCH_MEMORY_LIMIT_MIB, type MemoryProbeResult } from "./batch-memory-probe.js";

const STEP_MARKETS = 64;
const DT_NS = 100_000_000;
/** Default poisson flow (native/src/core/flow/poisson_flow.h). */
const FLOW = { limitRatePerSec: 50, marketRatePerSec: 5, cancelRatePerSec: 0.1, distanceP: 0.15, sizeP: 0.3 };
/**
 * Flow events per market per step, from the rates: 2·50 limits + 2·5 markets a second, plus 0.1/s cancels
 * per resting order. At steady state each market order removes about one order (limit and market sizes
 * share the 1 + Geometric(0.3) law), so resting ≈ (100 − 10) / 0.1 = 900 and cancels run at ~90/s:
 * ~200 events/s, ~20 per 100 ms step. The batch exposes no event counter, so this is computed, not counted.
 */
const RESTING_STEADY = (2 * FLOW.limitRatePerSec - 2 * FLOW.marketRatePerSec) / FLOW.cancelRatePerSec;
const EVENTS_PER_STEP = ((2 * FLOW.limitRatePerSec + 2 * FLOW.marketRatePerSec + FLOW.cancelRatePerSec * RESTING_STEADY) * DT_NS) / 1e9;
/** Steps before timing: 30 s of simulated time, three cancel lifetimes, brings the books to steady state. */
const WARMUP_STEPS = 300;
const STEPS_PER_RUN = 1000;
const RUNS = 9;

const live = (state: number) => state === SlotState.InFlight || state === SlotState.Resting;

/**
 * A small scripted agent, as an env step would run it: every 4th step it joins the touch with one lot in
 * one of slots 0–3, two steps later it cancels another of them if resting, and every 32nd step it sends a
 * one-lot market order from slot 7. Reads last step's outputs, writes this step's commands; returns how many.
 */
function writeCommands(io: BatchIO, markets: number, commandsPerMarket: number, step: number): number {
  io.cmdKind.fill(CommandKind.None);
  let written = 0;
  for (let m = 0; m < markets; m++) {
    const c = m * commandsPerMarket, slots = m * AGENT_SLOTS;
    const side = (step + m) & 1;
    if (step % 4 === 0) {
      const slot = (step >> 2) & 3;
      const touch = side === 0 ? io.bestBid[m] : io.bestAsk[m];
      if (!live(io.slotState[slots + slot]) && Number.isFinite(touch)) {
        io.cmdKind[c] = CommandKind.Limit;
        io.cmdSide[c] = side;
        io.cmdTif[c] = Tif.GTC;
        io.cmdSlot[c] = slot;
        io.cmdPriceTicks[c] = touch;
        io.cmdQtyLots[c] = 1;
        written++;
      }
    } else if (step % 4 === 2) {
      const slot = ((step >> 2) + 2) & 3;
      if (io.slotState[slots + slot] === SlotState.Resting) {
        io.cmdKind[c + 1] = CommandKind.Cancel;
        io.cmdSlot[c + 1] = slot;
        written++;
      }
    }
    if (step % 32 === 7 && !live(io.slotState[slots + 7])) {
      io.cmdKind[c + 2] = CommandKind.Market;
      io.cmdSide[c + 2] = side;
      io.cmdSlot[c + 2] = 7;
      io.cmdQtyLots[c + 2] = 1;
      written++;
    }
  }
  return written;
}

const batchStep: Benchmark = {
  name: "batch-step",
  description: `${STEP_MARKETS} markets stepped by BatchMarket.step (100 ms, default poisson flow) with a scripted agent; market-steps/s`,
  run(ctx) {
    const batch = new BatchMarket({
      markets: STEP_MARKETS,
      commandsPerMarket: 4,
      orderEntryLatency: { kind: "constant", ns: 500_000 },
      marketDataLatency: { kind: "constant", ns: 200_000 },
      flow: { kind: "poisson", ...FLOW },
    });
    batch.reset(7);
    let step = 0, commands = 0;
    const advance = (n: number) => {
      for (let k = 0; k < n; k++, step++) {
        commands += writeCommands(batch.io, STEP_MARKETS, batch.commandsPerMarket, step);
        batch.step(DT_NS);
      }
    };
    advance(WARMUP_STEPS);
    const broken = batch.checkInvariants();
    mustHold(broken === null, `a market's book is inconsistent after warm-up: ${broken}`);

    const rates: number[] = [];
    const eventsBefore = batch.flowEvents(), stepsBefore = step;
    for (let r = 0; r < RUNS; r++) {
      settleHeap();
      rates.push((STEP_MARKETS * STEPS_PER_RUN) / timeSeconds(() => advance(STEPS_PER_RUN)));
      ctx.log(`run ${r + 1}: ${formatRate(rates[r])} market-steps`);
    }
    const s = summarize(rates);
    const eventsPerStep = (batch.flowEvents() - eventsBefore) / ((step - stepsBefore) * STEP_MARKETS);
    ctx.log(`${eventsPerStep.toFixed(1)} flow events per market per step (counted; the rates predict ${EVENTS_PER_STEP.toFixed(1)}): ` +
      `${formatRate(s.median * eventsPerStep)} flow events`);
    return [{
      name: "batch-step", unit: "market-steps/s", ...s,
      details: {
        markets: STEP_MARKETS, dtMs: DT_NS / 1e6, stepsPerRun: STEPS_PER_RUN, warmupSteps: WARMUP_STEPS,
        flowEventsPerStep: Number(eventsPerStep.toFixed(2)), flowEventsPerStepFromRates: Number(EVENTS_PER_STEP.toFixed(1)),
        flowEventsPerSecond: Math.round(s.median * eventsPerStep), agentCommandsPerMarketStep: Number((commands / (step * STEP_MARKETS)).toFixed(3)),
      },
    }];
  },
};

const PROBE_RUNS = 3;

const batchMemory: Benchmark = {
  name: "batch-memory",
  description: `RSS growth of 1024 markets built and stepped 300 times (fresh process each run); limit ${BATCH_MEMORY_LIMIT_MIB} MiB`,
  run(ctx) {
    // A fresh process per measurement: memory freed by earlier benchmarks would otherwise be reused by
    // the allocator and hide part of the growth.
    const probe = join(dirname(fileURLToPath(import.meta.url)), "batch-memory-probe.ts");
    const results: MemoryProbeResult[] = [];
    for (let r = 0; r < PROBE_RUNS; r++) {
      const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", probe], { encoding: "utf8" });
      mustHold(child.status === 0, `the memory probe failed (exit ${child.status}):\n${child.stderr}`);
      const result = JSON.parse(child.stdout.trim().split("\n").pop() ?? "") as MemoryProbeResult;
      results.push(result);
      ctx.log(`run ${r + 1}: RSS +${result.rssGrowthMiB.toFixed(1)} MiB, bytesReserved ${result.bytesReservedMiB.toFixed(1)} MiB ` +
        `(${result.seconds.toFixed(1)} s for ${result.steps} steps)`);
    }
    const s = summarize(results.map((x) => x.rssGrowthMiB));
    const reserved = summarize(results.map((x) => x.bytesReservedMiB));
    if (s.max >= BATCH_MEMORY_LIMIT_MIB) ctx.log(`OVER BUDGET: ${s.max.toFixed(1)} MiB >= ${BATCH_MEMORY_LIMIT_MIB} MiB`);
    return [{
      name: "batch-memory", unit: "MiB", ...s,
      details: {
        markets: results[0].markets, steps: results[0].steps, bytesReservedMiB: Number(reserved.median.toFixed(2)),
        rssGrowthPerMarketKiB: Number(((s.median * 1024) / results[0].markets).toFixed(1)),
        limitMiB: BATCH_MEMORY_LIMIT_MIB, withinLimit: s.max < BATCH_MEMORY_LIMIT_MIB,
      },
    }];
  },
};

export const batchBenchmarks: Benchmark[] = [batchStep, batchMemory];
