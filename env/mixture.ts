// Several execution vector envs stepped as one: training on a mixture of markets (a day and its mirror, a replay
// and a generative market calibrated on it). Env i of the mixture is env i − offset of its part; a reset with seed s
// seeds env i with s + i, as one vector env would. Every part must run the same task and feature version.
import { ExecutionVectorEnv, type ExecutionEnvConfig } from "./execution.js";
import { EnvError } from "./errors.js";
import { batchSpace, type Batched, type Box } from "./spaces.js";
import type { VectorEnv, VectorEnvMetadata, VectorInfo, VectorResetArgs, VectorResetResult, VectorStepResult } from "./vector.js";

const NO_INFO: VectorInfo = Object.freeze({}) as VectorInfo;

/** The vector env of one market, or the mixture of several (numEnvs split as evenly as it goes, in order). */
export function executionVectorEnv(numEnvs: number, config: ExecutionEnvConfig | readonly ExecutionEnvConfig[]): ExecutionVectorEnv | MixtureVectorEnv {
  if (!Array.isArray(config)) return new ExecutionVectorEnv(numEnvs, config as ExecutionEnvConfig);
  return config.length === 1 ? new ExecutionVectorEnv(numEnvs, config[0]) : new MixtureVectorEnv(numEnvs, config);
}

export class MixtureVectorEnv implements VectorEnv<Int32Array> {
  readonly numEnvs: number;
  readonly parts: readonly ExecutionVectorEnv[];
  readonly singleObservationSpace: ExecutionVectorEnv["singleObservationSpace"];
  readonly singleActionSpace: ExecutionVectorEnv["singleActionSpace"];
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: Box<"int32">;
  readonly metadata: VectorEnvMetadata;
  readonly observations: Float32Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly resetMask: Uint8Array;
  private readonly offsets: number[];
  private readonly stepResult: VectorStepResult;

  constructor(numEnvs: number, configs: readonly ExecutionEnvConfig[]) {
    if (configs.length === 0) throw new EnvError("INVALID_ARGUMENT", "a mixture needs at least one market");
    if (!Number.isInteger(numEnvs) || numEnvs < configs.length) throw new EnvError("INVALID_ARGUMENT", `a mixture of ${configs.length} markets needs at least ${configs.length} envs, got ${numEnvs}`);
    this.numEnvs = numEnvs;
    this.offsets = [];
    const parts: ExecutionVectorEnv[] = [];
    let at = 0;
    configs.forEach((c, k) => {
      const n = Math.floor((numEnvs * (k + 1)) / configs.length) - Math.floor((numEnvs * k) / configs.length);
      this.offsets.push(at);
      parts.push(new ExecutionVectorEnv(n, c));
      at += n;
    });
    this.parts = parts;
    const [first] = parts;
    for (const [k, p] of parts.entries()) {
      if (p.singleActionSpace.nvec.join() !== first.singleActionSpace.nvec.join()) throw new EnvError("INVALID_ARGUMENT", `market ${k} of the mixture has actions [${p.singleActionSpace.nvec}], market 0 [${first.singleActionSpace.nvec}]: give every market the same task`);
      const task = (c: ExecutionEnvConfig) => JSON.stringify({ ...c.task, starts: undefined });
      if (task(configs[k]) !== task(configs[0])) throw new EnvError("INVALID_ARGUMENT", `market ${k} of the mixture has the task ${task(configs[k])}, market 0 ${task(configs[0])}: give every market the same task (its episode starts may differ)`);
    }
    this.singleObservationSpace = first.singleObservationSpace;
    this.singleActionSpace = first.singleActionSpace;
    this.observationSpace = batchSpace(this.singleObservationSpace, numEnvs);
    this.actionSpace = batchSpace(this.singleActionSpace, numEnvs);
    this.metadata = first.metadata;
    const F = this.singleObservationSpace.shape[0];
    this.observations = new Float32Array(numEnvs * F);
    this.rewards = new Float64Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.resetMask = new Uint8Array(numEnvs);
    this.stepResult = [this.observations, this.rewards, this.terminated, this.truncated, NO_INFO];
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    const seed = args.seed;
    if (Array.isArray(seed) && seed.length !== this.numEnvs) throw new EnvError("INVALID_ARGUMENT", `reset seed array has ${seed.length} entries for ${this.numEnvs} envs`);
    this.parts.forEach((p, k) => {
      const at = this.offsets[k];
      p.reset({ seed: typeof seed === "number" ? seed + at : seed?.slice(at, at + p.numEnvs) });
    });
    this.gather();
    this.rewards.fill(0);
    return [this.observations, NO_INFO];
  }

  step(actions: Batched<Int32Array>): VectorStepResult {
    if (!(actions instanceof Int32Array) || actions.length !== 2 * this.numEnvs) throw new EnvError("INVALID_ACTION", `actions must be an Int32Array of ${2 * this.numEnvs} (size, placement per env)`);
    this.parts.forEach((p, k) => p.step(actions.subarray(2 * this.offsets[k], 2 * (this.offsets[k] + p.numEnvs))));
    this.gather();
    return this.stepResult;
  }

  close(): void {
    for (const p of this.parts) p.close();
  }

  private gather(): void {
    const F = this.singleObservationSpace.shape[0];
    this.parts.forEach((p, k) => {
      const at = this.offsets[k];
      this.observations.set(p.observations, at * F);
      this.rewards.set(p.rewards, at);
      this.terminated.set(p.terminated, at);
      this.truncated.set(p.truncated, at);
      this.resetMask.set(p.resetMask, at);
    });
  }
}
