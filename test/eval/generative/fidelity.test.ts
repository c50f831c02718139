// The fidelity protocol of the GOOG preset against the GOOG LOBSTER day, at CI size: fewer simulated days and runs
// than `tranche fidelity`, so the impact bounds allow for the smaller sample through their bootstrap intervals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { parseLobster, writeLobster } from "../../../data/index.js";
import { loadL3Day } from "../../../eval/microstructure/day.js";
import { stylizedFacts, type StylizedFacts } from "../../../eval/microstructure/facts.js";
import { calibrate } from "../../../eval/generative/calibrate.js";
import { runFidelity, type FidelityResult } from "../../../eval/generative/fidelity.js";
import { renderFidelityReport } from "../../../eval/generative/fidelity-report.js";
import { loadPreset, presetFlow } from "../../../eval/generative/preset.js";
import { available, goog, tempFolder } from "../../data/fixtures.js";

const haveGoog = available("fidelity of the GOOG preset", goog.message, goog.orderbook);

describe.skipIf(!haveGoog)("the GOOG preset against the GOOG day", () => {
  const tmp = tempFolder();
  let file = "";
  let day: StylizedFacts;
  let result: FidelityResult;
  const preset = loadPreset("goog");
  beforeAll(() => {
    file = join(tmp.dir, "goog.arrow");
    writeLobster(parseLobster(goog.message, goog.orderbook), file);
    day = stylizedFacts(loadL3Day(file));
    result = runFidelity(preset, "normal", presetFlow(preset), day, { factsDays: 4, runs: 80, sizes: [5, 15, 50, 150], bootstrap: 1000, regimeParticipations: [0.1, 0.5] });
  }, 240_000);
  afterAll(() => tmp.cleanup());

  it("matches the day's spread, depth at all ten levels, event rates and the variogram within the protocol's factors", () => {
    for (const f of result.facts) console.log(`${f.fact}: day ${f.day.toFixed(2)}, model ${f.model.toFixed(2)}, ×${f.ratio.toFixed(2)} ${f.pass ? "" : "(outside)"}`);
    const row = (name: string) => result.facts.find((f) => f.fact.startsWith(name))!;
    const depth = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((l) => `mean depth at level ${l},`);
    for (const name of ["mean spread", "limit orders per s", "cancels per s", "market orders per s", "traded lots per s", ...depth,
      "mid variance per s at 1 s", "mid variance per s at 10 s", "mid variance per s at 1 min", "mid variance per s at 10 min", "mid variance per s at 30 min"]) {
      expect(row(name).pass, `${name}: ×${row(name).ratio}`).toBe(true);
    }
    expect(result.facts.every((f) => f.pass)).toBe(true);
  });

  it("gives concave impact: exponent intervals inside [0.3, 0.7] at participation 0.1 and 0.25, Y in [0.3, 3], no unexecuted units", () => {
    for (const c of result.impact) {
      console.log(`participation ${c.participation}: exponent ${c.exponent.toFixed(3)} [${c.exponentCi[0].toFixed(3)}, ${c.exponentCi[1].toFixed(3)}], relaxation ${c.relaxation.toFixed(2)}`);
      expect(c.exponentCi[0]).toBeGreaterThanOrEqual(0.3);
      expect(c.exponentCi[1]).toBeLessThanOrEqual(0.7);
      expect(c.unexecutedShare).toBeLessThan(0.01);
      for (const p of c.points) expect(p.y, `Y at ${p.units} lots`).toBeGreaterThanOrEqual(0.3), expect(p.y).toBeLessThanOrEqual(3);
      // After as long again, impact has relaxed part of the way, not all of it.
      expect(c.relaxation).toBeGreaterThan(0.2);
      expect(c.relaxation).toBeLessThan(0.8);
    }
    expect(result.pass.exponents && result.pass.unexecuted && result.pass.y).toBe(true);
  });

  it("writes a report with the fact table, the impact fit and the regime map", () => {
    const html = renderFidelityReport(result);
    expect(html).toContain("chart-impact");
    expect(html).toContain("chart-regimes");
    expect(html).toContain("mean spread, ticks");
    expect(result.regimeMap).toHaveLength(2);
  });

  it("recalibrates from the day to the shipped preset's figures", () => {
    // As many simulated days as the shipped preset was fitted on (with patient orders, a fit on two or three days lands
    // τ0 anywhere within a factor of 10): the same figures, bit for bit.
    const again = calibrate(loadL3Day(file), file, { fitDays: Number(preset.fit.fitDays) });
    expect(again.instrument).toEqual(preset.instrument);
    expect(again.flow.distanceRatesPerSec?.length).toBeGreaterThan(100);
    expect(again.flow.hawkes?.branching).toBeCloseTo(preset.flow.hawkes!.branching, 6);
    expect(again.flow.patience).toEqual(preset.flow.patience);
    expect(again.flow.patience!.share).toBeGreaterThan(0.05);
    expect(again.flow.propagator).toEqual(preset.flow.propagator);
    expect(again.fit.placementOffsetTicks).toBe(preset.fit.placementOffsetTicks);
    expect(again.flow.cancelRatesPerSec).toEqual(preset.flow.cancelRatesPerSec);
  }, 180_000);
});
