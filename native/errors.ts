// TrancheError, the one error class native/ throws, and the stable codes callers branch on.

/** Stable codes so callers can branch on the kind of failure without parsing messages. */
export type TrancheErrorCode =
  | "NATIVE_LOAD_FAILED"
  | "INVALID_ARGUMENT"
  | "UNKNOWN_ORDER"
  | "DUPLICATE_ORDER_ID"
  | "PRICE_OUT_OF_RANGE"
  | "INVALID_COMMAND";

export class TrancheError extends Error {
  readonly code: TrancheErrorCode;
  constructor(code: TrancheErrorCode, message: string) {
    super(message);
    this.name = "TrancheError";
    this.code = code;
  }
}
