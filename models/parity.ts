// The parity check an export must pass before it is written: ONNX Runtime's outputs on recorded observations equal
// the training framework's within a tolerance (1e-5 by default), output by output.
import * as ort from "onnxruntime-node";
import { ModelError, type PolicyModelMetadata } from "./onnx.js";

/** Outputs of a policy for `rows` observations: each action dimension's logits (row-major) and the values. */
export interface PolicyOutputs {
  logits: Float32Array[];
  value: Float32Array;
}

/** One ONNX Runtime session on a model's bytes, run on the CPU in this thread. */
export async function openSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" });
}

/** Runs the model on `rows` observations of F features (row-major). */
export async function runPolicyModel(session: ort.InferenceSession, meta: PolicyModelMetadata, obs: Float32Array, rows: number): Promise<PolicyOutputs> {
  const F = meta.featureNames.length;
  const out = await session.run({ obs: new ort.Tensor("float32", obs, [rows, F]) });
  return {
    logits: meta.actionSpace.names.map((n) => out[`logits_${n}`].data as Float32Array),
    value: out.value.data as Float32Array,
  };
}

export interface ParityReport {
  observations: number;
  /** Largest absolute difference over every output. */
  maxAbsDiff: number;
  /** Where it was: the output's name. */
  worstOutput: string;
  pass: boolean;
}

/**
 * Compares the model with `reference` on `obs` (rows × F, row-major) in batches of `batch`; the report says the
 * largest difference. `requireParity` throws PARITY_FAILED when it exceeds `tolerance`.
 */
export async function checkParity(
  bytes: Uint8Array, meta: PolicyModelMetadata, obs: Float32Array, rows: number,
  reference: (obs: Float32Array, rows: number) => PolicyOutputs, tolerance = 1e-5, batch = 1000,
): Promise<ParityReport> {
  const session = await openSession(bytes);
  const F = meta.featureNames.length;
  let maxAbsDiff = 0, worstOutput = "";
  try {
    for (let from = 0; from < rows; from += batch) {
      const n = Math.min(batch, rows - from);
      const x = obs.subarray(from * F, (from + n) * F);
      const got = await runPolicyModel(session, meta, x, n), want = reference(x, n);
      const pairs: [string, Float32Array, Float32Array][] = [
        ...meta.actionSpace.names.map((name, d) => [`logits_${name}`, got.logits[d], want.logits[d]] as [string, Float32Array, Float32Array]),
        ["value", got.value, want.value],
      ];
      for (const [name, a, b] of pairs) {
        if (a.length !== b.length) throw new ModelError("PARITY_FAILED", `output ${name} has ${a.length} values from ONNX Runtime and ${b.length} from the reference`);
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i] - b[i]);
          if (!(d <= maxAbsDiff)) (maxAbsDiff = d), (worstOutput = name);
        }
      }
    }
  } finally {
    await session.release();
  }
  return { observations: rows, maxAbsDiff, worstOutput, pass: maxAbsDiff <= tolerance };
}
