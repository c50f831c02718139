// The execution task as Gymnasium environments: ExecutionVectorEnv steps N markets in one native call and
// writes into arrays it owns; ExecutionEnv is one market. Both read and write the same native task, so N
// single envs seeded s, s+1, … step exactly as one vector env seeded s.
import { randomInt } from "node:crypto";
import { ExecutionBatch, FEATURES, FEATURE_VERSION, type ExecutionIO, type ExecutionTaskSpec } from "../native/task.js";
import type { BatchOptions } from "../native/batch.js";
import type { Env, Info, ResetArgs, ResetResult, StepResult } from "./core.js";
import { EnvError } from "./errors.js";
import { Box, MultiDiscrete, batchSpace, type Batched } from "./spaces.js";
import type { VectorEnv, VectorEnvMetadata, VectorInfo, VectorResetArgs, VectorResetResult, VectorStepResult } from "./vector.js";

/** The market of an execution env (everything of {@link BatchOptions} but the number of markets) and its task. */
export interface ExecutionEnvConfig {
  market: Omit<BatchOptions, "markets">;
  task: ExecutionTaskSpec;
}

// An env's info carries nothing per step: the task state arrays (`env.state`) say everything, allocation-free.
const NO_INFO: VectorInfo = Object.freeze({}) as VectorInfo;

function spaces(task: ExecutionTaskSpec): { observation: Box<"float32">; action: MultiDiscrete } {
  const observation = new Box({ low: -Infinity, high: Infinity, shape: [FEATURES.length], dtype: "float32" });
  // Lots mode: the child in lots, up to the whole parent.
  const sizes = task.actionMode === "lots" ? task.parentLots + 1 : 5;
  return { observation, action: new MultiDiscrete([sizes, 4]) };
}

/** N execution tasks on N markets, stepped in one native call (next-step autoreset). */
export class ExecutionVectorEnv implements VectorEnv<Int32Array> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box<"float32">;
  readonly singleActionSpace: MultiDiscrete;
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: Box<"int32">;
  readonly metadata: VectorEnvMetadata;
  readonly observations: Float32Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly resetMask: Uint8Array;
  /** The task state policies read (remaining, schedule, top of book, fills, …), written in place every step. */
  readonly state: ExecutionIO;
  private readonly batch: ExecutionBatch;
  private readonly seeds: (number | undefined)[];
  private readonly seeded: Uint8Array;
  private readonly stepResult: VectorStepResult;
  private started = false;
  private closed = false;

  constructor(numEnvs: number, config: ExecutionEnvConfig) {
    this.batch = new ExecutionBatch({ ...config.market, markets: numEnvs }, config.task);
    this.numEnvs = this.batch.numEnvs;
    const s = spaces(config.task);
    this.singleObservationSpace = s.observation;
    this.singleActionSpace = s.action;
    this.observationSpace = batchSpace(s.observation, this.numEnvs);
    this.actionSpace = batchSpace(s.action, this.numEnvs);
    this.metadata = { autoresetMode: "next-step", featureNames: FEATURES.map((f) => f.name), featureVersion: FEATURE_VERSION };
    this.state = this.batch.io;
    this.observations = this.state.observations;
    this.rewards = this.state.rewards;
    this.terminated = this.state.terminated;
    this.truncated = new Uint8Array(this.numEnvs); // only a TimeLimit wrapper truncates
    this.resetMask = this.state.resetMask;
    this.seeds = new Array<number | undefined>(this.numEnvs);
    this.seeded = new Uint8Array(this.numEnvs);
    // Every step returns this one tuple of the env's own arrays: nothing is allocated per step.
    this.stepResult = [this.observations, this.rewards, this.terminated, this.truncated, NO_INFO];
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.open();
    const seed = args.seed;
    if (Array.isArray(seed) && seed.length !== this.numEnvs) throw new EnvError("INVALID_ARGUMENT", `reset seed array has ${seed.length} entries for ${this.numEnvs} envs`);
    for (let i = 0; i < this.numEnvs; i++) {
      const given = typeof seed === "number" ? seed + i : seed?.[i];
      // An env never seeded draws a seed from entropy, as Gymnasium does; after that, no seed continues it.
      this.seeds[i] = given ?? (this.seeded[i] ? undefined : randomInt(2 ** 47));
      this.seeded[i] = 1;
    }
    this.batch.reset(this.seeds);
    this.rewards.fill(0);
    this.started = true;
    return [this.observations, NO_INFO];
  }

  step(actions: Batched<Int32Array>): VectorStepResult {
    this.open();
    if (!this.started) throw new EnvError("STEP_BEFORE_RESET", "step() before reset(): call reset({ seed }) first");
    if (!(actions instanceof Int32Array) || actions.length !== 2 * this.numEnvs) {
      throw new EnvError("INVALID_ACTION", `actions must be an Int32Array of ${2 * this.numEnvs} (size, placement per env), got ${describe(actions)}`);
    }
    this.state.actions.set(actions);
    try {
      this.batch.step();
    } catch (e) {
      throw new EnvError("INVALID_ACTION", (e as Error).message);
    }
    return this.stepResult;
  }

  /** Background-flow events applied in all markets since construction, over every episode. */
  flowEvents(): number {
    return this.batch.flowEvents();
  }

  /**
   * The book's best `levels` levels on the side the parent takes (asks for a buy), as each market's book stands
   * now: (price ticks, lots) pairs into `out` (N × levels × 2; missing levels NaN, 0). For evaluation in
   * hindsight; a policy sees the book only through its observation and task state.
   */
  takeSideDepth(out: Float64Array, levels: number): void {
    this.open();
    this.batch.takeSideDepth(out, levels);
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new EnvError("CLOSED", "the env is closed");
  }
}

function describe(v: unknown): string {
  return ArrayBuffer.isView(v) ? `${v.constructor.name}(${(v as Int32Array).length})` : typeof v;
}

/** One execution task on one market: the Gymnasium `Env` over a vector env of one. */
export class ExecutionEnv implements Env<Float32Array, Int32Array> {
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: MultiDiscrete;
  readonly metadata: Record<string, unknown>;
  private readonly vector: ExecutionVectorEnv;
  private ended = true;
  private started = false;

  constructor(config: ExecutionEnvConfig) {
    this.vector = new ExecutionVectorEnv(1, config);
    this.observationSpace = this.vector.singleObservationSpace;
    this.actionSpace = this.vector.singleActionSpace;
    this.metadata = { featureNames: this.vector.metadata.featureNames, featureVersion: FEATURE_VERSION };
  }

  /** The task state of this one env (arrays of length 1). */
  get state(): ExecutionIO {
    return this.vector.state;
  }

  reset(args: ResetArgs = {}): ResetResult<Float32Array> {
    this.vector.reset({ seed: args.seed === undefined ? [undefined] : [args.seed] });
    this.ended = false;
    this.started = true;
    return [Float32Array.from(this.vector.observations), {}];
  }

  step(action: Int32Array): StepResult<Float32Array> {
    if (!this.started) throw new EnvError("STEP_BEFORE_RESET", "step() before reset(): call reset({ seed }) first");
    if (this.ended) throw new EnvError("STEP_AFTER_END", "step() after the episode ended: call reset() to start the next one");
    if (!(action instanceof Int32Array) || action.length !== 2) throw new EnvError("INVALID_ACTION", `action must be an Int32Array [size, placement], got ${describe(action)}`);
    const [obs, rewards, terminated] = this.vector.step(action);
    this.ended = terminated[0] === 1;
    const info: Info = this.ended ? { implementationShortfallBps: this.state.episodeCostBps[0], incomplete: this.state.incomplete[0] === 1 } : {};
    return [Float32Array.from(obs), rewards[0], this.ended, false, info];
  }

  close(): void {
    this.vector.close();
  }
}
