// The error class of agents/: a policy constructed or called outside its contract. A TrancheError (../errors.ts).
import { TrancheError } from "../errors.js";

/**
 * Stable codes of {@link PolicyError}. Callers branch on these; the message text may change.
 *
 * - `INVALID_ARGUMENT`: a constructor or helper argument is out of range (a rate, a profile, a seed).
 * - `STATE_MISMATCH`: `act()` got an action array or a task state that does not fit the batch (wrong length,
 *   another number of envs than the policy was built for).
 * - `PROFILE_MISMATCH`: a VWAP volume profile does not cover the env's horizon step for step.
 */
export type PolicyErrorCode = "INVALID_ARGUMENT" | "STATE_MISMATCH" | "PROFILE_MISMATCH";

/** A policy was built or called outside its contract; the message says what and how to fix it. */
export class PolicyError extends TrancheError {
  declare readonly code: PolicyErrorCode;
  constructor(code: PolicyErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = "PolicyError";
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number in [min, max]; returns it. */
export function checkNumber(name: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw new PolicyError("INVALID_ARGUMENT", `${name} must be a finite number in [${min}, ${max}], got ${String(value)}`);
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a whole number in [min, max]; returns it. */
export function checkWhole(name: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    throw new PolicyError("INVALID_ARGUMENT", `${name} must be a whole number in [${min}, ${max}], got ${String(value)}`);
  return value;
}
