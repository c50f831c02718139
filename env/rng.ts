// Seeded random numbers for spaces and JS environments: the engine's generator (xoshiro256** seeded through
// splitmix64, native/src/core/rng.h) on 32-bit halves, so a seed names the same stream in JS and in C++.
import { randomInt } from "node:crypto";
import { EnvError } from "./errors.js";

const TWO_32 = 0x1_0000_0000;
const TWO_NEG_53 = 2 ** -53;
const MASK_64 = (1n << 64n) - 1n;

/** Largest seed accepted: seeds are non-negative safe integers (they travel through configs as JSON numbers). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Checks a seed and returns it; `name` is what the error message calls it. */
export function checkSeed(name: string, seed: number): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0)
    throw new EnvError("INVALID_ARGUMENT", `${name} must be a whole number in [0, 2^53 - 1], got ${String(seed)}`);
  return seed;
}

/** A seed from the operating system's entropy, for streams nobody seeded (Gymnasium's `seed=None`). */
export function entropySeed(): number {
  return randomInt(0, 2 ** 48 - 1);
}

/**
 * A deterministic random stream: the same seed gives the same numbers on every platform and in the native
 * engine. xoshiro256** (Blackman & Vigna, 2018); the 64-bit words live as (hi, lo) pairs of uint32.
 */
export class Rng {
  // s0.hi, s0.lo, s1.hi, s1.lo, s2.hi, s2.lo, s3.hi, s3.lo
  private readonly s = new Uint32Array(8);
  private hi = 0;
  private lo = 0;

  /** Without a seed the stream starts from OS entropy. */
  constructor(seed?: number) {
    this.reseed(seed ?? entropySeed());
  }

  /** Restarts the stream from `seed`, exactly as the native Rng::reseed does. */
  reseed(seed: number): void {
    checkSeed("seed", seed);
    // splitmix64 only runs at seeding time, so BigInt's cost does not matter here.
    let x = BigInt(seed);
    for (let w = 0; w < 4; w++) {
      x = (x + 0x9e3779b97f4a7c15n) & MASK_64;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
      z ^= z >> 31n;
      this.s[2 * w] = Number(z >> 32n);
      this.s[2 * w + 1] = Number(z & 0xffffffffn);
    }
  }

  /** An independent copy that continues this stream from where it stands. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.s.set(this.s);
    return copy;
  }

  /** Uniform in [0, 1) with 53 random bits (the top 53 of one 64-bit draw). */
  uniform(): number {
    this.next();
    return (this.hi * 2 ** 21 + (this.lo >>> 11)) * TWO_NEG_53;
  }

  /**
   * Uniform integer in [0, n) for a whole n in [1, 2^32]: the high 64 bits of draw × n (Lemire's
   * multiply-shift, as the native Rng::below), computed exactly in 16-bit limbs.
   */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > TWO_32)
      throw new EnvError("INVALID_ARGUMENT", `Rng.below(n) needs a whole n in [1, 2^32], got ${String(n)}`);
    this.next();
    // n ≤ 2^21: hi·n and lo·n are below 2^53, so floor((hi·n + floor(lo·n / 2^32)) / 2^32) is exact, and faster.
    if (n <= 0x200000) return Math.floor((this.hi * n + Math.floor((this.lo * n) / TWO_32)) / TWO_32);
    const nh = Math.floor(n / 0x10000);
    const nl = n % 0x10000;
    // draw × n = xh·nh·2^48 + xh·nl·2^32 + xl·nh·2^16 + xl·nl; every partial product is below 2^48.
    const t0 = this.lo * nl;
    const t1 = this.lo * nh;
    const t2 = this.hi * nl;
    const t3 = this.hi * nh;
    const a = t0 + (t1 % 0x10000) * 0x10000;
    const b = Math.floor(t1 / 0x10000) + t2 + Math.floor(a / TWO_32);
    return Math.floor((Math.floor(b / 0x10000) + t3) / 0x10000);
  }

  /** Exponential with the given rate (inverse CDF of one uniform, as native). */
  exponential(rate = 1): number {
    return -Math.log1p(-this.uniform()) / rate;
  }

  /** Standard normal by Box-Muller; the second variate is discarded so each draw uses two words (as native). */
  normal(): number {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
  }

  // One xoshiro256** step; leaves the 64-bit result in (this.hi, this.lo).
  private next(): void {
    const s = this.s;
    // result = rotl(s1 * 5, 7) * 9, with x * 5 = (x << 2) + x and x * 9 = (x << 3) + x.
    let h = s[2];
    let l = s[3];
    let sh = ((h << 2) | (l >>> 30)) >>> 0;
    let sl = (l << 2) >>> 0;
    let lo = (sl + l) >>> 0;
    let hi = (sh + h + (lo < sl ? 1 : 0)) >>> 0;
    h = ((hi << 7) | (lo >>> 25)) >>> 0;
    l = ((lo << 7) | (hi >>> 25)) >>> 0;
    sh = ((h << 3) | (l >>> 29)) >>> 0;
    sl = (l << 3) >>> 0;
    lo = (sl + l) >>> 0;
    hi = (sh + h + (lo < sl ? 1 : 0)) >>> 0;
    this.hi = hi;
    this.lo = lo;

    // t = s1 << 17
    const th = ((s[2] << 17) | (s[3] >>> 15)) >>> 0;
    const tl = (s[3] << 17) >>> 0;
    s[4] ^= s[0]; s[5] ^= s[1]; // s2 ^= s0
    s[6] ^= s[2]; s[7] ^= s[3]; // s3 ^= s1
    s[2] ^= s[4]; s[3] ^= s[5]; // s1 ^= s2
    s[0] ^= s[6]; s[1] ^= s[7]; // s0 ^= s3
    s[4] ^= th; s[5] ^= tl; // s2 ^= t
    // s3 = rotl(s3, 45): swap the halves (32) then rotate by 13.
    const rh = s[7];
    const rl = s[6];
    s[6] = ((rh << 13) | (rl >>> 19)) >>> 0;
    s[7] = ((rl << 13) | (rh >>> 19)) >>> 0;
  }
}
