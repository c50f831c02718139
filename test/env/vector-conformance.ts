// The one suite every VectorEnv implementation runs (SyncVectorEnv, the array-style JS env here, and later the
// native ExecutionVectorEnv): call vectorEnvConformance(name, make) from that implementation's test file.
import { describe, expect, it } from "vitest";
import { EnvError, checkVectorEnv, type Batched, type CheckEnvOptions, type VectorEnv } from "../../env/index.js";

export interface ConformanceOptions extends CheckEnvOptions {
  /** Rules this implementation cannot be held to yet, each with its reason (shown as a skipped test). */
  skip?: Partial<Record<"step-before-reset" | "invalid-action" | "per-env-seeds", string>>;
}

/**
 * The VectorEnv contract as tests. `make` builds a fresh env with at least 2 sub-envs whose episodes end
 * within `maxSteps` (default 200) steps.
 */
export function vectorEnvConformance<Act>(name: string, make: () => VectorEnv<Act>, options: ConformanceOptions = {}): void {
  const check: CheckEnvOptions = { maxSteps: 200, ...options };
  const skip = options.skip ?? {};
  const sample = (env: VectorEnv<Act>): Batched<Act> => env.actionSpace.sample();

  describe(`${name} conforms to VectorEnv`, () => {
    it("passes checkVectorEnv with every rule tested", () => {
      const report = checkVectorEnv(make(), check);
      expect(report.skipped).toEqual([]);
      expect(report.passed).toContain("VECTOR_RESET_STEP_USES_ACTION");
    });

    it("returns the same arrays from reset and every step", () => {
      const env = make();
      const { observations, rewards, terminated, truncated, resetMask } = env;
      const [obs] = env.reset({ seed: 1 });
      expect(obs).toBe(observations);
      for (let t = 0; t < 30; t++) {
        const [o, r, te, tr] = env.step(sample(env));
        expect([o, r, te, tr]).toEqual([observations, rewards, terminated, truncated]);
        expect(o).toBe(observations);
        expect(r).toBe(rewards);
        expect(env.resetMask).toBe(resetMask);
      }
    });

    it.skipIf(skip["per-env-seeds"] !== undefined)(`gives env i the seed seed + i when reset with one number${skip["per-env-seeds"] ? ` (skipped: ${skip["per-env-seeds"]})` : ""}`, () => {
      const a = make();
      const b = make();
      const n = a.numEnvs;
      a.reset({ seed: 40 });
      b.reset({ seed: Array.from({ length: n }, (_, i) => 40 + i) });
      expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
      a.actionSpace.seed(3);
      b.actionSpace.seed(3);
      for (let t = 0; t < 40; t++) {
        a.step(sample(a));
        b.step(sample(b));
        expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
        expect(Array.from(a.rewards)).toEqual(Array.from(b.rewards));
      }
    });

    it.skipIf(skip["step-before-reset"] !== undefined)(`throws STEP_BEFORE_RESET from step() before reset()${skip["step-before-reset"] ? ` (skipped: ${skip["step-before-reset"]})` : ""}`, () => {
      const env = make();
      expect(() => env.step(sample(env))).toThrow(expect.objectContaining({ code: "STEP_BEFORE_RESET" }));
    });

    it.skipIf(skip["invalid-action"] !== undefined)(`throws INVALID_ACTION for a batch of the wrong length${skip["invalid-action"] ? ` (skipped: ${skip["invalid-action"]})` : ""}`, () => {
      const env = make();
      env.reset({ seed: 0 });
      const batch = sample(env) as unknown as Int32Array;
      let thrown: unknown;
      try {
        env.step(batch.subarray(0, batch.length - 1) as unknown as Batched<Act>);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(EnvError);
      expect((thrown as EnvError).code).toBe("INVALID_ACTION");
    });

    it("allows close() twice", () => {
      const env = make();
      env.reset({ seed: 0 });
      env.close();
      expect(() => env.close()).not.toThrow();
    });
  });
}
