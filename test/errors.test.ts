// The error base (errors.ts): every error class of the project is a TrancheError with a stable code, so one
// `instanceof` separates an expected refusal from a bug; the old native import keeps working.
import { describe, expect, it } from "vitest";
import { PolicyError } from "../agents/errors.js";
import { ConfigError } from "../cli/config.js";
import { DataError } from "../data/errors.js";
import { EnvCheckError, EnvError } from "../env/errors.js";
import { TrancheError } from "../errors.js";
import { StatsError } from "../eval/stats.js";
import { NativeError, OrderBook, TrancheError as NativeTrancheError } from "../native/index.js";

describe("TrancheError", () => {
  it("carries a code, a message and an optional hint", () => {
    const e = new TrancheError("SOME_CODE", "what is wrong", "what to do");
    expect([e.code, e.message, e.hint, e.name]).toEqual(["SOME_CODE", "what is wrong", "what to do", "TrancheError"]);
    expect(e).toBeInstanceOf(Error);
    expect(new TrancheError("X", "m").hint).toBeUndefined();
  });

  it("is the base of every error class, each with its own name and code", () => {
    const errors: [TrancheError, string, string][] = [
      [new NativeError("INVALID_ARGUMENT", "m", "h"), "NativeError", "INVALID_ARGUMENT"],
      [new DataError("BAD_ROW", "p", "f", { file: "a.csv", line: 2 }), "DataError", "BAD_ROW"],
      [new EnvError("CLOSED", "m"), "EnvError", "CLOSED"],
      [new EnvCheckError("ENV_TRUNCATES", "p", "f"), "EnvCheckError", "ENV_TRUNCATES"],
      [new PolicyError("STATE_MISMATCH", "m"), "PolicyError", "STATE_MISMATCH"],
      [new StatsError("m"), "StatsError", "INVALID_ARGUMENT"],
      [new ConfigError("CONFIG_INVALID", "a.yaml", "m"), "ConfigError", "CONFIG_INVALID"],
    ];
    for (const [e, name, code] of errors) {
      expect(e).toBeInstanceOf(TrancheError);
      expect([e.name, e.code]).toEqual([name, code]);
    }
    expect(errors[0][0].hint).toBe("h");
  });

  it("is the class native/index.js exports as TrancheError, and native throws NativeErrors", () => {
    expect(NativeTrancheError).toBe(TrancheError);
    const book = new OrderBook();
    let thrown: unknown;
    try {
      book.cancel(12345);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(NativeError);
    expect(thrown).toBeInstanceOf(NativeTrancheError);
    expect((thrown as NativeError).code).toBe("UNKNOWN_ORDER");
  });
});
