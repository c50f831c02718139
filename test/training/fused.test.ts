// The fused native learner against TensorFlow.js, its reference: on fixed weights and a minibatch that exercises
// every branch of the loss (ratios inside and outside the clip on both signs of the advantage, value predictions
// clipped and not), its gradients equal tfjs's autodiff within 1e-5, and so do the weights after Adam steps.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../env/rng.js";
import { NativeActorCritic, type PpoBatch } from "../../native/index.js";
import { selectBackend } from "../../training/backend.js";
import { createLearner, flattenWeights, tfjsPpoLoss, type StepSpec } from "../../training/learner.js";
import { ActorCritic } from "../../training/network.js";

const SPEC: { observationSize: number; actionDims: number[]; hiddenSizes: number[]; seed: number } = { observationSize: 13, actionDims: [9, 4], hiddenSizes: [64, 64], seed: 5 };
const LOSS: StepSpec = { clipCoef: 0.2, clipValueLoss: true, entropyCoef: 0.01, valueCoef: 0.5, maxGradNorm: 0.5 };
const ROWS = 512;

/** A minibatch around the network's own outputs: old log-probabilities and values moved by noise, so clips bind. */
function minibatch(network: ActorCritic, seed: number, spec: typeof SPEC = SPEC): PpoBatch {
  const rng = new Rng(seed);
  const F = spec.observationSize, D = spec.actionDims.length;
  const obs = Float32Array.from({ length: ROWS * F }, () => 2 * rng.normal());
  const actions = Int32Array.from({ length: ROWS * D }, (_, k) => Math.floor(rng.uniform() * spec.actionDims[k % D]));
  const [logProb, values] = tf.tidy(() => {
    const x = tf.tensor2d(obs, [ROWS, F]);
    return [network.logProbAndEntropy(x, tf.tensor2d(actions, [ROWS, D], "int32")).logProb.dataSync() as Float32Array, network.value(x).dataSync() as Float32Array];
  });
  return {
    obs, actions, rows: ROWS,
    oldLogProb: logProb.map((lp) => lp + 0.3 * rng.normal()),
    advantages: Float32Array.from({ length: ROWS }, () => rng.normal()),
    returns: Float32Array.from({ length: ROWS }, () => 2 * rng.normal()),
    oldValues: values.map((v) => v + 0.4 * rng.normal()),
  };
}

function tfjsGradients(network: ActorCritic, batch: PpoBatch, loss: StepSpec): { grads: Float32Array; parts: number[] } {
  return tf.tidy(() => {
    let parts: number[] = [];
    const { grads } = tf.variableGrads(() => {
      const l = tfjsPpoLoss(network, batch, loss);
      parts = l.parts.map((p) => p.dataSync()[0]);
      return l.loss;
    });
    const flat = network.variables().map((v) => grads[v.name].dataSync() as Float32Array);
    const out = new Float32Array(flat.reduce((n, g) => n + g.length, 0));
    let at = 0;
    for (const g of flat) out.set(g, at), (at += g.length);
    return { grads: out, parts };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
}

describe("the fused learner", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("computes the gradients tfjs computes, within 1e-5, on a minibatch that takes every branch of the loss", () => {
    const network = new ActorCritic(SPEC);
    const batch = minibatch(network, 1);
    const native = new NativeActorCritic(SPEC);
    native.setParams(flattenWeights(network));
    const grads = new Float32Array(native.paramCount);
    const stats = native.gradients(batch, LOSS, grads);
    const reference = tfjsGradients(network, batch, LOSS);

    // The minibatch does take the branches: some ratios clipped, not all; some value predictions clipped.
    expect(stats.clipFraction).toBeGreaterThan(0.1);
    expect(stats.clipFraction).toBeLessThan(0.9);
    let norm = 0;
    for (const g of reference.grads) norm += g * g;
    expect(Math.sqrt(norm)).toBeGreaterThan(0.05);
    expect(stats.gradNorm).toBeCloseTo(Math.sqrt(norm), 4);

    const diff = maxAbsDiff(grads, reference.grads);
    console.log(`fused vs tfjs: max |Δ gradient| ${diff.toExponential(2)} over ${grads.length} parameters (gradient norm ${Math.sqrt(norm).toFixed(3)})`);
    expect(diff).toBeLessThan(1e-5);
    const [policyLoss, valueLoss, entropy, approxKl, clipFraction] = reference.parts;
    expect(maxAbsDiff([stats.policyLoss, stats.valueLoss, stats.entropy, stats.approxKl, stats.clipFraction], [policyLoss, valueLoss, entropy, approxKl, clipFraction])).toBeLessThan(1e-5);
    network.dispose();
  });

  it.each([
    ["three unequal hidden layers, no value clipping", { ...SPEC, hiddenSizes: [48, 32, 40] }, { ...LOSS, clipValueLoss: false }],
    ["one hidden layer, 201-way sizes", { ...SPEC, actionDims: [201, 4], hiddenSizes: [16] }, LOSS],
  ])("agrees with tfjs on %s, with peaked logits that make the entropy term count", (_, spec, loss) => {
    const network = new ActorCritic(spec);
    // Peaked policies: the entropy gradient p(log p + H) is far from zero (at initialisation it nearly vanishes).
    const out = network.actor.at(-1)!;
    out.kernel.assign(tf.tidy(() => tf.mul(out.kernel, 300)));
    const strong = { ...loss, entropyCoef: 0.5 };
    const batch = minibatch(network, 5, spec);
    const native = new NativeActorCritic(spec);
    native.setParams(flattenWeights(network));
    const grads = new Float32Array(native.paramCount);
    const stats = native.gradients(batch, strong, grads);
    const reference = tfjsGradients(network, batch, strong);
    // The entropy term is a real part of this gradient: without it the gradient moves by far more than the tolerance.
    const withoutEntropy = tfjsGradients(network, batch, { ...strong, entropyCoef: 0 });
    expect(maxAbsDiff(reference.grads, withoutEntropy.grads)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(grads, reference.grads)).toBeLessThan(1e-5);
    network.dispose();
  });

  it("gives the forward pass tfjs gives", () => {
    const network = new ActorCritic(SPEC);
    const batch = minibatch(network, 2);
    const native = new NativeActorCritic(SPEC);
    native.setParams(flattenWeights(network));
    const logits = new Float32Array(ROWS * native.logitWidth), values = new Float32Array(ROWS);
    native.forward(batch.obs, ROWS, logits, values);
    const [refLogits, refValues] = tf.tidy(() => {
      const x = tf.tensor2d(batch.obs, [ROWS, SPEC.observationSize]);
      return [network.logits(x).dataSync(), network.value(x).dataSync()];
    });
    expect(maxAbsDiff(logits, refLogits)).toBeLessThan(1e-5);
    expect(maxAbsDiff(values, refValues)).toBeLessThan(1e-5);
    network.dispose();
  });

  it("takes the Adam steps tfjs takes, clipping included: the weights agree within 1e-5 after 5 steps", () => {
    const fused = createLearner("fused", SPEC), reference = createLearner("tfjs", SPEC);
    expect(maxAbsDiff(flattenWeights(fused.network()), flattenWeights(reference.network()))).toBe(0);
    for (let s = 0; s < 5; s++) {
      const batch = minibatch(reference.network(), 10 + s);
      const spec = { ...LOSS, maxGradNorm: 0.3 };
      const a = fused.step(batch, spec, 3e-3), b = reference.step(batch, spec, 3e-3);
      // The clip binds: the norm is above maxGradNorm.
      expect(b.gradNorm).toBeGreaterThan(spec.maxGradNorm);
      expect(Math.abs(a.gradNorm - b.gradNorm) / b.gradNorm).toBeLessThan(1e-4);
    }
    const diff = maxAbsDiff(flattenWeights(fused.network()), flattenWeights(reference.network()));
    console.log(`fused vs tfjs after 5 Adam steps: max |Δ weight| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    // They moved: the test would see a learner that does nothing.
    const start = new ActorCritic(SPEC);
    expect(maxAbsDiff(flattenWeights(fused.network()), flattenWeights(start))).toBeGreaterThan(1e-3);
    start.dispose();
    fused.dispose();
    reference.dispose();
  });

  it("hands out the tfjs network after every step without leaking a tensor", () => {
    const fused = createLearner("fused", SPEC);
    const batch = minibatch(fused.network(), 4);
    fused.step(batch, LOSS, 1e-3);
    fused.network();
    const before = tf.memory().numTensors;
    for (let s = 0; s < 20; s++) {
      fused.step(batch, LOSS, 1e-3);
      fused.network();
    }
    expect(tf.memory().numTensors).toBe(before);
    fused.dispose();
  });

  it("refuses an action outside its dimension and arrays of the wrong size, naming them", () => {
    const network = new ActorCritic(SPEC);
    const batch = minibatch(network, 3);
    const native = new NativeActorCritic(SPEC);
    const out = new Float32Array(native.paramCount);
    const bad = { ...batch, actions: batch.actions.map((a, k) => (k === 7 ? 4 : a)) };
    expect(() => native.gradients(bad, LOSS, out)).toThrow(/action is outside its dimension/);
    expect(() => native.gradients({ ...batch, returns: new Float32Array(3) }, LOSS, out)).toThrow(/batch.returns has 3 elements, needs at least 512/);
    expect(() => native.setParams(new Float32Array(5))).toThrow(/5 values for \d+ parameters/);
    expect(() => new NativeActorCritic({ ...SPEC, hiddenSizes: [] })).toThrow(/hiddenSizes/);
    network.dispose();
  });
});
