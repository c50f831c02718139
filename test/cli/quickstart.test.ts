// `tranche quickstart` is the README's first command: it must complete the parent order in every market,
// report finite statistics, and give the same result for the same seed.
import { describe, expect, it } from "vitest";
import { runQuickstart } from "../../cli/quickstart.js";

describe("quickstart", () => {
  const opts = { markets: 8, parentLots: 60, stepMs: 500, horizonSteps: 40, seed: 5 };

  it("fills every parent order exactly, without overfilling, and reports its shortfall", () => {
    const lines: string[] = [];
    const r = runQuickstart(opts, (l) => lines.push(l));
    expect(r.filledLots).toBe(opts.markets * opts.parentLots);
    expect(r.markets).toBe(8);
    expect(Number.isFinite(r.meanShortfallBps)).toBe(true);
    expect(r.stdShortfallBps).toBeGreaterThanOrEqual(0);
    expect(r.passiveFillShare).toBeGreaterThanOrEqual(0);
    expect(r.passiveFillShare).toBeLessThanOrEqual(1);
    expect(r.feesPaid).toBeGreaterThan(0); // market orders pay the 2 bps taker fee
    expect(lines.length).toBeGreaterThan(0); // progress output
  });

  it("is reproducible for a seed and differs across seeds", () => {
    const a = runQuickstart(opts), b = runQuickstart(opts), c = runQuickstart({ ...opts, seed: 6 });
    expect(b.meanShortfallBps).toBe(a.meanShortfallBps);
    expect(b.feesPaid).toBe(a.feesPaid);
    expect(c.meanShortfallBps).not.toBe(a.meanShortfallBps);
  });
});
