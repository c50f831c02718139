// `npm run bench -- generative`: how fast the generative flows simulate a market without an agent. Issue 16's
// target: a GOOG-sized day (23,400 s, about 150,000 visible events) in under 20 ms for one market on one core,
// and market-seconds per wall-second for 64 markets. Until the calibrated presets exist, the flows timed here
// are the Poisson flow at GOOG's event count, plainly and with the calibrated laws (CST distances, Hawkes
// market orders); each preset adds a row when it lands.
import { BatchMarket, type PoissonFlowSpec } from "../native/batch.js";
import { REGIMES, SHIPPED_PRESETS, loadPreset, presetFlow } from "../eval/generative/preset.js";
import { type BenchResult, type Benchmark, mustHold, settleHeap, summarize, timeSeconds } from "./harness.js";

const DAY_S = 23_400;
const STEP_NS = 100e9; // no agent: the flow advances in long steps
const RUNS = 9;
const MARKETS = 64;

// About 6 events per second as the GOOG day has (147,916 messages in 23,400 s): 1.5 limits per second per side,
// 0.13 market orders, 0.08 cancels per resting order.
const GOOG_SIZED: PoissonFlowSpec = { kind: "poisson", limitRatePerSec: 1.5, marketRatePerSec: 0.13, cancelRatePerSec: 0.08, distanceP: 0.05 };
// The same with the calibrated laws: limit rates by distance peaking 40 ticks from the opposite quote, and
// market orders as GOOG's Hawkes fit (n 0.48, β 455/s), background rate set for the same mean.
const distances = Array.from({ length: 60 }, (_, k) => 1.5 * Math.exp(-0.5 * ((k + 1 - 40) / 12) ** 2));
const scale = 1.5 / distances.reduce((a, b) => a + b, 0);
const CALIBRATED_LAWS: PoissonFlowSpec = {
  ...GOOG_SIZED,
  distanceRatesPerSec: distances.map((r) => r * scale),
  marketRatePerSec: 0.13 * (1 - 0.48),
  hawkes: { branching: 0.48, decayPerSec: 455 },
};

/**
 * Markets as training holds them: built once and reset for every episode, so their buffers have grown (the first day,
 * untimed, grows them); each timed day is a reset with a fresh seed and the day.
 */
class Days {
  private readonly batch: BatchMarket;
  private readonly steps = Math.round((DAY_S * 1e9) / STEP_NS);
  constructor(flow: PoissonFlowSpec, markets: number) {
    this.batch = new BatchMarket({ markets, commandsPerMarket: 1, flow });
    this.run(0);
  }
  private run(seed: number): void {
    this.batch.reset(seed);
    for (let s = 0; s < this.steps; s++) this.batch.step(STEP_NS);
  }
  simulate(seed: number): { seconds: number; events: number } {
    settleHeap();
    const seconds = timeSeconds(() => this.run(seed));
    mustHold(this.batch.checkInvariants() === null, "a book is inconsistent after a simulated day");
    return { seconds, events: this.batch.flowEvents() };  // counted from the reset
  }
}

function flowBenchmarks(label: string, flow: PoissonFlowSpec): Benchmark[] {
  return [
    {
      name: `generative-day-${label}`,
      description: `one market, a ${DAY_S} s day of the ${label} flow without an agent; ms per day (target < 20 ms)`,
      run(ctx) {
        const ms: number[] = [];
        let events = 0;
        const days = new Days(flow, 1);
        for (let r = 0; r < RUNS; r++) {
          const d = days.simulate(r + 1);
          ms.push(d.seconds * 1000);
          events += d.events;
          ctx.log(`run ${r + 1}: ${d.events} events in ${(d.seconds * 1000).toFixed(1)} ms`);
        }
        const s = summarize(ms);
        return [{
          name: `generative-day-${label}`, unit: "ms/day", ...s,
          details: { flow: label, dayS: DAY_S, eventsPerDay: Math.round(events / RUNS), stepS: STEP_NS / 1e9, target: "< 20 ms", withinTarget: s.median < 20, eventsPerSecondMedian: Math.round((events / RUNS) / (s.median / 1000)) },
        } satisfies BenchResult];
      },
    },
    {
      name: `generative-64-${label}`,
      description: `${MARKETS} markets, a day each of the ${label} flow; simulated market-seconds per wall-second`,
      run(ctx) {
        const rates: number[] = [];
        const days = new Days(flow, MARKETS);
        for (let r = 0; r < 3; r++) {
          const d = days.simulate(r + 1);
          rates.push((MARKETS * DAY_S) / d.seconds);
          ctx.log(`run ${r + 1}: ${MARKETS} days (${d.events} events) in ${d.seconds.toFixed(2)} s`);
        }
        return [{ name: `generative-64-${label}`, unit: "market-s/s", ...summarize(rates), details: { flow: label, markets: MARKETS, dayS: DAY_S } }];
      },
    },
  ];
}

// Each shipped preset in its calibrated regime and in its busiest (crisis): the flows training will run.
const presetFlows = SHIPPED_PRESETS.flatMap((name) =>
  (["normal", "crisis"] as const).filter((r) => REGIMES.some((x) => x.name === r)).map((r) => flowBenchmarks(`preset-${name}-${r}`, { kind: "poisson", ...presetFlow(loadPreset(name), r) })),
).flat();

export const generativeBenchmarks: Benchmark[] = [
  ...flowBenchmarks("poisson-goog-sized", GOOG_SIZED),
  ...flowBenchmarks("poisson-calibrated-laws", CALIBRATED_LAWS),
  ...presetFlows,
];
