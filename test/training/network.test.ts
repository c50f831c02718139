// The actor-critic: seeded weights, log-probabilities and entropies of the MultiDiscrete policy against a hand
// softmax, weight round trips, and the running observation statistics.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../env/rng.js";
import { selectBackend } from "../../training/backend.js";
import { ActorCritic, RunningMeanStd } from "../../training/network.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

const spec = { observationSize: 6, actionDims: [5, 4], hiddenSizes: [8, 8], seed: 3 };

describe("ActorCritic", () => {
  it("starts from the same weights for the same seed, and other weights for another", () => {
    const a = new ActorCritic(spec), b = new ActorCritic(spec), c = new ActorCritic({ ...spec, seed: 4 });
    const wa = a.weights(), wb = b.weights(), wc = c.weights();
    expect(Object.keys(wa)).toEqual(["actor/0/kernel", "actor/0/bias", "actor/1/kernel", "actor/1/bias", "actor/out/kernel", "actor/out/bias", "critic/0/kernel", "critic/0/bias", "critic/1/kernel", "critic/1/bias", "critic/out/kernel", "critic/out/bias"]);
    for (const k of Object.keys(wa)) expect(Array.from(wb[k].values), k).toEqual(Array.from(wa[k].values));
    expect(Array.from(wc["actor/0/kernel"].values)).not.toEqual(Array.from(wa["actor/0/kernel"].values));
    // Orthogonal: the hidden kernel's columns are orthonormal × √2.
    const k = tf.tensor2d(wa["actor/1/kernel"].values, [8, 8]);
    const gram = tf.matMul(k, k, true).arraySync() as number[][];
    gram.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(i === j ? 2 : 0, 4)));
    [a, b, c].forEach((n) => n.dispose());
  });

  it("gives log π(a|s) and the entropy of independent categoricals, as a hand softmax does", () => {
    const net = new ActorCritic(spec);
    const rng = new Rng(1);
    const obs = Float32Array.from({ length: 3 * 6 }, () => rng.normal());
    const actions = Int32Array.of(0, 3, 4, 1, 2, 2);
    const x = tf.tensor2d(obs, [3, 6]);
    const logits = net.logits(x).arraySync() as number[][];
    const { logProb, entropy } = net.logProbAndEntropy(x, tf.tensor2d(actions, [3, 2], "int32"));
    const lp = logProb.arraySync() as number[], h = entropy.arraySync() as number[];
    for (let r = 0; r < 3; r++) {
      let wantLp = 0, wantH = 0, from = 0;
      spec.actionDims.forEach((n, d) => {
        const z = logits[r].slice(from, from + n);
        const max = Math.max(...z), lse = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
        wantLp += z[actions[2 * r + d]] - lse;
        wantH -= z.reduce((s, v) => s + Math.exp(v - lse) * (v - lse), 0);
        from += n;
      });
      expect(lp[r]).toBeCloseTo(wantLp, 5);
      expect(h[r]).toBeCloseTo(wantH, 5);
    }
    // At the start the logits are near 0 (gain 0.01): the entropy is nearly ln 5 + ln 4.
    expect(h[0]).toBeCloseTo(Math.log(5) + Math.log(4), 2);
    net.dispose();
  });

  it("takes back the weights it gave, and names the one that does not fit", () => {
    const a = new ActorCritic(spec), b = new ActorCritic({ ...spec, seed: 9 });
    b.setWeights(a.weights());
    const x = tf.ones([2, 6]) as tf.Tensor2D;
    expect(Array.from(b.value(x).dataSync())).toEqual(Array.from(a.value(x).dataSync()));
    const w = a.weights();
    w["critic/out/bias"] = { shape: [2], values: new Float32Array(2) };
    expect(() => b.setWeights(w)).toThrow(/critic\/out\/bias is \[2\], the network's is \[1\]/);
    a.dispose();
    b.dispose();
  });
});

describe("RunningMeanStd", () => {
  it("tracks the mean and variance of every row it was given, batch by batch", () => {
    const rng = new Rng(5);
    const rows = Array.from({ length: 300 }, () => [rng.normal() * 3 + 1, rng.uniform()]);
    const s = new RunningMeanStd(2);
    for (let b = 0; b < 300; b += 100) s.update(Float32Array.from(rows.slice(b, b + 100).flat()), 100);
    for (let f = 0; f < 2; f++) {
      const xs = rows.map((r) => Math.fround(r[f]));
      const m = xs.reduce((a, v) => a + v, 0) / xs.length;
      const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
      expect(s.mean[f]).toBeCloseTo(m, 4);
      expect(s.var[f]).toBeCloseTo(v, 3);
    }
    const out = new Float32Array(2);
    s.normalize(Float32Array.of(1e6, s.mean[1]), 1, out);
    expect(out[0]).toBe(10); // clipped
    expect(out[1]).toBeCloseTo(0, 6);
    expect(RunningMeanStd.fromJSON(s.toJSON()).mean).toEqual(s.mean);
  });
});
