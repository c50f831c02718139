// checkEnv and checkVectorEnv: sound envs pass with every rule tested; each deliberately broken env is
// rejected with the code of the rule it breaks and a message that says how to fix it.
import { describe, expect, it } from "vitest";
import {
  ENV_CHECK_RULES,
  EnvCheckError,
  SyncVectorEnv,
  TimeLimit,
  checkEnv,
  checkVectorEnv,
  type EnvCheckCode,
  type Env,
  type VectorEnv,
} from "../../env/index.js";
import { ArrayInventoryVectorEnv, CountdownEnv, FixedEnv, InventoryEnv, type InventoryFlaw, type VectorFlaw } from "./fixtures.js";

function rejection(run: () => unknown): EnvCheckError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvCheckError);
    return e as EnvCheckError;
  }
  return expect.unreachable("the check passed") as never;
}

describe("checkEnv on sound envs", () => {
  it("passes InventoryEnv and tests every rule", () => {
    const report = checkEnv(new InventoryEnv());
    expect(report.skipped).toEqual([]);
    expect(report.passed).toEqual(expect.arrayContaining(["OBS_OUTSIDE_SPACE", "ENV_TRUNCATES", "SEED_IGNORED", "STEP_AFTER_END_ALLOWED", "RESET_STREAM_BROKEN"]));
  });

  it("passes a TimeLimit-wrapped env that truncates at its limit", () => {
    const report = checkEnv(new TimeLimit(new InventoryEnv({ horizon: 50 }), 4));
    expect(report.skipped).toEqual([]);
  });

  it("passes CountdownEnv, whose observations are fresh arrays and whose actions do not matter", () => {
    expect(checkEnv(new CountdownEnv()).skipped).toEqual([]);
  });

  it("accepts a seed-free env that declares metadata.deterministic, and says it skipped the seed rule", () => {
    const report = checkEnv(new FixedEnv(true));
    expect(report.skipped).toEqual([{ code: "SEED_IGNORED", reason: expect.stringContaining("metadata.deterministic") }]);
  });

  it("skips the step-after-end rule, with the reason, when no episode ends within maxSteps", () => {
    const report = checkEnv(new InventoryEnv({ horizon: 1000 }), { maxSteps: 3 });
    expect(report.skipped.map((s) => s.code)).toEqual(["STEP_AFTER_END_ALLOWED"]);
    expect(report.skipped[0].reason).toMatch(/no episode ended within 3 steps/);
  });
});

describe("checkEnv rejects each broken rule", () => {
  const cases: [InventoryFlaw, EnvCheckCode, RegExp][] = [
    ["truncates-itself", "ENV_TRUNCATES", /step 3 .* returned truncated=true and there is no TimeLimit.*Fix: return terminated=true when the task ends/],
    ["obs-outside-space", "OBS_OUTSIDE_SPACE", /step 2 .*element 1 = 1\.5 is outside \[0, 1\]/],
    ["obs-wrong-dtype", "OBS_OUTSIDE_SPACE", /it is Float64Array\(3\).*the space holds Float32Arrays/],
    ["ignores-seed", "SEED_IGNORED", /seeds 123…131 all gave the same rollout.*Fix: re-seed the env's random stream from args\.seed/],
    ["reseeds-from-entropy", "RESET_NOT_DETERMINISTIC", /reset\(\{ seed: 123 \}\) gave .* and then .*never from Math\.random/],
    ["nan-reward", "REWARD_NOT_FINITE", /step 3 .* returned reward NaN/],
    ["numeric-flags", "FLAG_NOT_BOOLEAN", /terminated 0 and truncated false .*Fix: return true or false/],
    ["steps-after-end", "STEP_AFTER_END_ALLOWED", /did not throw.*throw new EnvError\("STEP_AFTER_END"/],
    ["info-null", "INFO_NOT_OBJECT", /returned info null/],
    ["leaks-state-across-episodes", "RESET_NOT_DETERMINISTIC", /reset\(\{ seed: 123 \}\) gave/],
  ];
  for (const [flaw, code, message] of cases) {
    it(`rejects an env that ${flaw.replace(/-/g, " ")} with ${code}`, () => {
      const e = rejection(() => checkEnv(new InventoryEnv({ flaw })));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(`(rule: ${ENV_CHECK_RULES[code]})`);
      expect(e.fix.length).toBeGreaterThan(10);
    });
  }

  it("rejects truncation by the env inside a TimeLimit at a step other than the limit", () => {
    const e = rejection(() => checkEnv(new TimeLimit(new InventoryEnv({ flaw: "truncates-itself" }), 20)));
    expect(e.code).toBe("ENV_TRUNCATES");
    expect(e.message).toMatch(/step 3 .*but the TimeLimit cuts at step 20/);
  });

  it("rejects a seed-free env that does not declare itself deterministic", () => {
    const e = rejection(() => checkEnv(new FixedEnv(false)));
    expect(e.code).toBe("SEED_IGNORED");
    expect(e.fix).toMatch(/metadata\.deterministic = true/);
  });

  it("rejects spaces that are not spaces", () => {
    const env = { ...new CountdownEnv(), observationSpace: { shape: [2] } } as unknown as Env<Float32Array, number>;
    expect(rejection(() => checkEnv(env)).code).toBe("BAD_SPACE");
  });

  it("rejects a reset that returns the observation alone", () => {
    const inner = new CountdownEnv();
    const env = {
      observationSpace: inner.observationSpace,
      actionSpace: inner.actionSpace,
      metadata: {},
      reset: (args?: { seed?: number }) => inner.reset(args)[0],
      step: (a: number) => inner.step(a),
      close: () => undefined,
    } as unknown as Env<Float32Array, number>;
    const e = rejection(() => checkEnv(env));
    expect(e.code).toBe("RESET_RETURN");
    expect(e.message).toMatch(/returned Float32Array\(2\).*Fix: return \[observation, info\] from reset\(\)/);
  });
});

describe("checkVectorEnv", () => {
  it("passes SyncVectorEnv and the array-style env with every rule tested", () => {
    for (const venv of [new SyncVectorEnv([() => new InventoryEnv(), () => new InventoryEnv()]), new ArrayInventoryVectorEnv(3)] as VectorEnv<number>[]) {
      const report = checkVectorEnv(venv, { maxSteps: 100 });
      expect(report.skipped).toEqual([]);
      expect(report.passed).toEqual(expect.arrayContaining(["VECTOR_RESET_MASK", "VECTOR_RESET_STEP", "VECTOR_RESET_STEP_USES_ACTION", "ROLLOUT_NOT_DETERMINISTIC"]));
    }
  });

  it("skips the autoreset rules, with the reason, when no episode ends", () => {
    const report = checkVectorEnv(new ArrayInventoryVectorEnv(2, 1000), { maxSteps: 3 });
    expect(report.skipped.map((s) => s.code)).toEqual(["VECTOR_RESET_MASK", "VECTOR_RESET_STEP", "VECTOR_RESET_STEP_USES_ACTION"]);
  });

  const cases: [VectorFlaw, EnvCheckCode, RegExp][] = [
    ["same-step-autoreset", "VECTOR_RESET_MASK", /env \d's episode ended on the step before, but resetMask\[\d\] is 0/],
    ["reward-on-reset-step", "VECTOR_RESET_STEP", /is a reset step for env \d but returned reward -1/],
    ["reads-action-on-reset-step", "VECTOR_RESET_STEP_USES_ACTION", /changing env \d's action at step \d+, a reset step for it, changed the rollout/],
    ["reallocates", "VECTOR_ARRAYS_REALLOCATED", /returned a different observations array/],
    ["wrong-autoreset-mode", "VECTOR_AUTORESET_MODE", /metadata\.autoresetMode is "same-step"/],
    ["non-binary-flags", "VECTOR_FLAG_NOT_BINARY", /terminated\[\d\] is 255/],
    ["ignores-reset-seed", "ROLLOUT_NOT_DETERMINISTIC", /./],
    ["float64-observations", "VECTOR_ARRAYS_REALLOCATED", /./],
  ];
  for (const [flaw, code, message] of cases) {
    it(`rejects a vector env with flaw "${flaw}" as ${code}`, () => {
      if (flaw === "ignores-reset-seed") {
        // Reseeding env i from a constant is deterministic, so this one passes the vector rules: the per-env
        // checkEnv is what catches an ignored seed. It is here to show the boundary between the two checkers.
        expect(checkVectorEnv(new ArrayInventoryVectorEnv(2, 12, flaw), { maxSteps: 100 }).skipped).toEqual([]);
        return;
      }
      const e = rejection(() => checkVectorEnv(new ArrayInventoryVectorEnv(2, 12, flaw), { maxSteps: 100 }));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  }

  it("rejects arrays of the wrong type or size before stepping", () => {
    const venv = new ArrayInventoryVectorEnv(2);
    (venv as unknown as { rewards: Float32Array }).rewards = new Float32Array(2);
    const e = rejection(() => checkVectorEnv(venv));
    expect(e.code).toBe("VECTOR_ARRAYS");
    expect(e.message).toMatch(/rewards is Float32Array\(2\).*expected a Float64Array of 2/);
  });

  it("rejects batched spaces that are not batchSpace of the single spaces", () => {
    const venv = new ArrayInventoryVectorEnv(2);
    (venv as unknown as { observationSpace: unknown }).observationSpace = venv.singleObservationSpace;
    const e = rejection(() => checkVectorEnv(venv));
    expect(e.code).toBe("VECTOR_SPACES");
    expect(e.message).toMatch(/observationSpace is Box\(0\.0, 1\.0, \(3,\), float32\), expected Box\(0\.0, 1\.0, \(2, 3\), float32\)/);
  });
});
