// Rng is the engine's generator (xoshiro256** seeded by splitmix64): checked word for word against a BigInt
// transcription of native/src/core/rng.h.
import { describe, expect, it } from "vitest";
import { Rng } from "../../env/index.js";

const M = (1n << 64n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M;

/** native/src/core/rng.h, line for line, in BigInt. */
class ReferenceRng {
  s: bigint[] = [];
  constructor(seed: bigint) {
    let x = seed;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b97f4a7c15n) & M;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
      this.s.push(z ^ (z >> 31n));
    }
  }
  next(): bigint {
    const s = this.s;
    const result = (rotl((s[1] * 5n) & M, 7n) * 9n) & M;
    const t = (s[1] << 17n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45n);
    return result;
  }
  uniform(): number {
    return Number(this.next() >> 11n) * 2 ** -53;
  }
  below(n: number): number {
    return Number((this.next() * BigInt(n)) >> 64n);
  }
}

describe("Rng", () => {
  it("draws the native engine's uniform stream for the same seed", () => {
    for (const seed of [0, 1, 42, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const rng = new Rng(seed);
      const ref = new ReferenceRng(BigInt(seed));
      for (let i = 0; i < 500; i++) expect(rng.uniform(), `seed ${seed}, draw ${i}`).toBe(ref.uniform());
    }
  });

  it("computes below(n) exactly as the native multiply-shift, up to n = 2^32", () => {
    const rng = new Rng(9);
    const ref = new ReferenceRng(9n);
    for (const n of [1, 2, 3, 5, 7, 1000, 65535, 65536, 65537, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32]) {
      for (let i = 0; i < 200; i++) expect(rng.below(n), `n ${n}`).toBe(ref.below(n));
    }
  });

  it("restarts on reseed and continues independently in a clone", () => {
    const rng = new Rng(5);
    const first = [rng.uniform(), rng.uniform()];
    const copy = rng.clone();
    expect(copy.uniform()).toBe(rng.uniform());
    rng.reseed(5);
    expect([rng.uniform(), rng.uniform()]).toEqual(first);
  });

  it("refuses seeds that are not whole non-negative safe integers", () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 53]) expect(() => new Rng(bad), String(bad)).toThrow(/seed must be a whole number/);
  });

  it("gives normal and exponential draws with the right first two moments", () => {
    const rng = new Rng(3);
    const n = 40_000;
    let sum = 0, sq = 0, esum = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
      esum += rng.exponential(2);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(esum / n - 0.5)).toBeLessThan(0.01);
  });
});
