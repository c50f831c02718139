// The contract as executable checks: checkEnv and checkVectorEnv run an env through seeded resets and
// rollouts and throw an EnvCheckError naming the first rule it breaks and how to fix it.
import { wrapperChain, type Env, type Info } from "./core.js";
import { EnvCheckError, type EnvCheckCode } from "./errors.js";
import { Box, Discrete, MultiDiscrete, batchSpace, flatSize, type Dtype, type Space } from "./spaces.js";
import type { VectorEnv } from "./vector.js";
import { TimeLimit } from "./wrappers.js";

/** Options of {@link checkEnv} and {@link checkVectorEnv}. */
export interface CheckEnvOptions {
  /** Seed of the checked resets and of the action sequence. Default 123. */
  seed?: number;
  /** Longest rollout, in steps. Default 1000. */
  maxSteps?: number;
  /** How many other seeds the SEED_IGNORED check tries before it concludes the seed is ignored. Default 8. */
  otherSeeds?: number;
}

/** What a check run covered: the rules that held, and those it could not test, each with its reason. */
export interface EnvCheckReport {
  passed: EnvCheckCode[];
  skipped: { code: EnvCheckCode; reason: string }[];
}

interface ResolvedOptions {
  seed: number;
  maxSteps: number;
  otherSeeds: number;
}

function resolve(options: CheckEnvOptions): ResolvedOptions {
  return { seed: options.seed ?? 123, maxSteps: options.maxSteps ?? 1000, otherSeeds: options.otherSeeds ?? 8 };
}

// ---- value helpers ------------------------------------------------------------------------------

/** A copy that later writes into the env's buffers cannot change. */
function snapshot<T>(x: T): T {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return (x as unknown as Float64Array).slice() as unknown as T;
  if (Array.isArray(x)) return x.map(snapshot) as unknown as T;
  if (typeof x === "object" && x !== null) return structuredClone(x);
  return x;
}

/** Bit-exact equality of observations, rewards and flags (NaN equals NaN, 0 and -0 differ). */
function same(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (a.constructor !== b.constructor || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function preview(x: unknown): string {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number>;
    const head = Array.from({ length: Math.min(arr.length, 6) }, (_, i) => String(arr[i])).join(", ");
    return `${x.constructor.name}(${arr.length}) [${head}${arr.length > 6 ? ", …" : ""}]`;
  }
  if (Array.isArray(x)) return `a plain array of ${x.length} [${x.slice(0, 6).map(String).join(", ")}${x.length > 6 ? ", …" : ""}]`;
  if (typeof x === "number" || typeof x === "boolean" || x === undefined) return String(x);
  if (x === null) return "null";
  if (typeof x === "object") return `an object (${Object.keys(x).slice(0, 6).join(", ")})`;
  return `${typeof x} ${String(x)}`;
}

/** Why `x` is not in `space`, in words, for the three spaces env/ knows. */
function whyOutside(space: Space<unknown>, x: unknown): string {
  if (space instanceof Box) {
    const want = { float32: "Float32Array", float64: "Float64Array", int32: "Int32Array" }[(space as Box<Dtype>).dtype];
    if (!ArrayBuffer.isView(x) || x.constructor.name !== want) return `it is ${preview(x)}, the space holds ${want}s`;
    const arr = x as unknown as ArrayLike<number>;
    if (arr.length !== space.size) return `it has ${arr.length} elements, the space ${space.size}`;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (Number.isNaN(v)) return `element ${i} is NaN`;
      if (!(v >= space.low[i] && v <= space.high[i])) return `element ${i} = ${v} is outside [${space.low[i]}, ${space.high[i]}]`;
    }
  }
  if (space instanceof Discrete) {
    if (typeof x !== "number") return `it is ${preview(x)}, the space holds whole numbers`;
    if (!Number.isInteger(x)) return `${x} is not a whole number`;
    return `${x} is outside [${space.start}, ${space.start + space.n - 1}]`;
  }
  if (space instanceof MultiDiscrete) {
    if (!(x instanceof Int32Array)) return `it is ${preview(x)}, the space holds Int32Arrays`;
    if (x.length !== space.nvec.length) return `it has ${x.length} components, the space ${space.nvec.length}`;
    for (let i = 0; i < x.length; i++)
      if (x[i] < space.start[i] || x[i] > space.start[i] + space.nvec[i] - 1)
        return `component ${i} = ${x[i]} is outside [${space.start[i]}, ${space.start[i] + space.nvec[i] - 1}]`;
  }
  return `${preview(x)} is not contained`;
}

function isSpace(x: unknown): x is Space<unknown> {
  if (typeof x !== "object" || x === null) return false;
  const s = x as Record<string, unknown>;
  return (
    Array.isArray(s.shape) &&
    typeof s.dtype === "string" &&
    ["seed", "sample", "contains", "equals"].every((m) => typeof s[m] === "function")
  );
}

function isInfo(x: unknown): x is Info {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/**
 * Freezes every normalisation wrapper in the chain (anything with a boolean `updateRunningMean`) and returns
 * the function that restores them: their statistics move with every observation, so reset({seed}) twice would
 * legitimately differ while they learn.
 */
function freezeStatistics(root: object): () => void {
  const frozen: { updateRunningMean: boolean }[] = [];
  for (const layer of wrapperChain(root as Env<unknown, unknown>)) {
    const w = layer as unknown as { updateRunningMean?: unknown };
    if (typeof w.updateRunningMean === "boolean" && w.updateRunningMean) {
      w.updateRunningMean = false;
      frozen.push(w as { updateRunningMean: boolean });
    }
  }
  return () => {
    for (const w of frozen) w.updateRunningMean = true;
  };
}

// ---- checkEnv -----------------------------------------------------------------------------------

interface StepRecord {
  obs: unknown;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface Rollout {
  first: unknown;
  steps: StepRecord[];
  /** The episode ended (terminated or truncated) at the last recorded step. */
  ended: boolean;
}

/**
 * Runs `env` through the Gymnasium contract and throws an {@link EnvCheckError} at the first rule it breaks
 * (the codes and rules are listed in `ENV_CHECK_RULES`). It resets the env with seeds, seeds its action space,
 * and steps it through a few episodes; it does not close it. Normalisation wrappers in the chain are frozen
 * while it runs (their statistics would make the determinism checks fail) and unfrozen after. Returns the
 * rules that held and those it could not test (e.g. no episode ended within `maxSteps`).
 */
export function checkEnv<Obs, Act>(env: Env<Obs, Act>, options: CheckEnvOptions = {}): EnvCheckReport {
  const restore = freezeStatistics(env);
  try {
    return checkEnvFrozen(env, resolve(options));
  } finally {
    restore();
  }
}

function checkEnvFrozen<Obs, Act>(env: Env<Obs, Act>, o: ResolvedOptions): EnvCheckReport {
  const report: EnvCheckReport = { passed: [], skipped: [] };
  const pass = (code: EnvCheckCode) => report.passed.includes(code) || report.passed.push(code);

  for (const [name, space] of [["observationSpace", env.observationSpace], ["actionSpace", env.actionSpace]] as const) {
    if (!isSpace(space))
      throw new EnvCheckError("BAD_SPACE", `env.${name} is ${preview(space)}`, `set ${name} to a Box, Discrete or MultiDiscrete from env/`);
  }
  pass("BAD_SPACE");

  // TimeLimits in the wrapper chain: the smallest limit is the only step at which truncated may be true.
  const limits = wrapperChain(env as Env<unknown, unknown>)
    .filter((e): e is TimeLimit<unknown, unknown> => e instanceof TimeLimit)
    .map((t) => t.maxEpisodeSteps);
  const limit = limits.length > 0 ? Math.min(...limits) : undefined;

  const doReset = (seed: number | undefined, label: string): unknown => {
    const result: unknown = env.reset(seed === undefined ? undefined : { seed });
    if (!Array.isArray(result) || result.length !== 2)
      throw new EnvCheckError("RESET_RETURN", `${label} returned ${preview(result)}`, "return [observation, info] from reset()");
    const [obs, info] = result as [unknown, unknown];
    if (!env.observationSpace.contains(obs))
      throw new EnvCheckError(
        "OBS_OUTSIDE_SPACE",
        `the observation from ${label} is not in ${String(env.observationSpace)}: ${whyOutside(env.observationSpace, obs)}`,
        "make reset() return a value of observationSpace (right typed array, length and bounds), or widen the space",
      );
    if (!isInfo(info)) throw new EnvCheckError("INFO_NOT_OBJECT", `${label} returned info ${preview(info)}`, "return {} when there is nothing to report");
    return snapshot(obs);
  };

  // Reset determinism and the stream: reset(seed), reset(), reset(seed), reset().
  const obs1 = doReset(o.seed, `reset({ seed: ${o.seed} })`);
  const obs2 = doReset(undefined, `reset() after reset({ seed: ${o.seed} })`);
  const obs3 = doReset(o.seed, `reset({ seed: ${o.seed} }) (second time)`);
  const obs4 = doReset(undefined, `reset() after the second reset({ seed: ${o.seed} })`);
  pass("RESET_RETURN");
  pass("INFO_NOT_OBJECT");
  if (!same(obs1, obs3))
    throw new EnvCheckError(
      "RESET_NOT_DETERMINISTIC",
      `reset({ seed: ${o.seed} }) gave ${preview(obs1)} and then ${preview(obs3)}`,
      "re-seed the env's random stream from args.seed in reset() (e.g. rng.reseed(seed)) and draw everything random from it, never from Math.random",
    );
  pass("RESET_NOT_DETERMINISTIC");
  if (!same(obs2, obs4))
    throw new EnvCheckError(
      "RESET_STREAM_BROKEN",
      `reset() after reset({ seed: ${o.seed} }) gave ${preview(obs2)} the first time and ${preview(obs4)} the second`,
      "in reset() without a seed keep drawing from the seeded stream: do not re-seed from entropy or the clock",
    );
  pass("RESET_STREAM_BROKEN");

  env.actionSpace.seed(o.seed);
  const actions: Act[] = [];
  const actionAt = (t: number): Act => {
    while (actions.length <= t) actions.push(snapshot(env.actionSpace.sample()));
    return actions[t];
  };

  const rollout = (seed: number): Rollout => {
    const first = doReset(seed, `reset({ seed: ${seed} })`);
    const steps: StepRecord[] = [];
    for (let t = 0; t < o.maxSteps; t++) {
      const label = `step ${t + 1} of the episode after reset({ seed: ${seed} })`;
      const result: unknown = env.step(actionAt(t));
      if (!Array.isArray(result) || result.length !== 5)
        throw new EnvCheckError("STEP_RETURN", `${label} returned ${preview(result)}`, "return [observation, reward, terminated, truncated, info] from step()");
      const [obs, reward, terminated, truncated, info] = result as unknown[];
      if (!env.observationSpace.contains(obs))
        throw new EnvCheckError(
          "OBS_OUTSIDE_SPACE",
          `the observation of ${label} is not in ${String(env.observationSpace)}: ${whyOutside(env.observationSpace, obs)}`,
          "make step() return a value of observationSpace (right typed array, length and bounds; clip features or widen the bounds)",
        );
      if (typeof reward !== "number" || !Number.isFinite(reward))
        throw new EnvCheckError(
          "REWARD_NOT_FINITE",
          `${label} returned reward ${preview(reward)}`,
          "return a finite number: guard divisions (e.g. by a zero notional or volatility) and never return NaN or Infinity",
        );
      if (typeof terminated !== "boolean" || typeof truncated !== "boolean")
        throw new EnvCheckError(
          "FLAG_NOT_BOOLEAN",
          `${label} returned terminated ${preview(terminated)} and truncated ${preview(truncated)}`,
          "return true or false for both (not 0/1, not undefined)",
        );
      if (!isInfo(info)) throw new EnvCheckError("INFO_NOT_OBJECT", `${label} returned info ${preview(info)}`, "return {} when there is nothing to report");
      if (truncated && t + 1 !== limit)
        throw new EnvCheckError(
          "ENV_TRUNCATES",
          limit === undefined
            ? `${label} returned truncated=true and there is no TimeLimit around the env`
            : `${label} returned truncated=true, but the TimeLimit cuts at step ${limit}`,
          "return terminated=true when the task ends (the parent order is complete or the horizon forced completion) and let TimeLimit(env, n) cut episodes",
        );
      steps.push({ obs: snapshot(obs), reward, terminated, truncated });
      if (terminated || truncated) return { first, steps, ended: true };
    }
    return { first, steps, ended: false };
  };

  const a = rollout(o.seed);
  for (const code of ["STEP_RETURN", "OBS_OUTSIDE_SPACE", "REWARD_NOT_FINITE", "FLAG_NOT_BOOLEAN", "ENV_TRUNCATES"] as const) pass(code);

  if (a.ended) {
    let thrown: unknown;
    try {
      env.step(actionAt(a.steps.length));
    } catch (e) {
      thrown = e;
    }
    const code = typeof thrown === "object" && thrown !== null && "code" in thrown ? (thrown as { code: unknown }).code : undefined;
    if (code !== "STEP_AFTER_END")
      throw new EnvCheckError(
        "STEP_AFTER_END_ALLOWED",
        thrown === undefined
          ? `step() after the episode ended at step ${a.steps.length} (seed ${o.seed}) did not throw`
          : `step() after the episode ended threw ${preview(thrown)} ${String((thrown as Error).message ?? "")} instead of an EnvError with code STEP_AFTER_END`,
        'remember that the episode ended and throw new EnvError("STEP_AFTER_END", …) from step() until reset()',
      );
    pass("STEP_AFTER_END_ALLOWED");
  } else {
    report.skipped.push({ code: "STEP_AFTER_END_ALLOWED", reason: `no episode ended within ${o.maxSteps} steps (raise maxSteps or add a TimeLimit)` });
  }

  const b = rollout(o.seed);
  const diff = firstDifference(a, b);
  if (diff !== undefined)
    throw new EnvCheckError(
      "ROLLOUT_NOT_DETERMINISTIC",
      `two rollouts from reset({ seed: ${o.seed} }) with the same actions differ at ${diff}`,
      "draw every random number from the stream reset({ seed }) seeds, and keep no state across episodes that reset() does not restore",
    );
  pass("ROLLOUT_NOT_DETERMINISTIC");

  if (env.metadata?.deterministic === true) {
    report.skipped.push({ code: "SEED_IGNORED", reason: "metadata.deterministic is true: the env draws no random numbers" });
  } else {
    let differs = false;
    for (let k = 1; k <= o.otherSeeds && !differs; k++) differs = firstDifference(a, rollout(o.seed + k)) !== undefined;
    if (!differs)
      throw new EnvCheckError(
        "SEED_IGNORED",
        `reset({ seed }) with seeds ${o.seed}…${o.seed + o.otherSeeds} all gave the same rollout for the same actions`,
        "re-seed the env's random stream from args.seed in reset(); if the env has no randomness at all, declare metadata.deterministic = true",
      );
    pass("SEED_IGNORED");
  }
  return report;
}

function firstDifference(a: Rollout, b: Rollout): string | undefined {
  if (!same(a.first, b.first)) return `the first observation (${preview(a.first)} vs ${preview(b.first)})`;
  const n = Math.min(a.steps.length, b.steps.length);
  for (let t = 0; t < n; t++) {
    const x = a.steps[t];
    const y = b.steps[t];
    if (!same(x.obs, y.obs)) return `step ${t + 1}: observation ${preview(x.obs)} vs ${preview(y.obs)}`;
    if (!Object.is(x.reward, y.reward)) return `step ${t + 1}: reward ${x.reward} vs ${y.reward}`;
    if (x.terminated !== y.terminated || x.truncated !== y.truncated)
      return `step ${t + 1}: terminated/truncated ${x.terminated}/${x.truncated} vs ${y.terminated}/${y.truncated}`;
  }
  if (a.steps.length !== b.steps.length) return `the episode length (${a.steps.length} vs ${b.steps.length} steps)`;
  return undefined;
}

// ---- checkVectorEnv -----------------------------------------------------------------------------

interface VectorStepRecord {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  resetMask: Uint8Array;
}
interface VectorRollout {
  first: Float32Array;
  steps: VectorStepRecord[];
  /** Step index (0-based) and env of the first reset step, if any. */
  firstResetStep: { t: number; env: number } | undefined;
}

/**
 * Runs a vector env through the {@link VectorEnv} contract: array types and sizes, arrays that stay the same
 * objects, batched spaces, seeded determinism, and next-step autoreset (resetMask follows the previous step's
 * episode ends, reset steps return reward 0 and no flags, and ignore their action). Throws an
 * {@link EnvCheckError} at the first broken rule. It seeds the env and its action spaces and does not close it;
 * normalisation wrappers are frozen while it runs, as in {@link checkEnv}. Check each sub-env with checkEnv
 * too: this checker does not repeat the per-env rules.
 */
export function checkVectorEnv<Act>(env: VectorEnv<Act>, options: CheckEnvOptions = {}): EnvCheckReport {
  const restore = freezeStatistics(env);
  try {
    return checkVectorEnvFrozen(env, resolve(options));
  } finally {
    restore();
  }
}

function checkVectorEnvFrozen<Act>(env: VectorEnv<Act>, o: ResolvedOptions): EnvCheckReport {
  const report: EnvCheckReport = { passed: [], skipped: [] };
  const pass = (code: EnvCheckCode) => report.passed.includes(code) || report.passed.push(code);

  const n = env.numEnvs;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new EnvCheckError("VECTOR_NUM_ENVS", `numEnvs is ${preview(n)}`, "set numEnvs to the number of sub-envs (>= 1)");
  pass("VECTOR_NUM_ENVS");
  if (env.metadata?.autoresetMode !== "next-step")
    throw new EnvCheckError(
      "VECTOR_AUTORESET_MODE",
      `metadata.autoresetMode is ${JSON.stringify(env.metadata?.autoresetMode)}`,
      'declare metadata = { autoresetMode: "next-step" } and reset ended envs on the following step',
    );
  pass("VECTOR_AUTORESET_MODE");

  const single = env.singleObservationSpace;
  if (!(single instanceof Box) || single.dtype !== "float32")
    throw new EnvCheckError("VECTOR_SPACES", `singleObservationSpace is ${preview(single)} ${String(single)}`, 'make it a Box with dtype "float32"');
  const spacePairs: [string, Space<unknown>, Space<unknown>][] = [
    ["observationSpace", single, env.observationSpace],
    ["actionSpace", env.singleActionSpace, env.actionSpace],
  ];
  for (const [name, singleSpace, batched] of spacePairs) {
    if (!isSpace(singleSpace) || !isSpace(batched))
      throw new EnvCheckError("VECTOR_SPACES", `${name} or its single-env space is not a space`, "use Box, Discrete or MultiDiscrete from env/");
    let expected: Space<unknown>;
    try {
      expected = batchSpace(singleSpace, n);
    } catch (e) {
      throw new EnvCheckError("VECTOR_SPACES", `the single-env ${name} cannot be batched: ${(e as Error).message}`, "use Box, Discrete or MultiDiscrete");
    }
    if (!batched.equals(expected))
      throw new EnvCheckError("VECTOR_SPACES", `${name} is ${String(batched)}, expected ${String(expected)}`, `set ${name} = batchSpace(single ${name}, numEnvs)`);
  }
  pass("VECTOR_SPACES");

  const f = single.size;
  const arrays = [
    ["observations", env.observations, Float32Array, n * f],
    ["rewards", env.rewards, Float64Array, n],
    ["terminated", env.terminated, Uint8Array, n],
    ["truncated", env.truncated, Uint8Array, n],
    ["resetMask", env.resetMask, Uint8Array, n],
  ] as const;
  for (const [name, value, cls, length] of arrays) {
    if (!(value instanceof cls) || value.length !== length)
      throw new EnvCheckError("VECTOR_ARRAYS", `${name} is ${preview(value)}, expected a ${cls.name} of ${length}`, "allocate the arrays once, in the constructor, at these sizes");
  }
  pass("VECTOR_ARRAYS");
  const owned = { observations: env.observations, rewards: env.rewards, terminated: env.terminated, truncated: env.truncated, resetMask: env.resetMask };

  const checkRows = (label: string): void => {
    for (let i = 0; i < n; i++) {
      const row = env.observations.subarray(i * f, (i + 1) * f);
      if (!single.contains(row))
        throw new EnvCheckError(
          "OBS_OUTSIDE_SPACE",
          `after ${label}, row ${i} of observations is not in ${String(single)}: ${whyOutside(single, row)}`,
          "write observations that lie in singleObservationSpace, or widen its bounds",
        );
    }
  };
  const sameArray = (label: string, name: keyof typeof owned, got: unknown): void => {
    if (got !== owned[name] || (env[name] as unknown) !== owned[name])
      throw new EnvCheckError(
        "VECTOR_ARRAYS_REALLOCATED",
        `${label} returned a different ${name} array than the env held before`,
        "write into the arrays allocated in the constructor and return those same objects",
      );
  };

  const doReset = (seed: number): Float32Array => {
    const result: unknown = env.reset({ seed });
    const label = `reset({ seed: ${seed} })`;
    if (!Array.isArray(result) || result.length !== 2)
      throw new EnvCheckError("RESET_RETURN", `${label} returned ${preview(result)}`, "return [observations, info] from reset()");
    sameArray(label, "observations", result[0]);
    if (!isInfo(result[1])) throw new EnvCheckError("INFO_NOT_OBJECT", `${label} returned info ${preview(result[1])}`, "return {} when there is nothing to report");
    checkRows(label);
    for (let i = 0; i < n; i++)
      if (env.resetMask[i] !== 0)
        throw new EnvCheckError("VECTOR_RESET_MASK", `after ${label}, resetMask[${i}] is ${env.resetMask[i]}`, "zero resetMask in reset()");
    return env.observations.slice();
  };

  env.actionSpace.seed(o.seed);
  env.singleActionSpace.seed(o.seed);
  const actions: unknown[] = [];
  const actionAt = (t: number): unknown => {
    while (actions.length <= t) actions.push(snapshot(env.actionSpace.sample()));
    return actions[t];
  };

  const rollout = (override?: { t: number; env: number; action: unknown }): VectorRollout => {
    const first = doReset(o.seed);
    const steps: VectorStepRecord[] = [];
    const prevDone = new Uint8Array(n);
    let firstResetStep: VectorRollout["firstResetStep"];
    for (let t = 0; t < o.maxSteps; t++) {
      let batch = actionAt(t);
      if (override !== undefined && override.t === t) {
        batch = snapshot(batch);
        writeRow(batch as Int32Array | Float32Array | Float64Array, override.env, override.action, flatSize(env.singleActionSpace));
      }
      const label = `step ${t + 1} after reset({ seed: ${o.seed} })`;
      const result: unknown = env.step(batch as Parameters<typeof env.step>[0]);
      if (!Array.isArray(result) || result.length !== 5)
        throw new EnvCheckError("STEP_RETURN", `${label} returned ${preview(result)}`, "return [observations, rewards, terminated, truncated, info] from step()");
      sameArray(label, "observations", result[0]);
      sameArray(label, "rewards", result[1]);
      sameArray(label, "terminated", result[2]);
      sameArray(label, "truncated", result[3]);
      sameArray(label, "resetMask", env.resetMask);
      if (!isInfo(result[4])) throw new EnvCheckError("INFO_NOT_OBJECT", `${label} returned info ${preview(result[4])}`, "return {} when there is nothing to report");
      for (let i = 0; i < n; i++) {
        for (const name of ["terminated", "truncated", "resetMask"] as const) {
          const v = env[name][i];
          if (v !== 0 && v !== 1)
            throw new EnvCheckError("VECTOR_FLAG_NOT_BINARY", `${label}: ${name}[${i}] is ${v}`, "write 1 for true and 0 for false");
        }
        if (!Number.isFinite(env.rewards[i]))
          throw new EnvCheckError("REWARD_NOT_FINITE", `${label}: rewards[${i}] is ${env.rewards[i]}`, "write finite rewards (guard divisions by zero)");
        if (env.resetMask[i] !== prevDone[i])
          throw new EnvCheckError(
            "VECTOR_RESET_MASK",
            prevDone[i] === 1
              ? `${label}: env ${i}'s episode ended on the step before, but resetMask[${i}] is 0`
              : `${label}: resetMask[${i}] is 1, but env ${i}'s episode did not end on the step before`,
            "set resetMask[i] = 1 exactly on the step after env i terminated or truncated, when that step resets it",
          );
        if (env.resetMask[i] === 1) {
          if (env.rewards[i] !== 0 || env.terminated[i] !== 0 || env.truncated[i] !== 0)
            throw new EnvCheckError(
              "VECTOR_RESET_STEP",
              `${label} is a reset step for env ${i} but returned reward ${env.rewards[i]}, terminated ${env.terminated[i]}, truncated ${env.truncated[i]}`,
              "on a reset step write reward 0, terminated 0 and truncated 0 with the new episode's first observation",
            );
          firstResetStep ??= { t, env: i };
        }
        prevDone[i] = env.terminated[i] | env.truncated[i];
      }
      checkRows(label);
      steps.push({
        observations: env.observations.slice(),
        rewards: env.rewards.slice(),
        terminated: env.terminated.slice(),
        truncated: env.truncated.slice(),
        resetMask: env.resetMask.slice(),
      });
    }
    return { first, steps, firstResetStep };
  };

  const a = rollout();
  for (const code of ["RESET_RETURN", "INFO_NOT_OBJECT", "OBS_OUTSIDE_SPACE", "STEP_RETURN", "VECTOR_ARRAYS_REALLOCATED", "VECTOR_FLAG_NOT_BINARY", "REWARD_NOT_FINITE"] as const)
    pass(code);
  const b = rollout();
  if (!same(a.first, b.first))
    throw new EnvCheckError(
      "RESET_NOT_DETERMINISTIC",
      `reset({ seed: ${o.seed} }) gave different observations twice`,
      "reset env i from seed + i and draw every random number from the seeded streams",
    );
  pass("RESET_NOT_DETERMINISTIC");
  const diff = firstVectorDifference(a, b);
  if (diff !== undefined)
    throw new EnvCheckError(
      "ROLLOUT_NOT_DETERMINISTIC",
      `two rollouts from reset({ seed: ${o.seed} }) with the same actions differ at ${diff}`,
      "draw every random number from the seeded streams; reset steps reset without a seed, continuing them",
    );
  pass("ROLLOUT_NOT_DETERMINISTIC");

  if (a.firstResetStep === undefined) {
    const reason = `no episode ended within ${o.maxSteps} steps (raise maxSteps or add a TimeLimit to the sub-envs)`;
    for (const code of ["VECTOR_RESET_MASK", "VECTOR_RESET_STEP", "VECTOR_RESET_STEP_USES_ACTION"] as const) report.skipped.push({ code, reason });
    return report;
  }
  pass("VECTOR_RESET_MASK");
  pass("VECTOR_RESET_STEP");

  const { t, env: i } = a.firstResetStep;
  const original = readRow(actionAt(t) as Int32Array | Float32Array | Float64Array, i, flatSize(env.singleActionSpace));
  let other: unknown;
  for (let k = 0; k < 64 && other === undefined; k++) {
    const candidate = snapshot(env.singleActionSpace.sample());
    if (!same(flatten(candidate), original)) other = candidate;
  }
  if (other === undefined) {
    report.skipped.push({ code: "VECTOR_RESET_STEP_USES_ACTION", reason: "the action space has a single action" });
    return report;
  }
  const c = rollout({ t, env: i, action: other });
  const cdiff = firstVectorDifference(a, c);
  if (cdiff !== undefined)
    throw new EnvCheckError(
      "VECTOR_RESET_STEP_USES_ACTION",
      `changing env ${i}'s action at step ${t + 1}, a reset step for it, changed the rollout at ${cdiff}`,
      "on a reset step do not read that env's action row: reset the env and write its first observation",
    );
  pass("VECTOR_RESET_STEP_USES_ACTION");
  return report;
}

function flatten(action: unknown): number[] {
  return typeof action === "number" ? [action] : Array.from(action as ArrayLike<number>);
}
function readRow(batch: ArrayLike<number>, i: number, width: number): number[] {
  return Array.from({ length: width }, (_, j) => batch[i * width + j]);
}
function writeRow(batch: Int32Array | Float32Array | Float64Array, i: number, action: unknown, width: number): void {
  const values = flatten(action);
  for (let j = 0; j < width; j++) batch[i * width + j] = values[j];
}

function firstVectorDifference(a: VectorRollout, b: VectorRollout): string | undefined {
  if (!same(a.first, b.first)) return "the observations after reset";
  const len = Math.min(a.steps.length, b.steps.length);
  for (let t = 0; t < len; t++) {
    for (const key of ["observations", "rewards", "terminated", "truncated", "resetMask"] as const) {
      if (!same(a.steps[t][key], b.steps[t][key])) return `step ${t + 1} (${key})`;
    }
  }
  return undefined;
}
