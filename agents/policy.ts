// The Policy contract: what the evaluation harness, the trainer's baselines and the live loop call. A policy
// maps a batch of observations and task states to a batch of actions, in place, and describes itself for
// reports. It does not know whether it runs in simulation or live.
import { PolicyError } from "./errors.js";
import type { ActionMode, ExecutionTaskState } from "./task-state.js";

/** Components of one action: (size, placement). `out` of `act()` is env-major, `[N × ACTION_COMPONENTS]`. */
export const ACTION_COMPONENTS = 2;

/** The default action space `MultiDiscrete([5, 4])`: size multipliers {0, ½, 1, 2, 4} × placements. */
export const DEFAULT_ACTION_NVEC: readonly [number, number] = Object.freeze([5, 4]) as readonly [number, number];

/** The `multiplier` mode's size choices: index i asks for SIZE_MULTIPLIERS[i] × (remaining ÷ steps left). */
export const SIZE_MULTIPLIERS: readonly number[] = Object.freeze([0, 0.5, 1, 2, 4]);

/** What a report says about a policy. */
export interface PolicyDescription {
  readonly name: string;
  /** The policy's settings, plain numbers and strings, as a report or a results table prints them. */
  readonly params: Readonly<Record<string, number | string>>;
  /** One sentence for a report: what the policy does. */
  readonly summary: string;
}

/**
 * An execution policy over a batch of N envs.
 *
 * - `act(obs, state, out)` writes env i's action at `out[2i]` (size: lots or a multiplier index, as `actionMode`
 *   says; 0 waits) and `out[2i + 1]` (a {@link Placement}). `obs` is `[N × F]` (baselines may ignore it),
 *   `state` the typed task state the env exposes. It allocates nothing per call.
 * - `describe()` names the policy and its settings for reports.
 * - `reset(i)`, where present, is called when env i starts a new episode (for policies with per-episode memory).
 * - `prepare(obs, state)`, where present, is awaited before every `act` on the same arguments: a policy whose
 *   inference is asynchronous (an ONNX Runtime session) runs it there, and `act` writes what it found.
 */
export interface Policy {
  readonly name: string;
  readonly actionMode: ActionMode;
  act(obs: Float32Array, state: ExecutionTaskState, out: Int32Array): void;
  describe(): PolicyDescription;
  reset?(envIndex: number): void;
  prepare?(obs: Float32Array, state: ExecutionTaskState): Promise<void>;
}

/** Throws STATE_MISMATCH unless `out` holds one action per env of `state` (and `numEnvs` matches, when given). */
export function checkActArgs(policy: string, state: ExecutionTaskState, out: Int32Array, numEnvs?: number): void {
  if (!(out instanceof Int32Array) || out.length !== state.numEnvs * ACTION_COMPONENTS)
    throw new PolicyError(
      "STATE_MISMATCH",
      `${policy}.act(): out must be an Int32Array of ${state.numEnvs * ACTION_COMPONENTS} (numEnvs ${state.numEnvs} × ${ACTION_COMPONENTS}), got ${out instanceof Int32Array ? `length ${out.length}` : typeof out}`,
    );
  if (numEnvs !== undefined && state.numEnvs !== numEnvs)
    throw new PolicyError("STATE_MISMATCH", `${policy} was built for ${numEnvs} envs but act() got a state of ${state.numEnvs}; build one policy per batch size`);
}
