// The error class of eval/: an evaluation asked for something it cannot run.
import { TrancheError } from "../errors.js";

/**
 * Stable codes of {@link EvalError}. Callers branch on these; the message text may change.
 *
 * - `UNKNOWN_POLICY`: a policy name the harness does not know (or no policy at all).
 * - `BAD_POLICY_PARAM`: a policy's parameter (after ":") is missing its number or out of range.
 * - `DUPLICATE_POLICY`: the same policy listed twice.
 * - `INVALID_OPTION`: an evaluation option is out of range (episodes, workers, batch size, the reference).
 * - `RUN_FOLDER`: the run folder cannot be written (it exists and is not empty, or the disk refused).
 * - `WORKER_FAILED`: a worker thread died without reporting an error of its own.
 * - `NO_STATISTICS`: fewer than two episodes were completed by every policy, so nothing can be compared.
 */
export type EvalErrorCode = "UNKNOWN_POLICY" | "BAD_POLICY_PARAM" | "DUPLICATE_POLICY" | "INVALID_OPTION" | "RUN_FOLDER" | "WORKER_FAILED" | "NO_STATISTICS";

/** An evaluation was asked for something it cannot run; `hint` says what to do instead. */
export class EvalError extends TrancheError {
  declare readonly code: EvalErrorCode;
  constructor(code: EvalErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = "EvalError";
  }
}
