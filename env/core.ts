// The single-environment contract, as in Gymnasium 1.x: reset and step, two spaces, metadata, close; and the
// Wrapper base class that each wrapper extends to change one thing.
import type { Space } from "./spaces.js";

/**
 * Episode statistics that RecordEpisodeStatistics puts in the `info` of an episode's last step, under the
 * names Gymnasium uses: `r` the return (sum of rewards), `l` the length in steps, `t` the wall time in seconds.
 */
export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

/**
 * Facts about a reset or a step that are not the observation: diagnostics, and the typed task state that
 * baselines read. A plain object, never null.
 */
export interface Info {
  [key: string]: unknown;
  /** Present on an episode's last step under RecordEpisodeStatistics. */
  episode?: EpisodeStatistics;
}

/** What an env declares about itself. */
export interface EnvMetadata {
  [key: string]: unknown;
  /**
   * True when the env draws no random numbers at all, so every seed gives the same rollout. checkEnv then does
   * not require different seeds to differ.
   */
  deterministic?: boolean;
}

/** Arguments of {@link Env.reset}. */
export interface ResetArgs {
  /**
   * Re-seeds the env's random stream, so the episode that follows is a function of the seed and the actions.
   * Without a seed the stream continues where it stands (a never-seeded env starts from OS entropy).
   */
  seed?: number;
  /** Env-specific options for this episode. */
  options?: Record<string, unknown>;
}

/** `reset()` returns the first observation and an info object. */
export type ResetResult<Obs> = [observation: Obs, info: Info];

/**
 * `step()` returns the next observation, the step's reward, and how the episode stands:
 * `terminated` — the task reached a terminal state (the parent order is complete, or the horizon forced
 * completion); the value of the next state is 0. `truncated` — a TimeLimit cut the episode short; a learner
 * bootstraps from the value of the returned observation. Both may be true at once (TimeLimit at a terminal
 * step): terminated then decides the bootstrap.
 */
export type StepResult<Obs> = [observation: Obs, reward: number, terminated: boolean, truncated: boolean, info: Info];

/**
 * An environment (Gymnasium's `Env`): five members and a checker (`checkEnv`) that turns its rules into tests.
 *
 * - `reset({seed})` re-seeds the env's random stream and starts an episode; `reset()` starts one from the
 *   stream as it stands.
 * - `step(action)` before the first reset throws EnvError `STEP_BEFORE_RESET`; after an episode ended
 *   (terminated or truncated) and before the next reset it throws `STEP_AFTER_END`.
 * - An env never returns `truncated = true` itself: only the TimeLimit wrapper does.
 * - Observations lie in `observationSpace`, rewards are finite numbers, flags are booleans, info is an object.
 * - The returned observation may be a buffer the env writes again on its next reset or step: copy what you keep.
 */
export interface Env<Obs, Act> {
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  readonly metadata: EnvMetadata;
  /** Starts an episode; see {@link ResetArgs} for seeding. */
  reset(args?: ResetArgs): ResetResult<Obs>;
  /** Applies one action and advances the episode by one decision step. */
  step(action: Act): StepResult<Obs>;
  /** Releases what the env holds; calling it twice is allowed. */
  close(): void;
}

/**
 * An env around another env that changes one thing and forwards the rest. Extend it and override what the
 * wrapper changes; `env` is the wrapped env, `unwrapped` the innermost one.
 */
export class Wrapper<Obs, Act> implements Env<Obs, Act> {
  constructor(readonly env: Env<Obs, Act>) {}

  get observationSpace(): Space<Obs> {
    return this.env.observationSpace;
  }
  get actionSpace(): Space<Act> {
    return this.env.actionSpace;
  }
  get metadata(): EnvMetadata {
    return this.env.metadata;
  }
  /** The innermost env, below every wrapper. */
  get unwrapped(): Env<unknown, unknown> {
    return unwrap(this);
  }
  reset(args?: ResetArgs): ResetResult<Obs> {
    return this.env.reset(args);
  }
  step(action: Act): StepResult<Obs> {
    return this.env.step(action);
  }
  close(): void {
    this.env.close();
  }
}

/** The chain of envs from `env` inward: `env`, the env it wraps, … down to the innermost one. */
export function wrapperChain(env: Env<unknown, unknown>): Env<unknown, unknown>[] {
  const chain: Env<unknown, unknown>[] = [env];
  let at: unknown = env;
  while (typeof at === "object" && at !== null && "env" in at && isEnvLike(at.env) && !chain.includes(at.env)) {
    chain.push(at.env);
    at = at.env;
  }
  return chain;
}

function unwrap(env: Env<unknown, unknown>): Env<unknown, unknown> {
  const chain = wrapperChain(env);
  return chain[chain.length - 1];
}

function isEnvLike(x: unknown): x is Env<unknown, unknown> {
  return typeof x === "object" && x !== null && "reset" in x && "step" in x && typeof x.reset === "function" && typeof x.step === "function";
}
