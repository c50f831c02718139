// `tranche quickstart` is the README's first command: it must complete the parent order in every market with
// each baseline, report finite statistics, and give the same result for the same seed.
import { describe, expect, it } from "vitest";
import { runQuickstart } from "../../cli/quickstart.js";

describe("quickstart", () => {
  const opts = { markets: 8, parentLots: 60, stepMs: 500, horizonSteps: 40, seed: 5 };

  it("runs TWAP and TWAP-passive on the env, fills every parent order exactly and reports each one's shortfall", () => {
    const lines: string[] = [];
    const r = runQuickstart(opts, (l) => lines.push(l));
    expect(r.policies.map((p) => p.policy)).toEqual(["twap", "twap-passive"]);
    for (const p of r.policies) {
      expect(p.filledLots).toBe(opts.markets * opts.parentLots);
      expect(p.incomplete).toBe(0);
      expect(Number.isFinite(p.meanShortfallBps)).toBe(true);
      expect(p.stdShortfallBps).toBeGreaterThan(0);
    }
    // Crossing the spread with every slice costs more than working it at the touch.
    expect(r.policies[0].meanShortfallBps).toBeGreaterThan(r.policies[1].meanShortfallBps);
    expect(lines.length).toBeGreaterThan(0); // progress output
  });

  it("fills every parent with a horizon of one and of two decisions", () => {
    for (const horizonSteps of [1, 2]) {
      const r = runQuickstart({ ...opts, horizonSteps });
      for (const p of r.policies) expect(p.filledLots).toBe(opts.markets * opts.parentLots);
    }
  });

  it("is reproducible for a seed and differs across seeds", () => {
    const a = runQuickstart(opts), b = runQuickstart(opts), c = runQuickstart({ ...opts, seed: 6 });
    expect(b.policies).toEqual(a.policies);
    expect(c.policies[0].meanShortfallBps).not.toBe(a.policies[0].meanShortfallBps);
  });
});
