// The Poisson flow's calibrated laws through the engine: market orders clustered as a Hawkes process are found
// again, with the parameters they were generated with, by the maximum-likelihood fit the calibration uses.
import { describe, expect, it } from "vitest";
import { ExecutionVectorEnv } from "../../env/execution.js";
import { fitHawkes } from "../../eval/microstructure/hawkes.js";

describe("the Poisson flow with Hawkes market orders", () => {
  it("generates a stream whose Hawkes fit recovers n and β", () => {
    const stepNs = 5_000_000, steps = 600_000; // 3,000 s observed in 5 ms steps
    const truth = { branching: 0.6, decayPerSec: 0.5 };
    const env = new ExecutionVectorEnv(1, {
      market: { flow: { kind: "poisson", limitRatePerSec: 40, marketRatePerSec: 0.25, cancelRatePerSec: 0.05, hawkes: truth } },
      task: { side: "buy", parentLots: 1, horizonSteps: steps + 1, stepNs, actionMode: "lots" },
    });
    env.reset({ seed: 3 });
    const actions = new Int32Array(2);
    const times: number[] = [];
    for (let k = 0; k < steps; k++) {
      env.step(actions);
      // A step in which others traded held a market order (two in 5 ms are rare at these rates).
      if (env.state.stepMarketVolumeLots[0] > 0) times.push(((k + 0.5) * stepNs) / 1e9);
    }
    const horizon = (steps * stepNs) / 1e9;
    // The stationary rate 2μ / (1 − n) = 1.25 per second.
    expect(times.length / horizon).toBeGreaterThan(1.1);
    expect(times.length / horizon).toBeLessThan(1.4);
    const fit = fitHawkes(Float64Array.from(times), horizon);
    console.log(`${times.length} market orders in ${horizon} s: n ${fit.n.toFixed(3)} ± ${fit.se.n.toFixed(3)} (truth ${truth.branching}), β ${fit.beta.toFixed(3)} ± ${fit.se.beta.toFixed(3)} (truth ${truth.decayPerSec}), μ ${fit.mu.toFixed(3)} ± ${fit.se.mu.toFixed(3)} (truth 0.5)`);
    expect(Math.abs(fit.n - truth.branching), `n ${fit.n} ± ${fit.se.n}`).toBeLessThan(Math.max(4 * fit.se.n, 0.05));
    expect(Math.abs(fit.beta - truth.decayPerSec), `β ${fit.beta} ± ${fit.se.beta}`).toBeLessThan(Math.max(4 * fit.se.beta, 0.1));
  });

  it("refuses a non-stationary branching ratio and a bad distance table, naming the field", () => {
    const make = (flow: object) => () => new ExecutionVectorEnv(1, { market: { flow: { kind: "poisson", ...flow } }, task: { side: "buy", parentLots: 1, horizonSteps: 2, stepNs: 1e9 } });
    expect(make({ hawkes: { branching: 1, decayPerSec: 1 } })).toThrow(/flow\.hawkes\.branching must be in \[0, 1\)/);
    expect(make({ distanceRatesPerSec: [1, -2] })).toThrow(/flow\.distanceRatesPerSec\[1\] must be a finite rate >= 0/);
    expect(make({ distanceRatesPerSec: [] })).toThrow(/flow\.distanceRatesPerSec must list 1 to 10,000 rates/);
  });
});
