// Calibration on an L2 stream: the Binance BTCUSDT spot sample (11 minutes) read as L3 messages on a 1-USDT tick, the
// model fitted to it, and the shipped btcusdt preset simulated against the facts it was fitted to.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBinance, writeBinance } from "../../../data/binance.js";
import { calibrate, meanMarketOrderSize, simulatedFacts } from "../../../eval/generative/calibrate.js";
import { loadPreset, presetFlow } from "../../../eval/generative/preset.js";
import type { L3Day } from "../../../eval/microstructure/day.js";
import { stylizedFacts, type StylizedFacts } from "../../../eval/microstructure/facts.js";
import { loadL2Day } from "../../../eval/microstructure/l2-day.js";
import { available, spot, tempFolder } from "../../data/fixtures.js";

const haveSpot = available("calibration on the Binance BTCUSDT spot stream", spot.day08, spot.day09);
const within = (x: number, target: number, factor: number) => x >= target / factor && x <= target * factor;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe.skipIf(!haveSpot)("calibration on the Binance BTCUSDT spot stream", () => {
  const tmp = tempFolder();
  let day: L3Day;
  let facts: StylizedFacts;
  beforeAll(() => {
    const file = join(tmp.dir, "spot.arrow");
    writeBinance(parseBinance([spot.day08, spot.day09]), file);
    day = loadL2Day(file, { tickMultiple: 100 });
    facts = stylizedFacts(day);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it("fits a model whose unit is the mean market order and whose market orders run at the stream's rate", () => {
    const unit = meanMarketOrderSize(day);
    // 7,135 market orders carry 438 BTC: a mean of 0.061 BTC (6.1 M lots of 1e-8 BTC).
    expect(unit).toBeGreaterThan(5e6);
    expect(unit).toBeLessThan(7e6);
    const preset = calibrate(day, "spot.arrow", { unitLots: unit, fitDays: 4 });
    expect(preset.flow.marketLots).toBe(unit);
    expect(preset.instrument.tickSize).toBe(1);
    expect(preset.flow.joinRatesPerSec!.length).toBe(10);
    // Every add of the stream is placed or joins: their rates add up to the stream's limit-order rate (in view).
    const perSide = preset.flow.distanceRatesPerSec!.reduce((s, x) => s + x, 0) + preset.flow.joinRatesPerSec!.reduce((s, x) => s + x, 0);
    expect(within(2 * perSide, facts.limitArrivals.total.perS, 1.25)).toBe(true);
    const [sim] = simulatedFacts(preset.flow, { tickSize: 1, durationS: facts.durationS }, 1, 7);
    console.log(`fitted model: spread ${sim.meanSpreadTicks.toFixed(2)} (stream ${facts.meanSpreadTicks.toFixed(2)}), market orders ${sim.marketOrders.total.perS.toFixed(2)}/s (${facts.marketOrdersWithHidden.total.perS.toFixed(2)})`);
    expect(within(sim.marketOrders.total.perS, facts.marketOrdersWithHidden.total.perS, 1.5)).toBe(true);
  }, 300_000);

  it("ships a btcusdt preset whose spread, touch depth and event rates are the stream's within a factor of 1.5", () => {
    const preset = loadPreset("btcusdt");
    expect(preset.source.tickMultiple).toBe(100);
    const models = simulatedFacts(presetFlow(preset), { tickSize: preset.instrument.tickSize, durationS: facts.durationS }, 4, 11);
    const depth1 = (f: StylizedFacts) => (f.meanDepthLots.bid[0] + f.meanDepthLots.ask[0]) / 2;
    const rows: [string, number, number][] = [
      ["mean spread", mean(models.map((f) => f.meanSpreadTicks)), facts.meanSpreadTicks],
      ["depth at level 1", mean(models.map(depth1)), depth1(facts)],
      ["limit orders per s", mean(models.map((f) => f.limitArrivals.total.perS)), facts.limitArrivals.total.perS],
      ["cancels per s", mean(models.map((f) => f.cancellations.total.perS)), facts.cancellations.total.perS],
      ["market orders per s", mean(models.map((f) => f.marketOrders.total.perS)), facts.marketOrdersWithHidden.total.perS],
    ];
    for (const [name, model, stream] of rows) {
      console.log(`${name}: stream ${stream.toFixed(2)}, model ${model.toFixed(2)}, ×${(model / stream).toFixed(2)}`);
      expect(within(model, stream, 1.5), name).toBe(true);
    }
  }, 300_000);
});
