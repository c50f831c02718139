// The evaluation harness: common random numbers, results that do not depend on how the work is split, the
// per-episode metrics' definitions, the best execution in hindsight, and the run folder.
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import { ZI_MARKET } from "../../eval/defaults.js";
import { FIELD, RECORD_FIELDS } from "../../eval/episodes.js";
import { evaluate, type Evaluation } from "../../eval/harness.js";
import { bestInHindsight, hasHorizonPrice } from "../../eval/hindsight.js";
import { parsePolicies } from "../../eval/policies.js";
import { checkRunFolder, writeRunFolder } from "../../eval/run-folder.js";
import { holm } from "../../eval/stats.js";
import { Rng } from "../../env/rng.js";

const PARENT = { side: "buy" as const, parentLots: 60, horizonSteps: 30, stepNs: 1_000_000_000 };
const POLICIES = ["twap", "twap-passive", "pov:0.05", "submit-and-leave"];
const F = RECORD_FIELDS.length;

describe("evaluate", () => {
  let here: Evaluation;
  beforeAll(async () => {
    here = await evaluate(POLICIES, ZI_MARKET, 24, { parent: PARENT, workers: 0, batchSize: 24, seed: 11 });
  });

  it("gives the same results whatever the worker count and batch size", async () => {
    const split = await evaluate(POLICIES, ZI_MARKET, 24, { parent: PARENT, workers: 2, batchSize: 5, seed: 11 });
    for (let p = 0; p < POLICIES.length; p++) {
      expect(Array.from(split.records[p])).toEqual(Array.from(here.records[p]));
      expect(Array.from(split.remaining[p])).toEqual(Array.from(here.remaining[p]));
    }
    expect(Array.from(split.hindsightBps)).toEqual(Array.from(here.hindsightBps));
    expect(split.summary.comparisons).toEqual(here.summary.comparisons);
  });

  it("runs every policy on the same episodes (common random numbers)", () => {
    // Seeds are seed + e for every policy; the episodes start at the same instant, on the same book.
    expect(here.summary.episodes.seeds).toEqual(Array.from({ length: 24 }, (_, e) => 11 + e));
    for (let p = 1; p < POLICIES.length; p++) {
      for (let e = 0; e < 24; e++) expect(here.records[p][e * F + FIELD.startNs]).toBe(here.records[0][e * F + FIELD.startNs]);
    }
    // Different seeds give different markets: the costs vary across episodes.
    expect(here.summary.policies[0].shortfallBps.std).toBeGreaterThan(0.1);
  });

  it("measures what each metric says", () => {
    const [twap, passive, pov, leave] = here.summary.policies;
    // Market children: every lot placed fills, none rests.
    expect(twap.fillRatio.mean).toBe(1);
    expect(twap.passiveShare.mean).toBe(0);
    // Fees of taker-only execution: 2 bps of the fill notional, a little off 2 as fills move off the arrival mid.
    expect(twap.feesBps.mean).toBeGreaterThan(1.95);
    expect(twap.feesBps.mean).toBeLessThan(2.05);
    // IS = arrival slippage + fees (fees in bps of the arrival notional; slippage of the fill price).
    for (const m of [twap, passive, pov, leave]) expect(Math.abs(m.shortfallBps.mean - m.arrivalSlippageBps.mean - m.feesBps.mean)).toBeLessThan(0.01);
    // A market buy pays at least the half spread: effective spread > 0; resting orders earn it.
    expect(twap.effectiveSpreadBps.mean).toBeGreaterThan(0.5);
    expect(leave.passiveShare.mean).toBeGreaterThan(0.3);
    expect(leave.effectiveSpreadBps.mean).toBeLessThan(twap.effectiveSpreadBps.mean);
    // Limits that rest and are replaced place more lots than they fill.
    expect(passive.fillRatio.mean).toBeLessThan(0.9);
    // POV at 5% of others' volume: its share of all volume is near 0.05 / 1.05 until the horizon cross.
    expect(pov.participation.mean).toBeGreaterThan(0.03);
    expect(twap.completionRate).toBe(1);
  });

  it("compares against the reference and the best, with Holm across every comparison", () => {
    const s = here.summary;
    expect(s.setup.reference).toBe("twap");
    const ref = s.comparisons.filter((c) => c.kind === "reference");
    expect(ref.map((c) => c.policy)).toEqual(["twap-passive", "pov:0.05", "submit-and-leave"]);
    const means = s.policies.map((p) => p.shortfallBps.mean);
    expect(s.best).toBe(s.policies[means.indexOf(Math.min(...means))].policy);
    // The paired mean difference is the difference of the means (same episodes).
    const tp = ref[0];
    expect(tp.meanDiffBps).toBeCloseTo(s.policies[1].shortfallBps.mean - s.policies[0].shortfallBps.mean, 10);
    expect(tp.bootstrap.method).toBe("percentile");
    expect(tp.bootstrap.low).toBeLessThanOrEqual(tp.meanDiffBps);
    expect(tp.bootstrap.high).toBeGreaterThanOrEqual(tp.meanDiffBps);
    const adjusted = holm(s.comparisons.map((c) => c.wilcoxon.p));
    expect(s.comparisons.map((c) => c.holmP)).toEqual(Array.from(adjusted));
  });

  it("bounds the marketable policies by the best execution in hindsight", () => {
    const s = here.summary;
    // No schedule of market orders beats the hindsight optimum on its own episode.
    for (let e = 0; e < 24; e++) expect(here.hindsightBps[e]).toBeLessThanOrEqual(here.records[0][e * F + FIELD.shortfallBps] + 1e-9);
    expect(s.policies[0].hindsightShare).toBe(0); // the reference captures none of the saving by definition
    expect(s.hindsight.shortfallBps.mean).toBeLessThan(s.policies[0].shortfallBps.mean);
  });

  it("traces the mean inventory from 1 at the start to 0 after the horizon", () => {
    for (const t of here.summary.trajectories) {
      expect(t.remaining).toHaveLength(PARENT.horizonSteps + 1);
      expect(t.remaining[0]).toBe(1);
      expect(t.remaining[PARENT.horizonSteps]).toBe(0);
    }
    const ac = here.summary.almgrenChriss.remaining;
    expect(ac[0]).toBe(1);
    expect(ac[PARENT.horizonSteps]).toBe(0);
  });

  it("refuses bad input before any work, naming it", async () => {
    await expect(evaluate(["twap", "twpa"], ZI_MARKET, 4)).rejects.toThrow(/unknown policy "twpa"; did you mean "twap"\?/);
    await expect(evaluate(["twap"], ZI_MARKET, 0)).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringMatching(/episodes must be a whole number/) });
    await expect(evaluate(["pov:2"], ZI_MARKET, 4)).rejects.toMatchObject({ code: "BAD_POLICY_PARAM" });
    await expect(evaluate(["twap", "twap"], ZI_MARKET, 4)).rejects.toMatchObject({ code: "DUPLICATE_POLICY" });
    await expect(evaluate(["twap"], ZI_MARKET, 4, { reference: "vwap" })).rejects.toThrow(/reference policy "vwap" is not among/);
    // A worker's error arrives as the data layer's, with its code.
    await expect(evaluate(["twap"], { kind: "lobster", file: "/nonexistent/goog.arrow" }, 4, { workers: 1 })).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
  });

  it("parses policy parameters", () => {
    expect(parsePolicies(["pov:0.2", "ac"])).toEqual([
      { label: "pov:0.2", name: "pov", param: 0.2 },
      { label: "ac", name: "ac", param: 2 },
    ]);
    expect(() => parsePolicies(["twap:3"])).toThrow(/takes no parameter/);
  });

  it("writes a run folder of Arrow, JSON and HTML, all or nothing", () => {
    const root = mkdtempSync(join(tmpdir(), "tranche-run-"));
    const out = writeRunFolder(join(root, "run"), here);
    expect(readdirSync(out.dir).sort()).toEqual(["episodes.arrow", "report.html", "summary.json"]);
    const table = tableFromIPC(readFileSync(out.episodes));
    expect(table.numRows).toBe(POLICIES.length * 24);
    expect(table.getChild("policy")!.get(24)).toBe("twap-passive");
    expect(table.getChild("shortfallBps")!.get(24 + 3)).toBe(here.records[1][3 * F + FIELD.shortfallBps]);
    const json = JSON.parse(readFileSync(out.summary, "utf8"));
    expect(json.format).toBe("tranche-eval/1");
    expect(json.config.episodes).toBe(24);
    expect(json.codeVersion.package).toBe("0.1.0");
    // A folder that holds files is refused; nothing is written into it and no temporary is left.
    const used = join(root, "used");
    mkdirSync(used);
    writeFileSync(join(used, "keep.txt"), "mine");
    expect(() => checkRunFolder(used)).toThrow(/already holds files/);
    expect(() => writeRunFolder(used, here)).toThrow(/already holds files/);
    expect(readdirSync(used)).toEqual(["keep.txt"]);
    expect(readdirSync(root).filter((n) => n.includes("partial"))).toEqual([]);
    // A parent that is a file: refused, nothing created.
    writeFileSync(join(root, "file"), "x");
    expect(() => writeRunFolder(join(root, "file", "run"), here)).toThrow(/is not a folder/);
    expect(existsSync(join(root, "file", "run"))).toBe(false);
  });
});

describe("bestInHindsight", () => {
  const costs = { side: "buy" as const, parentLots: 10, arrivalMidTicks: 100, takerBps: 0 };

  it("takes the cheapest lots across decisions (a worked case)", () => {
    // Decision 0: 3 @ 101, 5 @ 103; decision 1: 4 @ 102, 9 @ 104. Cheapest 10: 3@101, 4@102, 3@103.
    const depth = Float64Array.from([101, 3, 103, 5, 102, 4, 104, 9]);
    const r = bestInHindsight(depth, 2, 2, costs);
    expect(Array.from(r.lots)).toEqual([6, 4]);
    expect(r.costBps).toBeCloseTo(((3 * 1 + 4 * 2 + 3 * 3) / (10 * 100)) * 1e4, 12);
    expect(r.beyondDepthLots).toBe(0);
  });

  it("agrees with the dynamic programme when there is no impact (random books)", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 200; trial++) {
      const steps = 1 + rng.below(6), levels = 1 + rng.below(4), parent = 1 + rng.below(30);
      const depth = new Float64Array(steps * levels * 2);
      for (let k = 0; k < steps; k++) {
        let p = 100 + rng.below(4);
        for (let l = 0; l < levels; l++) {
          depth[2 * (k * levels + l)] = p;
          depth[2 * (k * levels + l) + 1] = 1 + rng.below(8);
          p += 1 + rng.below(2);
        }
      }
      const c = { side: "buy" as const, parentLots: parent, arrivalMidTicks: 100, takerBps: 2 };
      const greedy = bestInHindsight(depth, steps, levels, c);
      // A vanishing impact sends the same book through the DP path.
      const dp = bestInHindsight(depth, steps, levels, { ...c, permanentTicksPerLot: 1e-12 });
      expect(dp.costBps).toBeCloseTo(greedy.costBps, 6);
      expect(dp.lots.reduce((a, b) => a + b, 0)).toBe(parent);
    }
  });

  it("spreads the order out when permanent impact makes early lots raise later prices", () => {
    // Two decisions of deep books at 101: without impact any split costs the same; with impact each lot bought
    // first raises the second decision's price, so the DP's cost exceeds the no-impact cost by η × q0 × q1.
    const depth = Float64Array.from([101, 100, 101, 100]);
    const free = bestInHindsight(depth, 2, 1, costs);
    const impact = bestInHindsight(depth, 2, 1, { ...costs, permanentTicksPerLot: 0.1 });
    expect(impact.lots[0] + impact.lots[1]).toBe(10);
    // All at one decision avoids the impact on the other: the optimum is 10 then 0, or 0 then 10.
    expect(impact.costBps).toBeCloseTo(free.costBps, 12);
    expect(impact.lots[0] * impact.lots[1]).toBe(0);
  });

  it("sells against the bids", () => {
    const depth = Float64Array.from([99, 10]);
    expect(bestInHindsight(depth, 1, 1, { ...costs, side: "sell" }).costBps).toBeCloseTo(100, 12);
  });

  it("has no bound where the horizon's book is empty on the parent's side, and says so", () => {
    // Decision 0 quotes 101 × 10; the horizon's side is empty (a generative market's side can empty in a burst).
    const depth = Float64Array.from([101, 10, NaN, 0]);
    expect(hasHorizonPrice(depth, 2, 1)).toBe(false);
    expect(hasHorizonPrice(Float64Array.from([101, 10, 102, 5]), 2, 1)).toBe(true);
    expect(() => bestInHindsight(depth, 2, 1, costs)).toThrow(/horizon's book is empty/);
  });
});
