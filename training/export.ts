// From a trained actor-critic to an ONNX model: the weights and observation statistics handed to models/, and the
// parity check run against TensorFlow.js's own forward pass before anything is written.
import * as tf from "@tensorflow/tfjs";
import { MODEL_FORMAT, ModelError, buildPolicyModel, configHash, type PolicyModelMetadata } from "../models/onnx.js";
import { checkParity, type ParityReport, type PolicyOutputs } from "../models/parity.js";
import { NORMALIZED_CLIP, NORMALIZER_EPS, type ActorCritic, type RunningMeanStd } from "./network.js";

/** The task's action dimensions, in the order the network's logits are laid out. */
export const ACTION_DIMENSION_NAMES = ["size", "placement"] as const;

/** TensorFlow.js's outputs for raw observations: the reference the export must equal. */
export function tfjsOutputs(network: ActorCritic, stats: RunningMeanStd, obs: Float32Array, rows: number): PolicyOutputs {
  const normalized = new Float32Array(obs.length);
  stats.normalize(obs, rows, normalized, NORMALIZED_CLIP);
  return tf.tidy(() => {
    const x = tf.tensor2d(normalized, [rows, network.spec.observationSize]);
    const all = network.logits(x);
    let from = 0;
    const logits = network.spec.actionDims.map((n) => {
      const part = tf.slice(all, [0, from], [-1, n]).dataSync() as Float32Array;
      from += n;
      return part;
    });
    return { logits, value: network.value(x).dataSync() as Float32Array };
  });
}

export interface ExportResult {
  bytes: Uint8Array;
  metadata: PolicyModelMetadata;
  parity: ParityReport;
}

/**
 * The model of `network` with its statistics baked in (`features`: the env's metadata.featureNames and
 * featureVersion), checked against TensorFlow.js on `observations` (rows × F
 * recorded observations); throws PARITY_FAILED, writing nothing, when any output differs by more than `tolerance`.
 */
export async function exportPolicy(
  network: ActorCritic, stats: RunningMeanStd, features: { names: readonly string[]; version: string }, trainingConfig: unknown, codeVersion: string,
  observations: Float32Array, rows: number, tolerance = 1e-5,
): Promise<ExportResult> {
  const metadata: PolicyModelMetadata = {
    format: MODEL_FORMAT,
    featureNames: [...features.names],
    featureVersion: features.version,
    actionSpace: { names: [...ACTION_DIMENSION_NAMES], nvec: [...network.spec.actionDims], mode: "multiplier" },
    configHash: configHash(trainingConfig),
    codeVersion,
    createdAt: new Date().toISOString(),
  };
  const { format: _format, ...fields } = metadata;
  const bytes = buildPolicyModel(
    { weights: network.weights(), hiddenLayers: network.spec.hiddenSizes.length, observationMean: stats.mean, observationVar: stats.var, normalizerEps: NORMALIZER_EPS, normalizedClip: NORMALIZED_CLIP },
    fields,
  );
  const parity = await checkParity(bytes, metadata, observations, rows, (x, n) => tfjsOutputs(network, stats, x, n), tolerance);
  if (!parity.pass)
    throw new ModelError("PARITY_FAILED", `ONNX Runtime differs from TensorFlow.js by ${parity.maxAbsDiff.toExponential(2)} on ${parity.worstOutput} over ${rows} observations (tolerance ${tolerance})`, "nothing was written; report it with the run folder");
  return { bytes, metadata, parity };
}
