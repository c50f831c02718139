// Spaces say exactly what goes into and comes out of an env: Box (typed arrays with per-element bounds),
// Discrete (one integer) and MultiDiscrete (an Int32Array of integers), each with a seeded sample(), a strict
// contains() and the batched form a vector env exposes (Gymnasium's batch_space).
import { EnvError } from "./errors.js";
import { Rng, checkSeed, entropySeed } from "./rng.js";

/** Element types of a space's values. Box values are typed arrays of this type; discrete values are int32. */
export type Dtype = "float32" | "float64" | "int32";

/** The typed array that holds one value of a Box of each dtype. */
export interface DtypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}
/** The typed array type of dtype `D`. */
export type ArrayOf<D extends Dtype> = DtypeArrays[D];

/** Any value a Box, Discrete or MultiDiscrete holds. */
export type SpaceValue = number | Float32Array | Float64Array | Int32Array;

/**
 * The set of valid values of an observation or an action.
 *
 * Seeding: a space draws `sample()` from its own stream. `seed(n)` restarts it, so the same seed gives the same
 * samples; `seed()` without a number reseeds from OS entropy. Both return the seed used, for logs.
 */
export interface Space<T> {
  /** Shape of one value, row-major; `[]` for a scalar (Discrete). */
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Restarts the sampling stream from `seed` (from OS entropy when omitted) and returns the seed used. */
  seed(seed?: number): number;
  /** A uniformly random value of the space (Box: see {@link Box.sample}). */
  sample(): T;
  /** True when `x` is a value of this space: right type (dtype included), right shape, within the bounds, no NaN. */
  contains(x: unknown): x is T;
  /** True when `other` is the same space: same kind, dtype, shape and bounds (the sampling stream is not compared). */
  equals(other: Space<unknown>): boolean;
  /** The space as Gymnasium would print it, e.g. `Box(-1.0, 1.0, (3,), float32)`. */
  toString(): string;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function fail(message: string): never {
  throw new EnvError("INVALID_ARGUMENT", message);
}

const ARRAY_CLASS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

function newArray<D extends Dtype>(dtype: D, length: number): ArrayOf<D> {
  return new ARRAY_CLASS[dtype](length) as ArrayOf<D>;
}
function isArrayOf<D extends Dtype>(dtype: D, x: unknown): x is ArrayOf<D> {
  return x instanceof ARRAY_CLASS[dtype];
}

function shapeSize(name: string, shape: readonly number[]): number {
  if (!Array.isArray(shape)) fail(`${name} must be an array of dimension lengths, got ${String(shape)}`);
  let size = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 1) fail(`${name} must hold whole numbers >= 1, got [${shape.join(", ")}]`);
    size *= d;
  }
  if (size > 2 ** 31) fail(`${name} [${shape.join(", ")}] has ${size} elements, more than a typed array should hold`);
  return size;
}

function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
function pyNumber(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return String(v);
}
function pyArray(values: ArrayLike<number>, asFloat: boolean): string {
  const first = values[0];
  const uniform = Array.prototype.every.call(values, (v: number) => v === first);
  const fmt = (v: number) => (asFloat && Number.isInteger(v) ? `${v}.0` : pyNumber(v));
  return uniform ? fmt(first) : `[${Array.from(values, fmt).join(" ")}]`;
}

// Gives batchSpace access to a space's stream without making the stream public.
let streamOf: (space: SeededSpace) => Rng;

/** The sampling stream every space has; not exported from env/. */
abstract class SeededSpace {
  #rng: Rng;
  static {
    streamOf = (space) => space.#rng;
  }
  protected constructor(seed: number | undefined) {
    this.#rng = new Rng(seed === undefined ? entropySeed() : checkSeed("seed", seed));
  }
  /** Restarts the sampling stream from `seed` (from OS entropy when omitted) and returns the seed used. */
  seed(seed?: number): number {
    const used = seed === undefined ? entropySeed() : checkSeed("seed", seed);
    this.#rng.reseed(used);
    return used;
  }
  protected get rng(): Rng {
    return this.#rng;
  }
  /** Continues `from`'s stream in this space (a batched space starts where its single space stands). */
  protected adoptStream(from: SeededSpace): this {
    this.#rng = streamOf(from).clone();
    return this;
  }
}

// ---- Box ----------------------------------------------------------------------------------------

/** Arguments of {@link Box}. */
export interface BoxOptions<D extends Dtype> {
  /** Lower bound: one number for every element or one per element (row-major). `-Infinity` = unbounded. */
  low: number | ArrayLike<number>;
  /** Upper bound, as `low`. `Infinity` = unbounded. */
  high: number | ArrayLike<number>;
  /** Shape of a value; may be left out when `low` or `high` is an array (the shape is then its length). */
  shape?: readonly number[];
  /** Default `"float32"`, what the policy network and the ONNX model take. */
  dtype?: D;
  /** Seed of the sampling stream; OS entropy when omitted. */
  seed?: number;
}

/**
 * A box in R^n: values are typed arrays of `dtype` with `size` elements (row-major `shape`), each element
 * within its own `[low, high]`.
 *
 * Bounds are stored as the dtype holds them (float32 bounds are rounded to float32). An int32 Box has whole
 * bounds; infinite int32 bounds become the int32 range, as in Gymnasium.
 */
export class Box<D extends Dtype = "float32"> extends SeededSpace implements Space<ArrayOf<D>> {
  readonly shape: readonly number[];
  readonly dtype: D;
  /** Number of elements of one value: the product of `shape`. */
  readonly size: number;
  /** Per-element lower bounds (treat as read-only). */
  readonly low: Float64Array;
  /** Per-element upper bounds (treat as read-only). */
  readonly high: Float64Array;

  constructor(options: BoxOptions<D>) {
    if (typeof options !== "object" || options === null) fail("Box needs an options object ({ low, high, shape?, dtype? })");
    super(options.seed);
    const dtype = (options.dtype ?? "float32") as D;
    if (!Object.hasOwn(ARRAY_CLASS, dtype)) fail(`Box dtype must be "float32", "float64" or "int32", got ${JSON.stringify(dtype)}`);
    const { low, high } = options;
    let shape = options.shape;
    if (shape === undefined) {
      const fromArray = typeof low !== "number" ? low : typeof high !== "number" ? high : undefined;
      if (fromArray === undefined) fail("Box with scalar low and high needs a shape (e.g. shape: [3])");
      shape = [fromArray.length];
    }
    this.size = shapeSize("Box shape", shape);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.low = this.bounds("low", low);
    this.high = this.bounds("high", high);
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i] <= this.high[i])) fail(`Box low[${i}] = ${this.low[i]} is above high[${i}] = ${this.high[i]}`);
    }
  }

  /**
   * A random value, written into `out` when given (it must be an array of this dtype and size). Per element
   * as Gymnasium: uniform on `[low, high]` when both bounds are finite (integers: each whole value equally
   * likely), `low` + Exp(1) or `high` − Exp(1) when one is, standard normal when neither is.
   */
  sample(out?: ArrayOf<D>): ArrayOf<D> {
    const value = out ?? newArray(this.dtype, this.size);
    if (!isArrayOf(this.dtype, value) || value.length !== this.size)
      fail(`Box.sample(out): out must be a ${ARRAY_CLASS[this.dtype].name} of length ${this.size}`);
    const rng = this.rng;
    const { low, high } = this;
    if (this.dtype === "int32") {
      for (let i = 0; i < this.size; i++) value[i] = low[i] + rng.below(high[i] - low[i] + 1);
      return value;
    }
    for (let i = 0; i < this.size; i++) {
      const lo = low[i];
      const hi = high[i];
      let v: number;
      if (lo > -Infinity && hi < Infinity) {
        const u = rng.uniform();
        // Written as two products so that [-MAX_VALUE, MAX_VALUE] does not overflow to Infinity.
        v = lo === hi ? lo : Math.min(hi, lo - u * lo + u * hi);
      } else if (lo > -Infinity) v = lo + rng.exponential();
      else if (hi < Infinity) v = hi - rng.exponential();
      else v = rng.normal();
      value[i] = v;
    }
    if (this.dtype === "float32") {
      // Rounding to float32 can land on a bound but never past it: the bounds are float32 values.
      for (let i = 0; i < this.size; i++) value[i] = Math.min(high[i], Math.max(low[i], value[i]));
    }
    return value;
  }

  /**
   * True for a typed array of exactly this dtype (a Float64Array is not a value of a float32 Box: the dtype is
   * part of the contract) with `size` elements, each within its bounds. NaN is never contained.
   */
  contains(x: unknown): x is ArrayOf<D> {
    if (!isArrayOf(this.dtype, x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof Box) || other.dtype !== this.dtype || other.shape.length !== this.shape.length) return false;
    if (this.shape.some((d, i) => d !== other.shape[i])) return false;
    for (let i = 0; i < this.size; i++) if (this.low[i] !== other.low[i] || this.high[i] !== other.high[i]) return false;
    return true;
  }

  /** True when every element has a finite lower and upper bound. */
  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) if (!(this.low[i] > -Infinity && this.high[i] < Infinity)) return false;
    return true;
  }

  override toString(): string {
    const f = this.dtype !== "int32";
    return `Box(${pyArray(this.low, f)}, ${pyArray(this.high, f)}, ${pyShape(this.shape)}, ${this.dtype})`;
  }

  private bounds(name: "low" | "high", given: number | ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.size);
    if (typeof given === "number") out.fill(given);
    else {
      if (given === null || typeof given !== "object" || typeof given.length !== "number")
        fail(`Box ${name} must be a number or an array of numbers`);
      if (given.length !== this.size)
        fail(`Box ${name} has ${given.length} elements but shape [${this.shape.join(", ")}] has ${this.size}`);
      for (let i = 0; i < this.size; i++) out[i] = given[i];
    }
    for (let i = 0; i < this.size; i++) {
      const v = out[i];
      if (typeof v !== "number" || Number.isNaN(v)) fail(`Box ${name}[${i}] must be a number or ±Infinity, got ${String(v)}`);
      if (this.dtype === "float32") out[i] = Math.fround(v);
      else if (this.dtype === "int32") {
        if (v === -Infinity || v === Infinity) out[i] = v < 0 ? INT32_MIN : INT32_MAX;
        else if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)
          fail(`Box ${name}[${i}] = ${v}: int32 bounds must be whole numbers in [-2^31, 2^31 - 1] or ±Infinity`);
      }
    }
    return out;
  }
}

// ---- Discrete -----------------------------------------------------------------------------------

/** Arguments of {@link Discrete} besides `n`. */
export interface DiscreteOptions {
  /** Smallest value. Default 0. */
  start?: number;
  /** Seed of the sampling stream; OS entropy when omitted. */
  seed?: number;
}

/**
 * The integers `start, start + 1, …, start + n - 1`. A value is a plain number; JavaScript cannot tell 1 from
 * 1.0, so any whole number in range is contained, and a fractional one is not.
 */
export class Discrete extends SeededSpace implements Space<number> {
  readonly n: number;
  readonly start: number;
  readonly shape: readonly number[] = Object.freeze([]);
  readonly dtype = "int32" as const;

  constructor(n: number, options: DiscreteOptions = {}) {
    super(options.seed);
    const start = options.start ?? 0;
    if (!Number.isSafeInteger(n) || n < 1) fail(`Discrete n must be a whole number >= 1, got ${String(n)}`);
    if (!Number.isSafeInteger(start)) fail(`Discrete start must be a whole number, got ${String(start)}`);
    if (start < INT32_MIN || start + n - 1 > INT32_MAX)
      fail(`Discrete(${n}, start ${start}) does not fit int32: start and start + n - 1 must lie in [-2^31, 2^31 - 1]`);
    this.n = n;
    this.start = start;
  }

  /** Each of the n values equally likely. */
  sample(): number {
    return this.start + this.rng.below(this.n);
  }

  contains(x: unknown): x is number {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof Discrete && other.n === this.n && other.start === this.start;
  }

  override toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

// ---- MultiDiscrete ------------------------------------------------------------------------------

/** Arguments of {@link MultiDiscrete} besides `nvec`. */
export interface MultiDiscreteOptions {
  /** Smallest value of each component: one number for all, or one per component. Default 0. */
  start?: number | ArrayLike<number>;
  /** Seed of the sampling stream; OS entropy when omitted. */
  seed?: number;
}

/**
 * Several discrete choices made together: a value is an Int32Array `x` of `nvec.length` components with
 * `start[i] <= x[i] <= start[i] + nvec[i] - 1`. The execution task's action `[size, placement]` is one.
 */
export class MultiDiscrete extends SeededSpace implements Space<Int32Array> {
  /** Number of choices of each component (treat as read-only). */
  readonly nvec: Int32Array;
  /** Smallest value of each component (treat as read-only). */
  readonly start: Int32Array;
  readonly shape: readonly number[];
  readonly dtype = "int32" as const;

  constructor(nvec: ArrayLike<number>, options: MultiDiscreteOptions = {}) {
    super(options.seed);
    if (nvec === null || typeof nvec !== "object" || typeof nvec.length !== "number" || nvec.length < 1)
      fail("MultiDiscrete nvec must be a non-empty array of whole numbers >= 1");
    const k = nvec.length;
    this.nvec = new Int32Array(k);
    this.start = new Int32Array(k);
    const start = options.start ?? 0;
    if (typeof start !== "number" && start.length !== k)
      fail(`MultiDiscrete start has ${start.length} components but nvec has ${k}`);
    for (let i = 0; i < k; i++) {
      const n = nvec[i];
      const s = typeof start === "number" ? start : start[i];
      if (!Number.isSafeInteger(n) || n < 1) fail(`MultiDiscrete nvec[${i}] must be a whole number >= 1, got ${String(n)}`);
      if (!Number.isSafeInteger(s)) fail(`MultiDiscrete start[${i}] must be a whole number, got ${String(s)}`);
      if (s < INT32_MIN || s + n - 1 > INT32_MAX)
        fail(`MultiDiscrete component ${i} (n ${n}, start ${s}) does not fit int32`);
      this.nvec[i] = n;
      this.start[i] = s;
    }
    this.shape = Object.freeze([k]);
  }

  /** Each component uniform over its own choices, independently; written into `out` when given. */
  sample(out?: Int32Array): Int32Array {
    const k = this.nvec.length;
    const value = out ?? new Int32Array(k);
    if (!(value instanceof Int32Array) || value.length !== k) fail(`MultiDiscrete.sample(out): out must be an Int32Array of length ${k}`);
    for (let i = 0; i < k; i++) value[i] = this.start[i] + this.rng.below(this.nvec[i]);
    return value;
  }

  /** True for an Int32Array of the right length with every component in range. */
  contains(x: unknown): x is Int32Array {
    if (!(x instanceof Int32Array) || x.length !== this.nvec.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] < this.start[i] || x[i] > this.start[i] + this.nvec[i] - 1) return false;
    return true;
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof MultiDiscrete) || other.nvec.length !== this.nvec.length) return false;
    for (let i = 0; i < this.nvec.length; i++) if (other.nvec[i] !== this.nvec[i] || other.start[i] !== this.start[i]) return false;
    return true;
  }

  override toString(): string {
    const zero = this.start.every((s) => s === 0);
    const nvec = `[${Array.from(this.nvec).join(" ")}]`;
    return zero ? `MultiDiscrete(${nvec})` : `MultiDiscrete(${nvec}, start=[${Array.from(this.start).join(" ")}])`;
  }
}

// ---- batching -----------------------------------------------------------------------------------

/**
 * The type of a batch of `n` values of a space whose values are `T`: discrete values batch into an Int32Array,
 * typed arrays into one typed array of the same kind with n × size elements (env-major).
 */
export type Batched<T> = T extends number ? Int32Array : T;

/** A Box stretched to `n` rows. */
class BatchedBox<D extends Dtype> extends Box<D> {
  constructor(single: Box<D>, n: number) {
    const low = new Float64Array(n * single.size);
    const high = new Float64Array(n * single.size);
    for (let i = 0; i < n; i++) {
      low.set(single.low, i * single.size);
      high.set(single.high, i * single.size);
    }
    super({ low, high, shape: [n, ...single.shape], dtype: single.dtype, seed: 0 });
    this.adoptStream(single);
  }
}
class BatchedDiscrete extends MultiDiscrete {
  constructor(single: Discrete, n: number) {
    super(new Int32Array(n).fill(single.n), { start: single.start, seed: 0 });
    this.adoptStream(single);
  }
}
class BatchedMultiDiscrete extends Box<"int32"> {
  constructor(single: MultiDiscrete, n: number) {
    const k = single.nvec.length;
    const low = new Float64Array(n * k);
    const high = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        low[i * k + j] = single.start[j];
        high[i * k + j] = single.start[j] + single.nvec[j] - 1;
      }
    }
    super({ low, high, shape: [n, k], dtype: "int32", seed: 0 });
    this.adoptStream(single);
  }
}

/**
 * The space of `n` values of `space` taken together, as a vector env exposes it (Gymnasium's `batch_space`):
 * Box of shape S → Box of shape [n, ...S]; Discrete(k, start) → MultiDiscrete(n × [k], start);
 * MultiDiscrete(nvec) → an int32 Box of shape [n, nvec.length] with the same bounds. The batched space's
 * sampling stream starts as a copy of the single space's and then runs on its own.
 */
export function batchSpace<D extends Dtype>(space: Box<D>, n: number): Box<D>;
export function batchSpace(space: Discrete, n: number): MultiDiscrete;
export function batchSpace(space: MultiDiscrete, n: number): Box<"int32">;
export function batchSpace<T>(space: Space<T>, n: number): Space<Batched<T>>;
export function batchSpace(space: Space<unknown>, n: number): Space<unknown> {
  if (!Number.isSafeInteger(n) || n < 1) fail(`batchSpace n must be a whole number >= 1, got ${String(n)}`);
  if (space instanceof Box) return new BatchedBox(space, n);
  if (space instanceof Discrete) return new BatchedDiscrete(space, n);
  if (space instanceof MultiDiscrete) return new BatchedMultiDiscrete(space, n);
  throw new EnvError("SPACE_MISMATCH", `batchSpace knows Box, Discrete and MultiDiscrete, not ${String(space)}`);
}

/** Size of one value of a space when batched: Discrete 1, others the element count. */
export function flatSize(space: Space<unknown>): number {
  return space.shape.reduce((a, b) => a * b, 1);
}
