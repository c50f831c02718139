// eval/stats.ts against reference values from numpy 2.4.6 and scipy 1.17.1 (python3 3.11.7) on fixed data.
// Every expected number below was printed with repr() by the python call named next to it, with
//   import numpy as np, scipy.stats as st, scipy.special
// and the arrays exactly as written here. statsmodels is not installed, so Holm's reference values come from a
// hand transcription in python of multipletests(method="holm") (quoted at that test).
import { describe, expect, it } from "vitest";
import { Rng } from "../../env/rng.js";
import {
  blockBootstrapCI,
  bootstrapCI,
  comparePaired,
  episodesForPower,
  holm,
  incompleteBeta,
  normalCdf,
  normalQuantile,
  pairedDifferences,
  pairedTTest,
  StatsError,
  studentTTwoSidedP,
  summarize,
  wilcoxonSignedRank,
} from "../../eval/stats.js";

/** |actual − expected| ≤ rel · max(|expected|, tiny): relative agreement. */
function expectClose(actual: number, expected: number, rel = 1e-8): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected) / scale, `actual ${actual}, expected ${expected}`).toBeLessThanOrEqual(rel);
}

// 60 episodes of implementation shortfall (bps, positive = bad) for three policies on the same seeds; costs on a
// 0.5 bps grid so the differences have ties, and some episodes cost the same (zero differences: 5 vs TWAP, 4 vs
// VWAP). Drawn once with np.random.default_rng(20240611) and rounded, then fixed here.
const twap = Float64Array.from([11.0, 10.0, 12.5, 5.0, 13.0, 10.5, 9.0, 12.5, 4.0, 11.5, 9.0, 13.5, 14.0, 8.5, 8.5,
  6.0, 9.0, 13.5, 15.5, 13.0, 12.0, 8.5, 13.0, 8.5, 13.0, 11.0, 15.5, 13.0, 17.5, 10.5, 15.0, 13.0, 19.0, 4.0, 15.5,
  8.0, 8.5, 12.0, 6.0, 7.0, 10.0, 10.5, 4.5, 8.5, 11.5, 11.5, 9.5, 12.0, 10.0, 16.5, 9.0, 12.0, 10.0, 15.5, 8.0,
  15.5, 7.0, 6.5, 10.0, 12.5]);
const policy = Float64Array.from([6.0, 7.5, 11.5, 4.0, 14.0, 11.5, 9.0, 12.5, 5.5, 7.5, 13.5, 12.5, 11.5, 9.0, 6.5,
  6.5, 5.0, 14.5, 11.5, 13.0, 10.5, 6.0, 12.5, 6.0, 10.0, 11.0, 19.5, 9.5, 19.5, 12.0, 11.0, 12.5, 19.5, 0.5, 17.0,
  9.0, 11.5, 12.0, 7.5, 10.5, 9.5, 8.0, 0.0, 8.0, 7.5, 13.0, 9.0, 13.0, 9.5, 18.5, 7.0, 11.0, 12.5, 11.5, 7.5, 17.0,
  3.5, 4.0, 6.0, 14.5]);
const vwap = Float64Array.from([10.0, 9.0, 9.0, 2.5, 14.5, 9.5, 7.5, 13.5, 1.5, 14.0, 7.5, 12.0, 13.0, 8.0, 9.5, 4.0,
  7.0, 13.0, 15.5, 14.0, 10.5, 10.0, 10.5, 10.5, 10.0, 10.0, 15.5, 14.5, 20.0, 10.0, 18.0, 11.0, 19.0, 3.0, 16.0,
  5.5, 5.5, 14.0, 7.5, 7.5, 8.0, 11.0, 5.0, 10.5, 11.5, 7.5, 8.5, 11.5, 11.0, 15.5, 6.5, 13.5, 10.0, 12.5, 6.0, 16.5,
  3.5, 8.0, 9.5, 11.5]);
// Twelve differences, no ties, no zeros: scipy's "auto" takes the exact null distribution.
const small = Float64Array.from([0.932, -1.648, -0.688, 2.47, -2.49, 2.843, -4.172, -2.513, 1.002, -2.126, -1.437,
  0.779]);
// Ten differences with a tie (1.5, 1.5 and |2.0| = |−2.0|) and a zero: scipy's "auto" takes the permutation test.
const tied10 = Float64Array.from([1.5, -0.5, 2.0, -2.0, 0.0, 3.25, 1.5, 4.0, -1.0, 2.75]);

describe("summarize", () => {
  // np.mean(x), np.median(x), np.std(x, ddof=1), np.quantile(x, 0.05), q95 = np.quantile(x, 0.95),
  // x[x >= q95].mean()
  it.each([
    ["twap", twap, [10.841666666666667, 10.75, 3.3629230458678916, 4.975, 15.549999999999997, 17.666666666666668]],
    ["policy", policy, [10.175, 10.5, 4.283220117653444, 3.975, 18.549999999999997, 19.5]],
  ] as const)("matches numpy on the %s costs", (_name, costs, [mean, median, std, q05, q95, cvar95]) => {
    const s = summarize(costs);
    expect(s.n).toBe(60);
    expectClose(s.mean, mean, 1e-12);
    expectClose(s.median, median, 1e-12);
    expectClose(s.std, std, 1e-12);
    expectClose(s.q05, q05, 1e-12);
    expectClose(s.q95, q95, 1e-12);
    expectClose(s.cvar95, cvar95, 1e-12);
  });

  it("puts CVaR 95 at or above the 95% quantile and interpolates quantiles linearly", () => {
    // h = (5 − 1)·0.05 = 0.2 → 1 + 0.2·(2 − 1); h = 3.8 → 4 + 0.8·(100 − 4); only 100 is ≥ q95.
    const s = summarize(Float64Array.from([4, 1, 100, 2, 3]));
    expectClose(s.q05, 1.2, 1e-14);
    expectClose(s.q95, 80.8, 1e-14);
    expect(s.cvar95).toBe(100);
    expect(s.median).toBe(3);
  });

  it("refuses empty or non-finite costs, naming the argument", () => {
    expect(() => summarize(new Float64Array(0))).toThrow(/costs needs at least 1/);
    expect(() => summarize(Float64Array.from([1, Number.NaN]))).toThrow(StatsError);
  });
});

describe("pairedDifferences", () => {
  it("is a − b per episode", () => {
    expect(Array.from(pairedDifferences(Float64Array.from([3, 1]), Float64Array.from([1, 4])))).toEqual([2, -3]);
  });
  it("refuses samples of different lengths", () => {
    expect(() => pairedDifferences(new Float64Array(3), new Float64Array(2))).toThrow(/same episodes/);
  });
});

describe("special functions", () => {
  it("normalQuantile matches st.norm.ppf to 1e-12 relative, tails included", () => {
    const cases: [number, number][] = [
      [1e-10, -6.361340902404056], [0.01, -2.3263478740408408], [0.025, -1.9599639845400545],
      [0.3, -0.5244005127080409], [0.8, 0.8416212335729143], [0.975, 1.959963984540054],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, x] of cases) expectClose(normalQuantile(p), x, 1e-12);
  });

  it("normalCdf matches st.norm.cdf to 1e-12 relative, deep lower tail included", () => {
    const cases: [number, number][] = [
      [-8.5, 9.47953482220325e-18], [-3, 0.0013498980316300933], [-1.2, 0.11506967022170822], [0, 0.5],
      [0.7, 0.758036347776927], [2.5, 0.9937903346742238],
    ];
    for (const [x, p] of cases) expectClose(normalCdf(x), p, 1e-12);
  });

  it("studentTTwoSidedP matches 2 * st.t.sf(|t|, df)", () => {
    const cases: [number, number, number][] = [
      [2.0, 5, 0.10193947882985835], [0.3, 1, 0.8144528418445154], [4.5, 59, 3.249757366207714e-05],
      [10, 30, 4.575251408229618e-11],
    ];
    for (const [t, df, p] of cases) expectClose(studentTTwoSidedP(t, df), p, 1e-10);
  });

  it("incompleteBeta matches scipy.special.betainc on both sides of the symmetry switch", () => {
    expectClose(incompleteBeta(2.5, 0.5, 0.3), 0.018927124071945658, 1e-12);
    expectClose(incompleteBeta(30, 0.5, 0.9), 0.012282448499852763, 1e-11);
  });
});

describe("pairedTTest", () => {
  // st.ttest_rel(policy, b) → statistic, pvalue, df; st.ttest_1samp(policy - b, 0) gives the same p.
  it.each([
    ["twap", twap, -2.200797467293891, 0.0316763050276682],
    ["vwap", vwap, -0.4301964769531893, 0.668620053867885],
  ] as const)("matches st.ttest_rel(policy, %s)", (_name, other, t, p) => {
    const r = pairedTTest(pairedDifferences(policy, other));
    expectClose(r.t, t, 1e-10);
    expect(r.df).toBe(59);
    expectClose(r.p, p, 1e-9);
  });

  it("matches st.ttest_1samp(small, 0) on the small sample", () => {
    expectClose(pairedTTest(small).p, 0.37044596022632764, 1e-9);
  });
});

describe("wilcoxonSignedRank", () => {
  // st.wilcoxon(policy, b) (defaults) → statistic, pvalue; the z is from st.wilcoxon(policy, b,
  // method="asymptotic").zstatistic, which scipy reports as −|z|. n = 60 > 50, so "auto" is asymptotic.
  it.each([
    ["twap", twap, 535.5, 0.048929345314045705, -1.9692068263986608, 55],
    ["vwap", vwap, 754.0, 0.7192246371353601, -0.35949524126314425, 56],
  ] as const)("matches st.wilcoxon(policy, %s) by the normal approximation with ties and zeros", (
    _name, other, statistic, p, z, nonZero,
  ) => {
    const r = wilcoxonSignedRank(pairedDifferences(policy, other));
    expect(r.method).toBe("asymptotic");
    expect(r.nonZero).toBe(nonZero);
    expect(r.statistic).toBe(statistic);
    expectClose(-Math.abs(r.z), z, 1e-10);
    expectClose(r.p, p, 1e-6);
  });

  it("uses the exact distribution for 12 differences without ties: st.wilcoxon(small)", () => {
    const r = wilcoxonSignedRank(small);
    expect(r.method).toBe("exact");
    expect(r.statistic).toBe(28);
    expectClose(r.p, 0.423828125, 1e-12);
  });

  it("enumerates sign flips for 10 differences with ties and a zero: st.wilcoxon(tied10)", () => {
    const r = wilcoxonSignedRank(tied10);
    expect(r.method).toBe("permutation");
    expect(r.statistic).toBe(8.5);
    expectClose(r.p, 0.09765625, 1e-12);
  });
});

describe("holm", () => {
  // Reference, python (statsmodels multipletests(method="holm") transcribed):
  //   o = np.argsort(p); run = 0
  //   for i, k in enumerate(o): run = max(run, min(1, (m - i) * p[k])); adj[k] = run
  it("matches multipletests(method='holm') on fixed p-values, in input order", () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005, 0.2]);
    const expected = [0.04, 0.09, 0.09, 0.025, 0.2];
    expected.forEach((v, i) => expectClose(adjusted[i], v, 1e-14));
  });

  it("adjusts the policy's two t-test p-values (vs TWAP, vs VWAP)", () => {
    const p = [pairedTTest(pairedDifferences(policy, twap)).p, pairedTTest(pairedDifferences(policy, vwap)).p];
    const adjusted = holm(p);
    expectClose(adjusted[0], 0.0633526100553364, 1e-9);
    expectClose(adjusted[1], 0.668620053867885, 1e-9);
  });

  it("caps at 1 and refuses values outside [0, 1]", () => {
    expect(Array.from(holm([0.6, 0.7]))).toEqual([1, 1]);
    expect(() => holm([0.1, 1.5])).toThrow(/pValues\[1\]/);
  });
});

describe("episodesForPower", () => {
  // m, s = np.mean(d), np.std(d, ddof=1); ((st.norm.ppf(0.975) + st.norm.ppf(0.8)) * s / m) ** 2
  it.each([
    ["twap", twap, 97.22966060749815, 98],
    ["vwap", vwap, 2544.6334162479548, 2545],
  ] as const)("matches the normal-approximation formula against %s", (_name, other, nExact, episodes) => {
    const r = episodesForPower(pairedDifferences(policy, other));
    expectClose(r.nExact, nExact, 1e-10);
    expect(r.episodes).toBe(episodes);
  });

  it("needs four times the episodes for half the effect, and is unchanged by a change of units", () => {
    const d = pairedDifferences(policy, twap);
    const base = episodesForPower(d);
    // d − δ/2 keeps σ and halves δ; 2·d scales σ and δ together.
    expectClose(episodesForPower(d.map((v) => v - base.meanDiff / 2)).nExact, 4 * base.nExact, 1e-9);
    expectClose(episodesForPower(d.map((v) => 2 * v)).nExact, base.nExact, 1e-12);
  });
});

describe("bootstrapCI", () => {
  const d = pairedDifferences(policy, twap);

  it("is deterministic for a seed and changes with it", () => {
    const a = bootstrapCI(d, { seed: 7 });
    const b = bootstrapCI(d, { seed: 7 });
    const c = bootstrapCI(d, { seed: 8 });
    expect(a).toEqual(b);
    expect(c.low).not.toBe(a.low);
    expect(a.method).toBe("percentile");
    expect(a.resamples).toBe(10_000);
  });

  it("contains the sample mean", () => {
    const r = bootstrapCI(d, { seed: 1 });
    expectClose(r.mean, -0.6666666666666666, 1e-14);
    expect(r.low).toBeLessThan(r.mean);
    expect(r.high).toBeGreaterThan(r.mean);
  });

  it("has the normal-theory width 2·z_0.975·s/√n within 10% on 2000 episodes", () => {
    const rng = new Rng(2024);
    const big = Float64Array.from({ length: 2000 }, () => 1.5 + 3 * rng.normal());
    const s = summarize(big);
    const normalWidth = 2 * normalQuantile(0.975) * s.std / Math.sqrt(big.length);
    const r = bootstrapCI(big, { seed: 3 });
    expect(Math.abs(r.high - r.low - normalWidth) / normalWidth).toBeLessThan(0.1);
    // A 50% interval is much narrower: the level is honoured.
    const r50 = bootstrapCI(big, { seed: 3, level: 0.5 });
    expect(Math.abs(r50.high - r50.low - 2 * normalQuantile(0.75) * s.std / Math.sqrt(big.length)) / normalWidth)
      .toBeLessThan(0.1);
  });

  it("refuses a bad level or resample count", () => {
    expect(() => bootstrapCI(d, { seed: 1, level: 1 })).toThrow(/level/);
    expect(() => bootstrapCI(d, { seed: 1, resamples: 10 })).toThrow(/resamples/);
  });
});

describe("comparePaired", () => {
  it("reports each comparison and applies Holm across them", () => {
    const [vsTwap, vsVwap] = comparePaired(policy, [{ name: "twap", costs: twap }, { name: "vwap", costs: vwap }],
      { seed: 11, resamples: 2000 });
    expect(vsTwap.against).toBe("twap");
    expectClose(vsTwap.tTestPHolm, 0.0633526100553364, 1e-9);
    expectClose(vsVwap.tTestPHolm, 0.668620053867885, 1e-9);
    // Wilcoxon p's 0.0489…, 0.7192…: Holm doubles the smaller one, the larger stays.
    expectClose(vsTwap.wilcoxonPHolm, 2 * 0.048929345314045705, 1e-6);
    expectClose(vsVwap.wilcoxonPHolm, 0.7192246371353601, 1e-6);
    expect(vsTwap.power.episodes).toBe(98);
  });
});

describe("blockBootstrapCI", () => {
  const rng = new Rng(3);
  const diffs = Float64Array.from({ length: 60 }, () => rng.normal() + 0.3);

  it("is the episode bootstrap, draw for draw, when every episode is a block of its own", () => {
    const blocks = Array.from(diffs, (_, i) => i);
    const a = blockBootstrapCI(diffs, blocks, { seed: 9 }), b = bootstrapCI(diffs, { seed: 9 });
    expect([a.low, a.high, a.mean]).toEqual([b.low, b.high, b.mean]);
    expect(a.blocks).toBe(60);
    expect(a.method).toBe("block percentile");
  });

  it("counts a block of copies as one observation: the interval of 20 blocks of 3 copies is that of the 20 values", () => {
    const unique = diffs.subarray(0, 20);
    const copies = Float64Array.from({ length: 60 }, (_, i) => unique[Math.floor(i / 3)]);
    const blocks = Array.from(copies, (_, i) => Math.floor(i / 3));
    const a = blockBootstrapCI(copies, blocks, { seed: 4 }), b = bootstrapCI(unique, { seed: 4 });
    expect(a.low).toBeCloseTo(b.low, 12);
    expect(a.high).toBeCloseTo(b.high, 12);
    // The episode bootstrap of the copies believes it has 60 independent draws: its interval is about √3 narrower.
    const naive = bootstrapCI(copies, { seed: 4 });
    expect((a.high - a.low) / (naive.high - naive.low)).toBeGreaterThan(1.4);
  });

  it("refuses fewer than 2 blocks and mismatched lengths, naming them", () => {
    expect(() => blockBootstrapCI(diffs, new Array(60).fill(7), { seed: 1 })).toThrow(/at least 2 blocks, got 1/);
    expect(() => blockBootstrapCI(diffs, [1, 2], { seed: 1 })).toThrow(/blocks has 2 entries for 60 differences/);
  });
});
