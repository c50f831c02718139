// A mixture of execution envs (env/mixture.ts) steps as one vector env: env i of the mixture is env i of its
// part, seeded s + i, so a mixture of one market twice is that market's vector env exactly.
import { describe, expect, it } from "vitest";
import { ExecutionVectorEnv } from "../../env/execution.js";
import { loadMarket } from "../../env/markets.js";
import { checkVectorEnv } from "../../env/check.js";
import { MixtureVectorEnv, executionVectorEnv } from "../../env/mixture.js";
import { ZI_MARKET } from "../../eval/defaults.js";

const TASK = { side: "buy", parentLots: 200, horizonSteps: 8, stepNs: 1e9 } as const;
const market = () => loadMarket(ZI_MARKET).market;

describe("a mixture of execution envs", () => {
  it("steps as one vector env: a market twice equals that market's vector env, env by env and step by step", () => {
    const one = new ExecutionVectorEnv(7, { market: market(), task: TASK });
    const mixed = new MixtureVectorEnv(7, [{ market: market(), task: TASK }, { market: market(), task: TASK }]);
    expect(mixed.parts.map((p) => p.numEnvs)).toEqual([3, 4]);
    const [a] = one.reset({ seed: 5 }), [b] = mixed.reset({ seed: 5 });
    expect(Array.from(b)).toEqual(Array.from(a));
    const actions = new Int32Array(14);
    let ended = 0;
    for (let t = 0; t < 30; t++) {
      for (let k = 0; k < 14; k++) actions[k] = (t * 7 + k * 3) % (k % 2 === 0 ? 5 : 4);
      const [oa, ra, ta] = one.step(actions), [ob, rb, tb] = mixed.step(actions);
      expect(Array.from(ob)).toEqual(Array.from(oa));
      expect(Array.from(rb)).toEqual(Array.from(ra));
      expect(Array.from(tb)).toEqual(Array.from(ta));
      expect(Array.from(mixed.resetMask)).toEqual(Array.from(one.resetMask));
      ended += ta.reduce((n, x) => n + x, 0);
    }
    // Episodes ended and restarted along the way: the autoreset was compared too.
    expect(ended).toBeGreaterThan(7);
  });

  it("passes the vector env checks (spaces, seeding, autoreset, bad actions)", () => {
    const report = checkVectorEnv(new MixtureVectorEnv(6, [{ market: market(), task: TASK }, { market: market(), task: TASK }]), { maxSteps: 40 });
    expect(report.passed.length).toBeGreaterThan(5);
  });

  it("is a plain vector env for one market, and refuses markets whose tasks differ, naming them", () => {
    expect(executionVectorEnv(4, [{ market: market(), task: TASK }])).toBeInstanceOf(ExecutionVectorEnv);
    expect(() => new MixtureVectorEnv(4, [{ market: market(), task: TASK }, { market: market(), task: { ...TASK, actionMode: "lots" } }])).toThrow(/market 1 of the mixture has actions \[201,4\], market 0 \[5,4\]/);
    expect(() => new MixtureVectorEnv(1, [{ market: market(), task: TASK }, { market: market(), task: TASK }])).toThrow(/needs at least 2 envs/);
  });
});
