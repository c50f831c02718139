// evaluate() on a replay: the real GOOG LOBSTER day (imported once to a temporary .arrow), with episode starts in
// a window of New York time. Results do not depend on worker threads (each thread loads its own replay data),
// every start lies in the window, VWAP follows the day's volume profile where the generative market has none,
// and the report draws cost against time of day. Skips, saying why, without the shared data folder.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLobster, writeLobster } from "../../data/lobster.js";
import { ZI_MARKET } from "../../eval/defaults.js";
import { FIELD, RECORD_FIELDS } from "../../eval/episodes.js";
import { evaluate, type Evaluation, type ParentOrder } from "../../eval/harness.js";
import { renderReport } from "../../eval/report.js";
import { available, goog, tempFolder } from "../data/fixtures.js";

const POLICIES = ["twap", "vwap", "submit-and-leave"];
const PARENT: ParentOrder = { side: "buy", parentLots: 200, horizonSteps: 30, stepNs: 1e9 };
const EPISODES = 16;
const F = RECORD_FIELDS.length;
const hhmm = (h: number, m: number) => h * 3600 + m * 60;

/** The charts a rendered report draws: the data-chart ids of its chart containers, in page order. */
const charts = (html: string): string[] => [...html.matchAll(/<div\b[^>]*\bdata-chart="([^"]*)"[^>]*>/g)].map((m) => m[1]);

const column = (e: Evaluation, policy: number, field: keyof typeof FIELD): number[] => Array.from({ length: EPISODES }, (_, i) => e.records[policy][i * F + FIELD[field]]);

const haveGoog = available("evaluate() on the GOOG replay", goog.message, goog.orderbook);
describe.skipIf(!haveGoog)("evaluate() on the GOOG LOBSTER replay", () => {
  // Made in beforeAll, so that a skipped run leaves no folder behind (hooks do not run when every test skips).
  let tmp: ReturnType<typeof tempFolder> | undefined;
  afterAll(() => tmp?.cleanup());
  let here: Evaluation;
  let threads: Evaluation;

  beforeAll(async () => {
    tmp = tempFolder();
    const file = join(tmp.dir, "goog.arrow");
    writeLobster(parseLobster(goog.message, goog.orderbook), file);
    const market = { kind: "lobster" as const, file, starts: { from: "09:45", to: "15:30" } };
    here = await evaluate(POLICIES, market, EPISODES, { parent: PARENT, workers: 0 });
    threads = await evaluate(POLICIES, market, EPISODES, { parent: PARENT, workers: 2, batchSize: 5 });
  });

  it("gives identical records on two worker threads in blocks of 5 as in this thread", () => {
    for (let p = 0; p < POLICIES.length; p++) {
      expect(Array.from(threads.records[p])).toEqual(Array.from(here.records[p]));
      expect(Array.from(threads.remaining[p])).toEqual(Array.from(here.remaining[p]));
    }
    expect(Array.from(threads.hindsightBps)).toEqual(Array.from(here.hindsightBps));
    expect(threads.summary.comparisons).toEqual(here.summary.comparisons);
    expect(threads.summary.timing.workers).toBe(2);
  });

  it("starts every episode inside the window, in New York time", () => {
    const starts = here.summary.episodes.startTimeOfDayS;
    expect(starts).toHaveLength(EPISODES);
    for (const s of starts) {
      expect(s).not.toBeNull();
      expect(s!).toBeGreaterThanOrEqual(hhmm(9, 45));
      expect(s!).toBeLessThanOrEqual(hhmm(15, 30));
    }
    // Different seeds start at different times of the day; the record carries the same time.
    expect(new Set(starts).size).toBe(EPISODES);
    expect(column(here, 0, "startTimeOfDayS")).toEqual(starts);
    expect(here.summary.setup.hasTimeOfDay).toBe(true);
    expect(here.summary.setup.marketKind).toBe("lobster");
    expect(here.summary.setup.market).toContain("GOOG on 2012-06-21");
  });

  it("runs every policy on the same episodes", () => {
    for (let p = 1; p < POLICIES.length; p++) expect(column(here, p, "startNs")).toEqual(column(here, 0, "startNs"));
    for (const m of here.summary.policies) expect(Number.isFinite(m.shortfallBps.mean)).toBe(true);
  });

  it("trades VWAP along the day's volume profile, which is not flat, so it differs from TWAP", () => {
    const twap = column(here, 0, "shortfallBps");
    const vwap = column(here, 1, "shortfallBps");
    expect(vwap).not.toEqual(twap);
    // Different schedules: the inventory left before some decision differs.
    expect(Array.from(here.remaining[1])).not.toEqual(Array.from(here.remaining[0]));
  });

  it("runs VWAP as TWAP on the generative Poisson market, whose volume is flat in time", async () => {
    const poisson = await evaluate(["twap", "vwap"], ZI_MARKET, 8, { parent: PARENT, workers: 0 });
    expect(Array.from(poisson.records[1])).toEqual(Array.from(poisson.records[0]));
    expect(Array.from(poisson.remaining[1])).toEqual(Array.from(poisson.remaining[0]));
    expect(poisson.summary.setup.hasTimeOfDay).toBe(false);
    expect(poisson.summary.episodes.startTimeOfDayS.every((s) => s === null)).toBe(true);
    // No clock, no time windows: its episodes are independent draws of the flow.
    expect(poisson.summary.comparisons.every((c) => c.timeBlocks === undefined)).toBe(true);
    expect(charts(renderReport(poisson.summary))).not.toContain("chart-time-of-day");
  });

  it("adds to each comparison the bootstrap over the windows of one horizon its episodes start in, and shows it", () => {
    const horizonS = (PARENT.horizonSteps * PARENT.stepNs) / 1e9;
    const starts = here.summary.episodes.startTimeOfDayS as number[];
    const windows = new Set(starts.map((s) => Math.floor(s / horizonS))).size;
    for (const c of here.summary.comparisons) {
      expect(c.timeBlocks?.method).toBe("block percentile");
      expect(c.timeBlocks!.blockSeconds).toBe(horizonS);
      expect(c.timeBlocks!.blocks).toBeLessThanOrEqual(windows);
      expect(c.timeBlocks!.blocks).toBeGreaterThanOrEqual(2);
      expect(c.timeBlocks!.mean).toBeCloseTo(c.meanDiffBps, 10);
    }
    expect(renderReport(here.summary)).toMatch(/over \d+ time windows/);
  });

  it("renders a report with the cost against time of day", () => {
    const html = renderReport(here.summary);
    expect(charts(html)).toEqual(["chart-costs", "chart-differences", "chart-trajectories", "chart-time-of-day"]);
    expect(html).toContain('id="chart-time-of-day"');
    expect(html).toContain("GOOG on 2012-06-21");
  });
});
