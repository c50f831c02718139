// NativeError, the one error class native/ throws, and the stable codes callers branch on. It is a
// TrancheError (the project's base, ../errors.ts), which this file re-exports for native's callers.
import { TrancheError } from "../errors.js";

export { TrancheError };

/** Stable codes so callers can branch on the kind of failure without parsing messages. */
export type NativeErrorCode =
  | "NATIVE_LOAD_FAILED"
  | "INVALID_ARGUMENT"
  | "UNKNOWN_ORDER"
  | "DUPLICATE_ORDER_ID"
  | "PRICE_OUT_OF_RANGE"
  | "INVALID_COMMAND";

/** The codes of {@link NativeError} under their name from before the error base existed. */
export type TrancheErrorCode = NativeErrorCode;

/** The addon could not be loaded, or the native API was called with an argument outside its range. */
export class NativeError extends TrancheError {
  declare readonly code: NativeErrorCode;
  constructor(code: NativeErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = "NativeError";
  }
}
