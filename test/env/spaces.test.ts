// Spaces: bounds and dtypes, strict contains(), seeded sample() streams, and batchSpace as Gymnasium batches.
import { describe, expect, it } from "vitest";
import { Box, Discrete, EnvError, MultiDiscrete, batchSpace, type Dtype } from "../../env/index.js";

function draws<T>(space: { sample(): T }, n: number): T[] {
  return Array.from({ length: n }, () => space.sample());
}

describe("Box", () => {
  it("takes its shape from array bounds and defaults to float32", () => {
    const box = new Box({ low: [0, -1, -Infinity], high: [1, 1, Infinity] });
    expect(box.shape).toEqual([3]);
    expect(box.size).toBe(3);
    expect(box.dtype).toBe("float32");
    expect(box.toString()).toBe("Box([0.0 -1.0 -inf], [1.0 1.0 inf], (3,), float32)");
  });

  it("broadcasts scalar bounds over a multi-dimensional shape", () => {
    const box = new Box({ low: -2, high: 2, shape: [2, 3], dtype: "float64" });
    expect(box.size).toBe(6);
    expect(Array.from(box.low)).toEqual([-2, -2, -2, -2, -2, -2]);
    expect(box.sample()).toBeInstanceOf(Float64Array);
  });

  it("rounds float32 bounds to float32 and clamps infinite int32 bounds to the int32 range", () => {
    expect(new Box({ low: 0.1, high: 1, shape: [1] }).low[0]).toBe(Math.fround(0.1));
    const ints = new Box({ low: -Infinity, high: Infinity, shape: [1], dtype: "int32" });
    expect([ints.low[0], ints.high[0]]).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  it("refuses bad bounds, naming the element", () => {
    expect(() => new Box({ low: [0, 2], high: [1, 1] })).toThrow(/low\[1\] = 2 is above high\[1\] = 1/);
    expect(() => new Box({ low: NaN, high: 1, shape: [1] })).toThrow(/low\[0\] must be a number/);
    expect(() => new Box({ low: 0.5, high: 3, shape: [1], dtype: "int32" })).toThrow(/int32 bounds must be whole numbers/);
    expect(() => new Box({ low: 0, high: 1 })).toThrow(/needs a shape/);
    expect(() => new Box({ low: [0, 0], high: 1, shape: [3] })).toThrow(/low has 2 elements but shape \[3\] has 3/);
    expect(() => new Box({ low: 0, high: 1, shape: [0] })).toThrow(/whole numbers >= 1/);
    try {
      new Box({ low: 1, high: 0, shape: [1] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      expect((e as EnvError).code).toBe("INVALID_ARGUMENT");
    }
  });

  describe("contains", () => {
    const box = new Box({ low: [0, -1], high: [1, 1] });
    it("accepts values on the bounds", () => {
      expect(box.contains(Float32Array.of(0, -1))).toBe(true);
      expect(box.contains(Float32Array.of(1, 1))).toBe(true);
    });
    it("rejects a value just past a bound", () => {
      expect(box.contains(Float32Array.of(1.0000001, 0))).toBe(false);
      expect(box.contains(Float32Array.of(0, -1.0000001))).toBe(false);
    });
    it("rejects NaN, even where the bounds are infinite", () => {
      expect(box.contains(Float32Array.of(NaN, 0))).toBe(false);
      expect(new Box({ low: -Infinity, high: Infinity, shape: [1] }).contains(Float32Array.of(NaN))).toBe(false);
    });
    it("accepts ±Infinity only where the bound is infinite", () => {
      const half = new Box({ low: [0], high: [Infinity] });
      expect(half.contains(Float32Array.of(Infinity))).toBe(true);
      expect(half.contains(Float32Array.of(-Infinity))).toBe(false);
    });
    it("rejects another dtype's array, a plain array, and the wrong length", () => {
      expect(box.contains(Float64Array.of(0, 0))).toBe(false);
      expect(box.contains(Int32Array.of(0, 0))).toBe(false);
      expect(box.contains([0, 0])).toBe(false);
      expect(box.contains(Float32Array.of(0))).toBe(false);
      expect(box.contains(Float32Array.of(0, 0, 0))).toBe(false);
      expect(box.contains(0)).toBe(false);
      expect(box.contains(null)).toBe(false);
    });
    it("holds only whole numbers in an int32 box, by construction of Int32Array", () => {
      const ints = new Box({ low: -3, high: 3, shape: [2], dtype: "int32" });
      expect(ints.contains(Int32Array.of(-3, 3))).toBe(true);
      expect(ints.contains(Int32Array.of(-4, 0))).toBe(false);
      expect(ints.contains(Float32Array.of(1, 1))).toBe(false);
    });
  });

  describe("sample", () => {
    it("repeats the same stream after seed(n) and returns the seed", () => {
      const box = new Box({ low: -1, high: 1, shape: [4] });
      expect(box.seed(11)).toBe(11);
      const a = draws(box, 20);
      box.seed(11);
      expect(draws(box, 20)).toEqual(a);
      box.seed(12);
      expect(draws(box, 20)).not.toEqual(a);
    });

    it("gives the same stream to two boxes built with the same seed", () => {
      const a = new Box({ low: 0, high: 1, shape: [3], seed: 5 });
      const b = new Box({ low: 0, high: 1, shape: [3], seed: 5 });
      expect(draws(a, 10)).toEqual(draws(b, 10));
    });

    it("reseeds from entropy with seed() and reports the seed drawn", () => {
      const box = new Box({ low: 0, high: 1, shape: [2] });
      const used = box.seed();
      const a = draws(box, 5);
      box.seed(used);
      expect(draws(box, 5)).toEqual(a);
    });

    it("stays within the bounds for every kind of interval and every dtype", () => {
      const cases: Box<Dtype>[] = [
        new Box({ low: [-1, 0, -Infinity, -Infinity], high: [1, Infinity, 5, Infinity], seed: 1 }),
        new Box({ low: [-1, 0, -Infinity, -Infinity], high: [1, Infinity, 5, Infinity], dtype: "float64", seed: 2 }),
        new Box({ low: [-3, 0, 7], high: [3, 0, 9], dtype: "int32", seed: 3 }),
        new Box({ low: -Number.MAX_VALUE, high: Number.MAX_VALUE, shape: [2], dtype: "float64", seed: 4 }),
      ];
      for (const box of cases) for (const x of draws(box, 2000)) expect(box.contains(x), `${box} ∌ ${x}`).toBe(true);
    });

    it("draws every whole value of an int32 box, the upper bound included", () => {
      const box = new Box({ low: -2, high: 2, shape: [1], dtype: "int32", seed: 8 });
      const seen = new Set(draws(box, 500).map((x) => x[0]));
      expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    });

    it("writes into a given array and refuses one of the wrong type", () => {
      const box = new Box({ low: 0, high: 1, shape: [3], seed: 1 });
      const out = new Float32Array(3);
      expect(box.sample(out)).toBe(out);
      expect(() => box.sample(new Float64Array(3) as unknown as Float32Array)).toThrow(/Float32Array of length 3/);
    });
  });

  it("compares by dtype, shape and bounds, not by stream", () => {
    const a = new Box({ low: 0, high: 1, shape: [2], seed: 1 });
    expect(a.equals(new Box({ low: [0, 0], high: [1, 1], seed: 2 }))).toBe(true);
    expect(a.equals(new Box({ low: 0, high: 1, shape: [2], dtype: "float64" }))).toBe(false);
    expect(a.equals(new Box({ low: 0, high: 1, shape: [1, 2] }))).toBe(false);
    expect(a.equals(new Box({ low: 0, high: 2, shape: [2] }))).toBe(false);
    expect(a.equals(new MultiDiscrete([2, 2]))).toBe(false);
  });
});

describe("Discrete", () => {
  it("contains the whole numbers start … start + n − 1 and nothing else", () => {
    const d = new Discrete(3, { start: -1 });
    expect([-1, 0, 1].map((x) => d.contains(x))).toEqual([true, true, true]);
    expect([-2, 2, 0.5, NaN, Infinity, "0", null, Int32Array.of(0)].map((x) => d.contains(x))).toEqual(new Array(8).fill(false));
    expect(d.shape).toEqual([]);
    expect(d.toString()).toBe("Discrete(3, start=-1)");
  });

  it("samples each value, reproducibly after seed(n)", () => {
    const d = new Discrete(5, { start: 10, seed: 3 });
    const a = draws(d, 300);
    expect(new Set(a)).toEqual(new Set([10, 11, 12, 13, 14]));
    d.seed(3);
    expect(draws(d, 300)).toEqual(a);
  });

  it("samples uniformly", () => {
    const d = new Discrete(4, { seed: 99 });
    const counts = [0, 0, 0, 0];
    for (const x of draws(d, 40_000)) counts[x] += 1;
    for (const c of counts) expect(Math.abs(c / 40_000 - 0.25)).toBeLessThan(0.01);
  });

  it("refuses n < 1, fractional arguments and values past int32", () => {
    expect(() => new Discrete(0)).toThrow(/n must be a whole number >= 1/);
    expect(() => new Discrete(2.5)).toThrow(/n must be a whole number/);
    expect(() => new Discrete(2, { start: 0.5 })).toThrow(/start must be a whole number/);
    expect(() => new Discrete(10, { start: 2 ** 31 - 5 })).toThrow(/does not fit int32/);
  });
});

describe("MultiDiscrete", () => {
  const md = new MultiDiscrete([5, 4], { start: [0, 1], seed: 4 });
  it("contains Int32Arrays of the right length with each component in range", () => {
    expect(md.contains(Int32Array.of(0, 1))).toBe(true);
    expect(md.contains(Int32Array.of(4, 4))).toBe(true);
    expect(md.contains(Int32Array.of(5, 1))).toBe(false);
    expect(md.contains(Int32Array.of(0, 0))).toBe(false);
    expect(md.contains(Int32Array.of(0))).toBe(false);
    expect(md.contains(Float32Array.of(0, 1))).toBe(false);
    expect(md.contains([0, 1])).toBe(false);
  });
  it("samples within range, reproducibly", () => {
    const a = draws(md, 200);
    for (const x of a) expect(md.contains(x)).toBe(true);
    md.seed(4);
    expect(draws(md, 200)).toEqual(a);
    expect(md.toString()).toBe("MultiDiscrete([5 4], start=[0 1])");
  });
  it("refuses an empty nvec and a start of another length", () => {
    expect(() => new MultiDiscrete([])).toThrow(/non-empty array/);
    expect(() => new MultiDiscrete([2, 0])).toThrow(/nvec\[1\] must be a whole number >= 1/);
    expect(() => new MultiDiscrete([2, 2], { start: [0] })).toThrow(/start has 1 components but nvec has 2/);
  });
});

describe("batchSpace", () => {
  it("stacks a Box into [n, ...shape] with the bounds repeated per row", () => {
    const single = new Box({ low: [0, -1], high: [1, 1] });
    const batched = batchSpace(single, 3);
    expect(batched.shape).toEqual([3, 2]);
    expect(batched.dtype).toBe("float32");
    expect(Array.from(batched.low)).toEqual([0, -1, 0, -1, 0, -1]);
    expect(batched.contains(new Float32Array(6))).toBe(true);
    expect(batched.contains(new Float32Array(2))).toBe(false);
  });

  it("turns Discrete(n, start) into MultiDiscrete of n per env", () => {
    const batched = batchSpace(new Discrete(3, { start: 1 }), 4);
    expect(batched).toBeInstanceOf(MultiDiscrete);
    expect(Array.from(batched.nvec)).toEqual([3, 3, 3, 3]);
    expect(Array.from(batched.start)).toEqual([1, 1, 1, 1]);
  });

  it("turns MultiDiscrete into an int32 Box of [n, k] with the same bounds", () => {
    const batched = batchSpace(new MultiDiscrete([5, 4], { start: [0, 1] }), 2);
    expect(batched).toBeInstanceOf(Box);
    expect(batched.dtype).toBe("int32");
    expect(batched.shape).toEqual([2, 2]);
    expect(Array.from(batched.high)).toEqual([4, 4, 4, 4]);
    expect(batched.contains(Int32Array.of(4, 1, 0, 4))).toBe(true);
    expect(batched.contains(Int32Array.of(4, 0, 0, 4))).toBe(false);
  });

  it("starts the batched stream as a copy of the single space's, without advancing it", () => {
    const single = new Discrete(10, { seed: 21 });
    const batched = batchSpace(single, 3);
    const fromSingle = draws(single, 3);
    expect(Array.from(batched.sample())).toEqual(fromSingle);
  });

  it("equals an independently batched copy", () => {
    const a = batchSpace(new MultiDiscrete([5, 4]), 8);
    expect(a.equals(batchSpace(new MultiDiscrete([5, 4]), 8))).toBe(true);
    expect(a.equals(batchSpace(new MultiDiscrete([5, 4]), 7))).toBe(false);
  });

  it("refuses n < 1", () => {
    expect(() => batchSpace(new Discrete(2), 0)).toThrow(/n must be a whole number >= 1/);
  });
});
