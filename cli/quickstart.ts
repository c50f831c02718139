// `tranche quickstart`: the most complete job the project can run today. Until training lands it runs
// a batch of simulated markets with a TWAP-style parent order in each and reports execution statistics.
import { BatchMarket, CommandKind, Side, SlotState, Tif } from "../native/index.js";

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

export interface QuickstartReport {
  markets: number;
  steps: number;
  marketStepsPerSec: number;
  filledLots: number;
  /** Mean implementation shortfall against the arrival mid, in basis points (positive = cost). */
  meanShortfallBps: number;
  stdShortfallBps: number;
  passiveFillShare: number;
  feesPaid: number;
  seconds: number;
}

/**
 * Each market: buy `parentLots` over `horizonSteps` decisions. A passive limit for two TWAP slices rests at
 * the bid (slot 0) while the bid stays there and the schedule allows; when the bid moves or the order falls
 * behind schedule it is pulled, and what is behind is crossed with a market order (slot 1); the last step
 * crosses the remainder. Maker 0, taker 2 bps.
 */
export function runQuickstart(opts: QuickstartOptions, log: (line: string) => void = () => {}): QuickstartReport {
  const started = performance.now();
  const batch = new BatchMarket({
    markets: opts.markets, commandsPerMarket: 1, fillsPerMarket: 32, tickSize: 0.01, lotSize: 1,
    fees: { makerBps: 0, takerBps: 2 },
    orderEntryLatency: { kind: "lognormal", medianNs: 300_000, sigma: 0.5, capNs: 5_000_000 },
    marketDataLatency: { kind: "constant", ns: 100_000 },
    flow: { kind: "poisson", referencePriceTicks: 10_000 },
  });
  const io = batch.io;
  const n = opts.markets, C = batch.commandsPerMarket, dtNs = opts.stepMs * 1_000_000;
  batch.reset(opts.seed);
  batch.step(dtNs); // let the book fill in before the parent order arrives
  const arrivalMid = Float64Array.from({ length: n }, (_, m) => (io.bestBid[m] + io.bestAsk[m]) / 2);
  const filled = new Float64Array(n), notionalTicks = new Float64Array(n);
  let passiveLots = 0;
  for (let step = 0; step < opts.horizonSteps; step++) {
    io.cmdKind.fill(CommandKind.None);
    for (let m = 0; m < n; m++) {
      const left = opts.parentLots - filled[m];
      if (left <= 0) continue;
      const k = m * C;
      const slot0 = io.slotState[m * 8];
      const resting = slot0 === SlotState.Resting || slot0 === SlotState.InFlight;
      const scheduleLeft = opts.parentLots * (1 - step / opts.horizonSteps);
      const behind = Math.max(0, Math.round(left - scheduleLeft));
      const lastStep = step >= opts.horizonSteps - 1;
      if (resting) {
        // Keep the passive slice while it is at the bid and the schedule allows; otherwise pull it first,
        // so that with nothing outstanding the next step cannot overfill.
        if (lastStep || behind > 0 || io.slotPriceTicks[m * 8] !== io.bestBid[m]) {
          io.cmdKind[k] = CommandKind.Cancel; io.cmdSlot[k] = 0;
        }
        continue;
      }
      if (lastStep || behind > 0) {
        io.cmdKind[k] = CommandKind.Market; io.cmdSlot[k] = 1; io.cmdSide[k] = Side.Buy;
        io.cmdQtyLots[k] = lastStep ? left : Math.min(left, behind);
      } else if (Number.isFinite(io.bestBid[m])) {
        io.cmdKind[k] = CommandKind.Limit; io.cmdSlot[k] = 0; io.cmdSide[k] = Side.Buy; io.cmdTif[k] = Tif.GTC;
        io.cmdPriceTicks[k] = io.bestBid[m];
        io.cmdQtyLots[k] = Math.min(left, Math.max(1, Math.round((2 * opts.parentLots) / opts.horizonSteps)));
      }
    }
    batch.step(dtNs);
    for (let m = 0; m < n; m++) {
      const count = Math.min(io.fillCount[m], batch.fillsPerMarket);
      for (let f = 0; f < count; f++) {
        const k = m * batch.fillsPerMarket + f;
        filled[m] += io.fillQtyLots[k];
        notionalTicks[m] += io.fillQtyLots[k] * io.fillPriceTicks[k];
        if (io.fillMaker[k]) passiveLots += io.fillQtyLots[k];
      }
    }
    if (step % 30 === 0) log(`  step ${step}/${opts.horizonSteps}: ${filled.reduce((a, b) => a + b, 0)} lots filled across ${n} markets`);
  }
  const seconds = (performance.now() - started) / 1000;
  // Shortfall of a buy: (average price - arrival mid) / arrival mid, in bps; fees included.
  const is = Array.from({ length: n }, (_, m) => {
    if (filled[m] === 0) return 0;
    const avg = notionalTicks[m] / filled[m];
    const feeBps = (io.feesPaid[m] / (filled[m] * avg * 0.01)) * 1e4;
    return ((avg - arrivalMid[m]) / arrivalMid[m]) * 1e4 + feeBps;
  });
  const mean = is.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(is.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const totalFilled = filled.reduce((a, b) => a + b, 0);
  return {
    markets: n, steps: opts.horizonSteps + 1, marketStepsPerSec: (n * (opts.horizonSteps + 1)) / seconds,
    filledLots: totalFilled, meanShortfallBps: mean, stdShortfallBps: std,
    passiveFillShare: totalFilled > 0 ? passiveLots / totalFilled : 0,
    feesPaid: io.feesPaid.reduce((a, b) => a + b, 0), seconds,
  };
}
