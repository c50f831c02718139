// The Hawkes fit of market-order clustering: the likelihood as defined, recovery of known parameters from a
// long simulated stream, no excitation found in a Poisson stream, and the fit on the GOOG day's market orders.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseLobster, writeLobster } from "../../../data/lobster.js";
import { MessageType } from "../../../data/schema.js";
import { loadL3Day } from "../../../eval/microstructure/day.js";
import { fitHawkes, hawkesLogLikelihood, simulateHawkes } from "../../../eval/microstructure/hawkes.js";
import { available, goog, tempFolder } from "../../data/fixtures.js";

describe("the Hawkes log-likelihood", () => {
  it("equals the direct O(N²) sum of the definition", () => {
    const times = simulateHawkes({ mu: 0.5, n: 0.5, beta: 2 }, 200, 3);
    const p = { mu: 0.4, n: 0.3, beta: 1.5 }, T = 200;
    let direct = -p.mu * T;
    for (let i = 0; i < times.length; i++) {
      let lambda = p.mu;
      for (let j = 0; j < i; j++) lambda += p.n * p.beta * Math.exp(-p.beta * (times[i] - times[j]));
      direct += Math.log(lambda) - p.n * (1 - Math.exp(-p.beta * (T - times[i])));
    }
    expect(times.length).toBeGreaterThan(100);
    expect(hawkesLogLikelihood(times, T, p)).toBeCloseTo(direct, 8);
  });
});

describe("fitHawkes", () => {
  it("recovers the parameters of a long simulated stream within their standard errors", () => {
    const truth = { mu: 0.2, n: 0.6, beta: 3 };
    const times = simulateHawkes(truth, 100_000, 11);
    // The stationary rate μ / (1 − n) = 0.5 per second.
    expect(times.length / 100_000).toBeGreaterThan(0.45);
    expect(times.length / 100_000).toBeLessThan(0.55);
    const fit = fitHawkes(times, 100_000);
    for (const k of ["mu", "n", "beta"] as const) {
      expect(Math.abs(fit[k] - truth[k]), `${k}: ${fit[k]} ± ${fit.se[k]}`).toBeLessThan(4 * fit.se[k]);
      expect(fit.se[k] / truth[k]).toBeLessThan(0.1);
    }
    expect(fit.logLikelihood - fit.poissonLogLikelihood).toBeGreaterThan(100);
  });

  it("finds no significant excitation in a Poisson stream", () => {
    for (const seed of [5, 6, 7]) {
      const times = simulateHawkes({ mu: 0.5, n: 0, beta: 1 }, 40_000, seed);
      const fit = fitHawkes(times, 40_000);
      // n and β are not identified at n = 0 (a slow kernel is a shift of the rate): the likelihood-ratio statistic
      // stays small (2Δℓ < 6.6, the 1% point of χ²₁), n within 3 standard errors of 0, and the mean rate is kept.
      expect(2 * (fit.logLikelihood - fit.poissonLogLikelihood)).toBeLessThan(6.6);
      expect(fit.n).toBeLessThan(3 * fit.se.n);
      expect(fit.mu / (1 - fit.n)).toBeCloseTo(times.length / 40_000, 2);
    }
  });

  it("is deterministic for a seed, and refuses unsorted times", () => {
    expect(Array.from(simulateHawkes({ mu: 1, n: 0.4, beta: 2 }, 100, 9))).toEqual(Array.from(simulateHawkes({ mu: 1, n: 0.4, beta: 2 }, 100, 9)));
    expect(() => fitHawkes(Float64Array.from([3, 2, 1, 4, 5, 6, 7, 8, 9, 10]), 20)).toThrow(/sorted/);
    expect(() => simulateHawkes({ mu: 1, n: 1, beta: 1 }, 10, 1)).toThrow(/n < 1/);
  });
});

const tmp = tempFolder();
afterAll(tmp.cleanup);
const haveGoog = available("the Hawkes fit of GOOG's market orders", goog.message, goog.orderbook);

describe.skipIf(!haveGoog)("GOOG's market orders", () => {
  it("cluster: a Hawkes process beats a Poisson one by far", () => {
    const file = join(tmp.dir, "goog.arrow");
    writeLobster(parseLobster(goog.message, goog.orderbook), file);
    const day = loadL3Day(file);
    // A market order: the visible executions of one instant against one side (as ../shared/notes counts them).
    const times: number[] = [];
    let last = -1;
    for (let i = 0; i < day.t.length; i++) {
      if (day.type[i] !== MessageType.VisibleExecution) continue;
      if (last < 0 || day.t[last] !== day.t[i] || day.side[last] !== day.side[i]) times.push(day.t[i]);
      last = i;
    }
    // About 6,100 in the day (../shared/notes/generative-flow.md).
    expect(times.length).toBeGreaterThan(5200);
    expect(times.length).toBeLessThan(7000);
    const horizon = day.t[day.t.length - 1];
    const fit = fitHawkes(Float64Array.from(times), horizon);
    console.log(`GOOG market orders: ${times.length} in ${horizon.toFixed(0)} s; Hawkes μ ${fit.mu.toFixed(4)} ± ${fit.se.mu.toFixed(4)}/s, n ${fit.n.toFixed(3)} ± ${fit.se.n.toFixed(3)}, β ${fit.beta.toFixed(3)} ± ${fit.se.beta.toFixed(3)}/s; ℓ − ℓ_Poisson ${(fit.logLikelihood - fit.poissonLogLikelihood).toFixed(1)}`);
    expect(fit.n).toBeGreaterThan(0.1);
    expect(fit.n).toBeLessThan(1);
    expect(fit.logLikelihood - fit.poissonLogLikelihood).toBeGreaterThan(50);
  });
});
