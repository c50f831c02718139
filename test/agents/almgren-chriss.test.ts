// Almgren–Chriss: the closed-form trajectory, κ from the discrete-time relation, and the policy that follows
// the trajectory re-solved at every decision.
import { describe, expect, it } from "vitest";
import {
  AlmgrenChrissPolicy,
  PolicyError,
  TwapPolicy,
  almgrenChrissKappa,
  almgrenChrissTrajectory,
  sinhRatio,
  type AlmgrenChrissImpact,
} from "../../agents/index.js";
import { ToyMarket, childSizes } from "./toy-market.js";

const impact = (riskAversion: number): AlmgrenChrissImpact => ({
  riskAversion,
  volatilityBpsPerSqrtS: 2,
  temporaryImpactBpsS: 50,
  permanentImpactBps: 4,
});

function maxDeviationFromLinear(x: Float64Array, parent: number): number {
  const horizon = x.length - 1;
  let worst = 0;
  x.forEach((held, k) => (worst = Math.max(worst, Math.abs(held - (parent * (horizon - k)) / horizon))));
  return worst;
}

describe("almgrenChrissTrajectory", () => {
  it("equals X·sinh(κ(T − t_k))/sinh(κT) to 1e-9, starts at X, ends at 0 and falls monotonically", () => {
    for (const [kappa, tau, horizon] of [[0.01, 1, 60], [0.3, 1, 20], [2, 0.5, 10], [0.05, 10, 100], [1e-4, 1, 5]]) {
      const parent = 1000;
      const x = almgrenChrissTrajectory(parent, horizon, kappa, tau);
      expect(x.length).toBe(horizon + 1);
      expect(x[0]).toBe(parent);
      expect(x[horizon]).toBe(0);
      for (let k = 0; k <= horizon; k++) {
        const closed = (parent * Math.sinh(kappa * tau * (horizon - k))) / Math.sinh(kappa * tau * horizon);
        expect(Math.abs(x[k] - closed), `κ ${kappa}, τ ${tau}, k ${k}`).toBeLessThanOrEqual(1e-9 * parent);
        if (k > 0) expect(x[k], `κ ${kappa}, k ${k}`).toBeLessThan(x[k - 1]);
      }
    }
  });

  it("tends to TWAP's linear trajectory as λ → 0, and is exactly linear at λ = 0", () => {
    const deviations = [1e-1, 1e-2, 1e-4, 1e-6, 1e-8].map((lambda) =>
      maxDeviationFromLinear(almgrenChrissTrajectory(1000, 60, almgrenChrissKappa(impact(lambda), 1), 1), 1000),
    );
    for (let j = 1; j < deviations.length; j++) expect(deviations[j]).toBeLessThan(deviations[j - 1]);
    expect(deviations[0]).toBeGreaterThan(50);
    expect(deviations[deviations.length - 1]).toBeLessThan(1e-3); // a millionth of the parent
    expect(maxDeviationFromLinear(almgrenChrissTrajectory(1000, 60, almgrenChrissKappa(impact(0), 1), 1), 1000)).toBeLessThan(1e-9);
  });

  it("front-loads more with more risk aversion", () => {
    const lambdas = [1e-4, 1e-3, 1e-2, 1e-1];
    const paths = lambdas.map((lambda) => almgrenChrissTrajectory(500, 30, almgrenChrissKappa(impact(lambda), 1), 1));
    for (let j = 1; j < paths.length; j++)
      for (let k = 1; k < 30; k++) expect(paths[j][k], `λ ${lambdas[j]} vs ${lambdas[j - 1]}, k ${k}`).toBeLessThan(paths[j - 1][k]);
  });

  it("stays finite for a very urgent κ (no sinh overflow)", () => {
    const x = almgrenChrissTrajectory(100, 50, 1000, 1);
    expect(x.every(Number.isFinite)).toBe(true);
    expect(x[1]).toBeLessThan(1e-300);
    expect(sinhRatio(800, 3, 4)).toBeCloseTo(Math.exp(-800), 300);
  });
});

describe("almgrenChrissKappa", () => {
  it("solves cosh(κτ) = 1 + τ²λσ²/(2η̃), η̃ = η − γτ/2", () => {
    for (const tau of [0.1, 1, 5]) {
      const m = impact(0.01);
      const kappa = almgrenChrissKappa(m, tau);
      const etaTilde = m.temporaryImpactBpsS - (m.permanentImpactBps! * tau) / 2;
      const rhs = 1 + (tau * tau * m.riskAversion * m.volatilityBpsPerSqrtS ** 2) / (2 * etaTilde);
      expect(Math.abs(Math.cosh(kappa * tau) / rhs - 1)).toBeLessThan(1e-12);
    }
  });

  it("tends to the continuous κ = √(λσ²/η) as τ → 0", () => {
    const m = impact(0.02);
    const continuous = Math.sqrt((m.riskAversion * m.volatilityBpsPerSqrtS ** 2) / m.temporaryImpactBpsS);
    expect(Math.abs(almgrenChrissKappa(m, 1e-4) / continuous - 1)).toBeLessThan(1e-4);
    expect(Math.abs(almgrenChrissKappa(m, 10) / continuous - 1)).toBeGreaterThan(1e-3);
  });

  it("refuses η − γτ/2 ≤ 0 and negative parameters", () => {
    expect(() => almgrenChrissKappa({ ...impact(0.01), permanentImpactBps: 200 }, 1)).toThrow(/η − γτ\/2 > 0/);
    expect(() => almgrenChrissKappa({ ...impact(0.01), riskAversion: -1 }, 1)).toThrow(PolicyError);
    expect(() => new AlmgrenChrissPolicy({ ...impact(0.01), temporaryImpactBpsS: 0 })).toThrow(PolicyError);
  });
});

describe("AlmgrenChrissPolicy", () => {
  it("follows the closed form within half a lot when every child fills, and completes", () => {
    for (const lambda of [1e-4, 1e-2, 0.3]) {
      const policy = new AlmgrenChrissPolicy(impact(lambda));
      const [log] = new ToyMarket({ numEnvs: 1 }).run(policy, [{ parentLots: 400, horizonSteps: 40 }]);
      const x = almgrenChrissTrajectory(400, 40, policy.kappaFor(1e9), 1);
      let held = 400;
      log.fillsByStep.forEach((lots, k) => {
        held -= lots;
        expect(Math.abs(held - x[k + 1]), `λ ${lambda}, after step ${k}`).toBeLessThanOrEqual(0.5 + 1e-9);
      });
      expect(held).toBe(0);
      expect(log.finalCrossLots).toBe(0);
    }
  });

  it("is TWAP when κ = 0", () => {
    for (const [parent, horizon] of [[10, 4], [61, 60], [997, 33], [5, 12]]) {
      const twap = new ToyMarket({ numEnvs: 1, marketFill: (_e, k, lots) => (k % 4 === 1 ? 1 : lots) }).run(new TwapPolicy(), [
        { parentLots: parent, horizonSteps: horizon },
      ]);
      const ac = new ToyMarket({ numEnvs: 1, marketFill: (_e, k, lots) => (k % 4 === 1 ? 1 : lots) }).run(new AlmgrenChrissPolicy({ kappaPerS: 0 }), [
        { parentLots: parent, horizonSteps: horizon },
      ]);
      expect(childSizes(ac[0]), `parent ${parent}, horizon ${horizon}`).toEqual(childSizes(twap[0]));
    }
  });

  it("re-solves from the lots and time left when children do not fill", () => {
    const kappaPerS = 0.08;
    const [log] = new ToyMarket({ numEnvs: 1, marketFill: (_e, _k, lots) => Math.ceil(lots / 2) }).run(new AlmgrenChrissPolicy({ kappaPerS }), [
      { parentLots: 300, horizonSteps: 20 },
    ]);
    for (const d of log.decisions) {
      const left = 20 - d.step;
      // The first step of the trajectory from (remaining, decisions left).
      const slice = d.remaining * (1 - Math.sinh(kappaPerS * (left - 1)) / Math.sinh(kappaPerS * left));
      expect([Math.floor(slice), Math.ceil(slice)], `step ${d.step}`).toContain(d.size);
    }
    expect(log.decisions[log.decisions.length - 1].size).toBe(log.decisions[log.decisions.length - 1].remaining);
  });

  it("takes κ from the env's decision interval", () => {
    const policy = new AlmgrenChrissPolicy(impact(0.01));
    expect(policy.kappaFor(5e8)).toBe(almgrenChrissKappa(impact(0.01), 0.5));
    const [oneSecond] = new ToyMarket({ numEnvs: 1, stepNs: 1e9 }).run(new AlmgrenChrissPolicy(impact(0.01)), [{ parentLots: 600, horizonSteps: 30 }]);
    const [tenSeconds] = new ToyMarket({ numEnvs: 1, stepNs: 1e10 }).run(new AlmgrenChrissPolicy(impact(0.01)), [{ parentLots: 600, horizonSteps: 30 }]);
    // The same 30 decisions over ten times the clock: more variance per step, so more up front.
    expect(childSizes(tenSeconds)[0]).toBeGreaterThan(childSizes(oneSecond)[0]);
  });
});
