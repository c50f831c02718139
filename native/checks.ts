// Argument checks at the boundary: each refuses a bad value once, with INVALID_ARGUMENT and the argument's name.
import type { BookOptions, Side } from "./book.js";
import { NativeError } from "./errors.js";

export function fail(message: string): never {
  throw new NativeError("INVALID_ARGUMENT", message);
}
export function wholeNumber(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) fail(`${name} must be a whole number, got ${String(v)}`);
  return v;
}
export function orderId(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    fail(`${name} must be a positive whole number (order ids start at 1), got ${String(v)}`);
  return v;
}
export function qtyLots(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0)
    fail(`${name} must be a positive whole number of lots, got ${String(v)}`);
  return v;
}
export function priceTicks(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`${name} must be a finite number of ticks, got ${String(v)}`);
  if (!Number.isSafeInteger(v))
    fail(`${name} ${v} is off the tick grid: prices are whole numbers of ticks (convert with Instrument.toTicks)`);
  return v;
}
export function side(name: string, v: Side): Side {
  if (v !== 0 && v !== 1) fail(`${name} must be Side.Buy (0) or Side.Sell (1), got ${String(v)}`);
  return v;
}

const MAX_LEVELS_LIMIT = 1 << 24;
export function bookOptions(name: string, options: BookOptions | undefined): BookOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) fail(`${name} must be an object`);
  for (const key of ["initialLevels", "maxLevels", "orderCapacity"] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0 || v > MAX_LEVELS_LIMIT))
      fail(`${name}.${key} must be a whole number in [1, ${MAX_LEVELS_LIMIT}], got ${String(v)}`);
  }
  return options;
}
