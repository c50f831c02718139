// The error classes of env/: EnvError for a contract used wrongly at run time, EnvCheckError for an
// environment that checkEnv / checkVectorEnv found breaking the contract. Both are TrancheErrors (../errors.ts).
import { TrancheError } from "../errors.js";

/**
 * Stable codes of {@link EnvError}. Callers branch on these; the message text may change.
 *
 * - `INVALID_ARGUMENT`: a constructor or method argument is out of range (a space bound, a seed, a saved state).
 * - `INVALID_ACTION`: a batch of actions has the wrong array type or length for the vector env.
 * - `STEP_BEFORE_RESET`: `step()` was called before the first `reset()`.
 * - `STEP_AFTER_END`: `step()` was called after the episode ended (terminated or truncated) without `reset()`.
 * - `SPACE_MISMATCH`: an env's spaces do not fit where it is used (sub-envs that differ, a non-Box observation
 *   where a Box is needed).
 * - `UNSUPPORTED_AUTORESET`: a vector wrapper was given a vector env whose autoreset mode it cannot follow.
 * - `INFO_KEY_TAKEN`: a wrapper would overwrite a key the wrapped env already put in `info`.
 * - `CLOSED`: the env was used after `close()`.
 */
export type EnvErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_ACTION"
  | "STEP_BEFORE_RESET"
  | "STEP_AFTER_END"
  | "SPACE_MISMATCH"
  | "UNSUPPORTED_AUTORESET"
  | "INFO_KEY_TAKEN"
  | "CLOSED";

/** An env, space or wrapper was used outside its contract; the message says what and how to fix it. */
export class EnvError extends TrancheError {
  declare readonly code: EnvErrorCode;
  constructor(code: EnvErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = "EnvError";
  }
}

/**
 * The rules checkEnv and checkVectorEnv enforce, one code each (the statement of each rule is in
 * {@link ENV_CHECK_RULES}).
 */
export type EnvCheckCode =
  | "BAD_SPACE"
  | "RESET_RETURN"
  | "STEP_RETURN"
  | "OBS_OUTSIDE_SPACE"
  | "INFO_NOT_OBJECT"
  | "FLAG_NOT_BOOLEAN"
  | "REWARD_NOT_FINITE"
  | "ENV_TRUNCATES"
  | "RESET_NOT_DETERMINISTIC"
  | "RESET_STREAM_BROKEN"
  | "ROLLOUT_NOT_DETERMINISTIC"
  | "SEED_IGNORED"
  | "STEP_AFTER_END_ALLOWED"
  | "VECTOR_NUM_ENVS"
  | "VECTOR_AUTORESET_MODE"
  | "VECTOR_SPACES"
  | "VECTOR_ARRAYS"
  | "VECTOR_ARRAYS_REALLOCATED"
  | "VECTOR_FLAG_NOT_BINARY"
  | "VECTOR_RESET_MASK"
  | "VECTOR_RESET_STEP"
  | "VECTOR_RESET_STEP_USES_ACTION";

/** Each rule of the contract as one sentence: what an env must do. */
export const ENV_CHECK_RULES: Readonly<Record<EnvCheckCode, string>> = {
  BAD_SPACE: "observationSpace and actionSpace are spaces (shape, dtype, seed, sample, contains, equals)",
  RESET_RETURN: "reset() returns [observation, info]",
  STEP_RETURN: "step() returns [observation, reward, terminated, truncated, info]",
  OBS_OUTSIDE_SPACE: "every observation that reset() and step() return lies in observationSpace",
  INFO_NOT_OBJECT: "info is a plain object",
  FLAG_NOT_BOOLEAN: "terminated and truncated are booleans",
  REWARD_NOT_FINITE: "the reward is a finite number",
  ENV_TRUNCATES: "truncated=true comes only from a TimeLimit wrapper, at its step limit",
  RESET_NOT_DETERMINISTIC: "reset({seed}) twice with the same seed gives the same observation",
  RESET_STREAM_BROKEN: "reset() without a seed continues the seeded stream, so reset({seed}), reset() repeats",
  ROLLOUT_NOT_DETERMINISTIC: "the same seed and the same actions give the same rollout",
  SEED_IGNORED: "different seeds give different rollouts (unless metadata.deterministic is true)",
  STEP_AFTER_END_ALLOWED: "step() after the episode ended, without reset(), throws EnvError STEP_AFTER_END",
  VECTOR_NUM_ENVS: "numEnvs is a positive whole number",
  VECTOR_AUTORESET_MODE: 'metadata.autoresetMode is "next-step"',
  VECTOR_SPACES: "the batched spaces are batchSpace(single space, numEnvs) and observations are float32",
  VECTOR_ARRAYS: "observations, rewards, terminated, truncated and resetMask are typed arrays of N×F, N, N, N, N",
  VECTOR_ARRAYS_REALLOCATED: "reset() and step() return the env-owned arrays, the same objects on every call",
  VECTOR_FLAG_NOT_BINARY: "terminated, truncated and resetMask hold only 0 and 1",
  VECTOR_RESET_MASK: "resetMask[i] is 1 exactly when env i's episode ended on the step before (0 after reset())",
  VECTOR_RESET_STEP: "a reset step returns reward 0, terminated 0 and truncated 0 for that env",
  VECTOR_RESET_STEP_USES_ACTION: "a reset step ignores that env's action",
};

/**
 * An environment breaks a rule of the Gymnasium contract. `code` names the rule, `fix` says what to change;
 * the message reads `<code>: <problem> (rule: <rule>). Fix: <fix>`.
 * `hint` stays unset: the fix is already in the message.
 */
export class EnvCheckError extends TrancheError {
  declare readonly code: EnvCheckCode;
  readonly rule: string;
  readonly fix: string;
  constructor(code: EnvCheckCode, problem: string, fix: string) {
    super(code, `${code}: ${problem} (rule: ${ENV_CHECK_RULES[code]}). Fix: ${fix}`);
    this.name = "EnvCheckError";
    this.rule = ENV_CHECK_RULES[code];
    this.fix = fix;
  }
}
