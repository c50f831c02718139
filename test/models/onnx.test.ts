// The ONNX export with a real ONNX Runtime session: parity with TensorFlow.js on 10,000 observations (normalisation
// and clipping included), the metadata a model carries, and the models that are refused.
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../env/rng.js";
import { FEATURES, FEATURE_VERSION } from "../../native/task.js";
import { ModelError, buildPolicyModel, configHash, readPolicyMetadata } from "../../models/onnx.js";
import { checkParity } from "../../models/parity.js";
import { selectBackend } from "../../training/backend.js";
import { exportPolicy, tfjsOutputs } from "../../training/export.js";
import { ActorCritic, RunningMeanStd } from "../../training/network.js";

const F = FEATURES.length;
const features = { names: FEATURES.map((f) => f.name), version: FEATURE_VERSION };

/** A network with weights away from their start (so every layer matters) and statistics from skewed data. */
function trainedLooking(seed: number): { network: ActorCritic; stats: RunningMeanStd; obs: Float32Array } {
  const network = new ActorCritic({ observationSize: F, actionDims: [5, 4], hiddenSizes: [64, 64], seed });
  const rng = new Rng(seed);
  const w = network.weights();
  for (const v of Object.values(w)) for (let i = 0; i < v.values.length; i++) v.values[i] += 0.3 * rng.normal();
  network.setWeights(w);
  const stats = new RunningMeanStd(F);
  const rows = 10_000;
  // Features on different scales and offsets; some rows far out, so the ±10 clip is exercised.
  const obs = Float32Array.from({ length: rows * F }, (_, k) => (k % F) * 3 + rng.normal() * (1 + (k % 7)) * (k % 97 === 0 ? 40 : 1));
  stats.update(obs, rows);
  return { network, stats, obs };
}

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("the ONNX export", () => {
  it("equals TensorFlow.js within 1e-5 on 10,000 observations, in ONNX Runtime", async () => {
    const { network, stats, obs } = trainedLooking(3);
    const r = await exportPolicy(network, stats, features, { seed: 3 }, "test", obs, 10_000);
    console.log(`parity: max |ONNX Runtime − TensorFlow.js| ${r.parity.maxAbsDiff.toExponential(2)} (${r.parity.worstOutput}) over ${r.parity.observations} observations`);
    expect(r.parity.pass).toBe(true);
    expect(r.parity.maxAbsDiff).toBeLessThan(1e-5);
    // The outputs are not trivially equal: the logits vary across observations.
    const out = tfjsOutputs(network, stats, obs.subarray(0, 2 * F), 2);
    expect(out.logits[0][0]).not.toBe(out.logits[0][5]);
    network.dispose();
  }, 120_000);

  it("carries the feature names and version, the action space, the config hash, the code version and the time", async () => {
    const { network, stats, obs } = trainedLooking(4);
    const config = { lr: 1e-3, hidden: [64, 64] };
    const { bytes } = await exportPolicy(network, stats, features, config, "0.1.0+abc", obs, 100);
    const meta = readPolicyMetadata(bytes);
    expect(meta.featureNames).toEqual(features.names);
    expect(meta.featureVersion).toBe(FEATURE_VERSION);
    expect(meta.actionSpace).toEqual({ names: ["size", "placement"], nvec: [5, 4], mode: "multiplier" });
    expect(meta.configHash).toBe(configHash({ hidden: [64, 64], lr: 1e-3 })); // key order does not matter
    expect(meta.codeVersion).toBe("0.1.0+abc");
    expect(Date.parse(meta.createdAt)).toBeGreaterThan(Date.parse("2026-01-01"));
    // ONNX Runtime sees the declared inputs and outputs (opset 17).
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(["obs"]);
    expect(session.outputNames).toEqual(["logits_size", "logits_placement", "value"]);
    await session.release();
    network.dispose();
  });

  it("refuses to pass a model that differs, and reads no metadata from a foreign file", async () => {
    const { network, stats, obs } = trainedLooking(5);
    const other = trainedLooking(6);
    const meta = readPolicyMetadata((await exportPolicy(network, stats, features, {}, "t", obs, 10)).bytes);
    const { format: _f, ...fields } = meta;
    const wrong = buildPolicyModel({ weights: other.network.weights(), hiddenLayers: 2, observationMean: stats.mean, observationVar: stats.var, normalizerEps: 1e-8, normalizedClip: 10 }, fields);
    const report = await checkParity(wrong, meta, obs, 1000, (x, n) => tfjsOutputs(network, stats, x, n));
    expect(report.pass).toBe(false);
    expect(() => readPolicyMetadata(new TextEncoder().encode("not a model"), "x.onnx")).toThrow(ModelError);
    expect(() => readPolicyMetadata(new TextEncoder().encode("not a model"), "x.onnx")).toThrow(/x\.onnx is not/);
    network.dispose();
    other.network.dispose();
  });
});
